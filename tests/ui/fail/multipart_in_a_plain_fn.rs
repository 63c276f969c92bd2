// A plain `fn` cannot await the parts a `Multipart` streams: the error says to make it
// `async`, or to take the whole form with `Form` and `Files`.
use carafe::prelude::*;

#[post("/upload")]
fn upload(parts: Multipart) -> &'static str {
    drop(parts);
    "uploaded"
}

fn main() {
    App::new().mount(routes![upload]);
}
