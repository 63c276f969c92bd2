//! actix-web 4, written the idiomatic way, with `WORKERS` workers.
//! Extractor errors are mapped to the shared 404 and 400 bodies so that every
//! peer answers the same bytes.

use std::net::Ipv4Addr;

use actix_web::error::InternalError;
use actix_web::{web, App, HttpResponse, HttpServer};
use carafe_bench::{
    Item, Message, Store, APPLICATION_JSON, BAD_REQUEST, MESSAGE, NOT_FOUND, PLAINTEXT,
};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port = carafe_bench::port();
    let store = web::Data::new(Store::seeded());
    HttpServer::new(move || {
        App::new()
            .app_data(store.clone())
            .app_data(
                web::PathConfig::default()
                    .error_handler(|err, _| InternalError::from_response(err, not_found()).into()),
            )
            .app_data(
                web::JsonConfig::default().error_handler(|err, _| {
                    InternalError::from_response(err, bad_request()).into()
                }),
            )
            .route("/plaintext", web::get().to(plaintext))
            .route("/json", web::get().to(json))
            .route("/items/{id}", web::get().to(get_item))
            .route("/items", web::post().to(create_item))
            .default_service(web::to(|| async { not_found() }))
    })
    .workers(carafe_bench::workers())
    // actix-web keeps the OS default unless told.
    .tcp_nodelay(true)
    .bind((Ipv4Addr::LOCALHOST, port))?
    .run()
    .await
}

/// A `&'static str` is answered as `text/plain; charset=utf-8`.
async fn plaintext() -> &'static str {
    PLAINTEXT
}

async fn json() -> web::Json<Message> {
    web::Json(MESSAGE)
}

async fn get_item(store: web::Data<Store>, id: web::Path<u64>) -> HttpResponse {
    match store.get(id.into_inner()) {
        Some(body) => HttpResponse::Ok().json(body),
        None => not_found(),
    }
}

async fn create_item(store: web::Data<Store>, item: web::Json<Item>) -> HttpResponse {
    match store.insert(item.into_inner()) {
        Some(body) => HttpResponse::Created().json(body),
        None => bad_request(),
    }
}

fn not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type(APPLICATION_JSON)
        .body(NOT_FOUND)
}

fn bad_request() -> HttpResponse {
    HttpResponse::BadRequest()
        .content_type(APPLICATION_JSON)
        .body(BAD_REQUEST)
}
