//! The runtime of [carafe](https://docs.rs/carafe): the app, routing, responses, extractors and
//! a hyper server. Users depend on the `carafe` crate, which re-exports this one with the
//! `#[route]` macro.
#![warn(missing_docs)]
// Extractors and parameters fail with the whole error `Response`; it is built on the error path
// only and moved once, so boxing it would cost every caller for nothing.
#![allow(clippy::result_large_err)]

// The modules in layers, lowest first; a module imports only from lower layers, never from
// its own or a higher one (ARCHITECTURE.md has the picture):
//   1. body, status_code, app_data, access_log, batch, shutdown: no other module
//   2. error;  3. response;  4. abort, json;  5. form, error_page;  6. request
//   7. extract, handler;  8. route;  9. router;  10. dispatch;  11. app, connection
//   12. listing, testing, serve
mod abort;
mod access_log;
mod app;
mod app_data;
mod batch;
mod body;
mod connection;
mod dispatch;
mod error;
mod error_page;
mod extract;
mod form;
mod handler;
mod json;
mod listing;
mod request;
mod response;
mod route;
mod router;
mod serve;
mod shutdown;
mod status_code;
mod testing;

#[doc(hidden)]
pub mod __private;

/// The router alone, for `bench/`'s benchmark of it against matchit.
#[cfg(feature = "router-bench")]
#[doc(hidden)]
pub mod router_bench {
    pub use crate::router::{Lookup, Router, RouterBuilder};
}

pub use abort::{abort, abort_with};
pub use app::{App, Routes};
pub use body::Body;
pub use error::HttpError;
pub use extract::{Form, FromRequest, FromRequestParts, Query, State};
pub use form::FormData;
pub use json::Json;
pub use listing::{RouteInfo, RoutesTable};
pub use request::{Request, RequestBuilder, RequestContext};
pub use response::{
    make_response, IntoHeaderName, IntoHeaderValue, IntoHeaders, IntoResponse, Response,
    ResponsePart,
};
pub use route::{Converter, MethodSet};
pub use status_code::IntoStatus;
pub use testing::{TestClient, TestRequest, TestResponse};

pub use bytes::Bytes;
pub use http::{self, HeaderMap, Method, StatusCode};
