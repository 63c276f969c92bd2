// A path parameter is parsed into an owned value.
use carafe::prelude::*;

#[route("/hello/<name>")]
fn hello(name: &str) -> String {
    format!("Hello {name}")
}

fn main() {
    App::new().mount(routes![hello]);
}
