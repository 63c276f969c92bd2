//! `abort`: leaving a handler from any depth with an error page or a whole response, as
//! Flask's `abort` does.

use crate::error::HttpError;
use crate::response::{IntoResponse, Response};
use crate::status_code::IntoStatus;

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
