// 1xx, 204 and 304 with an empty body, or a body that is not a literal, compile.
use carafe::prelude::*;

#[delete("/items/<item_id>")]
fn delete_item(item_id: String) -> impl IntoResponse {
    let _ = item_id;
    ("", 204)
}

#[get("/cached")]
fn cached() -> impl IntoResponse {
    (String::new(), 304, [("ETag", "\"v1\"")])
}

#[get("/made")]
fn made() -> Response {
    make_response("", 204)
}

fn main() {
    let client = App::new()
        .mount(routes![delete_item, cached, made])
        .test_client();
    assert_eq!(client.delete("/items/a").send().status(), 204);
    assert_eq!(client.get("/cached").send().status(), 304);
    assert_eq!(client.get("/made").send().status(), 204);
}
