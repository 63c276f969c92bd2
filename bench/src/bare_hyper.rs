//! Bare hyper's answers to the benchmark's routes, routed by hand with a `match`: the
//! baselines `hyper_raw` (HTTP/1) and `hyper_h2` (HTTP/2) serve these.

use std::convert::Infallible;
use std::sync::Arc;

use crate::{
    is_json, parse_id, Item, Store, APPLICATION_JSON, BAD_REQUEST, MESSAGE, NOT_FOUND, PLAINTEXT,
    TEXT_PLAIN,
};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use serde::Serialize;

/// A bare hyper answer.
pub type Reply = Response<Full<Bytes>>;

/// Answers one request.
pub async fn route(store: Arc<Store>, req: Request<Incoming>) -> Result<Reply, Infallible> {
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
