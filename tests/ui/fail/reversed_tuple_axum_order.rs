// axum's order, the status first as a `StatusCode`: one error, with the tuple rewritten.
use carafe::prelude::*;

#[get("/items/<int:id>")]
fn get_item(id: u32) -> impl IntoResponse {
    if id == 0 {
        return (StatusCode::NOT_FOUND, "Not found");
    }
    ("found", StatusCode::OK)
}

fn main() {
    App::new().mount(routes![get_item]);
}
