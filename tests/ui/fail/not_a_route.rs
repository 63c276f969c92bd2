// `routes![..]` names handlers with `#[route]`; a plain function or a typo is refused there.
use carafe::prelude::*;

fn plain() -> &'static str {
    "plain"
}

#[get("/")]
fn index() -> &'static str {
    "index"
}

fn main() {
    App::new().mount(routes![index, plain]);
}
