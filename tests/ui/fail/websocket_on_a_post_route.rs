// A WebSocket opens with a GET: a route that also takes POST is refused, naming the method.
// `cross_origin` is no mistake on a WebSocket's GET route: cross-site protection judges its
// handshake.
use carafe::prelude::*;

#[route("/socket", GET, POST)]
fn socket(upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(|_socket| async {})
}

#[route("/feed", cross_origin)]
fn feed(upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(|_socket| async {})
}

fn main() {
    App::new().mount(routes![socket, feed]);
}
