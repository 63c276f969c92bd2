// `abort` and `abort_with` with valid statuses, and strings that are only messages.
use carafe::prelude::*;

#[get("/private")]
fn private(request: Request) -> impl IntoResponse {
    if request.header("authorization").is_none() {
        abort_with(("Log in first", 401, [("WWW-Authenticate", "Bearer")]));
    }
    if request.header("x-banned").is_some() {
        abort(403);
    }
    let message = "404";
    message.to_owned()
}

fn main() {
    let client = App::new().mount(routes![private]).test_client();
    let response = client.get("/private").send();
    assert_eq!(response.status(), 401);
    assert_eq!(response.header("www-authenticate"), Some("Bearer"));
    let response = client.get("/private").header("authorization", "x").send();
    assert_eq!(response.text(), "404");
}
