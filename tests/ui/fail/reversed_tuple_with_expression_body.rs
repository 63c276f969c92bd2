// The status first, with a body that is not a literal.
use carafe::prelude::*;

#[get("/json")]
fn json_first() -> impl IntoResponse {
    (404, Json(json!({ "error": "Item not found" })))
}

#[get("/text/<name>")]
fn text_first(name: String) -> impl IntoResponse {
    if name.is_empty() {
        return (400, name);
    }
    (200, format!("Hello {name}"))
}

fn main() {
    App::new().mount(routes![json_first, text_first]);
}
