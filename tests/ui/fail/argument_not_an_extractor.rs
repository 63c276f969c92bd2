// An argument that is neither a path parameter nor an extractor: one error, on its type.
use carafe::prelude::*;

struct Settings {
    verbose: bool,
}

#[route("/items")]
fn items(settings: Settings) -> impl IntoResponse {
    format!("{}", settings.verbose)
}

#[route("/items/<int:id>", POST)]
async fn update(id: u64, settings: Settings) -> impl IntoResponse {
    format!("{id} {}", settings.verbose)
}

#[route("/upload", POST)]
fn upload(body: Vec<u8>) -> impl IntoResponse {
    body.len().to_string()
}

fn main() {
    App::new().mount(routes![items, update, upload]);
}
