//! The runtime of [carafe](https://docs.rs/carafe): the app, routing, responses, extractors and
//! a hyper server. Users depend on the `carafe` crate, which re-exports this one with the
//! `#[route]` macro.
#![warn(missing_docs)]
// Extractors and parameters fail with the whole error `Response`; it is built on the error path
// only and moved once, so boxing it would cost every caller for nothing.
#![allow(clippy::result_large_err)]

mod app;
mod batch;
mod body;
mod error;
mod extract;
mod handler;
mod json;
mod listing;
mod request;
mod response;
mod route;
mod router;
mod server;
mod testing;

#[doc(hidden)]
pub mod __private;

pub use app::{App, Routes};
pub use body::Body;
pub use error::{abort, abort_with, HttpError};
pub use extract::{Form, FormData, FromRequest, Query, State};
pub use json::Json;
pub use listing::{RouteInfo, RoutesTable};
pub use request::{Request, RequestBuilder, RequestContext};
pub use response::{
    make_response, IntoHeaderName, IntoHeaderValue, IntoHeaders, IntoResponse, IntoStatus,
    Response, ResponsePart,
};
pub use route::{Converter, MethodSet};
pub use testing::{TestClient, TestRequest, TestResponse};

pub use bytes::Bytes;
pub use http::{self, HeaderMap, Method, StatusCode};
