//! A request body that trickles in, or stops short of its declared length, answers 408 once
//! the body read timeout has passed: over HTTP/1.1 the connection then closes, over HTTP/2
//! only that stream ends and the connection serves on.

mod common;

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use carafe::prelude::*;
use http_body_util::{BodyExt, Channel, Full};
use hyper::body::Frame;
use hyper::client::conn::http2;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BODY_TIMEOUT: Duration = Duration::from_secs(1);
/// Far longer than the body timeout: what closes the connection here is never the watchdog.
const HEADER_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a test waits for an answer before it fails, rather than hang.
const PATIENCE: Duration = Duration::from_secs(20);

#[route("/echo", POST)]
fn echo(request: Request) -> Vec<u8> {
    request.body().to_vec()
}

fn app() -> App {
    App::new()
        .body_read_timeout(BODY_TIMEOUT)
        .header_read_timeout(HEADER_TIMEOUT)
        .mount(routes![echo])
}

/// Everything the server sends on `stream` until it closes the connection.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut received))
        .await
        .expect("the server closes the connection after the 408")
        .unwrap();
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn a_body_shorter_than_declared_answers_408_and_closes_over_http1() {
    let addr = common::serve(app()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\n0123456789")
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream).await;
    let (head, body) = common::split_raw(&answer);
    assert!(head.starts_with("http/1.1 408"), "{answer}");
    assert!(head.contains("connection: close"), "{answer}");
    assert!(body.contains("did not arrive within 1 s"), "{answer}");
}

#[tokio::test]
async fn a_trickled_body_answers_408_and_closes_over_http1() {
    let addr = common::serve(app()).await;
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    writer
        .write_all(b"POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n")
        .await
        .unwrap();
    // A byte every 200 ms: the whole body would take 20 s, twenty body timeouts.
    let trickle = async move {
        for _ in 0..100 {
            if writer.write_all(b"x").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let read = async {
        let mut received = Vec::new();
        tokio::time::timeout(PATIENCE, reader.read_to_end(&mut received))
            .await
            .expect("the server closes the connection after the 408")
            .unwrap();
        String::from_utf8_lossy(&received).into_owned()
    };
    // The trickle ends once the server has closed; the answer came before.
    let (answer, ()) = tokio::join!(read, trickle);
    let (head, _) = common::split_raw(&answer);
    assert!(head.starts_with("http/1.1 408"), "{answer}");
}

#[tokio::test]
async fn a_body_that_arrives_in_time_is_read_whole_over_http1() {
    let addr = common::serve(app()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"POST /echo HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Length: 4\r\n\r\nab")
        .await
        .unwrap();
    tokio::time::sleep(BODY_TIMEOUT / 4).await;
    stream.write_all(b"cd").await.unwrap();
    let answer = read_until_closed(&mut stream).await;
    let (head, body) = common::split_raw(&answer);
    assert!(head.starts_with("http/1.1 200"), "{answer}");
    assert_eq!(body, "abcd");
}

#[tokio::test]
async fn a_stalled_body_ends_only_its_stream_over_http2() {
    let addr = common::serve(app()).await;
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);

    // Ten bytes of a declared thousand, then nothing: the sender is kept, so the stream stays
    // open without ending.
    let (mut body_sender, body) = Channel::<Bytes, Infallible>::new(1);
    body_sender
        .send(Frame::data(Bytes::from_static(b"0123456789")))
        .await
        .unwrap();
    let stalled = hyper::Request::post(format!("http://{addr}/echo"))
        .header("content-length", "1000")
        .body(body.boxed())
        .unwrap();
    let response = tokio::time::timeout(PATIENCE, sender.send_request(stalled))
        .await
        .expect("the stalled stream is answered")
        .unwrap();
    assert_eq!(response.status(), 408);
    let page = response.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&page).contains("did not arrive within 1 s"));

    // The same connection still serves.
    let whole = hyper::Request::post(format!("http://{addr}/echo"))
        .body(Full::new(Bytes::from_static(b"still here")).boxed())
        .unwrap();
    let response = tokio::time::timeout(PATIENCE, sender.send_request(whole))
        .await
        .expect("the connection serves after the 408")
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "still here");
    drop(body_sender);
}
