//! HTTP errors: what routing, extractors and `abort` answer; and errors as values, which a
//! handler returns with `?`. Their pages are `error_page`'s.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use carafe_core::status;
use http::StatusCode;

use crate::status_code::IntoStatus;

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
#[derive(Debug, Clone)]
pub struct HttpError {
    status: StatusCode,
    message: Option<Cow<'static, str>>,
    /// A server-side mistake whose message is for the log, not for the client.
    internal: bool,
    /// The error a handler returned, for the error handlers registered for its type.
    cause: Option<Arc<Error>>,
}

/// Two errors are equal when the client would see the same: their causes aside.
impl PartialEq for HttpError {
    fn eq(&self, other: &HttpError) -> bool {
        (self.status, &self.message, self.internal)
            == (other.status, &other.message, other.internal)
    }
}

impl Eq for HttpError {}

impl HttpError {
    /// An error with the standard message for `status`. A status outside 400..=599 is itself a
    /// server mistake and becomes a 500.
    pub fn new(status: impl IntoStatus) -> HttpError {
        let code = status.into_status_code();
        match StatusCode::from_u16(code) {
            Ok(status) if status::is_error(code) => HttpError {
                status,
                message: None,
                internal: false,
                cause: None,
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
            cause: None,
        }
    }

    /// The error a handler returned, if this 500 stands for one.
    pub(crate) fn cause(&self) -> Option<&Error> {
        self.cause.as_deref()
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
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.message())
    }
}

impl std::error::Error for HttpError {}

/// Any error a handler returns, like `anyhow::Error`: every `std::error::Error + Send + Sync`
/// converts into it, so `?` works on I/O, serde and database errors in a handler that returns
/// `Result<T, carafe::Error>`. Unhandled, it answers 500 and its chain of causes is logged,
/// never sent; [`App::error_handler_for`](crate::App::error_handler_for) answers a given type.
///
/// ```
/// use carafe_runtime::{Error, IntoResponse};
///
/// fn read_config() -> Result<String, Error> {
///     Ok(std::fs::read_to_string("/no/such/file")?)
/// }
/// let response = read_config().into_response();
/// assert_eq!(response.status_code, 500);
/// ```
pub struct Error {
    inner: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl Error {
    /// The error as its own type, if it is one.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        self.inner.downcast_ref::<E>()
    }

    /// The error and its causes, outermost first.
    pub fn chain(&self) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
        let first: &(dyn std::error::Error + 'static) = &*self.inner;
        std::iter::successors(Some(first), |error| error.source())
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for Error {
    fn from(error: E) -> Error {
        Error {
            inner: Box::new(error),
        }
    }
}

/// The chain, causes after `: `, as a log line.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut chain = self.chain();
        if let Some(first) = chain.next() {
            write!(f, "{first}")?;
        }
        chain.try_for_each(|cause| write!(f, ": {cause}"))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl From<Error> for HttpError {
    /// The 500 a returned error answers: its chain for the log, the error itself for the
    /// handlers of its type.
    fn from(error: Error) -> HttpError {
        HttpError::misconfigured(format!("the handler returned an error: {error}"))
            .with_cause(error)
    }
}

impl HttpError {
    fn with_cause(mut self, error: Error) -> HttpError {
        self.cause = Some(Arc::new(error));
        self
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
