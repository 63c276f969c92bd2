//! Which header names and values can be sent, judged by `http`'s own parsers: the ones the
//! runtime builds its headers with, so a literal the macro accepts is one the runtime sends.
//!
//! ```
//! use carafe_core::header;
//!
//! assert!(header::is_valid_name("Access-Control-Allow-Origin"));
//! assert!(!header::is_valid_name("Content-Type:"));
//! assert!(header::is_valid_value("a\tb"));
//! assert_eq!(header::invalid_value_char("a\u{1}b"), Some('\u{1}'));
//! ```

use http::{HeaderName, HeaderValue};

/// Whether `name` is a valid field name: a token (RFC 9110 §5.1).
pub fn is_valid_name(name: &str) -> bool {
    HeaderName::from_bytes(name.as_bytes()).is_ok()
}

/// Whether `value` is a valid field value: no control character but a tab (RFC 9110 §5.5).
pub fn is_valid_value(value: &str) -> bool {
    HeaderValue::from_str(value).is_ok()
}

/// The first character of `value` that cannot appear in a field value, if any.
pub fn invalid_value_char(value: &str) -> Option<char> {
    if is_valid_value(value) {
        return None;
    }
    value
        .chars()
        .find(|&c| !is_valid_value(c.encode_utf8(&mut [0; 4])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_refuse_every_control_character_but_tab() {
        for byte in 0u8..=127 {
            let text = format!("a{}b", char::from(byte));
            let allowed = byte == b'\t' || (32..127).contains(&byte);
            assert_eq!(is_valid_value(&text), allowed, "{byte:#x}");
            assert_eq!(
                invalid_value_char(&text),
                (!allowed).then_some(char::from(byte))
            );
        }
        assert!(is_valid_value("café"));
    }

    #[test]
    fn names_are_tokens() {
        assert!(is_valid_name("X-Request-Id"));
        for name in ["", "A B", "é", "X:Y", "a\nb"] {
            assert!(!is_valid_name(name), "{name:?}");
        }
    }
}
