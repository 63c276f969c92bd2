// Every mistake in one path is reported, each on its own part of the literal.
use carafe::prelude::*;

#[route("items/{id}/<>/<flaot:x>")]
fn item() -> impl IntoResponse {
    "item"
}

fn main() {
    App::new().mount(routes![item]);
}
