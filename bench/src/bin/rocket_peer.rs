//! Rocket 0.5, written the idiomatic way: `#[get]`/`#[post]` routes, managed `State` and `Json`,
//! catchers for the shared 404 and 400 bodies. Its `Shield` security headers and its `Server`
//! header are switched off, so that every peer sends the same headers.

use std::net::Ipv4Addr;

use carafe_bench::{
    is_json, Item, ItemBody, Message, Store, BAD_REQUEST, MESSAGE, NOT_FOUND, PLAINTEXT,
};
use rocket::config::{Config, Ident, LogLevel};
use rocket::http::{ContentType, Status};
use rocket::serde::json::Json;
use rocket::shield::Shield;
use rocket::{catch, catchers, get, post, routes, State};

fn main() {
    let config = Config {
        address: Ipv4Addr::LOCALHOST.into(),
        port: carafe_bench::port(),
        workers: carafe_bench::workers(),
        ident: Ident::none(),
        log_level: LogLevel::Off,
        cli_colors: false,
        ..Config::release_default()
    };
    let rocket = rocket::custom(config)
        // An empty Shield in place of the default one, which adds three security headers.
        .attach(Shield::new())
        .manage(Store::seeded())
        .mount("/", routes![plaintext, json, get_item, create_item])
        .register("/", catchers![not_found]);
    // The same runtime as carafe's: `WORKERS` workers, with the timer Rocket needs.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(carafe_bench::workers())
        .enable_all()
        .build()
        .expect("cannot build the tokio runtime");
    if let Err(error) = runtime.block_on(rocket.launch()) {
        panic!("rocket failed: {error}");
    }
}

/// A `&'static str` is answered as `text/plain; charset=utf-8`.
#[get("/plaintext")]
fn plaintext() -> &'static str {
    PLAINTEXT
}

#[get("/json")]
fn json() -> Json<Message> {
    Json(MESSAGE)
}

/// A non-numeric id is a 404, as for the other peers (Rocket's own answer is a 422).
#[get("/items/<id>")]
fn get_item(id: Result<u64, &str>, store: &State<Store>) -> Result<Json<ItemBody>, Error> {
    id.ok()
        .and_then(|id| store.get(id))
        .map(Json)
        .ok_or(Error::NotFound)
}

/// Answers 400 for a body that is not declared as JSON, does not parse as an item, or takes an
/// id already there, as the other peers do.
#[post("/items", data = "<item>")]
fn create_item(
    content_type: Option<&ContentType>,
    item: Result<Json<Item>, rocket::serde::json::Error<'_>>,
    store: &State<Store>,
) -> Result<(Status, Json<ItemBody>), Error> {
    let declared_json = content_type.is_some_and(|ct| is_json(ct.to_string().as_bytes()));
    match item {
        Ok(Json(item)) if declared_json => store
            .insert(item)
            .map(|body| (Status::Created, Json(body)))
            .ok_or(Error::BadRequest),
        _ => Err(Error::BadRequest),
    }
}

#[catch(404)]
fn not_found() -> (ContentType, &'static str) {
    (ContentType::JSON, NOT_FOUND)
}

/// The shared error answers, with their JSON bodies.
#[derive(Debug)]
enum Error {
    NotFound,
    BadRequest,
}

impl<'r> rocket::response::Responder<'r, 'static> for Error {
    fn respond_to(self, request: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        let (status, body) = match self {
            Error::NotFound => (Status::NotFound, NOT_FOUND),
            Error::BadRequest => (Status::BadRequest, BAD_REQUEST),
        };
        rocket::Response::build_from((ContentType::JSON, body).respond_to(request)?)
            .status(status)
            .ok()
    }
}
