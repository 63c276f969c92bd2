// Two parameters in one segment cannot be told apart.
use carafe::prelude::*;

#[route("/files/<name>.<ext>")]
fn file(name: String, ext: String) -> impl IntoResponse {
    format!("{name}.{ext}")
}

fn main() {
    App::new().mount(routes![file]);
}
