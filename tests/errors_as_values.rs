//! Errors as values: `?` on any error in a handler returning `Result<T, carafe::Error>`, a 500
//! whose chain is logged and never sent, handlers for an error type, an error handler's own
//! status, and debug mode, which shows the detail, off by default.

mod common;

use std::fmt;
use std::process::Command;

use carafe::prelude::*;
use carafe::Error;
use common::Logs;

#[route("/file")]
fn file() -> Result<String, Error> {
    Ok(std::fs::read_to_string("/no/such/carafe/file")?)
}

#[route("/number/<text>")]
fn number(text: String) -> Result<String, Error> {
    let number: u32 = serde_json::from_str(&text)?;
    Ok(format!("number {number}"))
}

/// An error with a cause, to see the whole chain in the log.
#[derive(Debug)]
struct Outer(std::io::Error);

impl fmt::Display for Outer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the ledger is unreadable")
    }
}

impl std::error::Error for Outer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[route("/chain")]
fn chain() -> Result<String, Error> {
    let secret = std::io::Error::other("disk 7 holds secret-token-42");
    Err(Outer(secret).into())
}

#[route("/missing")]
fn missing() -> &'static str {
    abort(404)
}

#[route("/gone")]
fn gone() -> &'static str {
    abort(410)
}

#[route("/boom")]
fn boom() -> &'static str {
    panic!("the secret is 42")
}

fn app() -> App {
    App::new()
        .mount(routes![file, number, chain, missing, gone, boom])
        .error_handler_for(|error: &serde_json::Error| {
            (format!("not a number: line {}", error.line()), 400)
        })
        // A status given with the body wins, even 200.
        .error_handler(404, |_| ("42", 200))
        // A bare body keeps the error's status.
        .error_handler(410, |_| "gone for good")
}

#[tokio::test]
async fn a_returned_error_answers_500_and_its_chain_is_only_logged() {
    let logs = Logs::capture();
    let addr = common::serve(app()).await;
    let answer = common::send(addr, "GET", "/chain", &[], "").await;
    assert_eq!(answer.status, 500);
    assert!(!answer.body.contains("secret"), "{}", answer.body);
    assert!(!answer.body.contains("ledger"), "{}", answer.body);
    let logged = logs.text();
    assert!(
        logged.contains("the ledger is unreadable: disk 7 holds secret-token-42"),
        "{logged}"
    );

    let answer = common::send(addr, "GET", "/file", &[], "").await;
    assert_eq!(answer.status, 500);
    assert!(!answer.body.contains("No such file"), "{}", answer.body);
}

#[tokio::test]
async fn an_error_type_has_its_own_handler() {
    let addr = common::serve(app()).await;
    let answer = common::send(addr, "GET", "/number/12", &[], "").await;
    assert_eq!(answer.body, "number 12");
    let answer = common::send(addr, "GET", "/number/twelve", &[], "").await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body, "not a number: line 1");
    // Another type still falls back to the 500 page.
    assert_eq!(
        common::send(addr, "GET", "/file", &[], "").await.status,
        500
    );
}

#[test]
fn an_error_handler_status_given_with_the_body_wins() {
    let client = app().test_client();
    let response = client.get("/missing").send();
    assert_eq!(
        (response.status().as_u16(), response.text()),
        (200, "42".into())
    );
    let response = client.get("/gone").send();
    assert_eq!(
        (response.status().as_u16(), response.text()),
        (410, "gone for good".into())
    );
}

#[tokio::test]
async fn debug_mode_shows_the_detail_and_is_off_by_default() {
    // Off: nothing internal is sent, in HTML or JSON.
    let addr = common::serve(app()).await;
    for accept in ["text/html", "application/json"] {
        let answer = common::send(addr, "GET", "/boom", &[("accept", accept)], "").await;
        assert_eq!(answer.status, 500);
        assert!(!answer.body.contains("secret"), "{}", answer.body);
        assert!(!answer.body.contains("/boom"), "{}", answer.body);
    }

    let addr = common::serve(app().debug(true)).await;
    let answer = common::send(addr, "GET", "/boom", &[], "").await;
    assert_eq!(answer.status, 500);
    assert!(
        answer
            .body
            .contains("the handler panicked: the secret is 42"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("GET /boom"), "{}", answer.body);
    let answer = common::send(addr, "GET", "/chain", &[("accept", "application/json")], "").await;
    let page: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(page["request"], "GET /chain");
    assert!(
        page["detail"]
            .as_str()
            .unwrap()
            .ends_with("the ledger is unreadable: disk 7 holds secret-token-42"),
        "{page}"
    );
    // A page with no internal detail shows the request alone, escaped.
    let addr = common::serve(App::new().debug(true)).await;
    let answer = common::send(addr, "GET", "/nothing?a=1&b=2", &[], "").await;
    assert_eq!(answer.status, 404);
    assert!(
        answer.body.contains("GET /nothing?a=1&amp;b=2"),
        "{}",
        answer.body
    );
}

/// Set in the child process of the test below.
const DEBUG_CHILD: &str = "CARAFE_TEST_DEBUG_CHILD";

#[test]
fn carafe_debug_1_in_the_environment_turns_it_on() {
    if std::env::var_os(DEBUG_CHILD).is_some() {
        let page = app().test_client().get("/boom").send().text();
        assert!(page.contains("the secret is 42"), "{page}");
        return;
    }
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "carafe_debug_1_in_the_environment_turns_it_on"])
        .env(DEBUG_CHILD, "1")
        .env("CARAFE_DEBUG", "1")
        .status()
        .unwrap();
    assert!(status.success());
}

#[route("/refused")]
fn refused() -> Result<String, Error> {
    // Flask's `raise Forbidden()`: the HttpError travels through carafe::Error.
    Err(HttpError::new(403))?;
    Ok("never".into())
}

#[route("/refused-with-message")]
fn refused_with_message() -> Result<String, Error> {
    Err(HttpError::new(409).with_message("the ledger is being edited"))?;
    Ok("never".into())
}

#[route("/teapot")]
fn teapot() -> Result<String, Error> {
    Err(Error::from(HttpError::new(418)))
}

#[route("/io")]
fn io() -> Result<String, Error> {
    Err(std::io::Error::other("disk 7 is unwell"))?
}

#[route("/abort-500")]
fn abort_500() -> &'static str {
    abort(500)
}

/// Answers each failure by what it was, as Flask's 500 handler reads `e.original_exception`.
fn by_original_error(error: HttpError) -> String {
    match error.original_error() {
        Some(failure) => match failure.downcast_ref::<carafe::Panic>() {
            Some(panic) => format!("panicked: {}", panic.message()),
            None if failure.downcast_ref::<std::io::Error>().is_some() => {
                format!("io: {failure}")
            }
            None => "another error".into(),
        },
        None => "aborted".into(),
    }
}

fn flask_app() -> App {
    App::new()
        .mount(routes![
            refused,
            refused_with_message,
            teapot,
            io,
            abort_500,
            boom,
            missing,
            gone
        ])
        .error_handler(403, |error: HttpError| {
            format!("403 handler: {}", error.status().as_u16())
        })
        .error_handler(500, by_original_error)
        // Every tuple form that gives a status gives it explicitly, even 200.
        .error_handler(404, |_| ("moved", 200, [("X-A", "1")]))
        .error_handler(410, |_| ("gone", StatusCode::OK, [("X-B", "2")]))
}

#[test]
fn an_error_handlers_status_wins_in_every_tuple_form() {
    let client = flask_app().test_client();
    let response = client.get("/missing").send();
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("x-a"), Some("1"));
    assert_eq!(response.text(), "moved");
    let response = client.get("/gone").send();
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("x-b"), Some("2"));
}

#[tokio::test]
async fn an_http_error_through_carafe_error_keeps_its_status_message_and_handler() {
    let addr = common::serve(flask_app()).await;
    let answer = common::send(addr, "GET", "/refused", &[], "").await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.body, "403 handler: 403");
    // No handler for 409: its default page, with its own message.
    let answer = common::send(addr, "GET", "/refused-with-message", &[], "").await;
    assert_eq!(answer.status, 409);
    assert!(
        answer.body.contains("the ledger is being edited"),
        "{}",
        answer.body
    );
    let answer = common::send(addr, "GET", "/teapot", &[], "").await;
    assert_eq!(answer.status, 418);
}

#[tokio::test]
async fn a_500_handler_can_tell_what_failed() {
    let addr = common::serve(flask_app()).await;
    let answer = common::send(addr, "GET", "/io", &[], "").await;
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (500, "io: disk 7 is unwell")
    );
    let answer = common::send(addr, "GET", "/boom", &[], "").await;
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (500, "panicked: the secret is 42")
    );
    let answer = common::send(addr, "GET", "/abort-500", &[], "").await;
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (500, "aborted")
    );
}

#[test]
fn the_original_error_is_never_sent_by_the_default_page() {
    let client = App::new().mount(routes![io]).test_client();
    let page = client.get("/io").send().text();
    assert!(!page.contains("disk 7"), "{page}");
    let page = App::new()
        .mount(routes![io])
        .debug(true)
        .test_client()
        .get("/io")
        .send()
        .text();
    assert!(page.contains("disk 7 is unwell"), "{page}");
}
