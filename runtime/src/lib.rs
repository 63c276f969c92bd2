//! The runtime of [carafe](https://docs.rs/carafe): the app, routing, responses, extractors and
//! a hyper server. Users depend on the `carafe` crate, which re-exports this one with the
//! `#[route]` macro.
#![warn(missing_docs)]
// Extractors and parameters fail with the whole error `Response`; it is built on the error path
// only and moved once, so boxing it would cost every caller for nothing.
#![allow(clippy::result_large_err)]

// From the lowest layer to the highest: a module imports only those above it in this list
// (ARCHITECTURE.md has the picture).
mod body;
mod status_code;
mod error;
mod response;
mod abort;
mod json;
mod form;
mod app_data;
mod request;
mod extract;
mod handler;
mod route;
mod router;
mod error_page;
mod access_log;
mod dispatch;
mod app;
mod listing;
mod testing;
mod batch;
mod connection;
mod shutdown;
mod serve;

#[doc(hidden)]
pub mod __private;

/// The router alone, for `bench/`'s benchmark of it against matchit.
#[cfg(feature = "router-bench")]
#[doc(hidden)]
pub mod router_bench {
    pub use crate::router::{Lookup, Router};
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
