//! What the `#[route]` macro knows about a handler, as plain `const` data.
//!
//! The macro parses and checks the path at compile time with `carafe_core`, and emits its
//! parts; the runtime routes by them and never parses a path.

use std::borrow::Cow;

use carafe_core::path::same_shape;
pub use carafe_core::path::Part;
pub use carafe_core::{Converter, MethodSet};
use smallvec::SmallVec;

use crate::extract::app_data::Needs;
use crate::response::route_doc::RouteDoc;
use crate::routing::handler::Handler;

/// One route, described by the `#[route]` macro in a `const`.
///
/// Users never build this by hand: `#[route]` emits it and `routes![..]` collects it.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct RouteDef {
    /// The handler function's name, as written.
    pub handler_name: &'static str,
    /// `module_path!()` where the handler is defined.
    pub module_path: &'static str,
    /// `file!()` and `line!()` of the handler's name.
    pub file: &'static str,
    pub line: u32,
    /// The path as the user wrote it, e.g. `/items/<int:item_id>`.
    pub path: &'static str,
    /// The path parsed: static text and parameters, in order; the `n`-th parameter is the
    /// handler's path parameter `n`.
    pub parts: &'static [Part<'static>],
    /// The methods this handler answers.
    pub methods: MethodSet,
    /// Whether it takes unsafe requests from pages of any origin (`cross_origin` in its
    /// attribute): a webhook, an API for other sites' scripts.
    pub cross_origin: bool,
    /// Whether its handler opens WebSockets (takes a `WebSocketUpgrade`): cross-site
    /// protection then looks at its GETs too, since a page of any origin may open a socket
    /// with the user's cookies.
    pub websocket: bool,
    /// The largest body it reads, in bytes, when its attribute sets one
    /// (`body_limit = "64 MiB"`) over the app's (`App::body_limit`).
    pub body_limit: Option<u64>,
    /// Declares what its extractor arguments need from the app, checked when the app starts.
    pub needs: fn(&mut Needs<'_>),
    /// The generated function that extracts the arguments and calls the handler.
    pub handler: Handler,
    /// What the OpenAPI document and the route listing say of it.
    pub doc: &'static RouteDoc,
}

/// The needs of a route whose handler takes no extractor, as the built-in routes'.
pub(crate) fn needs_nothing(_: &mut Needs<'_>) {}

impl RouteDef {
    /// The converters of the path's parameters, in order.
    pub(crate) fn converters(&self) -> impl Iterator<Item = Converter> + Clone {
        carafe_core::path::params(self.parts).map(|(_, converter)| converter)
    }
}

/// A route as an app mounted it: its definition as `#[route]` wrote it, the path and first
/// static text it has under its blueprints' prefixes, owned by the app (an app built and
/// dropped leaves nothing behind), and the scope (the app, or a blueprint) whose error pages
/// and hooks it uses.
#[derive(Clone)]
pub struct Mounted {
    /// The route as its handler's `#[route]` describes it, without prefixes.
    pub def: RouteDef,
    /// Index of its scope in the app's scopes; 0 is the app's own.
    pub scope: usize,
    /// The path as written, under the prefixes: `/api/items/<int:id>`.
    path: Cow<'static, str>,
    /// The first part's text under the prefixes, `/api/items/`: a path always starts with
    /// static text, and a prefix only ever lengthens it.
    first: Cow<'static, str>,
    /// Where it comes from, for the listing: the handler's file, or for a route of carafe's
    /// own, what it serves.
    file: Cow<'static, str>,
}

impl Mounted {
    /// `def` under `prefix` (plain text, `""` for none), in `scope`.
    pub(crate) fn new(def: RouteDef, prefix: &str, scope: usize) -> Mounted {
        let under = |text: &'static str| match prefix {
            "" => Cow::Borrowed(text),
            prefix => Cow::Owned(format!("{prefix}{text}")),
        };
        let first = match def.parts.first() {
            Some(Part::Static(text)) => under(text),
            _ => under(""),
        };
        Mounted {
            path: under(def.path),
            first,
            file: Cow::Borrowed(def.file),
            def,
            scope,
        }
    }

    /// A route of carafe's own (the static files') under `prefix`, with what it serves (the
    /// folder) in place of a source file.
    #[cfg(feature = "static-files")]
    /// A GET route of carafe's own, set by `setting` (`App::health_route`), at `path`, a
    /// plain one with no parameter, answered at once by `handler`; or the problem, with an
    /// `example` of a path.
    pub(crate) fn at_plain_path(
        path: &str,
        setting: &'static str,
        example: &str,
        handler_name: &'static str,
        handler: Handler,
        doc: &'static RouteDoc,
    ) -> Result<Mounted, String> {
        let parsed = carafe_core::path::parse(path).ok();
        let plain = parsed.as_ref().is_some_and(|parsed| {
            parsed
                .parts
                .iter()
                .all(|part| matches!(part, Part::Static(_)))
        });
        if !plain {
            return Err(format!(
                "{setting}({path:?}): this route is served at a plain path with no parameter, \
                 such as \"{example}\""
            ));
        }
        let def = RouteDef {
            handler_name,
            module_path: "carafe",
            file: setting,
            line: 0,
            path: "",
            parts: &[Part::Static("")],
            methods: MethodSet::GET,
            cross_origin: false,
            websocket: false,
            body_limit: None,
            needs: needs_nothing,
            handler,
            doc,
        };
        Ok(Mounted::new(def, path, 0))
    }

    pub(crate) fn builtin(def: RouteDef, prefix: &str, serves: String) -> Mounted {
        Mounted {
            file: Cow::Owned(serves),
            ..Mounted::new(def, prefix, 0)
        }
    }

    /// The path as written, under the prefixes.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The parts of the path under the prefixes: the route's own, with the prefixes before
    /// its first static text.
    pub fn parts(&self) -> SmallVec<[Part<'_>; 4]> {
        let mut parts: SmallVec<[Part<'_>; 4]> = self.def.parts.iter().copied().collect();
        match parts.first_mut() {
            Some(Part::Static(first)) => *first = &self.first,
            _ => parts.insert(0, Part::Static(&self.first)),
        }
        parts
    }

    /// Where the handler is defined, or what a route of carafe's own serves.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Whether both answer a method on the same path, parameter names aside: one app cannot
    /// hold both.
    pub(crate) fn clashes_with(&self, other: &Mounted) -> bool {
        self.def.methods.intersects(other.def.methods) && same_shape(&self.parts(), &other.parts())
    }
}

/// Whether the two routes answer a method on the same path, parameter names aside: one app
/// cannot hold both. A `const fn`, so that `routes![..]` refuses a clash at compile time with
/// the test the router runs when routes of separate `mount`s meet.
pub(crate) const fn clash(a: &RouteDef, b: &RouteDef) -> bool {
    a.methods.intersects(b.methods) && carafe_core::path::same_shape(a.parts, b.parts)
}

/// The routes `routes![..]` collects, ready for [`App::mount`](crate::App::mount) or
/// [`Blueprint::mount`](crate::Blueprint::mount).
///
/// ```
/// use carafe_runtime::{App, Routes};
///
/// // With the `carafe` crate: `fn api() -> Routes { routes![get_item, create_item] }`
/// fn mount_all(app: App, groups: &[Routes]) -> App {
///     groups.iter().fold(app, |app, routes| app.mount(*routes))
/// }
/// assert!(mount_all(App::new(), &[]).routes().is_empty());
/// ```
#[derive(Clone, Copy)]
pub struct Routes(&'static [RouteDef]);

impl Routes {
    #[doc(hidden)]
    pub const fn from_static(routes: &'static [RouteDef]) -> Routes {
        Routes(routes)
    }

    /// The routes' definitions.
    pub(crate) fn defs(self) -> &'static [RouteDef] {
        self.0
    }
}

/// Implemented by the hidden item `#[route]` puts beside each handler; `routes![..]` reads it.
#[doc(hidden)]
pub trait Route {
    const ROUTE: RouteDef;
}
