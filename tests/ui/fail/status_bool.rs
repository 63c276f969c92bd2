// A bool is no status.
use carafe::prelude::*;

#[route("/flag/<int:n>")]
fn flag(n: u32) -> Response {
    if n == 0 {
        abort(false);
    }
    let mut response = make_response("ok", true);
    response.status_code = true;
    response
}

#[get("/tail")]
fn tail() -> impl IntoResponse {
    ("Yes", true)
}

fn main() {
    App::new().mount(routes![flag, tail]);
}
