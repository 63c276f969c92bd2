//! Static files, as Flask serves them: the app's `static/` folder at `/static/<path:filename>`,
//! and [`send_file`] and [`send_from_directory`] for handlers.
//!
//! tower-http's `ServeFile` answers the file with its type, length and date, `Range` (206,
//! 416) and `If-Modified-Since`; this module adds what it lacks: an `ETag` with
//! `If-None-Match` and `If-Range` (read by the `headers` crate), and the rule that nothing
//! outside the folder is ever served.

use std::path::{Component, Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::UNIX_EPOCH;

use bytes::Bytes;
use carafe_core::path::Part;
use headers::{ETag, HeaderMapExt, IfNoneMatch, IfRange, LastModified};
use http::header::{CONTENT_LENGTH, IF_MODIFIED_SINCE, IF_UNMODIFIED_SINCE, RANGE};
use http::HeaderMap;
use http_body::{Frame, SizeHint};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::body::{Body, BoxError};
use crate::error::HttpError;
use crate::handler::HandlerAnswer;
use crate::request::RequestContext;
use crate::response::{IntoResponse, Response};
use crate::route::{Converter, MethodSet, RouteDef};

/// The folder the app's static route serves, kept in the app's state.
pub(crate) struct StaticFolder(pub(crate) PathBuf);

/// The route that serves `folder` under `prefix` (`/static`): `<prefix>/<path:filename>`,
/// named `static` as Flask's endpoint is, for `url_for('static', filename=..)` in templates.
pub(crate) fn static_route(prefix: &str, folder: &Path) -> RouteDef {
    let prefix = format!("{}/", prefix.trim_end_matches('/'));
    // Built once per app, and routes hold `'static` parts.
    let prefix: &'static str = Box::leak(prefix.into_boxed_str());
    let parts: &'static [Part<'static>] = Box::leak(Box::new([
        Part::Static(prefix),
        Part::Param {
            name: "filename",
            converter: Converter::Path,
        },
    ]));
    RouteDef {
        handler_name: "static",
        module_path: "carafe",
        file: Box::leak(folder.display().to_string().into_boxed_str()),
        line: 0,
        path: Box::leak(format!("{prefix}<path:filename>").into_boxed_str()),
        parts,
        methods: MethodSet::GET,
        statuses: &[200, 206, 304, 404, 416],
        needs: &[],
        handler: serve_static,
    }
}

/// The static route's handler: the file under the app's folder, or 404.
fn serve_static(ctx: RequestContext) -> HandlerAnswer {
    let folder = ctx.state::<StaticFolder>();
    let filename = ctx.path_param::<String>(0);
    let headers = ctx.parts().headers.clone();
    HandlerAnswer::new(async move {
        let (Some(folder), Ok(filename)) = (folder, filename) else {
            return HttpError::new(404).into_response();
        };
        match path_inside(&folder.0, &filename).await {
            Some(path) => serve_file(&path, &headers).await,
            None => HttpError::new(404).into_response(),
        }
    })
}

/// Answers with the file at `path`, like Flask's `send_file`: its Content-Type (from its
/// extension), Content-Length, `ETag` and `Last-Modified`; 304 when the request's
/// `If-None-Match` or `If-Modified-Since` says the client has it; 206 for a `Range`, 416 for
/// one that cannot be served. A missing file is a 404. The path is taken as given: for a name
/// that comes from the request, use [`send_from_directory`].
///
/// ```
/// use carafe_runtime::{send_file, HeaderMap, Response};
///
/// async fn report(headers: HeaderMap) -> Response {
///     send_file("reports/latest.pdf", &headers).await
/// }
/// ```
pub async fn send_file(path: impl AsRef<Path>, request_headers: &HeaderMap) -> Response {
    serve_file(path.as_ref(), request_headers).await
}

/// Answers with the file `filename` names under `directory`, like Flask's
/// `send_from_directory`: as [`send_file`] does, and 404 for any name that would leave the
/// directory (`..`, an absolute path, a symbolic link to elsewhere).
///
/// ```
/// use carafe_runtime::{send_from_directory, HeaderMap, Response};
///
/// async fn upload(name: String, headers: HeaderMap) -> Response {
///     send_from_directory("uploads", &name, &headers).await
/// }
/// ```
pub async fn send_from_directory(
    directory: impl AsRef<Path>,
    filename: &str,
    request_headers: &HeaderMap,
) -> Response {
    match path_inside(directory.as_ref(), filename).await {
        Some(path) => serve_file(&path, request_headers).await,
        None => HttpError::new(404).into_response(),
    }
}

/// The file `filename` names under `directory`, if it lies inside it once every link is
/// followed. The name's parts must all be plain names: `..`, a root or a drive is refused
/// before the disk is asked.
async fn path_inside(directory: &Path, filename: &str) -> Option<PathBuf> {
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
    let root = tokio::fs::canonicalize(directory).await.ok()?;
    let path = tokio::fs::canonicalize(root.join(relative)).await.ok()?;
    path.starts_with(&root).then_some(path)
}

/// The answer for the file at `path` to a request with `request_headers`.
async fn serve_file(path: &Path, request_headers: &HeaderMap) -> Response {
    let metadata = match tokio::fs::metadata(path).await {
        Ok(metadata) if metadata.is_file() => metadata,
        _ => return HttpError::new(404).into_response(),
    };
    let modified = metadata.modified().ok();
    let etag = entity_tag(metadata.len(), modified);
    let last_modified = modified.map(LastModified::from);

    let mut forwarded = HeaderMap::new();
    for name in [RANGE, IF_MODIFIED_SINCE, IF_UNMODIFIED_SINCE] {
        for value in request_headers.get_all(&name) {
            forwarded.append(name.clone(), value.clone());
        }
    }
    if let Some(if_none_match) = request_headers.typed_get::<IfNoneMatch>() {
        if !if_none_match.precondition_passes(&etag) {
            let mut response = Response::with_body(Body::empty());
            response.status_code = 304;
            response.headers.typed_insert(etag);
            if let Some(last_modified) = last_modified {
                response.headers.typed_insert(last_modified);
            }
            return response;
        }
        // With `If-None-Match`, `If-Modified-Since` is not read (RFC 9110, 13.1.3).
        forwarded.remove(IF_MODIFIED_SINCE);
    }
    // A range of a file that changed since the client's copy would mix two versions: the
    // whole file is sent instead.
    if let Some(if_range) = request_headers.typed_get::<IfRange>() {
        if if_range.is_modified(Some(&etag), last_modified.as_ref()) {
            forwarded.remove(RANGE);
        }
    }

    // Always a GET: for a HEAD, hyper sends the length of the body and not the body, and a
    // body ServeFile opens for HEAD would be empty.
    let mut request = http::Request::new(http_body_util::Empty::<Bytes>::new());
    *request.headers_mut() = forwarded;
    let answer = match ServeFile::new(path).oneshot(request).await {
        Ok(answer) => answer,
        Err(never) => match never {},
    };
    let (parts, body) = answer.into_parts();
    // The length ServeFile sets, told to hyper through the body's size: carafe sends the
    // length of the body it has, and a boxed body's is its size hint.
    let length = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse().ok());
    let mut response = Response::with_body(Body::new(KnownLength { body, length }));
    response.status_code = parts.status.as_u16();
    response.headers = parts.headers;
    response.headers.typed_insert(etag);
    response
}

/// A file's entity tag: its size and modification time, which change when it is rewritten.
fn entity_tag(length: u64, modified: Option<std::time::SystemTime>) -> ETag {
    let nanos = modified
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos());
    format!("\"{length:x}-{nanos:x}\"")
        .parse()
        .expect("hex digits in quotes are an entity tag")
}

/// A body whose length is known before it is read: ServeFile's, which says it only in its
/// Content-Length header. Its size hint is what is left to read.
struct KnownLength<B> {
    body: B,
    length: Option<u64>,
}

impl<B> http_body::Body for KnownLength<B>
where
    B: http_body::Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let frame = std::task::ready!(Pin::new(&mut self.body).poll_frame(cx));
        if let (Some(Ok(frame)), Some(length)) = (&frame, &mut self.length) {
            if let Some(data) = frame.data_ref() {
                *length = length.saturating_sub(data.len() as u64);
            }
        }
        Poll::Ready(frame)
    }

    fn size_hint(&self) -> SizeHint {
        match self.length {
            Some(length) => SizeHint::with_exact(length),
            None => self.body.size_hint(),
        }
    }
}
