// The same path up to parameter names is the same route; shorthands count as their method.
use carafe::prelude::*;

#[get("/items/<int:item_id>")]
fn get_item(item_id: u64) -> impl IntoResponse {
    format!("item {item_id}")
}

#[delete("/items/<int:id>")]
fn delete_item(id: u64) -> impl IntoResponse {
    format!("deleted {id}")
}

#[route("/items/<int:number>", GET)]
fn item_by_number(number: u64) -> impl IntoResponse {
    format!("number {number}")
}

fn main() {
    App::new().mount(routes![get_item, delete_item, item_by_number]);
}
