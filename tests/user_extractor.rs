//! An extractor of the user's own says, through its trait's items, what the app must hold
//! (checked before it serves) and what it answers (shown in the OpenAPI document and the
//! route listing), as carafe's own extractors do: nothing is decided by its name.

mod common;

use std::collections::HashMap;
use std::sync::Mutex;

use carafe::prelude::*;
use carafe::{FromRequestParts, Needs, Operation, RequestContext};

/// The app's sign-ins: token to user name. A database pool in a real app.
struct Pool(Mutex<HashMap<String, String>>);

/// The user whose token the request shows in `Authorization: Bearer ..`, or 401.
struct CurrentUser(String);

impl FromRequestParts for CurrentUser {
    fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response> {
        let refused = || {
            HttpError::new(401)
                .with_message("Sign in first: send Authorization: Bearer <token>.")
                .into_response()
        };
        let token = ctx
            .parts()
            .headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or_else(refused)?;
        let pool = ctx.state::<Pool>().ok_or_else(refused)?;
        let users = pool.0.lock().expect("the pool's lock is not poisoned");
        users
            .get(token)
            .map(|name| CurrentUser(name.clone()))
            .ok_or_else(refused)
    }

    fn needs(needs: &mut Needs<'_>) {
        needs.state::<Pool>();
    }

    fn describe(operation: &mut Operation<'_>) {
        operation.fails_with(401);
    }
}

/// Who is signed in.
#[route("/me")]
fn me(user: CurrentUser) -> String {
    format!("signed in as {}", user.0)
}

fn app() -> App {
    App::new().mount(routes![me])
}

fn pool() -> Pool {
    Pool(Mutex::new(HashMap::from([(
        "t0k3n".to_owned(),
        "sam".to_owned(),
    )])))
}

#[test]
fn a_missing_pool_refuses_to_start_naming_the_handler_the_extractor_and_the_fix() {
    let problem = common::refusal(app);
    assert!(problem.contains("handler `me`"), "{problem}");
    assert!(problem.contains("tests/user_extractor.rs:"), "{problem}");
    assert!(
        problem.contains("takes `CurrentUser`, which needs `State<user_extractor::Pool>`"),
        "{problem}"
    );
    assert!(
        problem.contains("App::new().state::<user_extractor::Pool>(..)"),
        "{problem}"
    );
}

#[tokio::test]
async fn a_missing_pool_refuses_to_serve_too() {
    let error = common::start_refused(app()).await;
    assert!(error.to_string().contains("CurrentUser"), "{error}");
}

#[test]
fn the_extractors_401_is_in_the_document_and_the_listing() {
    let app = app().state(pool());
    let document = app.openapi();
    let responses = &document["paths"]["/me"]["get"]["responses"];
    assert_eq!(
        responses["401"]["description"], "Unauthorized",
        "{document}"
    );
    assert!(responses.get("200").is_some(), "{document}");
    assert_eq!(app.routes()[0].statuses, [200, 401]);
}

#[tokio::test]
async fn over_a_socket_a_token_signs_in_and_anything_else_answers_401() {
    let addr = common::serve(app().state(pool())).await;
    let signed_in =
        common::send(addr, "GET", "/me", &[("Authorization", "Bearer t0k3n")], "").await;
    assert_eq!(signed_in.status, 200);
    assert_eq!(signed_in.body, "signed in as sam");
    for headers in [
        &[][..],
        &[("Authorization", "Bearer wrong")][..],
        &[("Authorization", "Basic dDBrM246")][..],
        &[("Authorization", "Bearer ")][..],
    ] {
        let refused = common::send(addr, "GET", "/me", headers, "").await;
        assert_eq!(refused.status, 401, "{headers:?}");
        assert!(refused.body.contains("Sign in first"), "{}", refused.body);
    }
}
