//! HTTP errors: what routing, extractors and `abort` answer; and errors as values, which a
//! handler returns with `?`. Their pages are `error_page`'s.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use carafe_core::status;
use http::StatusCode;

use crate::response::status_code::IntoStatus;

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
    /// What the handler failed with, when this 500 stands for a returned error or a panic:
    /// for the error handlers registered for its type, and for those of the status.
    original: Option<Arc<Error>>,
}

/// Two errors are equal when the client would see the same: what they stand for aside.
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
                original: None,
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
            original: None,
        }
    }

    /// What the handler failed with, when this 500 stands for an error it returned or a
    /// panic (a [`Panic`]), like Flask's `e.original_exception`: so one error handler can
    /// answer each failure as it needs. `None` for an error made with [`HttpError::new`] or
    /// `abort`. It is never sent; only debug mode shows its message on the default page.
    ///
    /// ```
    /// use carafe_runtime::{App, Error, HttpError, Panic};
    ///
    /// let app = App::new().error_handler(500, |error: HttpError| {
    ///     match error.original_error() {
    ///         Some(failure) if failure.downcast_ref::<std::io::Error>().is_some() => {
    ///             "The disk is unwell; try again later."
    ///         }
    ///         Some(failure) if failure.downcast_ref::<Panic>().is_some() => "A bug; it is logged.",
    ///         Some(_) => "Something failed.",
    ///         None => "abort(500) or HttpError::new(500).",
    ///     }
    /// });
    /// # let _ = app;
    /// let returned = HttpError::from(Error::from(std::io::Error::other("disk 7")));
    /// assert!(returned.original_error().is_some());
    /// assert!(HttpError::new(500).original_error().is_none());
    /// ```
    pub fn original_error(&self) -> Option<&Error> {
        self.original.as_deref()
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
    /// The answer to a returned error: an [`HttpError`] that travelled through `Error` (by
    /// `?` or `.into()`) answers as itself, its status and message, as Werkzeug's
    /// `HTTPException` raised from a view does; any other error is a 500 with its chain for
    /// the log and the error itself for the handlers of its type.
    fn from(error: Error) -> HttpError {
        match error.inner.downcast::<HttpError>() {
            Ok(http_error) => *http_error,
            Err(inner) => {
                let error = Error { inner };
                HttpError::misconfigured(format!("the handler returned an error: {error}"))
                    .with_original(error)
            }
        }
    }
}

impl HttpError {
    /// This error, standing for `original`.
    fn with_original(mut self, original: Error) -> HttpError {
        self.original = Some(Arc::new(original));
        self
    }

    /// The 500 of a handler that panicked with `message`: the message for the log (and
    /// debug mode's page), the [`Panic`] for the error handlers.
    pub(crate) fn panicked(message: &str) -> HttpError {
        HttpError::misconfigured(format!("the handler panicked: {message}")).with_original(
            Error::from(Panic {
                message: message.to_owned(),
            }),
        )
    }
}

/// A handler's panic, as the 500 error handler sees it through
/// [`HttpError::original_error`]: Flask's unhandled exception. Its message is the panic's.
///
/// ```
/// use carafe_runtime::{App, HttpError, Panic};
///
/// let app = App::new().error_handler(500, |error: HttpError| {
///     match error.original_error().and_then(|failure| failure.downcast_ref::<Panic>()) {
///         Some(panic) => format!("a bug, logged ({} bytes of message)", panic.message().len()),
///         None => "Something failed.".to_owned(),
///     }
/// });
/// # let _ = app;
/// ```
#[derive(Debug)]
pub struct Panic {
    message: String,
}

impl Panic {
    /// The panic's message (`"a panic with a non-text payload"` for a panic with no text).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the handler panicked: {}", self.message)
    }
}

impl std::error::Error for Panic {}

/// Werkzeug's description of the status, so pages read as Flask users know them; for a status
/// Werkzeug does not describe, its reason phrase.
fn standard_description(status: StatusCode) -> &'static str {
    status::description(status.as_u16())
        .or(status.canonical_reason())
        .unwrap_or("Error")
}
