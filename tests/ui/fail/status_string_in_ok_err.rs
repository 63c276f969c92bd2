// String statuses inside `Ok(..)` and `Err(..)` of a `Result` handler.
use carafe::prelude::*;

#[route("/items", POST)]
fn create(form: Form) -> Result<(String, u16), (&'static str, u16)> {
    match form.get("name") {
        Some(name) => Ok((format!("Created {name}"), "201")),
        None => Err(("Missing name", "400")),
    }
}

fn main() {
    App::new().mount(routes![create]);
}
