//! Deploying: settings from `CARAFE_*` variables, the health route while an instance drains,
//! and a rolling restart on one port (`SO_REUSEPORT`) under load. Each test runs the `items`
//! example as a deployment would, with its environment, and talks to it over sockets.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::Example;

/// The `items` example on `port` with `env`. Its log (an access line per request) is not
/// read.
fn instance(port: u16, env: &[(&str, &str)]) -> Example {
    Example::start("items", port, env, Stdio::null())
}

/// The `items` example's exit status and standard error when it refuses to start.
fn refused(env: &[(&str, &str)]) -> (ExitStatus, String) {
    let output = Command::new(common::example_binary("items"))
        .env("HOST", "127.0.0.1")
        .env("PORT", "0")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        output.status,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// One request on a new connection that closes after it: the status line, or why none came.
fn request(addr: SocketAddr, method: &str, path: &str, body: &str) -> Result<String, String> {
    let mut stream = TcpStream::connect(addr).map_err(|error| format!("connect: {error}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .map_err(|error| format!("write: {error}"))?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .map_err(|error| format!("read: {error}"))?;
    match answer.lines().next() {
        Some(status) if status.starts_with("HTTP/1.1 ") => Ok(answer),
        _ => Err(format!("no answer: {answer:?}")),
    }
}

fn status_of(answer: &str) -> &str {
    &answer[9..12]
}

/// A port free now, for instances that must share it.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn settings_that_do_not_parse_stop_the_app_naming_each_variable() {
    let (status, stderr) = refused(&[
        ("CARAFE_BODY_LIMIT", "lots"),
        ("CARAFE_DRAIN_DELAY", "soon"),
        ("CARAFE_TRUSTED_PROXIES", "-1"),
        ("CARAFE_DEBUG", "maybe"),
    ]);
    assert_eq!(status.code(), Some(1), "{stderr}");
    for told in [
        "CARAFE_BODY_LIMIT=\"lots\": `lots` is no size",
        "CARAFE_DRAIN_DELAY=\"soon\"",
        "write a number and a unit, such as 30s or 500ms",
        "CARAFE_TRUSTED_PROXIES=\"-1\": write a whole number",
        "CARAFE_DEBUG=\"maybe\": write 1 or 0",
    ] {
        assert!(stderr.contains(told), "{told:?} not in {stderr}");
    }
    let (status, stderr) = refused(&[("CARAFE_HEALTH_ROUTE", "/health/<part>")]);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("CARAFE_HEALTH_ROUTE=\"/health/<part>\": App::health_route"),
        "{stderr}"
    );
}

#[test]
fn the_environment_wins_over_the_code() {
    let instance = instance(0, &[("CARAFE_BODY_LIMIT", "16 B")]);
    let body = r#"{"id": "a-rather-long-id", "name": "a rather long name"}"#;
    let answer = request(instance.addr, "POST", "/items", body).unwrap();
    assert_eq!(status_of(&answer), "413", "{answer}");
    let answer = request(instance.addr, "POST", "/items", "{}").unwrap();
    assert_ne!(status_of(&answer), "413", "{answer}");
}

#[test]
fn the_health_route_answers_503_while_the_instance_drains_then_it_stops() {
    let mut instance = instance(
        0,
        &[
            ("CARAFE_HEALTH_ROUTE", "/healthz"),
            ("CARAFE_DRAIN_DELAY", "1s"),
        ],
    );
    let answer = request(instance.addr, "GET", "/healthz", "").unwrap();
    assert_eq!(status_of(&answer), "200", "{answer}");
    assert!(answer.ends_with("\r\n\r\nok"), "{answer}");
    instance.signal("TERM");
    // The balancer's next check sees the 503, and the app still serves meanwhile.
    std::thread::sleep(Duration::from_millis(200));
    let answer = request(instance.addr, "GET", "/healthz", "").unwrap();
    assert_eq!(status_of(&answer), "503", "{answer}");
    assert!(answer.contains("Draining"), "{answer}");
    let answer = request(instance.addr, "GET", "/items/1", "").unwrap();
    assert_ne!(status_of(&answer), "503", "{answer}");
    let status = instance.exit_status();
    assert!(status.success(), "{status}");
    assert!(request(instance.addr, "GET", "/healthz", "").is_err());
}

#[test]
fn a_second_instance_binds_the_port_only_with_reuse_port() {
    let port = free_port();
    let reuse = [("CARAFE_REUSE_PORT", "1")];
    let first = instance(port, &reuse);
    let second = instance(port, &reuse);
    assert_eq!(first.addr, second.addr);
    let (status, stderr) = refused(&[("PORT", &port.to_string())]);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot listen on 127.0.0.1:"), "{stderr}");
}

/// One client's connection kept alive from request to request, as a browser's or a
/// balancer's: a new one only when the server said it closes this one.
struct KeptAlive {
    addr: SocketAddr,
    stream: Option<TcpStream>,
}

impl KeptAlive {
    fn get(&mut self, path: &str) -> Result<(), String> {
        let mut stream = match self.stream.take() {
            Some(stream) => stream,
            None => TcpStream::connect(self.addr).map_err(|error| format!("connect: {error}"))?,
        };
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let head = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
        stream
            .write_all(head.as_bytes())
            .map_err(|error| format!("kept alive, write: {error}"))?;
        // The head, then as many bytes of body as it announces.
        let mut answer = Vec::new();
        let mut byte = [0; 1];
        while !answer.ends_with(b"\r\n\r\n") {
            match stream.read(&mut byte) {
                Ok(1) => answer.push(byte[0]),
                Ok(_) => return Err(format!("kept alive, closed after {} bytes", answer.len())),
                Err(error) => return Err(format!("kept alive, read: {error}")),
            }
        }
        let head = String::from_utf8_lossy(&answer).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length: "))
            .and_then(|length| length.trim().parse().ok())
            .ok_or_else(|| format!("no length in {head:?}"))?;
        let mut body = vec![0; length];
        stream
            .read_exact(&mut body)
            .map_err(|error| format!("kept alive, body: {error}"))?;
        if !head.contains("\r\nconnection: close\r\n") {
            self.stream = Some(stream);
        }
        Ok(())
    }
}

/// Clients that each send requests one after another until told to stop, half of them on a
/// new connection each time and half on one kept alive: the answers counted, and every
/// failure kept.
struct Load {
    stop: Arc<AtomicBool>,
    answered: Arc<AtomicUsize>,
    clients: Vec<std::thread::JoinHandle<Vec<String>>>,
}

impl Load {
    fn start(addr: SocketAddr, clients: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(AtomicUsize::new(0));
        let clients = (0..clients)
            .map(|client| {
                let (stop, answered) = (Arc::clone(&stop), Arc::clone(&answered));
                std::thread::spawn(move || {
                    let mut kept_alive = KeptAlive { addr, stream: None };
                    let mut failures = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let answer = match client % 2 {
                            0 => request(addr, "GET", "/items/1", "").map(drop),
                            _ => kept_alive.get("/items/1"),
                        };
                        match answer {
                            Ok(()) => answered.fetch_add(1, Ordering::Relaxed),
                            Err(error) => {
                                failures.push(error);
                                0
                            }
                        };
                    }
                    failures
                })
            })
            .collect();
        Load {
            stop,
            answered,
            clients,
        }
    }

    fn finish(self) -> (usize, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        let failures = self
            .clients
            .into_iter()
            .flat_map(|client| client.join().unwrap())
            .collect();
        (self.answered.load(Ordering::Relaxed), failures)
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_rolling_restart_under_load_fails_no_request() {
    let port = free_port();
    let env = [
        ("CARAFE_REUSE_PORT", "1"),
        ("CARAFE_HEALTH_ROUTE", "/healthz"),
        ("CARAFE_DRAIN_DELAY", "500ms"),
    ];
    let mut old = instance(port, &env);
    let load = Load::start(old.addr, 8);
    std::thread::sleep(Duration::from_millis(300));
    let mut replacements = Vec::new();
    // Three restarts in a row, each new instance replacing the last.
    for _ in 0..3 {
        let new = instance(port, &env);
        std::thread::sleep(Duration::from_millis(200));
        old.signal("TERM");
        let status = old.exit_status();
        assert!(status.success(), "{status}");
        std::thread::sleep(Duration::from_millis(200));
        replacements.push(std::mem::replace(&mut old, new));
    }
    let (answered, failures) = load.finish();
    assert!(
        failures.is_empty(),
        "{} failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(answered > 100, "only {answered} requests answered");
}

#[tokio::test]
async fn the_health_route_drains_an_app_served_in_process() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = carafe::App::new()
        .health_route("/healthz")
        .drain_delay(Duration::from_millis(600));
    let serving = tokio::spawn(app.serve_with_shutdown(listener, async {
        let _ = stopped.await;
    }));
    let answer = common::send(addr, "GET", "/healthz?probe=1", &[], "").await;
    assert_eq!((answer.status.as_u16(), answer.body.as_str()), (200, "ok"));
    let answer = common::send(addr, "HEAD", "/healthz", &[], "").await;
    assert_eq!(answer.status, 200);
    let answer = common::send(addr, "POST", "/healthz", &[], "").await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("GET, HEAD, OPTIONS"));
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let answer = common::send(addr, "GET", "/healthz", &[], "").await;
    assert_eq!(answer.status, 503, "{}", answer.body);
    // Draining is no error: the app still answers everything else, 404s included.
    let answer = common::send(addr, "GET", "/nothing-here", &[], "").await;
    assert_eq!(answer.status, 404);
    tokio::time::timeout(Duration::from_secs(5), serving)
        .await
        .expect("the app stops once drained")
        .unwrap()
        .unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn an_app_without_a_health_route_or_reuse_port_does_not_drain() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = carafe::App::new().drain_delay(Duration::from_secs(600));
    // Were it to drain, it would take ten minutes.
    tokio::time::timeout(
        Duration::from_secs(60),
        app.serve_with_shutdown(listener, async {}),
    )
    .await
    .expect("the app stops without draining")
    .unwrap();
}
