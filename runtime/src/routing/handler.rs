//! The type-erased handler the router stores.

use std::future::Future;
use std::pin::Pin;

use crate::extract::request::RequestContext;
use crate::response::Response;
use crate::routing::pace::Pace;

/// The function `#[route]` generates beside a handler: it extracts the arguments from the
/// request and calls the handler. Plain `fn` pointers, so a route costs no allocation to store.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum Handler {
    /// A plain `fn` handler whose arguments need no waiting (path parameters and extractors
    /// that read the head alone): it answers within the call, reading the request where it
    /// lies (a request is large, and each move of one is a copy), in place or on the blocking
    /// pool as its [`Pace`] says.
    AtOnce(AtOnce, &'static Pace),
    /// A plain `fn` handler whose extractors await nothing but the body (`Json`, `Form`,
    /// `Bytes`): once the app has read the body, it answers as [`AtOnce`](Handler::AtOnce)
    /// does.
    AfterBody(AtOnce, &'static Pace),
    /// Any other: the generated `async` block, boxed, owning the request. Making it runs none
    /// of the handler's code: that runs when it is polled.
    Awaited(fn(RequestContext) -> PendingResponse),
}

/// The function that extracts a plain handler's arguments from the request where it lies,
/// calls the handler and converts its value into a response.
#[doc(hidden)]
pub type AtOnce = fn(&mut RequestContext) -> Response;

/// A handler's response still to come.
#[doc(hidden)]
pub type PendingResponse = Pin<Box<dyn Future<Output = Response> + Send>>;
