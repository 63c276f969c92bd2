// A route's body limit that is no size: each says which units there are; one written twice.
use carafe::prelude::*;

#[route("/upload", POST, body_limit = "64 mb")]
fn upload(body: Bytes) -> String {
    format!("{} bytes", body.len())
}

#[route("/archive", POST, body_limit = "lots")]
fn archive(body: Bytes) -> String {
    format!("{} bytes", body.len())
}

#[post("/avatar", body_limit = 65536)]
fn avatar(body: Bytes) -> String {
    format!("{} bytes", body.len())
}

#[post("/backup", body_limit = "1 MiB", body_limit = "2 MiB")]
fn backup(body: Bytes) -> String {
    format!("{} bytes", body.len())
}

fn main() {
    App::new().mount(routes![upload, archive, avatar, backup]);
}
