//! tower-http's layers on an app (`App::layer`), through the test client and over a socket,
//! and the app as a tower service run by hyper itself (`App::into_service`).

mod common;

use std::io::Read;
use std::time::Duration;

use bytes::Bytes;
use carafe::prelude::*;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::timeout::TimeoutLayer;

/// Long enough for the compression layer to bother.
fn long_text() -> String {
    "carafe pours Flask into Rust. ".repeat(200)
}

#[route("/text")]
fn text() -> String {
    long_text()
}

#[route("/slow")]
async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(10)).await;
    "too late"
}

#[route("/hello")]
fn hello() -> &'static str {
    "hello"
}

fn app() -> App {
    App::new()
        .mount(routes![text, slow, hello])
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_millis(200),
        ))
        .layer(CompressionLayer::new())
        .layer(CorsLayer::permissive())
}

fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .expect("a gzip body");
    text
}

#[test]
fn the_test_client_goes_through_the_layers() {
    let client = app().test_client();
    let response = client
        .get("/text")
        .header("Accept-Encoding", "gzip")
        .header("Origin", "https://example.com")
        .send();
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("content-encoding"), Some("gzip"));
    assert_eq!(response.header("access-control-allow-origin"), Some("*"));
    assert!(response.bytes().len() < long_text().len());
    assert_eq!(gunzip(response.bytes()), long_text());

    // No Accept-Encoding: the text as it is.
    let response = client.get("/text").send();
    assert_eq!(response.header("content-encoding"), None);
    assert_eq!(response.text(), long_text());
}

#[tokio::test]
async fn cors_compression_and_timeout_over_a_socket() {
    let addr = common::serve(app()).await;
    // The compressed answer, read as bytes over a plain HTTP/1.1 client.
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request = carafe::http::Request::get("/text")
        .header("host", "localhost")
        .header("accept-encoding", "gzip")
        .header("origin", "https://example.com")
        .body(Empty::<Bytes>::new())
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(gunzip(&body), long_text());

    // A CORS preflight is answered by the layer, not routed.
    let answer = common::send(
        addr,
        "OPTIONS",
        "/hello",
        &[
            ("origin", "https://example.com"),
            ("access-control-request-method", "POST"),
        ],
        "",
    )
    .await;
    assert_eq!(answer.status, 200);
    assert!(answer.header("access-control-allow-methods").is_some());

    // The timeout layer answers 408 for a handler that takes too long.
    let answer = common::send(addr, "GET", "/slow", &[], "").await;
    assert_eq!(answer.status, 408);

    // HTTP/2 goes through them too.
    let answer = common::get_http2(addr, "/hello").await;
    assert_eq!(answer.body, "hello");
}

#[tokio::test]
async fn into_service_answers_as_a_tower_service() {
    let request = carafe::http::Request::get("/hello")
        .header("host", "localhost")
        .body(Empty::<Bytes>::new())
        .unwrap();
    let response = app().into_service().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "hello");
}

#[tokio::test]
async fn into_service_runs_on_hypers_own_server() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = app().into_service();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let service = TowerToHyperService::new(service.clone());
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service),
            );
        }
    });
    let answer = common::send(addr, "GET", "/hello", &[], "").await;
    assert_eq!(answer.body, "hello");
    let answer = common::send(addr, "GET", "/nowhere", &[], "").await;
    assert_eq!(answer.status, 404);
}

#[tokio::test]
async fn a_layer_that_fails_answers_500_and_tells_nothing() {
    let failing = tower::layer::layer_fn(|_inner| {
        tower::service_fn(|_request: carafe::http::Request<carafe::Body>| async {
            Err::<carafe::http::Response<carafe::Body>, _>(std::io::Error::other(
                "the layer's secret-detail",
            ))
        })
    });
    let app = App::new().mount(routes![hello]).layer(failing);
    let addr = common::serve(app).await;
    let answer = common::send(addr, "GET", "/hello", &[], "").await;
    assert_eq!(answer.status, 500);
    assert!(!answer.body.contains("secret-detail"), "{}", answer.body);
    // The connection and the server carry on.
    let answer = common::send(addr, "GET", "/hello", &[], "").await;
    assert_eq!(answer.status, 500);
}
