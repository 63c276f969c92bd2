// A 204 response has no body: the text would be dropped (or break the connection).
use carafe::prelude::*;

#[route("/items/<item_id>", DELETE)]
fn delete_item(item_id: String) -> impl IntoResponse {
    let _ = item_id;
    ("Deleted", 204)
}

fn main() {
    App::new().mount(routes![delete_item]);
}
