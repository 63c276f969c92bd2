//! Spans that point inside a string literal, at the part of the path that is wrong.

use std::ops::Range;

use proc_macro2::Span;
use syn::LitStr;

/// The span of `range`, a byte range of `lit`'s value, inside the literal's source.
///
/// Falls back to the whole literal where the compiler cannot point inside a token (stable
/// Rust, today: `Literal::subspan` answers only on nightly) or where escapes make offsets in
/// the value differ from offsets in the source.
pub fn subspan(lit: &LitStr, range: Range<usize>) -> Span {
    let token = lit.token();
    value_offset(&token.to_string(), &lit.value())
        .and_then(|offset| token.subspan(offset + range.start..offset + range.end))
        .unwrap_or_else(|| lit.span())
}

/// Where `value` starts in `source`, the literal as written (`"…"` or `r#"…"#`), if the value
/// appears there verbatim.
fn value_offset(source: &str, value: &str) -> Option<usize> {
    let offset = match source.strip_prefix('r') {
        Some(raw) => 1 + raw.len() - raw.trim_start_matches('#').len() + 1,
        None => 1,
    };
    (source.get(offset..offset + value.len()) == Some(value)).then_some(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_past_the_quotes() {
        assert_eq!(value_offset(r#""/items""#, "/items"), Some(1));
        assert_eq!(value_offset(r#"r"/items""#, "/items"), Some(2));
        assert_eq!(value_offset(r###"r##"/items"##"###, "/items"), Some(4));
    }

    #[test]
    fn no_offset_when_escapes_change_the_text() {
        assert_eq!(value_offset(r#""\x2Fitems""#, "/items"), None);
        assert_eq!(value_offset(r#""/caf\u{e9}""#, "/café"), None);
    }

    #[test]
    fn falls_back_to_the_literal_span() {
        let lit = LitStr::new("/items/<id>", Span::call_site());
        // Outside the compiler there is no source to point into; this must not panic.
        let _ = subspan(&lit, 7..11);
    }
}
