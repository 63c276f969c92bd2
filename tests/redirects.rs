//! `redirect` and `redirect_with` over a real socket: the status, the `Location`, and a location
//! built from the client's input that can never add a header.

mod common;

use carafe::prelude::*;
use common::{raw_exchange, split_raw};
use serde::Deserialize;

#[route("/old")]
fn old() -> Response {
    redirect("/new")
}

#[route("/items", POST)]
fn create() -> Response {
    redirect_with("/items/7", 303)
}

#[derive(Deserialize)]
struct Next {
    next: String,
}

/// Redirects wherever the client asks: the location is the client's input.
#[route("/login")]
fn login(query: Query<Next>) -> Response {
    redirect(&query.next)
}

/// A status computed at run time is checked when the response is built.
#[route("/computed/<int:status>")]
fn computed(status: u16) -> Response {
    redirect_with("/new", status)
}

fn app() -> App {
    App::new().mount(routes![old, create, login, computed])
}

#[tokio::test]
async fn redirects_carry_their_status_and_location() {
    let addr = common::serve(app()).await;
    let answer = common::send(addr, "GET", "/old", &[], "").await;
    assert_eq!(answer.status, 302);
    assert_eq!(answer.header("location"), Some("/new"));
    assert!(answer.body.contains("<a href=\"/new\">"), "{}", answer.body);

    let answer = common::send(addr, "POST", "/items", &[], "").await;
    assert_eq!(answer.status, 303);
    assert_eq!(answer.header("location"), Some("/items/7"));

    for status in [301, 302, 303, 307, 308] {
        let answer = common::send(addr, "GET", &format!("/computed/{status}"), &[], "").await;
        assert_eq!(answer.status, status);
    }
    let answer = common::send(addr, "GET", "/computed/200", &[], "").await;
    assert_eq!(answer.status, 500);
    assert!(!answer.body.contains("redirect_with"), "no detail is sent");
}

#[tokio::test]
async fn a_location_from_the_client_cannot_add_a_header() {
    let addr = common::serve(app()).await;
    // `next=/home\r\nSet-Cookie: session=stolen`, percent-encoded in the query.
    let raw = raw_exchange(
        addr,
        b"GET /login?next=/home%0D%0ASet-Cookie:%20session=stolen HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    )
    .await;
    let (head, _) = split_raw(&raw);
    assert!(head.starts_with("http/1.1 302"), "{raw}");
    assert!(
        head.contains("\r\nlocation: /home%0d%0aset-cookie:%20session=stolen\r\n"),
        "{raw}"
    );
    assert!(!head.contains("\r\nset-cookie"), "{raw}");
}

#[test]
fn the_test_client_sees_the_same_redirect() {
    let response = app().test_client().get("/login?next=/caf%C3%A9").send();
    assert_eq!(response.status(), 302);
    assert_eq!(response.header("location"), Some("/caf%C3%A9"));
}
