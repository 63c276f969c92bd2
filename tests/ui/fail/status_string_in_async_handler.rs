// The same checks in an `async fn`, in the tail and an early return.
use carafe::prelude::*;

#[route("/items/<item_id>", GET)]
async fn get_item(item_id: String) -> impl IntoResponse {
    if item_id.is_empty() {
        return ("Empty id", "400");
    }
    tokio_like_wait().await;
    ("Item not found", "404")
}

async fn tokio_like_wait() {}

fn main() {
    App::new().mount(routes![get_item]);
}
