//! What a response's length and a request's `Host` and head size may be, whatever a handler or a client
//! says: over real sockets, HTTP/1.1 and HTTP/2.

mod common;

use carafe::prelude::*;
use common::{get_http2, raw_exchange, split_raw, Logs};

/// Sets a Content-Length shorter than its body: sent as is, the rest of the body would pass for
/// a second response on a kept-alive connection.
#[route("/short-length")]
fn short_length() -> impl IntoResponse {
    (
        "0123456789HTTP/1.1 200 OK\r\nX-Forged: yes\r\n\r\n",
        [("Content-Length", "10")],
    )
}

/// Sets a Content-Length longer than its body: the client would wait for bytes never sent.
#[route("/long-length")]
fn long_length() -> impl IntoResponse {
    ("short", 200, [("Content-Length", "100")])
}

/// Sets the right one: sent once.
#[route("/right-length")]
fn right_length() -> impl IntoResponse {
    ("exact", [("Content-Length", "5")])
}

#[route("/hello")]
fn hello() -> &'static str {
    "hello"
}

fn app() -> App {
    App::new().mount(routes![short_length, long_length, right_length, hello])
}

/// Each `HTTP/1.1 ` status line of a raw exchange, with the Content-Length after it.
fn answers(raw: &str) -> Vec<(String, String)> {
    raw.match_indices("HTTP/1.1 ")
        .map(|(at, _)| {
            let (head, body) = split_raw(&raw[at..]);
            let status = head.lines().next().unwrap_or_default().to_owned();
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length: "))
                .unwrap_or("none")
                .to_owned();
            let length_value: usize = length.parse().unwrap_or(0);
            (
                status,
                format!("{length} {}", &body[..length_value.min(body.len())]),
            )
        })
        .collect()
}

#[tokio::test]
async fn content_length_is_the_bodys_over_http1_whatever_the_handler_set() {
    let logs = Logs::capture();
    let addr = common::serve(app()).await;
    // Two requests on one connection: the second must get its own answer, not the first
    // body's tail.
    let raw = raw_exchange(
        addr,
        b"GET /short-length HTTP/1.1\r\nHost: test\r\n\r\n\
          GET /hello HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
    )
    .await;
    let body = "0123456789HTTP/1.1 200 OK\r\nX-Forged: yes\r\n\r\n";
    let (head, rest) = split_raw(&raw);
    assert!(head.starts_with("http/1.1 200"), "{raw}");
    assert_eq!(head.matches("content-length").count(), 1, "{raw}");
    assert!(
        head.contains(&format!("content-length: {}", body.len())),
        "{raw}"
    );
    // The forged status line is the first answer's body, and the second answer is the real
    // one, without the forged header.
    let second = rest.strip_prefix(body).unwrap_or_else(|| panic!("{raw}"));
    let (second_head, second_body) = split_raw(second);
    assert!(second_head.starts_with("http/1.1 200"), "{raw}");
    assert!(!second_head.contains("x-forged"), "{raw}");
    assert_eq!(second_body, "hello");

    for (path, expected) in [("/long-length", "5 short"), ("/right-length", "5 exact")] {
        let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
        let raw = raw_exchange(addr, request.as_bytes()).await;
        let found = answers(&raw);
        assert_eq!(found.len(), 1, "{raw}");
        assert_eq!(found[0].1, expected, "{raw}");
    }
    let text = logs.text();
    assert!(
        text.contains("the handler set Content-Length \"100\" on a body of 5 bytes: sent 5"),
        "{text}"
    );
    assert!(
        !text.contains("Content-Length \"5\""),
        "a right length is no mistake: {text}"
    );
}

#[tokio::test]
async fn content_length_is_the_bodys_over_http2() {
    let addr = common::serve(app()).await;
    let answer = get_http2(addr, "/long-length").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "short");
    let lengths: Vec<_> = answer.headers.get_all("content-length").iter().collect();
    assert!(lengths.iter().all(|length| *length == "5"), "{lengths:?}");
    let answer = get_http2(addr, "/short-length").await;
    assert_eq!(answer.status, 200);
    assert!(
        answer.body.starts_with("0123456789HTTP/1.1"),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn an_http1_1_request_needs_exactly_one_host() {
    let addr = common::serve(app()).await;
    for (request, status, says) in [
        (
            "GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n",
            "400",
            "no Host header",
        ),
        (
            "GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
            "400",
            "more than one Host header",
        ),
        (
            "GET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            "200",
            "hello",
        ),
        // HTTP/1.0 has no Host requirement.
        ("GET /hello HTTP/1.0\r\n\r\n", "200", "hello"),
    ] {
        let raw = raw_exchange(addr, request.as_bytes()).await;
        let (head, body) = split_raw(&raw);
        // hyper answers an HTTP/1.0 request in HTTP/1.0.
        assert!(head.starts_with("http/1."), "{request:?}: {raw}");
        assert_eq!(head.get(9..12), Some(status), "{request:?}: {raw}");
        assert!(body.contains(says), "{request:?}: {raw}");
    }
    // HTTP/2 carries the authority in the request itself.
    assert_eq!(get_http2(addr, "/hello").await.body, "hello");
}

#[tokio::test]
async fn a_head_of_too_many_headers_answers_431() {
    let addr = common::serve(app()).await;
    let headers: String = (0..200).map(|i| format!("X-{i}: y\r\n")).collect();
    let request = format!("GET /hello HTTP/1.1\r\nHost: a\r\n{headers}\r\n");
    let raw = raw_exchange(addr, request.as_bytes()).await;
    assert!(raw.starts_with("HTTP/1.1 431"), "{raw}");
    // 100 headers are still a request.
    let headers: String = (0..98).map(|i| format!("X-{i}: y\r\n")).collect();
    let request = format!("GET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n{headers}\r\n");
    let raw = raw_exchange(addr, request.as_bytes()).await;
    assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");
}

#[test]
fn the_test_client_sends_a_host_as_a_browser_does() {
    let client = app().test_client();
    assert_eq!(client.get("/hello").send().text(), "hello");
    let response = client.get("/hello").header("Host", "example.com").send();
    assert_eq!(response.text(), "hello");
}

/// A client that sends its request head one byte at a time, from `start`, until the server
/// closes the connection: how long after `start` that was. A trickle is no progress: the whole
/// head must arrive within the header read timeout.
async fn trickle_until_closed(
    mut stream: tokio::net::TcpStream,
    start: tokio::time::Instant,
) -> std::time::Duration {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let head = b"GET /hello HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".iter();
    for &byte in head.chain(std::iter::repeat(&b'a')).take(10_000) {
        // A write to a closed connection may still succeed once; the read below tells.
        if stream.write_all(&[byte]).await.is_err() {
            return start.elapsed();
        }
        let mut buffer = [0; 64];
        match tokio::time::timeout(
            std::time::Duration::from_millis(50),
            stream.read(&mut buffer),
        )
        .await
        {
            Ok(Ok(0) | Err(_)) => return start.elapsed(),
            Ok(Ok(_)) => panic!("an unfinished head was answered"),
            Err(_) => {}
        }
    }
    panic!("a trickling head was never cut off");
}

/// The header read timeout is the setting: a client that trickles its head is closed within a
/// second of it, counted from the connection's start or, on a kept-alive connection, from the
/// end of the answer before. Several clients, staggered, so that whenever in the watchdog's
/// rounds each one starts, each is held to the same bound.
#[tokio::test]
async fn a_trickled_head_is_cut_off_within_a_second_of_the_header_read_timeout() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::time::{sleep, Instant};

    const TIMEOUT: Duration = Duration::from_secs(1);
    let addr = common::serve(app().header_read_timeout(TIMEOUT)).await;

    let fresh = (0..5u32).map(|index| async move {
        sleep(Duration::from_millis(200) * index).await;
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        trickle_until_closed(stream, Instant::now()).await
    });
    let kept_alive = (0..5u32).map(|index| async move {
        sleep(Duration::from_millis(200) * index + Duration::from_millis(100)).await;
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .unwrap();
        let mut answer = Vec::new();
        while !answer.ends_with(b"hello") {
            let mut buffer = [0; 512];
            let read = stream.read(&mut buffer).await.unwrap();
            assert!(read > 0, "closed before answering");
            answer.extend_from_slice(&buffer[..read]);
        }
        trickle_until_closed(stream, Instant::now()).await
    });
    let (fresh, kept_alive) = tokio::join!(
        futures_util::future::join_all(fresh),
        futures_util::future::join_all(kept_alive)
    );
    for (kind, closed_after) in fresh
        .iter()
        .map(|after| ("fresh", after))
        .chain(kept_alive.iter().map(|after| ("kept-alive", after)))
    {
        assert!(
            *closed_after >= TIMEOUT && *closed_after < TIMEOUT + Duration::from_millis(800),
            "a {kind} connection trickling its head was closed after {closed_after:?}, with a \
             header read timeout of {TIMEOUT:?}"
        );
    }
}
