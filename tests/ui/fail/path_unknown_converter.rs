// Unknown converters: a near miss gets a suggestion, anything else the list.
use carafe::prelude::*;

#[route("/items/<integer:item_id>/<str:name>/<date:day>")]
fn get_item(item_id: u64, name: String, day: String) -> impl IntoResponse {
    format!("{item_id} {name} {day}")
}

fn main() {
    App::new().mount(routes![get_item]);
}
