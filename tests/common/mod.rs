//! Serving an app on an ephemeral loopback port and talking to it over a real socket.
// Each test crate that includes this module uses only part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use carafe::App;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::{http1, http2};
use hyper::{HeaderMap, Request, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Why `app` refuses to start, as serving it answers: the test fails if it starts.
pub async fn start_refused(app: App) -> std::io::Error {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    app.serve_with_shutdown(listener, std::future::pending())
        .await
        .expect_err("the app should refuse to start")
}

/// Why the app `make` builds refuses to start, as the test client panics with it: the test
/// fails if it starts.
pub fn refusal(make: impl FnOnce() -> App + std::panic::UnwindSafe) -> String {
    std::panic::catch_unwind(|| make().test_client())
        .err()
        .and_then(|payload| payload.downcast::<String>().ok())
        .map(|problem| *problem)
        .expect("test_client() panics with the problem")
}

/// Serves `app` on 127.0.0.1 on a port the OS picks, for the rest of the test.
pub async fn serve(app: App) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(app.serve_with_shutdown(listener, std::future::pending()));
    addr
}

/// A response as the client saw it.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }
}

/// One HTTP/1.1 connection, kept alive across requests.
pub struct Connection {
    sender: http1::SendRequest<Full<Bytes>>,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> Connection {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.unwrap();
        tokio::spawn(connection);
        Connection { sender }
    }

    /// Sends `method path` with these headers and body.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        // HTTP/1.1 requires a Host: `localhost` unless the test gives its own.
        if !headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("host"))
        {
            request = request.header("host", "localhost");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_owned())))
            .unwrap();
        self.sender.ready().await.unwrap();
        let response = self.sender.send_request(request).await.unwrap();
        read_answer(response).await
    }
}

/// Sends one request on a new connection.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    Connection::open(addr)
        .await
        .send(method, path, headers, body)
        .await
}

/// `curl -X POST URL -H "Content-Type: application/x-www-form-urlencoded" -d BODY`
pub async fn post_form(addr: SocketAddr, path: &str, body: &str) -> Answer {
    let content_type = [("content-type", "application/x-www-form-urlencoded")];
    send(addr, "POST", path, &content_type, body).await
}

/// `curl -X POST URL -H "Content-Type: application/json" -d BODY`
pub async fn post_json(addr: SocketAddr, path: &str, body: &str) -> Answer {
    send(
        addr,
        "POST",
        path,
        &[("content-type", "application/json")],
        body,
    )
    .await
}

/// One GET over HTTP/2 with prior knowledge.
pub async fn get_http2(addr: SocketAddr, path: &str) -> Answer {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request = Request::builder()
        .uri(format!("http://{addr}{path}"))
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    read_answer(response).await
}

async fn read_answer(response: hyper::Response<hyper::body::Incoming>) -> Answer {
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

/// Writes `request` as raw bytes on a new connection and reads until the server closes it (send
/// `Connection: close`), so the test sees exactly the bytes on the wire. Bounded in time.
pub async fn raw_exchange(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut received = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut received))
        .await
        .expect("the server closes the connection after a `Connection: close` request")
        .unwrap();
    String::from_utf8_lossy(&received).into_owned()
}

/// Posts `body`, any bytes, with this `Content-Type` and these extra header lines (each
/// ending in `\r\n`), on a connection of its own: the answer's head, lowercased, and body.
pub async fn post_raw(
    addr: SocketAddr,
    path: &str,
    content_type: &str,
    extra_headers: &str,
    body: &[u8],
) -> (String, String) {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    let answer = raw_exchange(addr, &request).await;
    let (head, body) = split_raw(&answer);
    (head, body.to_owned())
}

/// A raw answer split at the blank line: the status line and headers, lowercased, and the body.
pub fn split_raw(answer: &str) -> (String, &str) {
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers in {answer:?}"));
    (head.to_ascii_lowercase(), body)
}

/// Everything `tracing` records in this test binary, from any thread. One subscriber for the
/// whole process: per-test scoped subscribers race on `tracing`'s shared level cache. Tests
/// running side by side share it, so each looks for lines only its own requests produce.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    pub fn capture() -> &'static Logs {
        static LOGS: OnceLock<Logs> = OnceLock::new();
        LOGS.get_or_init(|| {
            let logs = Logs::default();
            let subscriber = tracing_subscriber::fmt()
                .with_writer(logs.clone())
                .with_ansi(false)
                .with_max_level(tracing::Level::INFO)
                .finish();
            tracing::subscriber::set_global_default(subscriber)
                .expect("no other subscriber in the test binary");
            logs
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// The access lines, one per request.
    pub fn access_lines(&self) -> Vec<String> {
        self.text()
            .lines()
            .filter(|line| line.contains("carafe::access"))
            .map(str::to_owned)
            .collect()
    }
}

impl std::io::Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;

    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

/// The binary of `examples/NAME.rs`, which `cargo test` builds beside the test binaries.
pub fn example_binary(name: &str) -> PathBuf {
    // A test runs as target/<profile>/deps/<test>-<hash>; examples sit in target/<profile>/examples.
    let deps = std::env::current_exe().unwrap();
    let profile = deps.parent().and_then(Path::parent).unwrap();
    let binary = profile
        .join("examples")
        .join(name)
        .with_extension(std::env::consts::EXE_EXTENSION);
    assert!(
        binary.exists(),
        "{} is missing: `cargo test` builds the examples; with `--test`, run `cargo build --examples` first",
        binary.display()
    );
    binary
}

/// A WebSocket to `path` over a new HTTP/2 connection, opened with RFC 8441's extended
/// CONNECT: the socket, and the connection's sender for more requests on it.
pub async fn websocket_over_http2(
    addr: SocketAddr,
    path: &str,
) -> (
    tokio_tungstenite::WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>,
    http2::SendRequest<http_body_util::Empty<Bytes>>,
) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = http2::Builder::new(TokioExecutor::new())
        .handshake::<_, http_body_util::Empty<Bytes>>(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let mut request = Request::builder()
        .method("CONNECT")
        .uri(format!("http://{addr}{path}"))
        .header("sec-websocket-version", "13")
        .body(http_body_util::Empty::new())
        .unwrap();
    request
        .extensions_mut()
        .insert(hyper::ext::Protocol::from_static("websocket"));
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let upgraded = hyper::upgrade::on(response).await.unwrap();
    let socket = tokio_tungstenite::WebSocketStream::from_raw_socket(
        TokioIo::new(upgraded),
        tokio_tungstenite::tungstenite::protocol::Role::Client,
        None,
    )
    .await;
    (socket, sender)
}

/// An example's binary serving on 127.0.0.1, announced on its first line of output, and killed
/// when dropped (a test that fails leaves nothing running).
pub struct Example {
    pub child: Child,
    pub addr: SocketAddr,
    pub stdout: BufReader<ChildStdout>,
}

impl Example {
    /// Starts `examples/NAME` on `port` (0: one the OS picks) with `env`, its log (standard
    /// error) going to `stderr`: a pipe must then be read, or the log fills it and stops the
    /// example.
    pub fn start(name: &str, port: u16, env: &[(&str, &str)], stderr: Stdio) -> Example {
        let mut child = Command::new(example_binary(name))
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut banner = String::new();
        stdout.read_line(&mut banner).unwrap();
        let addr = banner
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("no address in {banner:?}"));
        Example {
            child,
            addr,
            stdout,
        }
    }

    /// The next line the example prints.
    pub fn read_line(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        line
    }

    /// Sends the signal `name` (`TERM`, `INT`).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// The exit status, waiting at most 20 s.
    pub fn exit_status(&mut self) -> ExitStatus {
        for _ in 0..1000 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the example did not exit");
    }
}

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
