//! The runtime of [carafe](https://docs.rs/carafe): the app, routing, responses, extractors and
//! a hyper server. Users depend on the `carafe` crate, which re-exports this one with the
//! `#[route]` macro.
#![warn(missing_docs)]
// Extractors and parameters fail with the whole error `Response`; it is built on the error path
// only and moved once, so boxing it would cost every caller for nothing.
#![allow(clippy::result_large_err)]

// The modules stand in layers: each imports only from lower ones. tests/layers.rs lists the
// layers and checks every import; ARCHITECTURE.md has the picture.
mod abort;
mod access_log;
mod app;
mod app_data;
mod batch;
mod blueprint;
mod body;
mod connection;
mod cookies;
mod current;
mod dispatch;
mod error;
mod error_page;
mod extract;
mod flash;
mod form;
mod handler;
mod hooks;
mod json;
mod listing;
mod lock;
mod openapi;
mod redirect;
mod request;
mod response;
mod route;
mod route_doc;
mod router;
mod scope;
mod serve;
mod service;
mod session;
mod shutdown;
#[cfg(feature = "static-files")]
mod static_files;
mod status_code;
mod stream;
#[cfg(feature = "templates")]
mod template;
mod testing;
mod url;
mod watchdog;

#[doc(hidden)]
pub mod __private;

/// The router alone, for `bench/`'s benchmark of it against matchit.
#[cfg(feature = "router-bench")]
#[doc(hidden)]
pub mod router_bench {
    pub use crate::router::{Lookup, Router, RouterBuilder};
}

pub use abort::{abort, abort_with};
pub use app::App;
pub use app_data::Needs;
pub use blueprint::Blueprint;
pub use body::{Body, BoxError};
/// The `cookie` crate, whose `Cookie` a response sets: `response.set_cookie(Cookie::new(..))`.
pub use cookie;
pub use cookies::Cookies;
pub use error::{Error, HttpError, Panic};
pub use extract::{Form, FromRequest, FromRequestParts, Query, State, G};
pub use flash::{flash, flash_with, get_flashed_messages, get_flashed_messages_with_categories};
pub use form::FormData;
pub use json::Json;
pub use listing::{RouteInfo, RoutesTable};
pub use lock::RwLock;
/// The `minijinja` crate templates are rendered with: its `Value` is what `context!` builds.
#[cfg(feature = "templates")]
pub use minijinja;
/// Builds a template's context: `context! { posts => posts, user => user }` (minijinja's).
#[cfg(feature = "templates")]
pub use minijinja::context;
pub use redirect::{redirect, redirect_with};
pub use request::{Request, RequestBuilder, RequestContext};
pub use response::{
    make_response, IntoHeaderName, IntoHeaderValue, IntoHeaders, IntoResponse, Response,
    ResponsePart,
};
pub use route::{Converter, MethodSet, Routes};
pub use route_doc::Operation;
pub use service::{AppFuture, AppService, LayeredService};
pub use session::Session;
#[cfg(feature = "static-files")]
pub use static_files::{send_file, send_from_directory, SendFile};
pub use status_code::IntoStatus;
pub use stream::{Event, Sse, Streaming};
#[cfg(feature = "templates")]
pub use template::render_template;
pub use testing::{TestClient, TestRequest, TestResponse};
pub use url::{PathValue, Url};

pub use bytes::Bytes;
pub use http::{self, HeaderMap, Method, StatusCode};
