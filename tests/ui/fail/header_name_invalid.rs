// Header names must be tokens: no colon, no space, not empty, ASCII.
use carafe::prelude::*;

#[route("/userSignUp", POST)]
fn sign_up() -> impl IntoResponse {
    (
        "Success",
        200,
        [
            ("Content-Type:", "text/plain"),
            ("Access Control Allow Origin", "*"),
            ("", "empty"),
            ("X-Café", "1"),
        ],
    )
}

fn main() {
    App::new().mount(routes![sign_up]);
}
