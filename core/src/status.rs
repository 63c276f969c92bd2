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

/// What an error status means, in the words of Werkzeug's `HTTPException` descriptions, so that
/// error pages read as a Flask user knows them: every 4xx and 5xx status Werkzeug describes.
/// (Werkzeug's 411 marks `Content-Length` up as code; the words are the same.)
///
/// ```
/// use carafe_core::status::description;
///
/// assert_eq!(
///     description(403),
///     Some("You don't have the permission to access the requested resource. It is either read-protected or not readable by the server."),
/// );
/// assert_eq!(description(499), None);
/// ```
pub const fn description(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "The browser (or proxy) sent a request that this server could not understand.",
        401 => "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required.",
        403 => "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.",
        404 => "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.",
        405 => "The method is not allowed for the requested URL.",
        406 => "The resource identified by the request is only capable of generating response entities which have content characteristics not acceptable according to the accept headers sent in the request.",
        408 => "The server closed the network connection because the browser didn't finish the request within the specified time.",
        409 => "A conflict happened while processing the request. The resource might have been modified while the request was being processed.",
        410 => "The requested URL is no longer available on this server and there is no forwarding address. If you followed a link from a foreign page, please contact the author of this page.",
        411 => "A request with this method requires a valid Content-Length header.",
        412 => "The precondition on the request for the URL failed positive evaluation.",
        413 => "The data value transmitted exceeds the capacity limit.",
        414 => "The length of the requested URL exceeds the capacity limit for this server. The request cannot be processed.",
        415 => "The server does not support the media type transmitted in the request.",
        416 => "The server cannot provide the requested range.",
        417 => "The server could not meet the requirements of the Expect header",
        418 => "This server is a teapot, not a coffee machine",
        421 => "The server is not able to produce a response.",
        422 => "The request was well-formed but was unable to be followed due to semantic errors.",
        423 => "The resource that is being accessed is locked.",
        424 => "The method could not be performed on the resource because the requested action depended on another action and that action failed.",
        428 => "This request is required to be conditional; try using \"If-Match\" or \"If-Unmodified-Since\".",
        429 => "This user has exceeded an allotted request count. Try again later.",
        431 => "One or more header fields exceeds the maximum size.",
        451 => "Unavailable for legal reasons.",
        500 => "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.",
        501 => "The server does not support the action requested by the browser.",
        502 => "The proxy server received an invalid response from an upstream server.",
        503 => "The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.",
        504 => "The connection to an upstream server timed out.",
        505 => "The server does not support the HTTP protocol version used in the request.",
        _ => return None,
    })
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
