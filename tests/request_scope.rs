//! The request scope: `flash`, `get_flashed_messages`, `render_template` and `url_for!` reach
//! the request being answered and the app answering it, in every app and every handler, plain
//! or async; outside a request they say so. No registry outside the app decides a URL, and
//! building an app leaves nothing behind.

mod common;

use carafe::prelude::*;
use carafe::{flash, get_flashed_messages};

mod blog {
    use carafe::prelude::*;

    #[route("/<int:id>")]
    pub fn show(id: u32) -> String {
        format!("post {id}")
    }

    /// Flask's redirect after a POST, to a handler under this app's prefix.
    #[route("/new", POST)]
    pub fn create() -> Response {
        redirect(url_for!(show, id = 7))
    }

    /// The same, from an async handler: the scope crosses its awaits.
    #[route("/new-async", POST)]
    pub async fn create_async() -> Response {
        tokio::task::yield_now().await;
        redirect(url_for!(show, id = 8))
    }
}

/// An app mounting the blog under `prefix`.
fn blog_app(prefix: &str) -> App {
    App::new().register(Blueprint::new(prefix).mount(routes![
        blog::show,
        blog::create,
        blog::create_async
    ]))
}

#[test]
fn two_apps_on_one_thread_each_redirect_to_their_own_urls() {
    let first = blog_app("/first").test_client();
    let second = blog_app("/second").test_client();
    // Whichever was built last, each answers with its own prefix, for plain and async
    // handlers alike.
    for (client, prefix) in [(&first, "/first"), (&second, "/second"), (&first, "/first")] {
        let response = client.post(&format!("{prefix}/new")).send();
        assert_eq!(response.header("location"), Some(&*format!("{prefix}/7")));
        let response = client.post(&format!("{prefix}/new-async")).send();
        assert_eq!(response.header("location"), Some(&*format!("{prefix}/8")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_apps_served_across_threads_each_redirect_to_their_own_urls() {
    let first = common::serve(blog_app("/first")).await;
    // Built on another thread, after the first.
    let second = std::thread::spawn(|| blog_app("/second")).join().unwrap();
    let second = common::serve(second).await;
    for _ in 0..20 {
        for (addr, prefix) in [(first, "/first"), (second, "/second")] {
            for (path, id) in [("new", 7), ("new-async", 8)] {
                let answer = common::send(addr, "POST", &format!("{prefix}/{path}"), &[], "").await;
                assert_eq!(answer.status, 302);
                assert_eq!(answer.headers["location"], format!("{prefix}/{id}"));
            }
        }
    }
}

#[test]
fn outside_a_request_url_for_asks_the_app() {
    let first = blog_app("/first");
    let second = blog_app("/second");
    let url = url_for!(blog::show, id = 3);
    assert_eq!(first.url_for(&url), "/first/3");
    assert_eq!(second.url_for(&url), "/second/3");
    // An app that does not mount the handler gives its own path.
    assert_eq!(App::new().url_for(&url), "/3");
    // Read before an app resolved it, it says what to do.
    let unresolved = std::panic::catch_unwind(|| url.as_str().to_owned());
    let message = panic_message(unresolved.unwrap_err());
    assert!(
        message.contains("outside a request") && message.contains("app.url_for"),
        "{message}"
    );
}

#[route("/flash")]
fn flashes() -> &'static str {
    flash("Saved.");
    "flashed"
}

#[route("/messages")]
async fn messages() -> String {
    tokio::task::yield_now().await;
    get_flashed_messages().join(",")
}

#[test]
fn flash_works_in_an_app_with_no_hooks_and_no_templates() {
    let client = App::new()
        .secret_key("request scope test")
        .mount(routes![flashes, messages])
        .test_client();
    let flashed = client.get("/flash").send();
    assert_eq!(flashed.text(), "flashed");
    let session = flashed.header("set-cookie").expect("a session cookie");
    let cookie = session.split(';').next().unwrap();
    // Read by an async handler, after an await.
    let shown = client.get("/messages").header("cookie", cookie).send();
    assert_eq!(shown.text(), "Saved.");
}

/// The text of a panic's payload.
fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| {
            payload
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
        })
        .unwrap_or_default()
}

#[test]
fn outside_a_request_each_function_says_so_and_what_to_do() {
    let calls: [(&str, fn()); 3] = [
        ("flash()", || flash("lost")),
        ("get_flashed_messages()", || {
            get_flashed_messages();
        }),
        ("render_template(\"index.html\")", || {
            carafe::render_template("index.html", carafe::context! {});
        }),
    ];
    for (name, call) in calls {
        let message = panic_message(std::panic::catch_unwind(call).unwrap_err());
        assert!(
            message.starts_with(&format!("{name} was called outside a request"))
                && message.contains("app.test_client()"),
            "{message}"
        );
    }
}

/// This process's resident memory, in KiB (Linux).
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Set in the child process of the test below, which measures its own memory alone.
const MEMORY_CHILD: &str = "CARAFE_TEST_MEMORY_CHILD";

#[test]
fn building_twenty_thousand_apps_leaves_memory_flat() {
    if std::env::var_os(MEMORY_CHILD).is_none() {
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "building_twenty_thousand_apps_leaves_memory_flat",
            ])
            .env(MEMORY_CHILD, "1")
            .status()
            .unwrap();
        assert!(status.success());
        return;
    }
    // A different prefix, static path and document path each time: nothing interned or
    // registered could be shared between them, so whatever an app leaked would add up.
    let build = |index: usize| {
        App::new()
            .register(Blueprint::new(&format!("/shop-{index}")).mount(routes![
                blog::show,
                blog::create,
                blog::create_async
            ]))
            .static_folder("tests/fixtures/static_site")
            .static_url_path(format!("/files-{index}"))
            .openapi_route(format!("/openapi-{index}.json"))
    };
    // Each app serves: one of them answered here, with its own prefix.
    let response = build(7).test_client().post("/shop-7/new").send();
    assert_eq!(response.header("location"), Some("/shop-7/7"));
    for index in 0..2_000 {
        drop(build(index).into_service());
    }
    let Some(before) = resident_kib() else {
        return;
    };
    for index in 2_000..20_000 {
        drop(build(index).into_service());
    }
    let after = resident_kib().unwrap();
    // Each leaked app would keep its paths and parts (well over 100 bytes): 18,000 of them,
    // megabytes. The allocator's own settling stays well under one.
    assert!(
        after < before + 1024,
        "resident memory grew from {before} KiB to {after} KiB over 18,000 apps"
    );
}
