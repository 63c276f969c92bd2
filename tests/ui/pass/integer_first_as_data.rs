// `(404, "Error")` as data is no reversed response.
use carafe::prelude::*;

#[get("/pairs")]
fn pairs() -> impl IntoResponse {
    let known = [(404, "Not Found"), (500, "Internal Server Error")];
    let wrapped = Json((404, "Error"));
    let _ = wrapped;
    (format!("{}", known[0].1), 200)
}

fn main() {
    let client = App::new().mount(routes![pairs]).test_client();
    assert_eq!(client.get("/pairs").send().text(), "Not Found");
}
