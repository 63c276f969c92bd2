// Path parameters beside extractors, in any order; a raw identifier; extractors of plain-looking
// names that are not parameters.
use carafe::prelude::*;

type Items = RwLock<HashMap<String, String>>;

#[route("/items/<type>/<int:item_id>", GET, POST)]
fn item(items: State<Items>, r#type: String, request: Request, item_id: u64) -> impl IntoResponse {
    let stored = items.read().unwrap().get(&r#type).cloned();
    let _ = request.method();
    (format!("{type} {item_id} {stored:?}", type = r#type), 200)
}

#[post("/userSignUp")]
fn sign_up(form: Form) -> impl IntoResponse {
    let username = form.get("username").unwrap_or("anonymous").to_owned();
    (username, 200, [("Access-Control-Allow-Origin", "*")])
}

fn main() {
    let client = App::new()
        .state(Items::default())
        .mount(routes![item, sign_up])
        .test_client();
    assert_eq!(client.get("/items/pen/3").send().text(), "pen 3 None");
    let response = client.post("/userSignUp").form(&[("username", "ada")]).send();
    assert_eq!(response.text(), "ada");
}
