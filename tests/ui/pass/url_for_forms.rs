// url_for! with a variable, a value of the parameter's type, a handler in another module and
// one in a nested blueprint, and handlers of one name in nested modules.
use carafe::prelude::*;

mod shop {
    pub mod admin {
        use carafe::prelude::*;

        #[route("/")]
        pub fn index() -> &'static str {
            "admin"
        }

        #[route("/orders/<int:order_id>")]
        pub fn order(order_id: u64) -> String {
            // The top-level `index` and this module's own, by path and by name.
            format!("{} {} {order_id}", url_for!(crate::index), url_for!(index))
        }
    }
}

#[route("/")]
fn index() -> &'static str {
    "home"
}

#[route("/items/<int:item_id>/<name>")]
fn get_item(item_id: u32, name: String) -> String {
    format!("{item_id} {name}")
}

fn main() {
    let app = App::new().mount(routes![index, get_item]).register(
        Blueprint::new("/shop")
            .register(Blueprint::new("/admin").mount(routes![shop::admin::index, shop::admin::order])),
    );
    let item_id: u32 = 7;
    let name = String::from("pear");
    let _ = url_for!(get_item, item_id = item_id, name = name);
    let _ = url_for!(get_item, name = "pear", item_id = 7u32,);
    let _ = url_for!(shop::admin::order, order_id = 12);
    let _ = url_for!(shop::admin::index);
    // Outside a request, the app says under which prefix.
    let _: String = app.url_for(&url_for!(index)).into();
}
