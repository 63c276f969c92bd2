//! The server over a real socket: routing answers, HEAD, panics, keep-alive and HTTP/2.

mod common;

use std::time::Duration;

use carafe::prelude::*;
use common::{send, Connection};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[route("/hello")]
fn hello() -> &'static str {
    "Hello"
}

#[route("/items/<int:item_id>", GET, PUT)]
async fn item(item_id: u32) -> String {
    format!("item {item_id}")
}

#[route("/squares/<n>")]
fn square(n: i64) -> String {
    (n * n).to_string()
}

#[route("/boom")]
fn boom() -> &'static str {
    panic!("this handler is broken")
}

#[route("/gone")]
fn gone() -> &'static str {
    abort(410)
}

fn app() -> App {
    App::new().mount(routes![hello, item, square, boom, gone])
}

#[tokio::test]
async fn unknown_path_is_404_with_an_html_page() {
    let addr = common::serve(app()).await;
    let answer = send(addr, "GET", "/nope", &[], "").await;
    assert_eq!(answer.status, 404);
    assert!(
        answer.body.contains("<title>404 Not Found</title>"),
        "{}",
        answer.body
    );
    assert_eq!(send(addr, "POST", "/nope", &[], "").await.status, 404);
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let addr = common::serve(app()).await;
    let answer = send(addr, "DELETE", "/items/3", &[], "").await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("GET, HEAD, PUT, OPTIONS"));
}

#[tokio::test]
async fn head_is_answered_by_the_get_route_without_a_body() {
    let addr = common::serve(app()).await;
    let answer = send(addr, "HEAD", "/hello", &[], "").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-length"), Some("5"));
    assert_eq!(answer.body, "");
}

#[tokio::test]
async fn path_parameters_are_parsed_and_a_bad_one_is_404() {
    let addr = common::serve(app()).await;
    assert_eq!(
        send(addr, "GET", "/items/42", &[], "").await.body,
        "item 42"
    );
    assert_eq!(
        send(addr, "PUT", "/items/42", &[], "").await.body,
        "item 42"
    );
    assert_eq!(send(addr, "GET", "/items/apple", &[], "").await.status, 404);
    // `<n>` is a string segment, parsed into the argument's i64: "-3" parses, "x" does not.
    assert_eq!(send(addr, "GET", "/squares/-3", &[], "").await.body, "9");
    assert_eq!(send(addr, "GET", "/squares/x", &[], "").await.status, 404);
    // An int too large for u32 does not parse either.
    assert_eq!(
        send(addr, "GET", "/items/99999999999", &[], "")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_panicking_handler_answers_500_and_the_server_keeps_serving() {
    let addr = common::serve(app()).await;
    let mut connection = Connection::open(addr).await;
    for _ in 0..3 {
        let answer = connection.send("GET", "/boom", &[], "").await;
        assert_eq!(answer.status, 500);
        assert!(
            answer.body.contains("Internal Server Error"),
            "{}",
            answer.body
        );
        assert!(
            !answer.body.contains("broken"),
            "the panic message stays in the log"
        );
        assert_eq!(
            connection.send("GET", "/hello", &[], "").await.body,
            "Hello"
        );
    }
}

#[tokio::test]
async fn abort_answers_the_status_page() {
    let addr = common::serve(app()).await;
    let answer = send(addr, "GET", "/gone", &[], "").await;
    assert_eq!(answer.status, 410);
    assert!(
        answer.body.contains("<title>410 Gone</title>"),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn keep_alive_serves_many_requests_on_one_connection() {
    let addr = common::serve(app()).await;
    let mut connection = Connection::open(addr).await;
    for i in 0..20 {
        let answer = connection
            .send("GET", &format!("/items/{i}"), &[], "")
            .await;
        assert_eq!(answer.body, format!("item {i}"));
    }
}

#[tokio::test]
async fn http2_with_prior_knowledge() {
    let addr = common::serve(app()).await;
    let answer = common::get_http2(addr, "/hello").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "Hello");
}

#[tokio::test]
async fn the_protocol_is_told_from_first_bytes_that_arrive_in_pieces() {
    let addr = common::serve(app()).await;
    let pause = || tokio::time::sleep(Duration::from_millis(50));

    // HTTP/1, opening with a byte that could also open the HTTP/2 preface, alone.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"P").await.unwrap();
    pause().await;
    stream
        .write_all(
            b"UT /items/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("an answer to the HTTP/1 request")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.ends_with("item 1"), "{answer}");

    // HTTP/2, the preface in two halves, then the client's (empty) SETTINGS frame: the server
    // answers with a SETTINGS frame of its own, type 4.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
    pause().await;
    stream.write_all(b"\r\nSM\r\n\r\n").await.unwrap();
    stream
        .write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0])
        .await
        .unwrap();
    let mut frame_head = [0; 9];
    tokio::time::timeout(Duration::from_secs(10), stream.read_exact(&mut frame_head))
        .await
        .expect("an HTTP/2 frame")
        .unwrap();
    assert_eq!(frame_head[3], 4, "not a SETTINGS frame: {frame_head:?}");
}

#[test]
fn handlers_stay_callable_as_written() {
    assert_eq!(hello(), "Hello");
    assert_eq!(square(4), "16");
}
