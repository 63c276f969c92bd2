//! Every curl command of the three seed tutorials, sent over a real socket to the example that
//! ports it.

mod common;

#[path = "../examples/user_details.rs"]
#[allow(dead_code)]
mod user_details;

#[path = "../examples/status_basics.rs"]
#[allow(dead_code)]
mod status_basics;

#[path = "../examples/items.rs"]
#[allow(dead_code)]
mod items;

use common::{post_form, post_json, send};

const TEXT_HTML: &str = "text/html; charset=utf-8";

#[tokio::test]
async fn seed_000_tuples() {
    let addr = common::serve(user_details::app()).await;

    let answer = post_form(
        addr,
        "/userDetails",
        "username=sam&firstname=john&lastname=king",
    )
    .await;
    assert_eq!(answer.status, 201);
    assert_eq!(answer.body, "Success");
    assert_eq!(answer.header("content-type"), Some(TEXT_HTML));

    let answer = post_form(addr, "/userSignUp", "username=sam&firstname=john").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "Success");
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn seed_000_make_response() {
    let addr = common::serve(user_details::app()).await;

    let answer = post_form(
        addr,
        "/makeResponse/userDetails",
        "username=sam&firstname=john&lastname=king",
    )
    .await;
    assert_eq!(answer.status, 201);
    assert_eq!(answer.body, "<h1>Success</h1>");

    let answer = post_form(
        addr,
        "/makeResponse/userSignUp",
        "username=sam&firstname=john",
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "<h1>Success</h1>");
}

#[tokio::test]
async fn seed_000_missing_lastname_is_400_like_flask() {
    let addr = common::serve(user_details::app()).await;
    for path in ["/userDetails", "/makeResponse/userDetails"] {
        let answer = post_form(addr, path, "username=sam&firstname=john").await;
        assert_eq!(answer.status, 400, "{path}");
        assert!(
            answer.body.contains("Missing form field \"lastname\""),
            "{}",
            answer.body
        );
    }
}

#[tokio::test]
async fn seed_000_get_and_wrong_method() {
    let addr = common::serve(user_details::app()).await;
    let answer = send(addr, "GET", "/userDetails", &[], "").await;
    assert_eq!(answer.status, 200);

    let answer = send(addr, "GET", "/userSignUp", &[], "").await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("POST, OPTIONS"));
}

#[tokio::test]
async fn seed_001_status_basics() {
    let addr = common::serve(status_basics::app()).await;
    for (path, status, body) in [
        ("/success", 200, "Success!"),
        ("/notfound", 404, "Not Found"),
        ("/right", 404, "Error"),
    ] {
        let answer = send(addr, "GET", path, &[], "").await;
        assert_eq!(answer.status, status, "{path}");
        assert_eq!(answer.body, body, "{path}");
        assert_eq!(answer.header("content-type"), Some(TEXT_HTML), "{path}");
    }
    // `/wrong` does not compile, so it is not a route.
    assert_eq!(send(addr, "GET", "/wrong", &[], "").await.status, 404);
}

#[tokio::test]
async fn seed_002_get_items() {
    let addr = common::serve(items::app()).await;

    let answer = send(addr, "GET", "/items/1", &[], "").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, r#"{"item":"apple"}"#);
    assert_eq!(answer.header("content-type"), Some("application/json"));

    let answer = send(addr, "GET", "/items/9", &[], "").await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body, r#"{"error":"Item not found"}"#);
}

#[tokio::test]
async fn seed_002_create_items() {
    let addr = common::serve(items::app()).await;

    let answer = post_json(addr, "/items", r#"{"id":"3","name":"cherry"}"#).await;
    assert_eq!(answer.status, 201);
    assert_eq!(answer.body, r#"{"message":"Item created"}"#);
    assert_eq!(answer.header("location"), Some("/items/3"));
    // An id with characters a path cannot hold as they are arrives percent-encoded.
    let answer = post_json(addr, "/items", r#"{"id":"a b/c","name":"odd"}"#).await;
    assert_eq!(answer.header("location"), Some("/items/a%20b%2Fc"));
    let answer = send(addr, "GET", "/items/3", &[], "").await;
    assert_eq!(answer.body, r#"{"item":"cherry"}"#);

    // A numeric id is stored under its text, so GET finds it (Flask's seed would not).
    assert_eq!(
        post_json(addr, "/items", r#"{"id":4,"name":"date"}"#)
            .await
            .status,
        201
    );
    assert_eq!(
        send(addr, "GET", "/items/4", &[], "").await.body,
        r#"{"item":"date"}"#
    );

    let answer = post_json(addr, "/items", r#"{"id":"1","name":"pear"}"#).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body, r#"{"error":"Item already exists"}"#);

    for missing in [r#"{"name":"pear"}"#, r#"{"id":"5"}"#, "{}", "null", "[]"] {
        let answer = post_json(addr, "/items", missing).await;
        assert_eq!(answer.status, 400, "{missing}");
        assert_eq!(
            answer.body,
            r#"{"error":"Bad request, id and name required"}"#
        );
    }
}

#[tokio::test]
async fn seed_002_bad_bodies() {
    let addr = common::serve(items::app()).await;

    let answer = post_json(addr, "/items", "{not json").await;
    assert_eq!(answer.status, 400);
    assert!(
        answer.body.contains("Failed to decode JSON object"),
        "{}",
        answer.body
    );

    let answer = post_form(addr, "/items", "id=5&name=fig").await;
    assert_eq!(answer.status, 415);
    assert!(answer.body.contains("application/json"), "{}", answer.body);
}
