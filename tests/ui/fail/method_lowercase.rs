// Methods are written in uppercase, as bare words.
use carafe::prelude::*;

#[route("/items", get, Post)]
fn items() -> impl IntoResponse {
    "items"
}

#[route("/strings", "GET", "post")]
fn strings() -> impl IntoResponse {
    "strings"
}

fn main() {
    App::new().mount(routes![items, strings]);
}
