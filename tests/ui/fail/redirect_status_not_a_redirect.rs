use carafe::prelude::*;

#[route("/old")]
fn old() -> Response {
    redirect_with("/new", 404)
}

#[route("/moved")]
fn moved() -> Response {
    redirect_with("/new", 200)
}

#[route("/string")]
fn string() -> Response {
    redirect_with("/new", "301")
}

fn main() {}
