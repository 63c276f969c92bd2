//! Running an [`App`]: the address and the command line, the tokio runtime, and the accept
//! loop over its connections.

pub(crate) mod batch;
pub(crate) mod connection;
#[cfg(unix)]
pub(crate) mod dev;
pub(crate) mod listener;
pub(crate) mod shutdown;
pub(crate) mod watchdog;

use std::future::Future;
use std::io::{self, IsTerminal, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::app::health::Draining;
use crate::app::service::Served;
use crate::app::App;
use crate::serve::connection::{serve_connection, Protocols};
use crate::serve::listener::{bind, handed_over_listener, steer_new_connections_away};
use crate::serve::shutdown::shutdown_signal;
use crate::serve::watchdog::Watchdog;

impl App {
    /// Serves on `HOST`:`PORT` (default 127.0.0.1:5000, Flask's) until Ctrl-C or SIGTERM, then
    /// finishes the requests in flight and returns. Run with the argument `routes`, it prints
    /// the route listing and returns; with `openapi`, the OpenAPI document; with `dev`, it
    /// serves in debug mode and rebuilds and restarts the program when its sources change, on
    /// the same socket (`cargo run -- dev`, Unix). A listening socket handed over by systemd's
    /// convention (`LISTEN_FDS`, as `systemfd` does) is served instead of binding one. Exits
    /// the process with status 1 when the app cannot start (two handlers on one route, a
    /// `State<T>` with no `T`, the address taken).
    ///
    /// ```no_run
    /// use carafe_runtime::App;
    ///
    /// App::new().run();
    /// ```
    pub fn run(self) {
        install_default_subscriber();
        // `cargo run --example NAME -- routes` lists the routes instead, like `flask routes`.
        // A reader that stops early (`| head -1`) closes the pipe: that ends the output, it is
        // no error.
        match std::env::args().nth(1).as_deref() {
            Some("routes") => {
                let _ = write!(io::stdout().lock(), "{}", self.routes_table());
                return;
            }
            // `-- openapi` prints the OpenAPI document.
            Some("openapi") => {
                let document = serde_json::to_string_pretty(&self.openapi()).unwrap_or_default();
                let _ = writeln!(io::stdout().lock(), "{document}");
                return;
            }
            // `-- dev` serves in debug mode, rebuilding and restarting on a change, as
            // `flask run --debug` (see `dev.rs`): this process supervises, the app runs in
            // another.
            Some("dev") if std::env::var_os(DEV_CHILD).is_none() => {
                if let Err(error) = supervise() {
                    eprintln!("error: {error}");
                    std::process::exit(1);
                }
                return;
            }
            _ => {}
        }
        let dev_child = std::env::var_os(DEV_CHILD).is_some();
        let app = if dev_child { self.debug(true) } else { self };
        // An app that cannot start says so before it announces an address.
        let result = listen_address().and_then(|(host, port)| {
            let served = app.into_served().map_err(invalid_app)?;
            let config = &served.shared.data.config;
            let (blocking_threads, reuse_port) =
                (config.blocking_threads.max(1), config.reuse_port);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .max_blocking_threads(blocking_threads)
                .enable_all()
                .build()?;
            runtime.block_on(async {
                // Listening for the signals before announcing the address, so a signal sent
                // as soon as the server is up stops it gracefully rather than killing it.
                let shutdown = shutdown_signal()?;
                let listener = match handed_over_listener()? {
                    Some(listener) => listener,
                    None => bind(&host, port, reuse_port)
                        .await
                        .map_err(|error| bind_error(&host, port, error))?,
                };
                // Under `dev`, the supervisor has announced it.
                if !dev_child {
                    println!(
                        " * Running on http://{} (Press CTRL+C to quit)",
                        listener.local_addr()?
                    );
                }
                serve_served(served, listener, shutdown).await;
                Ok(())
            })
        });
        if let Err(error) = result {
            eprintln!("error: {error}");
            std::process::exit(1);
        }
    }

    /// Serves on a listener the caller bound, until Ctrl-C or SIGTERM. An app that cannot start
    /// (two handlers on one route, a `State<T>` with no `T`) returns an
    /// [`InvalidInput`](io::ErrorKind::InvalidInput) error naming every problem, before it
    /// accepts a connection.
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
        self.serve_with_shutdown(listener, shutdown_signal()?).await
    }

    /// Serves on `listener` until `signal` completes, then stops accepting and gives requests
    /// in flight the [grace period](App::shutdown_grace) to finish.
    ///
    /// ```no_run
    /// # async fn demo() -> std::io::Result<()> {
    /// use carafe_runtime::App;
    ///
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    /// let server = tokio::spawn(App::new().serve_with_shutdown(listener, async {
    ///     let _ = stopped.await;
    /// }));
    /// stop.send(()).unwrap();
    /// server.await.unwrap()
    /// # }
    /// ```
    pub async fn serve_with_shutdown(
        self,
        listener: TcpListener,
        signal: impl Future<Output = ()>,
    ) -> io::Result<()> {
        let served = self.into_served().map_err(invalid_app)?;
        serve_served(served, listener, signal).await;
        Ok(())
    }
}

/// Set in the environment of an app a `dev` supervisor runs.
const DEV_CHILD: &str = "CARAFE_DEV_CHILD";

/// Binds the address and supervises the app: `dev`.
#[cfg(unix)]
fn supervise() -> io::Result<()> {
    let (host, port) = listen_address()?;
    let listener = std::net::TcpListener::bind((host.as_str(), port))
        .map_err(|error| bind_error(&host, port, error))?;
    dev::supervise(listener, DEV_CHILD)
}

#[cfg(not(unix))]
fn supervise() -> io::Result<()> {
    Err(io::Error::other(
        "dev restarts the app on the same socket, which carafe does on Unix systems only",
    ))
}

/// The address `run` listens on: `HOST` (default 127.0.0.1) and `PORT` (default 5000, Flask's),
/// or the error that names the variable, its value and what it may be.
fn listen_address() -> io::Result<(String, u16)> {
    let host = match std::env::var("HOST") {
        Ok(host) if !host.trim().is_empty() => host.trim().to_owned(),
        _ => "127.0.0.1".to_owned(),
    };
    let port = match std::env::var("PORT") {
        Err(std::env::VarError::NotPresent) => 5000,
        Ok(text) => parse_port(&text)?,
        // Not text, so no number: told as every other value that is none.
        Err(std::env::VarError::NotUnicode(text)) => parse_port(&text.to_string_lossy())?,
    };
    Ok((host, port))
}

/// `PORT`'s value as a port, or the error that says what it may be.
fn parse_port(text: &str) -> io::Result<u16> {
    text.trim().parse().map_err(|_| {
        invalid_setting(format!(
            "PORT={text:?} is not a port number: set PORT to an integer in 0..=65535 \
             (0 picks a free port), or unset it for 5000"
        ))
    })
}

fn invalid_setting(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// Why the address could not be had, and what to do, as Flask says when its port is taken.
fn bind_error(host: &str, port: u16, error: io::Error) -> io::Error {
    let address = format!("{host}:{port}");
    let advice = match error.kind() {
        io::ErrorKind::AddrInUse => format!(
            "port {port} is in use by another program: stop that program, or set PORT to \
             another port (PORT={})",
            port.checked_add(1).unwrap_or(5000)
        ),
        io::ErrorKind::PermissionDenied => format!(
            "ports below 1024 need privileges: set PORT to 1024 or above (PORT=5000), or run \
             with the rights to bind port {port}"
        ),
        io::ErrorKind::AddrNotAvailable => format!(
            "{host} is not an address of this machine: set HOST to one of its addresses \
             (HOST=127.0.0.1, or HOST=0.0.0.0 for every interface)"
        ),
        _ if error.raw_os_error().is_none() || host.parse::<std::net::IpAddr>().is_err() => {
            format!(
                "HOST={host:?} is not an address or a name this machine resolves: set HOST to \
                 an address such as 127.0.0.1 or 0.0.0.0"
            )
        }
        _ => "check HOST and PORT".to_owned(),
    };
    io::Error::new(
        error.kind(),
        format!("cannot listen on {address}: {error}\n  {advice}"),
    )
}

/// The error for an app that cannot start, naming every problem.
fn invalid_app(problems: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, problems)
}

/// Serves an app that could start on `listener` until `signal` completes, then gives requests
/// in flight the grace period.
async fn serve_served(served: Served, listener: TcpListener, signal: impl Future<Output = ()>) {
    let config = served.shared.data.config.clone();
    let draining = served.shared.data.state::<Draining>();
    // An app drains after the signal when something may still send it connections: its
    // balancer, until its health checks see the 503, or the kernel, which shares a port
    // bound with `SO_REUSEPORT` between this instance and the next until this one steers
    // the new connections away. It serves on meanwhile, then closes its listener.
    let drains = draining.is_some() || config.reuse_port;
    let mut connections = Watchdog::new(config.header_read_timeout);
    let winding = connections.winding();
    let mut signal = Box::pin(async {
        signal.await;
        if !drains {
            return;
        }
        if let Some(draining) = &draining {
            draining.start();
        }
        // Each connection closes once it has answered, its last answer saying so, rather
        // than being closed idle at the end, when a request may be on its way.
        winding.drain();
        if config.reuse_port {
            steer_new_connections_away(&listener);
        }
        tracing::info!(
            "draining for {:?} before the listener closes",
            config.drain_delay
        );
        tokio::time::sleep(config.drain_delay).await;
    });
    let protocols = Arc::new(Protocols::new(served.shared.stages.websockets));
    let slots = Arc::new(Semaphore::new(config.max_connections));
    // A client accepted while every slot was taken, waiting for one. Only one is held: the
    // others wait in the listen backlog, with no descriptor of ours.
    let mut waiting: Option<(TcpStream, SocketAddr)> = None;
    let mut crowding_told: Option<Instant> = None;
    loop {
        let slot = tokio::select! {
            accepted = listener.accept(), if waiting.is_none() => {
                let accepted = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        accept_error(error).await;
                        continue;
                    }
                };
                match Arc::clone(&slots).try_acquire_owned() {
                    Ok(slot) => (accepted, slot),
                    Err(_) => {
                        connections.crowded();
                        log_crowding(&mut crowding_told, config.max_connections);
                        waiting = Some(accepted);
                        continue;
                    }
                }
            }
            // The semaphore is never closed, so acquiring fails never.
            Ok(slot) = Arc::clone(&slots).acquire_owned(), if waiting.is_some() => {
                connections.uncrowded();
                let Some(accepted) = waiting.take() else { continue };
                (accepted, slot)
            }
            // Forgets ended connections, so the set does not grow with every client, and closes
            // stalled ones.
            () = connections.tend() => continue,
            () = &mut signal => break,
        };
        let ((stream, peer), slot) = slot;
        let activity = connections.activity();
        let (served, connection_activity) = (served.clone(), Arc::clone(&activity));
        let protocols = Arc::clone(&protocols);
        connections.spawn(activity, peer, stream, |stream| {
            serve_connection(protocols, slot, served, peer, connection_activity, stream)
        });
    }
    drop(signal);
    drop(listener);
    drop(waiting);
    connections.close_all(config.shutdown_grace).await;
}

/// Warns that the server is full, at most once a minute: under a flood of connections every
/// accepted one finds it full again.
fn log_crowding(told: &mut Option<Instant>, max_connections: usize) {
    if told.is_none_or(|at| at.elapsed() >= Duration::from_secs(60)) {
        *told = Some(Instant::now());
        tracing::warn!(
            "{max_connections} connections open (App::max_connections): new clients wait, \
             and connections with no request in flight close"
        );
    }
}

/// Accepting fails on a lack of file descriptors: wait instead of spinning.
async fn accept_error(error: io::Error) {
    tracing::error!("accepting a connection failed: {error}");
    tokio::time::sleep(Duration::from_millis(50)).await;
}

/// Logs to stderr at `info` (or as `RUST_LOG` says) unless the program set up `tracing` itself.
fn install_default_subscriber() {
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::prelude::*;

    // `Targets` reads RUST_LOG's common forms (`debug`, `carafe=debug,info`) without the regex
    // engine `EnvFilter` would add to every app's build.
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|directives| directives.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    let output = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        // Colours only on a terminal: a log piped to a file or a collector stays plain text.
        .with_ansi(std::io::stderr().is_terminal());
    // `try_init` fails only when a subscriber is already installed: then that one is used.
    let _ = tracing_subscriber::registry()
        .with(output)
        .with(filter)
        .try_init();
}
