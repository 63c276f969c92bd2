//! Answers sent as they are produced: a stream of chunks (`Streaming`), or server-sent events
//! (`Sse`).

use std::fmt::Write;
use std::future::ready;

use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use http::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use http_body::Frame;
use http_body_util::StreamBody;

use crate::response::body::{Body, BoxError};
use crate::response::{IntoResponse, Response, TEXT_HTML};

/// A body sent chunk by chunk as the stream yields them, with chunked encoding over HTTP/1.1,
/// like a Flask view that returns a generator. The next chunk is asked for only once the client
/// has taken the last one (back-pressure). A stream that fails midway ends the answer there:
/// the client sees it cut short, never an error page after a 200. The content type is
/// `text/html; charset=utf-8`, as Flask's, unless the handler sets another.
///
/// ```
/// use carafe_runtime::{IntoResponse, Streaming};
/// use futures_util::stream;
///
/// let rows = stream::iter(["id,name\n", "1,apple\n"].map(Ok::<_, std::io::Error>));
/// let response = Streaming(rows).into_response();
/// assert_eq!(response.status_code, 200);
/// ```
pub struct Streaming<S>(pub S);

impl<S, T, E> IntoResponse for Streaming<S>
where
    S: Stream<Item = Result<T, E>> + Send + 'static,
    T: Into<Bytes> + 'static,
    E: Into<BoxError> + 'static,
{
    fn into_response(self) -> Response {
        let frames = self
            .0
            .map_ok(Into::<Bytes>::into)
            // An empty chunk would end a chunked answer on the wire: there is nothing to send.
            .try_filter(|chunk| ready(!chunk.is_empty()))
            .map_ok(Frame::data)
            .map_err(Into::into);
        let mut response = Response::with_body(Body::new(StreamBody::new(frames)));
        response.headers.insert(CONTENT_TYPE, TEXT_HTML);
        response
    }
}

/// Server-sent events: each [`Event`] of the stream is sent as it comes, as
/// `text/event-stream`, which browsers read with `EventSource`.
///
/// ```
/// use carafe_runtime::{Event, IntoResponse, Sse};
/// use futures_util::stream;
///
/// let ticks = stream::iter((1..=3).map(|n| Event::default().event("tick").data(n.to_string())));
/// let response = Sse(ticks).into_response();
/// assert_eq!(response.headers["content-type"], "text/event-stream");
/// ```
pub struct Sse<S>(pub S);

impl<S> IntoResponse for Sse<S>
where
    S: Stream<Item = Event> + Send + 'static,
{
    fn into_response(self) -> Response {
        let frames = self
            .0
            .filter(|event| ready(!event.text.is_empty()))
            .map(|event| Ok::<_, BoxError>(Frame::data(Bytes::from(event.text))));
        let mut response = Response::with_body(Body::new(StreamBody::new(frames)));
        response
            .headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        // Proxies and browsers must not hold events back.
        response
            .headers
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }
}

/// One server-sent event: its fields as the protocol writes them. Data may span lines (each is
/// sent as a `data:` line); an event name or id cannot, so line breaks in them are dropped
/// rather than let them start a field of their own.
///
/// ```
/// use carafe_runtime::Event;
///
/// let event = Event::default().event("greeting").id("7").data("hello\nworld");
/// assert_eq!(event.as_str(), "event: greeting\nid: 7\ndata: hello\ndata: world\n\n");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Event {
    /// The event as sent: its fields, then the blank line that ends it; empty for an event
    /// with no field, which is not sent.
    text: String,
    /// The lines of its data.
    data: Vec<String>,
    name: Option<String>,
    id: Option<String>,
}

impl Event {
    /// Sets the event's data; each of its lines becomes a `data:` line.
    pub fn data(mut self, data: impl AsRef<str>) -> Event {
        self.data = data.as_ref().lines().map(str::to_owned).collect();
        if self.data.is_empty() {
            self.data.push(String::new());
        }
        self.render()
    }

    /// Sets the event's name, which `EventSource.addEventListener` listens for.
    pub fn event(mut self, name: impl AsRef<str>) -> Event {
        self.name = Some(one_line(name.as_ref()));
        self.render()
    }

    /// Sets the event's id, which a reconnecting browser sends back as `Last-Event-ID`.
    pub fn id(mut self, id: impl AsRef<str>) -> Event {
        self.id = Some(one_line(id.as_ref()));
        self.render()
    }

    /// The event as sent.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn render(mut self) -> Event {
        let mut text = String::new();
        // Writing to a `String` cannot fail.
        if let Some(name) = &self.name {
            let _ = writeln!(text, "event: {name}");
        }
        if let Some(id) = &self.id {
            let _ = writeln!(text, "id: {id}");
        }
        for line in &self.data {
            let _ = writeln!(text, "data: {line}");
        }
        text.push('\n');
        self.text = text;
        self
    }
}

/// `text` without its line breaks.
fn one_line(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect()
}
