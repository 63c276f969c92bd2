// Statuses computed at run time: the type system checks them, and they need no literal.
use carafe::prelude::*;

#[get("/items/<int:id>")]
fn item(id: u32) -> impl IntoResponse {
    let status: u16 = if id == 0 { 404 } else { 200 };
    let headers = [("X-Item", id.to_string())];
    (format!("item {id}"), status, headers)
}

#[get("/echo/<int:code>")]
fn echo(code: u16) -> Response {
    let mut response = make_response("echo", code);
    response.status_code = code;
    response
}

fn main() {
    let client = App::new().mount(routes![item, echo]).test_client();
    assert_eq!(client.get("/items/0").send().status(), 404);
    let response = client.get("/items/7").send();
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("x-item"), Some("7"));
    assert_eq!(client.get("/echo/418").send().status(), 418);
}
