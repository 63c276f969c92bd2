// Flask accepts "404 NOT FOUND"; carafe asks for the number.
use carafe::prelude::*;

#[get("/missing")]
fn missing() -> impl IntoResponse {
    ("Not here", "404 NOT FOUND")
}

fn main() {
    App::new().mount(routes![missing]);
}
