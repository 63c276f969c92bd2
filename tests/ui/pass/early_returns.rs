// Valid statuses in every position; the route listing keeps each one, sorted.
use carafe::prelude::*;

#[route("/items/<int:id>", GET)]
fn item(id: u32, form: Form) -> impl IntoResponse {
    let Some(name) = form.get("name") else {
        return ("Missing name", 400);
    };
    if id == 0 {
        return ("No item zero", 404);
    }
    if id == 1 {
        return loop {
            break ("Looped", 202);
        };
    }
    match name.len() {
        0 => ("Empty name", 422),
        _ => (name.to_owned().leak() as &str, 200),
    }
}

fn main() {
    let app = App::new().mount(routes![item]);
    assert_eq!(app.routes()[0].statuses, [200, 202, 400, 404, 422]);
    let client = app.test_client();
    assert_eq!(client.get("/items/0").send().status(), 400);
    let named = client.get("/items/0").form(&[("name", "a")]).send();
    assert_eq!(named.status(), 404);
}
