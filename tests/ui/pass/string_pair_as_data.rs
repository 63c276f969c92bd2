// String pairs that are data, not responses: bound to a variable, passed to a function, kept
// in a `Result` or a 4-tuple. None is a status.
use carafe::prelude::*;

fn describe(pair: (&str, &str)) -> String {
    format!("{}={}", pair.0, pair.1)
}

#[get("/pair")]
fn pair() -> impl IntoResponse {
    let pair = ("k", "404");
    let kept: Result<(&str, &str), ()> = Ok(("code", "500"));
    let _four = ("a", "b", "c", "d");
    (describe(pair) + &describe(kept.unwrap()), 200)
}

fn main() {
    let client = App::new().mount(routes![pair]).test_client();
    let response = client.get("/pair").send();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text(), "k=404code=500");
}
