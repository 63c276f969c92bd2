//! Shutting down gracefully: the signals that start it, and the grace period in which the
//! connections finish what they began.

use std::future::Future;
use std::io;
use std::time::Duration;

use tokio::task::JoinSet;

/// Tells every connection that the server is closing (`close_all`), waits up to `grace` for
/// them to finish their requests in flight, then closes those still open.
pub(crate) async fn drain(mut connections: JoinSet<()>, close_all: impl FnOnce(), grace: Duration) {
    close_all();
    let all_closed = async { while connections.join_next().await.is_some() {} };
    tokio::select! {
        () = all_closed => {}
        () = tokio::time::sleep(grace) => {
            tracing::warn!("requests still in flight after {grace:?}: closing them");
        }
    }
    connections.shutdown().await;
}

/// Completes on Ctrl-C, or SIGTERM on Unix. The handlers are installed when this is called, not
/// when the future is first polled, so no signal slips through in between.
#[cfg(unix)]
pub(crate) fn shutdown_signal() -> io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};

    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Completes on Ctrl-C.
#[cfg(not(unix))]
pub(crate) fn shutdown_signal() -> io::Result<impl Future<Output = ()>> {
    Ok(async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    })
}
