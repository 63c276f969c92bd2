//! Method and path dispatch on a `matchit` radix tree.
//!
//! Routes that differ only in their converters (`/items/<int:id>` and `/items/<name>`) share
//! one tree entry; the candidates behind it are tried from the most specific converter to the
//! least, so the `int` route wins whatever the order of registration, as in Werkzeug.

use std::collections::HashMap;
use std::fmt::Write;

use http::Method;

use crate::request::ParamRanges;
use crate::route::{MethodSet, RouteDef};

/// The routes of an app. Public only for `bench/`'s router benchmark, through `__private`.
#[doc(hidden)]
#[derive(Default)]
pub struct Router {
    tree: matchit::Router<usize>,
    /// One entry per distinct pattern; the tree's values index into it.
    endpoints: Vec<Endpoint>,
    /// Where each pattern's endpoint is, to add candidates to it.
    by_pattern: HashMap<&'static str, usize>,
}

/// The routes that share a `matchit` pattern, most specific converters first.
struct Endpoint {
    routes: Vec<RouteDef>,
    /// Matches this pattern alone, for when the tree's choice does not answer (see `lookup`).
    matcher: matchit::Router<()>,
    /// The other endpoints whose patterns may match a path this one matches: the only ones
    /// worth trying when this one does not answer, so that cost stays off the route count.
    overlapping: Vec<usize>,
}

/// What the router answers for a method and a path.
#[doc(hidden)]
pub enum Lookup<'r> {
    /// A route answers; its parameters are at these byte ranges of the path.
    Found(&'r RouteDef, ParamRanges),
    /// The path exists but not with this method; these are the methods it has.
    MethodNotAllowed(MethodSet),
    /// No route has this path.
    NotFound,
}

impl Router {
    /// Adds a route; refuses one that answers a method on the same path (parameter names
    /// aside) as a route already there, naming both handlers.
    pub fn insert(&mut self, route: RouteDef) -> Result<(), String> {
        let index = match self.by_pattern.get(route.pattern) {
            Some(&index) => index,
            None => self.insert_pattern(&route)?,
        };
        let endpoint = &mut self.endpoints[index];
        if let Some(existing) = endpoint.routes.iter().find(|existing| {
            converters(existing).eq(converters(&route))
                && existing.methods.intersects(route.methods)
        }) {
            return Err(format!(
                "routes `{}` ({}:{}) and `{}` ({}:{}) both answer {:?} on {}: remove one, or change its path or methods",
                existing.handler_name,
                existing.file,
                existing.line,
                route.handler_name,
                route.file,
                route.line,
                existing.methods.intersection(route.methods),
                route.path
            ));
        }
        endpoint.routes.push(route);
        endpoint
            .routes
            .sort_by(|a, b| converters(a).cmp(converters(b)));
        Ok(())
    }

    /// Adds a new pattern to the tree, and its percent-encoded spelling when clients send it
    /// differently (`/café` arrives as `/caf%C3%A9`); returns its endpoint's index.
    fn insert_pattern(&mut self, route: &RouteDef) -> Result<usize, String> {
        let index = self.endpoints.len();
        let cannot_add = |error: matchit::InsertError| {
            format!(
                "route `{}` ({}:{}) for {} cannot be added: {error}",
                route.handler_name, route.file, route.line, route.path
            )
        };
        let mut matcher = matchit::Router::new();
        let spellings = [
            Some(route.pattern.to_owned()),
            encoded_pattern(route.pattern),
        ];
        for pattern in spellings.into_iter().flatten() {
            self.tree
                .insert(pattern.clone(), index)
                .map_err(cannot_add)?;
            matcher.insert(pattern, ()).map_err(cannot_add)?;
        }
        let overlapping: Vec<usize> = self
            .by_pattern
            .iter()
            .filter(|(pattern, _)| may_overlap(pattern, route.pattern))
            .map(|(_, &other)| other)
            .collect();
        for &other in &overlapping {
            self.endpoints[other].overlapping.push(index);
        }
        self.endpoints.push(Endpoint {
            routes: Vec::new(),
            matcher,
            overlapping,
        });
        self.by_pattern.insert(route.pattern, index);
        Ok(index)
    }

    /// Finds the route for `method` on `path`.
    pub fn lookup(&self, method: &Method, path: &str) -> Lookup<'_> {
        let Ok(best) = self.tree.at(path) else {
            return Lookup::NotFound;
        };
        let mut allowed = MethodSet::EMPTY;
        let best_index = *best.value;
        if let Some(found) =
            self.endpoints[best_index].choose(method, path, &best.params, &mut allowed)
        {
            return found;
        }
        // The tree picks the most specific pattern (`/users/me` before `/users/{p0}`). When it
        // does not answer the method or its converters refuse the values, Werkzeug goes on to
        // the next rule matching the path, so the patterns that may overlap it are tried too.
        for &index in &self.endpoints[best_index].overlapping {
            let endpoint = &self.endpoints[index];
            let Ok(other) = endpoint.matcher.at(path) else {
                continue;
            };
            if let Some(found) = endpoint.choose(method, path, &other.params, &mut allowed) {
                return found;
            }
        }
        if allowed.is_empty() {
            Lookup::NotFound
        } else {
            Lookup::MethodNotAllowed(allowed)
        }
    }

    /// Every route, in registration order of their patterns.
    pub(crate) fn routes(&self) -> impl Iterator<Item = &RouteDef> {
        self.endpoints.iter().flat_map(|endpoint| &endpoint.routes)
    }
}

/// Whether some path could match both `matchit` patterns: a conservative test, segment by
/// segment, where only two different static segments (or different lengths without a
/// catch-all) rule a match out.
fn may_overlap(a: &str, b: &str) -> bool {
    let is_catch_all = |segment: &str| segment.starts_with("{*");
    let (mut a, mut b) = (a.split('/'), b.split('/'));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if is_catch_all(x) || is_catch_all(y) => return true,
            (Some(x), Some(y)) if !x.contains('{') && !y.contains('{') && x != y => return false,
            (Some(_), Some(_)) => {}
            _ => return false,
        }
    }
}

fn converters(route: &RouteDef) -> impl Iterator<Item = crate::route::Converter> + '_ {
    route.params.iter().map(|param| param.converter)
}

impl Endpoint {
    /// The route of this endpoint that answers `method` with these parameters; otherwise adds
    /// the methods its matching routes do answer to `allowed`.
    fn choose<'r>(
        &'r self,
        method: &Method,
        path: &str,
        params: &matchit::Params<'_, '_>,
        allowed: &mut MethodSet,
    ) -> Option<Lookup<'r>> {
        let ranges: ParamRanges = params
            .iter()
            .map(|(_, value)| {
                let start = value.as_ptr() as usize - path.as_ptr() as usize;
                (start, start + value.len())
            })
            .collect();
        let wanted = MethodSet::from_method(method).unwrap_or(MethodSet::EMPTY);
        // HEAD is answered by the GET route when there is no HEAD route of its own.
        let fallback = if wanted == MethodSet::HEAD {
            MethodSet::GET
        } else {
            MethodSet::EMPTY
        };
        let mut head_fallback = None;
        for route in &self.routes {
            let accepts = route
                .params
                .iter()
                .zip(&ranges)
                .all(|(param, &(start, end))| param.converter.accepts_matched(&path[start..end]));
            if !accepts {
                continue;
            }
            if route.methods.intersects(wanted) {
                return Some(Lookup::Found(route, ranges));
            }
            if head_fallback.is_none() && route.methods.intersects(fallback) {
                head_fallback = Some(route);
            }
            *allowed = allowed.union(route.methods);
        }
        head_fallback.map(|route| Lookup::Found(route, ranges))
    }
}

/// The pattern as clients send it, percent-encoded, when that differs: the non-ASCII characters
/// and spaces of its static parts (parameters are ASCII `{pN}`, so they stay as they are).
fn encoded_pattern(pattern: &str) -> Option<String> {
    if pattern.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    let mut encoded = String::with_capacity(pattern.len() * 2);
    for c in pattern.chars() {
        if c.is_ascii_graphic() {
            encoded.push(c);
        } else {
            for byte in c.encode_utf8(&mut [0; 4]).bytes() {
                let _ = write!(encoded, "%{byte:02X}");
            }
        }
    }
    Some(encoded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handler::HandlerFuture;
    use crate::request::RequestContext;
    use crate::route::{Converter, ParamDef};

    fn handler(_: RequestContext) -> HandlerFuture {
        HandlerFuture::new(async { crate::IntoResponse::into_response(()) })
    }

    fn route(
        name: &'static str,
        pattern: &'static str,
        params: &'static [ParamDef],
        methods: MethodSet,
    ) -> RouteDef {
        RouteDef {
            handler_name: name,
            module_path: "tests",
            file: "router.rs",
            line: 1,
            path: pattern,
            pattern,
            params,
            methods,
            statuses: &[],
            handler,
        }
    }

    const INT_ID: &[ParamDef] = &[ParamDef {
        name: "id",
        converter: Converter::Int,
    }];
    const STRING_ID: &[ParamDef] = &[ParamDef {
        name: "id",
        converter: Converter::String,
    }];

    fn found_name(router: &Router, method: Method, path: &str) -> Option<&'static str> {
        match router.lookup(&method, path) {
            Lookup::Found(route, _) => Some(route.handler_name),
            _ => None,
        }
    }

    #[test]
    fn int_route_wins_over_string_route_in_either_order() {
        for order in [[0, 1], [1, 0]] {
            let candidates = [
                route("by_id", "/items/{p0}", INT_ID, MethodSet::GET),
                route("by_name", "/items/{p0}", STRING_ID, MethodSet::GET),
            ];
            let mut router = Router::default();
            for i in order {
                router.insert(candidates[i]).unwrap();
            }
            assert_eq!(found_name(&router, Method::GET, "/items/42"), Some("by_id"));
            assert_eq!(
                found_name(&router, Method::GET, "/items/apple"),
                Some("by_name")
            );
        }
    }

    #[test]
    fn converter_mismatch_is_not_found_and_wrong_method_lists_allowed() {
        let mut router = Router::default();
        router
            .insert(route("get", "/items/{p0}", INT_ID, MethodSet::GET))
            .unwrap();
        router
            .insert(route("put", "/items/{p0}", INT_ID, MethodSet::PUT))
            .unwrap();
        assert!(matches!(
            router.lookup(&Method::GET, "/items/x"),
            Lookup::NotFound
        ));
        match router.lookup(&Method::POST, "/items/1") {
            Lookup::MethodNotAllowed(allowed) => {
                assert_eq!(allowed, MethodSet::GET.union(MethodSet::PUT))
            }
            _ => panic!("expected 405"),
        }
        assert_eq!(found_name(&router, Method::HEAD, "/items/1"), Some("get"));
    }

    #[test]
    fn duplicate_route_names_both_handlers() {
        let mut router = Router::default();
        router
            .insert(route("first", "/items/{p0}", INT_ID, MethodSet::GET))
            .unwrap();
        let error = router
            .insert(route(
                "second",
                "/items/{p0}",
                INT_ID,
                MethodSet::GET.union(MethodSet::POST),
            ))
            .unwrap_err();
        assert!(
            error.contains("`first`") && error.contains("`second`"),
            "{error}"
        );
        router
            .insert(route("third", "/items/{p0}", STRING_ID, MethodSet::GET))
            .unwrap();
    }

    #[test]
    fn overlap_is_ruled_out_only_by_different_static_segments() {
        assert!(may_overlap("/users/me", "/users/{p0}"));
        assert!(may_overlap("/files/{*p0}", "/files/a/b"));
        assert!(may_overlap("/img-{p0}.png", "/{p0}"));
        assert!(!may_overlap("/users/me", "/users/you"));
        assert!(!may_overlap("/users/{p0}", "/users/{p0}/posts"));
        assert!(!may_overlap("/items", "/users/{p0}"));
    }

    #[test]
    fn parameter_ranges_point_into_the_path() {
        let mut router = Router::default();
        router
            .insert(route("get", "/items/{p0}", STRING_ID, MethodSet::GET))
            .unwrap();
        let Lookup::Found(_, params) = router.lookup(&Method::GET, "/items/apple") else {
            panic!("expected a route");
        };
        assert_eq!(&"/items/apple"[params[0].0..params[0].1], "apple");
    }
}
