//! Seed 001, "How to Set Status Code in Flask": a 200 from a tuple, a 404 from
//! `make_response`, and the string-status pitfall, which carafe refuses to compile.
//!
//! ```text
//! cargo run --example status_basics
//! curl -i http://localhost:5000/success     # 200 Success!
//! curl -i http://localhost:5000/notfound    # 404 Not Found
//! curl -i http://localhost:5000/right       # 404 Error
//! ```

use carafe::prelude::*;

#[route("/success")]
fn success() -> impl IntoResponse {
    ("Success!", 200)
}

#[route("/notfound")]
fn not_found() -> Response {
    make_response("Not Found", 404)
}

// The seed's `/wrong` route returns the status as a string. The seed says Flask ignores it;
// in fact Werkzeug parses "404" as 404 (and a word such as "wtf" as status 0). carafe refuses
// it at compile time:
//
// #[route("/wrong")]
// fn wrong() -> impl IntoResponse {
//     ("Error", "404")
// }
//
// error: status code must be an integer: write 404, not "404"
//   --> examples/status_basics.rs
//    |
//    |     ("Error", "404")
//    |               ^^^^^

#[route("/right")]
fn right() -> impl IntoResponse {
    ("Error", 404)
}

/// The app, shared with the tests.
pub fn app() -> App {
    App::new().mount(routes![success, not_found, right])
}

fn main() {
    app().run();
}
