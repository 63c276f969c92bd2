//! A response built from an `HttpError` is an error page until the handler changes it: then
//! what the handler set (status, body, headers) is sent, over the test client and a socket
//! alike. Left as it is, it still gets the error page and the app's error handler.

mod common;

use carafe::prelude::*;

/// Untouched but for headers: the 404 page, with the headers on it, over the page's own.
#[route("/untouched")]
fn untouched() -> Response {
    let mut response = HttpError::new(404).into_response();
    response
        .headers
        .insert("x-trace", "kept".parse().expect("a valid value"));
    response.headers.insert(
        "content-type",
        "text/plain; charset=utf-8".parse().expect("a valid value"),
    );
    response
}

/// Another status: the handler's, with no page.
#[route("/restatused")]
fn restatused() -> Response {
    let mut response = HttpError::new(404).into_response();
    response.status_code = 410;
    response
}

/// A body of its own: sent with the error's status.
#[route("/rebodied")]
fn rebodied() -> Response {
    let mut response = HttpError::new(404).with_message("hidden").into_response();
    response.set_body("No such item, try /items.");
    response
        .headers
        .insert("content-type", "text/plain".parse().expect("a valid value"));
    response
}

/// Both: exactly what the handler set.
#[route("/rewritten")]
fn rewritten() -> Response {
    let mut response = HttpError::new(500).into_response();
    response.status_code = 202;
    response.set_body("accepted after all");
    response
}

fn app() -> App {
    App::new()
        .mount(routes![untouched, restatused, rebodied, rewritten])
        .error_handler(404, |error: HttpError| {
            format!("custom {}", error.status().as_u16())
        })
}

#[test]
fn an_untouched_error_response_gets_the_error_handler_and_keeps_its_headers() {
    let response = app().test_client().get("/untouched").send();
    assert_eq!(response.status(), 404);
    assert_eq!(response.text(), "custom 404");
    assert_eq!(response.header("x-trace"), Some("kept"));
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    // Without a handler, the default page; the handler's Content-Type still wins, once.
    let client = App::new().mount(routes![untouched]).test_client();
    let response = client.get("/untouched").send();
    assert!(response.text().contains("<title>404 Not Found</title>"));
    assert_eq!(response.header("x-trace"), Some("kept"));
    let types: Vec<_> = response.headers().get_all("content-type").iter().collect();
    assert_eq!(types, ["text/plain; charset=utf-8"]);
}

#[test]
fn a_changed_error_response_sends_what_the_handler_set() {
    let client = app().test_client();
    let response = client.get("/restatused").send();
    assert_eq!(response.status(), 410);
    assert_eq!(response.text(), "");

    let response = client.get("/rebodied").send();
    assert_eq!(response.status(), 404);
    assert_eq!(response.text(), "No such item, try /items.");
    assert_eq!(response.header("content-type"), Some("text/plain"));

    let response = client.get("/rewritten").send();
    assert_eq!(response.status(), 202);
    assert_eq!(response.text(), "accepted after all");
}

#[tokio::test]
async fn the_same_over_a_socket() {
    let addr = common::serve(app()).await;
    let answer = common::send(addr, "GET", "/rebodied", &[], "").await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body, "No such item, try /items.");
    let answer = common::send(addr, "GET", "/untouched", &[], "").await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body, "custom 404");
    assert_eq!(answer.header("x-trace"), Some("kept"));
    let answer = common::send(addr, "GET", "/rewritten", &[], "").await;
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (202, "accepted after all")
    );
}
