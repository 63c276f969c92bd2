//! Request hooks, like Flask's: `before_request`, `after_request` and `teardown_request`, on
//! the app and on blueprints.

use crate::extract::request::RequestContext;
use crate::response::error::HttpError;
use crate::response::{IntoResponse, Response};

/// Runs before the handler, and may answer in its place.
pub(crate) type BeforeHook = Box<dyn Fn(&mut RequestContext) -> Option<Response> + Send + Sync>;
/// Receives every response, error pages included, and may change it.
pub(crate) type AfterHook = Box<dyn Fn(Response) -> Response + Send + Sync>;
/// Runs once the request is over, even after a panic, with the server error it ended in.
pub(crate) type TeardownHook = Box<dyn Fn(Option<&HttpError>) + Send + Sync>;

/// The hooks of an app or a blueprint, in the order registered.
#[derive(Default)]
pub(crate) struct Hooks {
    pub(crate) before: Vec<BeforeHook>,
    pub(crate) after: Vec<AfterHook>,
    pub(crate) teardown: Vec<TeardownHook>,
}

impl Hooks {
    pub(crate) fn add_before<R: IntoResponse>(
        &mut self,
        hook: impl Fn(&mut RequestContext) -> Option<R> + Send + Sync + 'static,
    ) {
        self.before.push(Box::new(move |request| {
            hook(request).map(IntoResponse::into_response)
        }));
    }

    pub(crate) fn add_after<R: IntoResponse>(
        &mut self,
        hook: impl Fn(Response) -> R + Send + Sync + 'static,
    ) {
        self.after
            .push(Box::new(move |response| hook(response).into_response()));
    }

    pub(crate) fn add_teardown(
        &mut self,
        hook: impl Fn(Option<&HttpError>) + Send + Sync + 'static,
    ) {
        self.teardown.push(Box::new(hook));
    }
}
