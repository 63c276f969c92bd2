// A return value that is no response: the trait's message says what is.
use carafe::prelude::*;

#[get("/number")]
fn number() -> u32 {
    42
}

fn main() {
    App::new().mount(routes![number]);
}
