//! The development server, as `flask run --debug`: `cargo run --example NAME -- dev` serves the
//! app in debug mode (templates read again at every render) and, when a source file changes,
//! rebuilds it and restarts it on the same listening socket, so a browser's request waits for
//! the new build instead of being refused.
//!
//! The process that cargo started becomes a supervisor: it binds the address, then runs the
//! app as a child process that takes the socket as systemd's socket activation hands one over
//! (`LISTEN_FDS=1`, descriptor 3: what `listenfd` reads and `systemfd` provides), so the
//! socket never closes between builds. It polls the package's `.rs` files and `Cargo.toml`;
//! on a change, it runs `cargo build` for the same target, with the compiler's output in the
//! terminal. A good build replaces the child; a failed one stops it, and until the next good
//! build the supervisor answers every request itself with the compiler's message. Ctrl-C stops
//! the child and the supervisor; the child also stops if the supervisor dies.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// How often the sources are looked at.
const POLL: Duration = Duration::from_millis(300);

/// The descriptor the socket is handed over on: the first after standard error, as systemd's
/// socket activation does.
const LISTEN_FD: i32 = 3;

/// Set when Ctrl-C (or SIGTERM) reaches the supervisor.
static STOPPING: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop_signal(_: libc::c_int) {
    STOPPING.store(true, Ordering::Relaxed);
}

/// What the supervisor rebuilds and runs: the running program's own cargo target.
struct Target {
    /// The package's folder, whose sources are watched and where cargo runs.
    package: PathBuf,
    /// `--example NAME` or `--bin NAME`.
    cargo_target: [String; 2],
    /// The program, which each build replaces.
    program: PathBuf,
    /// Its arguments, `dev` left out.
    args: Vec<String>,
    /// The variable that tells it it runs under `dev`.
    child_marker: &'static str,
}

impl Target {
    fn of_this_process(child_marker: &'static str) -> io::Result<Target> {
        let program = std::env::current_exe()?;
        let name = program
            .file_stem()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let kind = match program.parent().and_then(Path::file_name) {
            Some(folder) if folder == "examples" => "--example",
            _ => "--bin",
        };
        // `cargo run` tells the program where its package is.
        let package = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .ok_or_else(|| {
                io::Error::other(
                    "dev needs to know the package to rebuild: start it with `cargo run -- dev` \
                     (or `cargo run --example NAME -- dev`)",
                )
            })?;
        let args = std::env::args()
            .skip(1)
            .filter(|arg| arg != "dev")
            .collect();
        Ok(Target {
            package,
            cargo_target: [kind.to_owned(), name],
            program,
            args,
            child_marker,
        })
    }

    /// Builds it; the compiler's messages go to the terminal, and come back when it failed.
    fn build(&self) -> Result<(), String> {
        let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .arg("build")
            .args(&self.cargo_target)
            .arg("--color=never")
            .current_dir(&self.package)
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| format!("cargo could not be started: {error}"))?;
        let mut output = String::new();
        if let Some(mut stderr) = cargo.stderr.take() {
            let mut buffer = [0; 4096];
            while let Ok(read) = stderr.read(&mut buffer) {
                if read == 0 {
                    break;
                }
                let _ = io::stderr().write_all(&buffer[..read]);
                output.push_str(&String::from_utf8_lossy(&buffer[..read]));
            }
        }
        match cargo.wait() {
            Ok(status) if status.success() => Ok(()),
            _ => Err(output),
        }
    }

    /// Starts the program on `listener`, in debug mode.
    fn start(&self, listener: &TcpListener) -> io::Result<Child> {
        let fd = listener.as_raw_fd();
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .env("LISTEN_FDS", "1")
            .env_remove("LISTEN_PID")
            .env(self.child_marker, "1");
        // SAFETY: between fork and exec only async-signal-safe calls: dup2 (whose copy stays
        // open across exec), fcntl and prctl.
        unsafe {
            command.pre_exec(move || {
                let handed = if fd == LISTEN_FD {
                    // Already where it goes: only kept open across exec.
                    libc::fcntl(fd, libc::F_SETFD, 0)
                } else {
                    libc::dup2(fd, LISTEN_FD)
                };
                if handed < 0 {
                    return Err(io::Error::last_os_error());
                }
                // The app goes when the supervisor goes, however it ends.
                #[cfg(target_os = "linux")]
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        command.spawn()
    }
}

/// Stops a child gracefully (SIGTERM: it finishes what it has begun), and waits for it.
fn stop_child(child: &mut Child) {
    // SAFETY: sending a signal to a process this one started and has not yet reaped.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let _ = child.wait();
}

/// The newest modification time of the package's sources: its `.rs` files and `Cargo.toml`,
/// outside `target/` and hidden folders.
fn sources_changed_at(package: &Path) -> SystemTime {
    fn walk(folder: &Path, newest: &mut SystemTime) {
        let Ok(entries) = std::fs::read_dir(folder) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if path.is_dir() {
                if name != "target" && !name.starts_with('.') {
                    walk(&path, newest);
                }
            } else if name.ends_with(".rs") || name == "Cargo.toml" {
                if let Ok(modified) = entry.metadata().and_then(|meta| meta.modified()) {
                    *newest = (*newest).max(modified);
                }
            }
        }
    }
    let mut newest = SystemTime::UNIX_EPOCH;
    walk(package, &mut newest);
    newest
}

/// Answers every request on `listener` with the build's error until `stop` is set: the page
/// a browser sees while the code does not compile.
fn serve_build_error(listener: TcpListener, message: Arc<Mutex<String>>, stop: Arc<AtomicBool>) {
    let _ = listener.set_nonblocking(true);
    while !stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, _)) => {
                let page = error_page(&message.lock().unwrap_or_else(|e| e.into_inner()));
                let _ = answer(stream, &page);
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let _ = listener.set_nonblocking(false);
}

fn answer(mut stream: TcpStream, page: &str) -> io::Result<()> {
    let _ = stream.set_nonblocking(false);
    stream.set_read_timeout(Some(Duration::from_millis(500)))?;
    // The request head, which is not needed: read so the client is not reset.
    let mut head = [0; 8192];
    let _ = stream.read(&mut head);
    write!(
        stream,
        "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{page}",
        page.len()
    )
}

/// The page that shows the compiler's message.
fn error_page(message: &str) -> String {
    let escaped = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <title>Build failed</title></head>\n<body>\n<h1>Build failed</h1>\n\
         <p>The app does not compile; it is rebuilt when its sources change.</p>\n\
         <pre>{escaped}</pre>\n</body>\n</html>\n"
    )
}

/// Supervises the app until Ctrl-C; the process exits when it returns.
/// `child_marker` is the variable set in the app's environment, so that it serves in debug
/// mode on the socket it is handed rather than supervise in turn.
pub(crate) fn supervise(listener: TcpListener, child_marker: &'static str) -> io::Result<()> {
    let target = Target::of_this_process(child_marker)?;
    // SAFETY: the handler only stores to an atomic.
    unsafe {
        libc::signal(
            libc::SIGINT,
            on_stop_signal as *const () as libc::sighandler_t,
        );
        libc::signal(
            libc::SIGTERM,
            on_stop_signal as *const () as libc::sighandler_t,
        );
    }
    println!(
        " * Running on http://{} (Press CTRL+C to quit)\n * Debug mode: on; restarting when \
         the sources of {} change",
        listener.local_addr()?,
        target.package.display()
    );
    let mut built_at = sources_changed_at(&target.package);
    let mut child = Some(target.start(&listener)?);
    let message = Arc::new(Mutex::new(String::new()));
    let mut error_server: Option<(Arc<AtomicBool>, std::thread::JoinHandle<()>)> = None;
    while !STOPPING.load(Ordering::Relaxed) {
        std::thread::sleep(POLL);
        if let Some(running) = &mut child {
            if let Ok(Some(status)) = running.try_wait() {
                println!(" * The app stopped ({status}); waiting for a change to its sources");
                child = None;
            }
        }
        let changed_at = sources_changed_at(&target.package);
        if changed_at <= built_at {
            continue;
        }
        built_at = changed_at;
        println!(" * Sources changed: rebuilding");
        match target.build() {
            Ok(()) => {
                if let Some((stop, server)) = error_server.take() {
                    stop.store(true, Ordering::Relaxed);
                    let _ = server.join();
                }
                if let Some(mut old) = child.take() {
                    stop_child(&mut old);
                }
                child = Some(target.start(&listener)?);
                println!(" * Restarted");
            }
            Err(output) => {
                *message.lock().unwrap_or_else(|e| e.into_inner()) = output;
                if let Some(mut old) = child.take() {
                    stop_child(&mut old);
                }
                if error_server.is_none() {
                    let stop = Arc::new(AtomicBool::new(false));
                    let server = {
                        let (listener, message, stop) = (
                            listener.try_clone()?,
                            Arc::clone(&message),
                            Arc::clone(&stop),
                        );
                        std::thread::spawn(move || serve_build_error(listener, message, stop))
                    };
                    error_server = Some((stop, server));
                }
                println!(" * The build failed: the browser shows why until the next good one");
            }
        }
    }
    if let Some(mut running) = child {
        stop_child(&mut running);
    }
    Ok(())
}
