//! Flask's "Uploading Files" pattern: a form that posts a file, the extensions allowed,
//! `secure_filename`, the file saved under an upload folder and served back with
//! `send_from_directory`.
//!
//! ```text
//! cargo run --example uploads                  # then open http://localhost:5000/
//! curl -i -F file=@notes.txt http://localhost:5000/       # 302, Location: /uploads/notes.txt
//! curl -i http://localhost:5000/uploads/notes.txt         # the file back
//! curl -i -F file=@tool.exe http://localhost:5000/        # 400, that type is not taken
//! cargo run --example uploads -- openapi       # multipart/form-data, the file as binary
//! ```
//!
//! The folder is `UPLOAD_FOLDER`, or `carafe-uploads` in the system's temporary folder.

use std::path::PathBuf;

use carafe::prelude::*;
use carafe::{send_from_directory, Error, SendFile};

/// Where uploaded files are saved, as Flask's `app.config['UPLOAD_FOLDER']`.
pub struct UploadFolder(pub PathBuf);

/// The extensions taken, as the pattern's `ALLOWED_EXTENSIONS`.
const ALLOWED_EXTENSIONS: [&str; 6] = ["txt", "pdf", "png", "jpg", "jpeg", "gif"];

fn allowed_file(filename: &str) -> bool {
    filename.rsplit_once('.').is_some_and(|(_, extension)| {
        ALLOWED_EXTENSIONS.contains(&extension.to_ascii_lowercase().as_str())
    })
}

/// The form, with a line above it when there is something to say.
fn upload_page(message: &str) -> Response {
    let message = match message {
        "" => String::new(),
        message => format!("<p class=flash>{message}</p>"),
    };
    Response::new(format!(
        "<!doctype html>\n<title>Upload new File</title>\n<h1>Upload new File</h1>\n{message}\
         <form method=post enctype=multipart/form-data>\n  <input type=file name=file>\n  \
         <input type=submit value=Upload>\n</form>\n"
    ))
}

#[route("/", GET, POST, body_limit = "16 MB")]
fn upload_file(
    method: Method,
    files: Files,
    folder: State<UploadFolder>,
) -> Result<Response, Error> {
    if method == Method::GET {
        return Ok(upload_page(""));
    }
    let refuse = |message: &str| Ok((upload_page(message), 400).into_response());
    let Some(file) = files.get("file") else {
        return refuse("No file part");
    };
    // The browser sends the field with an empty name when no file was chosen.
    let sent = file.filename().unwrap_or_default();
    if sent.is_empty() {
        return refuse("No selected file");
    }
    if !allowed_file(sent) {
        return refuse(&format!(
            "Only {} files are taken",
            ALLOWED_EXTENSIONS.join(", ")
        ));
    }
    // Never empty: an allowed extension's letters are kept.
    let filename = secure_filename(sent);
    // A file that cannot be saved is a 500, logged with its cause.
    file.save(folder.0.join(&filename))?;
    Ok(redirect(url_for!(download_file, name = filename.as_str())))
}

#[get("/uploads/<name>")]
fn download_file(name: String, folder: State<UploadFolder>) -> SendFile {
    send_from_directory(&folder.0, &name)
}

/// The app, saving under `folder`, shared with the tests.
pub fn app(folder: PathBuf) -> App {
    App::new()
        .state(UploadFolder(folder))
        .mount(routes![upload_file, download_file])
}

fn main() {
    let folder = std::env::var_os("UPLOAD_FOLDER")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("carafe-uploads"));
    if let Err(error) = std::fs::create_dir_all(&folder) {
        eprintln!("uploads: cannot create {}: {error}", folder.display());
        std::process::exit(1);
    }
    app(folder).run();
}
