//! The OpenAPI document: paths, parameters typed by converter, operations named after their
//! handlers, doc comments, request bodies and queries with their schemas, and the responses
//! the macro found in each handler's body; served at a route, printed by `-- openapi`, and the
//! items example's compared whole with the document it should be.

mod common;

#[path = "../examples/items.rs"]
#[allow(dead_code)]
mod items;

use carafe::prelude::*;
use carafe::Blueprint;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

/// A new book.
#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
struct NewBook {
    /// The book's title.
    title: String,
    year: Option<u16>,
}

/// A book as the API shows it.
#[derive(serde::Serialize, JsonSchema)]
struct Book {
    id: u32,
    title: String,
}

/// Paging.
#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Page {
    page: u32,
    per_page: Option<u32>,
}

/// A type without a schema.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Opaque {
    anything: String,
}

mod api {
    use super::*;

    /// One book.
    ///
    /// By its number; 404 when there is none.
    #[route("/books/<int:book_id>", responses(404 = "No book has this number"))]
    pub fn get_book(book_id: u32) -> Result<Json<Book>, HttpError> {
        if book_id == 0 {
            return Err(HttpError::new(404));
        }
        Ok(Json(Book {
            id: book_id,
            title: "Dune".to_owned(),
        }))
    }

    /// Adds a book.
    #[post("/books")]
    pub fn add_book(Json(book): Json<NewBook>) -> impl IntoResponse {
        if book.title.is_empty() {
            return (Json(serde_json::json!({ "error": "a title" })), 422);
        }
        (Json(serde_json::json!({ "added": book.title })), 201)
    }

    #[get("/books")]
    pub fn list_books(Query(page): Query<Page>) -> String {
        format!("page {}", page.page)
    }
}

#[route("/opaque", PUT, body_limit = "8 MiB")]
fn opaque(Json(_body): Json<Opaque>) -> &'static str {
    "kept"
}

#[route("/signup", GET, POST)]
fn signup(form: Form) -> Response {
    match form.get("name") {
        Some(_) => redirect("/"),
        None => Response::new("the form"),
    }
}

#[route("/at/<float:lat>/<uuid:place>/<int:offset>/<path:rest>")]
fn place(lat: f64, place: String, offset: i32, rest: String) -> String {
    format!("{lat} {place} {offset} {rest}")
}

#[route("/gone", DELETE, responses(410 = "It was here once"))]
fn gone() -> Response {
    abort(410)
}

fn app() -> App {
    App::new()
        .openapi_info("Library", "2.0.0")
        .mount(routes![opaque, signup, place, gone])
        .register(Blueprint::new("/api/v1").mount(routes![
            api::get_book,
            api::add_book,
            api::list_books
        ]))
}

#[test]
fn paths_parameters_and_operations() {
    let document = app().openapi();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["info"]["title"], "Library");
    assert_eq!(document["info"]["version"], "2.0.0");
    let paths = document["paths"].as_object().unwrap();
    let mut names: Vec<&String> = paths.keys().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "/api/v1/books",
            "/api/v1/books/{book_id}",
            "/at/{lat}/{place}/{offset}/{rest}",
            "/gone",
            "/opaque",
            "/signup"
        ]
    );
    let place = &paths["/at/{lat}/{place}/{offset}/{rest}"]["get"];
    let schemas: Vec<&Value> = place["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|parameter| {
            assert_eq!(parameter["in"], "path");
            assert_eq!(parameter["required"], true);
            &parameter["schema"]
        })
        .collect();
    assert_eq!(
        schemas,
        [
            &serde_json::json!({ "type": "number" }),
            &serde_json::json!({ "type": "string", "format": "uuid" }),
            &serde_json::json!({ "type": "integer" }),
            &serde_json::json!({ "type": "string" }),
        ]
    );
    // One operation per method, HEAD and OPTIONS left implicit; ids from the handlers.
    let book = &paths["/api/v1/books/{book_id}"];
    assert_eq!(
        book.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["get"]
    );
    assert_eq!(book["get"]["operationId"], "get_book");
    assert_eq!(book["get"]["parameters"][0]["schema"]["type"], "integer");
    let signup = &paths["/signup"];
    assert_eq!(signup["get"]["operationId"], "signup_get");
    assert_eq!(signup["post"]["operationId"], "signup_post");
    // Doc comments: the first paragraph is the summary, the rest the description.
    assert_eq!(book["get"]["summary"], "One book.");
    assert_eq!(
        book["get"]["description"],
        "By its number; 404 when there is none."
    );
    assert!(paths["/opaque"]["put"].get("summary").is_none());
}

#[test]
fn request_bodies_and_queries_with_their_schemas() {
    let document = app().openapi();
    let paths = &document["paths"];
    let add = &paths["/api/v1/books"]["post"];
    assert_eq!(
        add["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/NewBook"
    );
    let new_book = &document["components"]["schemas"]["NewBook"];
    assert_eq!(new_book["required"], serde_json::json!(["title"]));
    assert_eq!(
        new_book["properties"]["title"]["description"],
        "The book's title."
    );
    // A type without JsonSchema: a plain object.
    let opaque = &paths["/opaque"]["put"]["requestBody"];
    assert_eq!(
        opaque["content"]["application/json"]["schema"],
        serde_json::json!({ "type": "object" })
    );
    // Its route's own body limit, in words and in bytes; none on a route without one.
    assert_eq!(
        opaque["description"],
        "At most 8 MiB (the route's body_limit); a larger body answers 413."
    );
    assert_eq!(opaque["x-body-limit"], 8 * 1024 * 1024);
    assert!(add["requestBody"].get("x-body-limit").is_none());
    // Query<T>: a parameter per field.
    let list = &paths["/api/v1/books"]["get"]["parameters"];
    assert_eq!(list[0]["name"], "page");
    assert_eq!(list[0]["in"], "query");
    assert_eq!(list[0]["required"], true);
    assert_eq!(list[1]["name"], "per_page");
    assert_eq!(list[1]["required"], false);
    // Form: fields of any name, on the POST; a GET has no body.
    assert_eq!(
        paths["/signup"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
            ["schema"]["type"],
        "object"
    );
    assert!(paths["/signup"]["get"].get("requestBody").is_none());
}

/// The statuses of an operation, in order.
fn statuses(operation: &Value) -> Vec<&str> {
    operation["responses"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn responses_come_from_the_handlers_bodies() {
    let document = app().openapi();
    let paths = &document["paths"];
    let add = &paths["/api/v1/books"]["post"];
    // 201 and 422 from the body, in JSON; 400, 413, 415 from the Json extractor.
    assert_eq!(statuses(add), ["201", "400", "413", "415", "422"]);
    assert!(add["responses"]["201"]["content"]["application/json"].is_object());
    assert!(add["responses"]["422"]["content"]["application/json"].is_object());
    assert_eq!(
        add["responses"]["415"]["description"],
        "Unsupported Media Type"
    );

    // The 200 of a `Json<Book>` return type, with Book's schema; 404 described by the
    // attribute; 500 for the Result's errors.
    let get = &paths["/api/v1/books/{book_id}"]["get"];
    assert_eq!(statuses(get), ["200", "404", "500"]);
    assert_eq!(
        get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Book"
    );
    assert_eq!(
        get["responses"]["404"]["description"],
        "No book has this number"
    );

    // A string body is HTML; a redirect has no content.
    let list = &paths["/api/v1/books"]["get"];
    assert_eq!(statuses(list), ["200", "400"]);
    assert!(list["responses"]["200"]["content"]["text/html"].is_object());
    let signup = &paths["/signup"]["post"];
    assert!(statuses(signup).contains(&"302"));
    assert!(signup["responses"]["302"].get("content").is_none());

    // abort(410), described by the attribute; the error page in HTML or JSON.
    let gone = &paths["/gone"]["delete"];
    assert_eq!(statuses(gone), ["410"]);
    assert_eq!(gone["responses"]["410"]["description"], "It was here once");
    assert!(gone["responses"]["410"]["content"]["application/json"].is_object());

    // Typed path values that do not parse answer 404.
    let place = &paths["/at/{lat}/{place}/{offset}/{rest}"]["get"];
    assert_eq!(statuses(place), ["200", "404"]);
}

#[test]
fn the_items_example_document_is_the_expected_one() {
    let document = items::app().openapi_info("items", "0.1.0").openapi();
    let expected: Value =
        serde_json::from_str(include_str!("fixtures/openapi/items.json")).unwrap();
    assert_eq!(
        document,
        expected,
        "{}",
        serde_json::to_string_pretty(&document).unwrap()
    );
}

#[tokio::test]
async fn the_document_is_served_at_its_route() {
    let served_app = app().openapi_route("/openapi.json");
    let listing = served_app.routes_table().to_string();
    let expected = app().openapi();
    let addr = common::serve(served_app).await;
    let answer = common::send(addr, "GET", "/openapi.json", &[], "").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let served: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(served, expected);
    // The document's own route is not in the document, nor anything else it should not be.
    assert!(served["paths"].get("/openapi.json").is_none());
    assert!(
        !listing.contains("/openapi.json"),
        "made at start: {listing}"
    );
    let answer = common::send(addr, "POST", "/openapi.json", &[], "").await;
    assert_eq!(answer.status, 405);
    let answer = common::send(addr, "GET", "/openapi.json/..", &[], "").await;
    assert_eq!(answer.status, 404);
}

#[tokio::test]
async fn a_route_path_with_parameters_stops_the_app() {
    let app = App::new().openapi_route("/docs/<name>");
    let problem = common::start_refused(app).await.to_string();
    assert!(
        problem.contains(
            "App::openapi_route(\"/docs/<name>\"): this route is served at a plain path with \
             no parameter, such as \"/openapi.json\""
        ),
        "{problem}"
    );
}

#[test]
fn the_example_prints_its_document() {
    let output = std::process::Command::new(common::example_binary("items"))
        .arg("openapi")
        .output()
        .unwrap();
    assert!(output.status.success());
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["info"]["title"], "items");
    assert_eq!(
        printed,
        items::app().openapi_info("items", "0.1.0").openapi()
    );
}

/// A handler whose `Ok` is an `impl Trait`: the macro cannot name it, and the rest of the
/// return type still describes itself.
#[route("/maybe/<int:n>")]
fn maybe(n: u32) -> Result<impl IntoResponse, carafe::Error> {
    let n = u8::try_from(n)?;
    Ok(Json(n))
}

#[test]
fn a_result_of_an_impl_trait_still_answers_500_for_its_errors() {
    let app = App::new().mount(routes![maybe]);
    let document = app.openapi();
    let get = &document["paths"]["/maybe/{n}"]["get"];
    assert_eq!(statuses(get), ["200", "404", "500"]);
    assert_eq!(app.routes()[0].statuses, [200, 404, 500]);
}
