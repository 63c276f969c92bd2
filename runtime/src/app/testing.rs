//! A test client: requests through the app's own request path, without a socket.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, HOST};
use http::{HeaderMap, Method, StatusCode};
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::app::service::Served;
use crate::app::App;
use crate::extract::request::RequestBody;

impl App {
    /// A client that sends requests to this app without a socket, through the same routing,
    /// extraction and error handling as the server. Panics, naming the problem, if the app
    /// could not start (two handlers on one route, a `State<T>` with no `T`).
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let client = App::new().test_client();
    /// let response = client.get("/nothing-here").send();
    /// assert_eq!(response.status(), 404);
    /// assert!(response.text().contains("<title>404 Not Found</title>"));
    /// ```
    pub fn test_client(self) -> TestClient {
        match self.into_served() {
            Ok(served) => TestClient { served },
            Err(problem) => panic!("the app cannot start: {problem}"),
        }
    }
}

/// Sends requests to an app in memory; see [`App::test_client`].
///
/// Blocking in a plain `#[test]` with `.send()`, or awaited in an async test:
///
/// ```
/// # async fn demo() {
/// use carafe_runtime::App;
///
/// let client = App::new().test_client();
/// let response = client.options("/").await;
/// assert_eq!(response.status(), 404);
/// # }
/// ```
#[derive(Clone)]
pub struct TestClient {
    served: Served,
}

macro_rules! method_shortcuts {
    ($($name:ident => $method:ident),*) => {$(
        #[doc = concat!("Starts a `", stringify!($method), "` request to `uri`.")]
        pub fn $name(&self, uri: &str) -> TestRequest {
            self.request(Method::$method, uri)
        }
    )*};
}

impl TestClient {
    /// Starts a request with any method.
    ///
    /// ```
    /// use carafe_runtime::{App, Method};
    ///
    /// let response = App::new().test_client().request(Method::TRACE, "/").send();
    /// assert_eq!(response.status(), 404);
    /// ```
    pub fn request(&self, method: Method, uri: &str) -> TestRequest {
        TestRequest {
            served: self.served.clone(),
            request: http::Request::builder().method(method).uri(uri),
            body: Payload::Raw(Bytes::new()),
        }
    }

    method_shortcuts!(
        get => GET, post => POST, put => PUT, patch => PATCH,
        delete => DELETE, head => HEAD, options => OPTIONS
    );
}

/// A request being built; `.send()` it, or `.await` it.
///
/// ```
/// use carafe_runtime::App;
/// use serde_json::json;
///
/// let client = App::new().test_client();
/// let response = client
///     .post("/items")
///     .header("X-Token", "secret")
///     .json(&json!({ "name": "cherry" }))
///     .send();
/// assert_eq!(response.status(), 404);
/// let response = client.post("/signup").form(&[("username", "sam")]).send();
/// assert_eq!(response.status(), 404);
/// ```
pub struct TestRequest {
    served: Served,
    request: http::request::Builder,
    body: Payload,
}

/// A test request's body: as given, or a form encoded when the request is sent, urlencoded
/// or, once it has a file, as `multipart/form-data`.
enum Payload {
    Raw(Bytes),
    Form {
        fields: Vec<(String, String)>,
        files: Vec<TestFile>,
    },
}

/// A file of a test form: its field, file name and contents.
struct TestFile {
    field: String,
    filename: String,
    data: Bytes,
}

impl Payload {
    /// The body's bytes, and the `Content-Type` it is sent as, if the request sets it.
    fn encode(self) -> (Bytes, Option<String>) {
        match self {
            Payload::Raw(bytes) => (bytes, None),
            Payload::Form { fields, files } if files.is_empty() => {
                let encoded = serde_urlencoded::to_string(fields).expect("form fields encode");
                (
                    encoded.into(),
                    Some("application/x-www-form-urlencoded".to_owned()),
                )
            }
            Payload::Form { fields, files } => {
                let boundary = boundary_for(&fields, &files);
                let mut body = Vec::new();
                let mut part = |disposition: String, content_type: &str, data: &[u8]| {
                    body.extend_from_slice(format!("--{boundary}\r\n{disposition}\r\n").as_bytes());
                    body.extend_from_slice(content_type.as_bytes());
                    body.extend_from_slice(b"\r\n");
                    body.extend_from_slice(data);
                    body.extend_from_slice(b"\r\n");
                };
                for (name, value) in &fields {
                    let disposition =
                        format!("Content-Disposition: form-data; name=\"{}\"", quoted(name));
                    part(disposition, "", value.as_bytes());
                }
                for file in &files {
                    let disposition = format!(
                        "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"",
                        quoted(&file.field),
                        quoted(&file.filename)
                    );
                    part(
                        disposition,
                        "Content-Type: application/octet-stream\r\n",
                        &file.data,
                    );
                }
                body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
                (
                    body.into(),
                    Some(format!("multipart/form-data; boundary={boundary}")),
                )
            }
        }
    }
}

/// A boundary that none of the form's contents holds.
fn boundary_for(fields: &[(String, String)], files: &[TestFile]) -> String {
    let contents = || {
        let fields = fields.iter().map(|(_, value)| value.as_bytes());
        fields.chain(files.iter().map(|file| &file.data[..]))
    };
    (0..)
        .map(|attempt| format!("carafe-test-form-{attempt}"))
        .find(|boundary| {
            !contents().any(|data| {
                data.windows(boundary.len())
                    .any(|w| w == boundary.as_bytes())
            })
        })
        .expect("some boundary is in none of the contents")
}

/// A name as a browser writes it inside a quoted `Content-Disposition` parameter (the HTML
/// standard's multipart encoding): `"`, CR and LF percent-encoded.
fn quoted(name: &str) -> String {
    name.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

impl TestRequest {
    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> TestRequest {
        self.request = self.request.header(name, value);
        self
    }

    /// Sends `fields` as a form, as a browser does: an `application/x-www-form-urlencoded`
    /// body, or `multipart/form-data` once the request has a [`file`](TestRequest::file).
    pub fn form(mut self, fields: &[(&str, &str)]) -> TestRequest {
        let fields = fields
            .iter()
            .map(|&(name, value)| (name.to_owned(), value.to_owned()));
        match &mut self.body {
            Payload::Form { fields: held, .. } => held.extend(fields),
            Payload::Raw(_) => {
                self.body = Payload::Form {
                    fields: fields.collect(),
                    files: Vec::new(),
                }
            }
        }
        self
    }

    /// Adds a file to the form, which is then sent as `multipart/form-data` with the fields of
    /// [`form`](TestRequest::form), as a browser sends a form with a file input; its
    /// `Content-Type` is `application/octet-stream`.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let response = App::new()
    ///     .test_client()
    ///     .post("/upload")
    ///     .form(&[("title", "Sam")])
    ///     .file("photo", "cat.png", &b"\x89PNG..."[..])
    ///     .send();
    /// assert_eq!(response.status(), 404);
    /// ```
    pub fn file(mut self, field: &str, filename: &str, data: impl Into<Bytes>) -> TestRequest {
        let file = TestFile {
            field: field.to_owned(),
            filename: filename.to_owned(),
            data: data.into(),
        };
        match &mut self.body {
            Payload::Form { files, .. } => files.push(file),
            Payload::Raw(_) => {
                self.body = Payload::Form {
                    fields: Vec::new(),
                    files: vec![file],
                }
            }
        }
        self
    }

    /// Sends `value` as an `application/json` body.
    pub fn json(self, value: &impl Serialize) -> TestRequest {
        let encoded = serde_json::to_vec(value).expect("the value serializes as JSON");
        self.header(CONTENT_TYPE.as_str(), "application/json")
            .body(encoded)
    }

    /// Sets the raw body.
    pub fn body(mut self, body: impl Into<Bytes>) -> TestRequest {
        self.body = Payload::Raw(body.into());
        self
    }

    /// Sends the request and waits for the response, from a plain `#[test]`. In an async test,
    /// `.await` the request instead: blocking there would stall the test's own runtime, so
    /// `send` panics saying so.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let response = App::new().test_client().get("/").send();
    /// assert_eq!(response.status(), 404);
    /// ```
    #[track_caller]
    pub fn send(self) -> TestResponse {
        if tokio::runtime::Handle::try_current().is_ok() {
            panic!(
                "TestRequest::send() blocks, and this code runs inside an async runtime \
                 (an async test?): write `client.get(..).await` instead of `.send()`"
            );
        }
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the test client")
            .block_on(self.into_future())
    }
}

impl IntoFuture for TestRequest {
    type Output = TestResponse;
    type IntoFuture = Pin<Box<dyn Future<Output = TestResponse> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        let (body, content_type) = self.body.encode();
        let mut request = self
            .request
            .body(RequestBody::Buffered(body))
            .expect("a valid test request (method, URI and headers)");
        if let Some(content_type) = content_type {
            let value = HeaderValue::try_from(content_type).expect("a form's Content-Type");
            request.headers_mut().insert(CONTENT_TYPE, value);
        }
        // As a browser or curl would, and as Werkzeug's test client does: HTTP/1.1 requires it.
        request
            .headers_mut()
            .entry(HOST)
            .or_insert(HeaderValue::from_static("localhost"));
        let is_head = request.method() == Method::HEAD;
        let (parts, body) = request.into_parts();
        Box::pin(async move {
            // Called in the runtime that awaits it, which runs the plain handlers that block.
            let Ok(response) = self.served.call(parts, body, None).await;
            let (mut parts, body) = response.into_parts();
            // A body of known length is sent with it; another (a layer's stream) chunked.
            let known_length = http_body::Body::size_hint(&body).exact().is_some();
            let body = match body.collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(error) => panic!("the response body failed midway: {error}"),
            };
            // What hyper adds on a socket: the body's length, for HEAD too.
            if known_length && !carafe_core::status::forbids_body(parts.status.as_u16()) {
                parts
                    .headers
                    .entry(CONTENT_LENGTH)
                    .or_insert_with(|| HeaderValue::from(body.len()));
            }
            // Like a socket: a HEAD answer carries the headers of the GET one, not its body.
            TestResponse {
                status: parts.status,
                headers: parts.headers,
                body: if is_head { Bytes::new() } else { body },
            }
        })
    }
}

/// What the app answered to a [`TestRequest`].
///
/// ```
/// use carafe_runtime::App;
///
/// let response = App::new().test_client().get("/").header("Accept", "application/json").send();
/// assert_eq!(response.status(), 404);
/// assert_eq!(response.header("content-type"), Some("application/json"));
/// let page: serde_json::Value = response.json();
/// assert_eq!(page["code"], 404);
/// assert!(response.text().contains("Not Found"));
/// assert_eq!(response.bytes().len(), response.headers()["content-length"].to_str().unwrap().parse::<usize>().unwrap());
/// ```
#[derive(Debug, Clone)]
pub struct TestResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl TestResponse {
    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// One header's value as text, when present and visible ASCII.
    pub fn header(&self, name: impl TryInto<HeaderName>) -> Option<&str> {
        let name = name.try_into().ok()?;
        self.headers
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body's bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body parsed as JSON; panics with the body when it is not, as a test should.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "the body is not the JSON expected ({error}): {}",
                self.text()
            )
        })
    }
}
