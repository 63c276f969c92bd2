//! JSON in both directions: `Json<T>` as a response body, and the parsing of a JSON body
//! (its extractor is `extract`'s).

use std::ops::{Deref, DerefMut};

use http::header::CONTENT_TYPE;
use http::HeaderValue;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::response::body::Body;
use crate::response::error::HttpError;
use crate::response::route_doc::Operation;
use crate::response::{IntoResponse, Response};

const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// JSON, like Flask's `jsonify` when returned and `request.get_json()` when taken.
///
/// As a response it serializes `T` with `Content-Type: application/json`. As an argument it
/// answers 415 unless the request says `application/json` (or `…+json`), and 400 with the
/// parser's message when the body is not valid JSON for `T`.
///
/// ```
/// use carafe_runtime::{IntoResponse, Json};
/// use serde_json::json;
///
/// let response = (Json(json!({ "item": "apple" })), 200).into_response();
/// assert_eq!(response.headers["content-type"], "application/json");
/// assert_eq!(response.body().as_bytes(), br#"{"item":"apple"}"#);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T> Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    /// A JSON body of `T`'s schema.
    fn describe_response(operation: &mut Operation<'_>) {
        if let Some(schema) = operation.type_argument_schema(0) {
            operation.returns_json(schema);
        }
    }

    fn into_response(self) -> Response {
        let (mut response, content_type) = self.into_response_and_default_type();
        if let Some(content_type) = content_type {
            response.headers.insert(CONTENT_TYPE, content_type);
        }
        response
    }

    fn into_response_and_default_type(self) -> (Response, Option<HeaderValue>) {
        // A Vec is the writer serde_json is fastest with (measured against BytesMut's writer);
        // 128 bytes holds most small payloads without regrowing.
        let mut buffer = Vec::with_capacity(128);
        match serde_json::to_writer(&mut buffer, &self.0) {
            Ok(()) => (
                Response::with_body(Body::from(buffer)),
                Some(APPLICATION_JSON),
            ),
            Err(error) => (
                HttpError::misconfigured(format!(
                    "the response could not be serialized as JSON: {error}"
                ))
                .into_response(),
                None,
            ),
        }
    }
}

/// Parses a JSON body; a 400 error with the parser's message when it is not valid for `T`.
pub(crate) fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, HttpError> {
    serde_json::from_slice(body).map_err(|error| {
        HttpError::new(400).with_message(format!("Failed to decode JSON object: {error}."))
    })
}
