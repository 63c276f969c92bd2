//! The type-erased handler the router stores, and what it answers.

use std::future::Future;
use std::pin::Pin;

use crate::request::RequestContext;
use crate::response::Response;

/// The function `#[route]` generates beside a handler: it extracts the arguments from the
/// request and calls the handler. A plain `fn` pointer, so a route costs no allocation to store.
#[doc(hidden)]
pub type HandlerFn = fn(RequestContext) -> HandlerAnswer;

/// What a [`HandlerFn`] returns: the response, or the future that makes it.
#[doc(hidden)]
pub struct HandlerAnswer(pub(crate) Answer);

pub(crate) enum Answer {
    /// Answered already, by a plain `fn` handler whose arguments need no waiting: path
    /// parameters and extractors that read the head alone (`FromRequestParts`).
    Ready(Response),
    /// Any other: the generated `async` block, boxed.
    Pending(PendingResponse),
}

/// A handler's response still to come.
pub(crate) type PendingResponse = Pin<Box<dyn Future<Output = Response> + Send>>;

impl HandlerAnswer {
    /// Wraps the generated `async` block that extracts arguments and calls the handler.
    pub fn new(future: impl Future<Output = Response> + Send + 'static) -> Self {
        HandlerAnswer(Answer::Pending(Box::pin(future)))
    }

    /// The answer of a handler that ran at once: nothing to await, so nothing to allocate.
    pub fn ready(response: Response) -> Self {
        HandlerAnswer(Answer::Ready(response))
    }
}
