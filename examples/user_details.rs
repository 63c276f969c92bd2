//! Seed 000, "How to return the status code in Flask": the tuple forms `(body, status)` and
//! `(body, status, headers)`, and the `make_response` variant on routes of its own.
//!
//! ```text
//! cargo run --example user_details
//! curl -X POST http://localhost:5000/userDetails -H "Content-Type: application/x-www-form-urlencoded" -d "username=sam&firstname=john&lastname=king"
//! curl -X POST http://localhost:5000/userSignUp -H "Content-Type: application/x-www-form-urlencoded" -d "username=sam&firstname=john"
//! curl -X POST http://localhost:5000/makeResponse/userDetails -d "username=sam&firstname=john&lastname=king"
//! curl -X POST http://localhost:5000/makeResponse/userSignUp -d "username=sam&firstname=john"
//! ```

use carafe::prelude::*;

/// In Flask a GET falls off the end of the view, which returns `None`, and Flask answers 500.
/// A correct server answers the GET it accepts: here, with what to send.
const HOW_TO_POST: &str = "<p>POST username, firstname and lastname as a form.</p>";

#[route("/userDetails", GET, POST)]
fn user_details(method: Method, form: Form) -> impl IntoResponse {
    if method == Method::POST {
        let _username = form.get("username");
        let _firstname = form.get("firstname");
        // Like Flask's `request.form["lastname"]`: a missing field answers 400.
        let _lastname = &form["lastname"];
        return ("Success", 201);
    }
    (HOW_TO_POST, 200)
}

#[route("/userSignUp", POST)]
fn sign_up(form: Form) -> impl IntoResponse {
    let _username = form.get("username");
    let _password = form.get("password");
    ("Success", 200, [("Access-Control-Allow-Origin", "*")])
}

#[route("/makeResponse/userDetails", GET, POST)]
fn user_details_response(method: Method, form: Form) -> Response {
    if method == Method::POST {
        let _username = form.get("username");
        let _firstname = form.get("firstname");
        let _lastname = &form["lastname"];
        return make_response("<h1>Success</h1>", 201);
    }
    make_response(HOW_TO_POST, 200)
}

#[route("/makeResponse/userSignUp", POST)]
fn sign_up_response(form: Form) -> Response {
    let _username = form.get("username");
    let _password = form.get("password");
    // Flask's `make_response(body)` with no status is `Response::new(body)`.
    let mut response = Response::new("<h1>Success</h1>");
    response.status_code = 200;
    response
}

/// The app, shared with the tests.
pub fn app() -> App {
    App::new().mount(routes![
        user_details,
        sign_up,
        user_details_response,
        sign_up_response
    ])
}

fn main() {
    app().run();
}
