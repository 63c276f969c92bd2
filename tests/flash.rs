//! Flask's message flashing: `flash` keeps a message in the session until a later request takes
//! it with `get_flashed_messages`, in sync and async handlers and in hooks. Over a socket.

mod common;

use std::time::Duration;

use carafe::prelude::*;
use carafe::{flash, flash_with, get_flashed_messages, get_flashed_messages_with_categories};

#[route("/login", POST)]
fn login() -> Response {
    flash("You were signed in.");
    flash_with("error", "Your password is old.");
    redirect("/")
}

#[route("/")]
fn index() -> String {
    let messages = get_flashed_messages_with_categories();
    // A second call in the same request gives the same messages, as in Flask.
    assert_eq!(get_flashed_messages().len(), messages.len());
    messages
        .iter()
        .map(|(category, message)| format!("{category}: {message}\n"))
        .collect()
}

#[route("/slow-flash", POST)]
async fn slow_flash() -> &'static str {
    tokio::time::sleep(Duration::from_millis(5)).await;
    flash("flashed after an await");
    tokio::time::sleep(Duration::from_millis(5)).await;
    "ok"
}

#[route("/flash-and-show")]
fn flash_and_show() -> String {
    flash("shown at once");
    get_flashed_messages().join(",")
}

fn app() -> App {
    App::new()
        .secret_key("flash test secret")
        .mount(routes![login, index, slow_flash, flash_and_show])
        .before_request(|request| {
            if request.parts().uri.path() == "/hooked" {
                flash("from a hook");
                return Some(redirect("/"));
            }
            None
        })
}

fn cookie_of(answer: &common::Answer) -> String {
    let set = answer.header("set-cookie").expect("a session cookie");
    set.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_flashed_message_is_shown_once_by_the_next_request() {
    let addr = common::serve(app()).await;
    let answer = common::send(addr, "POST", "/login", &[], "").await;
    assert_eq!(answer.status, 302);
    let cookie = cookie_of(&answer);

    let answer = common::send(addr, "GET", "/", &[("cookie", &cookie)], "").await;
    assert_eq!(
        answer.body,
        "message: You were signed in.\nerror: Your password is old.\n"
    );
    // Taking them changed the session: it is saved without them.
    let emptied = cookie_of(&answer);
    let answer = common::send(addr, "GET", "/", &[("cookie", &emptied)], "").await;
    assert_eq!(answer.body, "");
}

#[tokio::test]
async fn flashing_works_across_awaits_and_in_hooks() {
    let addr = common::serve(app()).await;
    let answer = common::send(addr, "POST", "/slow-flash", &[], "").await;
    assert_eq!(answer.body, "ok");
    let cookie = cookie_of(&answer);
    let answer = common::send(addr, "GET", "/", &[("cookie", &cookie)], "").await;
    assert_eq!(answer.body, "message: flashed after an await\n");

    let answer = common::send(addr, "GET", "/hooked", &[], "").await;
    assert_eq!(answer.status, 302);
    let cookie = cookie_of(&answer);
    let answer = common::send(addr, "GET", "/", &[("cookie", &cookie)], "").await;
    assert_eq!(answer.body, "message: from a hook\n");
}

#[tokio::test]
async fn a_message_flashed_and_read_in_one_request_is_not_kept() {
    let addr = common::serve(app()).await;
    let answer = common::send(addr, "GET", "/flash-and-show", &[], "").await;
    assert_eq!(answer.body, "shown at once");
    // Nothing is left to save, and there was no cookie to remove.
    assert_eq!(answer.header("set-cookie"), None);
}

#[tokio::test]
async fn a_forged_flash_cookie_reads_as_no_messages() {
    let addr = common::serve(app()).await;
    let forged = r#"session=%7B%22at%22%3A1%2C%22values%22%3A%7B%22_flashes%22%3A%5B%5B%22message%22%2C%22forged%22%5D%5D%7D%7D"#;
    let answer = common::send(addr, "GET", "/", &[("cookie", forged)], "").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "");
}

#[route("/no-key")]
fn no_key() -> &'static str {
    flash("lost");
    "unreachable"
}

#[tokio::test]
async fn flashing_without_a_secret_key_answers_500_naming_the_fix() {
    let logs = common::Logs::capture();
    let addr = common::serve(App::new().mount(routes![no_key])).await;
    let answer = common::send(addr, "GET", "/no-key", &[], "").await;
    assert_eq!(answer.status, 500);
    assert!(
        !answer.body.contains("secret"),
        "no detail is sent: {}",
        answer.body
    );
    // The server goes on serving.
    let answer = common::send(addr, "GET", "/no-key", &[], "").await;
    assert_eq!(answer.status, 500);
    assert!(logs.text().contains("secret_key"), "{}", logs.text());
}

#[test]
fn outside_a_request_reading_the_messages_says_there_is_no_request() {
    let panicked = std::panic::catch_unwind(get_flashed_messages).unwrap_err();
    let message = panicked.downcast_ref::<String>().unwrap();
    assert!(message.contains("outside a request"), "{message}");
}
