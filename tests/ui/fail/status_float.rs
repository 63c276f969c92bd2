// Float statuses: the integer part is what the user meant.
use carafe::prelude::*;

#[route("/float/<int:n>")]
fn float(n: u32) -> Response {
    if n == 0 {
        abort(404.0);
    }
    let mut response = make_response("Created", 201.0);
    response.status_code = 200.5;
    response
}

#[get("/tail")]
fn tail() -> impl IntoResponse {
    ("Not found", 404.)
}

fn main() {
    App::new().mount(routes![float, tail]);
}
