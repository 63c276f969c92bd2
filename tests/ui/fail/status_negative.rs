// Negative statuses, including a negative float.
use carafe::prelude::*;

#[route("/negative/<int:n>")]
fn negative(n: u32) -> Response {
    if n == 0 {
        abort(-404);
    }
    let mut response = make_response("Gone", -410);
    response.status_code = -1;
    response
}

#[get("/tail")]
fn tail() -> impl IntoResponse {
    ("Not found", -404.0)
}

fn main() {
    App::new().mount(routes![negative, tail]);
}
