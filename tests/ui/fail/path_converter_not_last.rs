// `<path:..>` takes the rest of the path, so nothing may follow it.
use carafe::prelude::*;

#[route("/files/<path:rest>/download")]
fn download(rest: String) -> impl IntoResponse {
    rest
}

fn main() {
    App::new().mount(routes![download]);
}
