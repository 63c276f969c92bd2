//! Classes of status codes: which can be sent, which carry no body, which redirect, which are
//! errors.
//!
//! ```
//! use carafe_core::status;
//!
//! assert!(status::is_valid(404) && !status::is_valid(42));
//! assert!(status::forbids_body(204) && !status::forbids_body(200));
//! assert!(status::is_redirect(303) && !status::is_redirect(300));
//! assert!(status::is_error(500) && !status::is_error(302));
//! ```

use std::ops::RangeInclusive;

/// The statuses a response may have: three digits, from 100 to 599 (RFC 9110 §15).
pub const VALID: RangeInclusive<u16> = 100..=599;

/// Whether a response may be sent with this status.
pub const fn is_valid(status: u16) -> bool {
    *VALID.start() <= status && status <= *VALID.end()
}

/// Whether a response with this status never has a body: 1xx, 204 and 304 (RFC 9110 §6.4.1).
pub const fn forbids_body(status: u16) -> bool {
    matches!(status, 100..=199 | 204 | 304)
}

/// Whether this status is one of the redirects a `Location` makes sense with: 301, 302, 303,
/// 307 and 308.
pub const fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Whether this status is a client or server error, 400 to 599: those an error page and an
/// error handler are for.
pub const fn is_error(status: u16) -> bool {
    400 <= status && status <= 599
}

/// The status an `http::StatusCode` constant stands for, by its name (`NOT_FOUND` → 404): its
/// reason phrase in capitals, words joined by `_`, as `http` names them.
///
/// ```
/// use carafe_core::status::from_constant;
///
/// assert_eq!(from_constant("NOT_FOUND"), Some(404));
/// assert_eq!(from_constant("IM_A_TEAPOT"), Some(418));
/// assert_eq!(from_constant("NOT_A_STATUS"), None);
/// ```
pub fn from_constant(name: &str) -> Option<u16> {
    VALID.into_iter().find(|&code| {
        http::StatusCode::from_u16(code)
            .ok()
            .and_then(|status| status.canonical_reason())
            .is_some_and(|reason| constant_name(reason) == name)
    })
}

/// `Non-Authoritative Information` → `NON_AUTHORITATIVE_INFORMATION`, `I'm a teapot` →
/// `IM_A_TEAPOT`.
fn constant_name(reason: &str) -> String {
    reason
        .chars()
        .filter(|c| *c != '\'')
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert!(!is_valid(99) && is_valid(100) && is_valid(599) && !is_valid(600));
        assert!(forbids_body(100) && forbids_body(199) && !forbids_body(200));
        assert!(forbids_body(304) && !forbids_body(305));
        assert!(!is_error(399) && is_error(400) && is_error(599) && !is_error(600));
        for status in 300..=399 {
            assert_eq!(
                is_redirect(status),
                [301, 302, 303, 307, 308].contains(&status)
            );
        }
    }
}
