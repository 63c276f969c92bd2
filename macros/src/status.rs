//! Status literals: which are statuses, and what to write instead of one that cannot be sent.
//! The classes of statuses themselves are `carafe_core::status`'s.

use carafe_core::status;
use proc_macro2::Span;
use quote::ToTokens;
use syn::{Expr, ExprLit, Lit, LitInt, UnOp};

/// The literal `expr` is, through parentheses, and whether it is negated (`-1`).
pub fn literal(expr: &Expr) -> Option<(&Lit, bool)> {
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => Some((lit, false)),
        Expr::Paren(expr) => literal(&expr.expr),
        Expr::Group(expr) => literal(&expr.expr),
        Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) => match literal(&unary.expr)? {
            (lit, false) => Some((lit, true)),
            (_, true) => None,
        },
        _ => None,
    }
}

/// A status literal that cannot be sent: why, and the status the user most likely meant.
#[derive(Debug, PartialEq)]
pub struct Invalid {
    pub message: String,
    pub meant: u16,
}

/// The status `expr` is, if it is a literal: `None` for other expressions, which the type
/// system checks.
pub fn classify(expr: &Expr) -> Option<Result<u16, Invalid>> {
    let (lit, negative) = literal(expr)?;
    let meant = match lit {
        Lit::Int(int) => int.base10_parse().ok().and_then(valid),
        Lit::Float(float) => leading_status(float.base10_digits()),
        Lit::Str(lit) => leading_status(&lit.value()),
        Lit::ByteStr(lit) => leading_status(&String::from_utf8_lossy(&lit.value())),
        Lit::CStr(lit) => leading_status(&lit.value().to_string_lossy()),
        Lit::Bool(_) | Lit::Char(_) | Lit::Byte(_) => None,
        _ => return None,
    };
    let write = meant.map_or_else(
        || "a status from 100 to 599, such as 200 or 404".to_owned(),
        |meant| meant.to_string(),
    );
    let written = lit.to_token_stream().to_string();
    let message = match lit {
        _ if negative => format!("status code cannot be negative: write {write}"),
        Lit::Int(int) => match meant {
            Some(status) => return Some(Ok(status)),
            None => format!(
                "status {} is out of range: write a status from 100 to 599",
                int.base10_digits()
            ),
        },
        Lit::Str(_) | Lit::ByteStr(_) | Lit::CStr(_) => {
            format!("status code must be an integer: write {write}, not {written}")
        }
        Lit::Float(_) => format!("status code must be an integer, not a float: write {write}"),
        Lit::Bool(_) => format!("status code must be an integer, not a bool: write {write}"),
        _ => format!("status code must be an integer, not {written}: write {write}"),
    };
    Some(Err(Invalid {
        message,
        meant: meant.unwrap_or(500),
    }))
}

/// The status, if it is one a response can be sent with.
fn valid(status: u64) -> Option<u16> {
    u16::try_from(status)
        .ok()
        .filter(|&status| status::is_valid(status))
}

/// The status a text starts with: `"404 NOT FOUND"` → 404.
fn leading_status(text: &str) -> Option<u16> {
    let text = text.trim_start();
    let digits = &text[..text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len()];
    digits.parse().ok().and_then(valid)
}

/// The literal that replaces a wrong status in the emitted function, on its span.
pub fn int_literal(value: u16, span: Span) -> Expr {
    Expr::Lit(ExprLit {
        attrs: Vec::new(),
        lit: Lit::Int(LitInt::new(&value.to_string(), span)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_statuses() {
        assert_eq!(leading_status("404"), Some(404));
        assert_eq!(leading_status(" 201 Created"), Some(201));
        assert_eq!(leading_status("404.5"), Some(404));
        assert_eq!(leading_status("99"), None);
        assert_eq!(leading_status("4040"), None);
        assert_eq!(leading_status("NOT FOUND"), None);
        assert_eq!(leading_status(""), None);
    }

    #[test]
    fn classifies_literals_only() {
        let classify = |text: &str| classify(&syn::parse_str(text).unwrap());
        assert_eq!(classify("404"), Some(Ok(404)));
        assert_eq!(classify("(201)"), Some(Ok(201)));
        assert_eq!(classify("status"), None);
        assert_eq!(
            classify("600").and_then(Result::err).map(|e| e.meant),
            Some(500)
        );
        assert_eq!(
            classify("\"302\"").and_then(Result::err).map(|e| e.meant),
            Some(302)
        );
    }
}
