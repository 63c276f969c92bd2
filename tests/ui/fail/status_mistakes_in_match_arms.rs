// Each kind of wrong status in the arms of one `match`: every one is reported, on its token.
use carafe::prelude::*;

#[route("/arms/<int:n>")]
fn arms(n: u32) -> impl IntoResponse {
    match n {
        0 => ("string", "404"),
        1 => ("out of range", 600),
        2 => ("float", 201.0),
        3 => ("negative", -500),
        4 => ("bool", false),
        5 => ("char", '5'),
        _ => ("fine", 200),
    }
}

fn main() {
    App::new().mount(routes![arms]);
}
