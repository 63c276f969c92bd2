//! The health route a load balancer checks (`App::health_route`): 200 while the app serves,
//! 503 once it has been told to stop and drains, so the balancer sends its requests elsewhere
//! before the listener closes.

use std::sync::atomic::{AtomicBool, Ordering};

use carafe_core::media::Media;

use crate::extract::request::RequestContext;
use crate::response::error::HttpError;
use crate::response::route_doc::RouteDoc;
use crate::response::{IntoResponse, Response};
use crate::routing::handler::Handler;
use crate::routing::pace::Pace;
use crate::routing::route::Mounted;

/// Whether the app is draining: told to stop, and waiting for its balancer to notice before
/// it closes its listener. In the app's state when it has a health route.
#[derive(Default)]
pub(crate) struct Draining(AtomicBool);

impl Draining {
    pub(crate) fn start(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    fn is_on(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The health route at `path`, a plain path such as `/healthz`.
pub(crate) fn health_route(path: &str) -> Result<Mounted, String> {
    const DOC: RouteDoc = RouteDoc::undocumented(&[(200, Media::Text), (503, Media::ErrorPage)]);
    Mounted::at_plain_path(
        path,
        "App::health_route",
        "/healthz",
        "health",
        Handler::AtOnce(answer_health, &HEALTH_PACE),
        &DOC,
    )
}

/// How the health route's handler has been seen to answer: at once, it reads one flag.
static HEALTH_PACE: Pace = Pace::new();

fn answer_health(ctx: &mut RequestContext) -> Response {
    match ctx.state::<Draining>() {
        Some(draining) if draining.is_on() => HttpError::new(503)
            .with_message("Draining: this instance is stopping; send requests to another.")
            .into_response(),
        _ => "ok".into_response(),
    }
}
