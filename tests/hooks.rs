//! Request hooks with Flask's order and semantics, on the app and on blueprints: through the
//! test client and over sockets.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use carafe::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the hooks and handlers did, in order.
#[derive(Clone, Default)]
struct Trace(Arc<Mutex<Vec<String>>>);

impl Trace {
    fn push(&self, event: impl Into<String>) {
        self.0.lock().unwrap().push(event.into());
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.lock().unwrap())
    }

    fn contains(&self, event: &str) -> bool {
        self.0.lock().unwrap().iter().any(|seen| seen == event)
    }

    /// Waits up to 10 s for `event`.
    async fn until(&self, event: &str) {
        tokio::time::timeout(Duration::from_secs(10), async {
            while !self.contains(event) {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{event:?} within 10 s; saw {:?}", self.0.lock().unwrap()));
    }
}

#[derive(Clone)]
struct User(String);

#[route("/hello")]
fn hello(trace: State<Trace>) -> &'static str {
    trace.push("handler");
    "hello"
}

#[route("/me")]
fn me(G(user): G<User>) -> String {
    format!("signed in as {}", user.0)
}

#[route("/boom")]
fn boom() -> &'static str {
    panic!("a bug")
}

#[route("/forever")]
async fn forever(trace: State<Trace>) -> &'static str {
    trace.push("forever started");
    std::future::pending::<()>().await;
    "never"
}

/// A plain handler that reads the body: the app reads it after the before hooks.
#[route("/note", POST)]
fn note(trace: State<Trace>, form: Form) -> String {
    trace.push("note handler");
    format!("noted {}", form.get("text").unwrap_or_default())
}

mod admin {
    use carafe::prelude::*;

    #[route("/panel")]
    pub fn panel() -> &'static str {
        "panel"
    }
}

fn app(trace: &Trace) -> App {
    let (first, second, third) = (trace.clone(), trace.clone(), trace.clone());
    let (after_app_1, after_app_2) = (trace.clone(), trace.clone());
    let (teardown_app_1, teardown_app_2) = (trace.clone(), trace.clone());
    let (bp_before, bp_after, bp_teardown) = (trace.clone(), trace.clone(), trace.clone());
    let admin = Blueprint::new("/admin")
        .mount(routes![admin::panel])
        .before_request(move |_| {
            bp_before.push("admin before");
            None::<()>
        })
        .after_request(move |response: Response| {
            bp_after.push("admin after");
            response
        })
        .teardown_request(move |_| bp_teardown.push("admin teardown"));
    App::new()
        .state(trace.clone())
        .mount(routes![hello, me, boom, forever, note])
        .register(admin)
        .before_request(move |request| {
            first.push(format!("before 1 {}", request.parts().uri.path()));
            request.insert(User("sam".to_owned()));
            None::<()>
        })
        .before_request(move |request| {
            second.push("before 2");
            let blocked = request.parts().headers.contains_key("x-block");
            blocked.then_some(("blocked by a hook", 403))
        })
        .before_request(move |request| {
            third.push("before 3");
            if request.parts().headers.contains_key("x-hook-panics") {
                panic!("a hook's bug");
            }
            None::<()>
        })
        .after_request(move |mut response: Response| {
            after_app_1.push("after 1");
            response.headers.insert("x-after", "1".parse().unwrap());
            response
        })
        .after_request(move |response: Response| {
            after_app_2.push(format!("after 2 saw {}", response.status_code));
            response
        })
        .teardown_request(move |error| {
            teardown_app_1.push(format!("teardown 1 error={}", error.is_some()));
        })
        .teardown_request(move |_| teardown_app_2.push("teardown 2"))
        .error_handler(500, |_| "custom 500")
}

#[test]
fn hooks_run_in_flasks_order() {
    let trace = Trace::default();
    let client = app(&trace).test_client();
    let response = client.get("/hello").send();
    assert_eq!(response.text(), "hello");
    assert_eq!(response.header("x-after"), Some("1"));
    assert_eq!(
        trace.take(),
        [
            "before 1 /hello",
            "before 2",
            "before 3",
            "handler",
            // The last registered runs first.
            "after 2 saw 200",
            "after 1",
            "teardown 2",
            "teardown 1 error=false",
        ]
    );
}

#[test]
fn a_before_hook_that_answers_stops_the_handler_and_the_hooks_after_it() {
    let trace = Trace::default();
    let client = app(&trace).test_client();
    let response = client.get("/hello").header("x-block", "1").send();
    assert_eq!(
        (response.status().as_u16(), response.text()),
        (403, "blocked by a hook".into())
    );
    assert_eq!(
        trace.take(),
        [
            "before 1 /hello",
            "before 2",
            "after 2 saw 403",
            "after 1",
            "teardown 2",
            "teardown 1 error=false",
        ]
    );
}

#[test]
fn before_hooks_run_for_routing_errors_and_after_hooks_see_their_pages() {
    let trace = Trace::default();
    let client = app(&trace).test_client();
    let response = client.get("/nowhere").send();
    assert_eq!(response.status(), 404);
    assert_eq!(response.header("x-after"), Some("1"));
    let events = trace.take();
    assert_eq!(events[0], "before 1 /nowhere");
    assert!(events.contains(&"after 2 saw 404".to_owned()), "{events:?}");
}

#[test]
fn a_value_a_hook_stores_reaches_the_handler() {
    let trace = Trace::default();
    let client = app(&trace).test_client();
    assert_eq!(client.get("/me").send().text(), "signed in as sam");
}

#[test]
fn teardown_runs_after_a_panic_and_a_failing_hook_answers_as_a_handler_would() {
    let trace = Trace::default();
    let client = app(&trace).test_client();
    let response = client.get("/boom").send();
    assert_eq!(
        (response.status().as_u16(), response.text()),
        (500, "custom 500".into())
    );
    let events = trace.take();
    assert!(events.contains(&"after 2 saw 500".to_owned()), "{events:?}");
    assert_eq!(events.last().unwrap(), "teardown 1 error=true");

    let response = client.get("/hello").header("x-hook-panics", "1").send();
    assert_eq!(
        (response.status().as_u16(), response.text()),
        (500, "custom 500".into())
    );
    let events = trace.take();
    assert!(!events.contains(&"handler".to_owned()), "{events:?}");
    assert_eq!(events.last().unwrap(), "teardown 1 error=true");
}

#[test]
fn a_blueprints_hooks_run_for_its_routes_inside_the_apps() {
    let trace = Trace::default();
    let client = app(&trace).test_client();
    assert_eq!(client.get("/admin/panel").send().text(), "panel");
    assert_eq!(
        trace.take(),
        [
            "before 1 /admin/panel",
            "before 2",
            "before 3",
            "admin before",
            "admin after",
            "after 2 saw 200",
            "after 1",
            "admin teardown",
            "teardown 2",
            "teardown 1 error=false",
        ]
    );
    // Not for the app's own routes.
    client.get("/hello").send();
    assert!(!trace.take().iter().any(|event| event.starts_with("admin")));
}

#[tokio::test]
async fn over_sockets() {
    let trace = Trace::default();
    let addr = common::serve(app(&trace)).await;
    let answer = common::send(addr, "GET", "/me", &[], "").await;
    assert_eq!(answer.body, "signed in as sam");
    assert_eq!(answer.header("x-after"), Some("1"));
    let answer = common::get_http2(addr, "/admin/panel").await;
    assert_eq!(answer.body, "panel");
    assert_eq!(answer.header("x-after"), Some("1"));
}

#[tokio::test]
async fn teardown_runs_when_the_client_goes_away_mid_request() {
    let trace = Trace::default();
    let addr = common::serve(app(&trace)).await;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /forever HTTP/1.1\r\nHost: a\r\n\r\n")
        .await
        .unwrap();
    let started = || {
        trace
            .0
            .lock()
            .unwrap()
            .contains(&"forever started".to_owned())
    };
    tokio::time::timeout(Duration::from_secs(10), async {
        while !started() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the handler starts");
    drop(stream);
    let torn_down = || {
        trace
            .0
            .lock()
            .unwrap()
            .contains(&"teardown 1 error=false".to_owned())
    };
    tokio::time::timeout(Duration::from_secs(10), async {
        while !torn_down() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("teardown runs once the client is gone");
}

const FORM: &str = "application/x-www-form-urlencoded";

/// The head of a form post declaring 100 bytes, with only the first few sent.
const HALF_A_FORM: &[u8] = b"POST /note HTTP/1.1\r\nHost: a\r\n\
    Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ntext=half";

#[tokio::test]
async fn a_plain_handlers_hooks_run_before_its_body_comes_and_teardown_if_it_never_does() {
    let trace = Trace::default();
    let addr = common::serve(app(&trace)).await;
    let answer = common::send(
        addr,
        "POST",
        "/note",
        &[("Content-Type", FORM)],
        "text=whole",
    )
    .await;
    assert_eq!(answer.body, "noted whole");
    trace.take();

    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(HALF_A_FORM).await.unwrap();
    trace.until("before 3").await;
    drop(stream);
    trace.until("teardown 1 error=false").await;
    assert!(!trace.contains("note handler"), "{:?}", trace.take());
}

#[tokio::test]
async fn a_before_hook_answers_a_plain_handlers_request_without_waiting_for_its_body() {
    let trace = Trace::default();
    let addr = common::serve(app(&trace)).await;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let blocked = String::from_utf8_lossy(HALF_A_FORM).replace("Host: a", "Host: a\r\nX-Block: 1");
    stream.write_all(blocked.as_bytes()).await.unwrap();
    let mut answer = [0; 512];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("the hook's answer, while the body is still to come")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(!trace.contains("note handler"));
}
