// A string status in a `match` arm, beside valid arms.
use carafe::prelude::*;

type Items = RwLock<HashMap<String, String>>;

#[route("/items/<item_id>")]
fn get_item(item_id: String, items: State<Items>) -> impl IntoResponse {
    match items.read().unwrap().get(&item_id) {
        Some(name) => (name.clone(), 200),
        None => ("Item not found".to_owned(), "404"),
    }
}

fn main() {
    App::new().state(Items::default()).mount(routes![get_item]);
}
