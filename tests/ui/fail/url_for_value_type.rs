use carafe::prelude::*;

#[route("/items/<int:item_id>")]
fn get_item(item_id: u32) -> String {
    item_id.to_string()
}

struct ItemId(u32);

fn main() {
    let _ = url_for!(get_item, item_id = ItemId(7));
}
