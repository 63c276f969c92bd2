//! The uploads example over a real socket, as a browser posts its form: Flask's "Uploading
//! Files" pattern, from the form to the file served back.

mod common;

#[path = "../examples/uploads.rs"]
#[allow(dead_code)]
mod uploads;

use std::net::SocketAddr;

const BOUNDARY: &str = "----WebKitFormBoundarydK2qWsHnzcXcF3yH";

/// The body a browser sends for the form's one file input.
fn form_with_file(filename: &str, content_type: &str, data: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
         Content-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts `body` as the form does, with these extra headers: the answer's head, lowercased,
/// and body.
async fn post(addr: SocketAddr, body: &[u8], headers: &str) -> (String, String) {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    common::post_raw(addr, "/", &content_type, headers, body).await
}

#[tokio::test]
async fn a_file_posted_by_the_form_is_saved_and_served_back() {
    let folder = tempfile::tempdir().unwrap();
    let addr = common::serve(uploads::app(folder.path().to_owned())).await;

    let page = common::send(addr, "GET", "/", &[], "").await;
    assert!(
        page.body
            .contains("<form method=post enctype=multipart/form-data>"),
        "{}",
        page.body
    );

    let notes = b"buy milk\ncall Sam\n";
    let (head, _) = post(
        addr,
        &form_with_file("my notes.txt", "text/plain", notes),
        "",
    )
    .await;
    assert!(head.starts_with("http/1.1 302"), "{head}");
    assert!(head.contains("location: /uploads/my_notes.txt"), "{head}");
    assert_eq!(
        std::fs::read(folder.path().join("my_notes.txt")).unwrap(),
        notes
    );
    let served = common::send(addr, "GET", "/uploads/my_notes.txt", &[], "").await;
    assert_eq!(served.body.as_bytes(), notes);
    assert_eq!(
        served.header("content-type"),
        Some("text/plain; charset=utf-8")
    );

    // A name that climbs out of the folder is cleaned, and stays inside it.
    let (head, _) = post(
        addr,
        &form_with_file("../../escape.png", "image/png", b"png"),
        "",
    )
    .await;
    assert!(head.contains("location: /uploads/escape.png"), "{head}");
    assert!(folder.path().join("escape.png").exists());
    // A picture past 500 kB, which waits on disk until it is saved.
    let photo: Vec<u8> = (0..=255).cycle().take(700_000).collect();
    let (head, _) = post(addr, &form_with_file("photo.jpg", "image/jpeg", &photo), "").await;
    assert!(head.contains("location: /uploads/photo.jpg"), "{head}");
    assert_eq!(
        std::fs::read(folder.path().join("photo.jpg")).unwrap(),
        photo
    );
}

#[tokio::test]
async fn what_the_pattern_refuses_answers_400_with_the_form_and_why() {
    let folder = tempfile::tempdir().unwrap();
    let addr = common::serve(uploads::app(folder.path().to_owned())).await;
    let no_file_part = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--{BOUNDARY}--\r\n"
    );
    for (body, says) in [
        (
            form_with_file("tool.exe", "application/octet-stream", b"MZ"),
            "Only txt, pdf",
        ),
        (
            form_with_file("", "application/octet-stream", b""),
            "No selected file",
        ),
        (no_file_part.into_bytes(), "No file part"),
    ] {
        let (head, page) = post(addr, &body, "").await;
        assert!(head.starts_with("http/1.1 400"), "{says}: {head}");
        assert!(page.contains(says) && page.contains("<form"), "{page}");
    }
    assert_eq!(
        std::fs::read_dir(folder.path()).unwrap().count(),
        0,
        "nothing saved"
    );
    // Nothing outside the folder is served, and another site's page cannot post.
    let answer = common::send(addr, "GET", "/uploads/..%2F..%2Fetc%2Fpasswd", &[], "").await;
    assert_eq!(answer.status, 404);
    let (head, _) = post(
        addr,
        &form_with_file("a.txt", "text/plain", b"a"),
        "Sec-Fetch-Site: cross-site\r\nOrigin: https://elsewhere.example\r\n",
    )
    .await;
    assert!(head.starts_with("http/1.1 403"), "{head}");
}

#[test]
fn the_openapi_document_shows_a_multipart_body_with_a_binary_file() {
    let document = uploads::app(std::env::temp_dir()).openapi();
    let body = &document["paths"]["/"]["post"]["requestBody"];
    assert_eq!(
        body["content"]["multipart/form-data"]["schema"]["additionalProperties"],
        serde_json::json!({ "type": "string", "format": "binary" })
    );
    assert_eq!(body["x-body-limit"], 16_000_000);
}
