//! Routing: a handler's route as `#[route]` describes it, the router that finds it for a
//! request, and the URLs built back from it. Above the responses and extractors, below the
//! app.

pub(crate) mod handler;
pub(crate) mod pace;
pub(crate) mod route;
pub(crate) mod router;
pub(crate) mod url;
