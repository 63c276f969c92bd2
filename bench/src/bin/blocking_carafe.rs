//! The routes of `blocking.sh` on carafe: plain `fn` handlers, one that sleeps and one that
//! hashes, written as a Flask user would, with nothing to say that they block.

use carafe::prelude::*;
use carafe_bench::{blocking, PLAINTEXT};

#[get("/cheap")]
fn cheap() -> &'static str {
    PLAINTEXT
}

#[get("/sleep")]
fn sleep() -> &'static str {
    std::thread::sleep(blocking::SLEEP);
    blocking::SLEPT
}

#[get("/hash")]
fn hash() -> String {
    blocking::hash()
}

fn main() {
    carafe_bench::serve_carafe(App::new().mount(routes![cheap, sleep, hash]));
}
