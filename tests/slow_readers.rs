//! A client that reads a large answer slowly but steadily gets all of it, however long that
//! takes past the header read timeout; one that reads nothing is still closed after it.

mod common;

use std::time::{Duration, Instant};

use carafe::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const ANSWER_BYTES: usize = 8 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(1);

#[route("/large")]
fn large() -> Vec<u8> {
    vec![b'x'; ANSWER_BYTES]
}

/// A connection whose receive buffer is small, so the answer waits on the server's side for
/// the client to read it, as it does for a client on a slow link.
async fn connect(addr: std::net::SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(16 * 1024).unwrap();
    let mut stream = socket.connect(addr).await.unwrap();
    stream
        .write_all(b"GET /large HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    stream
}

/// Every byte until the server closes, read `chunk` bytes at a time with `pause` between reads.
async fn read_all(mut stream: TcpStream, chunk: usize, pause: Duration) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buffer = vec![0; chunk];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return received,
            Ok(read) => received.extend_from_slice(&buffer[..read]),
        }
        tokio::time::sleep(pause).await;
    }
}

fn app() -> App {
    App::new()
        .header_read_timeout(TIMEOUT)
        .mount(routes![large])
}

#[tokio::test]
async fn a_slow_steady_reader_gets_the_whole_answer() {
    let addr = common::serve(app()).await;
    let started = Instant::now();
    // 16 KiB every 25 ms at most, about 640 KiB a second: 8 MiB take thirteen timeouts. For
    // seconds at a time the kernel takes no more of the answer, until a third of what it holds
    // is read; only what the client acknowledges shows it reads.
    let received = read_all(connect(addr).await, 16 * 1024, Duration::from_millis(25)).await;
    let elapsed = started.elapsed();
    let body_start = received
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .expect("a head")
        + 4;
    assert_eq!(
        received.len() - body_start,
        ANSWER_BYTES,
        "after {elapsed:?}"
    );
    assert!(
        elapsed > TIMEOUT * 2,
        "the reading took {elapsed:?}: not slow enough to tell"
    );
}

#[tokio::test]
async fn a_client_that_reads_nothing_is_closed_after_the_timeout() {
    let addr = common::serve(app()).await;
    let stream = connect(addr).await;
    // Reads nothing for three timeouts; the server closes the connection within two.
    tokio::time::sleep(TIMEOUT * 3).await;
    let started = Instant::now();
    let received = tokio::time::timeout(
        Duration::from_secs(10),
        read_all(stream, 1024 * 1024, Duration::ZERO),
    )
    .await
    .expect("the server closed the connection");
    assert!(received.len() < ANSWER_BYTES, "{} bytes", received.len());
    assert!(started.elapsed() < Duration::from_secs(5));
}
