// `abort` with the status as a string, as in an early exit.
use carafe::prelude::*;

#[route("/admin")]
fn admin(form: Form) -> impl IntoResponse {
    if form.get("token").is_none() {
        abort("403 FORBIDDEN");
    }
    "Welcome"
}

fn main() {
    App::new().mount(routes![admin]);
}
