// A stray `;` after the tail: the handler would answer an empty 200 instead of its tuple.
use carafe::prelude::*;

#[post("/items")]
fn create_item() -> impl IntoResponse {
    ("Created", 201);
}

#[post("/items/<int:id>/touch")]
async fn touch(id: u32) -> impl IntoResponse {
    let message = format!("touched {id}");
    make_response(message, 200);
}

#[get("/hello/<name>")]
fn hello(name: String) -> impl IntoResponse {
    format!("Hello {}", name);
}

fn main() {
    App::new().mount(routes![create_item, touch, hello]);
}
