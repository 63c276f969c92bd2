// A path starts with `/`.
use carafe::prelude::*;

#[route("items/<item_id>")]
fn get_item(item_id: String) -> impl IntoResponse {
    item_id
}

fn main() {
    App::new().mount(routes![get_item]);
}
