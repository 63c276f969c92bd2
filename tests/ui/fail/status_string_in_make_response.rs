// Seed 000: `make_response` with the status as a string.
use carafe::prelude::*;

#[route("/userDetails", POST)]
fn user_details() -> Response {
    make_response("<h1>Success</h1>", "201")
}

fn main() {
    App::new().mount(routes![user_details]);
}
