// Loops and labeled blocks whose values are data, inside handlers that respond with integers.
use carafe::prelude::*;

#[get("/search/<int:n>")]
fn search(n: u32) -> impl IntoResponse {
    let found = loop {
        break ("key", "404");
    };
    let labeled = 'block: {
        if n > 3 {
            break 'block ("big", "500");
        }
        ("small", "200")
    };
    let answer = 'outer: loop {
        // This `break` leaves the inner loop, whose value is data.
        let _inner = loop {
            break ("inner", "301");
        };
        break 'outer (format!("{found:?} {labeled:?}"), 200);
    };
    answer
}

fn main() {
    let app = App::new().mount(routes![search]);
    // The tuples' "404" and "500" are data: the listing has 200, and the 404 `<int:n>`
    // answers to a value that is no integer, as the OpenAPI document has.
    assert_eq!(app.routes()[0].statuses, [200, 404]);
    let client = app.test_client();
    assert_eq!(client.get("/search/x").send().status(), 404);
    assert_eq!(
        client.get("/search/5").send().text(),
        r#"("key", "404") ("big", "500")"#
    );
}
