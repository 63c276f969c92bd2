// The body "404" with status 200: the text of a page, not a status.
use carafe::prelude::*;

#[get("/code")]
fn code() -> impl IntoResponse {
    ("404", 200)
}

#[get("/code-with-headers")]
fn code_with_headers() -> impl IntoResponse {
    ("500", 201, [("Content-Type", "text/plain")])
}

fn main() {
    let client = App::new().mount(routes![code, code_with_headers]).test_client();
    let response = client.get("/code").send();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text(), "404");
    let response = client.get("/code-with-headers").send();
    assert_eq!(response.status(), 201);
    assert_eq!(response.text(), "500");
}
