// A context key the template never reads is a warning (here denied, to show its words).
#![deny(deprecated)]
use carafe::prelude::*;
use carafe::render_template;

#[route("/")]
fn page() -> Response {
    render_template!("checked/unread.html", title => "Hello", subtitle => "unused")
}

fn main() {
    App::new().mount(routes![page]);
}
