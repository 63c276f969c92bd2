// Integer statuses outside 100..=599, in a tuple, `make_response`, `abort` and
// `.status_code = ..`: every one is reported at once.
use carafe::prelude::*;

#[route("/teapot/<int:n>")]
fn teapot(n: u32) -> Response {
    if n == 0 {
        abort(999);
    }
    if n == 1 {
        return ("Too small", 42).into_response();
    }
    let mut response = make_response("Enhance your calm", 0);
    response.status_code = 1000;
    response
}

#[get("/tail")]
fn tail() -> impl IntoResponse {
    ("Way too big", 99999999999999999999999)
}

fn main() {
    App::new().mount(routes![teapot, tail]);
}
