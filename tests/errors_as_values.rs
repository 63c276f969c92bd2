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
