// Every mistake url_for! can make, each reported on its own token with the fix.
use carafe::prelude::*;

#[route("/items/<int:item_id>")]
fn get_item(item_id: u32) -> String {
    item_id.to_string()
}

#[route("/files/<name>")]
fn file(name: String) -> String {
    name
}

#[route("/")]
fn index() -> &'static str {
    "home"
}

fn main() {
    // A parameter's name misspelt.
    let _ = url_for!(get_item, itemid = 7);
    // A parameter missing.
    let _ = url_for!(get_item);
    // A parameter given twice.
    let _ = url_for!(get_item, item_id = 7, item_id = 8);
    // Literals the converters refuse.
    let _ = url_for!(get_item, item_id = "abc");
    let _ = url_for!(get_item, item_id = -1);
    let _ = url_for!(file, name = "a/b");
    let _ = url_for!(file, name = "");
    // A parameter for a handler that has none.
    let _ = url_for!(index, page = 2);
}
