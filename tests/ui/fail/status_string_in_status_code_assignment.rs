// Seed 000: `response.status_code = ..` with a string.
use carafe::prelude::*;

#[route("/userDetails", POST)]
fn user_details() -> Response {
    let mut response = make_response("<h1>Success</h1>", 201);
    response.status_code = "200";
    response
}

fn main() {
    App::new().mount(routes![user_details]);
}
