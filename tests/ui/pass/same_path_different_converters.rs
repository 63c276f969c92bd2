// Routes on the same path with different converters or methods are distinct.
use carafe::prelude::*;

#[get("/items/<int:id>")]
fn by_id(id: u64) -> impl IntoResponse {
    format!("id {id}")
}

#[get("/items/<name>")]
fn by_name(name: String) -> impl IntoResponse {
    format!("name {name}")
}

#[post("/items/<int:item_id>")]
fn update(item_id: u64) -> impl IntoResponse {
    format!("updated {item_id}")
}

fn main() {
    let client = App::new().mount(routes![by_id, by_name, update]).test_client();
    assert_eq!(client.get("/items/7").send().text(), "id 7");
    assert_eq!(client.get("/items/pen").send().text(), "name pen");
    assert_eq!(client.post("/items/7").send().text(), "updated 7");
}
