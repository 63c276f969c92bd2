// An argument named almost like the parameter: "did you mean", and no second error about the
// parameter it was meant to receive.
use carafe::prelude::*;

#[route("/items/<item_id>")]
fn get_item(itemid: String) -> impl IntoResponse {
    itemid
}

fn main() {
    App::new().mount(routes![get_item]);
}
