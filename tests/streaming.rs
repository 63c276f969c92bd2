//! Answers sent as they are produced, over real sockets: each test reads the first chunk (or
//! event) before the handler's stream has produced the last.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use carafe::prelude::*;
use carafe::{Event, Sse, Streaming};
use futures_util::stream;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

type Chunk = Result<String, std::io::Error>;

/// The chunks the test feeds the handler, one request's worth.
struct Feed(Mutex<Option<UnboundedReceiver<Chunk>>>);

/// The events the test feeds the handler.
struct Events(Mutex<Option<UnboundedReceiver<Event>>>);

const PATIENCE: Duration = Duration::from_secs(10);

#[route("/feed")]
fn feed(feed: State<Feed>) -> impl IntoResponse {
    let receiver = feed.0.lock().unwrap().take().expect("one request per app");
    Streaming(stream::unfold(receiver, |mut receiver| async move {
        let chunk = receiver.recv().await?;
        Some((chunk, receiver))
    }))
}

#[route("/events")]
fn events(events: State<Events>) -> impl IntoResponse {
    let receiver = events
        .0
        .lock()
        .unwrap()
        .take()
        .expect("one request per app");
    Sse(stream::unfold(receiver, |mut receiver| async move {
        let event = receiver.recv().await?;
        Some((event, receiver))
    }))
}

#[route("/hello")]
fn hello() -> &'static str {
    "hello"
}

fn app() -> (App, UnboundedSender<Chunk>, UnboundedSender<Event>) {
    let (chunks, chunk_feed) = unbounded_channel();
    let (events, event_feed) = unbounded_channel();
    let app = App::new()
        .state(Feed(Mutex::new(Some(chunk_feed))))
        .state(Events(Mutex::new(Some(event_feed))))
        .mount(routes![feed, events, hello]);
    (app, chunks, events)
}

/// Reads from `stream` until what was read contains `expected`; all that was read.
async fn read_until(stream: &mut TcpStream, received: &mut Vec<u8>, expected: &str) {
    let mut buffer = [0; 4096];
    tokio::time::timeout(PATIENCE, async {
        while !String::from_utf8_lossy(received).contains(expected) {
            let read = stream.read(&mut buffer).await.unwrap();
            assert!(read > 0, "closed before {expected:?}: {received:?}");
            received.extend_from_slice(&buffer[..read]);
        }
    })
    .await
    .unwrap_or_else(|_| {
        panic!(
            "{expected:?} never came: {:?}",
            String::from_utf8_lossy(received)
        )
    });
}

#[tokio::test]
async fn chunks_are_sent_as_they_come_over_http1() {
    let (app, chunks, _) = app();
    let addr = common::serve(app).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /feed HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    chunks.send(Ok("first chunk".to_owned())).unwrap();
    let mut received = Vec::new();
    read_until(&mut stream, &mut received, "first chunk").await;
    let so_far = String::from_utf8_lossy(&received).to_ascii_lowercase();
    assert!(so_far.starts_with("http/1.1 200"), "{so_far}");
    assert!(so_far.contains("transfer-encoding: chunked"), "{so_far}");
    assert!(
        so_far.contains("content-type: text/html; charset=utf-8"),
        "{so_far}"
    );

    chunks.send(Ok("last chunk".to_owned())).unwrap();
    drop(chunks);
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut received))
        .await
        .unwrap()
        .unwrap();
    let whole = String::from_utf8_lossy(&received);
    assert!(whole.contains("last chunk"), "{whole}");
    assert!(
        whole.ends_with("0\r\n\r\n"),
        "the chunked answer ends: {whole}"
    );
}

#[tokio::test]
async fn chunks_are_sent_as_they_come_over_http2() {
    let (app, chunks, _) = app();
    let addr = common::serve(app).await;
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    let request = carafe::http::Request::get(format!("http://{addr}/feed"))
        .body(Empty::<Bytes>::new())
        .unwrap();
    chunks.send(Ok("first".to_owned())).unwrap();
    let response = sender.send_request(request).await.unwrap();
    let mut body = response.into_body();
    let frame = tokio::time::timeout(PATIENCE, body.frame())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(frame.into_data().unwrap(), "first");
    chunks.send(Ok("second".to_owned())).unwrap();
    drop(chunks);
    let rest = body.collect().await.unwrap().to_bytes();
    assert_eq!(rest, "second");
}

#[tokio::test]
async fn a_stream_that_fails_cuts_its_answer_short_and_the_server_serves_on() {
    let (app, chunks, _) = app();
    let addr = common::serve(app).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /feed HTTP/1.1\r\nHost: a\r\n\r\n")
        .await
        .unwrap();
    chunks.send(Ok("partial".to_owned())).unwrap();
    let mut received = Vec::new();
    read_until(&mut stream, &mut received, "partial").await;
    chunks
        .send(Err(std::io::Error::other("the database went away")))
        .unwrap();
    // The connection closes without the chunked answer's end: the client knows it is cut.
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut received))
        .await
        .unwrap()
        .ok();
    let whole = String::from_utf8_lossy(&received);
    assert!(!whole.ends_with("0\r\n\r\n"), "{whole}");
    assert!(!whole.contains("database"), "{whole}");
    assert_eq!(
        common::send(addr, "GET", "/hello", &[], "").await.body,
        "hello"
    );
}

#[tokio::test]
async fn server_sent_events_are_sent_as_they_come() {
    let (app, _, events) = app();
    let addr = common::serve(app).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /events HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    events
        .send(Event::default().event("tick").id("1").data("one"))
        .unwrap();
    let mut received = Vec::new();
    read_until(&mut stream, &mut received, "data: one\n\n").await;
    let so_far = String::from_utf8_lossy(&received).to_ascii_lowercase();
    assert!(
        so_far.contains("content-type: text/event-stream"),
        "{so_far}"
    );
    assert!(so_far.contains("cache-control: no-cache"), "{so_far}");
    assert!(
        so_far.contains("event: tick\nid: 1\ndata: one\n\n"),
        "{so_far}"
    );
    assert!(!so_far.contains("two"), "{so_far}");

    // A name with a line break cannot start a field of its own.
    events
        .send(
            Event::default()
                .event("tock\ndata: forged")
                .data("two\nlines"),
        )
        .unwrap();
    drop(events);
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut received))
        .await
        .unwrap()
        .unwrap();
    let whole = String::from_utf8_lossy(&received);
    assert!(
        whole.contains("event: tockdata: forged\ndata: two\ndata: lines\n\n"),
        "{whole}"
    );
}

static PULLED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// An endless stream of 64 KiB chunks, counting how many were asked for.
#[route("/endless")]
fn endless() -> impl IntoResponse {
    Streaming(stream::repeat_with(|| {
        PULLED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok::<_, std::io::Error>(vec![b'x'; 64 * 1024])
    }))
}

#[tokio::test]
async fn a_client_that_does_not_read_holds_the_stream_back() {
    let addr = common::serve(App::new().mount(routes![endless])).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /endless HTTP/1.1\r\nHost: a\r\n\r\n")
        .await
        .unwrap();
    let mut head = [0; 256];
    let _ = stream.read(&mut head).await.unwrap();
    // The client reads no more: once the sockets' buffers are full, no chunk is asked for.
    let pulled_when = || PULLED.load(std::sync::atomic::Ordering::SeqCst);
    let mut before = pulled_when();
    let mut settled = false;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = pulled_when();
        settled = now == before;
        if settled {
            break;
        }
        before = now;
    }
    assert!(settled, "chunks still asked for after 10 s: {before}");
    // Tens of megabytes at most, held by the kernel; not the endless stream.
    assert!(before < 1024, "{before} chunks of 64 KiB asked for");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(pulled_when(), before, "still asked for chunks nobody reads");
}
