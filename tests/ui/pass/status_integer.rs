// The passing twin of fail/status_string_literal.rs: the same route with an integer status.
use carafe::prelude::*;

#[route("/right")]
fn right() -> impl IntoResponse {
    ("Error", 404)
}

fn main() {
    App::new().mount(routes![right]);
}
