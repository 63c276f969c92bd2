//! The request being answered on this thread, for what Flask reaches through its context
//! locals: `flash`, `get_flashed_messages` and `render_template` take no request argument, as
//! in Flask.
//!
//! Only apps that use them pay for it: an app with a secret key or templates takes the hooks'
//! path, which makes its request current while its hooks and handler run (across every poll of
//! an async handler, on whichever thread polls it).

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Method, Uri};

use crate::app_data::{AppData, Need};
use crate::error::HttpError;
use crate::extract::FromRequestParts;
use crate::request::RequestContext;
use crate::response::{IntoResponse, Response};
use crate::session::{Session, SessionSlot};

/// What the free functions read of the request being answered.
pub(crate) struct Current {
    pub(crate) data: Arc<AppData>,
    /// The request's session, when the app has a secret key.
    pub(crate) session: Option<SessionSlot>,
    // Templates' `request`.
    #[cfg_attr(not(feature = "templates"), allow(dead_code))]
    pub(crate) method: Method,
    #[cfg_attr(not(feature = "templates"), allow(dead_code))]
    pub(crate) uri: Uri,
}

thread_local! {
    static CURRENT: RefCell<Option<Current>> = const { RefCell::new(None) };
}

/// Runs `read` with the request being answered on this thread, `None` outside one.
pub(crate) fn with_current<R>(read: impl FnOnce(Option<&Current>) -> R) -> R {
    CURRENT.with(|current| read(current.borrow().as_ref()))
}

/// Makes `current` the thread's request while `run` runs, then takes it back (after a panic
/// too), putting back whatever request was current before.
pub(crate) fn enter<R>(current: &mut Option<Current>, run: impl FnOnce() -> R) -> R {
    // An app that sets no current request (no secret key, no templates) leaves the thread's
    // alone, which is always none.
    if current.is_none() {
        return run();
    }
    struct Guard<'a>(&'a mut Option<Current>);
    impl Drop for Guard<'_> {
        fn drop(&mut self) {
            CURRENT.with(|slot| std::mem::swap(self.0, &mut *slot.borrow_mut()));
        }
    }
    CURRENT.with(|slot| std::mem::swap(current, &mut *slot.borrow_mut()));
    let _guard = Guard(current);
    run()
}

impl RequestContext {
    /// The request's session, for hooks (handlers take a [`Session`] argument); `None` when
    /// the app has no secret key.
    pub fn session(&self) -> Option<Session> {
        // The session slot rides with the current request, which an app with a secret key
        // sets around its hooks and handlers; a map in the request's extensions would cost
        // every request an allocation.
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
        // The app refuses to start without a key when a handler takes `Session` (see NEED).
        ctx.session().ok_or_else(|| {
            HttpError::misconfigured("a Session was asked for, but the app has no secret key")
                .into_response()
        })
    }

    const NEED: Option<Need> = Some(Need::SecretKey);
}

/// A future whose request is current while it is polled.
pub(crate) struct InCurrent<F> {
    pub(crate) future: F,
    pub(crate) current: Option<Current>,
}

impl<F: Future + Unpin> Future for InCurrent<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        let future = &mut this.future;
        enter(&mut this.current, || Pin::new(future).poll(cx))
    }
}
