//! carafe: a web micro-framework for people who like Flask, with the mistakes Flask shows at
//! run time caught at compile time.
//!
//! ```no_run
//! use carafe::prelude::*;
//!
//! type Items = RwLock<HashMap<String, String>>;
//!
//! #[route("/items/<item_id>", GET)]
//! async fn get_item(item_id: String, items: State<Items>) -> impl IntoResponse {
//!     match items.read().unwrap().get(&item_id) {
//!         Some(name) => (Json(json!({ "item": name })), 200),
//!         None => (Json(json!({ "error": "Item not found" })), 404),
//!     }
//! }
//!
//! #[route("/userSignUp", POST)]
//! fn sign_up(form: Form) -> impl IntoResponse {
//!     let _username = form.get("username");
//!     ("Success", 200, [("Access-Control-Allow-Origin", "*")])
//! }
//!
//! fn main() {
//!     App::new().state(Items::default()).mount(routes![get_item, sign_up]).run();
//! }
//! ```
//!
//! A status written as a string does not compile:
//!
//! ```compile_fail
//! use carafe::prelude::*;
//!
//! #[route("/wrong")]
//! fn wrong() -> impl IntoResponse {
//!     ("Error", "404")
//! }
//! ```

/// The macro `render_template!` (checked when the crate compiles) beside the function
/// `render_template` (for a name chosen at run time): one name, as in Flask.
#[cfg(feature = "templates")]
pub use carafe_macros::render_template;
pub use carafe_macros::{delete, get, head, options, patch, post, put, route, routes, url_for};
pub use carafe_runtime::*;

/// What generated code names. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use carafe_macros::url_for_route;
    pub use carafe_runtime::__private::*;
}

/// What most apps need, in one `use carafe::prelude::*;`.
pub mod prelude {
    pub use std::collections::HashMap;

    pub use carafe_macros::{delete, get, head, options, patch, post, put, route, routes, url_for};
    pub use carafe_runtime::{
        abort, abort_with, make_response, redirect, redirect_with, App, Blueprint, ClientAddr,
        Form, FormData, HttpError, IntoResponse, Json, Method, Query, Request, Response, RwLock,
        State, StatusCode, G,
    };
    #[cfg(feature = "uploads")]
    pub use carafe_runtime::{secure_filename, Files, Multipart, UploadedFile};
    #[cfg(feature = "websockets")]
    pub use carafe_runtime::{Message, WebSocket, WebSocketUpgrade};
    pub use serde_json::json;
}
