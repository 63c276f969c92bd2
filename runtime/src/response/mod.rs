//! Responses: the [`Response`] type and everything a handler may return.
//!
//! As in Flask, a handler returns a body, or a tuple with the body first:
//! `(body, status)`, `(body, status, headers)` or `(body, headers)`.

pub(crate) mod abort;
pub(crate) mod body;
pub(crate) mod error;
pub(crate) mod error_page;
pub(crate) mod json;
pub(crate) mod redirect;
pub(crate) mod route_doc;
pub(crate) mod status_code;
pub(crate) mod stream;

use std::borrow::Cow;
use std::collections::HashMap;

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use http::{HeaderMap, StatusCode};
use smallvec::SmallVec;

use crate::response::body::Body;
use crate::response::error::HttpError;
use crate::response::route_doc::Operation;
use crate::response::status_code::IntoStatus;

/// Flask's default content type for text bodies.
pub(crate) const TEXT_HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");
const OCTET_STREAM: HeaderValue = HeaderValue::from_static("application/octet-stream");

/// An HTTP response whose status and headers can still be changed, like Flask's `Response`.
///
/// The status is a plain integer, as Flask's `response.status_code`: one outside 100..=599
/// is never sent; the client gets a 500 and the server logs the mistake.
///
/// ```
/// use carafe_runtime::{make_response, Response};
///
/// let mut response = make_response("<h1>Success</h1>", 201);
/// response.status_code = 200;
/// response.headers.insert("x-request-id", "42".parse().unwrap());
/// assert_eq!(response.status_code, 200);
/// assert_eq!(response.body().as_bytes(), b"<h1>Success</h1>");
///
/// let plain = Response::new("ok");
/// assert_eq!(plain.status_code, 200);
/// ```
#[derive(Debug)]
pub struct Response {
    /// The status code, 200 unless set.
    pub status_code: u16,
    /// The response headers.
    pub headers: HeaderMap,
    body: Body,
    answer: Answer,
}

/// What a response stands for, which decides what the pipeline does with it: one value, set
/// where the response is built, rather than flags read after the fact.
#[derive(Debug)]
enum Answer {
    /// A body, 200 unless the handler set another status: as an error handler's answer, it
    /// takes the error's status.
    Body,
    /// A body given with its status (a tuple, `make_response`): sent with that status, as an
    /// error handler's answer too, even 200.
    WithStatus,
    /// An HTTP error (routing, an extractor, `abort`, an `Err`): the app renders its page, with
    /// its error handler or in the format the client accepts, unless the handler answered
    /// itself by giving a body or another status.
    Error(Box<HttpError>),
}

impl Response {
    /// A 200 response with this body and the body's content type.
    pub fn new(body: impl IntoResponse) -> Response {
        body.into_response()
    }

    /// A response with a body and no headers, status 200.
    pub(crate) fn with_body(body: Body) -> Response {
        Response {
            status_code: 200,
            headers: HeaderMap::new(),
            body,
            answer: Answer::Body,
        }
    }

    /// A response with a body and a content type, status 200.
    pub(crate) fn with_content_type(body: Body, content_type: HeaderValue) -> Response {
        let mut response = Response::with_body(body);
        response.headers.insert(header::CONTENT_TYPE, content_type);
        response
    }

    /// Adds the body's default content type (see [`IntoResponse::into_response_and_default_type`])
    /// unless the headers already have one.
    /// In place: a response is large, and each move of one is a copy.
    pub(crate) fn add_default_type(&mut self, content_type: Option<HeaderValue>) {
        // Not `entry`: it makes room for a new header before it looks, and most often the
        // handler's headers have a Content-Type already.
        if let Some(content_type) = content_type {
            if !self.headers.contains_key(header::CONTENT_TYPE) {
                self.headers.insert(header::CONTENT_TYPE, content_type);
            }
        }
    }

    /// The response that stands for an HTTP error; the app renders its page.
    pub(crate) fn from_error(error: HttpError) -> Response {
        Response {
            status_code: error.status().as_u16(),
            headers: HeaderMap::new(),
            body: Body::empty(),
            answer: Answer::Error(Box::new(error)),
        }
    }

    /// The body.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// Replaces the body, keeping status and headers. A response that stood for an HTTP
    /// error is sent with this body instead of the error's page.
    ///
    /// ```
    /// use carafe_runtime::{HttpError, IntoResponse};
    ///
    /// let mut response = HttpError::new(404).into_response();
    /// response.set_body("Nothing here.");
    /// assert_eq!(response.body().as_bytes(), b"Nothing here.");
    /// ```
    pub fn set_body(&mut self, body: impl Into<Body>) {
        self.body = body.into();
        if let Answer::Error(_) = self.answer {
            self.answer = Answer::Body;
        }
    }

    /// Sets the status given with the body (a tuple, `make_response`). On an HTTP error's
    /// response the error stays, so `(HttpError::new(404), 404)` is still the 404 page.
    fn set_given_status(&mut self, code: u16) {
        self.status_code = code;
        if let Answer::Body = self.answer {
            self.answer = Answer::WithStatus;
        }
    }

    /// The HTTP error whose page is still to render: that of a response built from an
    /// [`HttpError`] whose status the handler left as it was. Its headers may have been added
    /// to (they go on the page). `status_code` is a public field, so this is the one place
    /// that compares it with the error's.
    pub(crate) fn pending_error(&self) -> Option<&HttpError> {
        match &self.answer {
            Answer::Error(error) if error.status().as_u16() == self.status_code => Some(error),
            _ => None,
        }
    }

    /// Takes out the [pending error](Response::pending_error), leaving a response that
    /// answers with its own status and body.
    pub(crate) fn take_pending_error(&mut self) -> Option<HttpError> {
        self.pending_error()?;
        match std::mem::replace(&mut self.answer, Answer::Body) {
            Answer::Error(error) => Some(*error),
            _ => None,
        }
    }

    /// This response as an error handler's answer to an error of `status`: a body alone takes
    /// the error's status, one given with its status keeps it, and an error of the handler's
    /// own comes back to be shown with the default page, never looped back to a handler.
    pub(crate) fn answer_to_error(mut self, status: StatusCode) -> Result<Response, HttpError> {
        if let Some(error) = self.take_pending_error() {
            return Err(error);
        }
        if let (Answer::Body, 200) = (&self.answer, self.status_code) {
            self.status_code = status.as_u16();
        }
        Ok(self)
    }

    /// Takes out status, headers and body, leaving none. By reference: a response is large,
    /// and moving one to take it apart is a copy.
    pub(crate) fn take_parts(&mut self) -> (u16, HeaderMap, Body) {
        (
            self.status_code,
            std::mem::take(&mut self.headers),
            std::mem::take(&mut self.body),
        )
    }
}

/// Anything a handler can return.
///
/// Implemented for bodies (`&'static str`, `String`, `Cow<'static, str>`, `Vec<u8>`,
/// `&'static [u8]`, `b"..."`, `Bytes`, [`Json`](crate::Json), `()`), for [`Response`] and
/// [`HttpError`], for the Flask tuples `(body, status)`, `(body, status, headers)` and
/// `(body, headers)`, and for `Result<T, E>` where both sides are responses.
///
/// ```
/// use carafe_runtime::IntoResponse;
///
/// let response = ("Created", 201, [("Location", "/items/3")]).into_response();
/// assert_eq!(response.status_code, 201);
/// assert_eq!(response.headers["location"], "/items/3");
/// assert_eq!(response.headers["content-type"], "text/html; charset=utf-8");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a response",
    label = "a handler returns a body, a Response, or a tuple with the body first",
    note = "a body is &str, String, bytes or Json(..); tuples are (body, status), (body, status, headers) and (body, headers), as in Flask"
)]
pub trait IntoResponse {
    /// Builds the response.
    fn into_response(self) -> Response;

    /// Builds the response without the body's default `Content-Type`, and returns that
    /// default beside it, for the response tuples: they apply their own headers first.
    #[doc(hidden)]
    fn into_response_and_default_type(self) -> (Response, Option<HeaderValue>)
    where
        Self: Sized,
    {
        (self.into_response(), None)
    }

    /// Builds the response to the request with this head: the generated handler calls this,
    /// so that a value whose answer depends on the request (a file answers `If-None-Match`
    /// with 304) can read it, as Rocket's responders do. Anything else answers as
    /// [`into_response`](IntoResponse::into_response).
    #[doc(hidden)]
    #[inline(always)]
    fn into_response_for(self, _request: &http::request::Parts) -> Response
    where
        Self: Sized,
    {
        self.into_response()
    }

    /// Tells the OpenAPI document what this type answers, beyond the statuses `#[route]`
    /// reads in the handler's body: the schema of a `Json<T>`, the 500 of a `Result`.
    #[doc(hidden)]
    fn describe_response(operation: &mut Operation<'_>)
    where
        Self: Sized,
    {
        let _ = operation;
    }
}

impl IntoResponse for Response {
    fn into_response(self) -> Response {
        self
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        Response::from_error(self)
    }
}

impl IntoResponse for crate::response::error::Error {
    fn into_response(self) -> Response {
        Response::from_error(HttpError::from(self))
    }
}

/// Bodies, each with the content type it has unless the handler's headers set another.
/// `into_response` inserts it; a response tuple adds it after the tuple's own headers, and only
/// when they have none, so a handler's `Content-Type` is inserted once, not inserted over it.
macro_rules! typed_bodies {
    ($($body:ty => |$value:ident| $bytes:expr, $content_type:expr;)*) => {$(
        impl IntoResponse for $body {
            fn into_response(self) -> Response {
                let $value = self;
                Response::with_content_type(Body::from($bytes), $content_type)
            }

            fn into_response_and_default_type(self) -> (Response, Option<HeaderValue>) {
                let $value = self;
                (Response::with_body(Body::from($bytes)), Some($content_type))
            }
        }
    )*};
}
typed_bodies!(
    &'static str => |text| text, TEXT_HTML;
    String => |text| text, TEXT_HTML;
    Cow<'static, str> => |text| match text {
        Cow::Borrowed(text) => Bytes::from_static(text.as_bytes()),
        Cow::Owned(text) => Bytes::from(text),
    }, TEXT_HTML;
    Bytes => |bytes| bytes, OCTET_STREAM;
    Vec<u8> => |bytes| bytes, OCTET_STREAM;
    &'static [u8] => |bytes| Bytes::from_static(bytes), OCTET_STREAM;
);

/// A byte-string literal, `b"..."`.
impl<const N: usize> IntoResponse for &'static [u8; N] {
    fn into_response(self) -> Response {
        self.as_slice().into_response()
    }

    fn into_response_and_default_type(self) -> (Response, Option<HeaderValue>) {
        self.as_slice().into_response_and_default_type()
    }
}

/// An empty 200 response.
impl IntoResponse for () {
    fn into_response(self) -> Response {
        Response::with_body(Body::empty())
    }
}

impl<T: IntoResponse, E: IntoResponse> IntoResponse for Result<T, E> {
    /// What `T` answers, and a server error for `E` unless it says otherwise.
    fn describe_response(operation: &mut Operation<'_>) {
        operation.describe_type_argument(0, T::describe_response);
        operation.may_fail();
    }

    fn into_response(self) -> Response {
        match self {
            Ok(response) => response.into_response(),
            Err(error) => error.into_response(),
        }
    }

    fn into_response_for(self, request: &http::request::Parts) -> Response {
        match self {
            Ok(response) => response.into_response_for(request),
            Err(error) => error.into_response_for(request),
        }
    }
}

impl<B: IntoResponse, P: ResponsePart> IntoResponse for (B, P) {
    fn into_response(self) -> Response {
        let (mut response, content_type) = self.0.into_response_and_default_type();
        if let Err(error) = self.1.apply(&mut response) {
            return error.into_response();
        }
        response.add_default_type(content_type);
        response
    }
}

impl<B: IntoResponse, S: IntoStatus, H: IntoHeaders> IntoResponse for (B, S, H) {
    fn into_response(self) -> Response {
        let (mut response, content_type) = self.0.into_response_and_default_type();
        response.set_given_status(self.1.into_status_code());
        if let Err(error) = self.2.apply_headers(&mut response.headers) {
            return error.into_response();
        }
        response.add_default_type(content_type);
        response
    }
}

macro_rules! integer_status_part {
    ($($int:ty),*) => {$(
        impl ResponsePart for $int {
            fn apply(self, response: &mut Response) -> Result<(), HttpError> {
                response.set_given_status(self.into_status_code());
                Ok(())
            }
        }
    )*};
}
integer_status_part!(i16, i32, i64, isize, u16, u32, u64, usize);

/// What may follow the body in a two-element response tuple: a status or headers.
#[diagnostic::on_unimplemented(
    message = "status code must be an integer, not `{Self}`: write the status as an integer, such as 404",
    label = "the second element of a response tuple is its status (an integer or StatusCode) or its headers",
    note = "carafe reads (body, status), (body, status, headers) and (body, headers), body first as in Flask"
)]
pub trait ResponsePart {
    /// Sets this part on the response.
    fn apply(self, response: &mut Response) -> Result<(), HttpError>;
}

impl ResponsePart for StatusCode {
    fn apply(self, response: &mut Response) -> Result<(), HttpError> {
        response.set_given_status(self.as_u16());
        Ok(())
    }
}

/// Response headers: `[(name, value); N]`, `Vec<(name, value)>`, a `HashMap` (Flask's dict)
/// or a `HeaderMap`. Each header replaces one of the same name, as Flask's `headers.update`.
///
/// A name that is not a valid token or a value with a control character (but a tab) is never
/// sent: the client gets a 500 and the server logs the mistake.
///
/// ```
/// use carafe_runtime::IntoResponse;
///
/// const CORS: &[(&str, &str)] = &[("Access-Control-Allow-Origin", "*")];
/// let response = (b"raw bytes", 200, CORS).into_response();
/// assert_eq!(response.headers["access-control-allow-origin"], "*");
/// assert_eq!(response.headers["content-type"], "application/octet-stream");
///
/// let broken = ("ok", [("X-Note", "a\r\nInjected: yes")]).into_response();
/// assert_eq!(broken.status_code, 500);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a set of headers",
    label = "headers are written as [(\"Name\", \"value\"), ..]",
    note = "a response tuple is (body, status, headers), body first as in Flask"
)]
pub trait IntoHeaders {
    /// Adds the headers to `headers`.
    fn apply_headers(self, headers: &mut HeaderMap) -> Result<(), HttpError>;
}

/// A response header's name: text (checked when the response is built) or an
/// [`http::HeaderName`], which costs nothing to insert.
///
/// ```
/// use carafe_runtime::IntoResponse;
/// use http::header::{HeaderValue, CONTENT_TYPE};
///
/// // Typed constants skip the per-response check of text headers.
/// const PLAIN: [(http::HeaderName, HeaderValue); 1] =
///     [(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"))];
/// let response = ("Hello", PLAIN).into_response();
/// assert_eq!(response.headers["content-type"], "text/plain; charset=utf-8");
/// ```
pub trait IntoHeaderName {
    /// The name, or the text that is no valid name.
    fn into_header_name(self) -> Result<HeaderName, String>;
}

/// A response header's value: text (checked for control characters when the response is built) or
/// an [`http::HeaderValue`]. See [`IntoHeaderName`].
pub trait IntoHeaderValue {
    /// The value, or the text that is no valid value.
    fn into_header_value(self) -> Result<HeaderValue, String>;
}

impl IntoHeaderName for HeaderName {
    fn into_header_name(self) -> Result<HeaderName, String> {
        Ok(self)
    }
}

impl IntoHeaderValue for HeaderValue {
    fn into_header_value(self) -> Result<HeaderValue, String> {
        Ok(self)
    }
}

macro_rules! text_header_parts {
    ($($text:ty),*) => {$(
        impl IntoHeaderName for $text {
            fn into_header_name(self) -> Result<HeaderName, String> {
                let text: &str = self.as_ref();
                HeaderName::try_from(text).map_err(|_| format!("{text:?}"))
            }
        }
        impl IntoHeaderValue for $text {
            fn into_header_value(self) -> Result<HeaderValue, String> {
                let text: &str = self.as_ref();
                HeaderValue::try_from(text).map_err(|_| format!("{text:?}"))
            }
        }
    )*};
}
text_header_parts!(&str, String, &String);

/// Converts one `(name, value)` pair, refusing what would corrupt the response.
fn header_pair(
    name: impl IntoHeaderName,
    value: impl IntoHeaderValue,
) -> Result<(HeaderName, HeaderValue), HttpError> {
    let name = name
        .into_header_name()
        .map_err(|name| HttpError::misconfigured(format!("invalid response header name {name}")))?;
    let value = value.into_header_value().map_err(|value| {
        HttpError::misconfigured(format!(
            "invalid value for response header {name:?}: {value} (no control character but a tab is allowed)"
        ))
    })?;
    Ok((name, value))
}

/// One list of headers going onto a response, as Flask applies a tuple's headers: the first
/// value of a name replaces what the response had (a default `Content-Type`), and the next
/// values of that name in the list are sent after it, in order (`[("X-Multi", "a"),
/// ("X-Multi", "b")]` sends both).
struct HeaderList<'h> {
    headers: &'h mut HeaderMap,
    /// The names this list has set so far.
    written: SmallVec<[HeaderName; 2]>,
}

impl<'h> HeaderList<'h> {
    fn new(headers: &'h mut HeaderMap) -> Self {
        HeaderList {
            headers,
            written: SmallVec::new(),
        }
    }

    /// Adds one pair. `more_follow` says whether the list has pairs after it: only then is
    /// the name recorded, so that a list of one pair, the most common, records none.
    fn add(&mut self, name: HeaderName, value: HeaderValue, more_follow: bool) {
        if self.written.contains(&name) {
            self.headers.append(name, value);
        } else if more_follow {
            self.headers.insert(name.clone(), value);
            self.written.push(name);
        } else {
            self.headers.insert(name, value);
        }
    }
}

/// Name-value pairs as arrays, vectors or maps, owned or borrowed: each becomes a header, and a
/// pair that would corrupt the response stops the rest. Each list is also a [`ResponsePart`],
/// for `(body, headers)`. `$pairs` turns the list into owned pairs: borrowed pairs are cloned,
/// which for text and for `http`'s types is cheap.
macro_rules! pair_headers {
    ($($headers:ty => [$($generics:tt)*] $pairs:expr;)*) => {$(
        impl<$($generics)*> IntoHeaders for $headers {
            fn apply_headers(self, headers: &mut HeaderMap) -> Result<(), HttpError> {
                let mut list = HeaderList::new(headers);
                let mut pairs = ($pairs)(self).peekable();
                while let Some((name, value)) = pairs.next() {
                    let (name, value) = header_pair(name, value)?;
                    list.add(name, value, pairs.peek().is_some());
                }
                Ok(())
            }
        }
        impl<$($generics)*> ResponsePart for $headers {
            fn apply(self, response: &mut Response) -> Result<(), HttpError> {
                self.apply_headers(&mut response.headers)
            }
        }
    )*};
}
pair_headers!(
    [(K, V); N] => [K: IntoHeaderName, V: IntoHeaderValue, const N: usize]
        |pairs: Self| pairs.into_iter();
    Vec<(K, V)> => [K: IntoHeaderName, V: IntoHeaderValue]
        |pairs: Self| pairs.into_iter();
    HashMap<K, V, S> => [K: IntoHeaderName, V: IntoHeaderValue, S]
        |pairs: Self| pairs.into_iter();
    &'a [(K, V); N] => ['a, K: IntoHeaderName + Clone, V: IntoHeaderValue + Clone, const N: usize]
        |pairs: Self| pairs.iter().map(|(name, value)| (name.clone(), value.clone()));
    &'a [(K, V)] => ['a, K: IntoHeaderName + Clone, V: IntoHeaderValue + Clone]
        |pairs: Self| pairs.iter().map(|(name, value)| (name.clone(), value.clone()));
);

impl IntoHeaders for HeaderMap {
    fn apply_headers(self, headers: &mut HeaderMap) -> Result<(), HttpError> {
        let mut list = HeaderList::new(headers);
        // The map gives each further value of a name without the name.
        let mut current = None;
        for (name, value) in self {
            if let Some(name) = name {
                current = Some(name);
            }
            if let Some(name) = &current {
                list.add(name.clone(), value, true);
            }
        }
        Ok(())
    }
}

impl ResponsePart for HeaderMap {
    fn apply(self, response: &mut Response) -> Result<(), HttpError> {
        self.apply_headers(&mut response.headers)
    }
}

/// Builds a [`Response`] from a body and a status, like Flask's `make_response(body, status)`;
/// its status and headers can be changed afterwards. For a body alone, use [`Response::new`].
///
/// ```
/// use carafe_runtime::make_response;
///
/// let response = make_response("Not Found", 404);
/// assert_eq!(response.status_code, 404);
/// ```
pub fn make_response(body: impl IntoResponse, status: impl IntoStatus) -> Response {
    let mut response = body.into_response();
    response.set_given_status(status.into_status_code());
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Json;

    fn content_types(response: &Response) -> Vec<&str> {
        response
            .headers
            .get_all(header::CONTENT_TYPE)
            .iter()
            .map(|value| value.to_str().unwrap())
            .collect()
    }

    #[test]
    fn a_tuples_content_type_replaces_the_bodys() {
        let plain = [("Content-Type", "text/plain")];
        assert_eq!(
            content_types(&("text", plain).into_response()),
            ["text/plain"]
        );
        let problem = [("Content-Type", "application/problem+json")];
        let response = (Json([1, 2]), 422, problem).into_response();
        assert_eq!(content_types(&response), ["application/problem+json"]);
        assert_eq!(response.status_code, 422);
    }

    #[test]
    fn a_tuple_without_content_type_keeps_the_bodys() {
        let response = ("text", [("X-Note", "kept")]).into_response();
        assert_eq!(content_types(&response), ["text/html; charset=utf-8"]);
        assert_eq!(response.headers["x-note"], "kept");
        let response = (Json(7), 201).into_response();
        assert_eq!(content_types(&response), ["application/json"]);
        let response = (b"raw".to_vec(), 200, [("X-Note", "kept")]).into_response();
        assert_eq!(content_types(&response), ["application/octet-stream"]);
        // A body with no type of its own gets none.
        assert!(content_types(&((), 204).into_response()).is_empty());
    }

    #[test]
    fn a_refused_header_still_answers_500_whatever_the_body() {
        let response = (Json(1), [("X-Note", "a\nb")]).into_response();
        assert_eq!(response.status_code, 500);
    }
}
