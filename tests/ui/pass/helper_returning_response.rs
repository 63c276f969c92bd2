// Helpers that build responses: plain functions, called from handlers.
use carafe::prelude::*;

fn not_found(what: &str) -> (String, u16) {
    (format!("{what} not found"), 404)
}

fn with_cors<B: IntoResponse>(body: B) -> (B, u16, [(&'static str, &'static str); 1]) {
    (body, 200, [("Access-Control-Allow-Origin", "*")])
}

#[get("/items/<name>")]
fn item(name: String) -> Response {
    if name == "missing" {
        return not_found(&name).into_response();
    }
    with_cors(name).into_response()
}

fn main() {
    let client = App::new().mount(routes![item]).test_client();
    let response = client.get("/items/missing").send();
    assert_eq!(response.status(), 404);
    assert_eq!(response.text(), "missing not found");
    let response = client.get("/items/pen").send();
    assert_eq!(response.header("access-control-allow-origin"), Some("*"));
}
