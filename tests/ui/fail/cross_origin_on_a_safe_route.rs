// `cross_origin` on routes whose methods cross-site protection never refuses, and written twice.
use carafe::prelude::*;

#[route("/feed", GET, cross_origin)]
fn feed() -> impl IntoResponse {
    "feed"
}

#[get("/page", cross_origin)]
fn page() -> impl IntoResponse {
    "page"
}

#[route("/hook", POST, cross_origin, cross_origin)]
fn hook() -> impl IntoResponse {
    "hook"
}

fn main() {
    App::new().mount(routes![feed, page, hook]);
}
