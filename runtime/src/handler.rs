//! The type-erased handler the router stores, and the future it returns.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::request::RequestContext;
use crate::response::Response;

/// The function `#[route]` generates beside a handler: it extracts the arguments from the
/// request and calls the handler. A plain `fn` pointer, so a route costs no allocation to store.
#[doc(hidden)]
pub type HandlerFn = fn(RequestContext) -> HandlerFuture;

/// The future a [`HandlerFn`] returns.
#[doc(hidden)]
pub struct HandlerFuture(Answer);

enum Answer {
    /// Answered already: by a plain `fn` handler that takes nothing but path parameters, or
    /// by the app itself (a 404, a 405, a handler function that panicked).
    Ready(Option<Response>),
    /// Any other: the generated `async` block, boxed.
    Pending(Pin<Box<dyn Future<Output = Response> + Send>>),
}

impl HandlerFuture {
    /// Wraps the generated `async` block that extracts arguments and calls the handler.
    pub fn new(future: impl Future<Output = Response> + Send + 'static) -> Self {
        HandlerFuture(Answer::Pending(Box::pin(future)))
    }

    /// The answer of a handler that ran at once: nothing to await, so nothing to allocate.
    pub fn ready(response: Response) -> Self {
        HandlerFuture(Answer::Ready(Some(response)))
    }
}

impl Future for HandlerFuture {
    type Output = Response;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        match &mut self.0 {
            Answer::Ready(response) => Poll::Ready(
                response
                    .take()
                    .expect("a handler future polled after completion"),
            ),
            Answer::Pending(future) => future.as_mut().poll(cx),
        }
    }
}
