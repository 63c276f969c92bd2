// `make_response(404, "Error")`: Flask's `make_response` takes the body first too.
use carafe::prelude::*;

#[get("/make")]
fn make() -> Response {
    make_response(404, "Error")
}

fn main() {
    App::new().mount(routes![make]);
}
