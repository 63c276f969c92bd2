// Statuses from constants, local or in a module.
use carafe::prelude::*;

const NOT_FOUND: u16 = 404;

mod status {
    pub const CREATED: i32 = 201;
}

#[get("/missing")]
fn missing() -> impl IntoResponse {
    ("Not found", NOT_FOUND)
}

#[post("/items")]
fn create() -> Response {
    make_response("Created", status::CREATED)
}

fn main() {
    let client = App::new().mount(routes![missing, create]).test_client();
    assert_eq!(client.get("/missing").send().status(), 404);
    assert_eq!(client.post("/items").send().status(), 201);
}
