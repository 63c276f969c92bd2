// Each parameter becomes an argument, so two cannot share a name.
use carafe::prelude::*;

#[route("/users/<id>/posts/<int:id>")]
fn post(id: String) -> impl IntoResponse {
    id
}

fn main() {
    App::new().mount(routes![post]);
}
