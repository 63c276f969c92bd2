// String statuses in errors a `?` returns: `Err(..)?`, `.ok_or(..)?`, `.map_err(|_| ..)?`.
use carafe::prelude::*;

#[route("/items/<item_id>")]
fn get_item(item_id: String, form: Form) -> Result<String, (&'static str, u16)> {
    let id: u32 = item_id.parse().map_err(|_| ("Bad id", "400"))?;
    let name = form.get("name").ok_or(("Missing name", "400"))?;
    if id == 0 {
        Err(("No item zero", "404"))?;
    }
    Ok(format!("{id}: {name}"))
}

fn main() {
    App::new().mount(routes![get_item]);
}
