// A string status at the end of nested blocks.
use carafe::prelude::*;

#[route("/block")]
fn block() -> impl IntoResponse {
    let ready = true;
    {
        let message = if ready { "ready" } else { "wait" };
        {
            (message, "503")
        }
    }
}

fn main() {
    App::new().mount(routes![block]);
}
