//! The server `soak.sh` runs for ten minutes: the benchmark's routes, a POST that parses and
//! answers its JSON without storing it (so memory may not grow by design), and two routes
//! that fail on purpose, by a panic and by `abort`.

use carafe::prelude::*;
use carafe_bench::{Item, ItemBody, Message, Store, MESSAGE, PLAINTEXT};

#[get("/plaintext")]
fn plaintext() -> &'static str {
    PLAINTEXT
}

#[get("/json")]
fn json() -> Json<Message> {
    Json(MESSAGE)
}

#[get("/items/<int:id>")]
fn get_item(id: u64, store: State<Store>) -> impl IntoResponse {
    match store.get(id) {
        Some(body) => Json(body).into_response(),
        None => HttpError::new(404).into_response(),
    }
}

#[post("/echo")]
fn echo(Json(item): Json<Item>) -> impl IntoResponse {
    (Json(ItemBody { item }), 201)
}

#[get("/panic")]
fn panics() -> &'static str {
    panic!("a handler's bug, on purpose")
}

#[get("/abort")]
fn aborts() -> &'static str {
    abort(409)
}

fn main() {
    let app = App::new()
        .state(Store::seeded())
        .mount(routes![plaintext, json, get_item, echo, panics, aborts]);
    carafe_bench::serve_carafe(app);
}
