//! carafe, written the way the README teaches: `#[route]` handlers, `State`, `Json`, and
//! error handlers for the pages that must match the other peers' bytes.

use carafe::http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use carafe::prelude::*;
use carafe::{context, render_template, Session};
use carafe_bench::{
    Item, Message, Store, APPLICATION_JSON, BAD_REQUEST, MESSAGE, NOT_FOUND, PLAINTEXT, TEXT_PLAIN,
};

/// carafe's text bodies default to Flask's `text/html`; the benchmark answers `text/plain`.
/// Typed header constants cost nothing per response, where text pairs are checked each time.
const PLAIN: [(HeaderName, HeaderValue); 1] =
    [(CONTENT_TYPE, HeaderValue::from_static(TEXT_PLAIN))];
const JSON_ERROR: [(HeaderName, HeaderValue); 1] =
    [(CONTENT_TYPE, HeaderValue::from_static(APPLICATION_JSON))];

#[get("/plaintext")]
fn plaintext() -> impl IntoResponse {
    (PLAINTEXT, PLAIN)
}

#[get("/json")]
fn json() -> Json<Message> {
    Json(MESSAGE)
}

#[get("/items/<int:id>")]
fn get_item(id: u64, store: State<Store>) -> impl IntoResponse {
    match store.get(id) {
        Some(body) => Json(body).into_response(),
        None => (NOT_FOUND, 404, JSON_ERROR).into_response(),
    }
}

#[post("/items")]
fn create_item(Json(item): Json<Item>, store: State<Store>) -> impl IntoResponse {
    match store.insert(item) {
        Some(body) => (Json(body), 201).into_response(),
        None => (BAD_REQUEST, 400, JSON_ERROR).into_response(),
    }
}

/// The page `page.html` renders, written out: the same bytes without the template.
const PAGE: &str = "<!doctype html>\n<title>Items</title>\n<h1>Hello, World!</h1>\n\
    <ul><li>apple</li><li>banana</li><li>cherry</li></ul>";

/// Signs in: the session of the requests that measure reading it.
#[get("/login")]
fn login(session: Session) -> impl IntoResponse {
    session.insert("user", "sam");
    (PLAINTEXT, PLAIN)
}

/// `/plaintext`'s answer, once the session says who is there.
#[get("/session")]
fn read_session(session: Session) -> Response {
    match session.get::<String>("user") {
        Some(_) => (PLAINTEXT, PLAIN).into_response(),
        None => (NOT_FOUND, 404, JSON_ERROR).into_response(),
    }
}

#[get("/page")]
fn page() -> Response {
    let items = ["apple", "banana", "cherry"];
    render_template(
        "page.html",
        context! { title => "Items", name => "World", items => items },
    )
}

#[get("/page-constant")]
fn page_constant() -> Response {
    Response::new(PAGE)
}

fn main() {
    let app = App::new()
        .state(Store::seeded())
        .mount(routes![plaintext, json, get_item, create_item])
        // An id that is no integer, or an unknown path, answers the peers' JSON 404.
        .error_handler(404, |_| (NOT_FOUND, 404, JSON_ERROR))
        // Bad JSON (400) and a body not declared as JSON (415) both answer the peers' 400.
        .error_handler(400, |_| (BAD_REQUEST, 400, JSON_ERROR))
        .error_handler(415, |_| (BAD_REQUEST, 400, JSON_ERROR));
    // For BENCHMARKS.md's cost of a hook: `CARAFE_PEER_HOOK=after_request` adds one that
    // passes every response through unchanged.
    let app = match std::env::var("CARAFE_PEER_HOOK").as_deref() {
        Ok("after_request") => app.after_request(|response: Response| response),
        Ok(other) => panic!("CARAFE_PEER_HOOK={other}: the one hook measured is after_request"),
        Err(_) => app,
    };
    // And of a tower layer: `CARAFE_PEER_LAYER=cors` adds tower-http's permissive CORS,
    // `identity` a layer that does nothing, to tell the layer's own work from carafe's.
    let app = match std::env::var("CARAFE_PEER_LAYER").as_deref() {
        Ok("cors") => app.layer(tower_http::cors::CorsLayer::permissive()),
        Ok("identity") => app.layer(tower::layer::util::Identity::new()),
        Ok(other) => panic!("CARAFE_PEER_LAYER={other}: the layers measured are cors and identity"),
        Err(_) => app,
    };
    // And of what a whole app uses: `CARAFE_PEER_WHOLE_APP=DIR` adds a secret key (so every
    // request takes the path that saves sessions), a session to read, a template of
    // DIR/templates to render beside the same page written out, and DIR/static.
    let app = match std::env::var("CARAFE_PEER_WHOLE_APP") {
        Ok(dir) => app
            .secret_key("a benchmark's secret")
            .template_folder(format!("{dir}/templates"))
            .static_folder(format!("{dir}/static"))
            .mount(routes![login, read_session, page, page_constant]),
        Err(_) => app,
    };
    // Under callgrind every instruction takes tens of times as long, and a quick handler
    // would be taken for one that blocks and sent to the blocking pool: bench/callgrind.sh sets
    // `CARAFE_PEER_BLOCKING_THRESHOLD_MS` so that it counts the path a quick handler takes.
    let app = match std::env::var("CARAFE_PEER_BLOCKING_THRESHOLD_MS") {
        Ok(millis) => app.blocking_threshold(std::time::Duration::from_millis(
            millis
                .parse()
                .expect("CARAFE_PEER_BLOCKING_THRESHOLD_MS is a whole number of milliseconds"),
        )),
        Err(_) => app,
    };
    carafe_bench::serve_carafe(app);
}
