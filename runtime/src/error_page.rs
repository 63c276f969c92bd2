//! Error pages: the handler for an error's status (a blueprint's, else the app's), or the
//! default page, in HTML or, for clients that accept only JSON, in JSON.

use std::borrow::Cow;
use std::collections::HashMap;

use carafe_core::status;
use http::StatusCode;

use crate::body::Body;
use crate::error::{Error, HttpError};
use crate::json::Json;
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

    /// The page for `error` in `scope`: the nearest handler for the type of the error a
    /// handler returned, else the nearest for its status, else the default page. `debug`,
    /// the request line in debug mode, puts the error's internal detail on the default page.
    pub(crate) fn render(
        &self,
        scope: usize,
        error: HttpError,
        accepts_json_only: bool,
        debug: Option<&str>,
    ) -> Response {
        if let Some(detail) = error.internal_detail() {
            tracing::error!("{detail}");
        }
        let status = error.status();
        let by_type = error.cause().and_then(|cause| {
            self.chain(scope)
                .flat_map(|pages| &pages.by_type)
                .find_map(|handler| handler(cause))
        });
        let answer = by_type.or_else(|| {
            let handler = self
                .chain(scope)
                .find_map(|pages| pages.handlers.get(&status))?;
            Some(handler(error.clone()))
        });
        let Some(mut response) = answer else {
            return default_page(&error, accepts_json_only, debug);
        };
        // A bare body keeps the error's status; one given with the body (a tuple,
        // `make_response`) is the handler's choice, even 200.
        if response.status_code == 200 && !response.has_explicit_status() {
            response.status_code = status.as_u16();
        }
        // The handler's own errors are shown with the default page, never looped back.
        match response.take_error() {
            Some(inner) => default_page(&inner, accepts_json_only, debug),
            None => response,
        }
    }

    /// The pages of `scope`, then of each scope around it, out to the app's.
    fn chain(&self, scope: usize) -> impl Iterator<Item = &ErrorPages> {
        std::iter::successors(Some(scope), |&index| self.scopes[index].0)
            .map(|index| &self.scopes[index].1)
    }
}

/// The default page, in HTML or JSON as the client accepts; in debug mode with the error's
/// internal detail and the request line.
fn default_page(error: &HttpError, accepts_json_only: bool, debug: Option<&str>) -> Response {
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
