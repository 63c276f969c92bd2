//! What the `#[route]` macro knows about a handler, as plain `const` data.
//!
//! The macro parses and checks the path at compile time with `carafe_core`, and emits its
//! parts; the runtime routes by them and never parses a path.

pub use carafe_core::path::Part;
pub use carafe_core::{Converter, MethodSet};

use crate::app_data::Need;
use crate::handler::Handler;
use crate::route_doc::RouteDoc;

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
    /// Every status literal the macro found in the handler's body, for the route listing.
    pub statuses: &'static [u16],
    /// What each extractor argument needs from the app, checked when the app starts.
    pub needs: &'static [Option<Need>],
    /// The generated function that extracts the arguments and calls the handler.
    pub handler: Handler,
    /// What the OpenAPI document says of it; `None` leaves it out (the static files' route).
    pub doc: Option<&'static RouteDoc>,
}

impl RouteDef {
    /// A GET route of carafe's own (the static files', the OpenAPI document's), named
    /// `handler_name` for templates' `url_for`, with no source line (`file` says what it
    /// serves) and no place in the OpenAPI document. Made once per app: its texts are leaked
    /// into the `'static` data routes hold.
    pub(crate) fn builtin(
        handler_name: &'static str,
        parts: Vec<Part<'static>>,
        file: String,
        statuses: &'static [u16],
        handler: Handler,
    ) -> RouteDef {
        let path: String = parts
            .iter()
            .map(|part| match part {
                Part::Static(text) => (*text).to_owned(),
                Part::Param { name, converter } => format!("<{}:{name}>", converter.name()),
            })
            .collect();
        RouteDef {
            handler_name,
            module_path: "carafe",
            file: Box::leak(file.into_boxed_str()),
            line: 0,
            path: Box::leak(path.into_boxed_str()),
            parts: Vec::leak(parts),
            methods: MethodSet::GET,
            statuses,
            needs: &[],
            handler,
            doc: None,
        }
    }

    /// The converters of the path's parameters, in order.
    pub(crate) fn converters(&self) -> impl Iterator<Item = Converter> + Clone {
        carafe_core::path::params(self.parts).map(|(_, converter)| converter)
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
