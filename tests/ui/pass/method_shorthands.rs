// Every method, with `#[route]` and with each shorthand; one path may take several handlers
// for different methods.
use carafe::prelude::*;

#[route("/all", GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)]
fn all() -> impl IntoResponse {
    "all"
}

#[route("/default")]
fn default_get() -> impl IntoResponse {
    "get"
}

#[get("/item")]
fn get_item() -> impl IntoResponse {
    "get"
}

#[post("/item")]
fn post_item() -> impl IntoResponse {
    ("posted", 201)
}

#[put("/item")]
fn put_item() -> impl IntoResponse {
    "put"
}

#[patch("/item")]
fn patch_item() -> impl IntoResponse {
    "patch"
}

#[delete("/item")]
fn delete_item() -> impl IntoResponse {
    ("", 204)
}

#[head("/item")]
fn head_item() -> impl IntoResponse {
    ("", 200, [("X-Head", "yes")])
}

#[options("/item")]
fn options_item() -> impl IntoResponse {
    ("", 204, [("Allow", "GET, POST")])
}

fn main() {
    let app = App::new().mount(routes![
        all, default_get, get_item, post_item, put_item, patch_item, delete_item, head_item,
        options_item
    ]);
    assert_eq!(app.routes().len(), 9);
    let client = app.test_client();
    assert_eq!(client.post("/item").send().status(), 201);
    assert_eq!(client.patch("/item").send().text(), "patch");
    assert_eq!(client.delete("/item").send().status(), 204);
    assert_eq!(client.put("/all").send().text(), "all");
}
