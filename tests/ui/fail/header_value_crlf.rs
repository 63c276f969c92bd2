// Header values cannot hold CR, LF or NUL: they would split the header (response splitting).
use carafe::prelude::*;

#[route("/login", POST)]
fn login() -> impl IntoResponse {
    (
        "Logged in",
        302,
        vec![
            ("Location", "/home\r\nSet-Cookie: admin=1"),
            ("X-Trace", "abc\0def"),
        ],
    )
}

fn main() {
    App::new().mount(routes![login]);
}
