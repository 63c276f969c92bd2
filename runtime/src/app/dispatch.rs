//! Dispatch: the code path every request takes, from routing to the response hyper sends.

use std::any::Any;
use std::borrow::Cow;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use carafe_core::status;
use futures_util::future::{CatchUnwind, FutureExt};
use http::header::{self, HeaderValue};
use http::{Method, StatusCode, Version};
use pin_project_lite::pin_project;
use smallvec::SmallVec;

use crate::app::access_log::AccessLog;
use crate::app::cross_site::{CrossSite, Provenance};
use crate::app::scope::{Scope, Scopes};
use crate::extract::app_data::{AppData, Config};
use crate::extract::current::{self, Current, CurrentFuture, RequestLine};
use crate::extract::request::{BodyRead, ParamRanges, RequestBody, RequestContext};
use crate::extract::session::SessionSlot;
use crate::response::abort::Abort;
use crate::response::body::Body;
use crate::response::error::HttpError;
use crate::response::redirect::redirect_with;
use crate::response::{IntoResponse, Response};
use crate::routing::handler::{AtOnce, Handler, PendingResponse};
use crate::routing::pace::{on_pool, Pace, Stopwatch, Ticks};
use crate::routing::route::MethodSet;
use crate::routing::router::{Lookup, Router};

/// What every request reads: built by `App`, then shared by all connections.
pub(crate) struct Shared {
    pub(crate) router: Router,
    /// The state and settings, which handlers' extractors read through their context.
    pub(crate) data: Arc<AppData>,
    /// The app's error pages and hooks, and its blueprints'.
    pub(crate) scopes: Scopes,
    /// Which of the optional stages the app has.
    pub(crate) stages: Stages,
    /// Debug mode, from the settings: read by every request, so kept beside the router.
    pub(crate) debug: bool,
    /// How long a plain handler may take in place (see `routing::pace`), in the ticks of the
    /// clock that times it: read by every call of one.
    pub(crate) blocking_ticks: Ticks,
}

/// The stages of the pipeline an app may lack: each it lacks costs its requests one test of a
/// flag, and runs no code.
#[derive(Clone, Copy, Default)]
pub(crate) struct Stages {
    /// Some scope has `before_request` hooks.
    pub(crate) before_hooks: bool,
    /// Some scope has `after_request` hooks.
    pub(crate) after_hooks: bool,
    /// Some scope has `teardown_request` hooks.
    pub(crate) teardown_hooks: bool,
    /// The app has a secret key: each request has a session slot, saved after the answer.
    pub(crate) sessions: bool,
    /// The app has templates: a request's scope holds its method and URI, for `request`.
    pub(crate) request_line: bool,
    /// The app mounts a WebSocket route: connections may be upgraded, and a GET may be a
    /// handshake to judge as cross-site.
    pub(crate) websockets: bool,
}

impl Shared {
    /// The context a request is answered in, made once where the request is taken apart: a
    /// request's head is over 200 bytes, and each move of it is a copy.
    #[inline(always)]
    pub(crate) fn context(
        &self,
        parts: http::request::Parts,
        body: RequestBody,
        peer: Option<SocketAddr>,
    ) -> RequestContext {
        RequestContext::new(parts, body, Arc::clone(&self.data), peer)
    }

    /// The scope a request is answered in (see `current`), with its session, if the app has
    /// sessions.
    fn current(&self, parts: &http::request::Parts, session: Option<SessionSlot>) -> Current {
        Current {
            data: Arc::clone(&self.data),
            session,
            request: self.stages.request_line.then(|| {
                Arc::new(RequestLine {
                    method: parts.method.clone(),
                    uri: parts.uri.clone(),
                })
            }),
        }
    }

    /// Answers a request refused as cross-site before any of the app's code runs; its after
    /// and teardown hooks still see the 403, as they see routing's errors.
    #[cold]
    fn refused(
        &self,
        mut response: Response,
        current: Current,
        mut finish: Finish,
    ) -> ResponseFuture {
        let mut sent = None;
        current::enter(current, || {
            self.complete(&mut finish, &mut response, &mut sent)
        });
        ResponseFuture::ready(sent)
    }

    /// Answers one request, in one pipeline: routing; in the request's scope, the before
    /// hooks, the handler (or routing's own answer), then [`complete`](Shared::complete): the
    /// error page, the after hooks, the session saved, the final checks and the teardown
    /// hooks. A stage the app lacks is a flag tested. A plain handler proven quick runs within
    /// this call, one that may block on the blocking pool (see `routing::pace`); an awaited
    /// one's future carries the scope and completes the rest when it is ready.
    pub(crate) fn dispatch(self: &Arc<Self>, mut ctx: RequestContext) -> ResponseFuture {
        let parts = ctx.parts();
        let head = HeadFacts::of(parts, &self.data.config);
        let mut finish = Finish {
            accepts_json_only: head.accepts_json_only,
            access: AccessLog::start(&ctx),
            // Routing's own errors are the app's; a route's are its blueprint's.
            scope: 0,
            // Only debug mode pays for the copy.
            debug_request: self
                .debug
                .then(|| Box::new(DebugRequest(format!("{} {}", parts.method, parts.uri)))),
            session: None,
            teardown_pending: false,
        };
        if let Some(problem) = head.host_problem(parts.version) {
            // Not a request to route or to run hooks for: its error page alone.
            let mut response = HttpError::new(400).with_message(problem).into_response();
            let mut sent = None;
            current::enter(self.current(parts, None), || {
                finish.finalize(self, &mut response, &mut sent)
            });
            return ResponseFuture::ready(sent);
        }
        let (route, params, allowed) = match self.router.lookup(&parts.method, parts.uri.path()) {
            Lookup::Found(route, params) => (Some(route), params, None),
            Lookup::MethodNotAllowed(allowed) => (None, ParamRanges::new(), Some(allowed)),
            Lookup::NotFound => (None, ParamRanges::new(), None),
        };
        finish.scope = route.map_or(0, |route| route.scope);
        finish.teardown_pending = self.stages.teardown_hooks;
        if self.stages.sessions {
            // carafe serves plain HTTP: only a trusted proxy can say the client used HTTPS.
            let https = self.data.config.trusted_proxies.hops > 0 && ctx.client_side().https;
            finish.session = Some(SessionSlot::new(&parts.headers, https));
        }
        let current = self.current(parts, finish.session.clone());
        ctx.set_route(params, route.and_then(|route| route.def.body_limit));
        let handler = route.map(|route| route.def.handler);
        if let Some(cross_site) = &head.cross_site {
            if route.is_some_and(|route| !route.def.cross_origin) {
                let refusal = cross_site.refusal(ctx.parts().method.as_str());
                return self.refused(refusal, current, finish);
            }
        }
        // A WebSocket's handshake is a GET, which the walk above does not judge.
        if self.stages.websockets
            && route.is_some_and(|route| route.def.websocket && !route.def.cross_origin)
        {
            if let Some(cross_site) = CrossSite::of_handshake(ctx.parts(), &self.data.config) {
                return self.refused(cross_site.refusal("WebSocket handshake"), current, finish);
            }
        }
        if let Some(Handler::Awaited(handler)) = handler {
            if let Some(answered) = self.answer_of_hooks(&current, &mut ctx, &mut finish) {
                return answered;
            }
            // Making the future runs none of the handler's code: that runs when it is
            // polled, in the scope, under `catch_unwind`.
            let handler = AssertUnwindSafe(handler(ctx)).catch_unwind();
            return ResponseFuture::awaiting(current, handler, finish, Arc::clone(self));
        }
        if let Some(Handler::AfterBody(handler, pace)) = handler {
            if !ctx.body_is_whole() {
                if let Some(answered) = self.answer_of_hooks(&current, &mut ctx, &mut finish) {
                    return answered;
                }
                let call = self.plain_call(current, ctx, finish, handler, pace);
                return ResponseFuture::after_body(call);
            }
        }
        if let Some(Handler::AtOnce(handler, pace) | Handler::AfterBody(handler, pace)) = handler {
            if !pace.in_place() {
                let call = self.plain_call(current, ctx, finish, handler, pace);
                return ResponseFuture::on_pool(call, Hooks::ToRun);
            }
        }
        // The answer is put where it is sent from, rather than returned through the scope:
        // each return of a response is a copy of it.
        let mut sent = None;
        current::enter(current, || {
            let answer = self.before_hooks(finish.scope, &mut ctx);
            let mut response = answer.unwrap_or_else(|| match handler {
                Some(Handler::AtOnce(handler, pace) | Handler::AfterBody(handler, pace)) => {
                    let _stopwatch = Stopwatch::start(pace, self.blocking_ticks, true);
                    answer_at_once(handler, &mut ctx)
                }
                // Awaited handlers were answered above.
                Some(Handler::Awaited(_)) | None => self.no_route(ctx.parts(), allowed),
            });
            self.complete(&mut finish, &mut response, &mut sent);
        });
        ResponseFuture::ready(sent)
    }

    /// The before hooks of a handler that waits (for its body, or as an `async fn`), run
    /// now in the request's scope; the completed answer, if one of them answered.
    fn answer_of_hooks(
        &self,
        current: &Current,
        ctx: &mut RequestContext,
        finish: &mut Finish,
    ) -> Option<ResponseFuture> {
        // The scope is cloned only for an app with before hooks.
        if !self.stages.before_hooks {
            return None;
        }
        let mut response =
            current::enter(current.clone(), || self.before_hooks(finish.scope, ctx))?;
        let mut sent = None;
        current::enter(current.clone(), || {
            self.complete(finish, &mut response, &mut sent)
        });
        Some(ResponseFuture::ready(sent))
    }

    /// A request to a plain handler that does not answer within the dispatch: it waits for
    /// its body, or runs on the blocking pool. Boxed: it holds the whole request.
    fn plain_call(
        self: &Arc<Self>,
        current: Current,
        ctx: RequestContext,
        finish: Finish,
        handler: AtOnce,
        pace: &'static Pace,
    ) -> Box<PlainCall> {
        Box::new(PlainCall {
            ctx,
            current: Some(current),
            finish,
            handler,
            pace,
            shared: Arc::clone(self),
        })
    }

    /// Routing's answer when no route takes the request: the methods the path has, if it has
    /// some. Werkzeug redirects to the slash route that answers the method before it says
    /// 405: `/bar/` for GET and `/bar` for POST send `GET /bar` to `/bar/`; `OPTIONS` is
    /// answered by the path itself.
    fn no_route(&self, parts: &http::request::Parts, allowed: Option<MethodSet>) -> Response {
        match allowed {
            Some(allowed) if parts.method == Method::OPTIONS => {
                method_not_allowed(&parts.method, allowed)
            }
            Some(allowed) => self
                .slash_redirect(parts)
                .unwrap_or_else(|| method_not_allowed(&parts.method, allowed)),
            None => self
                .slash_redirect(parts)
                .unwrap_or_else(|| HttpError::new(404).into_response()),
        }
    }

    /// The before hooks of `scope` and those around it, outermost first, until one answers;
    /// none, at the cost of a flag, in an app without them.
    fn before_hooks(&self, scope: usize, ctx: &mut RequestContext) -> Option<Response> {
        if !self.stages.before_hooks {
            return None;
        }
        let chain: SmallVec<[&Scope; 4]> = self.scopes.chain(scope).collect();
        let hooks = chain.iter().rev().flat_map(|scope| &scope.hooks.before);
        for hook in hooks {
            match std::panic::catch_unwind(AssertUnwindSafe(|| hook(ctx))) {
                Ok(None) => {}
                Ok(Some(response)) => return Some(response),
                Err(payload) => return Some(response_for_panic(payload)),
            }
        }
        None
    }

    /// The stages after the handler, in the request's scope: its error page, the after hooks
    /// (innermost scope first, each scope's last registered first), the session saved if it
    /// changed (after the hooks, as Flask saves it), the final checks, then the teardown
    /// hooks with the server error the request ended in.
    fn complete(
        &self,
        finish: &mut Finish,
        response: &mut Response,
        sent: &mut Option<http::Response<Body>>,
    ) {
        let mut server_error = if finish.teardown_pending {
            server_error_of(response)
        } else {
            None
        };
        // The after hooks see the error page; without them, `finalize` renders it.
        if self.stages.after_hooks {
            finish.render_error(self, response);
            self.after_hooks(finish.scope, response, &mut server_error);
        }
        if let Some(session) = &finish.session {
            session.save(response, &self.data);
        }
        finish.finalize(self, response, sent);
        if finish.teardown_pending {
            finish.teardown_pending = false;
            self.teardown_hooks(finish.scope, server_error.as_ref());
        }
    }

    /// The after hooks of `scope` and those around it; a hook that panics answers 500, the
    /// server error the request then ends in unless it had one.
    fn after_hooks(
        &self,
        scope: usize,
        response: &mut Response,
        server_error: &mut Option<HttpError>,
    ) {
        let after = self
            .scopes
            .chain(scope)
            .flat_map(|scope| scope.hooks.after.iter().rev());
        for hook in after {
            let given = std::mem::replace(response, Response::with_body(Body::empty()));
            *response = match std::panic::catch_unwind(AssertUnwindSafe(|| hook(given))) {
                Ok(answer) => answer,
                Err(payload) => {
                    let failed = response_for_panic(payload);
                    if server_error.is_none() {
                        *server_error = server_error_of(&failed);
                    }
                    failed
                }
            };
        }
    }

    /// The teardown hooks of `scope` and those around it, innermost first, each scope's last
    /// registered first; one that panics is logged and goes no further.
    fn teardown_hooks(&self, scope: usize, error: Option<&HttpError>) {
        let hooks = self
            .scopes
            .chain(scope)
            .flat_map(|scope| scope.hooks.teardown.iter().rev());
        for hook in hooks {
            if std::panic::catch_unwind(AssertUnwindSafe(|| hook(error))).is_err() {
                tracing::error!("a teardown_request hook panicked");
            }
        }
    }

    /// Flask's 308 to the same path with a trailing slash (or with its slashes merged) when that
    /// path answers the method (`OPTIONS` included, as every path answers it).
    fn slash_redirect(&self, parts: &http::request::Parts) -> Option<Response> {
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
                return Some(redirect_with(location, StatusCode::PERMANENT_REDIRECT));
            }
        }
        None
    }
}

/// What dispatch reads from a request's headers, found in one walk over them: a request has
/// a few, and a walk costs less than hashing each name looked up.
struct HeadFacts {
    /// How many `Host` headers it has, counted to two.
    hosts: u8,
    /// Whether the client asked for JSON and not HTML, so error pages answer in JSON.
    accepts_json_only: bool,
    /// Why it is refused, when it is an unsafe request a page of another origin sent.
    cross_site: Option<CrossSite>,
}

impl HeadFacts {
    fn of(parts: &http::request::Parts, config: &Config) -> HeadFacts {
        let mut facts = HeadFacts {
            hosts: 0,
            accepts_json_only: false,
            cross_site: None,
        };
        let mut accept_seen = false;
        let mut host = None;
        // Where the request was sent from matters only to the methods that change state.
        let mut provenance = MethodSet::is_unsafe(&parts.method).then(Provenance::default);
        for (name, value) in &parts.headers {
            if *name == header::HOST {
                facts.hosts = (facts.hosts + 1).min(2);
                host.get_or_insert(value);
            } else if *name == header::ACCEPT && !accept_seen {
                // The first `Accept`, as a lookup by name finds it.
                accept_seen = true;
                facts.accepts_json_only = value.to_str().is_ok_and(|accept| {
                    accept.contains("application/json") && !accept.contains("text/html")
                });
            } else if let Some(provenance) = &mut provenance {
                provenance.note(name, value);
            }
        }
        // Most unsafe requests come from no browser: nothing more to look at.
        if let Some(provenance) = provenance.filter(Provenance::is_from_a_browser) {
            facts.cross_site = provenance.cross_site(parts, host, config);
        }
        facts
    }

    /// Why an HTTP/1.1 request's `Host` is unacceptable: it must have exactly one (RFC 9112
    /// §3.2), or a proxy and the app may each take a different one for the request's
    /// authority. HTTP/1.0 needs none, and HTTP/2 carries the authority in the request line.
    fn host_problem(&self, version: Version) -> Option<&'static str> {
        if version != Version::HTTP_11 {
            return None;
        }
        match self.hosts {
            1 => None,
            0 => Some("The request has no Host header, which HTTP/1.1 requires."),
            _ => Some("The request has more than one Host header."),
        }
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

pin_project! {
    /// Resolves to the response hyper sends.
    pub(crate) struct ResponseFuture {
        #[pin]
        waiting: Waiting,
    }
}

pin_project! {
    #[project = WaitingProjection]
    enum Waiting {
        // Answered within the call: by a plain `fn` handler, a hook, or the router (404, 405,
        // `OPTIONS`). Already through every stage, so nothing else is kept.
        Ready { response: Option<http::Response<Body>> },
        // A handler at work and the stages after it, in its request's scope. The scope's
        // future is pinned in place, not boxed again.
        Handler {
            #[pin]
            answering: CurrentFuture<Answering>,
        },
        // A plain handler whose extractors await the body alone, its before hooks run:
        // the body read, it answers at once, or on the blocking pool.
        Body {
            call: Option<Box<PlainCall>>,
            read: BodyRead,
        },
        // The answer of the app's tower layers, or of the blocking pool.
        Boxed {
            answer: Pin<Box<dyn Future<Output = Result<http::Response<Body>, Infallible>> + Send>>,
        },
    }
}

pin_project! {
    /// An awaited handler, then the stages after it, all polled in the request's scope: the
    /// scope is entered once per poll, not again to complete.
    struct Answering {
        #[pin]
        handler: CatchUnwind<AssertUnwindSafe<PendingResponse>>,
        finish: Finish,
        shared: Arc<Shared>,
    }

    impl PinnedDrop for Answering {
        fn drop(this: Pin<&mut Self>) {
            // A handler dropped before it answered (the client went away): its request is
            // over all the same, and its teardown hooks run (in its scope, where tokio drops
            // the future), with no error to tell.
            let this = this.project();
            if this.finish.teardown_pending {
                this.finish.teardown_pending = false;
                this.shared.teardown_hooks(this.finish.scope, None);
            }
        }
    }
}

impl Future for Answering {
    type Output = http::Response<Body>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = match ready!(this.handler.poll(cx)) {
            Ok(response) => response,
            Err(payload) => response_for_panic(payload),
        };
        let mut sent = None;
        this.shared.complete(this.finish, &mut response, &mut sent);
        Poll::Ready(sent.expect("complete answers"))
    }
}

impl ResponseFuture {
    /// The response `sent` holds, ready now.
    fn ready(sent: Option<http::Response<Body>>) -> ResponseFuture {
        ResponseFuture {
            waiting: Waiting::Ready { response: sent },
        }
    }

    /// A handler's answer to await, then to complete, in its request's scope.
    fn awaiting(
        current: Current,
        handler: CatchUnwind<AssertUnwindSafe<PendingResponse>>,
        finish: Finish,
        shared: Arc<Shared>,
    ) -> ResponseFuture {
        let answering = Answering {
            handler,
            finish,
            shared,
        };
        ResponseFuture {
            waiting: Waiting::Handler {
                answering: current::scoped(current, answering),
            },
        }
    }

    /// A plain handler's answer once its body is read.
    fn after_body(call: Box<PlainCall>) -> ResponseFuture {
        ResponseFuture {
            waiting: Waiting::Body {
                call: Some(call),
                read: BodyRead::default(),
            },
        }
    }

    /// A plain handler's answer from the blocking pool. The call runs to the end even if the
    /// client goes away, as it would in place.
    #[cold]
    #[inline(never)]
    fn on_pool(mut call: Box<PlainCall>, hooks: Hooks) -> ResponseFuture {
        let answer = on_pool(move || call.answer(hooks, Timed::OnPool));
        ResponseFuture::boxed(async move { Ok(answer.await) })
    }

    /// An answer still to come from elsewhere: a stack of tower layers, or the blocking pool.
    pub(crate) fn boxed(
        answer: impl Future<Output = Result<http::Response<Body>, Infallible>> + Send + 'static,
    ) -> ResponseFuture {
        ResponseFuture {
            waiting: Waiting::Boxed {
                answer: Box::pin(answer),
            },
        }
    }
}

/// A request to a plain handler that does not answer within the dispatch, with all that
/// answering it needs: it waits for its body, or is taken to the blocking pool.
struct PlainCall {
    ctx: RequestContext,
    /// The request's scope, until the call enters it to answer.
    current: Option<Current>,
    finish: Finish,
    handler: AtOnce,
    pace: &'static Pace,
    shared: Arc<Shared>,
}

/// Whether a plain call still has its before hooks to run.
#[derive(Clone, Copy)]
enum Hooks {
    ToRun,
    /// Run in place before its body was read.
    Done,
}

/// Where a plain call runs, for its pace.
#[derive(Clone, Copy)]
enum Timed {
    InPlace,
    OnPool,
}

impl PlainCall {
    /// The before hooks if still to run, the handler, then the stages after it, in the
    /// request's scope: the response hyper sends.
    fn answer(&mut self, hooks: Hooks, timed: Timed) -> http::Response<Body> {
        self.in_scope(|call| {
            let answer = match hooks {
                Hooks::ToRun => call.shared.before_hooks(call.finish.scope, &mut call.ctx),
                Hooks::Done => None,
            };
            answer.unwrap_or_else(|| {
                let in_place = matches!(timed, Timed::InPlace);
                let _stopwatch = Stopwatch::start(call.pace, call.shared.blocking_ticks, in_place);
                answer_at_once(call.handler, &mut call.ctx)
            })
        })
    }

    /// `response` in the handler's place, through the stages after it.
    fn complete_with(&mut self, response: Response) -> http::Response<Body> {
        self.in_scope(|_| response)
    }

    /// `respond`, then the stages after the handler, in the request's scope.
    fn in_scope(
        &mut self,
        respond: impl FnOnce(&mut PlainCall) -> Response,
    ) -> http::Response<Body> {
        let current = self.current.take().expect("a plain call answered once");
        let mut sent = None;
        current::enter(current, || {
            let mut response = respond(self);
            self.shared
                .complete(&mut self.finish, &mut response, &mut sent);
        });
        sent.expect("complete answers")
    }
}

impl Drop for PlainCall {
    /// A call dropped before it answered (the client went away while its body came, or the
    /// server shut down before the pool ran it): its request is over all the same, and its
    /// teardown hooks run, in its scope, with no error to tell.
    fn drop(&mut self) {
        if self.finish.teardown_pending {
            self.finish.teardown_pending = false;
            if let Some(current) = self.current.take() {
                let (shared, scope) = (&self.shared, self.finish.scope);
                current::enter(current, || shared.teardown_hooks(scope, None));
            }
        }
    }
}

/// The answer of a handler that runs at once, reading the request in place: its response, or
/// the page of its panic.
#[inline(always)]
fn answer_at_once(handler: AtOnce, ctx: &mut RequestContext) -> Response {
    std::panic::catch_unwind(AssertUnwindSafe(|| handler(ctx))).unwrap_or_else(response_for_panic)
}

/// What the final checks of a response need from its request. hyper moves the response
/// future a few times before it polls it, so the access log, rarely gathered and large, is
/// boxed.
struct Finish {
    accepts_json_only: bool,
    access: Option<Box<AccessLog>>,
    /// Whose error pages render the response's error: the app's (0) or a blueprint's.
    scope: usize,
    /// The request line, in debug mode, for the error pages. Boxed, so that a response
    /// future carries one pointer for it.
    debug_request: Option<Box<DebugRequest>>,
    /// The request's session, when the app has sessions: saved once the answer is complete.
    session: Option<SessionSlot>,
    /// Whether the teardown hooks are still to run: the app has some, and the request has not
    /// completed. A response future dropped before (the client went away) runs them then.
    teardown_pending: bool,
}

/// A request's line, `GET /path?query`, for debug mode's error pages.
struct DebugRequest(String);

impl Future for ResponseFuture {
    type Output = Result<http::Response<Body>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let pooled = match self.as_mut().project().waiting.project() {
            WaitingProjection::Ready { response } => {
                return Poll::Ready(Ok(response
                    .take()
                    .expect("a response future polled after completion, or not answered")))
            }
            WaitingProjection::Handler { answering } => return answering.poll(cx).map(Ok),
            WaitingProjection::Boxed { answer } => return answer.as_mut().poll(cx),
            WaitingProjection::Body { call, read } => {
                let reading = call
                    .as_mut()
                    .expect("a response future polled after completion");
                let read = ready!(reading.ctx.poll_body_bytes(read, cx));
                let mut call = call.take().expect("a body read once");
                match read {
                    // 413, 408 or 400: through the stages after the handler, as an
                    // extractor's error is.
                    Err(response) => return Poll::Ready(Ok(call.complete_with(response))),
                    Ok(_) if call.pace.in_place() => {
                        return Poll::Ready(Ok(call.answer(Hooks::Done, Timed::InPlace)))
                    }
                    Ok(_) => ResponseFuture::on_pool(call, Hooks::Done),
                }
            }
        };
        self.set(pooled);
        self.poll(cx)
    }
}

/// The server error (5xx) a response still stands for, which the teardown hooks are given.
fn server_error_of(response: &Response) -> Option<HttpError> {
    response
        .pending_error()
        .filter(|error| error.status().is_server_error())
        .cloned()
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
            HttpError::panicked(message).into_response()
        }
    }
}

impl Finish {
    /// Puts on the response the page of the error it stands for, if it does. In place: a
    /// response is large, and most are no error.
    #[inline]
    fn render_error(&self, shared: &Shared, response: &mut Response) {
        if let Some(error) = response.take_pending_error() {
            // Headers set on the error (`Allow` on a 405, or the handler's own) go on the page
            // that replaces it, over the page's headers of the same name.
            let headers = std::mem::take(&mut response.headers);
            *response = shared.scopes.render(
                self.scope,
                error,
                self.accepts_json_only,
                self.debug_request
                    .as_ref()
                    .map(|request| request.0.as_str()),
            );
            for name in headers.keys() {
                response.headers.remove(name);
            }
            response.headers.extend(headers);
        }
    }

    /// Renders error pages and refuses to send what would be malformed; puts what hyper sends
    /// in `sent`, in place: a response is large, and each return of one is a copy.
    fn finalize(
        &self,
        shared: &Shared,
        response: &mut Response,
        sent: &mut Option<http::Response<Body>>,
    ) {
        self.render_error(shared, response);
        let (code, headers, body) = response.take_parts();
        let status = match StatusCode::from_u16(code) {
            Ok(status) if status::is_valid(code) => status,
            _ => {
                let error = HttpError::misconfigured(format!(
                    "the handler answered status {code}, outside 100..=599"
                ));
                return self.finalize(shared, &mut error.into_response(), sent);
            }
        };
        // 1xx, 204 and 304 never carry a body, whatever the handler returned. Otherwise hyper
        // writes Content-Length from the body's exact size (for HEAD too, without the body), on
        // both protocols: a length the handler set is never sent, since a wrong one would let
        // the rest of the body pass for a second response on the connection.
        let (body, mut headers) = (body, headers);
        // Most responses have a header or two: a walk over them costs less than a lookup.
        let declared = if headers.keys().any(|name| name == header::CONTENT_LENGTH) {
            headers.remove(header::CONTENT_LENGTH)
        } else {
            None
        };
        let body = if status::forbids_body(code) {
            Body::empty()
        } else {
            // A boxed body's length is hyper's to tell from its size hint, or to chunk.
            if let (Some(declared), Some(whole)) = (declared, body.whole()) {
                let length = whole.len();
                if declared.to_str().ok().and_then(|text| text.parse().ok()) != Some(length) {
                    tracing::warn!(
                        "the handler set Content-Length {declared:?} on a body of {length} \
                         bytes: sent {length}"
                    );
                }
            }
            body
        };
        if let Some(access) = &self.access {
            access.record(status);
        }
        let sent = sent.insert(http::Response::new(body));
        *sent.status_mut() = status;
        *sent.headers_mut() = headers;
    }
}
