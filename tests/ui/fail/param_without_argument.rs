// A path parameter the handler does not take: the fix names the argument and its type.
use carafe::prelude::*;

#[route("/users/<int:user_id>/posts/<slug>")]
fn post(slug: String) -> impl IntoResponse {
    slug
}

fn main() {
    App::new().mount(routes![post]);
}
