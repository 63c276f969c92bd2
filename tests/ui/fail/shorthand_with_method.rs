// A shorthand takes only the path.
use carafe::prelude::*;

#[get("/items", POST)]
fn items() -> impl IntoResponse {
    "items"
}

fn main() {
    App::new().mount(routes![items]);
}
