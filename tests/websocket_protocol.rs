//! The WebSocket protocol (RFC 6455) frame by frame over a raw socket: the core of the Autobahn
//! test suite's cases, ported (the suite itself needs Python 2 or Docker, which CI has not):
//! framing and payload lengths, fragmentation with control frames between the fragments,
//! UTF-8 validation, the closing handshake and its codes, protocol violations, and the message
//! size limit across fragments. The server's answers are read as bytes, not through a client
//! library that might hide a mistake.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use carafe::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TEXT: u8 = 0x1;
const BINARY: u8 = 0x2;
const CONTINUATION: u8 = 0x0;
const CLOSE: u8 = 0x8;
const PING: u8 = 0x9;
const PONG: u8 = 0xA;

/// Echoes text and binary messages, as Autobahn's echo server does.
#[route("/echo")]
fn echo(upgrade: WebSocketUpgrade) -> Response {
    upgrade
        .max_message_size(64 * 1024)
        .on_upgrade(|mut socket| async move {
            while let Some(Ok(message)) = socket.recv().await {
                if (message.is_text() || message.is_binary()) && socket.send(message).await.is_err()
                {
                    break;
                }
            }
        })
}

fn app() -> App {
    App::new().mount(routes![echo])
}

/// A client frame: FIN, the reserved bits, the opcode, masked unless told otherwise.
fn frame(fin: bool, rsv: u8, opcode: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mut bytes = vec![(u8::from(fin) << 7) | (rsv << 4) | opcode];
    let mask_bit = if masked { 0x80 } else { 0 };
    match payload.len() {
        len @ 0..=125 => bytes.push(mask_bit | len as u8),
        len @ 126..=0xFFFF => {
            bytes.push(mask_bit | 126);
            bytes.extend_from_slice(&(len as u16).to_be_bytes());
        }
        len => {
            bytes.push(mask_bit | 127);
            bytes.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    if masked {
        let key = [0x37, 0xfa, 0x21, 0x3d];
        bytes.extend_from_slice(&key);
        bytes.extend(
            payload
                .iter()
                .enumerate()
                .map(|(i, byte)| byte ^ key[i % 4]),
        );
    } else {
        bytes.extend_from_slice(payload);
    }
    bytes
}

fn whole(opcode: u8, payload: &[u8]) -> Vec<u8> {
    frame(true, 0, opcode, payload, true)
}

/// A close frame's payload: the code, then the reason.
fn close_payload(code: u16, reason: &str) -> Vec<u8> {
    let mut payload = code.to_be_bytes().to_vec();
    payload.extend_from_slice(reason.as_bytes());
    payload
}

/// A socket after its handshake.
struct Client {
    stream: TcpStream,
}

impl Client {
    async fn open(addr: SocketAddr) -> Client {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(
                b"GET /echo HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\n\
                  Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
                  Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
            )
            .await
            .unwrap();
        // The head alone, byte by byte: the frames that follow are the tests' to read.
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0];
            stream.read_exact(&mut byte).await.unwrap();
            head.push(byte[0]);
        }
        let head = String::from_utf8(head).unwrap();
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        // RFC 6455's own example key and its accept value.
        assert!(
            head.to_ascii_lowercase()
                .contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="),
            "{head}"
        );
        Client { stream }
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
    }

    /// The server's next frame: FIN, opcode, payload. Server frames are never masked.
    async fn frame(&mut self) -> (bool, u8, Vec<u8>) {
        tokio::time::timeout(Duration::from_secs(5), async {
            let mut head = [0; 2];
            self.stream.read_exact(&mut head).await.unwrap();
            assert_eq!(head[1] & 0x80, 0, "a server frame is not masked");
            let len = match head[1] & 0x7F {
                126 => {
                    let mut len = [0; 2];
                    self.stream.read_exact(&mut len).await.unwrap();
                    u64::from(u16::from_be_bytes(len))
                }
                127 => {
                    let mut len = [0; 8];
                    self.stream.read_exact(&mut len).await.unwrap();
                    u64::from_be_bytes(len)
                }
                len => u64::from(len),
            };
            let mut payload = vec![0; len as usize];
            self.stream.read_exact(&mut payload).await.unwrap();
            (head[0] & 0x80 != 0, head[0] & 0x0F, payload)
        })
        .await
        .expect("a frame within 5 s")
    }

    /// The server's close frame: its code.
    async fn closed_with(&mut self) -> u16 {
        let (fin, opcode, payload) = self.frame().await;
        assert!(fin);
        assert_eq!(opcode, CLOSE, "expected a close frame, got {payload:?}");
        u16::from_be_bytes([payload[0], payload[1]])
    }

    /// Whether the server then ends the connection.
    async fn ends(&mut self) -> bool {
        let mut rest = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), self.stream.read_to_end(&mut rest))
            .await
            .is_ok()
    }
}

#[tokio::test]
async fn payloads_of_every_length_form_come_back_whole() {
    // Autobahn 1.1 and 1.2: 0, 125, 126, 127, 128, 65535 and 65536 bytes, text and binary.
    let addr = common::serve(app()).await;
    let mut client = Client::open(addr).await;
    for len in [0, 125, 126, 127, 128, 65_535] {
        let text = "*".repeat(len);
        client.send(&whole(TEXT, text.as_bytes())).await;
        assert_eq!(
            client.frame().await,
            (true, TEXT, text.into_bytes()),
            "{len}"
        );
        let binary = vec![0xFE; len];
        client.send(&whole(BINARY, &binary)).await;
        assert_eq!(client.frame().await, (true, BINARY, binary), "{len}");
    }
}

#[tokio::test]
async fn a_fragmented_message_comes_back_whole_and_pings_between_fragments_are_answered() {
    // Autobahn 5.3-5.9 and 5.15-5.20.
    let addr = common::serve(app()).await;
    let mut client = Client::open(addr).await;
    client.send(&frame(false, 0, TEXT, b"frag", true)).await;
    client.send(&whole(PING, b"between")).await;
    client
        .send(&frame(false, 0, CONTINUATION, "mént".as_bytes(), true))
        .await;
    client
        .send(&frame(true, 0, CONTINUATION, b"ed", true))
        .await;
    assert_eq!(client.frame().await, (true, PONG, b"between".to_vec()));
    assert_eq!(
        client.frame().await,
        (true, TEXT, "fragménted".as_bytes().to_vec())
    );
    // A UTF-8 character split across two fragments is no mistake (Autobahn 6.2.3).
    let euro = "€".as_bytes();
    client.send(&frame(false, 0, TEXT, &euro[..1], true)).await;
    client
        .send(&frame(true, 0, CONTINUATION, &euro[1..], true))
        .await;
    assert_eq!(client.frame().await, (true, TEXT, euro.to_vec()));
}

#[tokio::test]
async fn the_closing_handshake_answers_the_clients_code() {
    // Autobahn 7.1.1 and 7.3.x.
    let addr = common::serve(app()).await;
    let mut client = Client::open(addr).await;
    client
        .send(&whole(CLOSE, &close_payload(1000, "bye")))
        .await;
    assert_eq!(client.closed_with().await, 1000);
    assert!(client.ends().await);
    // A close with no payload is answered with an empty close.
    let mut client = Client::open(addr).await;
    client.send(&whole(CLOSE, b"")).await;
    let (fin, opcode, payload) = client.frame().await;
    assert_eq!((fin, opcode), (true, CLOSE));
    assert!(payload.is_empty() || payload[..2] == 1000u16.to_be_bytes());
}

#[tokio::test]
async fn text_that_is_not_utf8_closes_with_1007() {
    // Autobahn 6.3.1 and 6.x: invalid UTF-8, whole and across fragments.
    let addr = common::serve(app()).await;
    let mut client = Client::open(addr).await;
    client
        .send(&whole(
            TEXT,
            &[0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xF4, 0x90, 0x80, 0x80],
        ))
        .await;
    assert_eq!(client.closed_with().await, 1007);
    let mut client = Client::open(addr).await;
    client
        .send(&frame(false, 0, TEXT, b"ok so far", true))
        .await;
    client
        .send(&frame(true, 0, CONTINUATION, &[0xFF, 0xFE], true))
        .await;
    assert_eq!(client.closed_with().await, 1007);
}

#[tokio::test]
async fn protocol_violations_close_with_1002() {
    // Autobahn 3.x (reserved bits), 4.x (reserved opcodes), 5.1/5.2 and 5.9 (continuation
    // without a start), 2.5 (a control frame over 125 bytes), 5.1 (a fragmented control
    // frame), and a frame from the client without a mask (RFC 6455 §5.1).
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("reserved bits", frame(true, 0b100, TEXT, b"rsv1", true)),
        ("reserved opcode", frame(true, 0, 0x3, b"", true)),
        ("reserved control opcode", frame(true, 0, 0xB, b"", true)),
        (
            "continuation first",
            frame(true, 0, CONTINUATION, b"orphan", true),
        ),
        ("ping over 125 bytes", whole(PING, &[b'p'; 126])),
        ("fragmented ping", frame(false, 0, PING, b"part", true)),
        ("unmasked", frame(true, 0, TEXT, b"naked", false)),
    ];
    let addr = common::serve(app()).await;
    for (case, bytes) in cases {
        let mut client = Client::open(addr).await;
        client.send(&bytes).await;
        assert_eq!(client.closed_with().await, 1002, "{case}");
    }
}

#[tokio::test]
async fn a_new_message_inside_a_fragmented_one_closes_with_1002() {
    // Autobahn 5.18: a text frame where a continuation belongs.
    let addr = common::serve(app()).await;
    let mut client = Client::open(addr).await;
    client.send(&frame(false, 0, TEXT, b"first", true)).await;
    client.send(&frame(true, 0, TEXT, b"second", true)).await;
    assert_eq!(client.closed_with().await, 1002);
}

#[tokio::test]
async fn a_message_past_the_limit_closes_with_1009_even_in_small_fragments() {
    // Autobahn 9.x's limits, with the route's 64 KiB: three fragments of 30 KiB.
    let addr = common::serve(app()).await;
    let mut client = Client::open(addr).await;
    let part = vec![b'x'; 30 * 1024];
    client.send(&frame(false, 0, BINARY, &part, true)).await;
    client
        .send(&frame(false, 0, CONTINUATION, &part, true))
        .await;
    client
        .send(&frame(true, 0, CONTINUATION, &part, true))
        .await;
    assert_eq!(client.closed_with().await, 1009);
    // Just under it passes.
    let mut client = Client::open(addr).await;
    let under = vec![b'y'; 64 * 1024];
    client.send(&whole(BINARY, &under)).await;
    assert_eq!(client.frame().await, (true, BINARY, under));
}
