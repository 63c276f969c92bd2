//! `/echo` on axum's WebSockets (`axum::extract::ws`), the same as ws_carafe's, for
//! `websockets.sh`.

use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::any;
use axum::Router;

async fn echo(upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(|mut socket: WebSocket| async move {
        while let Some(Ok(message)) = socket.recv().await {
            let echoed = matches!(
                message,
                axum::extract::ws::Message::Text(_) | axum::extract::ws::Message::Binary(_)
            );
            if echoed && socket.send(message).await.is_err() {
                break;
            }
        }
    })
}

fn main() {
    carafe_bench::serve_axum(Router::new().route("/echo", any(echo)));
}
