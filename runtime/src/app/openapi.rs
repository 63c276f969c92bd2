//! The OpenAPI 3.1 document of an app, made from what `#[route]` knows of each handler: its
//! path and converters, its methods, its doc comment, the extractors it takes with their
//! JSON schemas, and the statuses its body answers with the kind of body each one has.

use std::collections::{BTreeMap, BTreeSet};

use bytes::Bytes;
use carafe_core::media::Media;
use carafe_core::path::Part;
use carafe_core::Converter;
use http::header::HeaderValue;
use serde_json::{json, Map, Value};

use crate::extract::request::RequestContext;
use crate::response::body::Body;
use crate::response::error::HttpError;
use crate::response::route_doc::{Operation, RouteDoc, Schemas};
use crate::response::{IntoResponse, Response};
use crate::routing::handler::Handler;
use crate::routing::pace::Pace;
use crate::routing::route::{Mounted, RouteDef};

/// The title and version the document gives the API.
#[derive(Clone, Debug)]
pub(crate) struct Info {
    pub(crate) title: String,
    pub(crate) version: String,
}

impl Default for Info {
    /// The program's name, as Flask extensions default to the app's, and version 0.1.0.
    fn default() -> Info {
        let title = std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.file_stem()?.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "carafe app".to_owned());
        Info {
            title,
            version: "0.1.0".to_owned(),
        }
    }
}

/// The OpenAPI 3.1 document of `routes` (under their full paths). Routes whose `RouteDoc` is
/// not `in_document` (the static files', the document's own) are left out.
pub(crate) fn document<'a>(routes: impl Iterator<Item = &'a Mounted>, info: &Info) -> Value {
    let routes: Vec<(&Mounted, &RouteDoc)> = routes
        .map(|route| (route, route.def.doc))
        .filter(|(_, doc)| doc.in_document)
        .collect();
    let mut named = BTreeMap::<&str, usize>::new();
    for (route, _) in &routes {
        *named.entry(route.def.handler_name).or_default() += 1;
    }
    let mut schemas = Schemas::new();
    let mut paths = Map::new();
    for &(mounted, doc) in &routes {
        let route = &mounted.def;
        let methods: Vec<&str> = documented_methods(route).collect();
        // Flask's endpoint is the function's name; a name two modules share gets its module.
        let id = if named[route.handler_name] > 1 {
            route.module_path.replace("::", "_") + "_" + route.handler_name
        } else {
            route.handler_name.to_owned()
        };
        let mut operation = Operation::new(&mut schemas);
        (doc.operation)(&mut operation);
        let item = paths
            .entry(openapi_path(&mounted.parts()))
            .or_insert_with(|| json!({}));
        for method in &methods {
            let id = if methods.len() > 1 {
                format!("{id}_{}", method.to_ascii_lowercase())
            } else {
                id.clone()
            };
            item[method.to_ascii_lowercase()] =
                operation_object(route, doc, &mut operation, method, id);
        }
    }
    let mut document = json!({
        "openapi": "3.1.0",
        "info": { "title": info.title, "version": info.version },
        "paths": paths,
    });
    let definitions = schemas.definitions();
    if !definitions.is_empty() {
        document["components"] = json!({ "schemas": definitions });
    }
    document
}

/// `/items/<int:item_id>` as OpenAPI writes it, `/items/{item_id}`.
fn openapi_path(parts: &[Part<'_>]) -> String {
    carafe_core::path::write_parts(
        parts,
        |path, text| path.push_str(text),
        |path, _, name, _| {
            path.push('{');
            path.push_str(name);
            path.push('}');
        },
    )
}

/// The schema of a path parameter, by its converter.
fn converter_schema(converter: Converter) -> Value {
    let schema = converter.schema();
    let mut value = json!({ "type": schema.json_type });
    if let Some(format) = schema.format {
        value["format"] = format.into();
    }
    if let Some(minimum) = schema.minimum {
        value["minimum"] = minimum.into();
    }
    value
}

fn operation_object(
    route: &RouteDef,
    doc: &RouteDoc,
    operation: &mut Operation<'_>,
    method: &str,
    id: String,
) -> Value {
    let mut object = json!({ "operationId": id });
    if !doc.summary.is_empty() {
        object["summary"] = doc.summary.into();
    }
    if !doc.description.is_empty() {
        object["description"] = doc.description.into();
    }
    let mut parameters: Vec<Value> = carafe_core::path::params(route.parts)
        .map(|(name, converter)| {
            json!({
                "name": name,
                "in": "path",
                "required": true,
                "schema": converter_schema(converter),
            })
        })
        .collect();
    if let Some(query) = &operation.query {
        parameters.extend(query_parameters(query));
    }
    if !parameters.is_empty() {
        object["parameters"] = parameters.into();
    }
    let reads_body = reads_body(method);
    if let (Some((media, schema)), true) = (&operation.body, reads_body) {
        object["requestBody"] = json!({
            "required": true,
            "content": { *media: { "schema": schema } },
        });
        // A route's own limit, where it raises or lowers the app's, in words and in bytes.
        if let Some(bytes) = route.body_limit {
            object["requestBody"]["description"] = format!(
                "At most {} (the route's body_limit); a larger body answers 413.",
                carafe_core::size::show(bytes)
            )
            .into();
            object["requestBody"]["x-body-limit"] = bytes.into();
        }
    }
    object["responses"] = responses(route, doc, operation, reads_body);
    object
}

/// A query's parameters: one per property of its schema, or the whole query as one object.
fn query_parameters(schema: &Value) -> Vec<Value> {
    let required: BTreeSet<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    match schema["properties"].as_object() {
        Some(properties) => properties
            .iter()
            .map(|(name, property)| {
                json!({
                    "name": name,
                    "in": "query",
                    "required": required.contains(name.as_str()),
                    "schema": property,
                })
            })
            .collect(),
        None => vec![json!({
            "name": "query",
            "in": "query",
            "schema": { "type": "object" },
            "style": "form",
            "explode": true,
        })],
    }
}

/// Each status the handler answers, with its description and media types: see [`answers`].
fn responses(
    route: &RouteDef,
    doc: &RouteDoc,
    operation: &Operation<'_>,
    reads_body: bool,
) -> Value {
    let typed_path = has_typed_path(route);
    let media = answers(doc, operation, reads_body, typed_path);
    let mut responses = Map::new();
    for (status, kinds) in media {
        let description = doc
            .described
            .iter()
            .find(|(described, _)| *described == status)
            .map(|(_, text)| (*text).to_owned())
            .unwrap_or_else(|| default_description(status, typed_path));
        let mut content = Map::new();
        for kind in kinds {
            if let Some(content_type) = kind.content_type() {
                content.insert(content_type.to_owned(), json!({}));
            }
            if kind == Media::ErrorPage {
                content.insert("application/json".to_owned(), json!({}));
            }
        }
        if (200..300).contains(&status) {
            if let Some(schema) = &operation.returns_json {
                content.insert("application/json".to_owned(), json!({ "schema": schema }));
            }
        }
        let mut response = json!({ "description": description });
        if !content.is_empty() {
            response["content"] = content.into();
        }
        responses.insert(status.to_string(), response);
    }
    responses.into()
}

/// Each status a handler answers, with the kinds of body it answers them with: what its body
/// shows, what `responses(..)` adds, what its extractors and path converters answer when the
/// request does not fit, and Flask's 200 when nothing else is known. The one source of the
/// OpenAPI document's responses and the route listing's statuses. A body extractor's failures
/// count only where the method reads a body (not a GET's).
fn answers(
    doc: &RouteDoc,
    operation: &Operation<'_>,
    reads_body: bool,
    typed_path: bool,
) -> BTreeMap<u16, BTreeSet<Media>> {
    let mut media = BTreeMap::<u16, BTreeSet<Media>>::new();
    for &(status, kind) in doc.responses {
        media.entry(status).or_default().insert(kind);
    }
    for &(status, _) in doc.described {
        media.entry(status).or_default();
    }
    let body_failures = operation.body_failures.iter().filter(|_| reads_body);
    for &status in operation.failures.iter().chain(body_failures) {
        media.entry(status).or_default().insert(Media::ErrorPage);
    }
    if typed_path {
        media.entry(404).or_default().insert(Media::ErrorPage);
    }
    if media.is_empty() {
        media.entry(200).or_default().insert(Media::Unknown);
    }
    media
}

/// The methods the document has an operation for: those the route answers, but the `HEAD` and
/// `OPTIONS` every route answers.
fn documented_methods(route: &RouteDef) -> impl Iterator<Item = &'static str> {
    route
        .methods
        .names()
        .filter(|method| !matches!(*method, "HEAD" | "OPTIONS"))
}

/// Whether a request of `method` has its body read: a GET's body is no part of its meaning
/// (RFC 9110, 9.3.1), so a `Form` there reads nothing.
fn reads_body(method: &str) -> bool {
    method != "GET"
}

/// Whether a path parameter's converter refuses some values, with a 404.
fn has_typed_path(route: &RouteDef) -> bool {
    carafe_core::path::params(route.parts).any(|(_, converter)| converter.refuses_some())
}

/// The statuses a route answers, for the route listing: those of its OpenAPI operations,
/// whichever method it is called with.
pub(crate) fn statuses(route: &RouteDef) -> Vec<u16> {
    let mut schemas = Schemas::new();
    let mut operation = Operation::new(&mut schemas);
    (route.doc.operation)(&mut operation);
    let reads_body = documented_methods(route).any(reads_body);
    answers(route.doc, &operation, reads_body, has_typed_path(route))
        .into_keys()
        .collect()
}

/// The status's reason phrase; for a 404 of a typed path, why it is answered.
fn default_description(status: u16, typed_path: bool) -> String {
    if status == 404 && typed_path {
        return "Not Found (also when a path value does not parse)".to_owned();
    }
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|status| status.canonical_reason())
        .map_or_else(|| format!("Status {status}"), str::to_owned)
}

/// The document as served, kept in the app's state.
pub(crate) struct DocumentJson(pub(crate) Bytes);

/// The route serving the document at `path`, a plain path such as `/openapi.json`: the whole
/// path is its prefix.
pub(crate) fn document_route(path: &str) -> Result<Mounted, String> {
    const DOC: RouteDoc = RouteDoc::undocumented(&[(200, Media::Json)]);
    Mounted::at_plain_path(
        path,
        "App::openapi_route",
        "/openapi.json",
        "openapi",
        Handler::AtOnce(serve_document, &DOCUMENT_PACE),
        &DOC,
    )
}

/// How the document's handler has been seen to answer (at once: the document is made when the
/// app starts).
static DOCUMENT_PACE: Pace = Pace::new();

fn serve_document(ctx: &mut RequestContext) -> Response {
    match ctx.state::<DocumentJson>() {
        Some(document) => Response::with_content_type(
            Body::from(document.0.clone()),
            HeaderValue::from_static("application/json"),
        ),
        None => HttpError::new(404).into_response(),
    }
}
