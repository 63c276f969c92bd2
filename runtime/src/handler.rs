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
pub struct HandlerFuture(Pin<Box<dyn Future<Output = Response> + Send>>);

impl HandlerFuture {
    /// Wraps the generated `async` block that extracts arguments and calls the handler.
    pub fn new(future: impl Future<Output = Response> + Send + 'static) -> Self {
        HandlerFuture(Box::pin(future))
    }
}

impl Future for HandlerFuture {
    type Output = Response;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        self.0.as_mut().poll(cx)
    }
}
