// A path with every converter, each argument of a type its converter produces.
use std::path::PathBuf;

use carafe::prelude::*;

#[get("/all/<a>/<string:b>/<int:c>/<float:d>/<uuid:e>/<path:f>")]
fn all(a: String, b: String, c: i64, d: f32, e: String, f: PathBuf) -> impl IntoResponse {
    format!("{a} {b} {c} {d} {e} {}", f.display())
}

#[get("/files/<path:rest>")]
fn files(rest: String) -> impl IntoResponse {
    rest
}

fn main() {
    let client = App::new().mount(routes![all, files]).test_client();
    let uuid = "67e55044-10b1-426f-9247-bb680e5fe0c8";
    let response = client
        .get(&format!("/all/x/y/42/1.5/{uuid}/docs/readme.md"))
        .send();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text(), format!("x y 42 1.5 {uuid} docs/readme.md"));
    assert_eq!(client.get("/all/x/y/nope/1.5/{uuid}/f").send().status(), 404);
    assert_eq!(client.get("/files/a/b/c").send().text(), "a/b/c");
}
