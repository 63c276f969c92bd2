use carafe::prelude::*;

#[route("/a", GET, responses(404))]
fn no_description() -> &'static str {
    "a"
}

#[route("/b", responses("404" = "Missing", 1000 = "Huge"))]
fn bad_statuses() -> &'static str {
    "b"
}

#[get("/c", responses(404 = missing, 410 = "Gone", 410 = "Gone again"))]
fn bad_descriptions() -> &'static str {
    "c"
}

fn main() {}
