//! Graceful shutdown: stop accepting, finish the requests in flight, return; in process with
//! `serve_with_shutdown`, and for real by signalling the `slow` example.

mod common;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use carafe::prelude::*;
use common::Example;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;

#[route("/slow")]
async fn slow(started: State<Arc<Notify>>) -> &'static str {
    started.notify_one();
    tokio::time::sleep(Duration::from_millis(500)).await;
    "done"
}

#[route("/quick")]
fn quick() -> &'static str {
    "quick"
}

/// Serves `app` on a port the OS picked until the returned sender is used.
async fn serve(app: App) -> (SocketAddr, oneshot::Sender<()>, JoinHandle<io::Result<()>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.serve_with_shutdown(listener, async {
        let _ = stopped.await;
    }));
    (addr, stop, server)
}

/// Waits, at most 10 s, for `serve_with_shutdown` to return `Ok`; `why` it should.
async fn returns(server: JoinHandle<io::Result<()>>, why: &str) {
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect(why)
        .unwrap()
        .unwrap();
}

/// Whether new connections to `addr` are refused, retried while the server gets to its signal.
fn refuses_connections(addr: SocketAddr) -> bool {
    (0..250).any(|_| {
        let refused = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err();
        if !refused {
            std::thread::sleep(Duration::from_millis(20));
        }
        refused
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_shutdown_finishes_requests_in_flight() {
    let started = Arc::new(Notify::new());
    let app = App::new().state(Arc::clone(&started)).mount(routes![slow]);
    let (addr, stop, server) = serve(app).await;

    let in_flight = tokio::spawn(common::send(addr, "GET", "/slow", &[], ""));
    started.notified().await;
    stop.send(()).unwrap();

    let refused = tokio::task::spawn_blocking(move || refuses_connections(addr));
    assert!(refused.await.unwrap(), "new connections are refused");
    let answer = in_flight.await.unwrap();
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (200, "done")
    );
    returns(
        server,
        "the server returns once the request in flight is answered",
    )
    .await;
}

#[tokio::test]
async fn requests_still_running_after_the_grace_period_are_cut() {
    let started = Arc::new(Notify::new());
    let app = App::new()
        .state(Arc::clone(&started))
        .mount(routes![slow])
        .shutdown_grace(Duration::from_millis(50));
    let (addr, stop, server) = serve(app).await;
    let in_flight = tokio::spawn(common::raw_exchange(
        addr,
        b"GET /slow HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    ));
    started.notified().await;
    stop.send(()).unwrap();
    returns(server, "the grace period bounds the shutdown").await;
    // The connection was closed with the server, before the handler could answer.
    assert_eq!(in_flight.await.unwrap(), "");
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed_at_once() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    // Neither the grace period nor the idle timeout would close the connection in time.
    let app = App::new()
        .mount(routes![quick])
        .header_read_timeout(Duration::from_secs(60))
        .shutdown_grace(Duration::from_secs(60));
    let (addr, stop, server) = serve(app).await;
    let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
    client
        .write_all(b"GET /quick HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut received = Vec::new();
    while !received.ends_with(b"quick") {
        let mut chunk = [0; 1024];
        let read = client.read(&mut chunk).await.unwrap();
        assert!(read > 0, "closed before answering");
        received.extend_from_slice(&chunk[..read]);
    }

    stop.send(()).unwrap();
    returns(server, "the server does not wait for an idle connection").await;
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(10), client.read_to_end(&mut rest));
    closed
        .await
        .expect("the idle connection is closed")
        .unwrap();
    assert!(rest.is_empty(), "{rest:?}");
}

fn stops_gracefully_on(signal: &str) {
    // Its log is read once it has exited.
    let mut server = Example::start("slow", 0, &[], Stdio::piped());
    let mut request = TcpStream::connect(server.addr).unwrap();
    request
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    request
        .write_all(b"GET /slow HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    // The example says when the handler runs; the request is in flight from then on.
    let started = server.read_line();
    assert!(started.contains("/slow started"), "{started:?}");
    server.signal(signal);

    assert!(
        refuses_connections(server.addr),
        "new connections are refused"
    );
    let mut answer = String::new();
    request.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with("\r\n\r\ndone"), "{answer}");
    let status = server.exit_status();
    assert!(status.success(), "exit status {status}");
    // run() installed a subscriber, which wrote the access line to stderr.
    let mut log = String::new();
    let mut stderr = server.child.stderr.take().unwrap();
    stderr.read_to_string(&mut log).unwrap();
    assert!(
        log.contains("carafe::access: 127.0.0.1 \"GET /slow HTTP/1.1\" 200 "),
        "{log}"
    );
}

#[test]
fn the_example_stops_gracefully_on_sigterm() {
    stops_gracefully_on("TERM");
}

#[test]
fn the_example_stops_gracefully_on_ctrl_c() {
    stops_gracefully_on("INT");
}
