// Each kind of wrong status in an early `return`, through `if let`, `while` and `for` bodies.
use carafe::prelude::*;

#[route("/returns/<int:n>")]
fn returns(n: u32, form: Form) -> impl IntoResponse {
    if let Some(name) = form.get("name") {
        if name.is_empty() {
            return ("out of range", 1000);
        }
    }
    let mut i = 0;
    while i < n {
        if i == 3 {
            return ("float", 500.0);
        }
        i += 1;
    }
    for j in 0..n {
        if j == 4 {
            return ("negative", -400);
        }
    }
    ("fine", 200)
}

fn main() {
    App::new().mount(routes![returns]);
}
