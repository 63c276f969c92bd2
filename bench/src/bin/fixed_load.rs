//! A load client that sends an exact number of requests, for counting a server's instructions
//! per request under callgrind (`bench/callgrind.sh`): wrk sends as many as it can in a time,
//! and the count has to be exact for the division to mean anything.
//!
//!     fixed_load PORT ROUTE REQUESTS CONNECTIONS [FIRST_ID]
//!
//! ROUTE is one of run.sh's: `plaintext`, `json`, `item` (`/items/1`) or `post` (`POST /items`,
//! each request a new item, ids counting up from FIRST_ID); or a path, sent as a GET. Every
//! answer must be the route's success status; the client fails otherwise. `FIXED_LOAD_COOKIE`,
//! if set, is sent as each request's `Cookie`.

use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [port, route, requests, connections, rest @ ..] = args.as_slice() else {
        eprintln!("usage: fixed_load PORT ROUTE REQUESTS CONNECTIONS [FIRST_ID]");
        std::process::exit(2);
    };
    let number = |text: &str| -> u64 {
        text.parse().unwrap_or_else(|_| {
            eprintln!("fixed_load: {text:?} is not a number");
            std::process::exit(2)
        })
    };
    let port = u16::try_from(number(port)).expect("a port");
    let requests = number(requests);
    let connections = number(connections);
    let first_id = rest.first().map_or(1_000_000, |id| number(id));
    let route = Route::parse(route).unwrap_or_else(|| {
        eprintln!("fixed_load: unknown route {route:?}: plaintext, json, item, post or a path");
        std::process::exit(2)
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let failed = runtime.block_on(load(port, route, requests, connections, first_id));
    if failed > 0 {
        eprintln!("fixed_load: {failed} of {requests} requests failed");
        std::process::exit(1);
    }
}

#[derive(Clone, Copy)]
enum Route {
    Plaintext,
    Json,
    Item,
    Post,
    Get(&'static str),
}

impl Route {
    fn parse(name: &str) -> Option<Route> {
        Some(match name {
            "plaintext" => Route::Plaintext,
            "json" => Route::Json,
            "item" => Route::Item,
            "post" => Route::Post,
            path if path.starts_with('/') => Route::Get(Box::leak(path.into())),
            _ => return None,
        })
    }

    fn request(self, id: u64) -> Request<Full<Bytes>> {
        let (method, path, body) = match self {
            Route::Plaintext => (Method::GET, "/plaintext", String::new()),
            Route::Json => (Method::GET, "/json", String::new()),
            Route::Item => (Method::GET, "/items/1", String::new()),
            Route::Post => (
                Method::POST,
                "/items",
                format!(r#"{{"id":{id},"name":"pear"}}"#),
            ),
            Route::Get(path) => (Method::GET, path, String::new()),
        };
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "127.0.0.1");
        if matches!(self, Route::Post) {
            request = request.header("content-type", "application/json");
        }
        if let Some(cookie) = cookie() {
            request = request.header("cookie", cookie);
        }
        request
            .body(Full::new(Bytes::from(body)))
            .expect("a request")
    }

    fn success(self) -> StatusCode {
        match self {
            Route::Post => StatusCode::CREATED,
            _ => StatusCode::OK,
        }
    }
}

/// `FIXED_LOAD_COOKIE`, read from the environment once.
fn cookie() -> Option<&'static str> {
    static COOKIE: OnceLock<Option<String>> = OnceLock::new();
    COOKIE
        .get_or_init(|| std::env::var("FIXED_LOAD_COOKIE").ok())
        .as_deref()
}

/// Sends `requests` requests over `connections` connections; how many failed.
async fn load(port: u16, route: Route, requests: u64, connections: u64, first_id: u64) -> u64 {
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let next = Arc::clone(&next);
        tasks.push(tokio::spawn(async move {
            let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))
                .await
                .expect("the server listens");
            stream.set_nodelay(true).expect("TCP_NODELAY");
            let (mut sender, connection) = http1::handshake(TokioIo::new(stream))
                .await
                .expect("a connection");
            tokio::spawn(connection);
            let mut failed = 0;
            loop {
                let sent = next.fetch_add(1, Ordering::Relaxed);
                if sent >= requests {
                    break failed;
                }
                let answered = async {
                    sender.ready().await.ok()?;
                    let response = sender
                        .send_request(route.request(first_id + sent))
                        .await
                        .ok()?;
                    let status = response.status();
                    response.into_body().collect().await.ok()?;
                    Some(status)
                };
                if answered.await != Some(route.success()) {
                    failed += 1;
                }
            }
        }));
    }
    let mut failed = 0;
    for task in tasks {
        failed += task.await.expect("a connection's task");
    }
    failed
}
