//! Header literals in response tuples: what to write instead of a name or value that cannot be
//! sent. Which can is `carafe_core::header`'s, judged by `http`'s own parsers.

use carafe_core::header;

/// RFC 9110 §5.1: a field name is a token.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a header name cannot be empty: write a name such as `X-Request-Id`".into());
    }
    if header::is_valid_name(name) {
        return Ok(());
    }
    // The usual slips, `Content-Type:` with its colon and spaces for dashes, have a fix.
    let fixed = name
        .trim()
        .trim_end_matches(':')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-");
    Err(if header::is_valid_name(&fixed) {
        format!(
            "header name {name:?} is not a valid token (no spaces, colons or other \
             separators): write {fixed:?}"
        )
    } else {
        let invalid = name
            .chars()
            .find(|c| !header::is_valid_name(c.encode_utf8(&mut [0; 4])))
            .unwrap_or_default();
        format!(
            "header name {name:?} is not a valid token: `{invalid}` cannot appear in it; use \
             ASCII letters, digits and `-`"
        )
    })
}

/// RFC 9110 §5.5: no control character but a tab can appear in a field value.
pub fn check_value(value: &str) -> Result<(), String> {
    let Some(invalid) = header::invalid_value_char(value) else {
        return Ok(());
    };
    let fixed: String = value
        .chars()
        .filter(|c| header::is_valid_value(c.encode_utf8(&mut [0; 4])))
        .collect();
    Err(if matches!(invalid, '\r' | '\n' | '\0') {
        format!(
            "a header value cannot contain CR, LF or NUL (they would split or end the header): \
             write {fixed:?}"
        )
    } else {
        format!(
            "a header value cannot contain the control character {invalid:?} (U+{:04X}); only \
             a tab may appear among visible text: write {fixed:?}",
            u32::from(invalid)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(check_name("X-Request-Id"), Ok(()));
        assert_eq!(
            check_name("Content-Type:").unwrap_err(),
            r#"header name "Content-Type:" is not a valid token (no spaces, colons or other separators): write "Content-Type""#
        );
        assert_eq!(
            check_name("é").unwrap_err(),
            r#"header name "é" is not a valid token: `é` cannot appear in it; use ASCII letters, digits and `-`"#
        );
    }

    #[test]
    fn values() {
        assert_eq!(check_value("a\tb"), Ok(()));
        assert_eq!(check_value("café"), Ok(()));
        assert_eq!(
            check_value("a\r\nb").unwrap_err(),
            r#"a header value cannot contain CR, LF or NUL (they would split or end the header): write "ab""#
        );
        assert_eq!(
            check_value("a\u{1}b").unwrap_err(),
            r#"a header value cannot contain the control character '\u{1}' (U+0001); only a tab may appear among visible text: write "ab""#
        );
        assert_eq!(
            check_value("a\u{7f}").unwrap_err(),
            r#"a header value cannot contain the control character '\u{7f}' (U+007F); only a tab may appear among visible text: write "a""#
        );
    }
}
