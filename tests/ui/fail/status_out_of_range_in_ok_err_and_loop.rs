// Out-of-range statuses in `Ok(..)`, `Err(..)` and a `loop`'s `break`.
use carafe::prelude::*;

#[route("/result/<int:n>")]
fn result(n: u32) -> Result<(&'static str, u16), (&'static str, u16)> {
    let mut i = 0;
    if n == 0 {
        return loop {
            i += 1;
            if i > n {
                break Ok(("looped", 2000));
            }
        };
    }
    if n == 1 {
        Ok(("one", 99))
    } else {
        Err(("other", 700))
    }
}

fn main() {
    App::new().mount(routes![result]);
}
