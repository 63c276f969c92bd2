// What the generated code cannot call: a method, a generic fn, an `unsafe fn`.
use carafe::prelude::*;

struct Api;

impl Api {
    #[route("/method")]
    fn method(&self) -> impl IntoResponse {
        "method"
    }
}

#[route("/generic")]
fn generic<T: Send + Sync + 'static>(state: State<T>) -> impl IntoResponse {
    let _ = state;
    "generic"
}

#[route("/unsafe")]
unsafe fn not_safe() -> impl IntoResponse {
    "unsafe"
}

fn main() {
    let _ = Api;
    App::new().mount(routes![generic, not_safe]);
}
