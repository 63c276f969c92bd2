//! Flask's session: signed with the app's secret key, read back as sent, empty when forged,
//! cut or expired, saved only when changed, and refused without a key. Over a socket.

mod common;

use std::time::Duration;

use carafe::prelude::*;
use carafe::Session;

#[route("/login/<int:user_id>", POST)]
fn login(user_id: u32, session: Session) -> &'static str {
    session.insert("user_id", user_id);
    "signed in"
}

#[route("/whoami")]
fn whoami(session: Session) -> String {
    match session.get::<u32>("user_id") {
        Some(id) => format!("user {id}"),
        None => "nobody".to_owned(),
    }
}

#[route("/logout", POST)]
fn logout(session: Session) -> &'static str {
    session.clear();
    "signed out"
}

#[route("/admin")]
fn admin() -> &'static str {
    "the admin page"
}

fn app() -> App {
    App::new()
        .secret_key("a test secret, not for production")
        .mount(routes![login, whoami, logout, admin])
        // login_required as a hook: the session read from the request context.
        .before_request(|request| {
            if request.parts().uri.path() != "/admin" {
                return None;
            }
            let signed_in = request
                .session()
                .is_some_and(|session| session.contains("user_id"));
            (!signed_in).then(|| redirect("/login"))
        })
}

/// The `name=value` part of a Set-Cookie header.
fn cookie_pair(set_cookie: &str) -> &str {
    set_cookie.split(';').next().unwrap()
}

#[tokio::test]
async fn a_session_is_signed_read_back_and_cleared() {
    let addr = common::serve(app()).await;
    let answer = common::send(addr, "POST", "/login/7", &[], "").await;
    let set = answer
        .header("set-cookie")
        .expect("the session is saved")
        .to_owned();
    assert!(set.starts_with("session="), "{set}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=2678400"] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    let cookie = cookie_pair(&set).to_owned();

    let answer = common::send(addr, "GET", "/whoami", &[("cookie", &cookie)], "").await;
    assert_eq!(answer.body, "user 7");
    // Read, not changed: nothing is sent back.
    assert_eq!(answer.header("set-cookie"), None);
    // The hook sees it too.
    let answer = common::send(addr, "GET", "/admin", &[("cookie", &cookie)], "").await;
    assert_eq!(answer.body, "the admin page");
    let answer = common::send(addr, "GET", "/admin", &[], "").await;
    assert_eq!(answer.status, 302);

    let answer = common::send(addr, "POST", "/logout", &[("cookie", &cookie)], "").await;
    let removal = answer.header("set-cookie").unwrap();
    assert!(
        removal.starts_with("session=; Path=/; Max-Age=0"),
        "{removal}"
    );
}

#[tokio::test]
async fn a_forged_or_cut_cookie_reads_as_an_empty_session() {
    let addr = common::serve(app()).await;
    let answer = common::send(addr, "POST", "/login/7", &[], "").await;
    let cookie = cookie_pair(answer.header("set-cookie").unwrap()).to_owned();
    let value = cookie.strip_prefix("session=").unwrap();
    // The values are readable (as Flask's are): user 7 made user 1, the signature kept.
    let forged = format!("session={}", value.replace("%3A7%7D", "%3A1%7D"));
    assert_ne!(forged, cookie);
    let cut = format!("session={}", &value[..value.len() / 2]);
    // The signature's first character changed (to another one: it may already be an `A`).
    let other = if value.starts_with('A') { 'B' } else { 'A' };
    let wrong_signature = format!("session={other}{}", &value[1..]);
    for cookie in [forged, cut, wrong_signature, "session=garbage".to_owned()] {
        let answer = common::send(addr, "GET", "/whoami", &[("cookie", &cookie)], "").await;
        assert_eq!(answer.status, 200, "{cookie}");
        assert_eq!(answer.body, "nobody", "{cookie}");
    }
}

#[tokio::test]
async fn an_expired_session_reads_as_empty() {
    let addr = common::serve(app().session_lifetime(Duration::from_secs(1))).await;
    let answer = common::send(addr, "POST", "/login/7", &[], "").await;
    let cookie = cookie_pair(answer.header("set-cookie").unwrap()).to_owned();
    let answer = common::send(addr, "GET", "/whoami", &[("cookie", &cookie)], "").await;
    assert_eq!(answer.body, "user 7");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let answer = common::send(addr, "GET", "/whoami", &[("cookie", &cookie)], "").await;
    assert_eq!(answer.body, "nobody");
}

#[tokio::test]
async fn another_secret_cannot_read_the_session() {
    let addr = common::serve(app()).await;
    let answer = common::send(addr, "POST", "/login/7", &[], "").await;
    let cookie = cookie_pair(answer.header("set-cookie").unwrap()).to_owned();
    let other = common::serve(app().secret_key("another secret")).await;
    let answer = common::send(other, "GET", "/whoami", &[("cookie", &cookie)], "").await;
    assert_eq!(answer.body, "nobody");
}

#[tokio::test]
async fn a_session_without_a_secret_key_refuses_to_start() {
    let error = common::start_refused(App::new().mount(routes![whoami]))
        .await
        .to_string();
    assert!(error.contains("`whoami`"), "{error}");
    assert!(error.contains("App::new().secret_key(..)"), "{error}");
}
