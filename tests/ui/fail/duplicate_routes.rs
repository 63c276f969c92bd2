// Two handlers answering GET on the same path in one `routes![..]`: named both.
use carafe::prelude::*;

#[route("/items")]
fn list_items() -> impl IntoResponse {
    "all items"
}

#[route("/items", GET, POST)]
fn items() -> impl IntoResponse {
    "items"
}

fn main() {
    App::new().mount(routes![list_items, items]);
}
