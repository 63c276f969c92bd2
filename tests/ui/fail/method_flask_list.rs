// Flask's `methods=[..]`, translated.
use carafe::prelude::*;

#[route("/userDetails", methods = ["GET", "POST"])]
fn user_details() -> impl IntoResponse {
    "details"
}

fn main() {
    App::new().mount(routes![user_details]);
}
