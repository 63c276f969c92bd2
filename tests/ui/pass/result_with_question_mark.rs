// `Result` handlers with `?`: integer statuses in the errors, and `?` on errors that are
// responses already.
use carafe::prelude::*;

#[get("/items/<item_id>")]
fn get_item(item_id: String, form: Form) -> Result<String, (String, u16)> {
    let id: u32 = item_id
        .parse()
        .map_err(|_| (format!("{item_id} is not a number"), 400))?;
    let name = form
        .get("name")
        .ok_or_else(|| ("Missing name".to_owned(), 422))?;
    if id == 0 {
        Err(("No item zero".to_owned(), 404))?;
    }
    Ok(format!("{id}: {name}"))
}

#[post("/required")]
fn required(form: Form) -> Result<String, HttpError> {
    Ok(form.require("name")?.to_owned())
}

fn main() {
    let client = App::new().mount(routes![get_item, required]).test_client();
    let get = |path: &str| client.get(path).form(&[("name", "a")]).send();
    assert_eq!(get("/items/x").status(), 400);
    assert_eq!(client.get("/items/1").send().status(), 422);
    assert_eq!(get("/items/0").status(), 404);
    assert_eq!(get("/items/1").text(), "1: a");
    assert_eq!(client.post("/required").send().status(), 400);
}
