//! Extractors: handler arguments that are not path parameters.
//!
//! Two traits, as in axum: [`FromRequestParts`] for extractors that read the request's head
//! (and the app's state) and run at once, [`FromRequest`] for those that read its body and are
//! awaited. A failure answers an HTTP error (400, 413, 415) with a message saying what was
//! wrong, and the handler does not run.

pub(crate) mod app_data;
pub(crate) mod cookies;
pub(crate) mod current;
#[cfg(feature = "uploads")]
pub(crate) mod filename;
pub(crate) mod flash;
pub(crate) mod form;
pub(crate) mod forwarded;
pub(crate) mod lock;
#[cfg(feature = "uploads")]
pub(crate) mod multipart;
pub(crate) mod request;
pub(crate) mod session;
#[cfg(feature = "websockets")]
pub(crate) mod websocket;

use std::any::type_name;
use std::borrow::Cow;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::ops::Deref;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use http::{HeaderMap, Method};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::extract::app_data::Needs;
use crate::extract::form::{FormData, FORM_MEDIA_TYPE};
use crate::extract::request::{unsupported_media_type, Request, RequestContext};
use crate::response::error::HttpError;
use crate::response::json::{parse_json, Json};
use crate::response::route_doc::Operation;
use crate::response::{IntoResponse, Response};

/// A handler argument built from the request's head (method, URI, headers) or the app's
/// state, never its body. It needs no waiting, so a plain `fn` handler whose extractors are all
/// of this kind runs at once, without a boxed future.
///
/// ```
/// use carafe_runtime::{FromRequestParts, HttpError, IntoResponse, RequestContext, Response};
///
/// /// The `X-Client` header, for handlers that take a `Client` argument.
/// struct Client(String);
///
/// impl FromRequestParts for Client {
///     fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response> {
///         let name = ctx.parts().headers.get("x-client");
///         match name.and_then(|name| name.to_str().ok()) {
///             Some(name) => Ok(Client(name.to_owned())),
///             None => Err(HttpError::new(400)
///                 .with_message("Say who you are in X-Client.")
///                 .into_response()),
///         }
///     }
/// }
/// ```
pub trait FromRequestParts: Sized {
    /// Extracts the value, or answers the error response.
    fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response>;

    /// Declares what the app must hold for this extractor to work, checked before it serves
    /// (see [`Needs`]). Nothing, unless the extractor says otherwise.
    fn needs(needs: &mut Needs<'_>) {
        let _ = needs;
    }

    /// Tells the OpenAPI document what this extractor reads and how it fails (see
    /// [`Operation`]). Nothing, unless the extractor says otherwise.
    fn describe(operation: &mut Operation<'_>) {
        let _ = operation;
    }
}

/// A handler argument built from the request's body, which it awaits (within the app's size
/// limit) through [`RequestContext::body_bytes`].
///
/// ```
/// use carafe_runtime::{FromRequest, HttpError, IntoResponse, RequestContext, Response};
///
/// /// The body as text, for handlers that take a `Text` argument.
/// struct Text(String);
///
/// impl FromRequest for Text {
///     async fn from_request(ctx: &mut RequestContext) -> Result<Self, Response> {
///         let body = ctx.body_bytes().await?;
///         String::from_utf8(body.to_vec()).map(Text).map_err(|_| {
///             HttpError::new(400).with_message("The body is not UTF-8.").into_response()
///         })
///     }
/// }
/// ```
pub trait FromRequest: Sized {
    /// Extracts the value, or answers the error response.
    fn from_request(
        ctx: &mut RequestContext,
    ) -> impl Future<Output = Result<Self, Response>> + Send;

    /// Whether it awaits nothing but [`RequestContext::body_bytes`], as `Json`, `Form`,
    /// `Bytes` and `Request` do: the app then reads the body first, and a plain `fn` handler
    /// taking it runs at once, without a boxed future. An extractor that awaits anything else
    /// leaves it `false`; one that claims it and awaits more answers 500.
    #[doc(hidden)]
    const BODY_ALONE: bool = false;

    /// Declares what the app must hold for this extractor to work, checked before it serves
    /// (see [`Needs`]). Nothing, unless the extractor says otherwise.
    fn needs(needs: &mut Needs<'_>) {
        let _ = needs;
    }

    /// Tells the OpenAPI document what this extractor reads and how it fails (see
    /// [`Operation`]). Nothing, unless the extractor says otherwise.
    fn describe(operation: &mut Operation<'_>) {
        let _ = operation;
    }
}

#[doc(hidden)]
/// Marks the extractors that read the request's head: [`FromRequestParts`].
pub enum ViaParts {}

#[doc(hidden)]
/// Marks the extractors that read the request's body: [`FromRequest`].
pub enum ViaBody {}

/// A handler argument that is an extractor, of either kind; `M` says which, and the generated
/// code leaves it to inference (`<T as Extractor<_>>`), as axum does with its handlers.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler argument",
    label = "not a path parameter and not an extractor",
    note = "an argument named like a `<param>` of the path receives it; any other argument is an extractor: Form, Json<T>, Query<T>, State<T>, Request, HeaderMap, Method or Bytes, or a type that implements FromRequestParts or FromRequest"
)]
#[doc(hidden)]
pub trait Extractor<M>: Sized {
    /// Whether it extracts at once, reading the head alone: then a plain `fn` handler whose
    /// extractors all do runs without a boxed future.
    const AT_ONCE: bool;

    /// Whether it extracts at once once the body is whole in memory: then a plain `fn`
    /// handler whose extractors all do runs without a boxed future, after the app has read
    /// the body.
    const AFTER_BODY: bool;

    /// Declares what it needs from the app, naming itself.
    fn needs(needs: &mut Needs<'_>);

    /// Tells the OpenAPI document what it reads and how it fails.
    fn describe(operation: &mut Operation<'_>);

    /// Extracts at once; called only when [`AT_ONCE`](Extractor::AT_ONCE) is true, or
    /// [`AFTER_BODY`](Extractor::AFTER_BODY) is and the body is whole.
    fn extract_at_once(ctx: &mut RequestContext) -> Result<Self, Response>;

    /// Extracts, waiting for the body if it reads it.
    fn extract(ctx: &mut RequestContext) -> impl Future<Output = Result<Self, Response>> + Send;
}

impl<T: FromRequestParts + Send> Extractor<ViaParts> for T {
    const AT_ONCE: bool = true;
    const AFTER_BODY: bool = true;

    fn needs(needs: &mut Needs<'_>) {
        needs.of_extractor::<T>(T::needs);
    }

    fn describe(operation: &mut Operation<'_>) {
        T::describe(operation);
    }

    fn extract_at_once(ctx: &mut RequestContext) -> Result<Self, Response> {
        T::from_request_parts(ctx)
    }

    fn extract(ctx: &mut RequestContext) -> impl Future<Output = Result<Self, Response>> + Send {
        std::future::ready(T::from_request_parts(ctx))
    }
}

impl<T: FromRequest> Extractor<ViaBody> for T {
    const AT_ONCE: bool = false;
    const AFTER_BODY: bool = T::BODY_ALONE;

    fn needs(needs: &mut Needs<'_>) {
        needs.of_extractor::<T>(T::needs);
    }

    fn describe(operation: &mut Operation<'_>) {
        T::describe(operation);
    }

    /// Called once the body is whole, for an extractor that awaits nothing else: its future
    /// is then ready at its first poll.
    fn extract_at_once(ctx: &mut RequestContext) -> Result<Self, Response> {
        let mut extracting = pin!(T::from_request(ctx));
        match extracting
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(extracted) => extracted,
            Poll::Pending => Err(HttpError::misconfigured(format!(
                "the extractor {} says it awaits the body alone (FromRequest::BODY_ALONE) but \
                 awaited something else: leave BODY_ALONE false",
                type_name::<T>()
            ))
            .into_response()),
        }
    }

    fn extract(ctx: &mut RequestContext) -> impl Future<Output = Result<Self, Response>> + Send {
        T::from_request(ctx)
    }
}

/// Shared application state registered with [`App::state`](crate::App::state).
///
/// ```
/// use std::sync::RwLock;
/// use carafe_runtime::State;
///
/// fn count(hits: State<RwLock<u64>>) -> String {
///     *hits.write().unwrap() += 1;
///     hits.read().unwrap().to_string()
/// }
/// ```
pub struct State<T>(Arc<T>);

impl<T> Deref for State<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Clone for State<T> {
    fn clone(&self) -> Self {
        State(Arc::clone(&self.0))
    }
}

impl<T: Send + Sync + 'static> FromRequestParts for State<T> {
    fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response> {
        // The app refuses to start when a route's `State<T>` has no `T` (see `needs`), so only
        // an extractor of the user's that takes `State<T>` itself can get here without one.
        ctx.state::<T>().map(State).ok_or_else(|| {
            HttpError::misconfigured(format!(
                "State<{0}> was asked for but the app has none: add App::new().state::<{0}>(..)",
                type_name::<T>()
            ))
            .into_response()
        })
    }

    fn needs(needs: &mut Needs<'_>) {
        needs.state::<T>();
    }
}

/// A value a request hook stored on the request with [`RequestContext::insert`], like
/// Flask's `g`: a `before_request` hook loads the signed-in user, the handler takes `G<User>`.
/// A request with no such value answers 500 and logs which type was missing.
///
/// ```
/// use carafe_runtime::{App, G};
///
/// #[derive(Clone)]
/// struct User(String);
///
/// let app = App::new().before_request(|request| {
///     request.insert(User("sam".to_owned()));
///     None::<()>
/// });
/// fn profile(G(user): G<User>) -> String {
///     format!("hello, {}", user.0)
/// }
/// ```
pub struct G<T>(pub T);

impl<T> Deref for G<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone + Send + Sync + 'static> FromRequestParts for G<T> {
    fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response> {
        ctx.get::<T>().cloned().map(G).ok_or_else(|| {
            HttpError::misconfigured(format!(
                "G<{0}> was asked for but the request holds no {0}: a before_request hook stores \
                 it with request.insert(..)",
                type_name::<T>()
            ))
            .into_response()
        })
    }
}

/// The query string, deserialized into `T`; 400 when it does not fit.
///
/// ```
/// use carafe_runtime::Query;
/// #[derive(serde::Deserialize)]
/// struct Page { page: Option<u32> }
///
/// fn list(Query(page): Query<Page>) -> String {
///     format!("page {}", page.page.unwrap_or(1))
/// }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts for Query<T> {
    fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response> {
        let query = ctx.parts().uri.query().unwrap_or_default();
        serde_urlencoded::from_str(query)
            .map(Query)
            .map_err(|error| {
                HttpError::new(400)
                    .with_message(format!("Invalid query string: {error}."))
                    .into_response()
            })
    }

    /// Its fields as query parameters, and 400.
    fn describe(operation: &mut Operation<'_>) {
        let schema = operation.type_argument_inline_schema(0);
        operation.query(schema.unwrap_or_else(|| json!({ "type": "object" })));
    }
}

impl<T> Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// A urlencoded form body, like Flask's `request.form`.
///
/// `Form` alone is map-like ([`FormData`]): `get` gives an `Option`, `require` a 400 error, and
/// `form["x"]` on a missing field answers 400 as Flask's `request.form["x"]` does.
/// `Form<T>` deserializes into `T` and answers 400 when a field is missing or malformed.
/// A body of another content type answers 415.
///
/// ```
/// use carafe_runtime::Form;
///
/// fn sign_up(form: Form) -> String {
///     format!("hello {}", form.get("username").unwrap_or("stranger"))
/// }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Form<T = FormData>(pub T);

impl<T> Deref for Form<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + Send> FromRequest for Form<T> {
    const BODY_ALONE: bool = true;

    async fn from_request(ctx: &mut RequestContext) -> Result<Self, Response> {
        // Owned: reading the body below needs the context to itself.
        let media_type = ctx.media_type().map(Cow::into_owned);
        // A multipart form's text fields, read as a urlencoded body's: re-encoded, so that
        // `T`'s fields parse from text the same way whichever way the form was sent.
        #[cfg(feature = "uploads")]
        if media_type.as_deref() == Some(multipart::MULTIPART_MEDIA_TYPE) {
            let parsed = multipart::parsed_form(ctx).await?;
            let fields: Vec<(&str, &str)> = parsed.fields.iter().collect();
            let encoded = serde_urlencoded::to_string(fields).expect("text fields encode");
            return deserialize_form(encoded.as_bytes());
        }
        let body = ctx.body_bytes().await?;
        let is_form = media_type.as_deref() == Some(FORM_MEDIA_TYPE);
        if !is_form && !body.is_empty() {
            let found = media_type.map(Cow::Owned);
            return Err(unsupported_media_type("a form", FORM_MEDIA_TYPE, found));
        }
        ctx.check_form_fields(&body)?;
        deserialize_form(&body)
    }

    /// A urlencoded body of `T`'s schema (written `Form` alone, fields of any names), and
    /// 400, 413 and 415.
    fn describe(operation: &mut Operation<'_>) {
        let schema = operation.type_argument_schema(0);
        operation.request_form(schema.unwrap_or_else(
            || json!({ "type": "object", "additionalProperties": { "type": "string" } }),
        ));
    }
}

/// The files of a multipart form body (see [`Files`](crate::Files)).
#[cfg(feature = "uploads")]
impl FromRequest for multipart::Files {
    async fn from_request(ctx: &mut RequestContext) -> Result<Self, Response> {
        multipart::Files::of(ctx).await
    }

    /// A multipart body, and 400 and 413.
    fn describe(operation: &mut Operation<'_>) {
        operation.request_multipart();
    }
}

/// A multipart form body's parts as they come (see [`Multipart`](crate::Multipart)).
#[cfg(feature = "uploads")]
impl FromRequest for multipart::Multipart {
    async fn from_request(ctx: &mut RequestContext) -> Result<Self, Response> {
        multipart::Multipart::of(ctx)
    }

    /// A multipart body, and 400, 413 and 415.
    fn describe(operation: &mut Operation<'_>) {
        operation.request_multipart();
    }
}

/// `T` from a urlencoded form; 400 with the parser's words when it does not fit.
fn deserialize_form<T: DeserializeOwned>(encoded: &[u8]) -> Result<Form<T>, Response> {
    serde_urlencoded::from_bytes(encoded)
        .map(Form)
        .map_err(|error| {
            HttpError::new(400)
                .with_message(format!("Invalid form: {error}."))
                .into_response()
        })
}

impl FromRequest for Request {
    const BODY_ALONE: bool = true;

    async fn from_request(ctx: &mut RequestContext) -> Result<Self, Response> {
        Request::extract(ctx).await
    }
}

/// The request headers.
impl FromRequestParts for HeaderMap {
    fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response> {
        Ok(ctx.parts().headers.clone())
    }
}

/// The request method.
impl FromRequestParts for Method {
    fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response> {
        Ok(ctx.parts().method.clone())
    }
}

/// The raw request body.
impl FromRequest for Bytes {
    const BODY_ALONE: bool = true;

    async fn from_request(ctx: &mut RequestContext) -> Result<Self, Response> {
        ctx.body_bytes().await
    }

    /// A body of any bytes, and 413.
    fn describe(operation: &mut Operation<'_>) {
        operation.request_bytes();
    }
}

impl<T: DeserializeOwned + Send> FromRequest for Json<T> {
    const BODY_ALONE: bool = true;

    async fn from_request(ctx: &mut RequestContext) -> Result<Self, Response> {
        let media_type = ctx.media_type();
        let is_json = media_type
            .as_deref()
            .is_some_and(|essence| essence == "application/json" || essence.ends_with("+json"));
        if !is_json {
            return Err(unsupported_media_type(
                "a body",
                "application/json",
                media_type,
            ));
        }
        let body = ctx.body_bytes().await?;
        parse_json(&body)
            .map(Json)
            .map_err(IntoResponse::into_response)
    }

    /// A JSON body of `T`'s schema, and 400, 413 and 415.
    fn describe(operation: &mut Operation<'_>) {
        let schema = operation.type_argument_schema(0);
        operation.request_json(schema.unwrap_or_else(|| json!({ "type": "object" })));
    }
}

/// The client's address, as the app's trusted proxies say
/// ([`App::trusted_proxies`](crate::App::trusted_proxies)), or else the address of the
/// connection, like Flask's `request.remote_addr` behind `ProxyFix`.
///
/// ```
/// use carafe_runtime::ClientAddr;
///
/// // #[route("/whoami", GET)]
/// fn whoami(client: ClientAddr) -> String {
///     format!("you are {}", client.0)
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts for ClientAddr {
    fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response> {
        // The test client's requests come through no socket: they come from this machine.
        let addr = ctx.client_side().addr;
        Ok(ClientAddr(addr.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))))
    }
}
