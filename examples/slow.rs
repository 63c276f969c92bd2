//! Graceful shutdown to watch: `/slow` takes a second to answer, and stopping the server while it
//! runs lets it finish first. New connections are refused as soon as the signal arrives.
//!
//! ```text
//! cargo run --example slow
//! curl -i http://localhost:5000/slow &    # then press Ctrl-C (or kill -TERM) in the server:
//!                                         # curl still gets 200 "done", and the server exits 0
//! ```

use std::time::Duration;

use carafe::prelude::*;

#[route("/slow")]
async fn slow() -> &'static str {
    // Printed so a user (and the shutdown test) can tell the request is in flight.
    println!(" * /slow started: stop the server now, it will answer first");
    tokio::time::sleep(Duration::from_secs(1)).await;
    "done"
}

fn main() {
    App::new().mount(routes![slow]).run();
}
