// `{id}` is axum's and matchit's syntax; Flask and carafe write `<id>`.
use carafe::prelude::*;

#[route("/items/{item_id}/files/{*rest}")]
fn get_file(item_id: String, rest: String) -> impl IntoResponse {
    format!("{item_id}/{rest}")
}

fn main() {
    App::new().mount(routes![get_file]);
}
