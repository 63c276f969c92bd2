//! axum 0.8, written the idiomatic way: a `Router` with `State`, `Path` and
//! `Json`. Extractor rejections are mapped to the shared 404 and 400 bodies
//! so that every peer answers the same bytes.

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use carafe_bench::{
    Item, Message, Store, APPLICATION_JSON, BAD_REQUEST, MESSAGE, NOT_FOUND, PLAINTEXT,
};

fn main() {
    let app = Router::new()
        .route("/plaintext", get(plaintext))
        .route("/json", get(json))
        .route("/items/{id}", get(get_item))
        .route("/items", post(create_item))
        .fallback(|| async { not_found() })
        .with_state(Arc::new(Store::seeded()));
    // For BENCHMARKS.md's cost of a static file: `AXUM_PEER_STATIC=DIR` serves DIR at
    // /static with tower-http's ServeDir.
    let app = match std::env::var("AXUM_PEER_STATIC") {
        Ok(dir) => app.nest_service("/static", tower_http::services::ServeDir::new(dir)),
        Err(_) => app,
    };
    carafe_bench::serve_axum(app);
}

/// A `&'static str` is answered as `text/plain; charset=utf-8`.
async fn plaintext() -> &'static str {
    PLAINTEXT
}

async fn json() -> Json<Message> {
    Json(MESSAGE)
}

async fn get_item(
    State(store): State<Arc<Store>>,
    id: Result<Path<u64>, PathRejection>,
) -> Response {
    match id.ok().and_then(|Path(id)| store.get(id)) {
        Some(body) => Json(body).into_response(),
        None => not_found(),
    }
}

async fn create_item(
    State(store): State<Arc<Store>>,
    item: Result<Json<Item>, JsonRejection>,
) -> Response {
    match item.ok().and_then(|Json(item)| store.insert(item)) {
        Some(body) => (StatusCode::CREATED, Json(body)).into_response(),
        None => error(StatusCode::BAD_REQUEST, BAD_REQUEST),
    }
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, NOT_FOUND)
}

fn error(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, APPLICATION_JSON)], body).into_response()
}
