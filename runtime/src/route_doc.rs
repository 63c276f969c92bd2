//! What `#[route]` tells the OpenAPI document about a handler: its doc comment, the statuses
//! its body answers with the kind of each body, and a function that reports its extractors
//! and return type with their JSON schemas (from `schemars`, for types that derive
//! `JsonSchema`). The document itself is made in `openapi`.

use std::collections::BTreeSet;
use std::marker::PhantomData;

use carafe_core::media::Media;
use serde_json::{json, Map, Value};

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
}

/// What the generated code reports of a handler's extractors and return type.
#[doc(hidden)]
pub struct Operation<'g> {
    schemas: &'g mut Schemas,
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

impl<'g> Operation<'g> {
    /// An operation whose schemas go among `schemas`.
    pub(crate) fn new(schemas: &'g mut Schemas) -> Operation<'g> {
        Operation {
            schemas,
            body: None,
            query: None,
            returns_json: None,
            body_failures: BTreeSet::new(),
            failures: BTreeSet::new(),
        }
    }

    /// A `Json<T>` argument.
    pub fn request_json(&mut self, schema: Value) {
        self.body = Some(("application/json", schema));
        self.body_failures.extend([400, 413, 415]);
    }

    /// A `Form<T>` or `Form` argument.
    pub fn request_form(&mut self, schema: Value) {
        self.body = Some(("application/x-www-form-urlencoded", schema));
        self.body_failures.extend([400, 413, 415]);
    }

    /// A `Form` argument: fields of any names.
    pub fn request_form_fields(&mut self) {
        let fields = json!({ "type": "object", "additionalProperties": { "type": "string" } });
        self.request_form(fields);
    }

    /// A `Bytes` argument: the body as it is.
    pub fn request_bytes(&mut self) {
        let schema = json!({ "type": "string", "contentMediaType": "application/octet-stream" });
        self.body = Some(("application/octet-stream", schema));
        self.body_failures.insert(413);
    }

    /// A `Query<T>` argument.
    pub fn query(&mut self, schema: Value) {
        self.query = Some(schema);
        self.failures.insert(400);
    }

    /// A handler that returns a `Result`: its errors answer 500 unless they say otherwise.
    pub fn may_fail(&mut self) {
        self.failures.insert(500);
    }

    /// A handler that returns `Json<T>` (or `Result<Json<T>, E>`).
    pub fn returns_json(&mut self, schema: Value) {
        self.returns_json = Some(schema);
    }

    /// The schemas gathered so far, for the probes.
    pub fn schemas(&mut self) -> &mut Schemas {
        self.schemas
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
