// Header literals that are valid: tokens with every allowed character, values with spaces,
// quotes, semicolons and a tab (the one control character a value may hold); as an array, a
// `vec!`, a `HashMap`.
use carafe::prelude::*;

#[get("/array")]
fn array() -> impl IntoResponse {
    (
        "ok",
        200,
        [
            ("X-Custom_Name.v2", "a b; c=\"d\""),
            ("Cache-Control", "no-cache, no-store"),
            ("X-Tabbed", "a\tb"),
        ],
    )
}

#[get("/vec")]
fn vec_headers() -> impl IntoResponse {
    ("ok", 201, vec![("Location", "/items/1")])
}

#[get("/map")]
fn map() -> impl IntoResponse {
    let mut headers = HashMap::new();
    headers.insert("X-From-Map", "yes");
    ("ok", headers)
}

fn main() {
    let client = App::new()
        .mount(routes![array, vec_headers, map])
        .test_client();
    let array = client.get("/array").send();
    assert_eq!(array.status(), 200);
    assert_eq!(array.header("x-custom_name.v2"), Some("a b; c=\"d\""));
    assert_eq!(array.header("x-tabbed"), Some("a\tb"));
    assert_eq!(client.get("/vec").send().status(), 201);
    assert_eq!(client.get("/map").send().header("x-from-map"), Some("yes"));
}
