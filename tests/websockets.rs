//! WebSockets over a real socket: HTTP/1.1's Upgrade and HTTP/2's extended CONNECT (RFC
//! 8441), with tokio-tungstenite as the client. Text, binary, ping and pong, the closing
//! handshake with its code and reason, the message size limit, subprotocols, the session and
//! hooks at the handshake, cross-site protection of the handshake, and 426 for a plain GET.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use carafe::prelude::*;
use carafe::{CloseCode, Session};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::WebSocketStream;

/// Echoes text and binary messages; `close please` closes with a code and a reason.
#[route("/echo")]
fn echo(upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(|mut socket| async move {
        while let Some(Ok(message)) = socket.recv().await {
            let sent = match message {
                Message::Text(text) if text.as_str() == "close please" => {
                    socket.close(CloseCode::Away, "as asked").await
                }
                Message::Text(_) | Message::Binary(_) => socket.send(message).await,
                _ => Ok(()),
            };
            if sent.is_err() {
                break;
            }
        }
    })
}

/// Speaks `superchat` or `chat`, preferring the first; says which it got.
#[route("/chat")]
fn chat(upgrade: WebSocketUpgrade) -> Response {
    upgrade
        .protocols(["superchat", "chat"])
        .on_upgrade(|mut socket| async move {
            let chosen = socket.protocol().unwrap_or("none").to_owned();
            let _ = socket.send(Message::text(chosen)).await;
        })
}

/// Takes messages of up to 16 bytes.
#[route("/small")]
fn small(upgrade: WebSocketUpgrade) -> Response {
    upgrade
        .max_message_size(16)
        .on_upgrade(|mut socket| async move { while socket.recv().await.is_some() {} })
}

/// Greets the signed-in user, read from the session at the handshake, and what a before hook
/// put in the request.
#[route("/greet")]
async fn greet(upgrade: WebSocketUpgrade, session: Session, G(hook): G<Hooked>) -> Response {
    let user: String = session.get("user").unwrap_or_else(|| "nobody".to_owned());
    upgrade.on_upgrade(move |mut socket| async move {
        let _ = socket
            .send(Message::text(format!("hello {user}, {}", hook.0)))
            .await;
    })
}

#[route("/sign-in")]
fn sign_in(session: Session) -> &'static str {
    session.insert("user", "sam");
    "signed in"
}

#[derive(Clone)]
struct Hooked(&'static str);

fn app() -> App {
    App::new()
        .secret_key("websocket test secret")
        .before_request(|request| {
            request.insert(Hooked("hook ran"));
            None::<()>
        })
        .mount(routes![echo, chat, small, greet, sign_in])
}

/// Opens a WebSocket over HTTP/1.1 to `path` with these extra headers.
async fn open(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<
    (
        WebSocketStream<TcpStream>,
        tokio_tungstenite::tungstenite::handshake::client::Response,
    ),
    tokio_tungstenite::tungstenite::Error,
> {
    let mut request = format!("ws://{addr}{path}").into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(
            hyper::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    let stream = TcpStream::connect(addr).await.unwrap();
    tokio_tungstenite::client_async(request, stream).await
}

#[tokio::test]
async fn text_binary_ping_and_the_closing_handshake_over_http1() {
    let addr = common::serve(app()).await;
    let (mut socket, response) = open(addr, "/echo", &[]).await.unwrap();
    assert_eq!(response.status(), 101);
    socket.send(Frame::text("hello")).await.unwrap();
    assert_eq!(socket.next().await.unwrap().unwrap(), Frame::text("hello"));
    socket
        .send(Frame::binary(vec![0u8, 159, 146, 150]))
        .await
        .unwrap();
    assert_eq!(
        socket.next().await.unwrap().unwrap(),
        Frame::binary(vec![0u8, 159, 146, 150])
    );
    // A ping is answered by the socket itself, with its payload.
    socket
        .send(Frame::Ping(b"are you there".to_vec().into()))
        .await
        .unwrap();
    assert_eq!(
        socket.next().await.unwrap().unwrap(),
        Frame::Pong(b"are you there".to_vec().into())
    );
    // A message of a megabyte and more comes back whole.
    let large = "x".repeat(900_000);
    socket.send(Frame::text(large.clone())).await.unwrap();
    assert_eq!(socket.next().await.unwrap().unwrap(), Frame::text(large));
    // The server closes with its code and reason.
    socket.send(Frame::text("close please")).await.unwrap();
    match socket.next().await.unwrap().unwrap() {
        Frame::Close(Some(frame)) => {
            assert_eq!(frame.code, CloseCode::Away);
            assert_eq!(frame.reason.as_str(), "as asked");
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
    // And the server serves on, over HTTP.
    let answer = common::send(addr, "GET", "/sign-in", &[], "").await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn a_plain_get_to_a_websocket_answers_426_saying_to_upgrade() {
    let addr = common::serve(app()).await;
    let answer = common::send(addr, "GET", "/echo", &[], "").await;
    assert_eq!(answer.status, 426);
    assert_eq!(answer.header("upgrade"), Some("websocket"));
    assert!(answer.body.contains("WebSocket"), "{}", answer.body);
    // A handshake of another version of the protocol: the version it speaks.
    let handshake = |key: Option<&'static str>, version: &'static str| {
        let mut headers = vec![
            ("connection", "Upgrade"),
            ("upgrade", "websocket"),
            ("sec-websocket-version", version),
        ];
        headers.extend(key.map(|key| ("sec-websocket-key", key)));
        headers
    };
    let key = Some("dGhlIHNhbXBsZSBub25jZQ==");
    let answer = common::send(addr, "GET", "/echo", &handshake(key, "8"), "").await;
    assert_eq!(answer.status, 426);
    assert_eq!(answer.header("sec-websocket-version"), Some("13"));
    // Without its key: 400.
    let answer = common::send(addr, "GET", "/echo", &handshake(None, "13"), "").await;
    assert_eq!(answer.status, 400);
    // A POST is no method of the route.
    let answer = common::send(addr, "POST", "/echo", &[], "").await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("GET, HEAD, OPTIONS"));
}

#[tokio::test]
async fn the_first_subprotocol_the_route_prefers_and_the_client_offers_is_chosen() {
    let addr = common::serve(app()).await;
    let (mut socket, response) = open(
        addr,
        "/chat",
        &[("sec-websocket-protocol", "chat, superchat")],
    )
    .await
    .unwrap();
    assert_eq!(
        response.headers().get("sec-websocket-protocol").unwrap(),
        "superchat"
    );
    assert_eq!(
        socket.next().await.unwrap().unwrap(),
        Frame::text("superchat")
    );
    // None offered that the route speaks: no subprotocol.
    let (mut socket, response) = open(addr, "/chat", &[]).await.unwrap();
    assert!(response.headers().get("sec-websocket-protocol").is_none());
    assert_eq!(socket.next().await.unwrap().unwrap(), Frame::text("none"));
}

#[tokio::test]
async fn a_message_past_the_limit_closes_the_socket_with_1009() {
    let addr = common::serve(app()).await;
    let (mut socket, _) = open(addr, "/small", &[]).await.unwrap();
    socket.send(Frame::text("short")).await.unwrap();
    socket
        .send(Frame::text("far longer than sixteen bytes"))
        .await
        .unwrap();
    match socket.next().await {
        Some(Ok(Frame::Close(Some(frame)))) => assert_eq!(frame.code, CloseCode::Size),
        other => panic!("expected a close with 1009, got {other:?}"),
    }
}

#[tokio::test]
async fn the_session_and_the_hooks_are_there_at_the_handshake() {
    let addr = common::serve(app()).await;
    let (mut socket, _) = open(addr, "/greet", &[]).await.unwrap();
    assert_eq!(
        socket.next().await.unwrap().unwrap(),
        Frame::text("hello nobody, hook ran")
    );
    let signed_in = common::send(addr, "GET", "/sign-in", &[], "").await;
    let cookie = signed_in
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let (mut socket, _) = open(addr, "/greet", &[("cookie", &cookie)]).await.unwrap();
    assert_eq!(
        socket.next().await.unwrap().unwrap(),
        Frame::text("hello sam, hook ran")
    );
}

#[tokio::test]
async fn a_handshake_from_a_page_of_another_origin_is_refused() {
    let addr = common::serve(app()).await;
    let refused = open(addr, "/echo", &[("origin", "https://evil.example")]).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403);
            let body = String::from_utf8_lossy(response.body().as_deref().unwrap_or_default());
            assert!(
                body.contains("Cross-site WebSocket handshake refused"),
                "{body}"
            );
        }
        other => panic!(
            "expected a 403, got {:?}",
            other.map(|(_, response)| response)
        ),
    }
    let refused = open(addr, "/echo", &[("sec-fetch-site", "cross-site")]).await;
    assert!(refused.is_err());
    // The app's own pages may open it.
    let own = format!("http://{addr}");
    let (mut socket, _) = open(
        addr,
        "/echo",
        &[("origin", &own), ("sec-fetch-site", "same-origin")],
    )
    .await
    .unwrap();
    socket.send(Frame::text("mine")).await.unwrap();
    assert_eq!(socket.next().await.unwrap().unwrap(), Frame::text("mine"));
}

#[tokio::test]
async fn over_http2_a_websocket_opens_with_an_extended_connect() {
    let addr = common::serve(app()).await;
    let (mut socket, mut sender) = common::websocket_over_http2(addr, "/echo").await;
    socket.send(Frame::text("over h2")).await.unwrap();
    assert_eq!(
        socket.next().await.unwrap().unwrap(),
        Frame::text("over h2")
    );
    socket.send(Frame::binary(vec![1u8, 2, 3])).await.unwrap();
    assert_eq!(
        socket.next().await.unwrap().unwrap(),
        Frame::binary(vec![1u8, 2, 3])
    );
    // Other requests go on over the same connection.
    let request = hyper::Request::builder()
        .uri(format!("http://{addr}/sign-in"))
        .body(http_body_util::Empty::new())
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn an_idle_websocket_is_no_idle_connection() {
    // The watchdog closes a connection with nothing in flight past the header read timeout;
    // a quiet socket is in flight until it ends, over either protocol.
    let addr = common::serve(app().header_read_timeout(Duration::from_millis(200))).await;
    let (mut over_http1, _) = open(addr, "/echo", &[]).await.unwrap();
    let (mut over_http2, _sender) = common::websocket_over_http2(addr, "/echo").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    over_http1.send(Frame::text("still here")).await.unwrap();
    assert_eq!(
        over_http1.next().await.unwrap().unwrap(),
        Frame::text("still here")
    );
    over_http2.send(Frame::text("still here")).await.unwrap();
    assert_eq!(
        over_http2.next().await.unwrap().unwrap(),
        Frame::text("still here")
    );
}
