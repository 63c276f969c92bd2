//! `abort` inside a handler that holds the prelude's `RwLock`, the README's own pattern: later
//! requests still read and write the state, over a real socket.

mod common;

use carafe::prelude::*;

type Items = RwLock<HashMap<String, String>>;

/// Adds an item while it holds the write lock, and aborts before it lets go of it when the
/// name is refused.
#[route("/items/<item_id>", PUT)]
fn put_item(item_id: String, form: Form, items: State<Items>) -> impl IntoResponse {
    let mut items = items.write().unwrap();
    items.insert(item_id, form.get("name").unwrap_or_default().to_owned());
    if form.get("name") == Some("forbidden") {
        abort(400);
    }
    ("Stored", 201)
}

/// Panics while it holds the read lock.
#[route("/boom")]
fn boom(items: State<Items>) -> String {
    let items = items.read().unwrap();
    panic!("a bug with {} items in hand", items.len());
}

#[route("/items/<item_id>")]
fn get_item(item_id: String, items: State<Items>) -> impl IntoResponse {
    match items.read().unwrap().get(&item_id) {
        Some(name) => (name.clone(), 200),
        None => ("Item not found".to_owned(), 404),
    }
}

fn app() -> App {
    App::new()
        .state(Items::default())
        .mount(routes![put_item, boom, get_item])
}

#[tokio::test]
async fn abort_and_panics_under_the_lock_leave_it_usable() {
    let addr = common::serve(app()).await;
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let aborted = common::send(addr, "PUT", "/items/1", &form, "name=forbidden").await;
    assert_eq!(aborted.status, 400);
    // The lock was held when the handler stopped; the next requests still take it, and see
    // what the handler had written, as Flask's globals would.
    let read = common::send(addr, "GET", "/items/1", &[], "").await;
    assert_eq!(
        (read.status.as_u16(), read.body.as_str()),
        (200, "forbidden")
    );
    assert_eq!(
        common::send(addr, "GET", "/boom", &[], "").await.status,
        500
    );
    let stored = common::send(addr, "PUT", "/items/2", &form, "name=pear").await;
    assert_eq!(stored.status, 201);
    let read = common::send(addr, "GET", "/items/2", &[], "").await;
    assert_eq!(read.body, "pear");
}
