// A handler that means an empty 200 says so with `()` or `""` last; one whose last statement
// returns needs no tail.
use carafe::prelude::*;

#[post("/ping")]
fn ping() -> impl IntoResponse {
    tracing_free_side_effect();
    ()
}

#[post("/pong")]
fn pong() -> impl IntoResponse {
    tracing_free_side_effect();
    ""
}

#[get("/hello/<name>")]
fn hello(name: String) -> impl IntoResponse {
    println!("greeting {name}");
    ()
}

#[get("/early")]
fn early() -> impl IntoResponse {
    return ("early", 200);
}

fn tracing_free_side_effect() {}

fn main() {
    App::new().mount(routes![ping, pong, hello, early]);
}
