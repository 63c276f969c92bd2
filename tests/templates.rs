//! Templates over a socket: minijinja renders `templates/` with the context, escaping HTML in
//! `.html` files, and with Flask's globals (`url_for`, `get_flashed_messages`, `session`,
//! `request`); a template that fails answers 500 and the log names it and its line; debug mode
//! reads edits at once.

mod common;

use std::path::PathBuf;

use carafe::prelude::*;
use carafe::{context, flash, flash_with, render_template, Blueprint, Session};
use common::send;

const FOLDER: &str = "tests/fixtures/templates";

#[route("/page")]
fn page(session: Session) -> Response {
    session.insert("user", "sam");
    flash("<b>saved</b>");
    render_template("page.html", context! { title => "Items & <things>" })
}

#[route("/items/<int:item_id>")]
fn show_item(item_id: u32) -> String {
    format!("item {item_id}")
}

mod blog {
    use carafe::prelude::*;

    #[route("/post/<int:id>")]
    pub fn post(id: u32) -> String {
        format!("post {id}")
    }
}

#[route("/note")]
fn note() -> Response {
    render_template("note.txt", context! { text => "<b>bold</b>" })
}

#[route("/flashes")]
fn flashes() -> Response {
    flash_with("error", "bad");
    flash("good");
    render_template("blog/flashes.html", ())
}

#[route("/broken/<path:name>")]
fn broken(name: String) -> Response {
    render_template(&name, context! { items => [1, 2] })
}

#[route("/sign-in")]
fn sign_in(session: Session) -> &'static str {
    session.insert("user", "sam");
    session.insert("theme", "dark");
    "signed in"
}

#[route("/globals")]
fn globals() -> Response {
    render_template("globals.txt", ())
}

/// A context value named like a global hides the global, as in Flask.
#[route("/shadowed")]
fn shadowed() -> Response {
    render_template(
        "globals.txt",
        context! { request => context! { method => "mine" } },
    )
}

fn app() -> App {
    App::new()
        .secret_key("template test secret")
        .template_folder(FOLDER)
        .static_folder("tests/fixtures/static_site")
        .mount(routes![
            page, show_item, note, flashes, broken, sign_in, globals, shadowed
        ])
        .register(Blueprint::new("/blog").mount(routes![blog::post]))
}

#[tokio::test]
async fn a_page_renders_with_its_context_and_flasks_globals() {
    let addr = common::serve(app()).await;
    let answer = send(addr, "GET", "/page?q=tea", &[], "").await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let body = &answer.body;
    for expected in [
        "<title>Items &amp; &lt;things&gt; - Test</title>",
        r#"<link rel="stylesheet" href="/static/style.css">"#,
        r#"<div class="flash">&lt;b&gt;saved&lt;/b&gt;</div>"#,
        r#"<a href="/items/7">item</a>"#,
        r#"<a href="/blog/post/3">post</a>"#,
        "<p>user: sam</p>",
        "<p>GET /page q=tea</p>",
    ] {
        assert!(body.contains(expected), "{expected} in\n{body}");
    }
    // The links it made route.
    assert_eq!(
        send(addr, "GET", "/blog/post/3", &[], "").await.body,
        "post 3"
    );
    assert_eq!(
        send(addr, "GET", "/static/style.css", &[], "").await.body,
        "body { margin: 0 }\n"
    );
}

#[tokio::test]
async fn only_html_templates_escape() {
    let addr = common::serve(app()).await;
    let answer = send(addr, "GET", "/note", &[], "").await;
    assert_eq!(answer.body, "raw: <b>bold</b>");
    let answer = send(addr, "GET", "/flashes", &[], "").await;
    assert_eq!(answer.body, "error=bad;message=good;");
}

#[tokio::test]
async fn a_failing_template_answers_500_and_the_log_names_it_and_its_line() {
    let logs = common::Logs::capture();
    let addr = common::serve(app()).await;
    for (name, logged) in [
        ("broken.html", "template broken.html, line 2"),
        (
            "refused_value.html",
            "url_for('show_item'): `<int:item_id>` takes a whole number from 0 up, such as 7, \
             not \"-3\"",
        ),
        ("missing.html", "template missing.html"),
    ] {
        let answer = send(addr, "GET", &format!("/broken/{name}"), &[], "").await;
        assert_eq!(answer.status, 500, "{name}");
        // Nothing of the template is sent: only the error page.
        assert!(!answer.body.contains("fine"), "{}", answer.body);
        assert!(!answer.body.contains("line"), "{}", answer.body);
        assert!(logs.text().contains(logged), "{logged} in\n{}", logs.text());
    }
    // The server goes on.
    assert_eq!(send(addr, "GET", "/note", &[], "").await.status, 200);
}

#[test]
fn a_templates_url_for_that_cannot_build_a_path_refuses_to_start_naming_the_template_and_line() {
    let folder = folder_with(
        "links",
        "{{ url_for('show_item', item_id=7) }}\n\
         {{ url_for('show_itme', item_id=7) }}\n\
         {{ url_for('show_item') }}\n\
         {{ url_for('blog.post', id=3, page=2) }}\n\
         {% for n in range(3) %}{{ url_for('blog.post', **{'id': n}) }}{% endfor %}\n\
         {{ url_for(endpoint_chosen_at_run_time) }}\n",
    );
    std::fs::write(folder.join("broken.html"), "{% if %}").unwrap();
    let problem = common::refusal(|| app().template_folder(&folder));
    for expected in [
        "template note.txt, line 2: url_for: no handler is named `show_itme`: did you mean \
         `show_item`?",
        "template note.txt, line 3: url_for('show_item') needs `item_id`: write \
         url_for('show_item', item_id=..)",
        "template note.txt, line 4: url_for('blog.post') has no parameter `page`: it takes `id` \
         (for a query string, write url_for('blog.post') ~ '?' ~ {'page': ..}|urlencode)",
        "template broken.html, line 1: syntax error: unexpected end of block",
    ] {
        assert!(problem.contains(expected), "{expected}\nin\n{problem}");
    }
    // Lines 1, 5 and 6 are fine, or cannot be known before they render.
    for line in ["line 1:", "line 5", "line 6"] {
        assert!(!problem.contains(&format!("note.txt, {line}")), "{problem}");
    }
}

#[tokio::test]
async fn a_template_name_from_the_request_cannot_leave_the_folder() {
    let addr = common::serve(app()).await;
    for name in [
        "..%2fstatic_site%2fstyle.css",
        "../static_site/style.css",
        "..%2f..%2f..%2fCargo.toml",
        "blog/../../static_site/style.css",
    ] {
        let answer = send(addr, "GET", &format!("/broken/{name}"), &[], "").await;
        assert_eq!(answer.status, 500, "{name}");
        assert!(!answer.body.contains("margin"), "{name}: {}", answer.body);
        assert!(
            !answer.body.contains("[package]"),
            "{name}: {}",
            answer.body
        );
    }
    // A name inside it renders.
    let answer = send(addr, "GET", "/broken/blog/flashes.html", &[], "").await;
    assert_eq!(answer.status, 200);
}

/// A fresh folder holding one template.
fn folder_with(name: &str, template: &str) -> PathBuf {
    let folder =
        std::env::temp_dir().join(format!("carafe-templates-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("note.txt"), template).unwrap();
    folder
}

#[tokio::test]
async fn templates_are_read_once_and_again_at_every_render_in_debug_mode() {
    for debug in [false, true] {
        let folder = folder_with(&format!("reload-{debug}"), "first {{ text }}");
        let app = App::new()
            .debug(debug)
            .template_folder(&folder)
            .mount(routes![note]);
        let addr = common::serve(app).await;
        assert_eq!(
            send(addr, "GET", "/note", &[], "").await.body,
            "first <b>bold</b>"
        );
        std::fs::write(folder.join("note.txt"), "second {{ text }}").unwrap();
        let expected = if debug {
            "second <b>bold</b>"
        } else {
            "first <b>bold</b>"
        };
        assert_eq!(
            send(addr, "GET", "/note", &[], "").await.body,
            expected,
            "debug {debug}"
        );
        std::fs::remove_dir_all(folder).unwrap();
    }
}

#[tokio::test]
async fn without_a_templates_folder_rendering_answers_500_saying_where_to_put_one() {
    let logs = common::Logs::capture();
    // Neither tests/templates nor ./templates exists.
    let addr = common::serve(App::new().mount(routes![note])).await;
    let answer = send(addr, "GET", "/note", &[], "").await;
    assert_eq!(answer.status, 500);
    assert!(
        logs.text()
            .contains("the app has no templates folder: make `templates/`"),
        "{}",
        logs.text()
    );
    // A folder that does not exist stops the app, saying which.
    let app = App::new().template_folder("tests/fixtures/no-such-folder");
    let problem = common::start_refused(app).await.to_string();
    assert!(
        problem.contains("templates folder tests/fixtures/no-such-folder does not exist"),
        "{problem}"
    );
}

#[test]
fn outside_a_request_rendering_says_there_is_no_request() {
    let panicked = std::panic::catch_unwind(|| render_template("note.txt", ())).unwrap_err();
    let message = panicked.downcast_ref::<String>().unwrap();
    assert!(message.contains("outside a request"), "{message}");
}

#[tokio::test]
async fn session_and_request_are_read_when_a_template_reads_them() {
    let addr = common::serve(app()).await;
    let anonymous = send(addr, "GET", "/globals?a=1&b=two", &[], "").await;
    assert_eq!(anonymous.status, 200);
    assert_eq!(
        anonymous.body,
        "no session\nkeys:\nmissing=none\nGET /globals?a=1&b=two [a=1&b=two] True"
    );
    // Reading the session in a template saves nothing: no cookie is set.
    assert_eq!(anonymous.header("set-cookie"), None);

    let signed_in = send(addr, "GET", "/sign-in", &[], "").await;
    let cookie = signed_in
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    let page = send(addr, "GET", "/globals", &[("cookie", cookie)], "").await;
    assert_eq!(
        page.body,
        "signed in as sam\nkeys: theme user\nmissing=none\nGET /globals [] True"
    );

    // A cookie that was tampered with reads as no session.
    let tampered = cookie.replace("sam", "max");
    let forged = send(addr, "GET", "/globals", &[("cookie", &tampered)], "").await;
    assert!(forged.body.starts_with("no session\n"), "{}", forged.body);

    let shadowed = send(addr, "GET", "/shadowed", &[], "").await;
    assert!(
        shadowed.body.ends_with("mine  [] True"),
        "{}",
        shadowed.body
    );
}

#[tokio::test]
async fn an_error_handler_renders_a_template_in_an_app_with_no_hooks_and_no_session() {
    // The error page is a stage of the request's one pipeline, in its scope, whatever else
    // the app has: here, only templates (a folder of its own: the shared one links to routes
    // this app lacks, which would refuse to start).
    let app = App::new()
        .template_folder(folder_with("error-page", "raw: {{ text }}"))
        .mount(routes![note])
        .error_handler(404, |_| {
            render_template("note.txt", context! { text => "<no such page>" })
        });
    let addr = common::serve(app).await;
    let answer = send(addr, "GET", "/nowhere", &[], "").await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body.trim(), "raw: <no such page>");
}
