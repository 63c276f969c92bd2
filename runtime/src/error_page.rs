//! Error pages: the handler for an error's status (a blueprint's, else the app's), or the
//! default page, in HTML or, for clients that accept only JSON, in JSON.

use std::borrow::Cow;
use std::collections::HashMap;

use carafe_core::status;
use http::StatusCode;

use crate::body::Body;
use crate::error::HttpError;
use crate::json::Json;
use crate::response::{IntoResponse, Response, TEXT_HTML};

/// A page for an error status, registered with `App::error_handler` or
/// `Blueprint::error_handler`.
pub(crate) type ErrorHandler = Box<dyn Fn(HttpError) -> Response + Send + Sync>;

/// The error handlers of an app or a blueprint, by status.
#[derive(Default)]
pub(crate) struct ErrorPages {
    handlers: HashMap<StatusCode, ErrorHandler>,
}

impl ErrorPages {
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

/// The error pages of the app (scope 0) and of each blueprint registered on it, each
/// blueprint's with the scope it was registered in: a route's errors get its blueprint's page
/// for the status, else the enclosing blueprint's, and so on up to the app's.
pub(crate) struct ScopedPages {
    scopes: Vec<(Option<usize>, ErrorPages)>,
}

impl Default for ScopedPages {
    fn default() -> Self {
        ScopedPages {
            scopes: vec![(None, ErrorPages::default())],
        }
    }
}

impl ScopedPages {
    /// The app's own pages.
    pub(crate) fn app(&mut self) -> &mut ErrorPages {
        &mut self.scopes[0].1
    }

    /// Adds a blueprint's pages inside `parent`; its scope.
    pub(crate) fn add_scope(&mut self, parent: usize, pages: ErrorPages) -> usize {
        self.scopes.push((Some(parent), pages));
        self.scopes.len() - 1
    }

    /// The page for `error` in `scope`: the nearest handler for its status, or the default
    /// page.
    pub(crate) fn render(
        &self,
        scope: usize,
        error: HttpError,
        accepts_json_only: bool,
    ) -> Response {
        if let Some(detail) = error.internal_detail() {
            tracing::error!("{detail}");
        }
        let mut at = Some(scope);
        let mut handler = None;
        while let (Some(index), None) = (at, handler) {
            let (parent, pages) = &self.scopes[index];
            handler = pages.handlers.get(&error.status());
            at = *parent;
        }
        if let Some(handler) = handler {
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
