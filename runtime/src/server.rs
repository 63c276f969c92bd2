//! Serving an [`App`] over TCP with hyper: HTTP/1.1 with keep-alive and HTTP/2, graceful
//! shutdown on Ctrl-C or SIGTERM.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::app::{App, ResponseFuture, Shared};
use crate::request::RequestBody;

/// How long a client may take to send its request headers (against slow-header attacks).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long requests in flight may take to finish once shutdown starts.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The hyper service for one connection.
#[derive(Clone)]
struct Service {
    shared: Arc<Shared>,
    peer: SocketAddr,
}

impl hyper::service::Service<http::Request<Incoming>> for Service {
    type Response = http::Response<crate::Body>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn call(&self, request: http::Request<Incoming>) -> ResponseFuture {
        self.shared
            .dispatch(request.map(RequestBody::Incoming), Some(self.peer))
    }
}

impl App {
    /// Serves on `HOST`:`PORT` (default 127.0.0.1:5000, Flask's) until Ctrl-C or SIGTERM, then
    /// finishes the requests in flight and returns. Run with the argument `routes`, it prints
    /// the route listing and returns. Exits the process with status 1 when the app
    /// cannot start (two handlers on one route, the address taken).
    ///
    /// ```no_run
    /// use carafe_runtime::App;
    ///
    /// App::new().run();
    /// ```
    pub fn run(self) {
        install_default_subscriber();
        // `cargo run --example NAME -- routes` lists the routes instead, like `flask routes`.
        if std::env::args().nth(1).as_deref() == Some("routes") {
            print!("{}", self.routes_table());
            return;
        }
        let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
        let port = std::env::var("PORT").unwrap_or_else(|_| "5000".to_owned());
        let result = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .and_then(|runtime| {
                runtime.block_on(async {
                    let listener = TcpListener::bind(format!("{host}:{port}")).await?;
                    println!(
                        " * Running on http://{} (Press CTRL+C to quit)",
                        listener.local_addr()?
                    );
                    self.serve(listener).await
                })
            });
        if let Err(error) = result {
            eprintln!("error: {error}");
            std::process::exit(1);
        }
    }

    /// Serves on a listener the caller bound, until Ctrl-C or SIGTERM.
    ///
    /// ```no_run
    /// # async fn demo() -> std::io::Result<()> {
    /// use carafe_runtime::App;
    ///
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// App::new().serve(listener).await
    /// # }
    /// ```
    pub async fn serve(self, listener: TcpListener) -> io::Result<()> {
        self.serve_with_shutdown(listener, shutdown_signal()).await
    }

    /// Serves on `listener` until `signal` completes, then stops accepting and gives requests
    /// in flight a grace period to finish.
    pub async fn serve_with_shutdown(
        self,
        listener: TcpListener,
        signal: impl Future<Output = ()>,
    ) -> io::Result<()> {
        let shared = self
            .into_shared()
            .map_err(|problem| io::Error::new(io::ErrorKind::InvalidInput, problem))?;

        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT);
        let graceful = GracefulShutdown::new();
        tokio::pin!(signal);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(accepted) => accepted,
                        Err(error) => {
                            accept_error(error).await;
                            continue;
                        }
                    };
                    let service = Service { shared: Arc::clone(&shared), peer };
                    serve_connection(&builder, &graceful, service, stream);
                }
                () = &mut signal => break,
            }
        }
        drop(listener);
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(SHUTDOWN_GRACE) => {
                tracing::warn!("requests still in flight after {SHUTDOWN_GRACE:?}: closing them");
            }
        }
        Ok(())
    }
}

fn serve_connection(
    builder: &auto::Builder<TokioExecutor>,
    graceful: &GracefulShutdown,
    service: Service,
    stream: tokio::net::TcpStream,
) {
    let peer = service.peer;
    // Small responses go out at once instead of waiting for Nagle's algorithm.
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%peer, "TCP_NODELAY: {error}");
    }
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    let connection = graceful.watch(connection.into_owned());
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%peer, "connection closed: {error}");
        }
    });
}

/// Accepting fails on a lack of file descriptors: wait instead of spinning.
async fn accept_error(error: io::Error) {
    tracing::error!("accepting a connection failed: {error}");
    tokio::time::sleep(Duration::from_millis(50)).await;
}

/// Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// Logs to stderr at `info` (or as `RUST_LOG` says) unless the program set up `tracing` itself.
fn install_default_subscriber() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // `try_init` fails only when a subscriber is already installed: then that one is used.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
