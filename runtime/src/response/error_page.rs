//! Error pages: the handler for an error's status (a blueprint's, else the app's), or the
//! default page, in HTML or, for clients that accept only JSON, in JSON.

use std::borrow::Cow;
use std::collections::HashMap;

use carafe_core::status;
use http::StatusCode;

use crate::response::body::Body;
use crate::response::error::{Error, HttpError};
use crate::response::json::Json;
use crate::response::{IntoResponse, Response, TEXT_HTML};

/// A page for an error status, registered with `App::error_handler` or
/// `Blueprint::error_handler`.
pub(crate) type ErrorHandler = Box<dyn Fn(HttpError) -> Response + Send + Sync>;

/// A page for the errors of one type that handlers return, registered with
/// `App::error_handler_for`: `None` for an error of another type.
pub(crate) type TypeHandler = Box<dyn Fn(&Error) -> Option<Response> + Send + Sync>;

/// The error handlers of an app or a blueprint, by status, and by the type of error a handler
/// returned.
#[derive(Default)]
pub(crate) struct ErrorPages {
    handlers: HashMap<StatusCode, ErrorHandler>,
    /// In the order registered; the first that takes the error answers it.
    by_type: Vec<TypeHandler>,
}

impl ErrorPages {
    /// Adds the handler for the errors of type `E`.
    pub(crate) fn add_for_type<E, R>(&mut self, handler: impl Fn(&E) -> R + Send + Sync + 'static)
    where
        E: std::error::Error + 'static,
        R: IntoResponse,
    {
        self.by_type.push(Box::new(move |error| {
            error
                .downcast_ref::<E>()
                .map(|error| handler(error).into_response())
        }));
    }

    /// The answer of the handler for the type of `cause`, if one takes it.
    pub(crate) fn for_type(&self, cause: &Error) -> Option<Response> {
        self.by_type.iter().find_map(|handler| handler(cause))
    }

    /// The handler for `status`, if there is one.
    pub(crate) fn for_status(&self, status: StatusCode) -> Option<&ErrorHandler> {
        self.handlers.get(&status)
    }

    /// Adds the handler for `status`, or says why it cannot be one: error pages are for 4xx
    /// and 5xx statuses.
    pub(crate) fn add(&mut self, status: u16, handler: ErrorHandler) -> Result<(), String> {
        match StatusCode::from_u16(status) {
            Ok(code) if status::is_error(status) => {
                self.handlers.insert(code, handler);
                Ok(())
            }
            _ => Err(format!(
                "error_handler({status}, ..): error handlers are for statuses 400..=599"
            )),
        }
    }
}

/// The default page, in HTML or JSON as the client accepts; in debug mode with the error's
/// internal detail and the request line.
pub(crate) fn default_page(
    error: &HttpError,
    accepts_json_only: bool,
    debug: Option<&str>,
) -> Response {
    let debug = debug.map(|request| (request, error.internal_detail()));
    if accepts_json_only {
        json_page(error, debug)
    } else {
        html_page(error, debug)
    }
}

/// What debug mode adds to a default page: the request line, and the error's internal detail
/// (a panic's message, a returned error's chain) if it has one.
type DebugDetail<'a> = Option<(&'a str, Option<&'a str>)>;

/// The default page: short HTML with the status in the title, like Werkzeug's.
fn html_page(error: &HttpError, debug: DebugDetail) -> Response {
    let status = error.status();
    let reason = status.canonical_reason().unwrap_or("Error");
    let mut page = format!(
        "<!doctype html>\n<html lang=en>\n<title>{code} {reason}</title>\n<h1>{reason}</h1>\n<p>{message}</p>\n",
        code = status.as_u16(),
        message = escape_html(error.message()),
    );
    if let Some((request, detail)) = debug {
        page.push_str(&format!(
            "<h2>Debug</h2>\n<pre>{}</pre>\n",
            escape_html(request)
        ));
        if let Some(detail) = detail {
            page.push_str(&format!("<pre>{}</pre>\n", escape_html(detail)));
        }
    }
    let mut response = Response::with_content_type(Body::from(page), TEXT_HTML);
    response.status_code = status.as_u16();
    response
}

/// The default page for clients that accept only JSON.
fn json_page(error: &HttpError, debug: DebugDetail) -> Response {
    let status = error.status();
    let mut page = serde_json::json!({
        "code": status.as_u16(),
        "name": status.canonical_reason().unwrap_or("Error"),
        "description": error.message(),
    });
    if let Some((request, detail)) = debug {
        page["request"] = request.into();
        page["detail"] = detail.into();
    }
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
