// An empty string status: there is no number to suggest, so the message gives examples.
use carafe::prelude::*;

#[get("/empty")]
fn empty() -> impl IntoResponse {
    ("Nothing", "")
}

fn main() {
    App::new().mount(routes![empty]);
}
