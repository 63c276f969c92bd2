// An async block's value is its own, in a sync or an async handler.
use carafe::prelude::*;

#[get("/async")]
async fn async_block() -> impl IntoResponse {
    let pair = async { ("k", "404") }.await;
    let future = async move {
        if pair.0.is_empty() {
            return ("a", "500");
        }
        pair
    };
    format!("{:?}", future.await)
}

fn main() {
    let client = App::new().mount(routes![async_block]).test_client();
    assert_eq!(client.get("/async").send().text(), r#"("k", "404")"#);
}
