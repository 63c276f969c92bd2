//! What `#[route]` tells the OpenAPI document about a handler: its doc comment, the statuses
//! its body answers with the kind of each body, and a function that reports its extractors
//! and return type with their JSON schemas (from `schemars`, for types that derive
//! `JsonSchema`). The document itself is made in `openapi`.

use std::collections::BTreeSet;
use std::marker::PhantomData;

use carafe_core::media::Media;
use serde_json::{json, Map, Value};

/// The media types of form bodies, as the document names them.
const FORM_MEDIA: &str = "application/x-www-form-urlencoded";
const MULTIPART_MEDIA: &str = "multipart/form-data";

/// What `#[route]` tells the document about a handler. Users never build this by hand.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct RouteDoc {
    /// The doc comment's first paragraph.
    pub summary: &'static str,
    /// The doc comment's other paragraphs.
    pub description: &'static str,
    /// The statuses the body answers, each with the kind of its body.
    pub responses: &'static [(u16, Media)],
    /// `#[route(.., responses(404 = ".."))]`: descriptions, and statuses the body may not show.
    pub described: &'static [(u16, &'static str)],
    /// Tells the operation about the extractors and the return type, with their schemas.
    pub operation: fn(&mut Operation<'_>),
    /// Whether the OpenAPI document shows the route: not the static files', nor the
    /// document's own.
    pub in_document: bool,
}

impl RouteDoc {
    /// A route of which nothing is known, left out of the document.
    pub const UNKNOWN: RouteDoc = RouteDoc::undocumented(&[]);

    /// What is known of a route left out of the document (a built-in one, or one whose
    /// `#[route]` failed its checks): the statuses it answers, for the route listing.
    pub const fn undocumented(responses: &'static [(u16, Media)]) -> RouteDoc {
        RouteDoc {
            summary: "",
            description: "",
            responses,
            described: &[],
            operation: describes_nothing,
            in_document: false,
        }
    }
}

fn describes_nothing(_: &mut Operation<'_>) {}

/// What the OpenAPI document says of one handler, as its extractors and return type describe
/// it: each extractor's [`describe`](crate::FromRequestParts::describe) tells it what the
/// extractor reads and which statuses it answers when the request does not fit.
///
/// ```
/// use carafe_runtime::{FromRequestParts, HttpError, IntoResponse, Operation, RequestContext, Response};
///
/// /// A caller who showed a token, or 401.
/// struct Token(String);
///
/// impl FromRequestParts for Token {
///     fn from_request_parts(ctx: &RequestContext) -> Result<Self, Response> {
///         match ctx.parts().headers.get("authorization").and_then(|v| v.to_str().ok()) {
///             Some(token) => Ok(Token(token.to_owned())),
///             None => Err(HttpError::new(401).into_response()),
///         }
///     }
///
///     fn describe(operation: &mut Operation<'_>) {
///         operation.fails_with(401);
///     }
/// }
/// ```
pub struct Operation<'g> {
    schemas: &'g mut Schemas,
    /// The schemas of the type arguments of the extractor or return type being described, as
    /// its type is written in the handler's signature.
    type_arguments: &'static [TypeArgument],
    /// The request body's media type and schema.
    pub(crate) body: Option<(&'static str, Value)>,
    /// The query's schema.
    pub(crate) query: Option<Value>,
    /// The schema of a `Json<T>` the handler returns.
    pub(crate) returns_json: Option<Value>,
    /// What the extractors answer when the request does not fit them: those of the body's
    /// and those of the head's.
    pub(crate) body_failures: BTreeSet<u16>,
    pub(crate) failures: BTreeSet<u16>,
}

/// The schema of a type argument as the handler's signature writes it (`T` of `Json<T>`),
/// with its own type arguments: `#[route]` makes these, so that a generic extractor can
/// document the type it is given. Users never build this by hand.
#[doc(hidden)]
pub struct TypeArgument {
    /// A reference to its schema among the document's.
    pub schema: fn(&mut Schemas) -> Value,
    /// Its schema itself, to read its properties.
    pub inline_schema: fn(&mut Schemas) -> Value,
    /// Its own type arguments.
    pub arguments: &'static [TypeArgument],
}

impl<'g> Operation<'g> {
    /// An operation whose schemas go among `schemas`.
    pub(crate) fn new(schemas: &'g mut Schemas) -> Operation<'g> {
        Operation {
            schemas,
            type_arguments: &[],
            body: None,
            query: None,
            returns_json: None,
            body_failures: BTreeSet::new(),
            failures: BTreeSet::new(),
        }
    }

    /// Has `describe` describe a type written with these type arguments: an extractor, or the
    /// handler's return type.
    #[doc(hidden)]
    pub fn describe_written(
        &mut self,
        arguments: &'static [TypeArgument],
        describe: fn(&mut Operation<'_>),
    ) {
        self.type_arguments = arguments;
        describe(self);
    }

    /// Has `describe` describe type argument `index` of the type being described, as
    /// `Result<T, E>` has `T` describe itself.
    #[doc(hidden)]
    pub fn describe_type_argument(&mut self, index: usize, describe: fn(&mut Operation<'_>)) {
        let outer = self.type_arguments;
        self.type_arguments = outer.get(index).map_or(&[], |argument| argument.arguments);
        describe(self);
        self.type_arguments = outer;
    }

    /// The schema of type argument `index` of the type being described, as the handler's
    /// signature writes it: that of `T` for `Json<T>`, a reference among the document's
    /// schemas if `T` derives `JsonSchema`, else a plain object. `None` when the signature
    /// writes no such argument (`Form` alone).
    pub fn type_argument_schema(&mut self, index: usize) -> Option<Value> {
        let argument = self.type_arguments.get(index)?;
        Some((argument.schema)(self.schemas))
    }

    /// The schema of type argument `index` itself, not a reference: to read its properties,
    /// as query parameters are.
    pub fn type_argument_inline_schema(&mut self, index: usize) -> Option<Value> {
        let argument = self.type_arguments.get(index)?;
        Some((argument.inline_schema)(self.schemas))
    }

    /// A JSON request body of this schema; a request that does not fit answers 400, 413 or
    /// 415.
    pub fn request_json(&mut self, schema: Value) {
        self.body = Some(("application/json", schema));
        self.body_failures.extend([400, 413, 415]);
    }

    /// A urlencoded form body of this schema; a request that does not fit answers 400, 413 or
    /// 415.
    pub fn request_form(&mut self, schema: Value) {
        // Beside files (`Files`), the form's fields are the text parts of a multipart body.
        self.body = Some(match self.body.take() {
            Some((MULTIPART_MEDIA, files)) => {
                (MULTIPART_MEDIA, json!({ "allOf": [schema, files] }))
            }
            _ => (FORM_MEDIA, schema),
        });
        self.body_failures.extend([400, 413, 415]);
    }

    /// A multipart form body (`Files`, `Multipart`): its files as binary strings, beside the
    /// text fields a `Form` of the same handler describes; a request that does not fit
    /// answers 400, 413 or 415.
    pub fn request_multipart(&mut self) {
        let files = json!({
            "type": "object",
            "additionalProperties": { "type": "string", "format": "binary" },
        });
        let schema = match self.body.take() {
            Some((FORM_MEDIA, fields)) => json!({ "allOf": [fields, files] }),
            Some((MULTIPART_MEDIA, schema)) => schema,
            _ => files,
        };
        self.body = Some((MULTIPART_MEDIA, schema));
        self.body_failures.extend([400, 413, 415]);
    }

    /// A body of any bytes; one past the app's limit answers 413.
    pub fn request_bytes(&mut self) {
        let schema = json!({ "type": "string", "contentMediaType": "application/octet-stream" });
        self.body = Some(("application/octet-stream", schema));
        self.body_failures.insert(413);
    }

    /// Query parameters: one per property of this schema (else the whole query as one
    /// object); a query that does not fit answers 400.
    pub fn query(&mut self, schema: Value) {
        self.query = Some(schema);
        self.failures.insert(400);
    }

    /// A status the extractor answers when the request does not fit it, such as 401, shown
    /// with the app's error page.
    pub fn fails_with(&mut self, status: u16) {
        self.failures.insert(status);
    }

    /// A handler that returns a `Result`: its errors answer 500 unless they say otherwise.
    #[doc(hidden)]
    pub fn may_fail(&mut self) {
        self.failures.insert(500);
    }

    /// A handler that returns `Json<T>` (or `Result<Json<T>, E>`).
    #[doc(hidden)]
    pub fn returns_json(&mut self, schema: Value) {
        self.returns_json = Some(schema);
    }
}

/// The document's JSON schemas: a `schemars` generator whose definitions become
/// `components/schemas`.
#[doc(hidden)]
pub struct Schemas {
    #[cfg(feature = "openapi")]
    generator: schemars::SchemaGenerator,
}

impl Schemas {
    pub(crate) fn new() -> Schemas {
        Schemas {
            #[cfg(feature = "openapi")]
            generator: schemars::generate::SchemaSettings::draft2020_12()
                .with(|settings| {
                    settings.definitions_path = "/components/schemas".into();
                    settings.meta_schema = None;
                })
                .into_generator(),
        }
    }

    /// The definitions the schemas refer to.
    pub(crate) fn definitions(&mut self) -> Map<String, Value> {
        #[cfg(feature = "openapi")]
        return self.generator.take_definitions(true);
        #[cfg(not(feature = "openapi"))]
        Map::new()
    }
}

/// Finds the JSON schema of `T`: through `JsonSchema` when `T` has it, else a plain object.
/// The generated code calls `(&Probe::<T>::NEW).schema(..)` with both traits in scope: the
/// `JsonSchema` one is chosen where it applies, as the method of `Probe<T>` itself, before
/// the fallback, a method of `&Probe<T>`.
#[doc(hidden)]
pub struct Probe<T: ?Sized>(PhantomData<T>);

impl<T: ?Sized> Probe<T> {
    /// The probe of `T`.
    pub const NEW: Probe<T> = Probe(PhantomData);
}

/// The schema of a type that derives `JsonSchema`.
#[doc(hidden)]
pub trait WithSchema {
    /// A reference to its schema among the document's.
    fn schema(&self, schemas: &mut Schemas) -> Value;
    /// Its schema itself, to read its properties.
    fn inline_schema(&self, schemas: &mut Schemas) -> Value;
}

#[cfg(feature = "openapi")]
impl<T: schemars::JsonSchema + ?Sized> WithSchema for Probe<T> {
    fn schema(&self, schemas: &mut Schemas) -> Value {
        schemas.generator.subschema_for::<T>().to_value()
    }

    fn inline_schema(&self, schemas: &mut Schemas) -> Value {
        T::json_schema(&mut schemas.generator).to_value()
    }
}

/// The schema of any other type: an object, all that is known of it.
#[doc(hidden)]
pub trait WithoutSchema {
    /// An object.
    fn schema(&self, schemas: &mut Schemas) -> Value;
    /// An object.
    fn inline_schema(&self, schemas: &mut Schemas) -> Value;
}

impl<T: ?Sized> WithoutSchema for &Probe<T> {
    fn schema(&self, _: &mut Schemas) -> Value {
        json!({ "type": "object" })
    }

    fn inline_schema(&self, _: &mut Schemas) -> Value {
        json!({ "type": "object" })
    }
}
