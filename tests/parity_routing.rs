//! Routing as Flask does it: automatic OPTIONS and HEAD, 405 with `Allow`, trailing slashes and
//! converters; through the test client, and over a socket for what HTTP itself carries.

mod common;

use carafe::prelude::*;
use common::{raw_exchange, send, split_raw};

#[route("/items/<int:item_id>", GET)]
fn item_by_id(item_id: u32) -> String {
    format!("id {item_id}")
}

#[route("/items/<name>", GET)]
fn item_by_name(name: String) -> String {
    format!("name {name}")
}

#[route("/items/<int:item_id>", PUT, DELETE)]
fn change_item(item_id: u32) -> String {
    format!("changed {item_id}")
}

#[route("/hello")]
fn hello() -> impl IntoResponse {
    ("Hello", [("X-Greeting", "yes")])
}

#[route("/form", POST)]
fn form_only() -> &'static str {
    "posted"
}

#[route("/user/")]
fn user() -> &'static str {
    "user"
}

#[route("/leaf")]
fn leaf() -> &'static str {
    "leaf"
}

#[route("/prices/<float:price>")]
fn price(price: f64) -> String {
    format!("price {price}")
}

#[route("/orders/<uuid:order_id>")]
fn order(order_id: String) -> String {
    format!("order {order_id}")
}

#[route("/files/<path:file>")]
fn file(file: String) -> String {
    format!("file {file}")
}

#[route("/custom", GET, OPTIONS)]
fn custom_options(method: Method) -> impl IntoResponse {
    (format!("custom {method}"), [("Allow", "GET")])
}

fn app() -> App {
    App::new().mount(routes![
        item_by_id,
        item_by_name,
        change_item,
        hello,
        form_only,
        user,
        leaf,
        price,
        order,
        file,
        custom_options
    ])
}

#[test]
fn options_is_answered_with_allow_and_an_empty_body() {
    let client = app().test_client();
    let response = client.options("/form").send();
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("allow"), Some("POST, OPTIONS"));
    assert_eq!(response.text(), "");
    // Every method served on the path, from every route on it; HEAD comes with GET.
    let response = client.options("/items/3").send();
    assert_eq!(
        response.header("allow"),
        Some("GET, HEAD, PUT, DELETE, OPTIONS")
    );
    // A route that declares OPTIONS answers it itself.
    assert_eq!(client.options("/custom").send().text(), "custom OPTIONS");
    assert_eq!(client.options("/nowhere").send().status(), 404);
}

#[test]
fn wrong_method_is_405_with_the_union_of_the_methods_on_the_path() {
    let client = app().test_client();
    let response = client.post("/items/3").send();
    assert_eq!(response.status(), 405);
    assert_eq!(
        response.header("allow"),
        Some("GET, HEAD, PUT, DELETE, OPTIONS")
    );
    assert!(response
        .text()
        .contains("<title>405 Method Not Allowed</title>"));
    // Only the routes whose converters accept the value count: `apple` is no int.
    let response = client.put("/items/apple").send();
    assert_eq!(response.status(), 405);
    assert_eq!(response.header("allow"), Some("GET, HEAD, OPTIONS"));
    let response = client.get("/form").send();
    assert_eq!(response.header("allow"), Some("POST, OPTIONS"));
}

#[test]
fn unknown_path_is_404_whatever_the_method() {
    let client = app().test_client();
    for method in [Method::GET, Method::POST, Method::PUT, Method::DELETE] {
        assert_eq!(client.request(method, "/nope").send().status(), 404);
    }
}

#[test]
fn head_carries_the_get_headers_and_no_body() {
    let client = app().test_client();
    let get = client.get("/hello").send();
    let head = client.head("/hello").send();
    assert_eq!(head.status(), 200);
    assert_eq!(head.text(), "");
    for name in ["content-length", "content-type", "x-greeting"] {
        assert_eq!(head.header(name), get.header(name), "{name}");
    }
    assert_eq!(head.header("content-length"), Some("5"));
}

#[test]
fn trailing_slash_redirects_like_flask() {
    let client = app().test_client();
    let response = client.get("/user?tab=posts&page=2").send();
    assert_eq!(response.status(), 308);
    assert_eq!(response.header("location"), Some("/user/?tab=posts&page=2"));
    assert_eq!(
        client.get("/user").send().header("location"),
        Some("/user/")
    );
    assert_eq!(client.head("/user").send().status(), 308);
    assert_eq!(client.options("/user").send().status(), 308);
    assert_eq!(client.get("/user/").send().text(), "user");
    // Only when the method is allowed there: Werkzeug answers 404, not 405 or a redirect.
    assert_eq!(client.post("/user").send().status(), 404);
    // A route without the slash does not answer the path with one.
    assert_eq!(client.get("/leaf/").send().status(), 404);
}

#[test]
fn repeated_slashes_redirect_to_the_merged_path_like_werkzeug() {
    let client = app().test_client();
    let response = client.get("//user//?tab=1").send();
    assert_eq!(response.status(), 308);
    assert_eq!(response.header("location"), Some("/user/?tab=1"));
    // Merged, then given its trailing slash, in one redirect.
    assert_eq!(
        client.get("/user//").send().header("location"),
        Some("/user/")
    );
    assert_eq!(
        client.get("//user").send().header("location"),
        Some("/user/")
    );
    // A merged path that is no route stays a 404.
    assert_eq!(client.get("/nowhere//here").send().status(), 404);
}

#[test]
fn string_converter_takes_one_decoded_segment() {
    let client = app().test_client();
    assert_eq!(client.get("/items/a%20b").send().text(), "name a b");
    assert_eq!(client.get("/items/caf%C3%A9").send().text(), "name café");
    assert_eq!(client.get("/items/a/b").send().status(), 404);
    // An encoded slash is still a slash to the converter, as in Werkzeug.
    assert_eq!(client.get("/items/a%2Fb").send().status(), 404);
}

#[test]
fn int_converter_takes_digits_only() {
    let client = app().test_client();
    assert_eq!(client.get("/items/42").send().text(), "id 42");
    assert_eq!(client.get("/items/007").send().text(), "id 7");
    // A sign or a fraction makes it a string, which the other route takes.
    assert_eq!(client.get("/items/-1").send().text(), "name -1");
    assert_eq!(client.get("/items/+1").send().text(), "name +1");
    assert_eq!(client.get("/items/1.5").send().text(), "name 1.5");
    assert_eq!(client.delete("/items/-1").send().status(), 405);
}

#[test]
fn float_converter_needs_a_dot() {
    let client = app().test_client();
    assert_eq!(client.get("/prices/1.5").send().text(), "price 1.5");
    assert_eq!(client.get("/prices/0.25").send().text(), "price 0.25");
    for path in [
        "/prices/1",
        "/prices/.5",
        "/prices/1.",
        "/prices/-1.5",
        "/prices/1e3",
    ] {
        assert_eq!(client.get(path).send().status(), 404, "{path}");
    }
}

#[test]
fn uuid_converter_takes_hyphenated_hex() {
    let client = app().test_client();
    let id = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    assert_eq!(
        client.get(&format!("/orders/{id}")).send().text(),
        format!("order {id}")
    );
    for path in [
        "/orders/6ba7b8109dad11d180b400c04fd430c8",
        "/orders/6ba7b810-9dad-11d1-80b4-00c04fd430cz",
        "/orders/42",
    ] {
        assert_eq!(client.get(path).send().status(), 404, "{path}");
    }
}

#[test]
fn path_converter_takes_slashes() {
    let client = app().test_client();
    assert_eq!(
        client.get("/files/docs/2024/report.txt").send().text(),
        "file docs/2024/report.txt"
    );
    assert_eq!(client.get("/files/a%20b/c").send().text(), "file a b/c");
    assert_eq!(client.get("/files/").send().status(), 404);
}

#[route("/things/<name>")]
fn thing_by_name(name: String) -> String {
    format!("name {name}")
}

#[route("/things/<int:id>")]
fn thing_by_id(id: u64) -> String {
    format!("id {id}")
}

#[test]
fn int_route_wins_over_string_route_whatever_the_order() {
    let orders = [
        App::new().mount(routes![thing_by_name, thing_by_id]),
        App::new().mount(routes![thing_by_id, thing_by_name]),
        App::new()
            .mount(routes![thing_by_name])
            .mount(routes![thing_by_id]),
        App::new()
            .mount(routes![thing_by_id])
            .mount(routes![thing_by_name]),
    ];
    for app in orders {
        let client = app.test_client();
        assert_eq!(client.get("/things/7").send().text(), "id 7");
        assert_eq!(client.get("/things/seven").send().text(), "name seven");
    }
}

#[route("/users/me", PUT)]
fn update_me() -> &'static str {
    "me updated"
}

#[route("/users/<name>")]
fn user_by_name(name: String) -> String {
    format!("user {name}")
}

#[route("/café/<dish>")]
fn menu(dish: String) -> String {
    format!("menu {dish}")
}

#[test]
fn a_static_route_that_does_not_answer_the_method_lets_a_dynamic_one_answer() {
    // Werkzeug tries every rule matching the path; the most specific one is only tried first.
    let client = App::new()
        .mount(routes![update_me, user_by_name])
        .test_client();
    assert_eq!(client.put("/users/me").send().text(), "me updated");
    assert_eq!(client.get("/users/me").send().text(), "user me");
    let response = client.delete("/users/me").send();
    assert_eq!(response.status(), 405);
    assert_eq!(response.header("allow"), Some("GET, HEAD, PUT, OPTIONS"));
    assert_eq!(client.put("/users/ann").send().status(), 405);
}

#[test]
fn a_static_part_outside_ascii_matches_as_clients_encode_it() {
    let client = App::new().mount(routes![menu]).test_client();
    assert_eq!(
        client.get("/caf%C3%A9/cr%C3%AApe").send().text(),
        "menu crêpe"
    );
}

#[tokio::test]
async fn over_a_socket_options_405_and_redirect() {
    let addr = common::serve(app()).await;
    let answer = send(addr, "OPTIONS", "/items/3", &[], "").await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("allow"),
        Some("GET, HEAD, PUT, DELETE, OPTIONS")
    );
    assert_eq!(answer.header("content-length"), Some("0"));
    assert_eq!(answer.body, "");

    let answer = send(addr, "PATCH", "/items/3", &[], "").await;
    assert_eq!(answer.status, 405);
    assert_eq!(
        answer.header("allow"),
        Some("GET, HEAD, PUT, DELETE, OPTIONS")
    );
    assert_eq!(send(addr, "POST", "/nope", &[], "").await.status, 404);

    let answer = send(addr, "GET", "/user?tab=posts", &[], "").await;
    assert_eq!(answer.status, 308);
    assert_eq!(answer.header("location"), Some("/user/?tab=posts"));
    assert_eq!(send(addr, "GET", "/leaf/", &[], "").await.status, 404);
    assert_eq!(
        send(addr, "GET", "/items/a%20b", &[], "").await.body,
        "name a b"
    );
}

#[tokio::test]
async fn over_a_socket_head_sends_the_get_headers_and_no_body() {
    let addr = common::serve(app()).await;
    // Raw bytes, so a body hyper wrongly sent would show up after the headers.
    let answer = raw_exchange(
        addr,
        b"HEAD /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    let (head, body) = split_raw(&answer);
    assert!(head.starts_with("http/1.1 200 ok"), "{head}");
    assert!(head.contains("\r\ncontent-length: 5"), "{head}");
    assert!(head.contains("\r\nx-greeting: yes"), "{head}");
    assert_eq!(body, "");
}
