//! The chat example over real sockets: its page, and two browsers' sockets (one over HTTP/1.1,
//! one over HTTP/2) that each hear what the other says.

mod common;

#[path = "../examples/chat/main.rs"]
#[allow(dead_code)]
mod chat;

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// A browser's socket to the room over HTTP/1.1.
async fn join_over_http1(addr: SocketAddr) -> WebSocketStream<TcpStream> {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (socket, response) = tokio_tungstenite::client_async(format!("ws://{addr}/room"), stream)
        .await
        .unwrap();
    assert_eq!(response.status(), 101);
    socket
}

/// The next text message, within a few seconds.
async fn heard<S>(socket: &mut WebSocketStream<S>) -> String
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
        .await
        .expect("a message within 5 s")
        .expect("the socket open")
        .unwrap();
    message.into_text().unwrap().as_str().to_owned()
}

#[tokio::test]
async fn the_page_opens_a_socket_to_the_room() {
    let addr = common::serve(chat::app()).await;
    let page = common::send(addr, "GET", "/", &[], "").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<h1>Chat</h1>"), "{}", page.body);
    // The socket's address, from url_for in the template.
    assert!(
        page.body.contains("${location.host}/room`"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn what_one_browser_says_every_browser_hears_over_either_protocol() {
    let addr = common::serve(chat::app()).await;
    let mut ana = join_over_http1(addr).await;
    let (mut bob, _connection) = common::websocket_over_http2(addr, "/room").await;
    ana.send(Message::text("hello from ana")).await.unwrap();
    assert_eq!(heard(&mut ana).await, "hello from ana");
    assert_eq!(heard(&mut bob).await, "hello from ana");
    bob.send(Message::text("hi ana, bob here")).await.unwrap();
    assert_eq!(heard(&mut ana).await, "hi ana, bob here");
    assert_eq!(heard(&mut bob).await, "hi ana, bob here");
    // One leaves; the other still talks to the room.
    ana.close(None).await.unwrap();
    bob.send(Message::text("anyone?")).await.unwrap();
    assert_eq!(heard(&mut bob).await, "anyone?");
}
