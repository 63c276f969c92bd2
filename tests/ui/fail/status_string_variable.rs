// A status that is a string but not a literal: the type system refuses it, with the same
// advice.
use carafe::prelude::*;

const NOT_FOUND: &str = "404";

#[get("/tuple")]
fn tuple() -> impl IntoResponse {
    ("Error", NOT_FOUND)
}

#[get("/headers")]
fn headers() -> impl IntoResponse {
    let status = String::from("201");
    ("Created", status, [("Location", "/items/1")])
}

#[get("/make")]
fn make() -> Response {
    let status = "404";
    make_response("Not found", status)
}

#[get("/abort")]
fn aborts() -> Response {
    abort(NOT_FOUND)
}

fn status_of(found: bool) -> &'static str {
    if found { "200" } else { "404" }
}

#[get("/helper")]
fn helper() -> impl IntoResponse {
    ("Maybe", status_of(false))
}

fn main() {
    App::new().mount(routes![tuple, headers, make, aborts, helper]);
}
