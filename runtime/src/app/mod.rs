//! The application builder: routes, state, settings and error pages, like Flask's `app`.

pub(crate) mod access_log;
pub(crate) mod assemble;
pub(crate) mod blueprint;
pub(crate) mod cross_site;
pub(crate) mod dispatch;
pub(crate) mod environment;
pub(crate) mod health;
pub(crate) mod hooks;
pub(crate) mod listing;
pub(crate) mod openapi;
pub(crate) mod scope;
pub(crate) mod service;
#[cfg(feature = "static-files")]
pub(crate) mod static_files;
#[cfg(feature = "templates")]
pub(crate) mod template;
pub(crate) mod testing;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::app::blueprint::Blueprint;
use crate::app::openapi::Info;
use crate::app::scope::Scopes;
use crate::app::service::{AppService, LayeredService, Wrap};
use crate::extract::app_data::AppData;
use crate::extract::forwarded::ProxyHeaders;
use crate::extract::request::RequestContext;
use crate::response::error::HttpError;
use crate::response::{IntoResponse, Response};
use crate::routing::route::{Mounted, Routes};
use crate::routing::router::RouterBuilder;
use crate::routing::url::{RouteUrls, Url};

/// A carafe application: routes, shared state and settings, like Flask's `app`.
///
/// Every setting can also come from the environment, as a deployment gives it: the setting
/// `body_limit` from `CARAFE_BODY_LIMIT`, and so on (the README's "Deploying" lists them).
/// Read when the app starts, a variable wins over the code's value; one that does not parse
/// stops the app, naming the variable and the value.
///
/// ```
/// use std::sync::RwLock;
/// use carafe_runtime::App;
///
/// let app = App::new().state(RwLock::new(0u64)).body_limit(64 * 1024);
/// ```
pub struct App {
    router: RouterBuilder,
    pub(crate) data: AppData,
    /// The app's error pages and hooks, and its blueprints'.
    scopes: Scopes,
    /// Mistakes found while mounting (two handlers on one route): the app refuses to start.
    problems: Vec<String>,
    /// The tower layers, the first added innermost.
    layers: Vec<Wrap>,
    /// The OpenAPI document's title and version, and where it is served, if it is.
    openapi_info: Info,
    openapi_path: Option<String>,
    /// Where the app's folders are: `static/` and `templates/`.
    #[cfg_attr(
        not(any(feature = "static-files", feature = "templates")),
        allow(dead_code)
    )]
    folders: Folders,
}

/// Where an app finds its `static/` and `templates/` folders: where it is told, else beside
/// the source file that made it (Flask looks beside the app's module), else in the working
/// folder.
struct Folders {
    /// The folder of the source file that called `App::new()`, as the compiler wrote its path
    /// (relative to the package's root for its own files, which is where `cargo run` and
    /// `cargo test` start).
    source: Option<PathBuf>,
    #[cfg_attr(not(feature = "static-files"), allow(dead_code))]
    static_folder: Option<PathBuf>,
    #[cfg_attr(not(feature = "static-files"), allow(dead_code))]
    static_url_path: String,
    #[cfg_attr(not(feature = "templates"), allow(dead_code))]
    template_folder: Option<PathBuf>,
    /// The route serving the static folder, made once it is asked for (by the listing or at
    /// start) and made again if a static setting changes after.
    #[cfg(feature = "static-files")]
    static_route: std::sync::OnceLock<Result<Option<(Mounted, PathBuf)>, String>>,
}

impl Default for App {
    #[track_caller]
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
    #[track_caller]
    pub fn new() -> App {
        let source = Path::new(std::panic::Location::caller().file())
            .parent()
            .map(Path::to_path_buf);
        App {
            folders: Folders {
                source,
                static_folder: None,
                static_url_path: "/static".to_owned(),
                template_folder: None,
                #[cfg(feature = "static-files")]
                static_route: std::sync::OnceLock::new(),
            },
            router: RouterBuilder::default(),
            data: AppData::default(),
            scopes: Scopes::default(),
            problems: Vec::new(),
            layers: Vec::new(),
            openapi_info: Info::default(),
            openapi_path: None,
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
        self.data.insert_state(value);
        self
    }

    /// Adds the routes collected by `routes![..]`. Two handlers answering the same method on
    /// the same path make the app refuse to start, naming both.
    pub fn mount(mut self, routes: Routes) -> App {
        for route in routes.defs() {
            self.insert(Mounted::new(*route, "", 0));
        }
        self
    }

    fn insert(&mut self, route: Mounted) {
        if let Err(problem) = self.router.insert_mounted(route) {
            self.problems.push(problem);
        }
    }

    /// The app's OpenAPI 3.1 document: every route, blueprint prefixes included, with its path
    /// parameters typed by converter, an operation per method (HEAD and OPTIONS left implicit)
    /// named after the handler, the doc comment as summary and description, the request body
    /// and query from `Json<T>`, `Form<T>`, `Form` and `Query<T>` (with `schemars` schemas for
    /// types that derive `JsonSchema`, a plain object otherwise), and the responses the macro
    /// found in the handler's body with their media types, the extractors' failures, and any
    /// `#[route(.., responses(404 = ".."))]` adds. `cargo run --example NAME -- openapi`
    /// prints it.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let document = App::new().openapi();
    /// assert_eq!(document["openapi"], "3.1.0");
    /// ```
    pub fn openapi(&self) -> serde_json::Value {
        crate::app::openapi::document(self.mounted_routes().iter(), &self.openapi_info)
    }

    /// Sets the title and version of the OpenAPI document (by default, the program's name and
    /// `0.1.0`).
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().openapi_info("Items API", "1.2.0");
    /// assert_eq!(app.openapi()["info"]["title"], "Items API");
    /// ```
    pub fn openapi_info(mut self, title: impl Into<String>, version: impl Into<String>) -> App {
        self.openapi_info = Info {
            title: title.into(),
            version: version.into(),
        };
        self
    }

    /// Serves the OpenAPI document at `path` (a plain path such as `/openapi.json`), made once
    /// when the app starts.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let client = App::new().openapi_route("/openapi.json").test_client();
    /// assert_eq!(client.get("/openapi.json").send().status(), 200);
    /// ```
    pub fn openapi_route(mut self, path: impl Into<String>) -> App {
        self.openapi_path = Some(path.into());
        self
    }

    /// The path `url_for!` gave, as this app mounts its handler: under this app's prefix for
    /// it. In a request `url_for!` answers for the app answering it; outside one (in a test,
    /// at start-up), ask the app with this. A handler this app does not mount keeps its own
    /// path.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// // With the `carafe` crate: `let path = app.url_for(&url_for!(get_item, item_id = 7));`
    /// # let _ = App::new();
    /// ```
    pub fn url_for(&self, url: &Url) -> Url {
        // Built for the call: outside a request, where cost does not count, with the same
        // first-mount rule as the app's requests.
        let urls = RouteUrls::new(self.router.mounted());
        url.under(urls.mount_of(url.route()))
    }

    /// Adds a blueprint's routes under its prefix, with its nested blueprints', like Flask's
    /// `app.register_blueprint`. Two routes on the same method and full path make the app
    /// refuse to start, naming both.
    ///
    /// ```
    /// use carafe_runtime::{App, Blueprint};
    ///
    /// // With the `carafe` crate: `Blueprint::new("/auth").mount(routes![login, logout])`
    /// let app = App::new().register(Blueprint::new("/auth"));
    /// ```
    pub fn register(mut self, blueprint: Blueprint) -> App {
        let mut routes = Vec::new();
        let scopes = &mut self.scopes;
        let mut scope_of = |parent, pages, hooks| scopes.add(parent, pages, hooks);
        blueprint.flatten("", 0, &mut scope_of, &mut self.problems, &mut routes);
        for route in routes {
            self.insert(route);
        }
        self
    }

    /// Serves static files from `folder` instead of the `static/` folder beside the app's
    /// source (or in the working folder), like Flask's `static_folder`. A folder that does not
    /// exist stops the app from starting, saying so.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().static_folder("assets");
    /// ```
    #[cfg(feature = "static-files")]
    pub fn static_folder(mut self, folder: impl Into<PathBuf>) -> App {
        self.folders.static_folder = Some(folder.into());
        self.folders.static_route = std::sync::OnceLock::new();
        self
    }

    /// Serves static files under `prefix` instead of `/static`, like Flask's
    /// `static_url_path`: `/assets/<path:filename>` for `"/assets"`.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().static_url_path("/assets");
    /// ```
    #[cfg(feature = "static-files")]
    pub fn static_url_path(mut self, prefix: impl Into<String>) -> App {
        self.folders.static_url_path = prefix.into();
        self.folders.static_route = std::sync::OnceLock::new();
        self
    }

    /// Reads templates from `folder` instead of the `templates/` folder beside the app's
    /// source (or in the working folder), like Flask's `template_folder`. A folder that does
    /// not exist stops the app from starting, saying so.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().template_folder("pages");
    /// ```
    #[cfg(feature = "templates")]
    pub fn template_folder(mut self, folder: impl Into<PathBuf>) -> App {
        self.folders.template_folder = Some(folder.into());
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
        self.data.config.body_limit = bytes;
        self
    }

    /// Admits unsafe requests (POST, PUT, PATCH, DELETE) that pages of `origin` send, written
    /// `scheme://host[:port]` as browsers send it in `Origin`. Cross-site request protection
    /// is on by default: a browser's unsafe request sent by a page of another origin than the
    /// app's (its `Sec-Fetch-Site`, or else its `Origin` against the request's host) answers
    /// 403, while clients that send neither (curl, other servers) pass. Behind a proxy that
    /// rewrites `Host`, trust the public origin here. A route's `cross_origin` admits any
    /// origin. An origin that is not `scheme://host[:port]` stops the app from starting.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().trusted_origin("https://admin.example.com");
    /// ```
    pub fn trusted_origin(mut self, origin: &str) -> App {
        match cross_site::parse_trusted_origin(origin) {
            Ok(origin) => self.data.config.trusted_origins.push(origin),
            Err(problem) => self.problems.push(problem),
        }
        self
    }

    /// Trusts the `hops` proxies in front of the app (a load balancer: 1) to say who the client
    /// is, as Werkzeug's `ProxyFix`: the client's address
    /// ([`ClientAddr`](crate::ClientAddr), [`Request::remote_addr`](crate::Request::remote_addr),
    /// the access log), the scheme and the host it used ([`Request::url_root`](crate::Request::url_root),
    /// and the session cookie, marked `Secure` when the client came over HTTPS) are read from
    /// `X-Forwarded-For`, `-Proto`, `-Host` and `-Port`, or from `Forwarded` (see
    /// [`App::proxy_headers`]). Of each header's list, the `hops`-th value from the end is
    /// taken, the one the outermost trusted proxy wrote; a shorter list changes nothing, and
    /// what a client wrote before it is never read. Default 0: the headers change nothing,
    /// as a client may forge them. Set it to the number of proxies really in front of the
    /// app, and serve only through them.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().trusted_proxies(1);
    /// ```
    pub fn trusted_proxies(mut self, hops: usize) -> App {
        self.data.config.trusted_proxies.hops = hops;
        self
    }

    /// Chooses which headers the trusted proxies write: `X-Forwarded-*` (the default) or
    /// RFC 7239's `Forwarded`. Only those are read: a proxy that writes one kind passes the
    /// other through as the client forged it.
    ///
    /// ```
    /// use carafe_runtime::{App, ProxyHeaders};
    ///
    /// let app = App::new().trusted_proxies(1).proxy_headers(ProxyHeaders::Forwarded);
    /// ```
    pub fn proxy_headers(mut self, headers: ProxyHeaders) -> App {
        self.data.config.trusted_proxies.headers = headers;
        self
    }

    /// Sets the most fields a form may have (`Form`, `Request::form`, `Files`, `Multipart`):
    /// a urlencoded body's fields, a multipart body's parts (its text fields and files); more
    /// answer 413. Default 1,000, as Werkzeug's `max_form_parts`.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().max_form_parts(50);
    /// ```
    pub fn max_form_parts(mut self, parts: usize) -> App {
        self.data.config.max_form_parts = parts;
        self
    }

    /// Sets the most bytes a multipart form's text fields may hold in all, which are kept in
    /// memory; more answer 413. Files do not count: one past 500 kB goes to a temporary file.
    /// Default 500 kB, as Werkzeug's `max_form_memory_size`.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().max_form_memory_size(64 * 1024);
    /// ```
    pub fn max_form_memory_size(mut self, bytes: usize) -> App {
        self.data.config.max_form_memory_size = bytes;
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
        self.data.config.header_read_timeout = timeout;
        self
    }

    /// Sets the longest a request body may take to arrive in full, from when the handler starts
    /// reading it. Past it the request answers 408 and, over HTTP/1, the connection closes
    /// (its remaining bytes would be read as the next request); over HTTP/2 only that stream
    /// ends. Against clients that trickle a body or declare more than they send. Default 30 s.
    ///
    /// ```
    /// use std::time::Duration;
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().body_read_timeout(Duration::from_secs(10));
    /// ```
    pub fn body_read_timeout(mut self, timeout: Duration) -> App {
        self.data.config.body_read_timeout = timeout;
        self
    }

    /// Sets the most connections open at once. Past it the server accepts no more until one
    /// closes, and to make room at once it closes the connections with no request in flight
    /// (idle keep-alive connections, clients slow to send a head), as the others finish their
    /// requests: a flood of idle sockets cannot lock a real client out. Default: three quarters
    /// of the process's open file limit (`ulimit -n`), 768 under the common 1,024, leaving
    /// descriptors for files and databases. At least 1.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().max_connections(10_000);
    /// ```
    pub fn max_connections(mut self, connections: usize) -> App {
        if connections == 0 {
            self.problems
                .push("max_connections(0): the app could never answer; give at least 1".to_owned());
        }
        self.data.config.max_connections = connections;
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
        self.data.config.shutdown_grace = grace;
        self
    }

    /// Serves a health route at `path` (a plain path such as `/healthz`) for a load balancer
    /// to check: it answers 200 `ok` while the app serves, and 503 once the app is told to stop
    /// (SIGTERM, Ctrl-C). The app then keeps serving for the [drain delay](App::drain_delay),
    /// so that the balancer sees the 503 and sends its requests elsewhere, before it closes its
    /// listener and finishes the requests in flight ([`App::shutdown_grace`]). Without a health
    /// route, the listener closes at once.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let client = App::new().health_route("/healthz").test_client();
    /// assert_eq!(client.get("/healthz").send().text(), "ok");
    /// ```
    pub fn health_route(mut self, path: &str) -> App {
        match crate::app::health::health_route(path) {
            Ok(route) => {
                self.data
                    .insert_state(crate::app::health::Draining::default());
                self.insert(route);
            }
            Err(problem) => self.problems.push(problem),
        }
        self
    }

    /// Sets how long an app with a [health route](App::health_route) or
    /// [`reuse_port`](App::reuse_port) keeps serving, its health route answering 503, between
    /// the signal to stop and the closing of its listener: longer than the balancer takes to
    /// take the instance out (HAProxy: `inter` times `fall`). Default 5 s.
    ///
    /// ```
    /// use std::time::Duration;
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().health_route("/healthz").drain_delay(Duration::from_secs(10));
    /// ```
    pub fn drain_delay(mut self, delay: Duration) -> App {
        self.data.config.drain_delay = delay;
        self
    }

    /// Binds the listener with `SO_REUSEPORT` (Unix), so that a new instance of the app can
    /// bind the same address while the old one drains: a rolling restart on one machine, with
    /// no connection refused or reset. Start the new instance, then signal the old one: it
    /// drains for the [drain delay](App::drain_delay), sending every new connection to the new
    /// instance's listener (Linux on x86-64 and AArch64) while it accepts those already
    /// queued for it, then closes. Off by default, so that a second copy started by mistake
    /// fails with "address in use" instead of silently taking half the requests with other
    /// code. Ignored for a listener handed over (`LISTEN_FDS`) or given to [`App::serve`].
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().reuse_port(true);
    /// ```
    pub fn reuse_port(mut self, on: bool) -> App {
        self.data.config.reuse_port = on;
        self
    }

    /// Sets how long a call of a plain `fn` handler may take before the handler is taken for
    /// one that blocks. Plain handlers may block, as Flask's views do (a synchronous query, a
    /// password hash): each one's first calls run on tokio's blocking pool, and it runs on the
    /// worker that took the request once it has answered within this time 16 times in a row,
    /// until a call takes longer. So a handler that blocks never holds up the requests around
    /// it, and a quick one costs no hand-off. Default 1 ms. `Duration::ZERO` keeps every plain
    /// handler on the pool; `async fn` handlers always run on the worker, as in axum, and
    /// are theirs to keep from blocking (`tokio::task::spawn_blocking`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().blocking_threshold(Duration::from_micros(500));
    /// ```
    pub fn blocking_threshold(mut self, threshold: Duration) -> App {
        self.data.config.blocking_threshold = threshold;
        self
    }

    /// Sets the most threads [`App::run`]'s blocking pool may have, the plain handlers that
    /// block running at once: past it, they wait for a thread. Default 512, tokio's. An app
    /// served with [`App::serve`] uses its caller's runtime, whose pool its builder sets
    /// (`max_blocking_threads`). At least 1.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().blocking_threads(64);
    /// ```
    pub fn blocking_threads(mut self, threads: usize) -> App {
        if threads == 0 {
            self.problems.push(
                "blocking_threads(0): no plain handler that blocks could run; give at least 1"
                    .to_owned(),
            );
        }
        self.data.config.blocking_threads = threads;
        self
    }

    /// Wraps the app in a tower [`Layer`](tower::Layer), as axum's `Router::layer` does:
    /// tower-http's CORS, compression, timeout, trace and request-id layers work unchanged.
    /// The last added is the outermost; the test client goes through them too. An app with
    /// no layer pays nothing for them.
    ///
    /// A layer's error (not its response) answers 500, logged.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// // With tower-http: `App::new().layer(CorsLayer::permissive())`
    /// let app = App::new().layer(tower::layer::util::Identity::new());
    /// ```
    pub fn layer<L, ResBody>(mut self, layer: L) -> App
    where
        L: tower::Layer<LayeredService> + Send + 'static,
        L::Service: tower::Service<http::Request<crate::Body>, Response = http::Response<ResBody>>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as tower::Service<http::Request<crate::Body>>>::Future: Send + 'static,
        <L::Service as tower::Service<http::Request<crate::Body>>>::Error: Into<crate::BoxError>,
        ResBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
        ResBody::Error: Into<crate::BoxError>,
    {
        self.layers.push(service::wrap(layer));
        self
    }

    /// The app as a [`tower::Service`] for another server to run (hyper-util's, axum's
    /// `nest_service`), through its layers. Panics, naming the problem, if the app cannot
    /// start (two handlers on one route, a `State<T>` with no `T`), as the test client does.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let service = App::new().into_service();
    /// ```
    pub fn into_service(self) -> AppService {
        match self.into_served() {
            Ok(served) => AppService(served),
            Err(problem) => panic!("the app cannot start: {problem}"),
        }
    }

    /// Runs `hook` before every request's handler, like Flask's `@app.before_request`, and
    /// before routing's own 404 and 405 too. Returning `Some(response)` answers in the
    /// handler's place and skips the hooks after it; `None` goes on. Hooks run in the order
    /// registered, the app's before a blueprint's. A value the hook stores with
    /// [`RequestContext::insert`] reaches handlers through the [`G`](crate::G) extractor, as
    /// Flask's `g` does. A hook that panics or aborts answers as a handler would.
    ///
    /// ```
    /// use carafe_runtime::{App, HttpError};
    ///
    /// let app = App::new().before_request(|request| {
    ///     let signed_in = request.parts().headers.contains_key("authorization");
    ///     (!signed_in).then(|| HttpError::new(401))
    /// });
    /// ```
    pub fn before_request<R: IntoResponse>(
        mut self,
        hook: impl Fn(&mut RequestContext) -> Option<R> + Send + Sync + 'static,
    ) -> App {
        self.scopes.app().hooks.add_before(hook);
        self
    }

    /// Passes every response through `hook`, error pages included, like Flask's
    /// `@app.after_request`: it may change the response or answer another. The last
    /// registered runs first, a blueprint's before the app's.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().after_request(|mut response| {
    ///     response.headers.insert("x-frame-options", "DENY".parse().unwrap());
    ///     response
    /// });
    /// ```
    pub fn after_request<R: IntoResponse>(
        mut self,
        hook: impl Fn(Response) -> R + Send + Sync + 'static,
    ) -> App {
        self.scopes.app().hooks.add_after(hook);
        self
    }

    /// Runs `hook` once each request is over, even one whose handler panicked, like Flask's
    /// `@app.teardown_request`: it receives the server error (5xx) the request ended in, if
    /// any. The last registered runs first. Its own panic is logged and goes no further.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().teardown_request(|error| {
    ///     if let Some(error) = error {
    ///         eprintln!("request failed: {error}");
    ///     }
    /// });
    /// ```
    pub fn teardown_request(
        mut self,
        hook: impl Fn(Option<&HttpError>) + Send + Sync + 'static,
    ) -> App {
        self.scopes.app().hooks.add_teardown(hook);
        self
    }

    /// Sets the secret that signs the session cookie, like Flask's `app.secret_key`: keep it
    /// out of the source, and long and random in production. Without one, an app whose
    /// handlers take [`Session`](crate::Session) refuses to start.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().secret_key(std::env::var("SECRET_KEY").unwrap_or("dev".into()));
    /// ```
    pub fn secret_key(mut self, secret: impl AsRef<[u8]>) -> App {
        let secret = secret.as_ref();
        if secret.is_empty() {
            self.problems.push(
                "secret_key(\"\"): an empty secret signs nothing; give a long random one"
                    .to_owned(),
            );
        }
        self.data.session_key = Some(crate::extract::session::signing_key(secret));
        self
    }

    /// Sets how long a session lasts after it was last saved; an older session cookie reads
    /// as an empty session. Default 31 days, as Flask's `PERMANENT_SESSION_LIFETIME`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().session_lifetime(Duration::from_secs(60 * 60));
    /// ```
    pub fn session_lifetime(mut self, lifetime: Duration) -> App {
        self.data.session_lifetime = lifetime;
        self
    }

    /// Turns debug mode on or off, like Flask's `app.debug`: error pages then show the panic
    /// message or the error chain behind a 500, and the request line. Off by default, when no
    /// internal detail is ever sent; `CARAFE_DEBUG=1` in the environment turns it on (and
    /// `CARAFE_DEBUG=0` off, whatever the code says). Never on a server the public can reach.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().debug(true);
    /// ```
    pub fn debug(mut self, on: bool) -> App {
        self.data.config.debug = on;
        self
    }

    /// Answers the errors of type `E` that handlers return (through
    /// [`carafe::Error`](crate::Error)), like Flask's `@app.errorhandler(ZeroDivisionError)`.
    /// It is asked before the handler for the status (500); its answer keeps status 500 unless
    /// it gives one with its body.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().error_handler_for(|error: &std::io::Error| {
    ///     (format!("storage trouble: {}", error.kind()), 503)
    /// });
    /// ```
    pub fn error_handler_for<E, R>(
        mut self,
        handler: impl Fn(&E) -> R + Send + Sync + 'static,
    ) -> App
    where
        E: std::error::Error + 'static,
        R: IntoResponse,
    {
        self.scopes.app().pages.add_for_type(handler);
        self
    }

    /// Replaces the page for an HTTP error status, like Flask's `@app.errorhandler(404)`. It
    /// applies to `abort`, extractor errors, and the 404 and 405 of routing. A bare body keeps
    /// the error's status; a status given with the body (`("moved", 200)`, `make_response`)
    /// is sent as given.
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
        let handler = Box::new(move |error| handler(error).into_response());
        if let Err(problem) = self.scopes.app().pages.add(status, handler) {
            self.problems.push(problem);
        }
        self
    }
}
