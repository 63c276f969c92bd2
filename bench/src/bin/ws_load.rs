//! WebSocket load for `websockets.sh`, over HTTP/1.1 to `ws://127.0.0.1:PORT/echo`.
//!
//!     ws_load echo PORT CONNECTIONS SECONDS   # each socket sends 32 bytes of text and waits
//!                                             # for the echo, again and again: prints round
//!                                             # trips a second, and the p50 and p99 in µs
//!     ws_load idle PORT COUNT SECONDS         # opens COUNT sockets, prints `open`, holds
//!                                             # them SECONDS, then closes them
//!
//! One thread: the load must not take the server's core.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

async fn open(port: u16) -> tokio_tungstenite::WebSocketStream<TcpStream> {
    let stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    stream.set_nodelay(true).expect("TCP_NODELAY");
    let url = format!("ws://127.0.0.1:{port}/echo");
    let (socket, _) = tokio_tungstenite::client_async(url, stream)
        .await
        .expect("handshake");
    socket
}

async fn echo(port: u16, connections: usize, seconds: u64) {
    let until = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            tokio::spawn(async move {
                let mut socket = open(port).await;
                let mut latencies = Vec::new();
                let text = "x".repeat(32);
                while Instant::now() < until {
                    let sent = Instant::now();
                    socket
                        .send(Message::text(text.clone()))
                        .await
                        .expect("send");
                    match socket.next().await {
                        Some(Ok(Message::Text(_))) => latencies.push(sent.elapsed()),
                        other => panic!("expected the echo, got {other:?}"),
                    }
                }
                let _ = socket.close(None).await;
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("a connection's task"));
    }
    latencies.sort();
    let percentile = |p: f64| {
        let index = ((latencies.len() as f64 * p) as usize).min(latencies.len() - 1);
        latencies[index].as_secs_f64() * 1e6
    };
    println!(
        "round_trips_per_s={:.0} p50_us={:.0} p99_us={:.0}",
        latencies.len() as f64 / seconds as f64,
        percentile(0.50),
        percentile(0.99)
    );
}

async fn idle(port: u16, count: usize, seconds: u64) {
    let mut sockets = Vec::with_capacity(count);
    for _ in 0..count {
        sockets.push(open(port).await);
    }
    println!("open");
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    for mut socket in sockets {
        let _ = socket.close(None).await;
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: ws_load echo|idle PORT N SECONDS";
    let number =
        |index: usize| -> u64 { args.get(index).and_then(|a| a.parse().ok()).expect(usage) };
    let (port, n, seconds) = (number(2) as u16, number(3) as usize, number(4));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    match args.get(1).map(String::as_str) {
        Some("echo") => runtime.block_on(echo(port, n, seconds)),
        Some("idle") => runtime.block_on(idle(port, n, seconds)),
        _ => panic!("{usage}"),
    }
}
