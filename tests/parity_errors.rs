//! `abort`, error handlers and the default error pages, as Flask's `abort` and
//! `@app.errorhandler` behave.

mod common;

use carafe::prelude::*;
use common::send;
use serde::Deserialize;

#[route("/gone")]
fn gone() -> &'static str {
    abort(410)
}

#[route("/missing/<int:item_id>")]
fn missing(item_id: u32) -> String {
    if item_id != 1 {
        abort(404);
    }
    "found".to_owned()
}

#[route("/teapot")]
fn teapot() -> &'static str {
    abort_with(("I'm a teapot", 418, [("X-Brew", "tea")]))
}

#[route("/login")]
fn login() -> &'static str {
    abort_with(HttpError::new(401).with_message("Log in first."))
}

#[derive(Deserialize)]
struct NewItem {
    name: String,
}

#[route("/items", POST)]
fn create(Json(item): Json<NewItem>) -> impl IntoResponse {
    (item.name, 201)
}

#[route("/signup", POST)]
fn signup(form: Form) -> String {
    format!("hello {}", &form["username"])
}

#[route("/boom")]
fn boom() -> &'static str {
    panic!("a bug in the handler")
}

fn routes() -> carafe::Routes {
    routes![gone, missing, teapot, login, create, signup, boom]
}

fn json_error(error: HttpError) -> impl IntoResponse {
    Json(json!({ "status": error.status().as_u16(), "error": error.message() }))
}

#[test]
fn abort_answers_the_status_page() {
    let client = App::new().mount(routes()).test_client();
    let response = client.get("/gone").send();
    assert_eq!(response.status(), 410);
    assert!(response.text().contains("<title>410 Gone</title>"));
    assert_eq!(client.get("/missing/1").send().text(), "found");
    assert_eq!(client.get("/missing/2").send().status(), 404);
}

#[test]
fn abort_with_a_whole_response_sends_it_as_is() {
    let client = App::new().mount(routes()).test_client();
    let response = client.get("/teapot").send();
    assert_eq!(response.status(), 418);
    assert_eq!(response.text(), "I'm a teapot");
    assert_eq!(response.header("x-brew"), Some("tea"));
    let response = client.get("/login").send();
    assert_eq!(response.status(), 401);
    assert!(
        response.text().contains("Log in first."),
        "{}",
        response.text()
    );
}

#[test]
fn default_pages_are_short_html_with_the_status_in_the_title() {
    let client = App::new().mount(routes()).test_client();
    for (path, method, title) in [
        ("/nowhere", Method::GET, "404 Not Found"),
        ("/gone", Method::DELETE, "405 Method Not Allowed"),
        ("/boom", Method::GET, "500 Internal Server Error"),
    ] {
        let response = client.request(method, path).send();
        assert_eq!(
            response.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        let page = response.text();
        assert!(page.contains(&format!("<title>{title}</title>")), "{page}");
        assert!(page.len() < 600, "a short page: {page}");
    }
    // The panic message is for the log, never for the client.
    assert!(!client.get("/boom").send().text().contains("a bug"));
}

#[test]
fn default_pages_are_json_when_the_client_accepts_only_json() {
    let client = App::new().mount(routes()).test_client();
    let response = client
        .get("/nowhere")
        .header("accept", "application/json")
        .send();
    assert_eq!(response.status(), 404);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let page: serde_json::Value = response.json();
    assert_eq!(page["code"], 404);
    assert_eq!(page["name"], "Not Found");
    // A browser accepts HTML too: it gets the HTML page.
    let response = client
        .get("/nowhere")
        .header("accept", "text/html,application/json;q=0.9")
        .send();
    assert!(response.text().contains("<title>404 Not Found</title>"));
}

#[test]
fn extractor_errors_answer_clear_400_and_415() {
    let client = App::new().mount(routes()).test_client();
    let response = client.post("/items").body("{").send();
    assert_eq!(response.status(), 415);
    assert!(
        response.text().contains("application/json"),
        "{}",
        response.text()
    );

    let response = client
        .post("/items")
        .header("content-type", "application/json")
        .body("{")
        .send();
    assert_eq!(response.status(), 400);
    assert!(
        response.text().contains("Failed to decode JSON"),
        "{}",
        response.text()
    );

    let response = client.post("/items").json(&json!({ "title": "x" })).send();
    assert_eq!(response.status(), 400);
    assert!(response.text().contains("name"), "{}", response.text());

    let response = client.post("/signup").form(&[("user", "sam")]).send();
    assert_eq!(response.status(), 400);
    assert!(
        response.text().contains("\"username\""),
        "{}",
        response.text()
    );
    assert_eq!(
        client
            .post("/signup")
            .form(&[("username", "sam")])
            .send()
            .text(),
        "hello sam"
    );
}

fn app_with_handlers() -> App {
    App::new()
        .mount(routes())
        .error_handler(404, json_error)
        .error_handler(405, json_error)
        .error_handler(400, json_error)
        .error_handler(415, |_| ("Send JSON, please.", 415))
        .error_handler(410, |_| "This item was removed.")
        .error_handler(500, |_| ("Sorry.", 503))
}

#[test]
fn error_handlers_replace_the_pages_of_abort_extractors_and_routing() {
    let client = app_with_handlers().test_client();

    // abort: the page is replaced and keeps the status.
    let response = client.get("/gone").send();
    assert_eq!(response.status(), 410);
    assert_eq!(response.text(), "This item was removed.");

    // Routing's 404 and 405; the 405 keeps its Allow header.
    let response = client.get("/nowhere").send();
    assert_eq!(response.status(), 404);
    assert_eq!(response.json::<serde_json::Value>()["status"], 404);
    let response = client.put("/gone").send();
    assert_eq!(response.status(), 405);
    assert_eq!(response.json::<serde_json::Value>()["status"], 405);
    assert_eq!(response.header("allow"), Some("GET, HEAD, OPTIONS"));

    // Extractors.
    let response = client.post("/signup").form(&[("user", "sam")]).send();
    assert_eq!(response.status(), 400);
    let page: serde_json::Value = response.json();
    assert_eq!(page["error"], "Missing form field \"username\".");
    assert_eq!(
        client.post("/items").body("x").send().text(),
        "Send JSON, please."
    );

    // A handler that picks its own status keeps it; a panic goes through the 500 handler.
    let response = client.get("/boom").send();
    assert_eq!(response.status(), 503);
    assert_eq!(response.text(), "Sorry.");

    // abort with a whole response is not an error page: no handler touches it.
    assert_eq!(client.get("/teapot").send().text(), "I'm a teapot");
}

#[test]
fn an_error_handler_for_a_status_outside_400_to_599_stops_the_app() {
    let result =
        std::panic::catch_unwind(|| App::new().error_handler(302, |_| "redirect").test_client());
    let message = *result.err().unwrap().downcast::<String>().unwrap();
    assert!(message.contains("400..=599"), "{message}");
}

#[tokio::test]
async fn over_a_socket_error_handlers_and_pages() {
    let addr = common::serve(app_with_handlers()).await;
    let answer = send(addr, "GET", "/nowhere", &[], "").await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let answer = send(addr, "DELETE", "/gone", &[], "").await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("GET, HEAD, OPTIONS"));
    assert_eq!(
        send(addr, "GET", "/gone", &[], "").await.body,
        "This item was removed."
    );

    let addr = common::serve(App::new().mount(routes())).await;
    let answer = send(
        addr,
        "GET",
        "/nowhere",
        &[("accept", "application/json")],
        "",
    )
    .await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let answer = send(addr, "GET", "/teapot", &[], "").await;
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (418, "I'm a teapot")
    );
}

#[route("/abort/<int:code>")]
fn abort_code(code: u16) -> &'static str {
    abort(code)
}

/// What each status means, as Werkzeug 3.1's `HTTPException` subclasses describe it (their
/// `description`, 411's markup aside): the page's sentence and the JSON `description`.
const WERKZEUG_DESCRIPTIONS: &[(u16, &str)] = &[
    (401, "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required."),
    (403, "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server."),
    (408, "The server closed the network connection because the browser didn't finish the request within the specified time."),
    (409, "A conflict happened while processing the request. The resource might have been modified while the request was being processed."),
    (410, "The requested URL is no longer available on this server and there is no forwarding address. If you followed a link from a foreign page, please contact the author of this page."),
    (411, "A request with this method requires a valid Content-Length header."),
    (412, "The precondition on the request for the URL failed positive evaluation."),
    (416, "The server cannot provide the requested range."),
    (417, "The server could not meet the requirements of the Expect header"),
    (418, "This server is a teapot, not a coffee machine"),
    (422, "The request was well-formed but was unable to be followed due to semantic errors."),
    (423, "The resource that is being accessed is locked."),
    (428, "This request is required to be conditional; try using \"If-Match\" or \"If-Unmodified-Since\"."),
    (429, "This user has exceeded an allotted request count. Try again later."),
    (431, "One or more header fields exceeds the maximum size."),
    (451, "Unavailable for legal reasons."),
    (501, "The server does not support the action requested by the browser."),
    (502, "The proxy server received an invalid response from an upstream server."),
    (503, "The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later."),
    (504, "The connection to an upstream server timed out."),
    (505, "The server does not support the HTTP protocol version used in the request."),
];

#[test]
fn error_pages_say_what_each_status_means_in_werkzeugs_words() {
    let client = App::new().mount(routes![abort_code]).test_client();
    for &(code, description) in WERKZEUG_DESCRIPTIONS {
        let response = client.get(&format!("/abort/{code}")).send();
        assert_eq!(response.status(), code);
        let page = response.text();
        assert!(
            page.contains(&format!("<p>{description}</p>")),
            "{code}: {page}"
        );
        let page: serde_json::Value = client
            .get(&format!("/abort/{code}"))
            .header("accept", "application/json")
            .send()
            .json();
        assert_eq!(page["code"], code);
        assert_eq!(page["description"], description, "{code}");
    }
}
