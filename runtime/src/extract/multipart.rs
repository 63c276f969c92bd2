//! `multipart/form-data` bodies, as Flask's `request.form` and `request.files` read them: the
//! text fields (which `Form` and `Form<T>` read as a urlencoded body's), the files (`Files`,
//! each an [`UploadedFile`]), and, for bodies too big to hold, the parts one by one
//! ([`Multipart`]). `multer` parses the body as it streams in, within Werkzeug's limits: the
//! body's (`App::body_limit`), the text fields' (`App::max_form_memory_size`, 500 kB) and the
//! parts' (`App::max_form_parts`, 1,000). A file past 500 kB is held in an unnamed temporary
//! file, which the system removes once it is closed, however the request or the process ends.

use std::io::{self, Read, Seek, Write};
use std::path::Path;
use std::sync::Arc;
use std::task::{ready, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::stream::{self, BoxStream, StreamExt};
use http_body_util::BodyExt;
use tokio::io::AsyncWriteExt;

use crate::extract::form::FormData;
use crate::extract::request::{
    unsupported_media_type, BodyLimit, BodyReadTimeout, Deadline, RequestBody, RequestContext,
};
use crate::response::error::HttpError;
use crate::response::{IntoResponse, Response};

/// The media type of a multipart form body.
pub(crate) const MULTIPART_MEDIA_TYPE: &str = "multipart/form-data";

/// The size past which a file goes to disk: 500 kB, as Werkzeug's.
const SPOOL_THRESHOLD: usize = 500_000;

/// A multipart body read whole: its text fields and its files, in the order sent. Kept in the
/// request once read, so that `Form` and `Files` in one handler read the body once.
pub(crate) struct ParsedForm {
    pub(crate) fields: FormData,
    files: Vec<UploadedFile>,
}

/// A file sent in a multipart form, as Werkzeug's `FileStorage`: its field's name, the name
/// and type the client gave it, and its contents, in memory or (past 500 kB) in a temporary
/// file removed when the request ends.
///
/// The file name is the client's: pass it through [`secure_filename`](crate::extract::filename::secure_filename)
/// before using it in a path.
///
/// ```
/// use carafe_runtime::{secure_filename, Error, Files};
///
/// // A missing file answers 400; a file that cannot be saved, 500.
/// fn upload(files: Files) -> Result<String, Error> {
///     let photo = files.require("photo")?;
///     let name = secure_filename(photo.filename().unwrap_or("photo"));
///     photo.save(std::env::temp_dir().join(&name))?;
///     Ok(format!("saved {name}, {} bytes", photo.len()))
/// }
/// ```
#[derive(Debug)]
pub struct UploadedFile {
    field: String,
    filename: Option<String>,
    content_type: Option<String>,
    contents: Contents,
}

#[derive(Debug)]
enum Contents {
    Memory(Bytes),
    /// An unnamed temporary file, and how much was written to it.
    Disk(std::fs::File, u64),
}

impl UploadedFile {
    /// The name of the form field it was sent in.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The file's name as the client sent it (`filename` in its `Content-Disposition`), with
    /// the folders of a Windows path that old browsers send cut off; `None` when it gave none.
    /// A browser sends an empty name for a file input left empty.
    pub fn filename(&self) -> Option<&str> {
        self.filename.as_deref()
    }

    /// The `Content-Type` the client gave the file, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// Its size in bytes.
    pub fn len(&self) -> u64 {
        match &self.contents {
            Contents::Memory(bytes) => bytes.len() as u64,
            Contents::Disk(_, len) => *len,
        }
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether it is held in memory (500 kB or less) rather than in a temporary file.
    pub fn is_in_memory(&self) -> bool {
        matches!(self.contents, Contents::Memory(_))
    }

    /// Its contents, read from the temporary file if it is in one.
    pub fn bytes(&self) -> io::Result<Bytes> {
        match &self.contents {
            Contents::Memory(bytes) => Ok(bytes.clone()),
            Contents::Disk(file, len) => {
                let mut read = Vec::with_capacity(usize::try_from(*len).unwrap_or(0));
                rewound(file)?.read_to_end(&mut read)?;
                Ok(read.into())
            }
        }
    }

    /// Writes its contents to `path`, replacing any file there, as Werkzeug's `save`.
    pub fn save(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let mut out = std::fs::File::create(path)?;
        match &self.contents {
            Contents::Memory(bytes) => out.write_all(bytes)?,
            Contents::Disk(file, _) => {
                io::copy(&mut rewound(file)?, &mut out)?;
            }
        }
        out.flush()
    }
}

/// A handle on `file` at its start: a clone shares the offset, which this request alone uses.
fn rewound(file: &std::fs::File) -> io::Result<std::fs::File> {
    let mut file = file.try_clone()?;
    file.rewind()?;
    Ok(file)
}

/// The files of a multipart form body, as Flask's `request.files`: by field name, a field
/// may hold several. A body of another type has no files.
///
/// ```
/// use carafe_runtime::Files;
///
/// fn gallery(files: Files) -> String {
///     let names: Vec<&str> = files.get_all("photos").filter_map(|f| f.filename()).collect();
///     format!("{} photos: {}", names.len(), names.join(", "))
/// }
/// ```
#[derive(Clone)]
pub struct Files(Option<Arc<ParsedForm>>);

impl Files {
    /// The first file sent in `field`.
    pub fn get(&self, field: &str) -> Option<&UploadedFile> {
        self.iter().find(|file| file.field == field)
    }

    /// Every file sent in `field`, in order.
    pub fn get_all<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a UploadedFile> {
        self.iter().filter(move |file| file.field == field)
    }

    /// The first file sent in `field`, or a 400 error naming it; use with `?`.
    pub fn require(&self, field: &str) -> Result<&UploadedFile, HttpError> {
        self.get(field)
            .ok_or_else(|| HttpError::new(400).with_message(format!("Missing file \"{field}\".")))
    }

    /// Every file, in the order sent.
    pub fn iter(&self) -> impl Iterator<Item = &UploadedFile> {
        self.0.iter().flat_map(|parsed| &parsed.files)
    }

    /// The files of the request's body: none unless it is a multipart form.
    pub(crate) async fn of(ctx: &mut RequestContext) -> Result<Files, Response> {
        match ctx.media_type().as_deref() {
            Some(MULTIPART_MEDIA_TYPE) => parsed_form(ctx).await.map(|parsed| Files(Some(parsed))),
            _ => Ok(Files(None)),
        }
    }
}

/// The request's multipart body, read whole the first time it is asked for; 400 when it is
/// malformed, 413 past a limit, 408 when it does not arrive in time.
pub(crate) async fn parsed_form(ctx: &mut RequestContext) -> Result<Arc<ParsedForm>, Response> {
    if let Some(parsed) = ctx.get::<Arc<ParsedForm>>() {
        return Ok(Arc::clone(parsed));
    }
    let limits = Limits::of(ctx);
    let boundary = boundary(ctx)?;
    let (body, whole) = take_body(ctx, limits.read_timeout);
    let parsed = Arc::new(read_form(body, boundary, limits, !whole).await?);
    ctx.insert(Arc::clone(&parsed));
    Ok(parsed)
}

/// The limits a multipart body is read within.
#[derive(Clone, Copy)]
struct Limits {
    body: BodyLimit,
    text: usize,
    parts: usize,
    read_timeout: BodyReadTimeout,
}

impl Limits {
    fn of(ctx: &RequestContext) -> Limits {
        let config = &ctx.app().config;
        Limits {
            body: ctx.body_limit(),
            text: config.max_form_memory_size,
            parts: config.max_form_parts,
            read_timeout: ctx.body_read_timeout(),
        }
    }
}

/// The boundary `Content-Type` names, or the 400 that says it names none.
fn boundary(ctx: &RequestContext) -> Result<String, Response> {
    let content_type = ctx
        .parts()
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    multer::parse_boundary(content_type).map_err(|_| {
        HttpError::new(400)
            .with_message(
                "The multipart/form-data body has no boundary in its Content-Type \
                 (multipart/form-data; boundary=...).",
            )
            .into_response()
    })
}

/// The body as a stream of its data, taken from the request (which keeps an empty one), and
/// whether it was already whole in memory. One still arriving must arrive within the body
/// read timeout: past it, the stream fails, and the parser with it (see `is_body_too_slow`).
fn take_body(
    ctx: &mut RequestContext,
    timeout: BodyReadTimeout,
) -> (BoxStream<'static, Result<Bytes, io::Error>>, bool) {
    match ctx.take_body() {
        RequestBody::Buffered(bytes) => (stream::iter([Ok(bytes)]).boxed(), true),
        RequestBody::Incoming(incoming) => (data_stream(incoming, timeout), false),
        RequestBody::Body(body) => (data_stream(body, timeout), false),
    }
}

fn data_stream<B>(body: B, timeout: BodyReadTimeout) -> BoxStream<'static, Result<Bytes, io::Error>>
where
    B: http_body::Body<Data = Bytes> + Send + Unpin + 'static,
    B::Error: Into<crate::response::body::BoxError>,
{
    let mut data = body
        .into_data_stream()
        .map(|data| data.map_err(|error| io::Error::other(error.into())));
    let mut deadline = Deadline::default();
    stream::poll_fn(move |cx| {
        if let Poll::Ready(next) = data.poll_next_unpin(cx) {
            return Poll::Ready(next);
        }
        ready!(deadline.poll_passed(timeout.timeout, cx));
        Poll::Ready(Some(Err(io::ErrorKind::TimedOut.into())))
    })
    .boxed()
}

/// Whether the body stream failed because the body read timeout passed: the only error of
/// kind `TimedOut` it gives, as a body's own errors come wrapped as `Other`.
fn is_body_too_slow(error: &(dyn std::error::Error + 'static)) -> bool {
    error
        .downcast_ref::<io::Error>()
        .is_some_and(|error| error.kind() == io::ErrorKind::TimedOut)
}

/// Reads the parts of a multipart body: text fields into memory, files into memory or, past
/// 500 kB and when `spool` (the body is streaming in, not already in memory), to disk.
async fn read_form(
    body: BoxStream<'static, Result<Bytes, io::Error>>,
    boundary: String,
    limits: Limits,
    spool: bool,
) -> Result<ParsedForm, Response> {
    let mut multipart = parser(body, boundary, limits);
    let mut fields = Vec::new();
    let mut files = Vec::new();
    let mut parts = 0;
    let mut text = 0;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|error| malformed(error, limits))?
    {
        parts += 1;
        if parts > limits.parts {
            return Err(too_many_parts(limits.parts));
        }
        let name = field_name(&field)?;
        check_headers(&field)?;
        let Some(filename) = filename(&field) else {
            let mut value = Vec::new();
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|error| malformed(error, limits))?
            {
                text += chunk.len();
                if text > limits.text {
                    return Err(text_too_large(limits.text));
                }
                value.extend_from_slice(&chunk);
            }
            let value = String::from_utf8(value).map_err(|_| {
                HttpError::new(400)
                    .with_message(format!("The form field \"{name}\" is not UTF-8 text."))
                    .into_response()
            })?;
            fields.push((name, value));
            continue;
        };
        let content_type = field.content_type().map(ToString::to_string);
        let contents = read_file(&mut field, spool, limits).await?;
        files.push(UploadedFile {
            field: name,
            filename: Some(filename),
            content_type,
            contents,
        });
    }
    Ok(ParsedForm {
        fields: FormData::from_pairs(fields),
        files,
    })
}

/// multer's parser of `body`, within the body limit.
fn parser(
    body: BoxStream<'static, Result<Bytes, io::Error>>,
    boundary: String,
    limits: Limits,
) -> multer::Multipart<'static> {
    let constraints = multer::Constraints::new()
        .size_limit(multer::SizeLimit::new().whole_stream(limits.body.bytes));
    multer::Multipart::with_constraints(body, boundary, constraints)
}

/// A file's contents: in memory up to 500 kB, then, when `spool`, in a temporary file.
async fn read_file(
    field: &mut multer::Field<'static>,
    spool: bool,
    limits: Limits,
) -> Result<Contents, Response> {
    let mut held = BytesMut::new();
    let mut disk: Option<(tokio::fs::File, u64)> = None;
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|error| malformed(error, limits))?
    {
        if let Some((file, len)) = &mut disk {
            file.write_all(&chunk).await.map_err(spool_failed)?;
            *len += chunk.len() as u64;
            continue;
        }
        held.extend_from_slice(&chunk);
        if spool && held.len() > SPOOL_THRESHOLD {
            let file = tempfile::tempfile().map_err(spool_failed)?;
            let mut file = tokio::fs::File::from_std(file);
            file.write_all(&held).await.map_err(spool_failed)?;
            disk = Some((file, held.len() as u64));
            held = BytesMut::new();
        }
    }
    Ok(match disk {
        None => Contents::Memory(held.freeze()),
        Some((mut file, len)) => {
            file.flush().await.map_err(spool_failed)?;
            Contents::Disk(file.into_std().await, len)
        }
    })
}

/// The field's name, which every part of a form must have.
fn field_name(field: &multer::Field<'_>) -> Result<String, Response> {
    field.name().map(str::to_owned).ok_or_else(|| {
        HttpError::new(400)
            .with_message(
                "A part of the multipart/form-data body has no name in a Content-Disposition \
                 header (Content-Disposition: form-data; name=\"...\").",
            )
            .into_response()
    })
}

/// The most bytes a part's headers may hold: a browser sends two short ones.
const PART_HEADERS_LIMIT: usize = 16 * 1024;

/// 413 for a part whose headers are larger than any browser sends.
fn check_headers(field: &multer::Field<'_>) -> Result<(), Response> {
    let size: usize = field
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if size <= PART_HEADERS_LIMIT {
        return Ok(());
    }
    Err(HttpError::new(413)
        .with_message(format!(
            "A part of the multipart/form-data body has {size} bytes of headers; at most {} \
             are read.",
            carafe_core::size::show(PART_HEADERS_LIMIT as u64)
        ))
        .into_response())
}

/// The file name of a part, if it is a file: its RFC 2231 `filename*` (which RFC 7578 forbids
/// but clients still send, and Werkzeug reads) over its `filename`, with an old Internet
/// Explorer's folders cut off.
fn filename(field: &multer::Field<'_>) -> Option<String> {
    let disposition = field
        .headers()
        .get(http::header::CONTENT_DISPOSITION)
        .and_then(|value| value.to_str().ok());
    let extended = disposition.and_then(extended_filename);
    extended
        .or_else(|| field.file_name().map(str::to_owned))
        .map(|name| ie_basename(&name))
}

/// `filename*=UTF-8''na%C3%AFve.pdf` decoded: UTF-8 only, as browsers and curl send it.
fn extended_filename(disposition: &str) -> Option<String> {
    disposition.split(';').find_map(|parameter| {
        let (key, value) = parameter.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("filename*") {
            return None;
        }
        let (charset, rest) = value.trim().trim_matches('"').split_once('\'')?;
        let (_language, encoded) = rest.split_once('\'')?;
        if !charset.eq_ignore_ascii_case("utf-8") {
            return None;
        }
        carafe_core::converter::decode(encoded).map(|name| name.into_owned())
    })
}

/// The file name an old Internet Explorer sent as a whole Windows path (`C:\Users\me\a.png`,
/// `\\server\share\a.png`): its last part, as Werkzeug kept it.
fn ie_basename(filename: &str) -> String {
    let bytes = filename.as_bytes();
    let windows_path = bytes.get(1..3) == Some(b":\\") || bytes.starts_with(b"\\\\");
    match filename.rsplit_once('\\') {
        Some((_, name)) if windows_path => name.to_owned(),
        _ => filename.to_owned(),
    }
}

/// What multer found wrong: past `limit`, the body's, its 413; anything else 400.
fn malformed(error: multer::Error, limits: Limits) -> Response {
    match error {
        multer::Error::StreamSizeExceeded { .. } => limits.body.refusal(),
        multer::Error::StreamReadFailed(error) if is_body_too_slow(&*error) => {
            limits.read_timeout.refusal()
        }
        multer::Error::StreamReadFailed(error) => HttpError::new(400)
            .with_message(format!("The request body could not be read: {error}"))
            .into_response(),
        error => HttpError::new(400)
            .with_message(format!(
                "The multipart/form-data body is malformed: {error}."
            ))
            .into_response(),
    }
}

fn too_many_parts(limit: usize) -> Response {
    HttpError::new(413)
        .with_message(format!(
            "The form has more than {limit} parts (App::max_form_parts)."
        ))
        .into_response()
}

fn text_too_large(limit: usize) -> Response {
    HttpError::new(413)
        .with_message(format!(
            "The form's text fields are larger than {} in all (App::max_form_memory_size).",
            carafe_core::size::show(limit as u64)
        ))
        .into_response()
}

fn spool_failed(error: io::Error) -> Response {
    HttpError::misconfigured(format!(
        "an uploaded file could not be written to a temporary file: {error}"
    ))
    .into_response()
}

/// The parts of a multipart form body one at a time, for bodies too big to hold: each part's
/// data comes as it arrives, within the body limit and `App::max_form_parts`. For `async fn`
/// handlers.
///
/// ```
/// use carafe_runtime::{HttpError, Multipart};
///
/// async fn upload(mut multipart: Multipart) -> Result<String, HttpError> {
///     let mut total = 0;
///     while let Some(mut part) = multipart.next_part().await? {
///         while let Some(chunk) = part.chunk().await? {
///             total += chunk.len();
///         }
///     }
///     Ok(format!("{total} bytes"))
/// }
/// ```
pub struct Multipart {
    parser: multer::Multipart<'static>,
    parts: usize,
    limits: Limits,
}

/// One part of a [`Multipart`] body.
pub struct Part {
    field: multer::Field<'static>,
    limits: Limits,
}

impl Multipart {
    /// The parts of the request's body as they come; 415 unless it is a multipart form.
    pub(crate) fn of(ctx: &mut RequestContext) -> Result<Multipart, Response> {
        let media_type = ctx.media_type();
        if media_type.as_deref() != Some(MULTIPART_MEDIA_TYPE) {
            return Err(unsupported_media_type(
                "a body",
                MULTIPART_MEDIA_TYPE,
                media_type,
            ));
        }
        let limits = Limits::of(ctx);
        let boundary = boundary(ctx)?;
        let (body, _) = take_body(ctx, limits.read_timeout);
        Ok(Multipart {
            parser: parser(body, boundary, limits),
            parts: 0,
            limits,
        })
    }

    /// The next part, or `None` after the last; 400 for a malformed body or a part without a
    /// field name, 413 past a limit.
    pub async fn next_part(&mut self) -> Result<Option<Part>, HttpError> {
        let limits = self.limits;
        let next = self.parser.next_field().await;
        let Some(field) = next.map_err(|error| into_error(error, limits))? else {
            return Ok(None);
        };
        self.parts += 1;
        if self.parts > self.limits.parts {
            return Err(into_error_response(too_many_parts(self.limits.parts)));
        }
        field_name(&field).map_err(into_error_response)?;
        check_headers(&field).map_err(into_error_response)?;
        Ok(Some(Part { field, limits }))
    }
}

impl Part {
    /// The name of its form field.
    pub fn field(&self) -> &str {
        // `next_part` refuses a part without one.
        self.field.name().unwrap_or_default()
    }

    /// The file name the client gave it, if it is a file.
    pub fn filename(&self) -> Option<String> {
        filename(&self.field)
    }

    /// Its `Content-Type`, if it has one.
    pub fn content_type(&self) -> Option<String> {
        self.field.content_type().map(ToString::to_string)
    }

    /// Its next piece of data, or `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, HttpError> {
        let limits = self.limits;
        self.field
            .chunk()
            .await
            .map_err(|error| into_error(error, limits))
    }
}

fn into_error(error: multer::Error, limits: Limits) -> HttpError {
    into_error_response(malformed(error, limits))
}

/// The error a refusal stands for.
fn into_error_response(response: Response) -> HttpError {
    response
        .pending_error()
        .cloned()
        .unwrap_or_else(|| HttpError::new(400))
}
