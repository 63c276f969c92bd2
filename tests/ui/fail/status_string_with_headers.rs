// A string status in a `(body, status, headers)` tuple.
use carafe::prelude::*;

#[route("/userSignUp", POST)]
fn sign_up() -> impl IntoResponse {
    ("Success", "200", [("Access-Control-Allow-Origin", "*")])
}

fn main() {
    App::new().mount(routes![sign_up]);
}
