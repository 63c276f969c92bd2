// A header value with a control character other than CR, LF or NUL cannot be sent either:
// `http` refuses it, so it is refused here rather than answering 500 at run time.
use carafe::prelude::*;

#[route("/report")]
fn report() -> impl IntoResponse {
    (
        "ok",
        200,
        [
            ("X-A", "a\x01b"),
            ("X-Bell", "ring\x07"),
            ("X-Delete", "gone\x7f"),
            ("X-Escape", "\x1b[31mred"),
        ],
    )
}

fn main() {
    App::new().mount(routes![report]);
}
