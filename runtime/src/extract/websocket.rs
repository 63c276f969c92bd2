//! WebSockets (RFC 6455), over HTTP/1.1's `Upgrade` and HTTP/2's extended CONNECT (RFC 8441):
//! the handshake as an extractor, [`WebSocketUpgrade`], whose [`on_upgrade`] is the handler's
//! response, and the socket as tokio-tungstenite has it, sending and receiving its
//! [`Message`]s.
//!
//! A handler taking `WebSocketUpgrade` runs in the request's pipeline like any other: its
//! before hooks, the session, `G<T>`; cross-site protection refuses a handshake a page of
//! another origin started (a browser lets any page open a socket to any site, with the
//! user's cookies). The macro registers the route for GET and, for HTTP/2, CONNECT.
//!
//! [`on_upgrade`]: WebSocketUpgrade::on_upgrade

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode, Version};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

use tokio_tungstenite::tungstenite::error::ProtocolError;
pub use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
pub use tokio_tungstenite::tungstenite::protocol::CloseFrame;
pub use tokio_tungstenite::tungstenite::{Error as WebSocketError, Message};

use crate::extract::request::RequestContext;
use crate::extract::FromRequestParts;
use crate::response::error::HttpError;
use crate::response::{IntoResponse, Response};

/// Each socket's read buffer.
const READ_BUFFER_SIZE: usize = 4 * 1024;

const SEC_WEBSOCKET_KEY: HeaderName = HeaderName::from_static("sec-websocket-key");
const SEC_WEBSOCKET_VERSION: HeaderName = HeaderName::from_static("sec-websocket-version");
const SEC_WEBSOCKET_PROTOCOL: HeaderName = HeaderName::from_static("sec-websocket-protocol");
const SEC_WEBSOCKET_ACCEPT: HeaderName = HeaderName::from_static("sec-websocket-accept");

/// What the server puts in an HTTP/2 WebSocket's request to hold its stream in flight for as
/// long as the socket lives: the socket's task keeps it.
#[derive(Clone)]
pub(crate) struct StreamHeld {
    /// Never read: what it does, it does when the last holder drops it.
    _open: std::sync::Arc<dyn std::any::Any + Send + Sync>,
}

impl StreamHeld {
    pub(crate) fn new(open: std::sync::Arc<dyn std::any::Any + Send + Sync>) -> StreamHeld {
        StreamHeld { _open: open }
    }
}

/// A request to open a WebSocket, as a handler argument; its
/// [`on_upgrade`](WebSocketUpgrade::on_upgrade) is the answer that opens it. A request that
/// is no WebSocket handshake (a plain GET of the page) answers 426 Upgrade Required, with
/// `Upgrade: websocket`.
///
/// ```
/// use carafe_runtime::{Message, Response, WebSocketUpgrade};
///
/// // #[route("/echo")]
/// async fn echo(upgrade: WebSocketUpgrade) -> Response {
///     upgrade.on_upgrade(|mut socket| async move {
///         while let Some(Ok(message)) = socket.recv().await {
///             if message.is_text() || message.is_binary() {
///                 if socket.send(message).await.is_err() {
///                     break;
///                 }
///             }
///         }
///     })
/// }
/// ```
pub struct WebSocketUpgrade {
    on_upgrade: OnUpgrade,
    held: Option<StreamHeld>,
    /// HTTP/1.1's `Sec-WebSocket-Key`; HTTP/2's handshake has none.
    key: Option<HeaderValue>,
    version: Version,
    /// The subprotocols the client offered, in its order.
    offered: Vec<String>,
    protocol: Option<String>,
    config: WebSocketConfig,
}

impl FromRequestParts for WebSocketUpgrade {
    fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response> {
        let parts = ctx.parts();
        let headers = &parts.headers;
        let opening = if parts.version >= Version::HTTP_2 {
            parts.method == Method::CONNECT
                && parts
                    .extensions
                    .get::<hyper::ext::Protocol>()
                    .is_some_and(|protocol| protocol.as_str().eq_ignore_ascii_case("websocket"))
        } else {
            parts.method == Method::GET
                && has_token(headers, &header::CONNECTION, "upgrade")
                && has_token(headers, &header::UPGRADE, "websocket")
        };
        if !opening {
            return Err(upgrade_required(
                "This address is a WebSocket: open it with a WebSocket client.",
            ));
        }
        if headers
            .get(SEC_WEBSOCKET_VERSION)
            .map(HeaderValue::as_bytes)
            != Some(b"13")
        {
            return Err(upgrade_required(
                "The WebSocket handshake must say Sec-WebSocket-Version: 13.",
            ));
        }
        let key = headers.get(SEC_WEBSOCKET_KEY).cloned();
        if parts.version < Version::HTTP_2 && key.is_none() {
            return Err(HttpError::new(400)
                .with_message("The WebSocket handshake has no Sec-WebSocket-Key.")
                .into_response());
        }
        let Some(on_upgrade) = parts.extensions.get::<OnUpgrade>().cloned() else {
            // The test client, or a server that cannot hand the connection over.
            return Err(HttpError::new(400)
                .with_message("This connection cannot be turned into a WebSocket.")
                .into_response());
        };
        let offered = listed(headers, &SEC_WEBSOCKET_PROTOCOL)
            .filter(|protocol| !protocol.is_empty())
            .map(str::to_owned)
            .collect();
        let mut config = WebSocketConfig::default();
        // tungstenite's 128 KiB read buffer, allocated for every socket, is most of an idle
        // socket's memory; 4 KiB is its own advice for many sockets (bench/websockets.sh).
        config.read_buffer_size = READ_BUFFER_SIZE;
        config.max_message_size = Some(WebSocketUpgrade::DEFAULT_MAX_MESSAGE_SIZE);
        config.max_frame_size = Some(WebSocketUpgrade::DEFAULT_MAX_MESSAGE_SIZE);
        Ok(WebSocketUpgrade {
            on_upgrade,
            held: parts.extensions.get::<StreamHeld>().cloned(),
            key,
            version: parts.version,
            offered,
            protocol: None,
            config,
        })
    }
}

/// The items the `name` headers list, comma-separated, trimmed (`Connection: keep-alive,
/// Upgrade`; `Sec-WebSocket-Protocol: chat, superchat`).
fn listed<'a>(headers: &'a HeaderMap, name: &HeaderName) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
}

/// Whether one of the `name` headers lists `token` (case-insensitively).
fn has_token(headers: &HeaderMap, name: &HeaderName, token: &str) -> bool {
    listed(headers, name).any(|item| item.eq_ignore_ascii_case(token))
}

/// 426 Upgrade Required, saying which protocol to upgrade to (RFC 9110 §15.5.22).
fn upgrade_required(message: &'static str) -> Response {
    let mut response = HttpError::new(426).with_message(message).into_response();
    let headers = &mut response.headers;
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
    response
}

impl WebSocketUpgrade {
    /// The largest message a socket takes unless told otherwise, and the largest frame: 1 MiB.
    /// tungstenite's own default, 64 MiB, would let any client make the server hold that much
    /// per socket.
    pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 1 << 20;

    /// The subprotocols this route speaks, in its order of preference: the first the client
    /// also offered is chosen and sent back in `Sec-WebSocket-Protocol`; if it offered none
    /// of them, the socket opens with no subprotocol (see [`protocol`](Self::protocol)).
    pub fn protocols<I>(mut self, protocols: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.protocol = protocols.into_iter().find_map(|protocol| {
            let protocol = protocol.as_ref();
            self.offered
                .iter()
                .any(|offered| offered == protocol)
                .then(|| protocol.to_owned())
        });
        self
    }

    /// The subprotocol chosen, if any.
    pub fn protocol(&self) -> Option<&str> {
        self.protocol.as_deref()
    }

    /// The largest message the socket takes, in bytes (and the largest frame): past it, the
    /// socket closes with 1009 (message too big). [`Self::DEFAULT_MAX_MESSAGE_SIZE`] unless set.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.config.max_message_size = Some(bytes);
        self.config.max_frame_size = Some(bytes);
        self
    }

    /// The answer that opens the socket, then runs `handle` with it in a task of its own, as
    /// long as it needs. HTTP/1.1: 101 Switching Protocols; HTTP/2: 200 to the CONNECT.
    pub fn on_upgrade<F, Fut>(self, handle: F) -> Response
    where
        F: FnOnce(WebSocket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let WebSocketUpgrade {
            on_upgrade,
            held,
            key,
            version,
            protocol,
            config,
            ..
        } = self;
        let chosen = protocol.clone();
        tokio::spawn(async move {
            // Held until the socket ends.
            let _held = held;
            // The connection is handed over once the answer is sent; a client gone before
            // that leaves nothing to do.
            let Ok(upgraded) = on_upgrade.await else {
                return;
            };
            let stream = WebSocketStream::from_raw_socket(
                TokioIo::new(upgraded),
                Role::Server,
                Some(config),
            )
            .await;
            handle(WebSocket {
                stream,
                protocol: chosen,
                failed: false,
            })
            .await;
        });
        let mut response = Response::new(());
        let headers = &mut response.headers;
        if version >= Version::HTTP_2 {
            response.status_code = StatusCode::OK.as_u16();
        } else {
            response.status_code = StatusCode::SWITCHING_PROTOCOLS.as_u16();
            headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
            headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
            if let Some(key) = key {
                let accept =
                    tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
                headers.insert(
                    SEC_WEBSOCKET_ACCEPT,
                    HeaderValue::try_from(accept).expect("base64 is a valid header value"),
                );
            }
        }
        if let Some(protocol) = protocol {
            if let Ok(value) = HeaderValue::try_from(protocol) {
                response.headers.insert(SEC_WEBSOCKET_PROTOCOL, value);
            }
        }
        response
    }
}

/// An open WebSocket: [`recv`](Self::recv) the client's messages, [`send`](Self::send) yours.
/// Pings are answered by the socket itself; a close from the client is answered and ends
/// `recv`. It is also a `Stream` of messages and a `Sink` of them.
pub struct WebSocket {
    stream: WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>,
    protocol: Option<String>,
    /// Whether `recv` has given an error: the socket is over for the handler, and `recv`
    /// gives `None`, so that a loop `while let Some(..) = socket.recv().await` ends.
    failed: bool,
}

impl WebSocket {
    /// The next message, or `None` once the socket is closed. A message past the size limit,
    /// text that is not UTF-8 or a frame that breaks the protocol is an error, and the socket
    /// is closed with the code that says why (1009, 1007, 1002; RFC 6455 §7.4.1); after an
    /// error, `recv` gives `None`.
    pub async fn recv(&mut self) -> Option<Result<Message, WebSocketError>> {
        if self.failed {
            return None;
        }
        let received = self.stream.next().await;
        if let Some(Err(error)) = &received {
            self.failed = true;
            let code = match error {
                WebSocketError::Capacity(_) => Some(CloseCode::Size),
                WebSocketError::Utf8(_) => Some(CloseCode::Invalid),
                WebSocketError::Protocol(violation) => match violation {
                    ProtocolError::ResetWithoutClosingHandshake
                    | ProtocolError::SendAfterClosing
                    | ProtocolError::ReceivedAfterClosing => None,
                    _ => Some(CloseCode::Protocol),
                },
                _ => None,
            };
            if let Some(code) = code {
                // A close frame's reason has room for 123 bytes (RFC 6455 §5.5).
                let mut reason = error.to_string();
                while reason.len() > 123 {
                    reason.pop();
                }
                let _ = self
                    .stream
                    .close(Some(CloseFrame {
                        code,
                        reason: reason.into(),
                    }))
                    .await;
            }
        }
        received
    }

    /// Sends a message.
    pub async fn send(&mut self, message: Message) -> Result<(), WebSocketError> {
        self.stream.send(message).await
    }

    /// Closes the socket with a code and a reason, as the closing handshake says
    /// (RFC 6455 §7): the client's own close then ends `recv`.
    pub async fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), WebSocketError> {
        self.stream
            .close(Some(CloseFrame {
                code,
                reason: reason.to_owned().into(),
            }))
            .await
    }

    /// The subprotocol chosen at the handshake, if any.
    pub fn protocol(&self) -> Option<&str> {
        self.protocol.as_deref()
    }
}

impl Stream for WebSocket {
    type Item = Result<Message, WebSocketError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.poll_next_unpin(cx)
    }
}

impl Sink<Message> for WebSocket {
    type Error = WebSocketError;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.stream.poll_ready_unpin(cx)
    }

    fn start_send(mut self: Pin<&mut Self>, item: Message) -> Result<(), Self::Error> {
        self.stream.start_send_unpin(item)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.stream.poll_flush_unpin(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.stream.poll_close_unpin(cx)
    }
}
