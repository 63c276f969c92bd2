//! Flask behaviours that carafe once missed: repeated tuple headers, the trailing-slash
//! redirect beside a route of another method, an app that cannot start saying so before its
//! banner, and `-- routes` into a pipe that closes early.

mod common;

use std::process::{Command, Stdio};

use carafe::prelude::*;
use carafe::HeaderMap;
use common::{raw_exchange, split_raw};

#[route("/multi")]
fn multi() -> impl IntoResponse {
    (
        "many",
        [
            ("X-Multi", "a"),
            ("Content-Type", "text/plain"),
            ("X-Multi", "b"),
            ("X-Multi", "c"),
        ],
    )
}

#[route("/map")]
fn map() -> impl IntoResponse {
    let mut headers = HeaderMap::new();
    headers.append("x-multi", "a".parse().unwrap());
    headers.append("x-multi", "b".parse().unwrap());
    ("many", headers)
}

#[route("/bar/")]
fn bar_slash() -> &'static str {
    "bar with a slash"
}

#[route("/bar", POST)]
fn bar_post() -> &'static str {
    "bar posted"
}

fn app() -> App {
    App::new().mount(routes![multi, map, bar_slash, bar_post])
}

#[tokio::test]
async fn repeated_tuple_headers_are_all_sent_in_order() {
    let addr = common::serve(app()).await;
    for path in ["/multi", "/map"] {
        let request = format!("GET {path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        let raw = raw_exchange(addr, request.as_bytes()).await;
        let (head, _) = split_raw(&raw);
        let values: Vec<&str> = head
            .lines()
            .filter_map(|line| line.strip_prefix("x-multi: "))
            .collect();
        let expected: &[&str] = if path == "/multi" {
            &["a", "b", "c"]
        } else {
            &["a", "b"]
        };
        assert_eq!(values, expected, "{raw}");
    }
    // A name given once still replaces the default: one Content-Type.
    let answer = common::send(addr, "GET", "/multi", &[], "").await;
    let types: Vec<_> = answer.headers.get_all("content-type").iter().collect();
    assert_eq!(types, ["text/plain"]);
}

#[tokio::test]
async fn the_slash_route_wins_over_a_405() {
    let addr = common::serve(app()).await;
    let answer = common::send(addr, "GET", "/bar", &[], "").await;
    assert_eq!(answer.status, 308);
    assert_eq!(answer.header("location"), Some("/bar/"));
    let answer = common::send(addr, "POST", "/bar", &[], "").await;
    assert_eq!(answer.body, "bar posted");
    // Neither path answers PUT: 405 for the path asked.
    let answer = common::send(addr, "PUT", "/bar", &[], "").await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("POST, OPTIONS"));
    // OPTIONS is answered by the path itself.
    let answer = common::send(addr, "OPTIONS", "/bar", &[], "").await;
    assert_eq!(answer.status, 200);
}

#[route("/dup")]
fn first_dup() -> &'static str {
    "first"
}

#[route("/dup")]
fn second_dup() -> &'static str {
    "second"
}

#[route("/offset/<int:n>")]
fn offset(n: i64) -> String {
    n.to_string()
}

#[route("/count/<int:n>")]
fn count(n: u32) -> String {
    n.to_string()
}

#[route("/offset/<int:m>")]
fn unsigned_twin(m: u8) -> String {
    m.to_string()
}

#[tokio::test]
async fn an_int_is_signed_when_its_argument_is() {
    let addr = common::serve(App::new().mount(routes![offset, count])).await;
    let answer = common::send(addr, "GET", "/offset/-2", &[], "").await;
    assert_eq!((answer.status.as_u16(), answer.body.as_str()), (200, "-2"));
    assert_eq!(
        common::send(addr, "GET", "/offset/7", &[], "").await.body,
        "7"
    );
    for refused in ["/count/-2", "/offset/--2", "/offset/-"] {
        let answer = common::send(addr, "GET", refused, &[], "").await;
        assert_eq!(answer.status, 404, "{refused}");
    }
    let app = App::new().mount(routes![offset]);
    assert_eq!(app.url_for(&carafe::url_for!(offset, n = -2)), "/offset/-2");
    // Signed or not, `<int:..>` on one path is one route: two clash.
    let problem = std::panic::catch_unwind(|| {
        App::new()
            .mount(routes![offset])
            .mount(routes![unsigned_twin])
            .test_client()
    })
    .err()
    .and_then(|payload| payload.downcast::<String>().ok())
    .expect("the app refuses to start");
    assert!(
        problem.contains("`offset`") && problem.contains("`unsigned_twin`"),
        "{problem}"
    );
}

/// When run as the child of the test below, runs an app that cannot start.
const RUN_BROKEN_APP: &str = "CARAFE_TEST_RUN_BROKEN_APP";

#[test]
fn an_app_that_cannot_start_says_so_before_its_banner() {
    if std::env::var_os(RUN_BROKEN_APP).is_some() {
        App::new()
            .mount(routes![first_dup])
            .mount(routes![second_dup])
            .run();
        return;
    }
    // The test binary runs this test again, as the child that serves.
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "an_app_that_cannot_start_says_so_before_its_banner",
            // The app's error goes to the real stderr, not the harness's capture.
            "--nocapture",
        ])
        .env(RUN_BROKEN_APP, "1")
        .env("PORT", "0")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains("Running on"), "{stdout}");
    assert!(
        stderr.contains("`first_dup`") && stderr.contains("`second_dup`"),
        "{stderr}"
    );
}

#[test]
fn the_listing_into_a_closed_pipe_ends_quietly() {
    let mut child = Command::new(common::example_binary("items"))
        .arg("routes")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the listing is written, as `| head -0` would.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
