//! HTTP errors: what routing, extractors and `abort` answer, and their default pages.

use std::borrow::Cow;
use std::fmt;

use http::StatusCode;

use crate::body::Body;
use crate::response::{IntoResponse, IntoStatus, Response, TEXT_HTML};

/// An HTTP error answer, like Werkzeug's `HTTPException`: a status and a message for the
/// client. The app renders its page (HTML, or JSON for clients that accept only JSON), or
/// hands it to the error handler registered for its status.
///
/// Return it from a handler, or use it as the error side of a `Result`:
///
/// ```
/// use carafe_runtime::{HttpError, IntoResponse};
///
/// fn find(id: u32) -> Result<&'static str, HttpError> {
///     if id == 1 { Ok("apple") } else { Err(HttpError::new(404).with_message("no such item")) }
/// }
/// assert_eq!(find(2).into_response().status_code, 404);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    status: StatusCode,
    message: Option<Cow<'static, str>>,
    /// A server-side mistake whose message is for the log, not for the client.
    internal: bool,
}

impl HttpError {
    /// An error with the standard message for `status`. A status outside 400..=599 is itself a
    /// server mistake and becomes a 500.
    pub fn new(status: impl IntoStatus) -> HttpError {
        let code = status.into_status_code();
        match StatusCode::from_u16(code) {
            Ok(status) if status.is_client_error() || status.is_server_error() => HttpError {
                status,
                message: None,
                internal: false,
            },
            _ => HttpError::misconfigured(format!(
                "an HTTP error needs a status in 400..=599, got {code}"
            )),
        }
    }

    /// Replaces the standard message with one for the client.
    pub fn with_message(mut self, message: impl Into<Cow<'static, str>>) -> HttpError {
        self.message = Some(message.into());
        self
    }

    /// A 500 for a mistake in the application; `detail` goes to the log only.
    pub(crate) fn misconfigured(detail: impl Into<Cow<'static, str>>) -> HttpError {
        HttpError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: Some(detail.into()),
            internal: true,
        }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message shown to the client: the one given, or the standard one for the status.
    pub fn message(&self) -> &str {
        match &self.message {
            Some(message) if !self.internal => message,
            _ => standard_description(self.status),
        }
    }

    /// The detail to log for a server-side mistake.
    pub(crate) fn internal_detail(&self) -> Option<&str> {
        self.message.as_deref().filter(|_| self.internal)
    }

    /// The default page: short HTML with the status in the title, like Werkzeug's.
    pub(crate) fn html_page(&self) -> Response {
        let reason = self.status.canonical_reason().unwrap_or("Error");
        let page = format!(
            "<!doctype html>\n<html lang=en>\n<title>{code} {reason}</title>\n<h1>{reason}</h1>\n<p>{message}</p>\n",
            code = self.status.as_u16(),
            message = escape_html(self.message()),
        );
        let mut response = Response::with_content_type(Body::from(page), TEXT_HTML);
        response.status_code = self.status.as_u16();
        response
    }

    /// The default page for clients that accept only JSON.
    pub(crate) fn json_page(&self) -> Response {
        let page = serde_json::json!({
            "code": self.status.as_u16(),
            "name": self.status.canonical_reason().unwrap_or("Error"),
            "description": self.message(),
        });
        let mut response = crate::Json(page).into_response();
        response.status_code = self.status.as_u16();
        response
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.message())
    }
}

impl std::error::Error for HttpError {}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        Response::from_error(self)
    }
}

/// Werkzeug's descriptions, so pages read as Flask users know them.
fn standard_description(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "The browser (or proxy) sent a request that this server could not understand.",
        404 => "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.",
        405 => "The method is not allowed for the requested URL.",
        413 => "The data value transmitted exceeds the capacity limit.",
        415 => "The server does not support the media type transmitted in the request.",
        500 => "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.",
        _ => status.canonical_reason().unwrap_or("Error"),
    }
}

fn escape_html(text: &str) -> Cow<'_, str> {
    // Text content only needs these three; quotes matter in attributes, which pages never use.
    if !text.contains(['<', '>', '&']) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            c => escaped.push(c),
        }
    }
    Cow::Owned(escaped)
}

/// The payload `abort` unwinds with; the server turns it back into the response.
pub(crate) struct Abort(pub(crate) Response);

/// Stops the handler and answers with the error page for `status`, like Flask's `abort(404)`.
///
/// It unwinds out of the handler (without the panic message a real panic prints), so it can be
/// called from any depth, and its type `!` fits any return type. The app answers with the
/// page for that status, or with the error handler registered for it.
///
/// ```
/// use carafe_runtime::abort;
///
/// fn item(id: u32) -> &'static str {
///     if id != 1 {
///         abort(404);
///     }
///     "apple"
/// }
/// assert_eq!(item(1), "apple");
/// ```
pub fn abort(status: impl IntoStatus) -> ! {
    abort_with(HttpError::new(status))
}

/// Stops the handler and answers with this whole response, like Flask's `abort(response)`.
///
/// ```
/// use carafe_runtime::abort_with;
///
/// fn guard(token: Option<&str>) {
///     if token.is_none() {
///         abort_with(("login first", 401, [("WWW-Authenticate", "Bearer")]));
///     }
/// }
/// guard(Some("t"));
/// ```
pub fn abort_with(response: impl IntoResponse) -> ! {
    std::panic::resume_unwind(Box::new(Abort(response.into_response())))
}
