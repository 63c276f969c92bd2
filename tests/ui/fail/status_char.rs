// A char (or byte) is no status, even a digit.
use carafe::prelude::*;

#[route("/char/<int:n>")]
fn char_status(n: u32) -> Response {
    if n == 0 {
        abort('4');
    }
    let mut response = make_response("ok", b'2');
    response.status_code = '2';
    response
}

#[get("/tail")]
fn tail() -> impl IntoResponse {
    ("Not found", 'x')
}

fn main() {
    App::new().mount(routes![char_status, tail]);
}
