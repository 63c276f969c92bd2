// What a template may read besides the context, and still compile: a variable it sets, a loop
// variable and `loop`, a macro's arguments, a block's `super()`, globals (carafe's and
// minijinja's), an include that reads a context key and the includer's loop variable, a
// block inside the parent's loop that reads the loop variable. Templates in
// tests/ui/render_template/pass/templates/checked/.
use carafe::prelude::*;
use carafe::render_template;

#[route("/")]
fn page() -> Response {
    let posts = vec![json!({ "title": "first" }), json!({ "title": "second" })];
    render_template!(
        "checked/page.html",
        posts => posts,
        author => "sam",
        site => "Flaskr",
        menu => ["home", "about"]
    )
}

fn main() {
    let client = App::new().mount(routes![page]).test_client();
    let page = client.get("/").send();
    assert_eq!(page.status(), 200, "{}", page.text());
    let text = page.text();
    for expected in [
        "<title>Posts · Flaskr</title>",
        "[home][about]",
        "1. <article>FIRST by sam</article>",
        "2. <article>SECOND by sam</article>",
        "2 posts, 2 shown",
        "<input name=\"title\" value=\"\">",
        "<input name=\"body\" value=\"second\">",
        "01",
        "<a href=\"/\">/</a>",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
}
