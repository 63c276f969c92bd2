// A string status in an early `return`.
use carafe::prelude::*;

#[route("/items/<id>")]
fn item(id: u32) -> impl IntoResponse {
    if id == 0 {
        return ("Item not found", "404");
    }
    ("Found", 200)
}

fn main() {
    App::new().mount(routes![item]);
}
