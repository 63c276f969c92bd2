// A function nested in a handler is not the handler: its string pairs are its business.
use carafe::prelude::*;

#[get("/nested")]
fn nested() -> impl IntoResponse {
    fn lookup() -> (&'static str, &'static str) {
        ("k", "404")
    }
    struct Local;
    impl Local {
        fn pair(&self) -> (&'static str, &'static str) {
            ("x", "")
        }
    }
    let (key, value) = lookup();
    format!("{key}={value}{}", Local.pair().1)
}

fn main() {
    // The handler stays callable as written.
    assert_eq!(nested().into_response().status_code, 200);
    let client = App::new().mount(routes![nested]).test_client();
    assert_eq!(client.get("/nested").send().text(), "k=404");
}
