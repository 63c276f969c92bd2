//! The application: routes, state, configuration, and the code path every request takes.

use std::any::{Any, TypeId};
use std::borrow::Cow;
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use futures_util::future::{CatchUnwind, FutureExt};
use http::header::{self, HeaderValue};
use http::{Method, StatusCode};

use crate::body::Body;
use crate::error::{Abort, HttpError};
use crate::handler::{Answer, HandlerAnswer, PendingResponse};
use crate::request::{RequestBody, RequestContext};
use crate::response::{IntoResponse, Response};
use crate::route::{MethodSet, RouteDef};
use crate::router::{Lookup, Router};

/// The routes `routes![..]` collects, ready for [`App::mount`].
///
/// ```
/// use carafe_runtime::{App, Routes};
///
/// // With the `carafe` crate: `fn api() -> Routes { routes![get_item, create_item] }`
/// fn mount_all(app: App, groups: &[Routes]) -> App {
///     groups.iter().fold(app, |app, routes| app.mount(*routes))
/// }
/// assert!(mount_all(App::new(), &[]).routes().is_empty());
/// ```
#[derive(Clone, Copy)]
pub struct Routes(&'static [RouteDef]);

impl Routes {
    #[doc(hidden)]
    pub const fn from_static(routes: &'static [RouteDef]) -> Routes {
        Routes(routes)
    }
}

/// Settings with Flask-like defaults.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// Largest request body read, in bytes (axum's default, 2 MiB).
    pub(crate) body_limit: usize,
    /// How long a client may take to send its request headers (against slow-header attacks).
    pub(crate) header_read_timeout: Duration,
    /// How long requests in flight may take to finish once shutdown starts.
    pub(crate) shutdown_grace: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            body_limit: 2 * 1024 * 1024,
            header_read_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

type ErrorHandler = Box<dyn Fn(HttpError) -> Response + Send + Sync>;

/// What every request reads: built by [`App`], then shared by all connections.
pub(crate) struct Shared {
    router: Router,
    state: HashMap<TypeId, Arc<dyn Any + Send + Sync>, BuildHasherDefault<TypeIdHasher>>,
    pub(crate) config: Config,
    error_handlers: HashMap<StatusCode, ErrorHandler>,
}

/// Hashes a [`TypeId`], which is a hash already, by taking its bits as they are: looking up
/// the state for each `State<T>` then costs a few instructions instead of a SipHash round.
#[derive(Default)]
struct TypeIdHasher(u64);

impl Hasher for TypeIdHasher {
    fn write_u64(&mut self, bits: u64) {
        self.0 = bits;
    }

    /// `TypeId` hashes through `write_u64`; anything else still gets a sound, if plain, mix.
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl Shared {
    pub(crate) fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        let value = self.state.get(&TypeId::of::<T>())?;
        Arc::clone(value).downcast::<T>().ok()
    }

    /// Answers one request: routing, the handler, and the final checks on its response.
    pub(crate) fn dispatch(
        self: &Arc<Self>,
        request: http::Request<RequestBody>,
        peer: Option<SocketAddr>,
    ) -> ResponseFuture {
        let (parts, body) = request.into_parts();
        let finish = Finish {
            accepts_json_only: accepts_json_only(&parts.headers),
            access: AccessLog::start(&parts, peer),
        };
        let response = match self.router.lookup(&parts.method, parts.uri.path()) {
            Lookup::Found(route, params) => {
                let ctx = RequestContext::new(parts, body, params, Arc::clone(self));
                // A plain `fn` handler whose arguments need no waiting (path parameters and
                // immediate extractors) answers within this call; any other when its future is
                // polled. Both inside `catch_unwind`.
                match std::panic::catch_unwind(AssertUnwindSafe(|| (route.handler)(ctx))) {
                    Ok(HandlerAnswer(Answer::Ready(response))) => response,
                    Ok(HandlerAnswer(Answer::Pending(handler))) => {
                        return ResponseFuture(Waiting::Handler {
                            handler: AssertUnwindSafe(handler).catch_unwind(),
                            finish,
                            shared: Arc::clone(self),
                        })
                    }
                    Err(payload) => response_for_panic(payload),
                }
            }
            Lookup::MethodNotAllowed(allowed) => method_not_allowed(&parts.method, allowed),
            Lookup::NotFound => self.not_found(&parts),
        };
        ResponseFuture(Waiting::Ready(Some(finish.finalize(self, response))))
    }

    /// A 404, or Flask's 308 to the same path with a trailing slash when that path answers the
    /// method (`OPTIONS` included, as every path answers it).
    fn not_found(&self, parts: &http::request::Parts) -> Response {
        let path = parts.uri.path();
        // Werkzeug's redirects: repeated slashes merged (`/a//b` to `/a/b`), and the trailing
        // slash added when only the path with it is a route (`/user` to `/user/`).
        let merged = merge_slashes(path);
        let candidates = [
            (merged != path).then(|| merged.to_string()),
            (!merged.ends_with('/')).then(|| format!("{merged}/")),
        ];
        for candidate in candidates.into_iter().flatten() {
            let answers = match self.router.lookup(&parts.method, &candidate) {
                Lookup::Found(..) => true,
                Lookup::MethodNotAllowed(_) => parts.method == Method::OPTIONS,
                Lookup::NotFound => false,
            };
            if answers {
                let location = match parts.uri.query() {
                    Some(query) => format!("{candidate}?{query}"),
                    None => candidate,
                };
                return redirect(StatusCode::PERMANENT_REDIRECT, &location);
            }
        }
        HttpError::new(404).into_response()
    }
}

/// The path with each run of slashes made one.
fn merge_slashes(path: &str) -> Cow<'_, str> {
    if !path.contains("//") {
        return Cow::Borrowed(path);
    }
    let mut merged = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && merged.ends_with('/')) {
            merged.push(c);
        }
    }
    Cow::Owned(merged)
}

/// 405, or the automatic answer to `OPTIONS`; both list the allowed methods.
fn method_not_allowed(method: &Method, allowed: MethodSet) -> Response {
    let mut allowed = allowed.union(MethodSet::OPTIONS);
    if allowed.intersects(MethodSet::GET) {
        allowed = allowed.union(MethodSet::HEAD);
    }
    let allow = allowed
        .iter()
        .map(|method| method.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut response = if method == Method::OPTIONS {
        ().into_response()
    } else {
        HttpError::new(405).into_response()
    };
    // The method names are ASCII tokens, always a valid header value.
    if let Ok(value) = HeaderValue::try_from(allow) {
        response.headers.insert(header::ALLOW, value);
    }
    response
}

fn redirect(status: StatusCode, location: &str) -> Response {
    let mut response = ().into_response();
    response.status_code = status.as_u16();
    match HeaderValue::try_from(location) {
        Ok(value) => {
            response.headers.insert(header::LOCATION, value);
            response
        }
        Err(_) => HttpError::new(404).into_response(),
    }
}

/// Statuses whose responses never have a body (RFC 9110 §6.4.1).
pub(crate) fn forbids_body(status: StatusCode) -> bool {
    status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
}

/// Whether the client asked for JSON and not HTML, so error pages answer in JSON.
fn accepts_json_only(headers: &http::HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json") && !accept.contains("text/html"))
}

/// Resolves to the response hyper sends.
pub(crate) struct ResponseFuture(Waiting);

enum Waiting {
    /// Answered within the call: by a plain `fn` handler, or by the router (404, 405,
    /// `OPTIONS`). Already through the final checks, so nothing else is kept.
    Ready(Option<http::Response<Body>>),
    /// A handler at work, and what the final checks of its response need.
    Handler {
        handler: CatchUnwind<AssertUnwindSafe<PendingResponse>>,
        finish: Finish,
        shared: Arc<Shared>,
    },
}

/// What the final checks of a response need from its request. hyper moves the response
/// future a few times before it polls it, so the access log, rarely gathered and large, is
/// boxed.
struct Finish {
    accepts_json_only: bool,
    access: Option<Box<AccessLog>>,
}

/// One access line per request, like Flask's development server: client, request line,
/// status and duration. Only gathered when `tracing` would record it.
struct AccessLog {
    peer: Option<SocketAddr>,
    method: Method,
    uri: http::Uri,
    version: http::Version,
    started: Instant,
}

impl AccessLog {
    fn start(parts: &http::request::Parts, peer: Option<SocketAddr>) -> Option<Box<AccessLog>> {
        tracing::enabled!(target: "carafe::access", tracing::Level::INFO).then(|| {
            Box::new(AccessLog {
                peer,
                method: parts.method.clone(),
                uri: parts.uri.clone(),
                version: parts.version,
                started: Instant::now(),
            })
        })
    }

    fn record(&self, status: StatusCode) {
        let client = self
            .peer
            .map_or_else(|| "-".to_owned(), |peer| peer.ip().to_string());
        let target = self
            .uri
            .path_and_query()
            .map_or("/", |target| target.as_str());
        tracing::info!(
            target: "carafe::access",
            "{client} \"{} {target} {:?}\" {} {:.2?}",
            self.method,
            self.version,
            status.as_u16(),
            self.started.elapsed(),
        );
    }
}

impl Future for ResponseFuture {
    type Output = Result<http::Response<Body>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.0 {
            Waiting::Ready(response) => Poll::Ready(Ok(response
                .take()
                .expect("a response future polled after completion"))),
            Waiting::Handler {
                handler,
                finish,
                shared,
            } => {
                let response = match ready!(handler.poll_unpin(cx)) {
                    Ok(response) => response,
                    Err(payload) => response_for_panic(payload),
                };
                Poll::Ready(Ok(finish.finalize(shared, response)))
            }
        }
    }
}

/// `abort` unwinds with its response; anything else is a bug in the handler: a 500.
fn response_for_panic(payload: Box<dyn Any + Send>) -> Response {
    match payload.downcast::<Abort>() {
        Ok(abort) => abort.0,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("a panic with a non-text payload");
            HttpError::misconfigured(format!("the handler panicked: {message}")).into_response()
        }
    }
}

impl Finish {
    /// Renders error pages and refuses to send what would be malformed.
    fn finalize(&self, shared: &Shared, mut response: Response) -> http::Response<Body> {
        if let Some(error) = response.take_error() {
            // Headers set on the error (`Allow` on a 405) stay on the page that replaces it.
            let headers = std::mem::take(&mut response.headers);
            response = self.render_error(shared, error);
            for (name, value) in &headers {
                if !response.headers.contains_key(name) {
                    response.headers.insert(name, value.clone());
                }
            }
        }
        let (code, headers, body) = response.into_parts();
        let status = match StatusCode::from_u16(code) {
            Ok(status) if (100..=599).contains(&code) => status,
            _ => {
                let error = HttpError::misconfigured(format!(
                    "the handler answered status {code}, outside 100..=599"
                ));
                return self.finalize(shared, error.into_response());
            }
        };
        // 1xx, 204 and 304 never carry a body, whatever the handler returned. Otherwise hyper
        // writes Content-Length from the body's exact size (for HEAD too, without the body).
        let (body, mut headers) = (body, headers);
        let body = if forbids_body(status) {
            headers.remove(header::CONTENT_LENGTH);
            Body::empty()
        } else {
            body
        };
        if let Some(access) = &self.access {
            access.record(status);
        }
        let mut http_response = http::Response::new(body);
        *http_response.status_mut() = status;
        *http_response.headers_mut() = headers;
        http_response
    }

    /// The app's page for an HTTP error: its error handler for the status, or the default page.
    fn render_error(&self, shared: &Shared, error: HttpError) -> Response {
        if let Some(detail) = error.internal_detail() {
            tracing::error!("{detail}");
        }
        if let Some(handler) = shared.error_handlers.get(&error.status()) {
            let status = error.status();
            let mut response = handler(error);
            // An error page sent as 200 is almost always a slip: keep the error's status
            // unless the handler chose another one.
            if response.status_code == 200 {
                response.status_code = status.as_u16();
            }
            // The handler's own errors are shown with the default page, never looped back.
            return match response.take_error() {
                Some(inner) => inner.html_page(),
                None => response,
            };
        }
        if self.accepts_json_only {
            error.json_page()
        } else {
            error.html_page()
        }
    }
}

/// A carafe application: routes, shared state and settings, like Flask's `app`.
///
/// ```
/// use std::sync::RwLock;
/// use carafe_runtime::App;
///
/// let app = App::new().state(RwLock::new(0u64)).body_limit(64 * 1024);
/// ```
pub struct App {
    shared: Shared,
    /// Mistakes found while building (two handlers on one route): the app refuses to start.
    problems: Vec<String>,
}

impl Default for App {
    fn default() -> Self {
        App::new()
    }
}

impl App {
    /// An app with no routes: every path answers 404.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// assert_eq!(App::new().test_client().get("/").send().status(), 404);
    /// ```
    pub fn new() -> App {
        App {
            shared: Shared {
                router: Router::default(),
                state: HashMap::default(),
                config: Config::default(),
                error_handlers: HashMap::new(),
            },
            problems: Vec::new(),
        }
    }

    /// Adds a value that handlers receive with [`State<T>`](crate::State); one per type.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use std::sync::RwLock;
    /// use carafe_runtime::App;
    ///
    /// type Items = RwLock<HashMap<String, String>>;
    /// let app = App::new().state(Items::default());
    /// ```
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> App {
        self.shared.state.insert(TypeId::of::<T>(), Arc::new(value));
        self
    }

    /// Adds the routes collected by `routes![..]`. Two handlers answering the same method on
    /// the same path make the app refuse to start, naming both.
    pub fn mount(mut self, routes: Routes) -> App {
        for route in routes.0 {
            if let Err(problem) = self.shared.router.insert(*route) {
                self.problems.push(problem);
            }
        }
        self
    }

    /// Sets the largest request body read, in bytes; a larger one answers 413. Default 2 MiB,
    /// as axum's.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().body_limit(16 * 1024 * 1024);
    /// ```
    pub fn body_limit(mut self, bytes: usize) -> App {
        self.shared.config.body_limit = bytes;
        self
    }

    /// Sets how long a client may take to send a request's headers before the connection is
    /// closed, against clients that hold connections open by sending slowly. Default 30 s.
    ///
    /// ```
    /// use std::time::Duration;
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().header_read_timeout(Duration::from_secs(5));
    /// ```
    pub fn header_read_timeout(mut self, timeout: Duration) -> App {
        self.shared.config.header_read_timeout = timeout;
        self
    }

    /// Sets how long requests in flight may take to finish once shutdown starts (Ctrl-C,
    /// SIGTERM, or the signal given to [`App::serve_with_shutdown`]); the connections still
    /// open after it are closed. Default 10 s.
    ///
    /// ```
    /// use std::time::Duration;
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().shutdown_grace(Duration::from_secs(30));
    /// ```
    pub fn shutdown_grace(mut self, grace: Duration) -> App {
        self.shared.config.shutdown_grace = grace;
        self
    }

    /// Replaces the page for an HTTP error status, like Flask's `@app.errorhandler(404)`. It
    /// applies to `abort`, extractor errors, and the 404 and 405 of routing. The response keeps
    /// the error's status unless the handler sets another.
    ///
    /// ```
    /// use carafe_runtime::{App, HttpError, Json};
    /// use serde_json::json;
    ///
    /// let app = App::new().error_handler(404, |error: HttpError| {
    ///     Json(json!({ "error": error.message() }))
    /// });
    /// ```
    pub fn error_handler<R: IntoResponse>(
        mut self,
        status: u16,
        handler: impl Fn(HttpError) -> R + Send + Sync + 'static,
    ) -> App {
        match StatusCode::from_u16(status) {
            Ok(code) if code.is_client_error() || code.is_server_error() => {
                self.shared
                    .error_handlers
                    .insert(code, Box::new(move |error| handler(error).into_response()));
            }
            _ => self.problems.push(format!(
                "error_handler({status}, ..): error handlers are for statuses 400..=599"
            )),
        }
        self
    }

    /// The shared form of the app every connection uses, or what stops it from starting.
    pub(crate) fn into_shared(self) -> Result<Arc<Shared>, String> {
        if self.problems.is_empty() {
            Ok(Arc::new(self.shared))
        } else {
            Err(self.problems.join("\n"))
        }
    }

    /// Every route, in registration order.
    pub(crate) fn route_defs(&self) -> impl Iterator<Item = &RouteDef> {
        self.shared.router.routes()
    }
}
