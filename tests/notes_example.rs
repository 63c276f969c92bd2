//! The notes example over a real socket: a blueprint under a prefix with its own JSON 404
//! page, `url_for!` in a listing and a `Location`, and a redirect to the blueprint.

mod common;

#[path = "../examples/notes.rs"]
#[allow(dead_code)]
mod notes;

use common::{post_json, send};

#[tokio::test]
async fn the_notes_api_under_its_blueprint() {
    let addr = common::serve(notes::app()).await;

    let answer = send(addr, "GET", "/", &[], "").await;
    assert_eq!(answer.status, 302);
    assert_eq!(answer.header("location"), Some("/api/v1/notes"));

    let answer = send(addr, "GET", "/api/v1/notes", &[], "").await;
    assert_eq!(
        answer.body,
        r#"[{"id":1,"text":"buy milk","url":"/api/v1/notes/1"}]"#
    );

    let answer = post_json(addr, "/api/v1/notes", r#"{"text":"call Sam"}"#).await;
    assert_eq!(answer.status, 201);
    assert_eq!(answer.header("location"), Some("/api/v1/notes/2"));
    let answer = send(addr, "GET", "/api/v1/notes/2", &[], "").await;
    assert_eq!(answer.body, r#"{"id":2,"text":"call Sam"}"#);

    // The blueprint's errors in JSON, the rest of the site's in HTML.
    let answer = send(addr, "GET", "/api/v1/notes/9", &[], "").await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body, r#"{"error":"no note 9"}"#);
    let answer = send(addr, "GET", "/notes/1", &[], "").await;
    assert_eq!(answer.status, 404);
    assert!(
        answer.body.starts_with("<!doctype html>"),
        "{}",
        answer.body
    );
}

#[test]
fn the_listing_shows_full_paths() {
    let listing = notes::app().routes_table().to_string();
    for path in ["/api/v1/notes", "/api/v1/notes/<int:note_id>", "/"] {
        assert!(listing.contains(path), "{path} in\n{listing}");
    }
}
