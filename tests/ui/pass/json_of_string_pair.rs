// A string pair inside `Json(..)` is the JSON body, not a status.
use carafe::prelude::*;

#[get("/json")]
fn json_pair() -> impl IntoResponse {
    Json(("a", "404"))
}

#[get("/json-with-status")]
fn json_with_status() -> impl IntoResponse {
    (Json(("error", "404")), 404)
}

fn main() {
    let client = App::new().mount(routes![json_pair, json_with_status]).test_client();
    let response = client.get("/json").send();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text(), r#"["a","404"]"#);
    assert_eq!(client.get("/json-with-status").send().status(), 404);
}
