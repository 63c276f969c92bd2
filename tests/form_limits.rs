//! A urlencoded form may have at most `App::max_form_parts` fields (1,000 by default, as
//! Werkzeug): more answer 413 before any is parsed, over a real socket.

mod common;

use carafe::prelude::*;

#[route("/signup", POST)]
fn signup(form: Form) -> String {
    format!("{} fields", form.len())
}

#[derive(serde::Deserialize)]
struct Name {
    name: String,
}

#[route("/named", POST)]
fn named(Form(name): Form<Name>) -> String {
    name.name
}

#[route("/raw", POST)]
async fn raw(request: Request) -> String {
    format!("{} fields", request.form().len())
}

fn app() -> App {
    App::new().mount(routes![signup, named, raw])
}

/// `count` fields, `f0=v&f1=v&…`.
fn fields(count: usize) -> String {
    (0..count)
        .map(|index| format!("f{index}=v"))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn a_form_of_more_fields_than_the_limit_answers_413() {
    let addr = common::serve(app()).await;
    for path in ["/signup", "/raw"] {
        let answer = common::post_form(addr, path, &fields(1000)).await;
        assert_eq!(
            (answer.status.as_u16(), answer.body.as_str()),
            (200, "1000 fields")
        );
        let answer = common::post_form(addr, path, &fields(1001)).await;
        assert_eq!(answer.status, 413, "{path}");
        assert!(
            answer.body.contains("more than 1000 fields"),
            "{}",
            answer.body
        );
    }
    // A million empty-valued fields in under 2 MiB: refused without being parsed.
    let flood = "a&".repeat(1_000_000);
    let answer = common::post_form(addr, "/named", &flood).await;
    assert_eq!(answer.status, 413);
    // Empty pairs are no fields, as the parser sees them.
    let answer = common::post_form(addr, "/named", &format!("name=sam{}", "&".repeat(5000))).await;
    assert_eq!((answer.status.as_u16(), answer.body.as_str()), (200, "sam"));
}

#[test]
fn the_limit_is_the_apps() {
    let client = app().max_form_parts(2).test_client();
    let ok = client
        .post("/signup")
        .form(&[("a", "1"), ("b", "2")])
        .send();
    assert_eq!(ok.text(), "2 fields");
    let refused = client
        .post("/signup")
        .form(&[("a", "1"), ("b", "2"), ("c", "3")])
        .send();
    assert_eq!(refused.status(), 413);
}
