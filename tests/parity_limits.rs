//! Limits and the responses carafe refuses to send malformed: body size, header read timeout,
//! statuses outside 100..=599, header injection, and bodies on 1xx, 204 and 304.

mod common;

use std::time::Duration;

use carafe::prelude::*;
use carafe::Bytes;
use common::{raw_exchange, split_raw, Connection, Logs};
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[route("/upload", POST)]
fn upload(body: Bytes) -> String {
    format!("{} bytes", body.len())
}

/// An upload route that takes more than the app's limit.
#[route("/upload/large", POST, body_limit = "4 KiB")]
fn upload_large(body: Bytes) -> String {
    format!("{} bytes", body.len())
}

/// The body as it came, to see it was read whole and in order.
#[route("/echo", POST)]
fn echo(body: Bytes) -> String {
    String::from_utf8_lossy(&body).into_owned()
}

#[route("/status/<int:code>")]
fn status(code: u32) -> impl IntoResponse {
    ("a body that must not be sent", code)
}

#[derive(Deserialize)]
struct Note {
    value: String,
}

#[route("/note")]
fn note(Query(note): Query<Note>) -> impl IntoResponse {
    ("noted", 200, [("X-Note", note.value)])
}

/// Outlasts the short header timeouts the tests set: a slow handler is no slow client.
#[route("/slow")]
async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_millis(450)).await;
    "done"
}

fn app() -> App {
    App::new().mount(routes![upload, upload_large, echo, status, note, slow])
}

#[test]
fn body_limit_defaults_to_2_mib() {
    let client = app().test_client();
    let limit = 2 * 1024 * 1024;
    let response = client.post("/upload").body(vec![b'x'; limit]).send();
    assert_eq!(response.text(), format!("{limit} bytes"));
    let response = client.post("/upload").body(vec![b'x'; limit + 1]).send();
    assert_eq!(response.status(), 413);
    assert!(
        response
            .text()
            .contains("larger than the app's limit of 2 MiB (2097152 bytes; App::body_limit)"),
        "{}",
        response.text()
    );
}

#[test]
fn body_limit_can_be_changed_on_the_app() {
    let client = app().body_limit(16).test_client();
    assert_eq!(
        client
            .post("/upload")
            .body("0123456789abcdef")
            .send()
            .status(),
        200
    );
    assert_eq!(
        client
            .post("/upload")
            .body("0123456789abcdefg")
            .send()
            .status(),
        413
    );
}

#[tokio::test]
async fn over_a_socket_a_body_over_the_limit_is_413() {
    let addr = common::serve(app().body_limit(1024)).await;
    let small = "x".repeat(1024);
    let answer = common::send(addr, "POST", "/upload", &[], &small).await;
    assert_eq!(answer.body, "1024 bytes");
    // Declared with Content-Length: refused before reading it.
    let large = "x".repeat(4096);
    let answer = Connection::open(addr)
        .await
        .send("POST", "/upload", &[], &large)
        .await;
    assert_eq!(answer.status, 413);
    // Chunked, with no length declared: refused once the limit is crossed.
    let mut request =
        b"POST /upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            .to_vec();
    for _ in 0..3 {
        request.extend_from_slice(b"258\r\n");
        request.extend_from_slice(&[b'x'; 0x258]);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let answer = raw_exchange(addr, &request).await;
    let (head, _) = split_raw(&answer);
    assert!(head.starts_with("http/1.1 413"), "{head}");
}

#[tokio::test]
async fn over_a_socket_a_route_sets_its_own_body_limit() {
    let addr = common::serve(app().body_limit(1024)).await;
    let two_kib = "x".repeat(2048);
    let answer = common::send(addr, "POST", "/upload/large", &[], &two_kib).await;
    assert_eq!(answer.body, "2048 bytes");
    // The app's limit still holds elsewhere.
    let answer = common::send(addr, "POST", "/upload", &[], &two_kib).await;
    assert_eq!(answer.status, 413);
    assert!(
        answer.body.contains("the app's limit of 1 KiB"),
        "{}",
        answer.body
    );
    // Past the route's, declared or not: the 413 names the route's setting.
    let five_kib = "x".repeat(5 * 1024);
    let answer = common::send(addr, "POST", "/upload/large", &[], &five_kib).await;
    assert_eq!(answer.status, 413);
    assert!(
        answer
            .body
            .contains("this route's limit of 4 KiB (4096 bytes; `body_limit` in its #[route])"),
        "{}",
        answer.body
    );
    let mut chunked = b"POST /upload/large HTTP/1.1\r\nHost: localhost\r\n\
        Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        .to_vec();
    for _ in 0..5 {
        chunked.extend_from_slice(b"400\r\n");
        chunked.extend_from_slice(&[b'x'; 0x400]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let answer = raw_exchange(addr, &chunked).await;
    let (head, body) = split_raw(&answer);
    assert!(head.starts_with("http/1.1 413"), "{head}");
    assert!(body.contains("this route's limit"), "{body}");
}

#[tokio::test]
async fn over_a_socket_a_body_sent_in_pieces_is_read_whole_in_order() {
    let addr = common::serve(app()).await;
    let pieces = ["first,", "second,", "third"];
    // Chunked, and then with a declared length: each piece arrives on its own, a pause apart.
    let chunked = pieces.map(|piece| format!("{:x}\r\n{piece}\r\n", piece.len()));
    let declared = pieces.map(str::to_owned);
    for (framing, pieces, end) in [
        ("Transfer-Encoding: chunked", chunked, "0\r\n\r\n"),
        ("Content-Length: 18", declared, ""),
    ] {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /echo HTTP/1.1\r\nHost: localhost\r\n{framing}\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        for piece in pieces {
            tokio::time::sleep(Duration::from_millis(50)).await;
            stream.write_all(piece.as_bytes()).await.unwrap();
        }
        stream.write_all(end.as_bytes()).await.unwrap();
        let answer = closed_by_server(&mut stream).await;
        let answer = String::from_utf8_lossy(&answer);
        let (head, body) = split_raw(&answer);
        assert!(head.starts_with("http/1.1 200"), "{framing}: {head}");
        assert_eq!(body, "first,second,third", "{framing}");
    }
}

/// Reads until the server closes the connection; fails the test if it stays open for 10 s.
async fn closed_by_server(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut received));
    match read.await {
        Ok(_) => received,
        Err(_) => panic!("the server kept a slow client's connection open"),
    }
}

#[tokio::test]
async fn over_a_socket_slow_clients_are_cut_off_by_the_header_read_timeout() {
    let app = app().header_read_timeout(Duration::from_millis(200));
    let addr = common::serve(app).await;

    // Headers started but never finished.
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /status/200 HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    let received = closed_by_server(&mut slow).await;
    assert!(
        !String::from_utf8_lossy(&received).contains("200 OK"),
        "an unfinished request is never answered"
    );

    // Nothing sent at all.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    assert!(closed_by_server(&mut silent).await.is_empty());

    // A prompt client is served as usual.
    let answer = common::send(addr, "GET", "/status/201", &[], "").await;
    assert_eq!(answer.status, 201);
}

#[tokio::test]
async fn over_a_socket_the_header_read_timeout_spares_slow_handlers_and_busy_connections() {
    let app = app().header_read_timeout(Duration::from_millis(300));
    let addr = common::serve(app).await;
    let mut connection = Connection::open(addr).await;
    // The handler takes a timeout and a half: its request is in flight, not stalled.
    assert_eq!(connection.send("GET", "/slow", &[], "").await.body, "done");
    // The timeout for the next head runs from the answer. The answer came halfway through
    // the watchdog's period; the next request comes after that period has ended, yet within
    // a timeout of the answer.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        connection.send("GET", "/status/200", &[], "").await.status,
        200
    );
    // A connection that keeps sending requests stays open past many timeouts.
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let answer = connection.send("GET", "/status/200", &[], "").await;
        assert_eq!(answer.status, 200);
    }
}

#[test]
fn a_status_outside_100_to_599_answers_500_and_is_logged() {
    let logs = Logs::capture();
    let client = app().test_client();
    for code in [0, 99, 600, 1000, 70000] {
        let response = client.get(&format!("/status/{code}")).send();
        assert_eq!(response.status(), 500, "{code}");
        assert!(!response.text().contains("must not be sent"));
    }
    let logs = logs.text();
    assert!(
        logs.contains("ERROR") && logs.contains("status 600, outside 100..=599"),
        "{logs}"
    );
    // u32 70000 does not fit an HTTP status at all; it is refused, not wrapped around.
    assert!(logs.contains("status 0, outside"), "{logs}");
}

#[tokio::test]
async fn over_a_socket_a_status_outside_100_to_599_answers_500_and_is_logged() {
    let logs = Logs::capture();
    let addr = common::serve(app()).await;
    let answer = common::send(addr, "GET", "/status/999", &[], "").await;
    assert_eq!(answer.status, 500);
    let logs = logs.text();
    assert!(logs.contains("status 999, outside 100..=599"), "{logs}");
}

#[test]
fn a_header_value_with_cr_or_lf_answers_500() {
    let client = app().test_client();
    for value in ["a%0D%0AInjected:%20yes", "a%0AInjected:%20yes", "a%0Db"] {
        let response = client.get(&format!("/note?value={value}")).send();
        assert_eq!(response.status(), 500, "{value}");
        assert!(response.header("x-note").is_none());
        assert!(response.header("injected").is_none());
    }
    assert_eq!(
        client.get("/note?value=plain").send().header("x-note"),
        Some("plain")
    );
}

#[tokio::test]
async fn over_a_socket_no_header_is_injected() {
    let addr = common::serve(app()).await;
    let answer = raw_exchange(
        addr,
        b"GET /note?value=a%0D%0AInjected:%20yes HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    let (head, _) = split_raw(&answer);
    assert!(head.starts_with("http/1.1 500"), "{head}");
    assert!(!head.contains("injected"), "{head}");
    assert!(!head.contains("x-note"), "{head}");
}

#[test]
fn no_body_and_no_content_length_on_1xx_204_and_304() {
    let client = app().test_client();
    for code in [100, 103, 204, 304] {
        let response = client.get(&format!("/status/{code}")).send();
        assert_eq!(response.status(), code);
        assert_eq!(response.text(), "", "{code}");
        assert!(response.header("content-length").is_none(), "{code}");
    }
}

#[tokio::test]
async fn over_a_socket_no_body_and_no_content_length_on_101_204_and_304() {
    let addr = common::serve(app()).await;
    for code in [101, 204, 304] {
        let request =
            format!("GET /status/{code} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        let answer = raw_exchange(addr, request.as_bytes()).await;
        let (head, body) = split_raw(&answer);
        assert!(head.starts_with(&format!("http/1.1 {code} ")), "{head}");
        assert!(!head.contains("content-length"), "{head}");
        assert!(!head.contains("transfer-encoding"), "{head}");
        assert_eq!(body, "", "{code}");
    }
}
