// The path comes first, and must be a string literal.
use carafe::prelude::*;

#[route(GET, "/items")]
fn items() -> impl IntoResponse {
    "items"
}

#[route()]
fn nothing() -> impl IntoResponse {
    "nothing"
}

fn main() {
    App::new().mount(routes![items, nothing]);
}
