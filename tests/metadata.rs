//! What `#[route]` records about each handler, as the app sees it: the source locations that
//! name both handlers when two routes clash across `mount` calls (a clash inside one
//! `routes![..]` is a compile error, see tests/ui/fail/duplicate_routes.rs), and the status
//! literals kept for the route listing.

use std::panic;

use carafe::prelude::*;
use tokio::net::TcpListener;

// Each `*_LINE` is the line of the handler's name, which the route records.
const LIST_ITEMS_LINE: u32 = line!() + 2;
#[get("/items/<int:id>")]
fn list_items(id: u64) -> impl IntoResponse {
    format!("item {id}")
}

const ITEM_BY_NUMBER_LINE: u32 = line!() + 2;
#[route("/items/<int:number>", GET, POST)]
fn item_by_number(number: u64) -> impl IntoResponse {
    format!("number {number}")
}

#[route("/items/<name>", GET)]
fn item_by_name(name: String) -> impl IntoResponse {
    name
}

/// The message `App` refuses to start with: both handlers, each with its file and line.
fn clash() -> String {
    format!(
        "routes `list_items` ({file}:{LIST_ITEMS_LINE}) and `item_by_number` \
         ({file}:{ITEM_BY_NUMBER_LINE}) both answer GET on",
        file = file!()
    )
}

fn clashing_app() -> App {
    App::new()
        .mount(routes![list_items])
        .mount(routes![item_by_number])
}

#[tokio::test]
async fn serve_refuses_routes_that_clash_across_mounts() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let error = clashing_app()
        .serve_with_shutdown(listener, std::future::ready(()))
        .await
        .expect_err("two handlers answer GET /items/<int:..>");
    let message = error.to_string();
    assert!(message.contains(&clash()), "{message}");
    assert!(message.contains("/items/<int:number>"), "{message}");
}

#[test]
#[should_panic(expected = "the app cannot start: routes `list_items` (tests/metadata.rs:")]
fn test_client_refuses_routes_that_clash_across_mounts() {
    clashing_app().test_client();
}

#[test]
fn the_test_client_panic_names_both_locations() {
    let payload = panic::catch_unwind(|| clashing_app().test_client())
        .err()
        .expect("the app cannot start");
    let message = payload
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(message.contains(&clash()), "{message}");
}

#[test]
fn other_converters_and_methods_do_not_clash() {
    let client = App::new()
        .mount(routes![list_items])
        .mount(routes![item_by_name])
        .test_client();
    assert_eq!(client.get("/items/7").send().text(), "item 7");
    assert_eq!(client.get("/items/pen").send().text(), "pen");
}

#[route("/statuses/<int:n>", GET)]
fn statuses(n: u32) -> Response {
    if n == 0 {
        abort(404);
    }
    if n == 1 {
        return ("Created", 201).into_response();
    }
    // Data until it is returned: the macro cannot know it becomes a status, so 418 is not listed.
    let teapot = ("Teapot", 418);
    if n == 2 {
        return make_response(teapot.0, teapot.1);
    }
    // 404 again: listed once.
    let mut response = make_response("Not found", 404);
    if n == 3 {
        response.status_code = 200;
    }
    response
}

#[route("/computed/<int:code>", GET)]
fn computed(code: u16) -> impl IntoResponse {
    // A `StatusCode` constant is known wherever it is written; a computed code is not.
    if code == 0 {
        return ("Gone", StatusCode::GONE.as_u16());
    }
    ("Echo", code)
}

#[test]
fn the_listing_keeps_the_status_literals_of_each_handler() {
    let app = App::new().mount(routes![statuses, computed]);
    let routes = app.routes();
    assert_eq!(routes[0].path, "/statuses/<int:n>");
    assert_eq!(routes[0].statuses, [200, 201, 404]);
    assert_eq!(routes[1].path, "/computed/<int:code>");
    // 410 from the constant; 404 from `<int:code>`, which refuses a value that is no integer.
    assert_eq!(routes[1].statuses, [404, 410]);
}

/// A form handler that redirects or shows its page again, returning a `Result`.
#[route("/register", GET, POST)]
fn register(request: Request) -> Result<Response, carafe::Error> {
    if request.method() == "POST" {
        return Ok(redirect("/login"));
    }
    Ok(Response::new("<form method=post></form>"))
}

#[test]
fn the_listing_and_the_openapi_document_list_the_same_statuses() {
    let app = App::new().mount(routes![register, statuses, computed]);
    let document = app.openapi();
    for route in app.routes() {
        let path = route.path.replace("<int:", "{").replace('>', "}");
        let mut documented: Vec<u16> = document["paths"][&path]
            .as_object()
            .unwrap_or_else(|| panic!("{path} in {document}"))
            .values()
            .flat_map(|operation| operation["responses"].as_object().unwrap().keys())
            .map(|status| status.parse().unwrap())
            .collect();
        documented.sort_unstable();
        documented.dedup();
        assert_eq!(route.statuses, documented, "{}", route.path);
    }
    // What the body shows, and the 500 of its `Result`'s errors.
    assert_eq!(app.routes()[0].statuses, [200, 302, 500]);
}
