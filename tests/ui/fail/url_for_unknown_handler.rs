use carafe::prelude::*;

#[route("/items/<int:item_id>")]
fn get_item(item_id: u32) -> String {
    item_id.to_string()
}

fn main() {
    let _ = url_for!(get_itme, item_id = 7);
}
