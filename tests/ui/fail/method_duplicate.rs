// A method listed twice.
use carafe::prelude::*;

#[route("/items", GET, POST, GET)]
fn items() -> impl IntoResponse {
    "items"
}

fn main() {
    App::new().mount(routes![items]);
}
