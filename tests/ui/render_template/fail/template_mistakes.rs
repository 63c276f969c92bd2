// Mistakes in Jinja2 templates, found when the crate compiles: each names the template, the
// line and the fix. The templates are in tests/ui/render_template/fail/templates/checked/.
use carafe::prelude::*;
use carafe::render_template;

// A misspelt variable (in the page, in the template it includes, in the one it extends), a
// misspelt filter and test, and Flask's `g`, which carafe does not give templates.
#[route("/")]
fn index() -> Response {
    let posts = vec![json!({ "id": 1, "title": "Hello", "author": "sam" })];
    render_template!("checked/index.html", posts => posts, site => "Flaskr", created => "today")
}

// A syntax error, in minijinja's words.
#[route("/syntax")]
fn syntax() -> Response {
    render_template!("checked/syntax.html", posts => Vec::<String>::new())
}

// A template that does not exist: the close names.
#[route("/missing")]
fn missing() -> Response {
    render_template!("checked/indx.html", posts => Vec::<String>::new())
}

// A template name that is no literal.
#[route("/computed")]
fn computed() -> Response {
    let name = "checked/index.html";
    render_template!(name)
}

fn main() {
    App::new().mount(routes![index, syntax, missing, computed]);
}
