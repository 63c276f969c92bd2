//! Extractors: handler arguments that are not path parameters.
//!
//! Each implements [`FromRequest`]; a failure answers an HTTP error (400, 413, 415) with a
//! message saying what was wrong, and the handler does not run.

use std::any::type_name;
use std::borrow::Cow;
use std::future::Future;
use std::ops::{Deref, Index};
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Method};
use serde::de::DeserializeOwned;

use crate::error::{abort_with, HttpError};
use crate::request::{Request, RequestContext};
use crate::response::{IntoResponse, Response};

pub(crate) const FORM_MEDIA_TYPE: &str = "application/x-www-form-urlencoded";

/// A handler argument built from the request.
///
/// Implement it for your own extractors; read the request through [`RequestContext`].
///
/// ```
/// use carafe_runtime::{FromRequest, HttpError, IntoResponse, RequestContext, Response};
///
/// /// The `X-Client` header, for handlers that take a `Client` argument.
/// struct Client(String);
///
/// impl FromRequest for Client {
///     async fn from_request(ctx: &mut RequestContext) -> Result<Self, Response> {
///         Self::from_request_immediately(ctx)
///     }
///
///     // It reads a header, never the body: a plain `fn` handler taking it runs at once.
///     const IMMEDIATE: bool = true;
///
///     fn from_request_immediately(ctx: &mut RequestContext) -> Result<Self, Response> {
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
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler argument",
    label = "not a path parameter and not an extractor",
    note = "an argument named like a `<param>` of the path receives it; any other argument is an extractor: Form, Json<T>, Query<T>, State<T>, Request, HeaderMap, Method or Bytes"
)]
pub trait FromRequest: Sized {
    /// Extracts the value, or answers the error response.
    fn from_request(
        ctx: &mut RequestContext,
    ) -> impl Future<Output = Result<Self, Response>> + Send;

    /// Whether [`from_request_immediately`](FromRequest::from_request_immediately) extracts
    /// the value: true for extractors that never wait, reading the request line, the headers
    /// or the app's state but not the body. A plain `fn` handler whose extractors all are
    /// runs at once, without the boxed future an `async` extraction needs.
    const IMMEDIATE: bool = false;

    /// Extracts the value without waiting. Called only when
    /// [`IMMEDIATE`](FromRequest::IMMEDIATE) is true; an extractor that sets it implements this
    /// too, and its `from_request` can return what this does.
    fn from_request_immediately(ctx: &mut RequestContext) -> Result<Self, Response> {
        let _ = ctx;
        Err(HttpError::misconfigured(format!(
            "{} sets FromRequest::IMMEDIATE but does not implement from_request_immediately",
            type_name::<Self>()
        ))
        .into_response())
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

impl<T: Send + Sync + 'static> FromRequest for State<T> {
    async fn from_request(ctx: &mut RequestContext) -> Result<Self, Response> {
        Self::from_request_immediately(ctx)
    }

    const IMMEDIATE: bool = true;

    fn from_request_immediately(ctx: &mut RequestContext) -> Result<Self, Response> {
        ctx.shared().state::<T>().map(State).ok_or_else(|| {
            HttpError::misconfigured(format!(
                "a handler asked for State<{0}> but the app has none: add App::new().state::<{0}>(..)",
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

impl<T: DeserializeOwned + Send> FromRequest for Query<T> {
    async fn from_request(ctx: &mut RequestContext) -> Result<Self, Response> {
        Self::from_request_immediately(ctx)
    }

    const IMMEDIATE: bool = true;

    fn from_request_immediately(ctx: &mut RequestContext) -> Result<Self, Response> {
        let query = ctx.parts().uri.query().unwrap_or_default();
        serde_urlencoded::from_str(query)
            .map(Query)
            .map_err(|error| {
                HttpError::new(400)
                    .with_message(format!("Invalid query string: {error}."))
                    .into_response()
            })
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
    async fn from_request(ctx: &mut RequestContext) -> Result<Self, Response> {
        // Owned: reading the body below needs the context to itself.
        let media_type = ctx.media_type().map(Cow::into_owned);
        let body = ctx.body_bytes().await?;
        let is_form = media_type.as_deref() == Some(FORM_MEDIA_TYPE);
        if !is_form && !body.is_empty() {
            let found = media_type.unwrap_or_else(|| "no Content-Type".to_owned());
            return Err(HttpError::new(415)
                .with_message(format!(
                    "Expected a form sent as {FORM_MEDIA_TYPE}, got {found}."
                ))
                .into_response());
        }
        serde_urlencoded::from_bytes(&body)
            .map(Form)
            .map_err(|error| {
                HttpError::new(400)
                    .with_message(format!("Invalid form: {error}."))
                    .into_response()
            })
    }
}

/// Form fields or query arguments in the order sent; a field may repeat.
///
/// ```
/// use carafe_runtime::FormData;
///
/// let form = FormData::parse(b"username=sam&tag=a&tag=b");
/// assert_eq!(form.get("username"), Some("sam"));
/// assert_eq!(form.get("password"), None);
/// assert_eq!(form.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(&form["username"], "sam");
/// assert_eq!(form.require("password").unwrap_err().status(), 400);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    /// Parses `application/x-www-form-urlencoded` bytes; malformed input gives no fields.
    pub fn parse(encoded: &[u8]) -> FormData {
        FormData(serde_urlencoded::from_bytes(encoded).unwrap_or_default())
    }

    /// The first value of `field`.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.iter()
            .find(|(name, _)| *name == field)
            .map(|(_, value)| value)
    }

    /// Every value of `field`, in order.
    pub fn get_all<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(name, _)| name == field)
            .map(|(_, value)| value.as_str())
    }

    /// The first value of `field`, or a 400 error naming it; use with `?`.
    pub fn require(&self, field: &str) -> Result<&str, HttpError> {
        self.get(field).ok_or_else(|| missing_field(field))
    }

    /// Whether `field` was sent.
    pub fn contains(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// How many fields were sent.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no field was sent.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn missing_field(field: &str) -> HttpError {
    HttpError::new(400).with_message(format!("Missing form field \"{field}\"."))
}

/// `form["x"]`: a missing field answers 400, as Flask's `request.form["x"]` does.
impl Index<&str> for FormData {
    type Output = str;

    fn index(&self, field: &str) -> &str {
        match self.get(field) {
            Some(value) => value,
            None => abort_with(missing_field(field)),
        }
    }
}

impl<'de> serde::Deserialize<'de> for FormData {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<(String, String)>::deserialize(deserializer).map(FormData)
    }
}

impl FromRequest for Request {
    async fn from_request(ctx: &mut RequestContext) -> Result<Self, Response> {
        Request::extract(ctx).await
    }
}

/// The request headers.
impl FromRequest for HeaderMap {
    async fn from_request(ctx: &mut RequestContext) -> Result<Self, Response> {
        Self::from_request_immediately(ctx)
    }

    const IMMEDIATE: bool = true;

    fn from_request_immediately(ctx: &mut RequestContext) -> Result<Self, Response> {
        Ok(ctx.parts().headers.clone())
    }
}

/// The request method.
impl FromRequest for Method {
    async fn from_request(ctx: &mut RequestContext) -> Result<Self, Response> {
        Self::from_request_immediately(ctx)
    }

    const IMMEDIATE: bool = true;

    fn from_request_immediately(ctx: &mut RequestContext) -> Result<Self, Response> {
        Ok(ctx.parts().method.clone())
    }
}

/// The raw request body.
impl FromRequest for Bytes {
    async fn from_request(ctx: &mut RequestContext) -> Result<Self, Response> {
        ctx.body_bytes().await
    }
}
