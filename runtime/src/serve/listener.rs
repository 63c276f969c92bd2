//! The listening socket: bound by the app, or handed over by a supervisor; with `SO_REUSEPORT`,
//! shared with the next instance of the app during a rolling restart.
//!
//! Two instances bound to one port with `SO_REUSEPORT` share its new connections, the kernel
//! picking a listener by hashing each connection's addresses. When the old one closes its
//! listener, the connections waiting in its queue, and those halfway through their handshake,
//! are reset. So on Linux a draining instance first steers every new connection to the other
//! listener (a one-instruction socket filter on the group, `return 1`: the second socket, the
//! new instance's; with no second socket the kernel falls back to its hash), accepts what is
//! already queued during its drain delay, and only then closes: nothing is reset.

use std::io;
use std::net::SocketAddr;

use tokio::net::TcpListener;

/// A listener on `host`:`port`, bound with `SO_REUSEPORT` if `reuse_port` (see
/// [`App::reuse_port`](crate::App::reuse_port)).
pub(crate) async fn bind(host: &str, port: u16, reuse_port: bool) -> io::Result<TcpListener> {
    if !reuse_port {
        return TcpListener::bind((host, port)).await;
    }
    let mut last_error = None;
    for address in tokio::net::lookup_host((host, port)).await? {
        match bind_reusing_port(address) {
            Ok(listener) => return Ok(listener),
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.unwrap_or_else(|| io::ErrorKind::AddrNotAvailable.into()))
}

#[cfg(unix)]
fn bind_reusing_port(address: SocketAddr) -> io::Result<TcpListener> {
    let socket = match address {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    // As `TcpListener::bind` does on Unix: a restarted server may bind while the last one's
    // connections linger in TIME_WAIT.
    socket.set_reuseaddr(true)?;
    socket.set_reuseport(true)?;
    socket.bind(address)?;
    // The backlog std's `TcpListener::bind` asks for.
    let listener = socket.listen(128)?;
    // A filter left on the group by an instance that drained before would steer every new
    // connection to this one at once, whatever the instances around it: taken off, the kernel
    // shares connections by its hash again until the next instance drains.
    steering::remove(&listener);
    Ok(listener)
}

#[cfg(not(unix))]
fn bind_reusing_port(address: SocketAddr) -> io::Result<TcpListener> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        format!("reuse_port: SO_REUSEPORT is a Unix socket option; cannot bind {address} with it"),
    ))
}

/// Sends the new connections of the port `listener` shares with `SO_REUSEPORT` to the other
/// instance's listener, as this one drains (Linux on x86-64 and AArch64; elsewhere, nothing).
pub(crate) fn steer_new_connections_away(listener: &TcpListener) {
    steering::to_second_listener(listener);
}

/// The listening socket a supervisor handed over, as systemd's socket activation does
/// (`LISTEN_FDS`, which `dev` and `systemfd` set), if there is one.
pub(crate) fn handed_over_listener() -> io::Result<Option<TcpListener>> {
    match listenfd::ListenFd::from_env().take_tcp_listener(0)? {
        Some(listener) => {
            listener.set_nonblocking(true)?;
            Ok(Some(TcpListener::from_std(listener)?))
        }
        None => Ok(None),
    }
}

/// The classic BPF program a `SO_REUSEPORT` group runs to pick a listener for a new
/// connection: its return value indexes the group's listeners, in the order they joined (a
/// closed one's place taken by the last), and an index past them leaves the choice to the
/// kernel's hash.
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
mod steering {
    use std::os::fd::AsRawFd;

    use tokio::net::TcpListener;

    // The generic Linux values (`asm-generic/socket.h`), those of x86-64 and AArch64; the
    // `libc` crate does not export them for glibc targets.
    const SO_ATTACH_REUSEPORT_CBPF: libc::c_int = 51;
    const SO_DETACH_REUSEPORT_BPF: libc::c_int = 68;
    /// `BPF_RET | BPF_K`: return the constant `k`.
    const BPF_RET_K: u16 = 0x06;

    /// Every new connection to the second listener: during a rolling restart, the group
    /// holds the old instance's (first) and the new one's (second).
    pub(super) fn to_second_listener(listener: &TcpListener) {
        let mut program = [libc::sock_filter {
            code: BPF_RET_K,
            jt: 0,
            jf: 0,
            k: 1,
        }];
        let filter = libc::sock_fprog {
            len: program.len() as u16,
            filter: program.as_mut_ptr(),
        };
        // SAFETY: `filter` points at `program`, one valid instruction, both alive for the
        // call; the kernel copies the program.
        let attached = unsafe {
            libc::setsockopt(
                listener.as_raw_fd(),
                libc::SOL_SOCKET,
                SO_ATTACH_REUSEPORT_CBPF,
                std::ptr::from_ref(&filter).cast(),
                std::mem::size_of::<libc::sock_fprog>() as libc::socklen_t,
            )
        };
        if attached != 0 {
            // The connections are then shared by hash as before, and some waiting in this
            // listener's queue when it closes are reset.
            tracing::warn!(
                "reuse_port: cannot steer new connections to the next instance: {}",
                std::io::Error::last_os_error()
            );
        }
    }

    /// Takes the group's program off, if it has one.
    pub(super) fn remove(listener: &TcpListener) {
        // SAFETY: `SO_DETACH_REUSEPORT_BPF` reads no value; the pointer is never followed.
        unsafe {
            libc::setsockopt(
                listener.as_raw_fd(),
                libc::SOL_SOCKET,
                SO_DETACH_REUSEPORT_BPF,
                std::ptr::null(),
                0,
            );
        }
    }
}

#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
mod steering {
    use tokio::net::TcpListener;

    pub(super) fn to_second_listener(_: &TcpListener) {}

    pub(super) fn remove(_: &TcpListener) {}
}
