//! The routes of `blocking.sh` on axum, whose handlers are all async: the blocking work is
//! called directly in the async handler, as a user who does not know `spawn_blocking` writes it.
//! `Html` answers the `text/html; charset=utf-8` that Flask and carafe give a string.

use std::net::Ipv4Addr;

use axum::response::Html;
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use carafe_bench::{blocking, PLAINTEXT};
use tokio::net::TcpListener;

async fn cheap() -> Html<&'static str> {
    Html(PLAINTEXT)
}

async fn sleep() -> Html<&'static str> {
    std::thread::sleep(blocking::SLEEP);
    Html(blocking::SLEPT)
}

async fn hash() -> Html<String> {
    Html(blocking::hash())
}

fn main() {
    let port = carafe_bench::port();
    carafe_bench::tokio_runtime().block_on(async move {
        let app = Router::new()
            .route("/cheap", get(cheap))
            .route("/sleep", get(sleep))
            .route("/hash", get(hash));
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:{port}: {e}"))
            .tap_io(|stream| {
                if let Err(e) = stream.set_nodelay(true) {
                    eprintln!("TCP_NODELAY: {e}");
                }
            });
        axum::serve(listener, app).await.expect("server failed");
    });
}
