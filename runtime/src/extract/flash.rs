//! Flask's message flashing: a message stored in the session by one request and shown by the
//! next one that asks for the messages.

use crate::extract::current::{outside_a_request, with_current};

/// The category [`flash`] gives a message, Flask's default.
const DEFAULT_CATEGORY: &str = "message";

/// Flashes `message` to the next request that asks for the flashed messages, like Flask's
/// `flash(message)`: it is kept in the session until
/// [`get_flashed_messages`] (in a handler or a template) takes it.
///
/// # Panics
///
/// Like Flask, which raises when the session is unavailable: outside a request, or in an app
/// with no secret key (set one with [`App::secret_key`](crate::App::secret_key)). In a handler
/// or hook, the panic answers 500.
///
/// ```
/// use carafe_runtime::{flash, redirect, Response};
///
/// fn logout() -> Response {
///     flash("You were signed out.");
///     redirect("/")
/// }
/// ```
pub fn flash(message: impl AsRef<str>) {
    flash_with(DEFAULT_CATEGORY, message);
}

/// Flashes `message` under a category (`"error"`, `"info"`), like Flask's
/// `flash(message, category)`; [`get_flashed_messages_with_categories`] reads both.
///
/// # Panics
///
/// As [`flash`]: outside a request, or in an app with no secret key.
///
/// ```
/// use carafe_runtime::flash_with;
///
/// fn failed_login() -> &'static str {
///     flash_with("error", "Incorrect password.");
///     "try again"
/// }
/// ```
pub fn flash_with(category: &str, message: impl AsRef<str>) {
    let flashed = with_current(|current| {
        let current = current.ok_or_else(|| outside_a_request("flash()"))?;
        current
            .session
            .as_ref()
            .and_then(|slot| slot.flash(&current.data, category, message.as_ref()))
            .ok_or_else(|| {
                "flash() keeps the message in the session, and the app has no secret key to \
                 sign it with: set one with `App::new().secret_key(..)`"
                    .to_owned()
            })
    });
    if let Err(problem) = flashed {
        panic!("{problem}");
    }
}

/// The messages flashed to this request, oldest first, like Flask's `get_flashed_messages()`:
/// the first call takes them out of the session, and every later call in the same request
/// gives the same ones. Empty in an app without a secret key.
///
/// # Panics
///
/// Outside a request, as Flask raises outside a request context: the message says where to
/// call it.
///
/// ```
/// use carafe_runtime::get_flashed_messages;
///
/// fn notices() -> String {
///     get_flashed_messages().join("\n")
/// }
/// ```
pub fn get_flashed_messages() -> Vec<String> {
    get_flashed_messages_with_categories()
        .into_iter()
        .map(|(_, message)| message)
        .collect()
}

/// The messages flashed to this request with their categories, `(category, message)`, like
/// Flask's `get_flashed_messages(with_categories=True)`.
///
/// # Panics
///
/// As [`get_flashed_messages`], outside a request.
///
/// ```
/// use carafe_runtime::get_flashed_messages_with_categories;
///
/// fn errors() -> Vec<String> {
///     get_flashed_messages_with_categories()
///         .into_iter()
///         .filter(|(category, _)| category == "error")
///         .map(|(_, message)| message)
///         .collect()
/// }
/// ```
pub fn get_flashed_messages_with_categories() -> Vec<(String, String)> {
    with_current(|current| {
        let Some(current) = current else {
            panic!("{}", outside_a_request("get_flashed_messages()"));
        };
        match &current.session {
            Some(slot) => slot.flashes(&current.data).to_vec(),
            None => Vec::new(),
        }
    })
}
