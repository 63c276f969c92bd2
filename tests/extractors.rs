//! Extractors of both kinds: those that read the head run within a plain `fn` handler's call,
//! with the same answers as when its extraction is awaited; what they need from the app is
//! checked before it serves.

mod common;

use carafe::prelude::*;
use carafe::{FromRequest, FromRequestParts, RequestContext};

/// The `X-Client` header, read at once.
struct Client(String);

impl FromRequestParts for Client {
    fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response> {
        let name = ctx.parts().headers.get("x-client");
        let name = name.and_then(|name| name.to_str().ok());
        name.map(|name| Client(name.to_owned())).ok_or_else(|| {
            HttpError::new(400)
                .with_message("Say who you are in X-Client.")
                .into_response()
        })
    }
}

/// The body's length, read from the body itself.
struct BodyLength(usize);

impl FromRequest for BodyLength {
    async fn from_request(ctx: &mut RequestContext) -> Result<Self, Response> {
        Ok(BodyLength(ctx.body_bytes().await?.len()))
    }
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

#[route("/length", POST)]
fn length(client: Client, length: BodyLength) -> String {
    format!("{} sent {} bytes", client.0, length.0)
}

fn app() -> App {
    App::new().mount(routes![hello, hello_later, counter, counter_later, length])
}

#[test]
fn plain_and_async_handlers_extract_alike() {
    let client = app().state(7u32).test_client();
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
fn a_plain_handler_awaits_a_body_extractor() {
    let client = app().state(7u32).test_client();
    let response = client
        .post("/length")
        .header("X-Client", "curl")
        .body("12345")
        .send();
    assert_eq!(response.text(), "curl sent 5 bytes");
    assert_eq!(client.post("/length").body("12345").send().status(), 400);
}

#[test]
fn missing_state_refuses_to_start_naming_each_handler_the_type_and_the_fix() {
    let problem = common::refusal(app);
    for handler in ["`counter`", "`counter_later`"] {
        assert!(problem.contains(handler), "{problem}");
    }
    assert!(
        problem.contains("takes `State<u32>`, but the app holds no `u32`"),
        "{problem}"
    );
    assert!(problem.contains("App::new().state::<u32>(..)"), "{problem}");
    assert!(problem.contains("tests/extractors.rs:"), "{problem}");

    let client = app().state(7u32).test_client();
    for path in ["/counter", "/counter-later"] {
        assert_eq!(client.get(path).send().text(), "7", "{path}");
    }
}

#[tokio::test]
async fn missing_state_is_the_error_serve_returns() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let error = app()
        .serve_with_shutdown(listener, std::future::pending())
        .await
        .expect_err("the app refuses to serve");
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    assert!(error.to_string().contains("`counter`"), "{error}");
}
