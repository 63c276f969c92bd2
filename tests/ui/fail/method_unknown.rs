// Unknown methods: a typo gets "did you mean", anything else the list.
use carafe::prelude::*;

#[route("/userSignUp", PSOT)]
fn sign_up() -> impl IntoResponse {
    "Success"
}

#[route("/trace", TRACE)]
fn trace() -> impl IntoResponse {
    "trace"
}

fn main() {
    App::new().mount(routes![sign_up, trace]);
}
