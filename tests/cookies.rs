//! Cookies read with the `Cookies` extractor and set or removed on responses, over a socket,
//! with the malformed and hostile values a client or a handler may send.

mod common;

use carafe::cookie::Cookie;
use carafe::prelude::*;
use carafe::Cookies;
use common::{raw_exchange, split_raw};

#[route("/theme")]
fn theme(cookies: Cookies) -> String {
    format!(
        "theme={} lang={} count={}",
        cookies.get("theme").unwrap_or("-"),
        cookies.get("lang").unwrap_or("-"),
        cookies.iter().count()
    )
}

#[route("/remember/<value>")]
fn remember(value: String) -> impl IntoResponse {
    ("remembered", Cookie::new("theme", value))
}

#[route("/two")]
fn two() -> Response {
    let mut response = Response::new("two cookies");
    response.set_cookie(Cookie::new("a", "1"));
    response.set_cookie(Cookie::build(("b", "2")).http_only(true).path("/app"));
    response
}

#[route("/forget")]
fn forget() -> Response {
    let mut response = Response::new("forgotten");
    response.remove_cookie("theme");
    response
}

fn app() -> App {
    App::new().mount(routes![theme, remember, two, forget])
}

#[tokio::test]
async fn cookies_are_read_and_bad_pairs_left_out() {
    let addr = common::serve(app()).await;
    let answer = common::send(
        addr,
        "GET",
        "/theme",
        &[("cookie", "theme=dark%20blue; =broken; ;; lang=fr; novalue")],
        "",
    )
    .await;
    assert_eq!(answer.body, "theme=dark blue lang=fr count=2");
    // Two Cookie headers, as HTTP/2 clients send them.
    let response = app()
        .test_client()
        .get("/theme")
        .header("Cookie", "theme=dark")
        .header("Cookie", "lang=fr")
        .await;
    assert_eq!(response.text(), "theme=dark lang=fr count=2");
    let answer = common::send(addr, "GET", "/theme", &[], "").await;
    assert_eq!(answer.body, "theme=- lang=- count=0");
}

#[tokio::test]
async fn cookies_are_set_and_removed() {
    let addr = common::serve(app()).await;
    let answer = common::send(addr, "GET", "/remember/dark", &[], "").await;
    assert_eq!(answer.header("set-cookie"), Some("theme=dark; Path=/"));

    let answer = common::send(addr, "GET", "/two", &[], "").await;
    let set: Vec<_> = answer.headers.get_all("set-cookie").iter().collect();
    assert_eq!(set, ["a=1; Path=/", "b=2; HttpOnly; Path=/app"]);

    let answer = common::send(addr, "GET", "/forget", &[], "").await;
    let removal = answer.header("set-cookie").unwrap();
    assert!(
        removal.starts_with("theme=; Path=/; Max-Age=0; Expires="),
        "{removal}"
    );
}

#[tokio::test]
async fn a_cookie_value_from_the_client_cannot_add_a_header() {
    let addr = common::serve(app()).await;
    // The value, percent-encoded in the path, decodes to CR LF and a forged header.
    let raw = raw_exchange(
        addr,
        b"GET /remember/x%0D%0ASet-Cookie:%20admin=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    )
    .await;
    let (head, _) = split_raw(&raw);
    assert!(head.starts_with("http/1.1 200"), "{raw}");
    let set: Vec<&str> = head
        .lines()
        .filter(|line| line.starts_with("set-cookie:"))
        .collect();
    assert_eq!(
        set,
        ["set-cookie: theme=x%0d%0aset-cookie%3a%20admin%3d1; path=/"],
        "{raw}"
    );
}
