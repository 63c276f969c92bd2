// 1xx responses have no body, in `make_response` and in a tuple.
use carafe::prelude::*;

#[route("/upload", POST)]
fn upload() -> Response {
    make_response("Go on", 100)
}

#[route("/switch")]
fn switch() -> impl IntoResponse {
    ("Switching", 101)
}

fn main() {
    App::new().mount(routes![upload, switch]);
}
