//! The open connections, watched over from the accept loop: closing those whose client stalls,
//! and telling them all when the server is crowded or shuts down.
//!
//! A sweep a few times a second looks at every connection's counts, rather than a timer and a
//! watching task per connection: an idle connection costs its own task and little else
//! (BENCHMARKS.md, "Many connections"). A connection is closed when its counts have not moved
//! for the whole header read timeout, at most one sweep after the timeout ends (two, after an
//! answer, whose end a sweep sees late by up to one period).

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::task::{AbortHandle, Id, JoinSet};
use tokio::time::{Instant, Interval, MissedTickBehavior};

use crate::serve::connection::{Activity, Counts, Winding};

/// Every open connection's task, and what the sweeps know of it.
pub(crate) struct Watchdog {
    /// The connections' tasks. Owned here, so those still open at the end of shutdown's grace
    /// period are closed when serving returns, not left running behind the caller's back.
    tasks: JoinSet<()>,
    /// The open connections, by their task.
    watched: HashMap<Id, Watched>,
    /// Whether connections wind down (a client waits for a slot, or the server drains), read
    /// by every request as it finishes.
    winding: Arc<Winding>,
    /// The header read timeout.
    timeout: Duration,
    sweeps: Interval,
}

/// The longest time between two sweeps: a connection is closed at most two of them after its
/// timeout, well within a second.
const LONGEST_SWEEP_PERIOD: Duration = Duration::from_millis(250);

/// The time between sweeps for `timeout`: an eighth of it, so a short timeout is kept as
/// closely, but not under 10 ms, nor over [`LONGEST_SWEEP_PERIOD`].
fn sweep_period(timeout: Duration) -> Duration {
    (timeout / 8).clamp(Duration::from_millis(10), LONGEST_SWEEP_PERIOD)
}

/// One open connection, as the sweeps see it.
struct Watched {
    activity: Arc<Activity>,
    task: AbortHandle,
    peer: SocketAddr,
    socket: Socket,
    /// Its counts when they last moved.
    seen: Counts,
    /// When its counts were first seen as they are: its acceptance, or the sweep that saw them
    /// move.
    since: Instant,
    /// The bytes its client had not acknowledged when last asked (see [`Socket::unread_bytes`]).
    unread: Option<u64>,
}

impl Watchdog {
    /// Watches connections that must send a request head within `timeout`.
    pub(crate) fn new(timeout: Duration) -> Watchdog {
        let period = sweep_period(timeout);
        let mut sweeps = tokio::time::interval_at(Instant::now() + period, period);
        // A late sweep comes a whole period after the one before, never in a burst.
        sweeps.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Watchdog {
            tasks: JoinSet::new(),
            watched: HashMap::new(),
            winding: Arc::default(),
            timeout,
            sweeps,
        }
    }

    /// The state a new connection shares with its watchdog.
    pub(crate) fn activity(&self) -> Arc<Activity> {
        Arc::new(Activity::new(Arc::clone(&self.winding)))
    }

    /// Serves `stream` in a task of its own with `serve`, whose progress `activity` counts,
    /// under watch.
    pub(crate) fn spawn<F>(
        &mut self,
        activity: Arc<Activity>,
        peer: SocketAddr,
        stream: TcpStream,
        serve: impl FnOnce(TcpStream) -> F,
    ) where
        F: Future<Output = ()> + Send + 'static,
    {
        let socket = Socket::of(&stream);
        let task = self.tasks.spawn(serve(stream));
        self.watched.insert(
            task.id(),
            Watched {
                activity,
                task,
                peer,
                socket,
                seen: Counts::default(),
                since: Instant::now(),
                unread: socket.unread_bytes(),
            },
        );
    }

    /// Forgets the connections that have ended and closes those that stalled. Completes after
    /// one of either: call it again, in a loop; it loses nothing when dropped unfinished.
    pub(crate) async fn tend(&mut self) {
        tokio::select! {
            Some(ended) = self.tasks.join_next_with_id() => {
                let id = match ended {
                    Ok((id, ())) => id,
                    Err(error) => error.id(),
                };
                self.watched.remove(&id);
            }
            _ = self.sweeps.tick() => self.sweep(),
        }
    }

    /// Closes every connection that has made no progress for the header read timeout and has
    /// no request in flight: a client slow to send its head, idle, or reading nothing.
    fn sweep(&mut self) {
        let timeout = self.timeout;
        let now = Instant::now();
        for watched in self.watched.values_mut() {
            let counts = watched.activity.counts();
            if counts != watched.seen {
                watched.seen = counts;
                watched.since = now;
                continue;
            }
            if !counts.idle() || now.duration_since(watched.since) < timeout {
                continue;
            }
            // Still, a client may be reading an answer the socket took whole. Asked only now,
            // once a timeout: most connections never get here, and a system call each sweep
            // for each would cost a crowded server.
            let unread = watched.socket.unread_bytes();
            if unread != watched.unread {
                watched.unread = unread;
                watched.since = now;
                continue;
            }
            tracing::debug!(peer = %watched.peer, "no request head within {timeout:?}: closing");
            watched.task.abort();
        }
        // A map never gives back the room a burst of connections took: once most of it stands
        // empty, keep twice what is open.
        if self.watched.capacity() > 4 * self.watched.len().max(64) {
            self.watched.shrink_to(2 * self.watched.len());
        }
    }

    /// A client waits for a slot: every idle connection closes, the others once their
    /// requests are answered.
    pub(crate) fn crowded(&self) {
        self.winding.set_crowded(true);
        for watched in self.watched.values() {
            if watched.activity.idle() {
                watched.close();
            }
        }
    }

    /// The waiting client has its slot: connections stay open once idle.
    pub(crate) fn uncrowded(&self) {
        self.winding.set_crowded(false);
    }

    /// What the server tells every connection as it drains (see [`Winding::drain`]).
    pub(crate) fn winding(&self) -> Arc<Winding> {
        Arc::clone(&self.winding)
    }

    /// Asks every connection to answer what it has begun, then close; gives them `grace` to,
    /// and closes those still open after it.
    pub(crate) async fn close_all(mut self, grace: Duration) {
        // Every answer from now on closes its connection, and says so.
        self.winding.drain();
        for watched in self.watched.values() {
            if watched.activity.heads() == 0 && watched.socket.has_bytes_to_read() {
                // Accepted, its first request on its way but not yet read: answered, then
                // closed like the others, rather than cut off with no answer.
                continue;
            }
            watched.close();
        }
        let all_closed = async { while self.tasks.join_next().await.is_some() {} };
        tokio::select! {
            () = all_closed => {}
            () = tokio::time::sleep(grace) => {
                tracing::warn!("requests still in flight after {grace:?}: closing them");
            }
        }
        self.tasks.shutdown().await;
    }
}

impl Watched {
    /// Asks the connection to close once its requests in flight are answered. One that never
    /// sent a whole request head may still be choosing its protocol, before hyper could close
    /// it: it has nothing to finish, and closes now.
    fn close(&self) {
        if self.activity.heads() == 0 {
            tracing::debug!(peer = %self.peer, "closing a connection that sent no request");
            self.task.abort();
        } else {
            self.activity.close();
        }
    }
}

/// What the watchdog asks the system about a connection's socket.
#[derive(Clone, Copy)]
struct Socket {
    #[cfg(target_os = "linux")]
    fd: std::os::fd::RawFd,
}

impl Socket {
    fn of(stream: &TcpStream) -> Socket {
        Socket {
            #[cfg(target_os = "linux")]
            fd: std::os::fd::AsRawFd::as_raw_fd(stream),
        }
    }

    /// How many bytes sent on the socket its peer has not yet acknowledged, when the system
    /// tells: Linux's `SIOCOUTQ`.
    ///
    /// The bytes the socket takes alone would not tell that a client reads: the kernel holds
    /// megabytes for a slow reader, and takes more only once a third of that is read, which at
    /// a slow but steady pace can be longer than the timeout.
    #[cfg(target_os = "linux")]
    fn unread_bytes(self) -> Option<u64> {
        // SIOCOUTQ is `TIOCOUTQ` in libc.
        self.count(libc::TIOCOUTQ)
    }

    /// Whether the client has sent bytes that the connection has not read yet (Linux's
    /// `FIONREAD`); elsewhere, never.
    fn has_bytes_to_read(self) -> bool {
        #[cfg(target_os = "linux")]
        {
            self.count(libc::FIONREAD)
                .is_some_and(|waiting| waiting > 0)
        }
        #[cfg(not(target_os = "linux"))]
        {
            false
        }
    }

    /// The byte count a socket `ioctl` such as `FIONREAD` or `SIOCOUTQ` gives, if it succeeds.
    #[cfg(target_os = "linux")]
    fn count(self, request: libc::Ioctl) -> Option<u64> {
        let mut count: libc::c_int = 0;
        // SAFETY: these requests write one `c_int` through the pointer, which points at one.
        // A connection that has ended but is not yet forgotten may have closed its
        // descriptor, or it may be reused: the call then fails or measures another socket,
        // and at worst the watchdog misjudges a task that has ended, which does nothing.
        let result = unsafe { libc::ioctl(self.fd, request, &mut count) };
        (result == 0).then(|| u64::try_from(count).unwrap_or_default())
    }

    /// Elsewhere, only the bytes the socket takes tell that a client reads.
    #[cfg(not(target_os = "linux"))]
    fn unread_bytes(self) -> Option<u64> {
        None
    }
}
