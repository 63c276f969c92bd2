//! Extractors that never wait: a plain `fn` handler whose extractors all are runs within the
//! handler call, with the same answers as when its extraction is awaited.

mod common;

use carafe::prelude::*;
use carafe::{FromRequest, RequestContext};
use common::Logs;

/// The `X-Client` header, read at once.
struct Client(String);

impl FromRequest for Client {
    async fn from_request(ctx: &mut RequestContext) -> Result<Self, Response> {
        Self::from_request_immediately(ctx)
    }

    const IMMEDIATE: bool = true;

    fn from_request_immediately(ctx: &mut RequestContext) -> Result<Self, Response> {
        let name = ctx.parts().headers.get("x-client");
        let name = name.and_then(|name| name.to_str().ok());
        name.map(|name| Client(name.to_owned())).ok_or_else(|| {
            HttpError::new(400)
                .with_message("Say who you are in X-Client.")
                .into_response()
        })
    }
}

/// Claims to extract at once but only implements the awaited extraction: a mistake in the
/// extractor, which the app reports rather than hides.
struct Forgetful;

impl FromRequest for Forgetful {
    async fn from_request(_: &mut RequestContext) -> Result<Self, Response> {
        Ok(Forgetful)
    }

    const IMMEDIATE: bool = true;
}

#[route("/hello")]
fn hello(client: Client, method: Method) -> String {
    format!("{method} from {}", client.0)
}

#[route("/hello-later")]
async fn hello_later(client: Client, method: Method) -> String {
    format!("{method} from {}", client.0)
}

#[route("/counter")]
fn counter(count: State<u32>) -> String {
    count.to_string()
}

#[route("/counter-later")]
async fn counter_later(count: State<u32>) -> String {
    count.to_string()
}

#[route("/forgetful")]
fn forgetful(_: Forgetful) -> &'static str {
    "unreachable"
}

fn app() -> App {
    App::new().mount(routes![
        hello,
        hello_later,
        counter,
        counter_later,
        forgetful
    ])
}

#[test]
fn plain_and_async_handlers_extract_alike() {
    let client = app().test_client();
    for path in ["/hello", "/hello-later"] {
        let response = client.get(path).header("X-Client", "curl").send();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.text(), "GET from curl", "{path}");
        let refused = client.get(path).send();
        assert_eq!(refused.status(), 400, "{path}");
        assert!(
            refused.text().contains("Say who you are in X-Client."),
            "{path}"
        );
    }
}

#[test]
fn missing_state_answers_500_and_names_the_fix_in_both() {
    let logs = Logs::capture();
    let client = app().test_client();
    for path in ["/counter", "/counter-later"] {
        assert_eq!(client.get(path).send().status(), 500, "{path}");
    }
    let fix = "add App::new().state::<u32>(..)";
    assert_eq!(logs.text().matches(fix).count(), 2, "{}", logs.text());
    let client = app().state(7u32).test_client();
    for path in ["/counter", "/counter-later"] {
        assert_eq!(client.get(path).send().text(), "7", "{path}");
    }
}

#[test]
fn an_extractor_that_claims_to_be_immediate_without_being_is_reported() {
    let logs = Logs::capture();
    let response = app().test_client().get("/forgetful").send();
    assert_eq!(response.status(), 500);
    assert!(
        logs.text().contains(
            "sets FromRequest::IMMEDIATE but does not implement from_request_immediately"
        ),
        "{}",
        logs.text()
    );
}
