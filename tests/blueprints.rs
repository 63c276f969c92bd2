//! Blueprints: routes under a prefix, nested, with their own error pages; the same routing
//! answers (404, 405, OPTIONS, the trailing-slash redirect) as routes on the app; full paths in
//! the listing and in the duplicate check. Through the test client and over a socket.

mod common;

use carafe::prelude::*;
use carafe::Blueprint;

mod api {
    use carafe::prelude::*;

    #[route("/items/<int:item_id>")]
    pub fn get_item(item_id: u32) -> impl IntoResponse {
        if item_id == 0 {
            abort(404);
        }
        format!("item {item_id}")
    }

    #[route("/items/", POST)]
    pub fn create_item() -> impl IntoResponse {
        ("created", 201)
    }
}

mod admin {
    use carafe::prelude::*;

    #[route("/users/<name>", DELETE)]
    pub fn delete_user(name: String) -> impl IntoResponse {
        match name.as_str() {
            "root" => abort(403),
            "ghost" => abort(404),
            _ => {}
        }
        ("", 204)
    }
}

#[route("/")]
fn index() -> &'static str {
    "home"
}

#[route("/missing")]
fn missing() -> &'static str {
    abort(404)
}

fn app() -> App {
    let admin = Blueprint::new("/admin/")
        .mount(routes![admin::delete_user])
        .error_handler(403, |_| "admins only");
    let api = Blueprint::new("/api")
        .mount(routes![api::get_item, api::create_item])
        .error_handler(404, |error: HttpError| format!("api: {}", error.message()))
        .register(admin);
    App::new()
        .mount(routes![index, missing])
        .register(api)
        .error_handler(404, |_| "app: not found")
}

#[test]
fn routes_answer_under_their_full_prefix() {
    let client = app().test_client();
    assert_eq!(client.get("/").send().text(), "home");
    assert_eq!(client.get("/api/items/7").send().text(), "item 7");
    assert_eq!(client.post("/api/items/").send().status(), 201);
    assert_eq!(client.delete("/api/admin/users/sam").send().status(), 204);
    // Not without the prefix.
    assert_eq!(client.get("/items/7").send().text(), "app: not found");
    assert_eq!(client.delete("/admin/users/sam").send().status(), 404);
}

#[test]
fn errors_in_a_blueprint_get_its_page_then_the_enclosing_ones() {
    let client = app().test_client();
    // The blueprint's own 404 page for its route's abort(404)...
    let response = client.get("/api/items/0").send();
    assert_eq!(response.status(), 404);
    assert!(response.text().starts_with("api: "), "{}", response.text());
    // A value its converter refuses leaves the path to no route: routing answers, with the
    // app's page, as in Flask.
    assert_eq!(client.get("/api/items/x").send().text(), "app: not found");
    // The nested blueprint's own 403 page, and for its 404 the enclosing blueprint's.
    let response = client.delete("/api/admin/users/root").send();
    assert_eq!(
        (response.status().as_u16(), response.text()),
        (403, "admins only".into())
    );
    let response = client.delete("/api/admin/users/ghost").send();
    assert_eq!(response.status(), 404);
    assert!(response.text().starts_with("api: "), "{}", response.text());
    // The app's routes keep the app's page.
    assert_eq!(client.get("/missing").send().text(), "app: not found");
}

#[test]
fn routing_answers_the_same_under_a_prefix() {
    let client = app().test_client();
    let response = client.put("/api/items/7").send();
    assert_eq!(response.status(), 405);
    assert_eq!(response.header("allow"), Some("GET, HEAD, OPTIONS"));
    let response = client.options("/api/items/7").send();
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("allow"), Some("GET, HEAD, OPTIONS"));
    assert_eq!(client.head("/api/items/7").send().status(), 200);
    // Flask's redirect to the trailing-slash route, with the prefix kept.
    let response = client.post("/api/items").send();
    assert_eq!(response.status(), 308);
    assert_eq!(response.header("location"), Some("/api/items/"));
}

#[test]
fn the_listing_shows_full_paths() {
    let routes = app().routes();
    let paths: Vec<&str> = routes.iter().map(|route| route.path.as_str()).collect();
    for path in [
        "/",
        "/missing",
        "/api/items/<int:item_id>",
        "/api/items/",
        "/api/admin/users/<name>",
    ] {
        assert!(paths.contains(&path), "{path} in {paths:?}");
    }
}

#[test]
fn the_same_full_path_twice_refuses_to_start_naming_both() {
    // `/api` + `/items/<int:item_id>` on the app as `/api/items/<int:id>` would clash.
    let problem = common::refusal(|| {
        App::new()
            .register(Blueprint::new("/api").mount(routes![api::get_item]))
            .register(Blueprint::new("/api/").mount(routes![api::get_item]))
    });
    assert!(problem.contains("`get_item`"), "{problem}");
    assert!(problem.contains("/api/items/<int:item_id>"), "{problem}");
}

#[tokio::test]
async fn a_prefix_that_is_no_prefix_refuses_to_start() {
    for (prefix, says) in [
        ("api", "a prefix starts with `/`: write \"/api\""),
        ("/<lang>", "a prefix is plain text"),
        ("/api/{v}", "a prefix is plain text"),
    ] {
        let app = App::new().register(Blueprint::new(prefix).mount(routes![api::get_item]));
        let error = common::start_refused(app).await.to_string();
        assert!(
            error.contains(&format!("Blueprint::new({prefix:?})")),
            "{error}"
        );
        assert!(error.contains(says), "{prefix}: {error}");
    }
}

#[tokio::test]
async fn over_a_socket_on_both_protocols() {
    let addr = common::serve(app()).await;
    let answer = common::send(addr, "GET", "/api/items/7", &[], "").await;
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (200, "item 7")
    );
    let answer = common::send(addr, "GET", "/api/items/0", &[], "").await;
    assert_eq!(answer.status, 404);
    assert!(answer.body.starts_with("api: "), "{}", answer.body);
    let answer = common::send(addr, "DELETE", "/api/admin/users/root", &[], "").await;
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (403, "admins only")
    );
    let answer = common::get_http2(addr, "/api/items/7").await;
    assert_eq!(answer.body, "item 7");
    let answer = common::get_http2(addr, "/api/items/0").await;
    assert!(answer.body.starts_with("api: "), "{}", answer.body);
}
