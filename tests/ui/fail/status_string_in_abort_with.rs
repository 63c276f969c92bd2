// `abort_with` answers with its argument: a string status there is the same mistake.
use carafe::prelude::*;

#[route("/private")]
fn private(form: Form) -> impl IntoResponse {
    if form.get("token").is_none() {
        abort_with(("Log in first", "401", [("WWW-Authenticate", "Bearer")]));
    }
    "Secret"
}

fn main() {
    App::new().mount(routes![private]);
}
