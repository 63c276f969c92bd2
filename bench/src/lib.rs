//! What every benchmark peer shares, so that the routes and the bytes they
//! answer are identical by construction: the bodies, the content types, the
//! item store and its seed, the port and `WORKERS` settings.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::RwLock;

use serde::{Deserialize, Serialize};

pub mod bare_hyper;
pub mod blocking;
pub mod github;

/// Body of `GET /plaintext`.
pub const PLAINTEXT: &str = "Hello, World!";
/// Content type of `GET /plaintext`.
pub const TEXT_PLAIN: &str = "text/plain; charset=utf-8";
/// Content type of every JSON answer, the one axum and actix-web use for their
/// `Json` responses.
pub const APPLICATION_JSON: &str = "application/json";
/// Body of every 404: an unknown or non-numeric item id, or an unknown path.
pub const NOT_FOUND: &str = r#"{"error":"not found"}"#;
/// Body of every 400 from `POST /items`: bad JSON, a missing field, a body
/// that is not declared as JSON or an id that is already taken.
pub const BAD_REQUEST: &str = r#"{"error":"bad request"}"#;

/// Body of `GET /json`. Each server serializes it per request, as the
/// TechEmpower JSON test demands, rather than sending a constant.
#[derive(Serialize)]
pub struct Message {
    pub message: &'static str,
}

/// The message every `GET /json` answers.
pub const MESSAGE: Message = Message {
    message: "Hello, World!",
};

/// An item, as posted to `POST /items`.
#[derive(Clone, Serialize, Deserialize)]
pub struct Item {
    pub id: u64,
    pub name: String,
}

/// Body of `GET /items/<id>` and `POST /items`: `{"item":{...}}`.
#[derive(Serialize)]
pub struct ItemBody {
    pub item: Item,
}

/// The in-memory item store behind `/items`.
pub struct Store {
    items: RwLock<HashMap<u64, Item>>,
}

impl Store {
    /// A store holding 1 apple and 2 banana.
    pub fn seeded() -> Self {
        let items = [(1, "apple"), (2, "banana")]
            .into_iter()
            .map(|(id, name)| {
                let name = name.to_owned();
                (id, Item { id, name })
            })
            .collect();
        Store {
            items: RwLock::new(items),
        }
    }

    /// The item with this id, if any.
    pub fn get(&self, id: u64) -> Option<ItemBody> {
        let items = self.items.read().unwrap_or_else(|e| e.into_inner());
        let item = items.get(&id)?.clone();
        Some(ItemBody { item })
    }

    /// Stores a new item; `None` when its id is already taken.
    pub fn insert(&self, item: Item) -> Option<ItemBody> {
        let mut items = self.items.write().unwrap_or_else(|e| e.into_inner());
        match items.entry(item.id) {
            Entry::Occupied(_) => None,
            Entry::Vacant(slot) => {
                slot.insert(item.clone());
                Some(ItemBody { item })
            }
        }
    }
}

/// The id in `/items/<id>`: `None` (a 404) unless it is a decimal `u64`.
pub fn parse_id(segment: &str) -> Option<u64> {
    segment.parse().ok()
}

/// Whether a request's `Content-Type` declares JSON, by axum's rule
/// (`application/json` or `application/<anything>+json`, parameters allowed),
/// parsed with the same `mime` crate. hyper_raw checks it by hand so that the
/// peers refuse the same bodies; actix-web's rule differs only in also taking
/// `<any type>/json`, which no request of the benchmark sends.
pub fn is_json(content_type: &[u8]) -> bool {
    let Some(mime) = std::str::from_utf8(content_type)
        .ok()
        .and_then(|value| value.parse::<mime::Mime>().ok())
    else {
        return false;
    };
    mime.type_() == mime::APPLICATION
        && (mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON))
}

/// The port to bind, the server's first argument.
pub fn port() -> u16 {
    let arg = std::env::args()
        .nth(1)
        .expect("usage: <server> PORT (with WORKERS=n in the environment)");
    arg.parse()
        .unwrap_or_else(|_| panic!("port must be a number, got {arg:?}"))
}

/// Worker threads, from `WORKERS` (default 1).
pub fn workers() -> usize {
    match std::env::var("WORKERS") {
        Ok(n) => n
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .unwrap_or_else(|| panic!("WORKERS must be a positive number, got {n:?}")),
        Err(_) => 1,
    }
}

/// The tokio runtime of the tokio-based peers (hyper_raw, axum_peer): one
/// multi-thread runtime with `WORKERS` workers, so they differ only in what
/// runs on it.
pub fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers())
        .enable_io()
        .build()
        .expect("cannot build the tokio runtime")
}

/// Serves a carafe app on 127.0.0.1 at the port argument, as carafe_peer and soak_server do.
/// carafe's server also needs tokio's timer (for its timeouts), which the other peers' runtime
/// leaves off; otherwise the same runtime, with `WORKERS` workers.
///
/// Inlined into each server's `main`: called out of line, it changed how the server's code
/// was laid out, and carafe_peer measured 90 more instructions a request on `/items/1`
/// (callgrind), for no change in carafe.
#[inline(always)]
pub fn serve_carafe(app: carafe::App) {
    let port = port();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers())
        .enable_all()
        .build()
        .expect("cannot build the tokio runtime");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, port))
            .await
            .unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:{port}: {e}"));
        app.serve(listener).await.expect("the app starts");
    });
}

/// Serves an axum `Router` on 127.0.0.1:`port()` with `tokio_runtime()`, `TCP_NODELAY` on each
/// connection, until the process is stopped: the way axum_peer and blocking_axum serve.
/// Inlined, as [`serve_carafe`] is, so that each server's code is laid out as its own `main`.
#[inline(always)]
pub fn serve_axum(app: axum::Router) {
    use axum::serve::ListenerExt;

    let port = port();
    tokio_runtime().block_on(async move {
        let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, port))
            .await
            .unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:{port}: {e}"))
            .tap_io(|stream| {
                if let Err(e) = stream.set_nodelay(true) {
                    eprintln!("TCP_NODELAY: {e}");
                }
            });
        axum::serve(listener, app).await.expect("server failed");
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_the_documented_bytes() {
        let json = serde_json::to_string(&MESSAGE).unwrap();
        assert_eq!(json, r#"{"message":"Hello, World!"}"#);
        let store = Store::seeded();
        let apple = serde_json::to_string(&store.get(1).unwrap()).unwrap();
        assert_eq!(apple, r#"{"item":{"id":1,"name":"apple"}}"#);
        let banana = serde_json::to_string(&store.get(2).unwrap()).unwrap();
        assert_eq!(banana, r#"{"item":{"id":2,"name":"banana"}}"#);
        assert!(store.get(3).is_none());
    }

    #[test]
    fn insert_refuses_a_taken_id() {
        let store = Store::seeded();
        let pear = |id| Item {
            id,
            name: "pear".into(),
        };
        assert!(store.insert(pear(1)).is_none());
        assert!(store.insert(pear(3)).is_some());
        assert!(store.insert(pear(3)).is_none());
    }

    #[test]
    fn ids_are_decimal_u64() {
        assert_eq!(parse_id("1"), Some(1));
        assert_eq!(parse_id("x"), None);
        assert_eq!(parse_id(""), None);
        assert_eq!(parse_id("-1"), None);
        assert_eq!(parse_id("18446744073709551616"), None);
    }

    #[test]
    fn json_content_types() {
        assert!(is_json(b"application/json"));
        assert!(is_json(b"Application/JSON; charset=utf-8"));
        assert!(is_json(b"application/problem+json"));
        assert!(!is_json(b"text/plain"));
        assert!(!is_json(b"application/jsonx"));
        assert!(!is_json(b""));
    }
}
