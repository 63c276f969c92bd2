//! The routes of `blocking.sh` on axum, whose handlers are all async: the blocking work is
//! called directly in the async handler, as a user who does not know `spawn_blocking` writes it.
//! `Html` answers the `text/html; charset=utf-8` that Flask and carafe give a string.

use axum::response::Html;
use axum::routing::get;
use axum::Router;
use carafe_bench::{blocking, PLAINTEXT};

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
    carafe_bench::serve_axum(
        Router::new()
            .route("/cheap", get(cheap))
            .route("/sleep", get(sleep))
            .route("/hash", get(hash)),
    );
}
