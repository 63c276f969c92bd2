//! Static files over a socket: the static folder at `/static/<path:filename>` and
//! `send_file`/`send_from_directory` with their type, length, ETag and date; 304, 206 and 416;
//! and nothing outside the folder, however the path is spelled.

mod common;

use std::path::{Path, PathBuf};

use carafe::prelude::*;
use carafe::{send_file, send_from_directory, SendFile};
use common::{raw_exchange, send, split_raw};

const HELLO: &str = "hello, static world\n";

/// A fresh site: `static/` with files, a folder, a link inside and a link out, and a secret
/// beside `static/`.
fn site(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("carafe-static-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let folder = root.join("static");
    std::fs::create_dir_all(folder.join("css")).unwrap();
    std::fs::write(folder.join("hello.txt"), HELLO).unwrap();
    std::fs::write(folder.join("css/site.css"), "body { color: teal }\n").unwrap();
    std::fs::write(folder.join("page.html"), "<p>hi</p>").unwrap();
    std::fs::write(root.join("secret.txt"), "the secret").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(root.join("secret.txt"), folder.join("leak.txt")).unwrap();
        std::os::unix::fs::symlink(folder.join("hello.txt"), folder.join("alias.txt")).unwrap();
    }
    root
}

fn downloads() -> PathBuf {
    PathBuf::from(std::env::var("CARAFE_TEST_DOWNLOADS").unwrap())
}

#[route("/download/<name>")]
fn download(name: String) -> SendFile {
    send_from_directory(downloads(), &name)
}

/// In an async handler, awaited as a future (it is ready at once), in a `Result`.
#[route("/latest")]
async fn latest() -> Result<SendFile, carafe::Error> {
    tokio::task::yield_now().await;
    Ok(send_file(downloads().join("hello.txt")).await)
}

fn app(root: &Path) -> App {
    App::new().static_folder(root.join("static"))
}

#[tokio::test]
async fn a_file_is_served_with_its_type_length_etag_and_date() {
    let root = site("plain");
    let addr = common::serve(app(&root)).await;
    let answer = send(addr, "GET", "/static/hello.txt", &[], "").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, HELLO);
    assert_eq!(
        answer.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        answer.header("content-length"),
        Some(HELLO.len().to_string().as_str())
    );
    let etag = answer.header("etag").expect("an ETag");
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert!(answer.header("last-modified").is_some());

    let answer = send(addr, "GET", "/static/css/site.css", &[], "").await;
    assert_eq!(
        answer.header("content-type"),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(answer.body, "body { color: teal }\n");
    // A link that stays inside the folder is followed.
    #[cfg(unix)]
    assert_eq!(
        send(addr, "GET", "/static/alias.txt", &[], "").await.body,
        HELLO
    );

    // HEAD: the same head, no body.
    let raw = raw_exchange(
        addr,
        b"HEAD /static/hello.txt HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    let (head, body) = split_raw(&raw);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains(&format!("content-length: {}", HELLO.len())),
        "{head}"
    );
    assert_eq!(body, "");

    // HTTP/2 too.
    let answer = common::get_http2(addr, "/static/hello.txt").await;
    assert_eq!(answer.body, HELLO);
    std::fs::remove_dir_all(root).unwrap();
}

#[tokio::test]
async fn conditional_requests_answer_304() {
    let root = site("conditional");
    let addr = common::serve(app(&root)).await;
    let first = send(addr, "GET", "/static/hello.txt", &[], "").await;
    let etag = first.header("etag").unwrap();
    let date = first.header("last-modified").unwrap();

    let listed = format!("\"other\", {etag}");
    for headers in [
        vec![("if-none-match", etag)],
        vec![("if-none-match", listed.as_str())],
        vec![("if-none-match", "*")],
        vec![("if-modified-since", date)],
    ] {
        let answer = send(addr, "GET", "/static/hello.txt", &headers, "").await;
        assert_eq!(answer.status, 304, "{headers:?}");
        assert_eq!(answer.body, "");
        assert_eq!(answer.header("etag"), Some(etag), "{headers:?}");
    }
    for headers in [
        vec![("if-none-match", "\"other\"")],
        vec![("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT")],
        // If-None-Match decides when both are sent: a changed file is sent whole.
        vec![("if-none-match", "\"other\""), ("if-modified-since", date)],
        // A date that does not parse is no condition.
        vec![("if-modified-since", "yesterday")],
    ] {
        let answer = send(addr, "GET", "/static/hello.txt", &headers, "").await;
        assert_eq!(answer.status, 200, "{headers:?}");
        assert_eq!(answer.body, HELLO);
    }
    std::fs::remove_dir_all(root).unwrap();
}

#[tokio::test]
async fn ranges_answer_206_and_bad_ones_416() {
    let root = site("ranges");
    let addr = common::serve(app(&root)).await;
    let answer = send(
        addr,
        "GET",
        "/static/hello.txt",
        &[("range", "bytes=0-4")],
        "",
    )
    .await;
    assert_eq!(answer.status, 206);
    assert_eq!(answer.body, "hello");
    assert_eq!(
        answer.header("content-range"),
        Some(format!("bytes 0-4/{}", HELLO.len()).as_str())
    );
    assert_eq!(answer.header("content-length"), Some("5"));
    let answer = send(
        addr,
        "GET",
        "/static/hello.txt",
        &[("range", "bytes=-6")],
        "",
    )
    .await;
    assert_eq!(answer.status, 206);
    assert_eq!(answer.body, "world\n");

    for bad in [
        "bytes=100-200",
        "bytes=9-2",
        "bytes=x-y",
        "lines=1-2",
        "bytes=0-1,4-5",
    ] {
        let answer = send(addr, "GET", "/static/hello.txt", &[("range", bad)], "").await;
        assert_eq!(answer.status, 416, "{bad}");
        assert_eq!(
            answer.header("content-range"),
            Some(format!("bytes */{}", HELLO.len()).as_str()),
            "{bad}"
        );
    }

    // If-Range with the current ETag keeps the range; with another, the whole file is sent.
    let etag = answer_etag(addr).await;
    let answer = send(
        addr,
        "GET",
        "/static/hello.txt",
        &[("range", "bytes=0-4"), ("if-range", &etag)],
        "",
    )
    .await;
    assert_eq!(answer.status, 206);
    let answer = send(
        addr,
        "GET",
        "/static/hello.txt",
        &[("range", "bytes=0-4"), ("if-range", "\"old\"")],
        "",
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, HELLO);
    std::fs::remove_dir_all(root).unwrap();
}

async fn answer_etag(addr: std::net::SocketAddr) -> String {
    let answer = send(addr, "GET", "/static/hello.txt", &[], "").await;
    answer.header("etag").unwrap().to_owned()
}

#[tokio::test]
async fn nothing_outside_the_folder_is_served() {
    let root = site("outside");
    let addr = common::serve(app(&root)).await;
    let absolute = root.join("secret.txt");
    let absolute_encoded = absolute.display().to_string().replace('/', "%2f");
    let attempts = [
        "/static/../secret.txt".to_owned(),
        "/static/%2e%2e/secret.txt".to_owned(),
        "/static/%2E%2E/secret.txt".to_owned(),
        "/static/..%2fsecret.txt".to_owned(),
        "/static/css/..%2f..%2fsecret.txt".to_owned(),
        "/static/css/../../secret.txt".to_owned(),
        format!("/static/{absolute_encoded}"),
        format!("/static/{}", absolute.display()),
        "/static/..%5csecret.txt".to_owned(),
        "/static/leak.txt".to_owned(),
        "/static/css".to_owned(),
        "/static/missing.txt".to_owned(),
        "/static/hello.txt%00.png".to_owned(),
    ];
    for path in attempts {
        let request = format!("GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
        let raw = raw_exchange(addr, request.as_bytes()).await;
        let (head, body) = split_raw(&raw);
        assert!(!body.contains("the secret"), "{path}: {raw}");
        // A 404, or Werkzeug's redirect to the merged path, which is a 404 in turn.
        assert!(
            head.starts_with("http/1.1 404") || head.starts_with("http/1.1 308"),
            "{path}: {head}"
        );
    }
    // The server is still up.
    assert_eq!(
        send(addr, "GET", "/static/hello.txt", &[], "").await.status,
        200
    );
    std::fs::remove_dir_all(root).unwrap();
}

#[tokio::test]
async fn send_file_and_send_from_directory_answer_as_the_static_route_does() {
    let root = site("send");
    std::env::set_var("CARAFE_TEST_DOWNLOADS", root.join("static"));
    let addr = common::serve(App::new().mount(routes![download, latest])).await;
    let answer = send(addr, "GET", "/download/hello.txt", &[], "").await;
    assert_eq!(answer.body, HELLO);
    let etag = answer.header("etag").unwrap().to_owned();
    let answer = send(addr, "GET", "/latest", &[("if-none-match", &etag)], "").await;
    assert_eq!(answer.status, 304);
    let answer = send(addr, "GET", "/latest", &[("range", "bytes=7-12")], "").await;
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (206, "static")
    );
    for name in ["..%2fsecret.txt", "%2e%2e", "leak.txt", "nothing"] {
        let answer = send(addr, "GET", &format!("/download/{name}"), &[], "").await;
        assert_eq!(answer.status, 404, "{name}");
    }
    std::fs::remove_dir_all(root).unwrap();
}

#[tokio::test]
async fn the_prefix_and_folder_can_be_set() {
    let root = site("settings");
    let app = App::new()
        .static_folder(root.join("static"))
        .static_url_path("/assets");
    let listing = app.routes_table().to_string();
    assert!(listing.contains("/assets/<path:filename>"), "{listing}");
    let addr = common::serve(app).await;
    assert_eq!(
        send(addr, "GET", "/assets/hello.txt", &[], "").await.body,
        HELLO
    );
    assert_eq!(
        send(addr, "GET", "/static/hello.txt", &[], "").await.status,
        404
    );

    // A folder that does not exist stops the app, saying which.
    let missing = root.join("nowhere");
    let problem = common::start_refused(App::new().static_folder(&missing))
        .await
        .to_string();
    assert!(
        problem.contains("static folder") && problem.contains("nowhere"),
        "{problem}"
    );
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn an_app_without_a_static_folder_has_no_static_route() {
    // tests/ has no static/ folder, and neither has the working folder.
    let listing = App::new().routes_table().to_string();
    assert!(!listing.contains("/static/"), "{listing}");
}
