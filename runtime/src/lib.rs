//! The runtime of [carafe](https://docs.rs/carafe): the app, routing, responses, extractors and
//! a hyper server. Users depend on the `carafe` crate, which re-exports this one with the
//! `#[route]` macro.
#![warn(missing_docs)]
// Extractors and parameters fail with the whole error `Response`; it is built on the error path
// only and moved once, so boxing it would cost every caller for nothing.
#![allow(clippy::result_large_err)]

// The modules stand in folders by layer, lowest first, and each imports only from lower
// modules. tests/layers.rs lists the layers and checks every import; ARCHITECTURE.md has the
// picture.
mod app;
mod extract;
mod response;
mod routing;
mod serve;

#[doc(hidden)]
pub mod __private;

/// The router alone, for `bench/`'s benchmark of it against matchit.
#[cfg(feature = "router-bench")]
#[doc(hidden)]
pub mod router_bench {
    pub use crate::routing::router::{Lookup, Router, RouterBuilder};
}

pub use app::blueprint::Blueprint;
pub use app::environment::{settings, SettingsError};
pub use app::listing::{RouteInfo, RoutesTable};
pub use app::service::{AppFuture, AppService, LayeredService};
#[cfg(feature = "static-files")]
pub use app::static_files::{send_file, send_from_directory, SendFile};
#[cfg(feature = "templates")]
pub use app::template::render_template;
pub use app::testing::{TestClient, TestRequest, TestResponse};
pub use app::App;
/// The `cookie` crate, whose `Cookie` a response sets: `response.set_cookie(Cookie::new(..))`.
pub use cookie;
pub use extract::app_data::Needs;
pub use extract::cookies::Cookies;
#[cfg(feature = "uploads")]
pub use extract::filename::secure_filename;
pub use extract::flash::{
    flash, flash_with, get_flashed_messages, get_flashed_messages_with_categories,
};
pub use extract::form::FormData;
pub use extract::forwarded::ProxyHeaders;
pub use extract::lock::RwLock;
#[cfg(feature = "uploads")]
pub use extract::multipart::{Files, Multipart, Part, UploadedFile};
pub use extract::request::{Request, RequestBuilder, RequestContext};
pub use extract::session::Session;
#[cfg(feature = "websockets")]
pub use extract::websocket::{
    CloseCode, CloseFrame, Message, WebSocket, WebSocketError, WebSocketUpgrade,
};
pub use extract::{ClientAddr, Form, FromRequest, FromRequestParts, Query, State, G};
/// The `minijinja` crate templates are rendered with: its `Value` is what `context!` builds.
#[cfg(feature = "templates")]
pub use minijinja;
/// Builds a template's context: `context! { posts => posts, user => user }` (minijinja's).
#[cfg(feature = "templates")]
pub use minijinja::context;
pub use response::abort::{abort, abort_with};
pub use response::body::{Body, BoxError};
pub use response::error::{Error, HttpError, Panic};
pub use response::json::Json;
pub use response::redirect::{redirect, redirect_with};
pub use response::route_doc::Operation;
pub use response::status_code::IntoStatus;
pub use response::stream::{Event, Sse, Streaming};
pub use response::{
    make_response, IntoHeaderName, IntoHeaderValue, IntoHeaders, IntoResponse, Response,
    ResponsePart,
};
pub use routing::route::{Converter, MethodSet, Routes};
pub use routing::url::{PathValue, Url};

pub use bytes::Bytes;
pub use http::{self, HeaderMap, Method, StatusCode};
