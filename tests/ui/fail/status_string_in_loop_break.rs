// String statuses in the `break` values of a `loop` and of a labeled block.
use carafe::prelude::*;

#[route("/retry")]
fn retry() -> impl IntoResponse {
    let mut attempts = 0;
    loop {
        attempts += 1;
        if attempts > 3 {
            break ("Gave up", "503");
        }
    }
}

#[route("/labeled")]
fn labeled() -> impl IntoResponse {
    'answer: {
        for n in 0..10 {
            if n == 7 {
                break 'answer ("Found seven", "302");
            }
        }
        ("No seven", 404)
    }
}

fn main() {
    App::new().mount(routes![retry, labeled]);
}
