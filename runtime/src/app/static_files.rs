//! Static files, as Flask serves them: the app's `static/` folder at `/static/<path:filename>`,
//! and [`send_file`] and [`send_from_directory`] for handlers.
//!
//! The answer is Werkzeug's: Content-Type from the name (`mime_guess`), Content-Length, an
//! `ETag` and `Last-Modified`; 304 for `If-None-Match` or `If-Modified-Since`, 412 for
//! `If-Unmodified-Since`, 206 for one `Range` (read by `http-range-header`) and 416 for any
//! other, `If-Range` honoured. The conditional headers are read by the `headers` crate.

use std::fs::File;
use std::future::{ready, IntoFuture, Ready};
use std::io::{Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use carafe_core::media::Media;
use carafe_core::path::Part;
use futures_util::Stream;
use headers::{
    ETag, HeaderMapExt, IfModifiedSince, IfNoneMatch, IfRange, IfUnmodifiedSince, LastModified,
};
use http::header::{HeaderValue, ACCEPT_RANGES, CONTENT_RANGE, CONTENT_TYPE, RANGE};
use http::request::Parts;
use http_body::{Frame, SizeHint};
use tokio::io::AsyncReadExt;
use tokio_util::io::ReaderStream;

use crate::extract::request::RequestContext;
use crate::response::body::Body;
use crate::response::error::HttpError;
use crate::response::route_doc::RouteDoc;
use crate::response::{IntoResponse, Response};
use crate::routing::handler::{Handler, PendingResponse};
use crate::routing::pace::{self, on_pool};
use crate::routing::route::{Converter, MethodSet, Mounted, RouteDef};

/// The folder the app's static route serves, kept in the app's state.
pub(crate) struct StaticFolder(pub(crate) PathBuf);

/// The route that serves `folder` under `prefix` (`/static`): `<prefix>/<path:filename>`,
/// named `static` as Flask's endpoint is, for `url_for('static', filename=..)` in templates.
pub(crate) fn static_route(prefix: &str, folder: &Path) -> Mounted {
    const STATIC: RouteDef = RouteDef {
        handler_name: "static",
        module_path: "carafe",
        file: "App::static_folder",
        line: 0,
        path: "/<path:filename>",
        parts: &[
            Part::Static("/"),
            Part::Param {
                name: "filename",
                converter: Converter::Path,
            },
        ],
        methods: MethodSet::GET,
        cross_origin: false,
        websocket: false,
        body_limit: None,
        needs: crate::routing::route::needs_nothing,
        handler: Handler::Awaited(serve_static),
        doc: &RouteDoc::undocumented(&[
            (200, Media::Unknown),
            (206, Media::Unknown),
            (304, Media::Unknown),
            (404, Media::ErrorPage),
            (412, Media::ErrorPage),
            (416, Media::ErrorPage),
        ]),
    };
    Mounted::builtin(
        STATIC,
        prefix.trim_end_matches('/'),
        folder.display().to_string(),
    )
}

/// The static route's handler: the file under the app's folder, or 404, found and opened on
/// the blocking pool, where a slow disk holds up no other request.
fn serve_static(ctx: RequestContext) -> PendingResponse {
    Box::pin(on_pool(move || {
        let file = match (ctx.state::<StaticFolder>(), ctx.path_param::<String>(0)) {
            (Some(folder), Ok(filename)) => send_from_directory(&folder.0, &filename),
            _ => SendFile(None),
        };
        file.into_response_for(ctx.parts())
    }))
}

/// A file to answer with, from [`send_file`] or [`send_from_directory`]: return it from a
/// handler (alone, in a `Result`, or first in a tuple), as Flask's views return `send_file(..)`.
/// It may be awaited too, for code that expects a future; it is ready at once.
#[derive(Debug, Clone)]
pub struct SendFile(Option<PathBuf>);

/// Answers with the file at `path`, like Flask's `send_file`: its Content-Type (from its
/// name), Content-Length, `ETag` and `Last-Modified`; 304 when the request's `If-None-Match`
/// or `If-Modified-Since` says the client has it; 206 for a `Range`, 416 for one that cannot
/// be served. A missing file is a 404. The path is taken as given: for a name that comes from
/// the request, use [`send_from_directory`].
///
/// ```
/// use carafe_runtime::{send_file, SendFile};
///
/// fn report() -> SendFile {
///     send_file("reports/latest.pdf")
/// }
/// ```
pub fn send_file(path: impl Into<PathBuf>) -> SendFile {
    SendFile(Some(path.into()))
}

/// Answers with the file `filename` names under `directory`, like Flask's
/// `send_from_directory`: as [`send_file`] does, and 404 for any name that would leave the
/// directory (`..`, an absolute path, a symbolic link to elsewhere).
///
/// ```
/// use carafe_runtime::{send_from_directory, SendFile};
///
/// fn upload(name: String) -> SendFile {
///     send_from_directory("uploads", &name)
/// }
/// ```
pub fn send_from_directory(directory: impl AsRef<Path>, filename: &str) -> SendFile {
    SendFile(path_inside(directory.as_ref(), filename))
}

/// The file `filename` names under `directory`, if it lies inside it once every link is
/// followed. The name's parts must all be plain names: `..`, a root or a drive is refused
/// before the disk is asked.
fn path_inside(directory: &Path, filename: &str) -> Option<PathBuf> {
    let mut relative = PathBuf::new();
    for component in Path::new(filename).components() {
        match component {
            Component::Normal(name) => relative.push(name),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    // A backslash is a separator on Windows: a name with one is not a plain name anywhere.
    if filename.contains('\\') || relative.as_os_str().is_empty() {
        return None;
    }
    pace::reading_a_file();
    let root = directory.canonicalize().ok()?;
    let path = root.join(relative).canonicalize().ok()?;
    path.starts_with(&root).then_some(path)
}

impl IntoResponse for SendFile {
    /// The whole file, as to a request with no conditions.
    fn into_response(self) -> Response {
        self.into_response_for(&http::Request::new(()).into_parts().0)
    }

    fn into_response_for(self, request: &Parts) -> Response {
        let Some(path) = self.0 else {
            return HttpError::new(404).into_response();
        };
        match answer_file(&path, &request.headers) {
            Ok(response) => response,
            // Gone between the checks, or unreadable: as Flask, a 404.
            Err(_) => HttpError::new(404).into_response(),
        }
    }
}

impl IntoFuture for SendFile {
    type Output = SendFile;
    type IntoFuture = Ready<SendFile>;

    fn into_future(self) -> Ready<SendFile> {
        ready(self)
    }
}

/// The answer for the file at `path` to a request with `request_headers`.
fn answer_file(path: &Path, request_headers: &http::HeaderMap) -> std::io::Result<Response> {
    pace::reading_a_file();
    let mut file = File::open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Ok(HttpError::new(404).into_response());
    }
    let length = metadata.len();
    let modified = metadata.modified().ok();
    let etag = entity_tag(length, modified);

    let mut response = Response::with_body(Body::empty());
    response.headers.typed_insert(etag.clone());
    if let Some(modified) = modified {
        response.headers.typed_insert(LastModified::from(modified));
    }
    if let Some(status) = condition_status(request_headers, &etag, modified) {
        response.status_code = status;
        return Ok(response);
    }
    let content_type = mime_guess::from_path(path).first_or_octet_stream();
    if let Ok(value) = HeaderValue::from_str(&with_charset(content_type.as_ref())) {
        response.headers.insert(CONTENT_TYPE, value);
    }
    response
        .headers
        .insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));

    let mut range = 0..=length.saturating_sub(1);
    if let Some(asked) = asked_range(request_headers, &etag, modified, length) {
        match asked {
            Some(asked) => {
                response.status_code = 206;
                let content_range = format!("bytes {}-{}/{length}", asked.start(), asked.end());
                if let Ok(value) = HeaderValue::from_str(&content_range) {
                    response.headers.insert(CONTENT_RANGE, value);
                }
                range = asked;
            }
            None => {
                response.status_code = 416;
                let content_range = format!("bytes */{length}");
                if let Ok(value) = HeaderValue::from_str(&content_range) {
                    response.headers.insert(CONTENT_RANGE, value);
                }
                return Ok(response);
            }
        }
    }
    let size = if length == 0 {
        0
    } else {
        range.end() - range.start() + 1
    };
    file.seek(SeekFrom::Start(*range.start()))?;
    let reader = tokio::fs::File::from_std(file).take(size);
    response.set_body(Body::new(FileBody {
        chunks: ReaderStream::new(reader),
        left: size,
    }));
    Ok(response)
}

/// The status a conditional request is answered with instead of the file, if any: 304 when
/// the client's copy is current, 412 when `If-Unmodified-Since` fails. `If-None-Match` wins
/// over `If-Modified-Since` (RFC 9110, 13.2.2).
fn condition_status(
    headers: &http::HeaderMap,
    etag: &ETag,
    modified: Option<SystemTime>,
) -> Option<u16> {
    if let (Some(condition), Some(modified)) = (headers.typed_get::<IfUnmodifiedSince>(), modified)
    {
        if !condition.precondition_passes(modified) {
            return Some(412);
        }
    }
    if let Some(condition) = headers.typed_get::<IfNoneMatch>() {
        return (!condition.precondition_passes(etag)).then_some(304);
    }
    if let (Some(condition), Some(modified)) = (headers.typed_get::<IfModifiedSince>(), modified) {
        return (!condition.is_modified(modified)).then_some(304);
    }
    None
}

/// The range the request asks for, as Werkzeug reads it: `None` when it asks for none (or its
/// `If-Range` names another version, or the file is empty), `Some(None)` when it asks for one
/// that cannot be served (unparsable, outside the file, or several), `Some(Some(range))` else.
fn asked_range(
    headers: &http::HeaderMap,
    etag: &ETag,
    modified: Option<SystemTime>,
    length: u64,
) -> Option<Option<std::ops::RangeInclusive<u64>>> {
    let asked = headers.get(RANGE)?;
    if length == 0 {
        return None;
    }
    if let Some(if_range) = headers.typed_get::<IfRange>() {
        if if_range.is_modified(Some(etag), modified.map(LastModified::from).as_ref()) {
            return None;
        }
    }
    let ranges = asked
        .to_str()
        .ok()
        .and_then(|text| http_range_header::parse_range_header(text).ok())
        .and_then(|parsed| parsed.validate(length).ok());
    Some(match ranges.as_deref() {
        Some([one]) => Some(one.clone()),
        _ => None,
    })
}

/// A file's entity tag: its size and modification time, which change when it is rewritten.
fn entity_tag(length: u64, modified: Option<SystemTime>) -> ETag {
    let nanos = modified
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos());
    format!("\"{length:x}-{nanos:x}\"")
        .parse()
        .expect("hex digits in quotes are an entity tag")
}

/// A file's bytes, or a range of them, read as hyper asks for them; its size hint is what is
/// left, so hyper sends the length.
struct FileBody {
    chunks: ReaderStream<tokio::io::Take<tokio::fs::File>>,
    left: u64,
}

impl http_body::Body for FileBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let chunk = std::task::ready!(Pin::new(&mut self.chunks).poll_next(cx));
        Poll::Ready(match chunk {
            Some(Ok(chunk)) => {
                self.left = self.left.saturating_sub(chunk.len() as u64);
                Some(Ok(Frame::data(chunk)))
            }
            Some(Err(error)) => Some(Err(error)),
            // Cut short (the file shrank while it was sent): an error, so that hyper closes
            // the connection rather than leave the client waiting for the rest.
            None if self.left > 0 => Some(Err(std::io::ErrorKind::UnexpectedEof.into())),
            None => None,
        })
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.left)
    }
}

/// A file's media type as Werkzeug sends it: text, and the few application types that are
/// text, say they are UTF-8 (`text/css; charset=utf-8`), or a browser guesses another
/// encoding for them (Chromium reads a `text/plain` "café" as "cafÃ©").
fn with_charset(media_type: &str) -> std::borrow::Cow<'_, str> {
    const TEXT_APPLICATIONS: [&str; 6] = [
        "application/ecmascript",
        "application/javascript",
        "application/sql",
        "application/xml",
        "application/xml-dtd",
        "application/xml-external-parsed-entity",
    ];
    if media_type.starts_with("text/") || TEXT_APPLICATIONS.contains(&media_type) {
        std::borrow::Cow::Owned(format!("{media_type}; charset=utf-8"))
    } else {
        std::borrow::Cow::Borrowed(media_type)
    }
}
