// A parameter name must be a Rust identifier, since an argument receives it.
use carafe::prelude::*;

#[route("/items/<item-id>/<int:2nd>")]
fn item() -> impl IntoResponse {
    "item"
}

fn main() {
    App::new().mount(routes![item]);
}
