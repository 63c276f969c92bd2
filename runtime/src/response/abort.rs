//! `abort`: leaving a handler from any depth with an error page or a whole response, as
//! Flask's `abort` does.

use crate::response::error::HttpError;
use crate::response::status_code::IntoStatus;
use crate::response::{IntoResponse, Response};

/// The payload `abort` unwinds with; the server turns it back into the response.
pub(crate) struct Abort(pub(crate) Response);

/// Holds for every type when panics unwind, the default, and for none under
/// `panic = "abort"`: there `abort` would end the process instead of answering, so a call to it
/// is refused at compile time, naming what to write instead.
#[diagnostic::on_unimplemented(
    message = "`abort` and `abort_with` need panics to unwind, and this build sets `panic = \"abort\"`",
    label = "this would end the whole process, not answer the request",
    note = "return the error instead: give the handler a `Result<_, HttpError>` return type and write `return Err(HttpError::new(404))`",
    note = "or remove `panic = \"abort\"` from the profile in Cargo.toml"
)]
pub trait PanicsUnwind {}

#[cfg(panic = "unwind")]
impl<T: ?Sized> PanicsUnwind for T {}

/// Stops the handler and answers with the error page for `status`, like Flask's `abort(404)`.
///
/// It unwinds out of the handler (without the panic message a real panic prints), so it can be
/// called from any depth, and its type `!` fits any return type. The app answers with the
/// page for that status, or with the error handler registered for it. Locks held on the way
/// out stay usable: the prelude's [`RwLock`](crate::RwLock) does not poison.
///
/// Under `panic = "abort"` an unwinding would end the process, so there a call to `abort` does
/// not compile; the error says to return `Err(HttpError)` instead.
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
pub fn abort<S: IntoStatus + PanicsUnwind>(status: S) -> ! {
    unwind_with(HttpError::new(status).into_response())
}

/// Stops the handler and answers with this whole response, like Flask's `abort(response)`.
/// Like [`abort`], it unwinds, and does not compile under `panic = "abort"`.
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
pub fn abort_with<R: IntoResponse + PanicsUnwind>(response: R) -> ! {
    unwind_with(response.into_response())
}

/// Unwinds with `response` for the server to send; without the panic hook, so no message.
fn unwind_with(response: Response) -> ! {
    std::panic::resume_unwind(Box::new(Abort(response)))
}
