// An empty `<>`, and a converter with no name after it.
use carafe::prelude::*;

#[route("/items/<>/<int:>")]
fn items() -> impl IntoResponse {
    "items"
}

fn main() {
    App::new().mount(routes![items]);
}
