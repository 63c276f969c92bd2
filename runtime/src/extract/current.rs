//! The request being answered, for what Flask reaches through its context locals: `flash`,
//! `get_flashed_messages`, `render_template` and `url_for!` take no request argument, as in
//! Flask, and hooks read the session with `request.session()`.
//!
//! Every request is answered in its scope, a tokio task-local: dispatch enters it around the
//! hooks and a plain handler, and an async handler's future carries it across its polls, on
//! whichever thread polls it. Outside one, those functions say so.

use std::future::Future;
use std::sync::Arc;

use http::{Method, Uri};

use crate::extract::app_data::{AppData, Needs};
use crate::extract::request::RequestContext;
use crate::extract::session::{Session, SessionSlot};
use crate::extract::FromRequestParts;
use crate::response::error::HttpError;
use crate::response::{IntoResponse, Response};

/// What the free functions read of the request being answered and of the app answering it.
#[derive(Clone)]
pub(crate) struct Current {
    pub(crate) data: Arc<AppData>,
    /// The request's session, when the app has a secret key.
    pub(crate) session: Option<SessionSlot>,
    /// The request line, for templates' `request`, when the app has templates.
    #[cfg_attr(not(feature = "templates"), allow(dead_code))]
    pub(crate) request: Option<Arc<RequestLine>>,
}

/// A request's method and URI, as templates' `request` reads them.
#[cfg_attr(not(feature = "templates"), allow(dead_code))]
pub(crate) struct RequestLine {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
}

tokio::task_local! {
    static CURRENT: Current;
}

/// Runs `read` with the request being answered, `None` outside one.
pub(crate) fn with_current<R>(read: impl FnOnce(Option<&Current>) -> R) -> R {
    let mut read = Some(read);
    let inside = CURRENT.try_with(|current| (read.take().expect("called once"))(Some(current)));
    match (inside, read) {
        (Ok(answer), _) => answer,
        (Err(_), Some(read)) => read(None),
        (Err(_), None) => unreachable!("read is called only once the scope is found"),
    }
}

/// Runs `run` in the scope of `current`'s request.
pub(crate) fn enter<R>(current: Current, run: impl FnOnce() -> R) -> R {
    CURRENT.sync_scope(current, run)
}

/// The scope of the request being answered, to enter again on another thread.
pub(crate) fn snapshot() -> Option<Current> {
    CURRENT.try_with(Current::clone).ok()
}

/// `future`, polled in the scope of `current`'s request.
pub(crate) fn scoped<F: Future>(current: Current, future: F) -> CurrentFuture<F> {
    CURRENT.scope(current, future)
}

/// A future polled in a request's scope.
pub(crate) type CurrentFuture<F> = tokio::task::futures::TaskLocalFuture<Current, F>;

/// What the free functions that need a request say when called outside one.
pub(crate) fn outside_a_request(call: &str) -> String {
    format!(
        "{call} was called outside a request: it reads the request being answered and the app \
         answering it; call it in a handler or a hook (in tests, through `app.test_client()`)"
    )
}

impl RequestContext {
    /// The request's session, for hooks (handlers take a [`Session`] argument); `None` when
    /// the app has no secret key.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().secret_key("dev").before_request(|request| {
    ///     let signed_in = request.session().is_some_and(|session| session.contains("user_id"));
    ///     (!signed_in).then(|| ("sign in first", 401))
    /// });
    /// # let _ = app;
    /// ```
    pub fn session(&self) -> Option<Session> {
        current_session()
    }
}

/// The session of the request being answered, when the app has a secret key.
pub(crate) fn current_session() -> Option<Session> {
    with_current(|current| {
        let current = current?;
        current.session.as_ref()?.session(&current.data)
    })
}

impl FromRequestParts for Session {
    fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response> {
        // The app refuses to start without a key when a handler takes `Session` (see `needs`).
        ctx.session().ok_or_else(|| {
            HttpError::misconfigured("a Session was asked for, but the app has no secret key")
                .into_response()
        })
    }

    fn needs(needs: &mut Needs<'_>) {
        needs.secret_key();
    }
}
