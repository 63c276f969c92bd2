//! A chat room over WebSockets: a page, and a socket route that sends every message to every
//! connected browser.
//!
//!     cargo run --example chat      # then open http://127.0.0.1:5000 in two windows
//!
//! Each socket subscribes to the room (a tokio broadcast channel) and, at once, waits for
//! what its browser says and for what the room says: the first it tells the room, the second
//! it sends to its browser.

use carafe::prelude::*;
use carafe::render_template;
use tokio::sync::broadcast::{self, error::RecvError};

/// Everyone's messages, for every socket to hear.
pub struct Room(broadcast::Sender<String>);

impl Default for Room {
    fn default() -> Self {
        // A socket that falls this far behind skips what it missed rather than stall the room.
        Room(broadcast::channel(256).0)
    }
}

/// The page: the messages, a form, and the little script that joins them to the socket.
#[route("/")]
pub fn index() -> Response {
    render_template!("chat.html")
}

/// The room's socket.
#[route("/room")]
pub fn room(upgrade: WebSocketUpgrade, room: State<Room>) -> Response {
    // Subscribed before the answer: the browser hears everything said once it is connected.
    let mut heard = room.0.subscribe();
    let room = room.0.clone();
    upgrade.on_upgrade(|mut socket| async move {
        loop {
            tokio::select! {
                said = socket.recv() => match said {
                    Some(Ok(Message::Text(text))) => {
                        // No one listening is no error: the message is simply not heard.
                        let _ = room.send(text.as_str().to_owned());
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => break,
                },
                message = heard.recv() => match message {
                    Ok(text) => {
                        if socket.send(Message::text(text)).await.is_err() {
                            break;
                        }
                    }
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                },
            }
        }
    })
}

pub fn app() -> App {
    App::new()
        .state(Room::default())
        .mount(routes![index, room])
}

fn main() {
    app().run();
}
