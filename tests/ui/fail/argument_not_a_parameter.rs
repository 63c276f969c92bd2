// Plain-typed arguments that match no parameter: say what the path offers.
use carafe::prelude::*;

#[route("/items")]
fn items(page: u32) -> impl IntoResponse {
    format!("page {page}")
}

#[route("/items/<item_id>")]
fn item(item_id: String, verbose: bool) -> impl IntoResponse {
    format!("{item_id} {verbose}")
}

fn main() {
    App::new().mount(routes![items, item]);
}
