// A string status in the `else` of a `let … else`.
use carafe::prelude::*;

#[route("/items/<item_id>")]
fn get_item(item_id: String) -> impl IntoResponse {
    let Ok(id) = item_id.parse::<u32>() else {
        return ("Item id must be a number", "400");
    };
    let _ = id;
    ("Item found", 200)
}

fn main() {
    App::new().mount(routes![get_item]);
}
