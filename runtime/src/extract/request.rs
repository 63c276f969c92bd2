//! The request as handlers and extractors see it.

use std::borrow::Cow;
use std::future::{poll_fn, Future};
use std::net::SocketAddr;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::request::Parts;
use http::{HeaderMap, Method, Uri, Version};
use smallvec::SmallVec;

use crate::extract::app_data::AppData;
use crate::extract::form::{count_fields, FormData, FORM_MEDIA_TYPE};
use crate::extract::forwarded::{ClientSide, TrustedProxies};
use crate::response::body::BoxError;
use crate::response::error::HttpError;
use crate::response::json::parse_json;
use crate::response::{IntoResponse, Response};

/// Byte ranges of the path parameters inside the request path, in path order. `u32` offsets
/// (a path is far shorter than 4 GiB: `http::Uri` refuses 64 KiB) keep four ranges inline in
/// half the space, and every request moves them from the router to its handler.
#[doc(hidden)]
pub type ParamRanges = SmallVec<[(u32, u32); 4]>;

/// A request body: from the network, or already in memory (the test client, or once read),
/// or through tower layers (any body, boxed).
pub(crate) enum RequestBody {
    Incoming(hyper::body::Incoming),
    Buffered(Bytes),
    Body(crate::response::body::Body),
}

impl RequestBody {
    /// The body as tower layers take it.
    pub(crate) fn into_body(self) -> crate::response::body::Body {
        match self {
            RequestBody::Incoming(incoming) => crate::response::body::Body::new(incoming),
            RequestBody::Buffered(bytes) => crate::response::body::Body::from(bytes),
            RequestBody::Body(body) => body,
        }
    }
}

/// One request as extractors see it: its head, its body (read once, on demand), its path
/// parameters, and the app's state.
///
/// An extractor that reads only the head implements
/// [`FromRequestParts`](crate::FromRequestParts) and gets `&RequestContext`; one that reads the
/// body implements [`FromRequest`](crate::FromRequest) and gets `&mut RequestContext`, for
/// [`body_bytes`](RequestContext::body_bytes).
///
/// ```
/// use carafe_runtime::{FromRequestParts, RequestContext, Response};
///
/// /// The request's path, for handlers that take a `RequestPath` argument.
/// struct RequestPath(String);
///
/// impl FromRequestParts for RequestPath {
///     fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response> {
///         Ok(RequestPath(ctx.parts().uri.path().to_owned()))
///     }
/// }
/// ```
pub struct RequestContext {
    parts: Parts,
    body: RequestBody,
    params: ParamRanges,
    /// The route's own body limit, if its attribute sets one over the app's.
    route_body_limit: Option<u64>,
    app: Arc<AppData>,
    /// The address of the connection's other end: the client, or the closest proxy. `None`
    /// for the test client's requests.
    peer: Option<SocketAddr>,
}

/// A limit on the bodies read, and who set it, for the 413 to name.
#[derive(Clone, Copy)]
pub(crate) struct BodyLimit {
    pub(crate) bytes: u64,
    by_route: bool,
}

impl RequestContext {
    /// The context of a request not yet routed: its path parameters are set once it is.
    pub(crate) fn new(
        parts: Parts,
        body: RequestBody,
        app: Arc<AppData>,
        peer: Option<SocketAddr>,
    ) -> Self {
        RequestContext {
            parts,
            body,
            params: ParamRanges::new(),
            route_body_limit: None,
            app,
            peer,
        }
    }

    /// The request as its client made it, through the app's trusted proxies.
    pub(crate) fn client_side(&self) -> ClientSide {
        let parts = &self.parts;
        let proxies = self.app.config.trusted_proxies;
        ClientSide::of(&parts.headers, &parts.uri, self.peer, proxies)
    }

    /// The state and settings of the app answering the request.
    pub(crate) fn app(&self) -> &AppData {
        &self.app
    }

    /// Where routing found the path parameters, and the route's body limit if it sets one.
    pub(crate) fn set_route(&mut self, params: ParamRanges, body_limit: Option<u64>) {
        self.params = params;
        self.route_body_limit = body_limit;
    }

    /// The largest body read for this request: its route's limit, or the app's.
    pub(crate) fn body_limit(&self) -> BodyLimit {
        match self.route_body_limit {
            Some(bytes) => BodyLimit {
                bytes,
                by_route: true,
            },
            None => BodyLimit {
                bytes: self.app.config.body_limit as u64,
                by_route: false,
            },
        }
    }

    /// The request line and headers.
    pub fn parts(&self) -> &Parts {
        &self.parts
    }

    /// Stores `value` on this request, like Flask's `g.user = ..`: later hooks read it with
    /// [`get`](RequestContext::get), handlers with the [`G`](crate::G) extractor. One value
    /// per type; a second replaces the first.
    ///
    /// ```
    /// use carafe_runtime::App;
    ///
    /// let app = App::new().before_request(|request| {
    ///     request.insert(std::time::Instant::now());
    ///     None::<()>
    /// });
    /// ```
    pub fn insert<T: Clone + Send + Sync + 'static>(&mut self, value: T) {
        self.parts.extensions.insert(value);
    }

    /// The value of type `T` stored on this request, if any.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.parts.extensions.get::<T>()
    }

    /// The app's state of type `T`, given with [`App::state`](crate::App::state).
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.app.state::<T>()
    }

    /// The `index`-th path parameter, percent-decoded and parsed into `T`. A value that does not
    /// parse answers 404, as Flask's converters do.
    #[doc(hidden)]
    pub fn path_param<T: FromStr>(&self, index: usize) -> Result<T, Response> {
        let not_found = || HttpError::new(404).into_response();
        let &(start, end) = self.params.get(index).ok_or_else(not_found)?;
        let raw = &self.parts.uri.path()[start as usize..end as usize];
        let decoded = carafe_core::converter::decode(raw).ok_or_else(not_found)?;
        decoded.parse().map_err(|_| not_found())
    }

    /// The whole body, read once (within the app's size limit) and kept for later extractors;
    /// 413 when it is larger, 400 when it cannot be read, 408 when it does not arrive within
    /// the app's body read timeout.
    pub async fn body_bytes(&mut self) -> Result<Bytes, Response> {
        let mut read = BodyRead::default();
        poll_fn(|cx| self.poll_body_bytes(&mut read, cx)).await
    }

    /// The body, taken for a reader of its own (a multipart parser); an empty one is left.
    #[cfg(feature = "uploads")]
    pub(crate) fn take_body(&mut self) -> RequestBody {
        std::mem::replace(&mut self.body, RequestBody::Buffered(Bytes::new()))
    }

    /// The app's body read timeout, for a reader of the body's own.
    #[cfg(feature = "uploads")]
    pub(crate) fn body_read_timeout(&self) -> BodyReadTimeout {
        BodyReadTimeout {
            timeout: self.app.config.body_read_timeout,
            version: self.parts.version,
        }
    }

    /// Whether the body is already whole in memory: extractors of it need no waiting.
    pub(crate) fn body_is_whole(&self) -> bool {
        matches!(self.body, RequestBody::Buffered(_))
    }

    /// [`body_bytes`](RequestContext::body_bytes) as a poll, with `read` keeping what has come:
    /// for a future of the app's own that holds the request.
    pub(crate) fn poll_body_bytes(
        &mut self,
        read: &mut BodyRead,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Bytes, Response>> {
        let body_limit = self.body_limit();
        // Past the address space, no body can be held anyway.
        let limit = usize::try_from(body_limit.bytes).unwrap_or(usize::MAX);
        // A body declared larger than the limit (its `Content-Length`, which hyper gives as
        // the body's size) is refused before any of it is read.
        let polled = match &mut self.body {
            // The test client's bodies arrive whole: the same limit applies to them.
            RequestBody::Buffered(bytes) if bytes.len() > limit => {
                Poll::Ready(Err(Unread::TooLarge))
            }
            RequestBody::Buffered(bytes) => return Poll::Ready(Ok(bytes.clone())),
            RequestBody::Incoming(incoming) if declared_over(incoming, limit) => {
                Poll::Ready(Err(Unread::TooLarge))
            }
            RequestBody::Body(body) if declared_over(body, limit) => {
                Poll::Ready(Err(Unread::TooLarge))
            }
            RequestBody::Incoming(incoming) => read.poll_whole(incoming, limit, cx),
            RequestBody::Body(body) => read.poll_whole(body, limit, cx),
        };
        let bytes = match polled {
            Poll::Ready(Ok(bytes)) => bytes,
            Poll::Ready(Err(Unread::TooLarge)) => return Poll::Ready(Err(body_limit.refusal())),
            Poll::Ready(Err(Unread::Failed(error))) => {
                return Poll::Ready(Err(HttpError::new(400)
                    .with_message(format!("The request body could not be read: {error}"))
                    .into_response()))
            }
            Poll::Pending => {
                let timeout = self.app.config.body_read_timeout;
                ready!(read.deadline.poll_passed(timeout, cx));
                return Poll::Ready(Err(body_too_slow(timeout, self.parts.version)));
            }
        };
        self.body = RequestBody::Buffered(bytes.clone());
        Poll::Ready(Ok(bytes))
    }

    /// 413 when a urlencoded form has more fields than the app allows.
    pub(crate) fn check_form_fields(&self, body: &[u8]) -> Result<(), Response> {
        let limit = self.app.config.max_form_parts;
        if count_fields(body) <= limit {
            return Ok(());
        }
        Err(HttpError::new(413)
            .with_message(format!(
                "The form has more than {limit} fields (App::max_form_parts)."
            ))
            .into_response())
    }

    /// The media type of the body (`Content-Type` without parameters), lowercased.
    pub(crate) fn media_type(&self) -> Option<Cow<'_, str>> {
        media_type(&self.parts.headers)
    }
}

/// Whether `body` is known to be larger than `limit` bytes before it is read.
fn declared_over(body: &impl http_body::Body, limit: usize) -> bool {
    body.size_hint().lower() > limit as u64
}

impl BodyLimit {
    /// The 413 for a body past the limit, naming it and where it is set.
    pub(crate) fn refusal(self) -> Response {
        let (whose, setting) = if self.by_route {
            ("this route's", "`body_limit` in its #[route]")
        } else {
            ("the app's", "App::body_limit")
        };
        HttpError::new(413)
            .with_message(format!(
                "The request body is larger than {whose} limit of {} ({} bytes; {setting}).",
                carafe_core::size::show(self.bytes),
                self.bytes
            ))
            .into_response()
    }
}

/// How long a request's body may take to arrive, and what the 408 past it closes.
#[cfg(feature = "uploads")]
#[derive(Clone, Copy)]
pub(crate) struct BodyReadTimeout {
    pub(crate) timeout: Duration,
    version: Version,
}

#[cfg(feature = "uploads")]
impl BodyReadTimeout {
    /// The 408 for a body that did not arrive in time.
    pub(crate) fn refusal(self) -> Response {
        body_too_slow(self.timeout, self.version)
    }
}

/// A body read's timer, started the first time the body is found not yet whole: the timer
/// costs a request about 500 instructions, and a body already whole at its first poll (most
/// small ones, over either protocol) needs none.
#[derive(Default)]
pub(crate) struct Deadline(Option<Pin<Box<tokio::time::Sleep>>>);

impl Deadline {
    /// Ready once `timeout` has passed since the first call.
    pub(crate) fn poll_passed(&mut self, timeout: Duration, cx: &mut Context<'_>) -> Poll<()> {
        self.0
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)))
            .as_mut()
            .poll(cx)
    }
}

/// Why a body could not be read whole.
enum Unread {
    /// It is larger than the limit.
    TooLarge,
    /// The connection failed, or the body is malformed (a bad chunk).
    Failed(BoxError),
}

/// A read of a whole body under way: its data so far, the first frame as it came and the
/// rest (rarely any) joined, and the timer, started once the body is found not yet whole.
/// Written out rather than `http_body_util`'s `Limited` and `Collect`: most bodies are one
/// frame, kept as it came without a copy; trailers are not kept.
#[derive(Default)]
pub(crate) struct BodyRead {
    first: Bytes,
    more: Option<BytesMut>,
    deadline: Deadline,
}

impl BodyRead {
    /// Reads `body` until it ends, within `limit` bytes.
    fn poll_whole<B>(
        &mut self,
        body: &mut B,
        limit: usize,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Bytes, Unread>>
    where
        B: http_body::Body<Data = Bytes> + Unpin,
        B::Error: Into<BoxError>,
    {
        // The body's own end is trusted without polling it again.
        while !body.is_end_stream() {
            match ready!(Pin::new(&mut *body).poll_frame(cx)) {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        if self.len() + data.len() > limit {
                            return Poll::Ready(Err(Unread::TooLarge));
                        }
                        self.push(data);
                    }
                }
                Some(Err(error)) => return Poll::Ready(Err(Unread::Failed(error.into()))),
                // The end of a body that could not tell it would end there (chunked).
                None => break,
            }
        }
        let first = std::mem::take(&mut self.first);
        Poll::Ready(Ok(self.more.take().map_or(first, BytesMut::freeze)))
    }

    fn len(&self) -> usize {
        self.first.len() + self.more.as_ref().map_or(0, BytesMut::len)
    }

    fn push(&mut self, data: Bytes) {
        if self.first.is_empty() {
            self.first = data;
            return;
        }
        let first = &self.first;
        let more = self.more.get_or_insert_with(|| {
            let mut more = BytesMut::with_capacity(first.len() + data.len());
            more.extend_from_slice(first);
            more
        });
        more.extend_from_slice(&data);
    }
}

/// The 408 for a body that did not arrive within `timeout`. Over HTTP/1 it closes the
/// connection: the rest of the body may still come, and would be read as the next request.
/// Over HTTP/2 the answer ends the stream alone.
fn body_too_slow(timeout: Duration, version: Version) -> Response {
    let mut response = HttpError::new(408)
        .with_message(format!(
            "The request body did not arrive within {} s.",
            timeout.as_secs_f64()
        ))
        .into_response();
    if version < Version::HTTP_2 {
        response.headers.insert(
            http::header::CONNECTION,
            http::HeaderValue::from_static("close"),
        );
    }
    response
}

/// The 415 for a body of another type than `expected`: what `what` was expected as, and what
/// came (the request's media type, or none).
pub(crate) fn unsupported_media_type(
    what: &str,
    expected: &str,
    found: Option<Cow<'_, str>>,
) -> Response {
    let found = found.unwrap_or(Cow::Borrowed("no Content-Type"));
    HttpError::new(415)
        .with_message(format!("Expected {what} sent as {expected}, got {found}."))
        .into_response()
}

/// The media type `Content-Type` names, without its parameters, lowercased.
fn media_type(headers: &HeaderMap) -> Option<Cow<'_, str>> {
    // A walk, not `get`: a request has a few headers, and comparing each name costs less
    // than hashing the one looked up. The first `Content-Type`, as `get` finds it.
    let (_, value) = headers
        .iter()
        .find(|(name, _)| *name == http::header::CONTENT_TYPE)?;
    let value = value.to_str().ok()?;
    // A byte loop: the value is short, and a search for `;` would cost more to set up.
    let end = value.bytes().position(|byte| byte == b';');
    let essence = value[..end.unwrap_or(value.len())].trim_ascii();
    // Clients almost always send it in lowercase already: then it is used without a copy.
    Some(if essence.bytes().any(|byte| byte.is_ascii_uppercase()) {
        Cow::Owned(essence.to_ascii_lowercase())
    } else {
        Cow::Borrowed(essence)
    })
}

/// The whole request, like Flask's `request`: method, path, headers, query arguments and body.
///
/// Take it as a handler argument when the typed extractors do not fit. It reads the body
/// (within the app's size limit) before the handler runs.
///
/// ```
/// use carafe_runtime::Request;
///
/// let request = Request::builder().method("POST").uri("/userDetails?page=2")
///     .header("content-type", "application/x-www-form-urlencoded")
///     .body("username=sam&lastname=king");
/// assert_eq!(request.method(), "POST");
/// assert_eq!(request.path(), "/userDetails");
/// assert_eq!(request.args().get("page"), Some("2"));
/// assert_eq!(request.form().get("lastname"), Some("king"));
/// ```
#[derive(Debug, Clone)]
pub struct Request {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    client: ClientSide,
}

impl Request {
    pub(crate) async fn extract(ctx: &mut RequestContext) -> Result<Request, Response> {
        let body = ctx.body_bytes().await?;
        if ctx.media_type().as_deref() == Some(FORM_MEDIA_TYPE) {
            ctx.check_form_fields(&body)?;
        }
        let parts = ctx.parts();
        Ok(Request {
            method: parts.method.clone(),
            uri: parts.uri.clone(),
            headers: parts.headers.clone(),
            body,
            client: ctx.client_side(),
        })
    }

    /// Starts a request by hand, for unit tests of code that takes a `Request`.
    pub fn builder() -> RequestBuilder {
        RequestBuilder(Request {
            method: Method::GET,
            uri: Uri::from_static("/"),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            client: ClientSide {
                addr: None,
                https: false,
                host: None,
            },
        })
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The request target.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The path, still percent-encoded.
    pub fn path(&self) -> &str {
        self.uri.path()
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// One header's value as text, when present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The query arguments, like Flask's `request.args`.
    pub fn args(&self) -> FormData {
        FormData::parse(self.uri.query().unwrap_or_default().as_bytes())
    }

    /// The urlencoded form fields of the body, like Flask's `request.form`; empty when the body
    /// is not a urlencoded form.
    pub fn form(&self) -> FormData {
        if media_type(&self.headers).as_deref() == Some(FORM_MEDIA_TYPE) {
            FormData::parse(&self.body)
        } else {
            FormData::default()
        }
    }

    /// The body parsed as JSON, like Flask's `request.get_json()`; a 400 error when it is not.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, HttpError> {
        parse_json(&self.body)
    }

    /// The raw body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The client's address, like Flask's `request.remote_addr`: the one the app's trusted
    /// proxies name ([`App::trusted_proxies`](crate::App::trusted_proxies)), or else the
    /// connection's. `None` for a request made by hand.
    pub fn remote_addr(&self) -> Option<std::net::IpAddr> {
        self.client.addr
    }

    /// `https` or `http`, as the client asked: behind trusted proxies, as they say.
    pub fn scheme(&self) -> &str {
        self.client.scheme()
    }

    /// The host the client asked for, with its port if it named one: behind trusted proxies
    /// that send it, theirs (`X-Forwarded-Host`), else the `Host` header.
    pub fn host(&self) -> Option<&str> {
        self.client.host.as_deref()
    }

    /// The root of the app's absolute URLs, `scheme://host/`, like Flask's
    /// `request.url_root`: prefix it to a [`Url`](crate::Url) to link to a page from an email
    /// or another site, or to redirect to an absolute URL.
    ///
    /// ```
    /// use carafe_runtime::Request;
    ///
    /// let request = Request::builder().header("host", "example.com").body("");
    /// assert_eq!(request.url_root(), "http://example.com/");
    /// ```
    pub fn url_root(&self) -> String {
        self.client.url_root()
    }
}

/// Builds a [`Request`] by hand; see [`Request::builder`].
#[derive(Debug)]
pub struct RequestBuilder(Request);

impl RequestBuilder {
    /// Sets the method; an invalid one is a programming mistake and panics.
    pub fn method(mut self, method: &str) -> Self {
        self.0.method = method.parse().expect("a valid HTTP method");
        self
    }

    /// Sets the path and query; an invalid one is a programming mistake and panics.
    pub fn uri(mut self, uri: &str) -> Self {
        self.0.uri = uri.parse().expect("a valid request target");
        self
    }

    /// Adds a header; an invalid one is a programming mistake and panics.
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.0
            .headers
            .append(name, value.parse().expect("a valid header value"));
        self
    }

    /// Sets the body and finishes the request, which came through no proxy.
    pub fn body(mut self, body: impl Into<Bytes>) -> Request {
        self.0.body = body.into();
        let request = &self.0;
        let proxies = TrustedProxies::default();
        self.0.client = ClientSide::of(&request.headers, &request.uri, None, proxies);
        self.0
    }
}

/// The media type a body is judged by, on generated `Content-Type` values.
#[cfg(test)]
mod properties {
    use http::header::CONTENT_TYPE;
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn the_media_type_is_the_value_before_its_parameters_lowercased(
            essence in "[A-Za-z/+.-]{0,20}",
            spaces in " {0,2}",
            parameters in "(; ?[a-zA-Z]{1,8}=[a-zA-Z0-9\"-]{0,8}){0,2}",
        ) {
            let value = format!("{spaces}{essence}{spaces}{parameters}");
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, value.parse().expect("a visible ASCII value"));
            let found = media_type(&headers).expect("a Content-Type");
            prop_assert_eq!(found.as_ref(), essence.to_ascii_lowercase());
            // Already lowercase, it is used as it is.
            prop_assert_eq!(
                matches!(found, Cow::Borrowed(_)),
                !essence.bytes().any(|byte| byte.is_ascii_uppercase())
            );
        }
    }
}
