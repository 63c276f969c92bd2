//! What a handler answers with a status, as `#[route]` reads it from the handler's body: the
//! media type each response of the OpenAPI document gets.

/// The kind of body a handler answers with, found by the macro where it writes a response.
///
/// ```
/// use carafe_core::media::Media;
///
/// assert_eq!(Media::Json.content_type(), Some("application/json"));
/// assert_eq!(Media::Redirect.content_type(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Media {
    /// `Json(..)`.
    Json,
    /// A string: `"Success"`, `format!(..)`, sent as HTML, as Flask sends strings.
    Text,
    /// carafe's error page (`abort`, `HttpError`): HTML, or JSON for clients that accept only
    /// JSON.
    ErrorPage,
    /// A redirect: no body worth describing.
    Redirect,
    /// A body the macro cannot see the kind of (a variable, a call).
    Unknown,
}

impl Media {
    /// The main content type of such a body, if it has one to describe.
    pub const fn content_type(self) -> Option<&'static str> {
        match self {
            Media::Json => Some("application/json"),
            Media::Text | Media::ErrorPage => Some("text/html"),
            Media::Redirect | Media::Unknown => None,
        }
    }
}
