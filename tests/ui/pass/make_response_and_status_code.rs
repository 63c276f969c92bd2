// Seed 000 written right: `make_response` with an integer, then `status_code = 200`.
use carafe::prelude::*;

#[route("/userDetails", GET, POST)]
fn user_details(request: Request) -> Response {
    if request.method() == Method::GET {
        return make_response("<h1>Form</h1>", 200);
    }
    let mut response = make_response("<h1>Success</h1>", 201);
    response.status_code = 200;
    response
}

fn main() {
    let app = App::new().mount(routes![user_details]);
    assert_eq!(app.routes()[0].statuses, [200, 201]);
    let client = app.test_client();
    assert_eq!(client.post("/userDetails").send().status(), 200);
}
