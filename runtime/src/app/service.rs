//! The app as a tower service: the stack `App::layer` builds around the app's dispatch, what
//! connections and the test client call, and what `App::into_service` gives other servers.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::StatusCode;
use pin_project_lite::pin_project;
use tower::util::BoxCloneSyncService;
use tower::{Layer, Service, ServiceExt};

use crate::app::dispatch::{ResponseFuture, Shared};
use crate::extract::request::RequestBody;
use crate::response::body::{Body, BoxError};
use crate::response::error::HttpError;
use crate::response::error_page::default_page;

/// The app's service with the layers added so far, boxed: what the next layer wraps.
pub type LayeredService =
    BoxCloneSyncService<http::Request<Body>, http::Response<Body>, Infallible>;

/// A layer, kept until the app is built: it wraps the service built so far.
pub(crate) type Wrap = Box<dyn FnOnce(LayeredService) -> LayeredService + Send>;

/// The wrapping for `layer`: its service's errors answer 500 (logged), its bodies are boxed.
pub(crate) fn wrap<L, ResBody>(layer: L) -> Wrap
where
    L: Layer<LayeredService> + Send + 'static,
    L::Service: Service<http::Request<Body>, Response = http::Response<ResBody>>
        + Clone
        + Send
        + Sync
        + 'static,
    <L::Service as Service<http::Request<Body>>>::Future: Send + 'static,
    <L::Service as Service<http::Request<Body>>>::Error: Into<BoxError>,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    Box::new(move |inner| BoxCloneSyncService::new(Boxing(layer.layer(inner))))
}

/// A layer's service, its bodies boxed and its errors answered: the shape the next layer
/// takes.
#[derive(Clone)]
struct Boxing<S>(S);

impl<S, ResBody> Service<http::Request<Body>> for Boxing<S>
where
    S: Service<http::Request<Body>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<http::Response<Body>, Infallible>>;

    /// Always ready: each call waits for a clone of the layer's service to be ready, so that
    /// an error there answers that request rather than failing the connection.
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let service = self.0.clone();
        Box::pin(async move {
            Ok(match service.oneshot(request).await {
                Ok(response) => response.map(Body::new),
                Err(error) => layer_failure(error.into()),
            })
        })
    }
}

/// Where a request came from, carried through the layers for the access log.
#[derive(Clone, Copy)]
struct Peer(SocketAddr);

/// The innermost service: the app's own dispatch.
#[derive(Clone)]
struct Dispatch(Arc<Shared>);

impl Service<http::Request<Body>> for Dispatch {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> ResponseFuture {
        let peer = request.extensions().get::<Peer>().map(|peer| peer.0);
        let (parts, body) = request.into_parts();
        self.0
            .dispatch(self.0.context(parts, RequestBody::Body(body), peer))
    }
}

/// The app as connections and the test client call it: its dispatch, or the stack of its
/// layers around it.
#[derive(Clone)]
pub(crate) struct Served {
    pub(crate) shared: Arc<Shared>,
    layered: Option<LayeredService>,
}

impl Served {
    /// The app with `layers` around it, the first added innermost.
    pub(crate) fn new(shared: Arc<Shared>, layers: Vec<Wrap>) -> Served {
        let layered = (!layers.is_empty()).then(|| {
            let dispatch = BoxCloneSyncService::new(Dispatch(Arc::clone(&shared)));
            layers
                .into_iter()
                .fold(dispatch, |service, wrap| wrap(service))
        });
        Served { shared, layered }
    }

    /// Answers the request of `parts` and `body`, through the layers if there are any. Taken
    /// apart, as hyper's request is taken apart once: each move of a request's head is a copy
    /// of over 200 bytes.
    pub(crate) fn call(
        &self,
        mut parts: http::request::Parts,
        body: RequestBody,
        peer: Option<SocketAddr>,
    ) -> ResponseFuture {
        let Some(layered) = &self.layered else {
            return self.shared.dispatch(self.shared.context(parts, body, peer));
        };
        if let Some(peer) = peer {
            parts.extensions.insert(Peer(peer));
        }
        let request = http::Request::from_parts(parts, body.into_body());
        ResponseFuture::boxed(layered.clone().oneshot(request))
    }
}

/// The app as a [`tower::Service`], for another server to run: hyper-util's, or axum's
/// `nest_service`. It takes requests with any body of `Bytes` and answers as the app does,
/// through its layers. Built with [`App::into_service`](crate::App::into_service).
///
/// ```
/// use carafe_runtime::App;
/// use tower::ServiceExt;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let service = App::new().into_service();
/// let request = http::Request::get("/").header("host", "localhost")
///     .body(http_body_util::Empty::<bytes::Bytes>::new()).unwrap();
/// let response = service.oneshot(request).await.unwrap();
/// assert_eq!(response.status(), 404);
/// # });
/// ```
#[derive(Clone)]
pub struct AppService(pub(crate) Served);

impl<B> Service<http::Request<B>> for AppService
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = AppFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> AppFuture {
        let (parts, body) = request.into_parts();
        AppFuture {
            answer: self.0.call(parts, RequestBody::Body(Body::new(body)), None),
        }
    }
}

pin_project! {
    /// The answer of an [`AppService`] to come.
    pub struct AppFuture {
        #[pin]
        answer: ResponseFuture,
    }
}

impl Future for AppFuture {
    type Output = Result<http::Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().answer.poll(cx)
    }
}

/// What a request answers when a layer fails (an error, not a response): a plain 500,
/// logged.
fn layer_failure(error: BoxError) -> http::Response<Body> {
    tracing::error!("a layer failed: {error}");
    let (status, headers, body) = default_page(&HttpError::new(500), false, None).take_parts();
    let mut response = http::Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    *response.headers_mut() = headers;
    response
}
