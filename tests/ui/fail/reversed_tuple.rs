// `(404, "Error")`: the status first, as some frameworks write it; carafe follows Flask.
use carafe::prelude::*;

#[get("/wrong-order")]
fn wrong_order() -> impl IntoResponse {
    (404, "Error")
}

#[get("/wrong-order-headers")]
fn wrong_order_headers() -> impl IntoResponse {
    (201, "Created", [("Location", "/items/1")])
}

fn main() {
    App::new().mount(routes![wrong_order, wrong_order_headers]);
}
