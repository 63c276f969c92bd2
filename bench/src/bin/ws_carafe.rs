//! `/echo` on carafe: every text or binary message sent back, for `websockets.sh`.

use carafe::prelude::*;

#[route("/echo")]
fn echo(upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(|mut socket| async move {
        while let Some(Ok(message)) = socket.recv().await {
            if (message.is_text() || message.is_binary()) && socket.send(message).await.is_err() {
                break;
            }
        }
    })
}

fn main() {
    carafe_bench::serve_carafe(App::new().mount(routes![echo]));
}
