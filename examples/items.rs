//! Seed 002, "HTTP status codes for APIs in Flask": a JSON API over an in-memory store.
//!
//! ```text
//! cargo run --example items
//! curl -i http://localhost:5000/items/1     # 200 {"item":"apple"}
//! curl -i http://localhost:5000/items/9     # 404 {"error":"Item not found"}
//! curl -i -X POST http://localhost:5000/items -H "Content-Type: application/json" -d '{"id":"3","name":"cherry"}'   # 201, Location: /items/3
//! curl -i -X POST http://localhost:5000/items -H "Content-Type: application/json" -d '{"id":"1","name":"pear"}'     # 400
//! curl -i -X POST http://localhost:5000/items -H "Content-Type: application/json" -d '{"name":"pear"}'              # 400
//! ```

use carafe::prelude::*;
use serde_json::Value;

type Items = RwLock<HashMap<String, String>>;

/// The item named `item_id`.
///
/// `{"item": name}`, or 404 with `{"error": "Item not found"}`.
#[route("/items/<item_id>", GET)]
fn get_item(item_id: String, items: State<Items>) -> impl IntoResponse {
    match items.read().unwrap().get(&item_id) {
        Some(name) => (Json(json!({ "item": name })), 200),
        None => (Json(json!({ "error": "Item not found" })), 404),
    }
}

/// Adds an item.
///
/// From `{"id": .., "name": ..}`: 201 with the new item's `Location`.
#[route("/items", POST, responses(400 = "The id or the name is missing, or the id is taken"))]
fn create_item(Json(data): Json<Value>, items: State<Items>) -> Response {
    // The seed compares `data['id']` with string keys, so a numeric id such as `3` would be
    // stored under the number and never found by GET /items/3. A correct server keys the
    // store by the id's text, whether it was sent as "3" or 3.
    let id = match &data["id"] {
        Value::String(id) => Some(id.clone()),
        Value::Number(id) => Some(id.to_string()),
        _ => None,
    };
    let (Some(id), Some(name)) = (id, data["name"].as_str()) else {
        let error = json!({ "error": "Bad request, id and name required" });
        return (Json(error), 400).into_response();
    };
    let mut items = items.write().unwrap();
    if items.contains_key(&id) {
        return (Json(json!({ "error": "Item already exists" })), 400).into_response();
    }
    // Where the new item is, as Flask's `url_for("get_item", item_id=id)` would say.
    let location = url_for!(get_item, item_id = &id);
    items.insert(id, name.to_owned());
    let created = Json(json!({ "message": "Item created" }));
    (created, 201, [("Location", location)]).into_response()
}

/// The app with the seed's two items, shared with the tests.
pub fn app() -> App {
    let items = Items::new(HashMap::from([
        ("1".to_owned(), "apple".to_owned()),
        ("2".to_owned(), "banana".to_owned()),
    ]));
    App::new()
        .state(items)
        .mount(routes![get_item, create_item])
}

fn main() {
    app().run();
}
