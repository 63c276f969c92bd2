// Header literals in a `(body, headers)` tuple, written with `vec![..]`.
use carafe::prelude::*;

#[route("/cors")]
fn cors() -> impl IntoResponse {
    ("ok", vec![("Access-Control-Allow-Origin:", "*")])
}

fn main() {
    App::new().mount(routes![cors]);
}
