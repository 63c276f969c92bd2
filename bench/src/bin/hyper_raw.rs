//! The baseline: bare hyper 1 with hyper's defaults, one task per connection,
//! HTTP/1 only, routed by hand with a `match`. With `HYPER_RAW_HTTP2=1`, HTTP/2 only (h2c
//! with prior knowledge), the baseline of `bench/h2.sh`.

use std::convert::Infallible;
use std::net::Ipv4Addr;
use std::sync::Arc;

use carafe_bench::{
    is_json, parse_id, Item, Store, APPLICATION_JSON, BAD_REQUEST, MESSAGE, NOT_FOUND, PLAINTEXT,
    TEXT_PLAIN,
};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde::Serialize;
use tokio::net::TcpListener;

type Reply = Response<Full<Bytes>>;

fn main() {
    let port = carafe_bench::port();
    carafe_bench::tokio_runtime().block_on(serve(port));
}

async fn serve(port: u16) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:{port}: {e}"));
    let store = Arc::new(Store::seeded());
    let http2 = std::env::var("HYPER_RAW_HTTP2").is_ok_and(|value| value == "1");
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Such errors (a connection reset before it was accepted, too
            // many open files) concern one connection: keep serving.
            Err(e) => {
                eprintln!("accept: {e}");
                continue;
            }
        };
        if let Err(e) = stream.set_nodelay(true) {
            eprintln!("TCP_NODELAY: {e}");
        }
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            let service = service_fn(move |req| route(Arc::clone(&store), req));
            // An error here is the client's (a reset, a malformed request)
            // and ends only its own connection.
            let _ = if http2 {
                http2::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await
            } else {
                http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await
            };
        });
    }
}

async fn route(store: Arc<Store>, req: Request<Incoming>) -> Result<Reply, Infallible> {
    Ok(match (req.method(), req.uri().path()) {
        (&Method::GET, "/plaintext") => reply(StatusCode::OK, TEXT_PLAIN, PLAINTEXT),
        (&Method::GET, "/json") => json(StatusCode::OK, &MESSAGE),
        (&Method::GET, path) => match path
            .strip_prefix("/items/")
            .and_then(parse_id)
            .and_then(|id| store.get(id))
        {
            Some(body) => json(StatusCode::OK, &body),
            None => reply(StatusCode::NOT_FOUND, APPLICATION_JSON, NOT_FOUND),
        },
        (&Method::POST, "/items") => create_item(&store, req).await,
        _ => reply(StatusCode::NOT_FOUND, APPLICATION_JSON, NOT_FOUND),
    })
}

/// `POST /items`, checked in the order axum's `Json` extractor checks it:
/// the content type, then the body.
async fn create_item(store: &Store, req: Request<Incoming>) -> Reply {
    let declared_json = req
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|value| is_json(value.as_bytes()));
    if !declared_json {
        return reply(StatusCode::BAD_REQUEST, APPLICATION_JSON, BAD_REQUEST);
    }
    let created = match req.into_body().collect().await {
        Ok(body) => serde_json::from_slice::<Item>(&body.to_bytes())
            .ok()
            .and_then(|item| store.insert(item)),
        Err(_) => None,
    };
    match created {
        Some(body) => json(StatusCode::CREATED, &body),
        None => reply(StatusCode::BAD_REQUEST, APPLICATION_JSON, BAD_REQUEST),
    }
}

fn json(status: StatusCode, value: &impl Serialize) -> Reply {
    let body = serde_json::to_vec(value).expect("the bodies serialize infallibly");
    reply(status, APPLICATION_JSON, body)
}

fn reply(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Reply {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
