// The converter must produce the argument's type.
use carafe::prelude::*;

#[route("/items/<int:item_id>/<float:price>/<uuid:owner>/<path:rest>")]
fn item(item_id: String, price: u32, owner: u64, rest: f64) -> impl IntoResponse {
    format!("{item_id} {price} {owner} {rest}")
}

fn main() {
    App::new().mount(routes![item]);
}
