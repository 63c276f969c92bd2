// String statuses in both branches of an `if`/`else if`/`else`, each reported.
use carafe::prelude::*;

#[route("/check/<int:n>")]
fn check(n: u32) -> impl IntoResponse {
    if n == 0 {
        ("zero", "400")
    } else if n > 100 {
        ("too big", "413 PAYLOAD TOO LARGE")
    } else {
        ("fine", 200)
    }
}

fn main() {
    App::new().mount(routes![check]);
}
