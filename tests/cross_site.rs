//! Cross-site request protection, on by default, over a socket: a browser's unsafe request that
//! a page of another origin sent answers 403 before any of the app's code runs; same-origin
//! pages, clients that are no browser, safe methods, trusted origins and `cross_origin`
//! routes pass.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use carafe::prelude::*;
use common::Answer;

/// How many times a handler or hook ran.
#[derive(Clone, Default)]
struct Runs(Arc<AtomicUsize>);

impl Runs {
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

#[route("/note", POST, PUT, DELETE, GET)]
fn note(runs: State<Runs>) -> &'static str {
    runs.0.fetch_add(1, Ordering::SeqCst);
    "noted"
}

#[route("/webhook", POST, cross_origin)]
fn webhook(form: Form) -> String {
    format!("hook {}", form.get("event").unwrap_or_default())
}

fn app(runs: &Runs, hooks: &Runs) -> App {
    let before = hooks.clone();
    App::new()
        .state(runs.clone())
        .mount(routes![note, webhook])
        .before_request(move |_| {
            before.0.fetch_add(1, Ordering::SeqCst);
            None::<()>
        })
        .after_request(|mut response: Response| {
            response.headers.insert("x-after", "seen".parse().unwrap());
            response
        })
}

/// `method /note` from a browser that sent these headers, and a host of `localhost`.
async fn from_browser(
    addr: std::net::SocketAddr,
    method: &str,
    headers: &[(&str, &str)],
) -> Answer {
    common::send(addr, method, "/note", headers, "").await
}

#[tokio::test]
async fn an_unsafe_request_from_another_site_is_refused_before_the_app_runs() {
    let (runs, hooks) = (Runs::default(), Runs::default());
    let addr = common::serve(app(&runs, &hooks)).await;
    for method in ["POST", "PUT", "DELETE"] {
        for said in [
            [("sec-fetch-site", "cross-site")],
            [("sec-fetch-site", "same-site")],
            // An older browser: no Sec-Fetch-Site, an Origin of another host.
            [("origin", "https://attacker.example")],
            // A sandboxed page or a redirect across origins.
            [("origin", "null")],
        ] {
            let answer = from_browser(addr, method, &said).await;
            assert_eq!(answer.status, 403, "{method} {said:?}");
            assert!(
                answer
                    .body
                    .contains(&format!("Cross-site {method} refused"))
                    && answer.body.contains("App::trusted_origin")
                    && answer.body.contains("cross_origin"),
                "{}",
                answer.body
            );
            // The after hooks see the refusal, as they see routing's errors.
            assert_eq!(answer.header("x-after"), Some("seen"));
        }
    }
    assert_eq!(runs.count(), 0, "the handler ran");
    assert_eq!(hooks.count(), 0, "a before hook ran");
}

#[tokio::test]
async fn same_origin_pages_clients_that_are_no_browser_and_safe_methods_pass() {
    let (runs, hooks) = (Runs::default(), Runs::default());
    let addr = common::serve(app(&runs, &hooks)).await;
    let passing: [&[(&str, &str)]; 5] = [
        // curl, another server: no browser header at all.
        &[],
        &[("sec-fetch-site", "same-origin")],
        // Typed in the address bar, or a bookmark.
        &[("sec-fetch-site", "none")],
        // An older browser on the same host (the client sends `Host: localhost`).
        &[("origin", "http://localhost")],
        &[
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://localhost"),
        ],
    ];
    for headers in passing {
        let answer = from_browser(addr, "POST", headers).await;
        assert_eq!(
            (answer.status.as_u16(), answer.body.as_str()),
            (200, "noted"),
            "{headers:?}"
        );
    }
    // A cross-site link or image may fetch a page: safe methods are not refused.
    let answer = from_browser(addr, "GET", &[("sec-fetch-site", "cross-site")]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(runs.count(), 6);
}

#[tokio::test]
async fn a_trusted_origin_and_a_cross_origin_route_take_posts_from_other_sites() {
    let (runs, hooks) = (Runs::default(), Runs::default());
    let app = app(&runs, &hooks).trusted_origin("https://partner.example");
    let addr = common::serve(app).await;
    let partner = [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://partner.example"),
    ];
    assert_eq!(from_browser(addr, "POST", &partner).await.status, 200);
    // Only that origin: another scheme is another origin.
    let other = [
        ("sec-fetch-site", "cross-site"),
        ("origin", "http://partner.example"),
    ];
    assert_eq!(from_browser(addr, "POST", &other).await.status, 403);

    let answer = common::send(
        addr,
        "POST",
        "/webhook",
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://anyone.example"),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        "event=push",
    )
    .await;
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (200, "hook push")
    );
}

#[test]
fn a_trusted_origin_that_is_no_origin_stops_the_app_from_starting() {
    let problem = common::refusal(|| App::new().trusted_origin("https://partner.example/"));
    assert!(
        problem.contains("no path, query or fragment")
            && problem.contains("\"https://partner.example\""),
        "{problem}"
    );
}

#[test]
fn the_test_client_is_no_browser() {
    let (runs, hooks) = (Runs::default(), Runs::default());
    let client = app(&runs, &hooks).test_client();
    assert_eq!(client.post("/note").send().text(), "noted");
}
