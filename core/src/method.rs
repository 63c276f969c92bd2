//! The HTTP methods a route can answer, as a set usable in `const` items.

use std::fmt;

use http::Method;

/// A set of HTTP methods, usable in `const` items.
///
/// ```
/// use carafe_core::MethodSet;
/// use http::Method;
///
/// const READ_WRITE: MethodSet = MethodSet::GET.union(MethodSet::PUT);
/// assert!(READ_WRITE.contains(&Method::PUT));
/// assert_eq!(READ_WRITE.iter().collect::<Vec<_>>(), [Method::GET, Method::PUT]);
/// assert_eq!(MethodSet::from_method(&Method::TRACE), None);
/// assert_eq!(MethodSet::from_name("PATCH"), Some(MethodSet::PATCH));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MethodSet(u8);

impl MethodSet {
    /// No method.
    pub const EMPTY: MethodSet = MethodSet(0);
    /// Only `GET`.
    pub const GET: MethodSet = MethodSet(1);
    /// Only `HEAD`.
    pub const HEAD: MethodSet = MethodSet(1 << 1);
    /// Only `POST`.
    pub const POST: MethodSet = MethodSet(1 << 2);
    /// Only `PUT`.
    pub const PUT: MethodSet = MethodSet(1 << 3);
    /// Only `PATCH`.
    pub const PATCH: MethodSet = MethodSet(1 << 4);
    /// Only `DELETE`.
    pub const DELETE: MethodSet = MethodSet(1 << 5);
    /// Only `OPTIONS`.
    pub const OPTIONS: MethodSet = MethodSet(1 << 6);
    /// Only `CONNECT`: HTTP/2 opens a WebSocket with it (RFC 8441), so a WebSocket route
    /// answers it beside GET. No route names it, and `Allow` does not list it.
    pub const CONNECT: MethodSet = MethodSet(1 << 7);

    /// Every method a route can name, with its name, in the order carafe's documentation and
    /// messages list them. `Allow` lists them in the order of their bits instead (see
    /// [`MethodSet::names`]): GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS.
    pub const ALL: [(&'static str, MethodSet); 7] = [
        ("GET", MethodSet::GET),
        ("POST", MethodSet::POST),
        ("PUT", MethodSet::PUT),
        ("PATCH", MethodSet::PATCH),
        ("DELETE", MethodSet::DELETE),
        ("HEAD", MethodSet::HEAD),
        ("OPTIONS", MethodSet::OPTIONS),
    ];

    /// The methods that change state, which cross-site request protection refuses from pages
    /// of another origin: POST, PUT, PATCH and DELETE. GET, HEAD and OPTIONS are safe
    /// (RFC 9110 §9.2.1): any page may make a browser send them.
    pub const UNSAFE: MethodSet = MethodSet::POST
        .union(MethodSet::PUT)
        .union(MethodSet::PATCH)
        .union(MethodSet::DELETE);

    /// Whether `method` may change state: one of [`MethodSet::UNSAFE`], or a method this set
    /// does not know (an extension, whose meaning is the app's), but not `TRACE`.
    pub fn is_unsafe(method: &Method) -> bool {
        match MethodSet::from_method(method) {
            Some(set) => set.intersects(MethodSet::UNSAFE),
            None => *method != Method::TRACE,
        }
    }

    /// The one-method set a name stands for, as written in `#[route]`: uppercase.
    pub fn from_name(name: &str) -> Option<MethodSet> {
        MethodSet::ALL
            .into_iter()
            .find(|(known, _)| *known == name)
            .map(|(_, set)| set)
    }

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
        // searching a table would build and drop its `Method`s each time.
        Some(match *method {
            Method::GET => MethodSet::GET,
            Method::POST => MethodSet::POST,
            Method::PUT => MethodSet::PUT,
            Method::PATCH => MethodSet::PATCH,
            Method::DELETE => MethodSet::DELETE,
            Method::HEAD => MethodSet::HEAD,
            Method::OPTIONS => MethodSet::OPTIONS,
            Method::CONNECT => MethodSet::CONNECT,
            _ => return None,
        })
    }

    /// The names of the methods in the set, in `Allow` order: the order of their bits.
    pub fn names(self) -> impl Iterator<Item = &'static str> + Clone {
        (0..u8::BITS)
            .map(|bit| MethodSet(1 << bit))
            .filter(move |method| self.intersects(*method))
            .filter_map(|method| {
                let named = MethodSet::ALL.into_iter().find(|(_, set)| *set == method);
                named.map(|(name, _)| name)
            })
    }

    /// The methods in the set, in `Allow` order.
    pub fn iter(self) -> impl Iterator<Item = Method> {
        self.names().map(|name| {
            Method::from_bytes(name.as_bytes()).expect("the standard methods are valid")
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_its_method() {
        for (name, set) in MethodSet::ALL {
            let method = Method::from_bytes(name.as_bytes()).unwrap();
            assert_eq!(MethodSet::from_method(&method), Some(set), "{name}");
            assert_eq!(MethodSet::from_name(name), Some(set));
            assert_eq!(set.names().collect::<Vec<_>>(), [name]);
        }
        assert_eq!(MethodSet::from_name("get"), None);
    }

    #[test]
    fn the_methods_that_change_state() {
        for (method, unsafe_) in [
            (Method::GET, false),
            (Method::HEAD, false),
            (Method::OPTIONS, false),
            (Method::TRACE, false),
            (Method::POST, true),
            (Method::PUT, true),
            (Method::PATCH, true),
            (Method::DELETE, true),
            (Method::from_bytes(b"PROPFIND").unwrap(), true),
        ] {
            assert_eq!(MethodSet::is_unsafe(&method), unsafe_, "{method}");
        }
    }

    #[test]
    fn sets() {
        let set = MethodSet::POST.union(MethodSet::GET);
        assert_eq!(set.names().collect::<Vec<_>>(), ["GET", "POST"]);
        let every = MethodSet::ALL
            .into_iter()
            .fold(MethodSet::EMPTY, |all, (_, set)| all.union(set));
        assert_eq!(
            every.names().collect::<Vec<_>>(),
            ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        );
        assert!(set.intersects(MethodSet::GET) && !set.intersects(MethodSet::PUT));
        assert_eq!(set.intersection(MethodSet::POST), MethodSet::POST);
        assert!(MethodSet::EMPTY.is_empty());
        assert_eq!(format!("{set:?}"), "{GET, POST}");
    }
}
