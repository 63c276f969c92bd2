// A 304 response has no body, in a `(body, status, headers)` tuple and in an early return.
use carafe::prelude::*;

#[route("/page")]
fn page(request: Request) -> impl IntoResponse {
    if request.headers().contains_key("if-none-match") {
        return ("Not modified", 304, [("ETag", "\"v1\"")]);
    }
    ("<h1>Page</h1>", 200, [("ETag", "\"v1\"")])
}

fn main() {
    App::new().mount(routes![page]);
}
