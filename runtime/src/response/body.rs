//! The body type of responses (and of requests that come through tower layers): a whole buffer
//! of known length, sent in one frame, or any other body, boxed.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::BodyExt;

/// The error of a boxed body.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A response body: held in memory, or any other body boxed (a tower layer's, such as a
/// compressed one).
///
/// Handlers never name it: they return `&str`, `String`, bytes or [`Json`](crate::Json) and
/// carafe builds the body. A body in memory has an exact length, which lets hyper write
/// `Content-Length`.
///
/// ```
/// use carafe_runtime::Body;
///
/// let body = Body::from("Hello");
/// assert_eq!(body.as_bytes(), b"Hello");
/// ```
#[derive(Default)]
pub struct Body(Inner);

/// `Whole` holds the bytes until they are sent, then none: an empty `Bytes`, so that the enum
/// is no larger than `Bytes` itself (its vtable pointer is never null), as the body was before
/// it could be boxed.
enum Inner {
    Whole(Bytes),
    Boxed(UnsyncBoxBody<Bytes, BoxError>),
}

impl Default for Inner {
    fn default() -> Self {
        Inner::Whole(Bytes::new())
    }
}

impl Body {
    /// An empty body.
    pub const fn empty() -> Body {
        Body(Inner::Whole(Bytes::new()))
    }

    /// Any body, boxed: its frames are sent as they come.
    ///
    /// ```
    /// use carafe_runtime::Body;
    /// use http_body_util::Full;
    ///
    /// let body = Body::new(Full::new(bytes::Bytes::from_static(b"streamed")));
    /// assert!(body.as_bytes().is_empty(), "not held in memory");
    /// ```
    pub fn new<B>(body: B) -> Body
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        Body(Inner::Boxed(body.map_err(Into::into).boxed_unsync()))
    }

    /// The bytes of a body held in memory; empty for a boxed one, whose bytes are not read
    /// until it is sent.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Inner::Whole(bytes) => bytes,
            Inner::Boxed(_) => &[],
        }
    }

    /// The body held in memory, if it is: `None` for a boxed one.
    pub(crate) fn whole(&self) -> Option<&[u8]> {
        match &self.0 {
            Inner::Whole(bytes) => Some(bytes),
            Inner::Boxed(_) => None,
        }
    }

    /// Whether the body has no bytes: held in memory and empty.
    pub fn is_empty(&self) -> bool {
        matches!(&self.0, Inner::Whole(bytes) if bytes.is_empty())
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Inner::Whole(bytes) => f.debug_tuple("Body").field(bytes).finish(),
            Inner::Boxed(_) => f.write_str("Body(boxed)"),
        }
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Body {
        Body(Inner::Whole(bytes))
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Body {
        Body::from(Bytes::from_static(text.as_bytes()))
    }
}

impl From<String> for Body {
    fn from(text: String) -> Body {
        Body::from(Bytes::from(text))
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Body {
        Body::from(Bytes::from(bytes))
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match &mut self.0 {
            Inner::Whole(bytes) if bytes.is_empty() => Poll::Ready(None),
            Inner::Whole(bytes) => Poll::Ready(Some(Ok(Frame::data(std::mem::take(bytes))))),
            Inner::Boxed(body) => Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.0 {
            Inner::Whole(bytes) => bytes.is_empty(),
            Inner::Boxed(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.0 {
            Inner::Whole(bytes) => SizeHint::with_exact(bytes.len() as u64),
            Inner::Boxed(body) => body.size_hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body is moved with every response: boxing must not have made it larger.
    #[test]
    fn a_body_is_the_size_of_its_bytes() {
        assert_eq!(std::mem::size_of::<Body>(), std::mem::size_of::<Bytes>());
    }
}
