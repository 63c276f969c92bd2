//! The test client, blocking and awaited, and the access log every request writes.

mod common;

use carafe::prelude::*;
use carafe::{Bytes, HeaderMap};
use common::Logs;
use serde::Deserialize;

#[route("/echo", GET, POST, PUT, PATCH, DELETE)]
fn echo(method: Method, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let token = headers
        .get("x-token")
        .map_or("-", |value| value.to_str().unwrap_or("?"));
    let text = format!(
        "{method} token={token} body={}",
        String::from_utf8_lossy(&body)
    );
    (text, [("X-Method", method.to_string())])
}

#[route("/signup", POST)]
fn signup(form: Form) -> String {
    format!(
        "hello {} {}",
        &form["username"],
        form.get("lastname").unwrap_or("-")
    )
}

#[derive(Deserialize)]
struct NewItem {
    id: u32,
    name: String,
}

#[route("/items", POST)]
fn create(Json(item): Json<NewItem>) -> impl IntoResponse {
    (Json(json!({ "id": item.id, "name": item.name })), 201)
}

#[route("/logged/<int:n>")]
fn logged(n: u32) -> impl IntoResponse {
    ("logged", if n == 0 { 404 } else { 200 })
}

fn app() -> App {
    App::new().mount(routes![echo, signup, create, logged])
}

#[test]
fn every_method_from_a_plain_test() {
    let client = app().test_client();
    let cases = [
        (client.get("/echo"), "GET"),
        (client.post("/echo"), "POST"),
        (client.put("/echo"), "PUT"),
        (client.patch("/echo"), "PATCH"),
        (client.delete("/echo"), "DELETE"),
    ];
    for (request, method) in cases {
        let response = request.send();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.text(), format!("{method} token=- body="));
        assert_eq!(response.header("x-method"), Some(method));
    }
    let head = client.head("/echo").send();
    assert_eq!((head.status().as_u16(), head.text().as_str()), (200, ""));
    // The GET route answers it, and sees the request's own method, as in Flask.
    assert_eq!(head.header("x-method"), Some("HEAD"));
    let options = client.options("/echo").send();
    assert_eq!(
        options.header("allow"),
        Some("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
    );
}

#[test]
fn headers_body_form_and_json() {
    let client = app().test_client();
    let response = client
        .put("/echo")
        .header("X-Token", "secret")
        .body("raw bytes")
        .send();
    assert_eq!(response.text(), "PUT token=secret body=raw bytes");
    assert_eq!(
        response.bytes().as_ref(),
        b"PUT token=secret body=raw bytes"
    );
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );

    let response = client
        .post("/signup")
        .form(&[("username", "sam"), ("lastname", "king")])
        .send();
    assert_eq!(response.text(), "hello sam king");

    let response = client
        .post("/items")
        .json(&json!({ "id": 3, "name": "cherry" }))
        .send();
    assert_eq!(response.status(), 201);
    let item: serde_json::Value = response.json();
    assert_eq!(item, json!({ "id": 3, "name": "cherry" }));
}

#[tokio::test]
async fn awaited_from_an_async_test() {
    let client = app().test_client();
    let response = client.post("/signup").form(&[("username", "ann")]).await;
    assert_eq!(response.text(), "hello ann -");
    let response = client.request(Method::DELETE, "/echo").await;
    assert_eq!(response.text(), "DELETE token=- body=");
}

#[tokio::test]
#[should_panic(expected = "write `client.get(..).await` instead of `.send()`")]
async fn send_inside_an_async_test_says_to_await() {
    app().test_client().get("/echo").send();
}

#[test]
fn the_test_client_sees_what_a_socket_sees() {
    let client = app().test_client();
    let response = client.get("/echo").send();
    // The same final checks as the server: Content-Length is written by carafe.
    assert_eq!(response.header("content-length"), Some("17"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let answer = runtime.block_on(async {
        let addr = common::serve(app()).await;
        common::send(addr, "GET", "/echo", &[], "").await
    });
    assert_eq!(answer.body, response.text());
    for name in ["content-length", "content-type", "x-method"] {
        assert_eq!(answer.header(name), response.header(name), "{name}");
    }
}

#[test]
fn one_access_line_per_request_through_the_test_client() {
    let logs = Logs::capture();
    let client = app().test_client();
    client.get("/logged/1?from=client").send();
    client.get("/logged/0?from=client").send();
    let lines = logs.access_lines();
    let ok: Vec<_> = lines
        .iter()
        .filter(|line| line.contains("\"GET /logged/1?from=client HTTP/1.1\" 200 "))
        .collect();
    assert_eq!(ok.len(), 1, "{lines:#?}");
    assert!(ok[0].contains(" INFO "), "{}", ok[0]);
    // No socket, so no client address; the duration ends the line.
    assert!(ok[0].contains("carafe::access: - \"GET"), "{}", ok[0]);
    assert!(ok[0].trim_end().ends_with('s'), "{}", ok[0]);
    assert!(
        lines
            .iter()
            .any(|line| line.contains("\"GET /logged/0?from=client HTTP/1.1\" 404 ")),
        "{lines:#?}"
    );
}

#[tokio::test]
async fn one_access_line_per_request_over_a_socket() {
    let logs = Logs::capture();
    let addr = common::serve(app()).await;
    let mut connection = common::Connection::open(addr).await;
    for _ in 0..3 {
        connection
            .send("GET", "/logged/7?from=socket", &[], "")
            .await;
    }
    common::send(addr, "POST", "/logged/7?from=socket", &[], "").await;
    let lines = logs.access_lines();
    let gets = lines
        .iter()
        .filter(|line| line.contains("127.0.0.1 \"GET /logged/7?from=socket HTTP/1.1\" 200 "))
        .count();
    assert_eq!(gets, 3, "{lines:#?}");
    assert!(
        lines
            .iter()
            .any(|line| line.contains("127.0.0.1 \"POST /logged/7?from=socket HTTP/1.1\" 405 ")),
        "{lines:#?}"
    );
}
