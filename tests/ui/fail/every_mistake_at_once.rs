// The seed mistakes together: each reported once, on its own token, and nothing else.
use carafe::prelude::*;

#[route("/items/{id}", PSOT, GET, GET)]
fn item(itemid: String) -> Response {
    if itemid.is_empty() {
        return (404, "Empty").into_response();
    }
    match itemid.len() {
        1 => ("Deleted", 204).into_response(),
        2 => ("Bad", 200, [("Content Type", "text/plain\n")]).into_response(),
        3 => ("Huge", 1000).into_response(),
        _ => ("Error", "404").into_response(),
    }
}

fn main() {
    App::new().mount(routes![item]);
}
