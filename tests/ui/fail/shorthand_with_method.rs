// A shorthand names its method itself: a second method is refused.
use carafe::prelude::*;

#[get("/items", POST)]
fn items() -> impl IntoResponse {
    "items"
}

fn main() {
    App::new().mount(routes![items]);
}
