//! Error pages: the app's handler for an error's status, or the default page, in HTML or, for
//! clients that accept only JSON, in JSON.

use std::borrow::Cow;
use std::collections::HashMap;

use http::StatusCode;

use crate::body::Body;
use crate::error::HttpError;
use crate::json::Json;
use crate::response::{IntoResponse, Response, TEXT_HTML};

/// A page for an error status, registered with `App::error_handler`.
pub(crate) type ErrorHandler = Box<dyn Fn(HttpError) -> Response + Send + Sync>;

/// The error handlers of an app, by status.
#[derive(Default)]
pub(crate) struct ErrorPages {
    handlers: HashMap<StatusCode, ErrorHandler>,
}

impl ErrorPages {
    pub(crate) fn insert(&mut self, status: StatusCode, handler: ErrorHandler) {
        self.handlers.insert(status, handler);
    }

    /// The page for `error`: its status's handler, or the default page.
    pub(crate) fn render(&self, error: HttpError, accepts_json_only: bool) -> Response {
        if let Some(detail) = error.internal_detail() {
            tracing::error!("{detail}");
        }
        if let Some(handler) = self.handlers.get(&error.status()) {
            let status = error.status();
            let mut response = handler(error);
            // An error page sent as 200 is almost always a slip: keep the error's status
            // unless the handler chose another one.
            if response.status_code == 200 {
                response.status_code = status.as_u16();
            }
            // The handler's own errors are shown with the default page, never looped back.
            return match response.take_error() {
                Some(inner) => html_page(&inner),
                None => response,
            };
        }
        if accepts_json_only {
            json_page(&error)
        } else {
            html_page(&error)
        }
    }
}

/// The default page: short HTML with the status in the title, like Werkzeug's.
fn html_page(error: &HttpError) -> Response {
    let status = error.status();
    let reason = status.canonical_reason().unwrap_or("Error");
    let page = format!(
        "<!doctype html>\n<html lang=en>\n<title>{code} {reason}</title>\n<h1>{reason}</h1>\n<p>{message}</p>\n",
        code = status.as_u16(),
        message = escape_html(error.message()),
    );
    let mut response = Response::with_content_type(Body::from(page), TEXT_HTML);
    response.status_code = status.as_u16();
    response
}

/// The default page for clients that accept only JSON.
fn json_page(error: &HttpError) -> Response {
    let status = error.status();
    let page = serde_json::json!({
        "code": status.as_u16(),
        "name": status.canonical_reason().unwrap_or("Error"),
        "description": error.message(),
    });
    let mut response = Json(page).into_response();
    response.status_code = status.as_u16();
    response
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
