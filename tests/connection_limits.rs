//! `App::max_connections`: past it the server takes no new client until a connection closes,
//! and makes room by closing the connections with no request in flight, so idle sockets cannot
//! lock a real client out. Connections with requests in flight finish them first.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use carafe::prelude::*;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http2;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

/// Far longer than any test: no connection here closes for want of a request head.
const HEADER_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a test waits for what must happen before it fails, rather than hang.
const PATIENCE: Duration = Duration::from_secs(20);

/// Held shut until the test opens it: `/wait` answers only then.
static GATE: Semaphore = Semaphore::const_new(0);
/// How many `/wait` requests have begun.
static WAITING: AtomicUsize = AtomicUsize::new(0);

#[route("/hello")]
fn hello() -> &'static str {
    "hello"
}

#[route("/wait")]
async fn wait() -> &'static str {
    WAITING.fetch_add(1, Ordering::SeqCst);
    GATE.acquire().await.unwrap().forget();
    "done"
}

async fn serve(max_connections: usize) -> SocketAddr {
    let app = App::new()
        .max_connections(max_connections)
        .header_read_timeout(HEADER_TIMEOUT)
        .mount(routes![hello, wait]);
    common::serve(app).await
}

const GET_HELLO: &[u8] = b"GET /hello HTTP/1.1\r\nHost: test\r\n\r\n";

/// Reads until `stream` holds a whole answer ending in `body`; the bytes read.
async fn read_answer(stream: &mut TcpStream, body: &str) -> String {
    let mut received = Vec::new();
    let mut buffer = [0; 1024];
    tokio::time::timeout(PATIENCE, async {
        while !received.ends_with(body.as_bytes()) {
            let read = stream.read(&mut buffer).await.unwrap();
            assert!(read > 0, "closed before the answer: {received:?}");
            received.extend_from_slice(&buffer[..read]);
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no whole answer ending in {body:?}: {received:?}"));
    String::from_utf8(received).unwrap()
}

/// Waits until the server closes `stream`.
async fn closed(stream: &mut TcpStream) {
    let mut rest = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut rest))
        .await
        .expect("the server closes the connection")
        .unwrap();
    assert!(rest.is_empty(), "{rest:?}");
}

#[tokio::test]
async fn idle_connections_close_to_make_room_for_a_new_client() {
    let addr = serve(4).await;
    // Two keep-alive connections, idle after one answer each.
    let mut kept_alive = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(GET_HELLO).await.unwrap();
        read_answer(&mut stream, "hello").await;
        kept_alive.push(stream);
    }
    // Two connections that never send a byte.
    let mut silent = Vec::new();
    for _ in 0..2 {
        silent.push(TcpStream::connect(addr).await.unwrap());
    }

    let mut newcomer = TcpStream::connect(addr).await.unwrap();
    newcomer.write_all(GET_HELLO).await.unwrap();
    let answer = read_answer(&mut newcomer, "hello").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    for stream in kept_alive.iter_mut().chain(&mut silent) {
        closed(stream).await;
    }
}

#[tokio::test]
async fn connections_in_flight_finish_before_a_new_client_is_served() {
    let addr = serve(2).await;
    let mut busy = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET /wait HTTP/1.1\r\nHost: test\r\n\r\n")
            .await
            .unwrap();
        busy.push(stream);
    }
    tokio::time::timeout(PATIENCE, async {
        while WAITING.load(Ordering::SeqCst) < 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("both /wait requests begin");

    let mut newcomer = TcpStream::connect(addr).await.unwrap();
    newcomer.write_all(GET_HELLO).await.unwrap();
    let mut early = [0; 64];
    let served_early =
        tokio::time::timeout(Duration::from_millis(300), newcomer.read(&mut early)).await;
    assert!(
        served_early.is_err(),
        "answered while every slot was busy: {served_early:?}"
    );

    GATE.add_permits(2);
    for stream in &mut busy {
        let answer = read_answer(stream, "done").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        // Finished, and the server is full: the connection closes to free its slot.
        closed(stream).await;
    }
    let answer = read_answer(&mut newcomer, "hello").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn an_idle_http2_connection_closes_to_make_room() {
    let addr = serve(1).await;
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
        .await
        .unwrap();
    let connection = tokio::spawn(connection);
    let request = hyper::Request::get(format!("http://{addr}/hello"))
        .body(Empty::<Bytes>::new())
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "hello");

    let mut newcomer = TcpStream::connect(addr).await.unwrap();
    newcomer.write_all(GET_HELLO).await.unwrap();
    let answer = read_answer(&mut newcomer, "hello").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    tokio::time::timeout(PATIENCE, connection)
        .await
        .expect("the idle HTTP/2 connection is closed")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn no_connection_at_all_refuses_to_start() {
    let app = App::new().max_connections(0).mount(routes![hello]);
    let error = common::start_refused(app).await;
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    assert!(error.to_string().contains("max_connections(0)"), "{error}");
}
