//! `multipart/form-data` bodies over a real socket, as Flask's `request.form` and
//! `request.files`: text fields through `Form` and `Form<T>`, files through `Files`, parts one
//! by one through `Multipart`, Werkzeug's limits, and hostile bodies that must answer 400 or
//! 413 and leave no file behind. Werkzeug's `tests/test_formparser.py` is the checklist.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use carafe::prelude::*;
use common::Connection;
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BOUNDARY: &str = "----carafeBoundary7MA4YWxkTrZu0gW";

/// Held by the tests whose files go to disk: one counts the temporary files the process
/// holds, and must not count another test's.
static SPOOLING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// One part of a multipart body: its field, file name, content type and data.
struct PartSpec<'a> {
    field: &'a str,
    filename: Option<&'a str>,
    content_type: Option<&'a str>,
    data: &'a [u8],
}

fn text<'a>(field: &'a str, value: &'a str) -> PartSpec<'a> {
    PartSpec {
        field,
        filename: None,
        content_type: None,
        data: value.as_bytes(),
    }
}

fn file<'a>(field: &'a str, filename: &'a str, data: &'a [u8]) -> PartSpec<'a> {
    PartSpec {
        field,
        filename: Some(filename),
        content_type: Some("application/octet-stream"),
        data,
    }
}

/// The body a browser sends for these parts.
fn multipart(parts: &[PartSpec<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", part.field);
        if let Some(filename) = part.filename {
            disposition.push_str(&format!("; filename=\"{filename}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(content_type) = part.content_type {
            body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(part.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// What a handler saw of one file.
fn describe(file: &carafe::UploadedFile) -> String {
    let bytes = file.bytes().expect("the file reads back");
    format!(
        "{}={}:{}:{}:{}:{}",
        file.field(),
        file.filename().unwrap_or("-"),
        file.content_type().unwrap_or("-"),
        file.len(),
        if file.is_in_memory() {
            "memory"
        } else {
            "disk"
        },
        bytes.iter().map(|&byte| u64::from(byte)).sum::<u64>()
    )
}

#[route("/profile", POST)]
fn profile(form: Form, files: Files) -> String {
    let mut seen = vec![format!("name={}", form.get("name").unwrap_or("-"))];
    seen.extend(files.iter().map(describe));
    seen.join(" ")
}

/// A plain handler with text fields alone: it answers once the app has read the body.
#[route("/comment", POST)]
fn comment(form: Form) -> String {
    format!(
        "{} by {}",
        form.get("text").unwrap_or("-"),
        form.get("author").unwrap_or("-")
    )
}

#[derive(Deserialize)]
struct Signup {
    username: String,
    age: u8,
}

#[route("/signup", POST)]
fn signup(Form(signup): Form<Signup>) -> String {
    format!("{} is {}", signup.username, signup.age)
}

/// Streams the parts without holding them: their fields and sizes.
#[route("/stream", POST)]
async fn stream(mut multipart: Multipart) -> Result<String, HttpError> {
    let mut seen = Vec::new();
    while let Some(mut part) = multipart.next_part().await? {
        let mut size = 0;
        while let Some(chunk) = part.chunk().await? {
            size += chunk.len();
        }
        seen.push(format!("{}:{size}", part.field()));
    }
    Ok(seen.join(" "))
}

fn app() -> App {
    App::new().mount(routes![profile, comment, signup, stream])
}

/// Posts `body` as a multipart form with this boundary in its `Content-Type`.
async fn post(addr: SocketAddr, path: &str, body: &[u8]) -> common::Answer {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    post_as(addr, path, &content_type, body).await
}

async fn post_as(addr: SocketAddr, path: &str, content_type: &str, body: &[u8]) -> common::Answer {
    let (head, body) = common::post_raw(addr, path, content_type, "", body).await;
    let status = head[9..12].parse().unwrap();
    common::Answer {
        status: carafe::StatusCode::from_u16(status).unwrap(),
        headers: carafe::HeaderMap::new(),
        body,
    }
}

/// The sum of the bytes, as `describe` gives it.
fn sum(data: &[u8]) -> u64 {
    data.iter().map(|&byte| u64::from(byte)).sum()
}

#[tokio::test]
async fn text_fields_and_files_as_flasks_request_form_and_files() {
    let addr = common::serve(app()).await;
    let photo: Vec<u8> = (0..=255).cycle().take(3000).collect();
    let body = multipart(&[
        text("name", "Sam"),
        file("photo", "me.png", &photo),
        file("photo", "", b""),
    ]);
    let answer = post(addr, "/profile", &body).await;
    assert_eq!(
        answer.body,
        format!(
            "name=Sam photo=me.png:application/octet-stream:3000:memory:{} \
             photo=:application/octet-stream:0:memory:0",
            sum(&photo)
        )
    );
    let answer = post(
        addr,
        "/comment",
        &multipart(&[text("text", "Nice"), text("author", "Ana")]),
    )
    .await;
    assert_eq!(answer.body, "Nice by Ana");
    let answer = post(
        addr,
        "/signup",
        &multipart(&[text("username", "sam"), text("age", "41")]),
    )
    .await;
    assert_eq!(answer.body, "sam is 41");
    let answer = post(
        addr,
        "/signup",
        &multipart(&[text("username", "sam"), text("age", "old")]),
    )
    .await;
    assert_eq!(answer.status, 400);
    assert!(answer.body.contains("Invalid form"), "{}", answer.body);
}

#[tokio::test]
async fn the_test_client_sends_a_form_with_files_as_a_browser_does() {
    let client = app().test_client();
    let photo: Vec<u8> = (0..=255).cycle().take(3000).collect();
    // A file whose contents hold the first boundary the client would pick: it picks another.
    let tricky = b"--carafe-test-form-0\r\n".to_vec();
    let response = client
        .post("/profile")
        .form(&[("name", "Sam \"the cat\"")])
        .file("photo", "me.png", photo.clone())
        .file("notes", "notes.txt", tricky.clone())
        .await;
    assert_eq!(response.status(), 200, "{}", response.text());
    assert_eq!(
        response.text(),
        format!(
            "name=Sam \"the cat\" photo=me.png:application/octet-stream:3000:memory:{} \
             notes=notes.txt:application/octet-stream:22:memory:{}",
            sum(&photo),
            sum(&tricky)
        )
    );
    // Without a file, the form is urlencoded, as before.
    let response = client
        .post("/signup")
        .form(&[("username", "sam"), ("age", "41")])
        .await;
    assert_eq!(response.text(), "sam is 41");
}

#[tokio::test]
async fn a_file_past_500_kb_goes_to_a_temporary_file_and_reads_back_whole() {
    let _spooling = SPOOLING.lock().await;
    let addr = common::serve(app().body_limit(4 << 20)).await;
    let large: Vec<u8> = (0..=250).cycle().take(600_000).collect();
    let body = multipart(&[text("name", "Sam"), file("video", "clip.bin", &large)]);
    let answer = post(addr, "/profile", &body).await;
    assert_eq!(
        answer.body,
        format!(
            "name=Sam video=clip.bin:application/octet-stream:600000:disk:{}",
            sum(&large)
        )
    );
    let answer = post(addr, "/stream", &body).await;
    assert_eq!(answer.body, "name:3 video:600000");
}

#[tokio::test]
async fn past_werkzeugs_limits_413_names_the_limit_and_its_setting() {
    let addr = common::serve(app().max_form_memory_size(1000).max_form_parts(5)).await;
    let long = "x".repeat(1001);
    let answer = post(addr, "/comment", &multipart(&[text("text", &long)])).await;
    assert_eq!(answer.status, 413);
    assert!(
        answer.body.contains("App::max_form_memory_size"),
        "{}",
        answer.body
    );
    let many: Vec<PartSpec<'_>> = (0..6).map(|_| text("tag", "a")).collect();
    for path in ["/comment", "/profile", "/stream"] {
        let answer = post(addr, path, &multipart(&many)).await;
        assert_eq!(answer.status, 413, "{path}");
        assert!(
            answer
                .body
                .contains("more than 5 parts (App::max_form_parts)"),
            "{}",
            answer.body
        );
    }
    // The body limit holds over the whole multipart body, streamed or not.
    let addr = common::serve(app().body_limit(4096)).await;
    let big = vec![b'x'; 8000];
    for path in ["/comment", "/profile", "/stream"] {
        let answer = post(addr, path, &multipart(&[file("f", "f.bin", &big)])).await;
        assert_eq!(answer.status, 413, "{path}: {}", answer.body);
    }
}

#[tokio::test]
async fn hostile_bodies_answer_400_or_413_never_500() {
    let addr = common::serve(app()).await;
    let no_boundary = post_as(
        addr,
        "/profile",
        "multipart/form-data",
        &multipart(&[text("a", "b")]),
    )
    .await;
    assert_eq!(no_boundary.status, 400);
    assert!(
        no_boundary.body.contains("no boundary"),
        "{}",
        no_boundary.body
    );

    let whole = multipart(&[text("name", "Sam"), file("photo", "a.png", b"data")]);
    // A body that ends before its closing boundary, as Werkzeug's test_end_of_file.
    let premature = &whole[..whole.len() - 20];
    // A part with no Content-Disposition.
    let nameless =
        format!("--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--{BOUNDARY}--\r\n");
    // Nonstandard line endings, as Werkzeug's test_nonstandard_line_endings.
    let bare_lf =
        format!("--{BOUNDARY}\nContent-Disposition: form-data; name=foo\n\nbar\n--{BOUNDARY}--");
    // A part header of 1 MiB.
    let huge_header = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Padding: {}\r\n\r\nb\r\n--{BOUNDARY}--\r\n",
        "p".repeat(1 << 20)
    );
    // No parts at all, only garbage.
    let garbage = b"this is not a multipart body at all".to_vec();
    // A NUL in a file name: no header may hold one.
    let nul_name = multipart(&[file("f", "photo\0.png", b"x")]);
    for (case, body) in [
        ("premature end", premature.to_vec()),
        ("no Content-Disposition", nameless.into_bytes()),
        ("bare LF line endings", bare_lf.into_bytes()),
        ("1 MiB part header", huge_header.into_bytes()),
        ("garbage", garbage),
        ("NUL in a file name", nul_name),
    ] {
        for path in ["/profile", "/comment", "/stream"] {
            let answer = post(addr, path, &body).await;
            assert!(
                matches!(answer.status.as_u16(), 400 | 413),
                "{case} on {path}: {} {}",
                answer.status,
                answer.body
            );
        }
    }
    // 10,000 parts: refused at the default limit of 1,000.
    let many: Vec<PartSpec<'_>> = (0..10_000).map(|_| text("t", "")).collect();
    let answer = post(addr, "/profile", &multipart(&many)).await;
    assert_eq!(answer.status, 413, "{}", answer.body);
}

#[tokio::test]
async fn file_names_arrive_as_sent_with_old_ies_folders_cut_off() {
    let addr = common::serve(app()).await;
    for (sent, kept) in [
        ("../../etc/passwd", "../../etc/passwd"),
        ("C:\\Users\\me\\photo.png", "photo.png"),
        ("\\\\server\\share\\photo.png", "photo.png"),
        ("naïve résumé.pdf", "naïve résumé.pdf"),
    ] {
        let answer = post(addr, "/profile", &multipart(&[file("f", sent, b"x")])).await;
        assert!(
            answer.body.contains(&format!("f={kept}:")),
            "{sent}: {}",
            answer.body
        );
    }
    // RFC 2231's `filename*`, alone or over a plain `filename`.
    for disposition in [
        "name=\"f\"; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9.pdf",
        "name=\"f\"; filename=\"naive.pdf\"; filename*=utf-8''na%C3%AFve%20r%C3%A9sum%C3%A9.pdf",
    ] {
        let body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; {disposition}\r\n\r\nx\r\n--{BOUNDARY}--\r\n"
        );
        let answer = post(addr, "/profile", body.as_bytes()).await;
        assert!(
            answer.body.contains("f=naïve résumé.pdf:"),
            "{disposition}: {}",
            answer.body
        );
    }
}

/// The unnamed temporary files this process holds open: gone once closed.
fn temporary_files_open() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|fds| {
            fds.filter_map(Result::ok)
                .filter_map(|fd| std::fs::read_link(fd.path()).ok())
                .filter(|target| target.to_string_lossy().contains("(deleted)"))
                .count()
        })
        .unwrap_or(0)
}

/// The head of a multipart POST to `path` whose body is declared `length` bytes long.
fn declared_head(path: &str, length: usize) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; \
         boundary={BOUNDARY}\r\nContent-Length: {length}\r\n\r\n"
    )
    .into_bytes()
}

/// The first answer on `stream`, which must come once the body read timeout passes.
async fn answer_after_the_timeout(stream: &mut TcpStream) -> String {
    let mut answer = vec![0; 4096];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("an answer once the body read timeout passes")
        .unwrap();
    String::from_utf8_lossy(&answer[..read]).into_owned()
}

#[tokio::test]
async fn a_body_that_stops_mid_file_answers_and_leaves_no_file_behind() {
    let _spooling = SPOOLING.lock().await;
    let addr = common::serve(app().body_read_timeout(Duration::from_millis(500))).await;
    let before = temporary_files_open();
    let large = vec![b'z'; 1_200_000];
    let body = multipart(&[file("video", "clip.bin", &large)]);
    // Declared whole, sent two thirds: the file is on disk when the body stops.
    let mut request = declared_head("/profile", body.len());
    request.extend_from_slice(&body[..body.len() * 2 / 3]);
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(&request).await.unwrap();
    // 800 kB of the file came: it is on disk, in a temporary file.
    let mut spooled = false;
    for _ in 0..40 {
        spooled = temporary_files_open() > before;
        if spooled {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(spooled, "no temporary file while the file came");
    let answer = answer_after_the_timeout(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    // The client that goes away mid-file, too.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(&request).await.unwrap();
    drop(stream);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut left = temporary_files_open();
    for _ in 0..50 {
        if left <= before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = temporary_files_open();
    }
    assert!(
        left <= before,
        "{left} temporary files open, {before} before"
    );
    // And the server serves on.
    let mut connection = Connection::open(addr).await;
    let answer = connection.send("POST", "/comment", &[], "").await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn a_body_streamed_part_by_part_is_read_within_the_body_read_timeout_too() {
    let addr = common::serve(app().body_read_timeout(Duration::from_millis(300))).await;
    let body = multipart(&[
        text("note", "first"),
        file("video", "clip.bin", &[b'v'; 4096]),
    ]);
    let mut request = declared_head("/stream", body.len());
    // The first part and some of the file; then the client stalls.
    request.extend_from_slice(&body[..body.len() / 2]);
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(&request).await.unwrap();
    let answer = answer_after_the_timeout(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("did not arrive within 0.3 s"), "{answer}");
}

/// Werkzeug's `tests/test_formparser.py`, case by case where carafe reads the body as it does.
#[tokio::test]
async fn werkzeugs_form_parser_cases() {
    let addr = common::serve(app()).await;
    // test_basic: browsers quote the boundary in the Content-Type.
    let body = multipart(&[text("name", "quoted"), file("photo", "a.png", b"png")]);
    let quoted = format!("multipart/form-data; boundary=\"{BOUNDARY}\"");
    let answer = post_as(addr, "/profile", &quoted, &body).await;
    assert!(
        answer.body.starts_with("name=quoted photo=a.png:"),
        "{}",
        answer.body
    );
    // test_file_no_content_type: a file part without Content-Type keeps its name and data.
    let body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"test\"; filename=\"test.txt\"\r\n\r\n\
         file contents\r\n--{BOUNDARY}--"
    );
    let answer = post(addr, "/profile", body.as_bytes()).await;
    assert_eq!(
        answer.body,
        format!("name=- test=test.txt:-:13:memory:{}", sum(b"file contents"))
    );
    // test_headers: other part headers are kept out of the way; the type keeps its charset.
    let body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"foo\"; filename=\"foo.txt\"\r\n\
         X-Custom-Header: blah\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         file contents, just the contents\r\n--{BOUNDARY}--"
    );
    let answer = post(addr, "/profile", body.as_bytes()).await;
    assert!(
        answer
            .body
            .starts_with("name=- foo=foo.txt:text/plain; charset=utf-8:32:"),
        "{}",
        answer.body
    );
    // test_extra_newline: blank lines before the first boundary are a preamble.
    let body = format!(
        "\r\n\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\na string\r\n--{BOUNDARY}--"
    );
    let answer = post(addr, "/comment", body.as_bytes()).await;
    assert_eq!(answer.body, "a string by -");
    // test_limiting: a field over max_form_memory_size, through the app's setting.
    let addr = common::serve(app().max_form_memory_size(7)).await;
    let body = multipart(&[text("text", "Hello World")]);
    assert_eq!(post(addr, "/comment", &body).await.status, 413);
    let addr = common::serve(app().max_form_memory_size(400)).await;
    assert_eq!(post(addr, "/comment", &body).await.body, "Hello World by -");
    // test_missing_multipart_boundary: Werkzeug gives an empty form; carafe says why it
    // cannot read one.
    assert_eq!(
        post_as(addr, "/comment", "multipart/form-data", &body)
            .await
            .status,
        400
    );
}
