//! One connection: which protocol it speaks, its hyper connection, and what it tells the
//! watchdog (`watchdog.rs`) that closes it when the client stalls, when the server shuts
//! down, or when the server is full and the connection has no request in flight.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::ops::Deref;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::task::AtomicWaker;
use hyper::body::Incoming;
use hyper::server::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use pin_project_lite::pin_project;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;

use crate::app::dispatch::ResponseFuture;
use crate::app::service::Served;
use crate::extract::request::RequestBody;
use crate::serve::batch;

/// The hyper service for one connection, which reaches the connection's [`Activity`]
/// through `A`. `UPGRADES` only tells the types of upgradeable HTTP/1 connections apart:
/// sharing one type, plain and upgradeable connections would share one copy of hyper's
/// dispatcher, which then is not inlined into either (about 30 instructions a request).
#[derive(Clone)]
struct Service<A> {
    served: Served,
    peer: SocketAddr,
    activity: A,
}

impl<A: ActivityHandle> hyper::service::Service<http::Request<Incoming>> for Service<A> {
    type Response = http::Response<crate::Body>;
    type Error = Infallible;
    type Future = Tracked<ResponseFuture, A>;

    fn call(&self, request: http::Request<Incoming>) -> Self::Future {
        // hyper calls the service once a request's head is complete, on both protocols from
        // the connection's own task: the one writer of `heads`.
        add_one_alone(&self.activity.heads);
        #[cfg_attr(not(feature = "websockets"), allow(unused_mut))]
        let (mut parts, body) = request.into_parts();
        #[cfg(feature = "websockets")]
        self.activity.hold_stream(&mut parts);
        Tracked {
            future: self
                .served
                .call(parts, RequestBody::Incoming(body), Some(self.peer)),
            activity: self.activity.clone(),
        }
    }
}

/// A stream that outlives its answer (an HTTP/2 WebSocket), counted as a request in flight
/// until the last holder drops it.
#[cfg(feature = "websockets")]
struct OpenStream(Arc<Activity>);

#[cfg(feature = "websockets")]
impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0.finished.fetch_add(1, Ordering::Relaxed);
    }
}

/// How a response future reaches its connection's [`Activity`], to count itself finished.
///
/// An atomic read-modify-write (`fetch_add`, or cloning an `Arc`) costs a request about as
/// much as its routing; HTTP/1 needs none: hyper keeps its response future in the connection,
/// so the future may borrow the activity, and only the connection's task counts.
trait ActivityHandle: Deref<Target = Activity> + Clone + Unpin {
    /// Counts a request finished.
    fn count_finished(&self);

    /// For a request that may open a stream outliving its answer (HTTP/2's extended CONNECT,
    /// a WebSocket), one more request in flight until that stream ends, or the watchdog would
    /// take the connection for idle. HTTP/1's does nothing: a connection handed over is no
    /// longer the watchdog's.
    #[cfg(feature = "websockets")]
    fn hold_stream(&self, parts: &mut http::request::Parts);

    /// Whether an answer is to say `Connection: close`: over HTTP/1, while the server winds
    /// down, so that the client opens a new connection for its next request instead of
    /// sending it on one the server is about to close. Never over HTTP/2, where GOAWAY says
    /// it.
    fn says_close(&self) -> bool;
}

/// HTTP/1's: the future lives in the connection's task.
impl ActivityHandle for &Activity {
    fn count_finished(&self) {
        add_one_alone(&self.finished);
    }

    #[cfg(feature = "websockets")]
    fn hold_stream(&self, _: &mut http::request::Parts) {}

    fn says_close(&self) -> bool {
        self.winding.is_on()
    }
}

/// HTTP/2's: hyper runs each response future in a task of its own, on any thread.
impl ActivityHandle for Arc<Activity> {
    fn count_finished(&self) {
        self.finished.fetch_add(1, Ordering::Relaxed);
    }

    #[cfg(feature = "websockets")]
    fn hold_stream(&self, parts: &mut http::request::Parts) {
        if parts.method == http::Method::CONNECT {
            add_one_alone(&self.heads);
            let open = Arc::new(OpenStream(Arc::clone(self)));
            parts
                .extensions
                .insert(crate::extract::websocket::StreamHeld::new(open));
        }
    }

    fn says_close(&self) -> bool {
        false
    }
}

/// Adds one to a counter that only one task writes (others may read it): a load and a store,
/// with no atomic read-modify-write. Tokio hands a task from thread to thread with the
/// ordering that makes its last store visible to its next load.
fn add_one_alone(counter: &AtomicU64) {
    counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

/// What a connection's task shares with the watchdog: how far its requests have come and how
/// many are not yet answered, which the watchdog reads, and whether to close.
///
/// The header read timeout is kept by a watchdog that sweeps a few times a second, rather than
/// by hyper's own timer, which arms and disarms a tokio timer for every request: measured at
/// about 1,300 instructions a request, a seventh of the whole user-space cost.
pub(crate) struct Activity {
    /// Request heads received.
    heads: AtomicU64,
    /// Requests answered, or dropped unanswered. Their difference from `heads` is the
    /// requests in flight, and a change in either means the connection moves: counting the
    /// finished ones keeps the client its whole timeout to send its next request after a long
    /// answer, whenever in the watchdog's period that answer ended.
    finished: AtomicU64,
    /// Bytes the socket has taken. hyper counts an answer finished once its handler has
    /// answered, but a large one may take a slow reader far longer to receive.
    sent: AtomicU64,
    /// Set at shutdown: the connection answers what it has begun, then closes.
    closing: AtomicBool,
    /// The connection's task, to wake when `closing` is set.
    connection_task: AtomicWaker,
    /// Whether the server winds its connections down (a client waits for a free slot, or the
    /// server drains): then each request, as it finishes, closes its connection if nothing
    /// else is in flight, and an HTTP/1 answer says `Connection: close`.
    winding: Arc<Winding>,
}

/// Why the server winds its connections down, read by every request as it finishes: one load.
#[derive(Default)]
pub(crate) struct Winding(AtomicU8);

/// A client waits for a free slot.
const CROWDED: u8 = 1;
/// The server was told to stop and drains before it closes its listener.
const DRAINING: u8 = 2;

impl Winding {
    /// Whether a client waits for a slot, as the accept loop says.
    pub(crate) fn set_crowded(&self, crowded: bool) {
        match crowded {
            true => self.0.fetch_or(CROWDED, Ordering::Relaxed),
            false => self.0.fetch_and(!CROWDED, Ordering::Relaxed),
        };
    }

    /// The server drains: from now on every connection closes once it has answered.
    pub(crate) fn drain(&self) {
        self.0.fetch_or(DRAINING, Ordering::Relaxed);
    }

    fn is_on(&self) -> bool {
        self.0.load(Ordering::Relaxed) != 0
    }
}

/// A connection's progress as the watchdog sees it at one sweep.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Counts {
    heads: u64,
    finished: u64,
    sent: u64,
}

impl Counts {
    /// Whether no request was in flight.
    pub(crate) fn idle(&self) -> bool {
        self.heads == self.finished
    }
}

impl batch::Progress for Activity {
    fn sent(&self, bytes: usize) {
        self.sent.fetch_add(bytes as u64, Ordering::Relaxed);
    }
}

impl Activity {
    pub(crate) fn new(winding: Arc<Winding>) -> Activity {
        Activity {
            heads: AtomicU64::new(0),
            finished: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            closing: AtomicBool::new(false),
            connection_task: AtomicWaker::new(),
            winding,
        }
    }

    /// Request heads received so far.
    pub(crate) fn heads(&self) -> u64 {
        self.heads.load(Ordering::Relaxed)
    }

    /// Whether no request is in flight. A client in the middle of sending a head counts as
    /// idle: hyper has not yet handed its request over.
    pub(crate) fn idle(&self) -> bool {
        self.heads.load(Ordering::Relaxed) == self.finished.load(Ordering::Relaxed)
    }

    /// Asks the connection to close once its requests in flight are answered.
    pub(crate) fn close(&self) {
        self.closing.store(true, Ordering::Release);
        self.connection_task.wake();
    }

    /// The progress so far.
    pub(crate) fn counts(&self) -> Counts {
        Counts {
            heads: self.heads.load(Ordering::Relaxed),
            finished: self.finished.load(Ordering::Relaxed),
            sent: self.sent.load(Ordering::Relaxed),
        }
    }
}

pin_project! {
    /// A response future that counts as in flight until it completes or is dropped.
    struct Tracked<F, A>
    where
        A: ActivityHandle,
    {
        #[pin]
        future: F,
        activity: A,
    }

    impl<F, A> PinnedDrop for Tracked<F, A>
    where
        A: ActivityHandle,
    {
        fn drop(this: Pin<&mut Self>) {
            let activity = this.project().activity;
            activity.count_finished();
            // A crowded server frees this connection's slot as soon as it has nothing in
            // flight; a draining one leaves no idle connection to close at the end.
            if activity.winding.is_on() && activity.idle() {
                activity.close();
            }
        }
    }
}

impl<F, A> Future for Tracked<F, A>
where
    F: Future<Output = Result<http::Response<crate::Body>, Infallible>>,
    A: ActivityHandle,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        // Tested before the poll, so that the answer of every other request goes from the
        // future straight to hyper: kept aside to be marked, it cost a copy of the response.
        if this.activity.says_close() {
            return said_close(this.future.poll(cx));
        }
        this.future.poll(cx)
    }
}

/// The answer, if it is ready, with `Connection: close`.
#[cold]
fn said_close(
    mut answered: Poll<Result<http::Response<crate::Body>, Infallible>>,
) -> Poll<Result<http::Response<crate::Body>, Infallible>> {
    if let Poll::Ready(Ok(response)) = &mut answered {
        let close = http::HeaderValue::from_static("close");
        response
            .headers_mut()
            .insert(http::header::CONNECTION, close);
    }
    answered
}

/// A hyper connection that shuts down gracefully when its [`Activity`] is closed.
///
/// hyper-util's `GracefulShutdown` does the same through a channel every connection polls each
/// time it wakes, about 150 instructions a request; here each poll registers the task's waker
/// and reads one flag, and the signal itself comes from the watchdog, which wakes it.
struct Closable<'c, C> {
    connection: Pin<&'c mut C>,
    activity: Arc<Activity>,
    closing: bool,
}

impl<'c, C> Closable<'c, C> {
    fn new(connection: Pin<&'c mut C>, activity: Arc<Activity>) -> Self {
        Closable {
            connection,
            activity,
            closing: false,
        }
    }
}

/// A hyper connection that can be told to finish its requests and close: hyper-util's
/// `GracefulConnection`, which HTTP/1's connection with upgrades lacks.
trait Drain: Future {
    fn graceful_shutdown(self: Pin<&mut Self>);
}

/// `Drain` for HTTP/1's two connections, plain and upgradeable, through their own method.
macro_rules! drain_http1 {
    ($($connection:ident),*) => {
        $(
            impl<I, B, S> Drain for http1::$connection<I, S>
            where
                S: hyper::service::HttpService<Incoming, ResBody = B>,
                S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
                I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
                B: hyper::body::Body + 'static,
                B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
            {
                fn graceful_shutdown(self: Pin<&mut Self>) {
                    http1::$connection::graceful_shutdown(self);
                }
            }
        )*
    };
}

drain_http1!(Connection, UpgradeableConnection);

impl<I, B, S, E> Drain for http2::Connection<I, S, E>
where
    S: hyper::service::HttpService<Incoming, ResBody = B>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    I: hyper::rt::Read + hyper::rt::Write + Unpin + 'static,
    B: hyper::body::Body + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    E: hyper::rt::bounds::Http2ServerConnExec<S::Future, B>,
{
    fn graceful_shutdown(self: Pin<&mut Self>) {
        http2::Connection::graceful_shutdown(self);
    }
}

impl<C: Drain> Future for Closable<'_, C> {
    type Output = C::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<C::Output> {
        if !self.closing {
            self.activity.connection_task.register(cx.waker());
            if self.activity.closing.load(Ordering::Acquire) {
                self.closing = true;
                self.connection.as_mut().graceful_shutdown();
            }
        }
        self.connection.as_mut().poll(cx)
    }
}

/// The two protocols a connection may speak, with hyper's defaults but for HTTP/1's writes,
/// and whether a connection may be handed over to a WebSocket.
pub(crate) struct Protocols {
    http1: http1::Builder,
    http2: http2::Builder<TokioExecutor>,
    /// The app mounts a WebSocket route. Only then are HTTP/1 connections served with
    /// upgrades and HTTP/2 ones with RFC 8441's extended CONNECT: hyper's upgradeable HTTP/1
    /// connection costs every request a few instructions, which an app without WebSockets
    /// should not pay.
    websockets: bool,
}

impl Protocols {
    /// The protocols for an app that mounts WebSocket routes or not.
    pub(crate) fn new(websockets: bool) -> Self {
        let mut http1 = http1::Builder::new();
        // The batched I/O copies every write into one buffer anyway: hyper's queue of head
        // and body buffers for vectored writes would only be overhead on top (about 500
        // instructions a request, callgrind).
        http1.writev(false);
        let mut http2 = http2::Builder::new(TokioExecutor::new());
        if websockets {
            // The extended CONNECT with which HTTP/2 clients open WebSockets.
            http2.enable_connect_protocol();
        }
        Protocols {
            http1,
            http2,
            websockets,
        }
    }
}

/// What an HTTP/2 client with prior knowledge sends first; an HTTP/1 request never starts so.
const HTTP2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Reads the connection's first bytes, up to the length of the HTTP/2 preface: the bytes, and
/// whether they are that preface. Stops early at the first byte that rules it out.
///
/// The protocol is chosen once here, so hyper's HTTP/1 and HTTP/2 connections run on the
/// socket directly; hyper-util's `auto` connection chooses the same way but then re-reads
/// through a rewinding wrapper for the whole connection, about 200 instructions a request.
async fn read_opening(stream: &mut TcpStream) -> io::Result<(Vec<u8>, bool)> {
    let mut opening = Vec::with_capacity(HTTP2_PREFACE.len());
    while opening.len() < HTTP2_PREFACE.len() {
        if stream.read_buf(&mut opening).await? == 0 || !HTTP2_PREFACE.starts_with(&opening) {
            return Ok((opening, false));
        }
    }
    Ok((opening, true))
}

/// Serves one connection until it ends or is told to close. `_slot`, the connection's share of
/// the server's connection limit, is held until then; the watchdog (`watchdog.rs`) aborts
/// the task when the client stalls.
pub(crate) async fn serve_connection(
    protocols: Arc<Protocols>,
    _slot: OwnedSemaphorePermit,
    served: Served,
    peer: SocketAddr,
    activity: Arc<Activity>,
    mut stream: TcpStream,
) {
    // Small responses go out at once instead of waiting for Nagle's algorithm.
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%peer, "TCP_NODELAY: {error}");
    }
    let closable = Arc::clone(&activity);
    let progress: Arc<dyn batch::Progress> = Arc::clone(&activity) as _;
    let served = async {
        let (opening, http2) = read_opening(&mut stream).await?;
        let (io, outgoing) = batch::split(stream, opening, progress);
        let io = TokioIo::new(io);
        if http2 {
            // Boxed: held inline, an HTTP/2 connection's state would size the task of every
            // connection, HTTP/1 ones included (BENCHMARKS.md, "Many connections").
            let service = Service {
                served,
                peer,
                activity: Arc::clone(&activity),
            };
            let mut connection = Box::pin(protocols.http2.serve_connection(io, service));
            outgoing
                .sent_after_each_poll(Closable::new(connection.as_mut(), closable))
                .await
        } else {
            let service = Service {
                served,
                peer,
                activity: &*activity,
            };
            let connection = protocols.http1.serve_connection(io, service);
            if protocols.websockets {
                // With upgrades: a WebSocket's handshake hands the connection over.
                let connection = pin!(connection.with_upgrades());
                outgoing
                    .sent_after_each_poll(Closable::new(connection, closable))
                    .await
            } else {
                let connection = pin!(connection);
                outgoing
                    .sent_after_each_poll(Closable::new(connection, closable))
                    .await
            }
        }
    };
    if let Err(error) = served.await {
        tracing::debug!(%peer, "connection closed: {error}");
    }
}
