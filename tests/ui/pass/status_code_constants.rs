// `StatusCode` constants wherever a status goes.
use carafe::prelude::*;

#[get("/tuple")]
fn tuple() -> impl IntoResponse {
    ("Teapot", StatusCode::IM_A_TEAPOT)
}

#[get("/headers")]
fn headers() -> impl IntoResponse {
    ("Moved", StatusCode::MOVED_PERMANENTLY, [("Location", "/tuple")])
}

#[get("/make")]
fn make() -> Response {
    make_response("Accepted", StatusCode::ACCEPTED)
}

#[get("/abort")]
fn aborts() -> Response {
    abort(StatusCode::FORBIDDEN)
}

fn main() {
    let client = App::new()
        .mount(routes![tuple, headers, make, aborts])
        .test_client();
    assert_eq!(client.get("/tuple").send().status(), 418);
    assert_eq!(client.get("/headers").send().status(), 301);
    assert_eq!(client.get("/make").send().status(), 202);
    assert_eq!(client.get("/abort").send().status(), 403);
}
