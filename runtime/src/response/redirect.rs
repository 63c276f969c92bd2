//! `redirect`: answering with another URL, like Flask's `redirect`.

use std::fmt::Write;

use carafe_core::status;
use http::header::{self, HeaderValue};

use crate::response::body::Body;
use crate::response::error::HttpError;
use crate::response::status_code::IntoStatus;
use crate::response::{IntoResponse, Response, TEXT_HTML};

/// Answers 302 Found with `Location: location`, like Flask's `redirect(location)`.
///
/// The location is sent as Werkzeug sends it: spaces, control characters (CR and LF among
/// them) and non-ASCII text percent-encoded, so no location can add a header or end the head.
///
/// ```
/// use carafe_runtime::redirect;
///
/// let response = redirect("/auth/login");
/// assert_eq!(response.status_code, 302);
/// assert_eq!(response.headers["location"], "/auth/login");
/// ```
pub fn redirect(location: impl AsRef<str>) -> Response {
    redirect_to(location.as_ref(), 302)
}

/// Answers with `Location: location` and a redirect status: 301, 302, 303, 307 or 308.
///
/// Another status written as a literal does not compile in a `#[route]` handler; one computed
/// at run time answers 500, logged.
///
/// ```
/// use carafe_runtime::redirect_with;
///
/// let response = redirect_with("/items/7", 303);
/// assert_eq!(response.status_code, 303);
/// assert_eq!(response.headers["location"], "/items/7");
/// ```
pub fn redirect_with(location: impl AsRef<str>, status: impl IntoStatus) -> Response {
    let code = status.into_status_code();
    if !status::is_redirect(code) {
        return HttpError::misconfigured(format!(
            "redirect_with(.., {code}): a redirect's status is 301, 302, 303, 307 or 308"
        ))
        .into_response();
    }
    redirect_to(location.as_ref(), code)
}

fn redirect_to(location: &str, code: u16) -> Response {
    let location = encode_location(location);
    // Flask's page, for the rare client that shows it instead of following the redirect.
    let page = format!(
        "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n\
         <p>You should be redirected automatically to the target URL: \
         <a href=\"{0}\">{0}</a>. If not, click the link.\n",
        escape_attribute(&location)
    );
    let mut response = Response::with_content_type(Body::from(page), TEXT_HTML);
    response.status_code = code;
    let value = HeaderValue::try_from(location)
        .expect("an encoded location is visible ASCII, which is always a header value");
    response.headers.insert(header::LOCATION, value);
    response
}

/// The location with every byte that a URL cannot hold as it is percent-encoded: controls,
/// space, DEL and non-ASCII. What a URL may hold (`/`, `?`, `#`, `%`, …) is kept as written.
fn encode_location(location: &str) -> String {
    let mut encoded = String::with_capacity(location.len());
    for &byte in location.as_bytes() {
        if byte.is_ascii_graphic() {
            encoded.push(char::from(byte));
        } else {
            // Writing to a `String` cannot fail.
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    encoded
}

/// Text for a double-quoted HTML attribute.
fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_cannot_break_the_head() {
        assert_eq!(
            encode_location("/a\r\nSet-Cookie: x=1"),
            "/a%0D%0ASet-Cookie:%20x=1"
        );
        assert_eq!(encode_location("/café?q=a b#top"), "/caf%C3%A9?q=a%20b#top");
        assert_eq!(encode_location("/items/7?x=%20"), "/items/7?x=%20");
    }

    #[test]
    fn only_redirect_statuses() {
        for code in [301, 302, 303, 307, 308] {
            assert_eq!(redirect_with("/", code).status_code, code);
        }
        for code in [200, 300, 304, 305, 404] {
            assert_eq!(redirect_with("/", code).status_code, 500, "{code}");
        }
    }
}
