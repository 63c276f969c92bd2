// A `<` with no `>`, and a `>` with no `<`.
use carafe::prelude::*;

#[route("/items/<item_id")]
fn unclosed(item_id: String) -> impl IntoResponse {
    item_id
}

#[route("/users/name>")]
fn unopened() -> impl IntoResponse {
    "users"
}

fn main() {
    App::new().mount(routes![unclosed, unopened]);
}
