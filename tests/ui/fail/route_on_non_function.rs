// `#[route]` goes on a function.
use carafe::prelude::*;

#[route("/items")]
struct Items;

fn main() {}
