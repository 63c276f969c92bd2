// Seed 001's pitfall: the status written as a string.
use carafe::prelude::*;

#[route("/wrong")]
fn wrong() -> impl IntoResponse {
    ("Error", "404")
}

fn main() {
    App::new().mount(routes![wrong]);
}
