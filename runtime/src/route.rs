//! What the `#[route]` macro knows about a handler, as plain `const` data.
//!
//! The macro parses and checks the path at compile time, so the runtime never parses a route
//! pattern: it receives the `matchit` pattern and the parameters already split out.

use std::fmt;

use http::Method;
use percent_encoding::percent_decode_str;

use crate::handler::HandlerFn;

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
    /// The `matchit` pattern: parameters renamed `p0`, `p1`, … in path order, a `path`
    /// converter as a catch-all, e.g. `/items/{p0}` or `/files/{*p0}`.
    pub pattern: &'static str,
    /// The path parameters, in path order (the index is the `N` of `pN`).
    pub params: &'static [ParamDef],
    /// The methods this handler answers.
    pub methods: MethodSet,
    /// Every status literal the macro found in the handler's body, for the route listing.
    pub statuses: &'static [u16],
    /// The generated function that extracts the arguments and calls the handler.
    pub handler: HandlerFn,
}

/// A path parameter: its name in the path and its converter.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamDef {
    pub name: &'static str,
    pub converter: Converter,
}

/// Flask's URL converters, written `<int:item_id>` in a route's path.
///
/// ```
/// use carafe_runtime::Converter;
///
/// assert_eq!(Converter::Uuid.name(), "uuid");
/// assert!(Converter::Uuid.accepts("6ba7b810-9dad-11d1-80b4-00c04fd430c8"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Converter {
    /// `<int:id>`: ASCII digits only, no sign.
    Int,
    /// `<float:x>`: digits, a `.`, digits; no sign, no exponent.
    Float,
    /// `<uuid:id>`: a hyphenated UUID, `8-4-4-4-12` hex digits.
    Uuid,
    /// `<id>` or `<string:id>`: one segment, no `/`.
    String,
    /// `<path:rest>`: the rest of the path, slashes included, not starting with one; last
    /// segment only.
    Path,
}

impl Converter {
    /// The name used in the path grammar.
    pub const fn name(self) -> &'static str {
        match self {
            Converter::Int => "int",
            Converter::Float => "float",
            Converter::Uuid => "uuid",
            Converter::String => "string",
            Converter::Path => "path",
        }
    }

    /// Whether a path segment as sent (still percent-encoded) is accepted by this converter.
    /// Like Werkzeug, which matches the decoded path, it judges the decoded text: `%2F` is a `/`
    /// that a `string` refuses, `%31` a digit that an `int` takes.
    ///
    /// ```
    /// use carafe_runtime::Converter;
    ///
    /// assert!(Converter::Int.accepts("42"));
    /// assert!(!Converter::Int.accepts("-42"));
    /// assert!(Converter::Float.accepts("1.5") && !Converter::Float.accepts("1"));
    /// assert!(Converter::String.accepts("a%20b") && !Converter::String.accepts("a%2Fb"));
    /// assert!(Converter::Path.accepts("docs/a.txt"));
    /// ```
    pub fn accepts(self, raw: &str) -> bool {
        if !raw.as_bytes().contains(&b'%') {
            return self.accepts_decoded(raw);
        }
        percent_decode_str(raw)
            .decode_utf8()
            .is_ok_and(|decoded| self.accepts_decoded(&decoded))
    }

    /// [`Converter::accepts`] for a value the router's tree matched, which is never empty and,
    /// but for `path`, never holds a `/`. `may_be_encoded` is false when the router saw no `%`
    /// near it: then the value is judged as it is, without looking for one again.
    pub(crate) fn accepts_matched(self, raw: &str, may_be_encoded: bool) -> bool {
        match self {
            _ if may_be_encoded => self.accepts(raw),
            Converter::String => true,
            converter => converter.accepts_decoded(raw),
        }
    }

    /// Werkzeug's rules, on the decoded segment.
    fn accepts_decoded(self, text: &str) -> bool {
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        match self {
            Converter::Int => digits(text),
            Converter::Float => text
                .split_once('.')
                .is_some_and(|(whole, fraction)| digits(whole) && digits(fraction)),
            Converter::Uuid => {
                let bytes = text.as_bytes();
                bytes.len() == 36
                    && bytes.iter().enumerate().all(|(i, b)| match i {
                        8 | 13 | 18 | 23 => *b == b'-',
                        _ => b.is_ascii_hexdigit(),
                    })
            }
            Converter::String => !text.is_empty() && !text.contains('/'),
            Converter::Path => !text.is_empty() && !text.starts_with('/'),
        }
    }
}

/// A set of HTTP methods, usable in `const` items.
///
/// ```
/// use carafe_runtime::{Method, MethodSet};
///
/// const READ_WRITE: MethodSet = MethodSet::GET.union(MethodSet::PUT);
/// assert!(READ_WRITE.contains(&Method::PUT));
/// assert_eq!(READ_WRITE.iter().collect::<Vec<_>>(), [Method::GET, Method::PUT]);
/// assert_eq!(MethodSet::from_method(&Method::TRACE), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MethodSet(u8);

impl MethodSet {
    /// No method.
    pub const EMPTY: MethodSet = MethodSet(0);
    /// Only `GET`.
    pub const GET: MethodSet = MethodSet(1);
    /// Only `POST`.
    pub const POST: MethodSet = MethodSet(1 << 1);
    /// Only `PUT`.
    pub const PUT: MethodSet = MethodSet(1 << 2);
    /// Only `PATCH`.
    pub const PATCH: MethodSet = MethodSet(1 << 3);
    /// Only `DELETE`.
    pub const DELETE: MethodSet = MethodSet(1 << 4);
    /// Only `HEAD`.
    pub const HEAD: MethodSet = MethodSet(1 << 5);
    /// Only `OPTIONS`.
    pub const OPTIONS: MethodSet = MethodSet(1 << 6);

    /// Every method in the order `Allow` lists them.
    const ALL: [(MethodSet, Method); 7] = [
        (MethodSet::GET, Method::GET),
        (MethodSet::HEAD, Method::HEAD),
        (MethodSet::POST, Method::POST),
        (MethodSet::PUT, Method::PUT),
        (MethodSet::PATCH, Method::PATCH),
        (MethodSet::DELETE, Method::DELETE),
        (MethodSet::OPTIONS, Method::OPTIONS),
    ];

    /// Both sets together.
    pub const fn union(self, other: MethodSet) -> MethodSet {
        MethodSet(self.0 | other.0)
    }

    /// The methods in both sets.
    pub const fn intersection(self, other: MethodSet) -> MethodSet {
        MethodSet(self.0 & other.0)
    }

    /// Whether the two sets share a method.
    pub const fn intersects(self, other: MethodSet) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether `method` is in the set.
    pub fn contains(self, method: &Method) -> bool {
        MethodSet::from_method(method).is_some_and(|m| self.intersects(m))
    }

    /// The one-method set for a standard method; `None` for others (`TRACE`, extensions).
    pub fn from_method(method: &Method) -> Option<MethodSet> {
        // Called for every request: comparing with each constant is a tag compare, where
        // searching `ALL` would build and drop its seven `Method`s each time.
        Some(match *method {
            Method::GET => MethodSet::GET,
            Method::POST => MethodSet::POST,
            Method::PUT => MethodSet::PUT,
            Method::PATCH => MethodSet::PATCH,
            Method::DELETE => MethodSet::DELETE,
            Method::HEAD => MethodSet::HEAD,
            Method::OPTIONS => MethodSet::OPTIONS,
            _ => return None,
        })
    }

    /// The methods in the set, in `Allow` order.
    pub fn iter(self) -> impl Iterator<Item = Method> {
        MethodSet::ALL
            .into_iter()
            .filter(move |(set, _)| self.intersects(*set))
            .map(|(_, m)| m)
    }

    /// Whether the set has no method.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Debug for MethodSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// Implemented by the hidden item `#[route]` puts beside each handler; `routes![..]` reads it.
#[doc(hidden)]
pub trait Route {
    const ROUTE: RouteDef;
}
