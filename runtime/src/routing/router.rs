//! Method and path dispatch on a `matchit` radix tree.
//!
//! Routes that differ only in their converters (`/items/<int:id>` and `/items/<name>`) share
//! one tree entry; the candidates behind it are tried from the most specific converter to the
//! least, so the `int` route wins whatever the order of registration, as in Werkzeug.

use carafe_core::message::{clash_message, Site};
use carafe_core::path::{router_patterns, same_pattern, segments, Part, Segment};
use http::Method;
use smallvec::SmallVec;

use crate::extract::request::ParamRanges;
#[cfg(any(test, feature = "router-bench"))]
use crate::routing::route::RouteDef;
use crate::routing::route::{Converter, MethodSet, Mounted};

/// The routes of an app as they are added: grouped by pattern, and checked for clashes.
/// [`RouterBuilder::build`] then makes the [`Router`]. Public only for `bench/`'s router
/// benchmark, behind the `router-bench` feature.
#[derive(Default, Clone)]
pub struct RouterBuilder {
    endpoints: Vec<Endpoint>,
    routes: Vec<Mounted>,
}

/// The routes of an app, ready for lookups.
pub struct Router {
    tree: matchit::Router<usize>,
    /// One entry per distinct pattern; the tree's values index into it. Every lookup reads
    /// one, so they hold only what answers it, small and side by side.
    endpoints: Vec<Endpoint>,
    /// Beside `endpoints`, index for index: what only a lookup that the tree's choice does
    /// not answer needs.
    detours: Vec<Detour>,
    /// Every route, in the order added; candidates name them by index.
    routes: Vec<Mounted>,
}

/// The routes that share a `matchit` pattern, most specific converters first.
#[derive(Clone)]
struct Endpoint {
    /// Most patterns have one or two routes (`GET` and `DELETE` of one resource, say).
    candidates: SmallVec<[Candidate; 2]>,
    /// Where the values are, when the path's slashes alone tell; `None` for patterns with a
    /// parameter inside a segment (`/img-{p0}.png`).
    segments: Option<ValueSegments>,
}

/// The segments a pattern's values fill, when each is a whole segment (`/users/{p0}/repos`)
/// or, last, a catch-all. Their byte ranges then follow from the path's slashes, instead of
/// being read back through matchit's parameter iterator, which checks every key and value as
/// UTF-8: a third of the instructions of a lookup of the GitHub routes.
#[derive(Clone)]
struct ValueSegments {
    /// Each value's segment, in order; segment 0 is the empty one before the leading `/`.
    indices: SmallVec<[u32; 4]>,
    /// Whether the last value is a catch-all, which runs to the end of the path.
    catch_all: bool,
}

/// A route of an endpoint, with what choosing it takes.
#[derive(Clone, Copy)]
struct Candidate {
    /// Its index in `Router::routes`.
    route: usize,
    methods: MethodSet,
    /// A `string` takes whatever the tree matches for `{pN}` (one segment, never empty) unless
    /// it is percent-encoded, so a route with no other converter needs no check on most paths.
    string_converters_only: bool,
}

/// For when an endpoint does not answer a path the tree matched to it (see `lookup`).
struct Detour {
    /// Matches this endpoint's pattern alone, to its index as the tree does, so that `lookup`
    /// searches both the same way.
    matcher: matchit::Router<usize>,
    /// The other endpoints whose patterns may match a path this one matches: the only ones
    /// worth trying when this one does not answer, so that cost stays off the route count.
    overlapping: Vec<usize>,
}

/// What the router answers for a method and a path.
pub enum Lookup<'r> {
    /// A route answers; its parameters are at these byte ranges of the path.
    Found(&'r Mounted, ParamRanges),
    /// The path exists but not with this method; these are the methods it has.
    MethodNotAllowed(MethodSet),
    /// No route has this path.
    NotFound,
}

impl RouterBuilder {
    /// Adds a route of the app's own scope, with no prefix, for the router's tests and
    /// benchmark; see [`RouterBuilder::insert_mounted`].
    #[cfg(any(test, feature = "router-bench"))]
    pub fn insert(&mut self, route: RouteDef) -> Result<(), String> {
        self.insert_mounted(Mounted::new(route, "", 0))
    }

    /// Adds a route; refuses one that answers a method on the same path (parameter names
    /// aside) as a route already there, naming both handlers.
    pub(crate) fn insert_mounted(&mut self, route: Mounted) -> Result<(), String> {
        let index = match self.endpoint_of(&route.parts()) {
            Some(index) => index,
            None => {
                self.endpoints.push(Endpoint {
                    candidates: SmallVec::new(),
                    segments: ValueSegments::of(&route.parts()),
                });
                self.endpoints.len() - 1
            }
        };
        if let Some(existing) = self.endpoints[index]
            .candidates
            .iter()
            .map(|candidate| &self.routes[candidate.route])
            .find(|existing| existing.clashes_with(&route))
        {
            fn site(route: &Mounted) -> Site<'_> {
                Site {
                    handler: route.def.handler_name,
                    file: route.file(),
                    line: route.def.line,
                }
            }
            let methods = existing.def.methods.intersection(route.def.methods);
            let message = clash_message(site(existing), site(&route), methods, route.path(), "");
            return Err(message.as_str().to_owned());
        }
        let candidate = Candidate {
            route: self.routes.len(),
            methods: route.def.methods,
            string_converters_only: route
                .def
                .converters()
                .all(|converter| converter == Converter::String),
        };
        self.routes.push(route);
        let routes = &self.routes;
        let candidates = &mut self.endpoints[index].candidates;
        candidates.push(candidate);
        let priorities = |candidate: &Candidate| {
            routes[candidate.route]
                .def
                .converters()
                .map(Converter::priority)
        };
        candidates.sort_by(|a, b| priorities(a).cmp(priorities(b)));
        Ok(())
    }

    /// The endpoint whose pattern the path's parts make, if there is one already.
    fn endpoint_of(&self, parts: &[Part]) -> Option<usize> {
        self.endpoints
            .iter()
            .position(|endpoint| same_pattern(&self.endpoint_parts(endpoint), parts))
    }

    /// The parts of the routes behind an endpoint, which all make its pattern.
    fn endpoint_parts(&self, endpoint: &Endpoint) -> SmallVec<[Part<'_>; 4]> {
        self.routes[endpoint.candidates[0].route].parts()
    }

    /// Every route as mounted, in the order added.
    pub(crate) fn mounted(&self) -> impl Iterator<Item = &Mounted> {
        self.routes.iter()
    }

    /// Every route, in the order of their patterns' first routes.
    pub(crate) fn routes(&self) -> impl Iterator<Item = &Mounted> {
        self.endpoints.iter().flat_map(|endpoint| {
            endpoint
                .candidates
                .iter()
                .map(|candidate| &self.routes[candidate.route])
        })
    }

    /// The router: each pattern in the tree, with its percent-encoded spelling when clients
    /// send it differently (`/café` arrives as `/caf%C3%A9`); or why a pattern cannot be
    /// added. The tree is built in one go, before the detours, so its nodes lie together in
    /// memory: interleaved with the detours, they made misses a tenth slower.
    pub fn build(self) -> Result<Router, String> {
        let RouterBuilder { endpoints, routes } = self;
        let parts: Vec<SmallVec<[Part; 4]>> = endpoints
            .iter()
            .map(|endpoint| routes[endpoint.candidates[0].route].parts())
            .collect();
        let mut tree = matchit::Router::new();
        let mut problems = Vec::new();
        for (index, endpoint) in endpoints.iter().enumerate() {
            for pattern in router_patterns(&parts[index]) {
                if let Err(error) = tree.insert(pattern, index) {
                    let route = &routes[endpoint.candidates[0].route];
                    problems.push(format!(
                        "route `{}` ({}:{}) for {} cannot be added: {error}",
                        route.def.handler_name,
                        route.file(),
                        route.def.line,
                        route.path()
                    ));
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems.join("\n"));
        }
        let detours = (0..endpoints.len())
            .map(|index| {
                let mut matcher = matchit::Router::new();
                for pattern in router_patterns(&parts[index]) {
                    // The tree took it, so a tree of its own does too.
                    let _ = matcher.insert(pattern, index);
                }
                let overlapping = (0..endpoints.len())
                    .filter(|&other| other != index && may_overlap(&parts[other], &parts[index]))
                    .collect();
                Detour {
                    matcher,
                    overlapping,
                }
            })
            .collect();
        drop(parts);
        Ok(Router {
            tree,
            endpoints,
            detours,
            routes,
        })
    }
}

impl Router {
    /// Finds the route for `method` on `path`.
    pub fn lookup(&self, method: &Method, path: &str) -> Lookup<'_> {
        // Parameter ranges are `u32` offsets (see `ParamRanges`); no server hands over a path
        // this long, but one that did would otherwise get wrong ranges, not an error.
        if u32::try_from(path.len()).is_err() {
            return Lookup::NotFound;
        }
        let mut allowed = MethodSet::EMPTY;
        // The tree picks the most specific pattern (`/users/me` before `/users/{p0}`). When it
        // does not answer the method or its converters refuse the values, Werkzeug goes on to
        // the next rule matching the path, so the patterns that may overlap it are tried too.
        // One loop searches the tree first, then those patterns' own trees. Besides sharing the
        // code, that matters for speed: inside a loop, the compiler inlines `matchit`'s
        // parameter pushes into the search, which it leaves as calls (a tenth of a lookup's
        // time) when the search runs once on entry.
        let mut matcher = &self.tree;
        let mut overlapping = None;
        loop {
            if let Ok(matched) = matcher.at(path) {
                // Only now: a path no pattern matches (the common miss) needs no method.
                let wanted = MethodSet::from_method(method).unwrap_or(MethodSet::EMPTY);
                let index = *matched.value;
                let endpoint = &self.endpoints[index];
                let values = MatchedValues::new(path, endpoint.segments.as_ref(), &matched.params);
                let route = endpoint
                    .answering(&self.routes, wanted, path, &values)
                    .or_else(|| {
                        endpoint.fallback(&self.routes, wanted, path, &values, &mut allowed)
                    });
                if let Some(route) = route {
                    return Lookup::Found(&self.routes[route], values.ranges);
                }
                overlapping.get_or_insert_with(|| self.detours[index].overlapping.iter());
            }
            match overlapping.as_mut().and_then(Iterator::next) {
                Some(&next) => matcher = &self.detours[next].matcher,
                None => break,
            }
        }
        if allowed.is_empty() {
            Lookup::NotFound
        } else {
            Lookup::MethodNotAllowed(allowed)
        }
    }
}

/// Whether some path could match both patterns: a conservative test, segment by segment,
/// where only two different static segments (or different lengths without a `path`
/// parameter) rule a match out.
fn may_overlap(a: &[Part], b: &[Part]) -> bool {
    let takes_the_rest = |segment: &Segment| {
        matches!(
            segment,
            Segment::Param {
                converter: Converter::Path,
                ..
            }
        )
    };
    let (mut a, mut b) = (segments(a), segments(b));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if takes_the_rest(&x) || takes_the_rest(&y) => return true,
            (Some(Segment::Static(x)), Some(Segment::Static(y))) if x != y => return false,
            (Some(_), Some(_)) => {}
            _ => return false,
        }
    }
}

impl Endpoint {
    /// The first route, most specific converters first, that answers `wanted` and whose
    /// converters take the values.
    fn answering(
        &self,
        routes: &[Mounted],
        wanted: MethodSet,
        path: &str,
        values: &MatchedValues,
    ) -> Option<usize> {
        self.candidates
            .iter()
            .find(|candidate| {
                candidate.methods.intersects(wanted) && candidate.accepts(routes, path, values)
            })
            .map(|candidate| candidate.route)
    }

    /// When no route answers `wanted`: the GET route, for a HEAD with no route of its own;
    /// otherwise none, and the methods of the routes whose converters take the values are
    /// added to `allowed`. Cold, as 405s and fall-through are: inlined, it made the common
    /// lookup slower.
    #[cold]
    fn fallback(
        &self,
        routes: &[Mounted],
        wanted: MethodSet,
        path: &str,
        values: &MatchedValues,
        allowed: &mut MethodSet,
    ) -> Option<usize> {
        let accepting = self
            .candidates
            .iter()
            .filter(|candidate| candidate.accepts(routes, path, values));
        if wanted == MethodSet::HEAD {
            if let Some(get) = accepting
                .clone()
                .find(|candidate| candidate.methods.intersects(MethodSet::GET))
            {
                return Some(get.route);
            }
        }
        *allowed = accepting.fold(*allowed, |allowed, candidate| {
            allowed.union(candidate.methods)
        });
        None
    }
}

impl Candidate {
    /// Whether the route's converters take the values the tree matched for its pattern.
    fn accepts(&self, routes: &[Mounted], path: &str, values: &MatchedValues) -> bool {
        (self.string_converters_only && !values.percent_encoded)
            || converters_take(&routes[self.route], path, values)
    }
}

/// Whether each of the route's converters takes its value. Out of line: the decoding it may
/// do, inlined into `lookup`, made the lookups that need none slower.
#[inline(never)]
fn converters_take(route: &Mounted, path: &str, values: &MatchedValues) -> bool {
    route
        .def
        .converters()
        .zip(&values.ranges)
        .all(|(converter, &(start, end))| {
            accepts_matched(
                converter,
                &path[start as usize..end as usize],
                values.percent_encoded,
            )
        })
}

/// [`Converter::accepts`] for a value the tree matched, which is never empty and, but for
/// `path`, never holds a `/`. `may_be_encoded` is false when the router saw no `%` near it:
/// then the value is judged as it is, without looking for one again.
fn accepts_matched(converter: Converter, raw: &str, may_be_encoded: bool) -> bool {
    match converter {
        _ if may_be_encoded => converter.accepts(raw),
        Converter::String => true,
        converter => converter.accepts_decoded(raw),
    }
}

/// The parameter values the tree matched in a path.
struct MatchedValues {
    /// Where they are in the path.
    ranges: ParamRanges,
    /// Whether a `%` lies within the values' stretch of the path: decoded, a value may be a `/`
    /// that a `string` converter refuses.
    percent_encoded: bool,
}

impl MatchedValues {
    fn new(path: &str, segments: Option<&ValueSegments>, params: &matchit::Params<'_, '_>) -> Self {
        let ranges = match segments {
            Some(segments) => segments.ranges(path),
            None => ranges_from_tree(path, params),
        };
        debug_assert_eq!(ranges, ranges_from_tree(path, params), "{path}");
        // Only the stretch from the first value to the last can hold an encoded one.
        let percent_encoded = match (ranges.first(), ranges.last()) {
            (Some(&(start, _)), Some(&(_, end))) => {
                holds_percent(&path.as_bytes()[start as usize..end as usize])
            }
            _ => false,
        };
        MatchedValues {
            ranges,
            percent_encoded,
        }
    }
}

/// The values' ranges as matchit reports them: for any pattern, at a cost.
fn ranges_from_tree(path: &str, params: &matchit::Params<'_, '_>) -> ParamRanges {
    let path_start = path.as_ptr() as usize;
    params
        .iter()
        .map(|(_, value)| {
            // `lookup` refuses paths whose offsets do not fit a `u32`.
            let start = value.as_ptr() as usize - path_start;
            (start as u32, (start + value.len()) as u32)
        })
        .collect()
}

impl ValueSegments {
    /// The plan for a path's parts, unless a parameter shares its segment with other text.
    fn of(parts: &[Part]) -> Option<ValueSegments> {
        let mut indices = SmallVec::new();
        let mut catch_all = false;
        for (index, segment) in segments(parts).enumerate() {
            match segment {
                // A catch-all is the path's last segment; nothing can follow it.
                _ if catch_all => return None,
                Segment::Param {
                    converter,
                    whole: true,
                } => {
                    catch_all = converter == Converter::Path;
                    indices.push(u32::try_from(index).ok()?);
                }
                // A parameter within a segment: matchit knows best.
                Segment::Param { whole: false, .. } => return None,
                Segment::Static(_) => {}
            }
        }
        Some(ValueSegments { indices, catch_all })
    }

    /// The values' byte ranges in a path the pattern matched.
    fn ranges(&self, path: &str) -> ParamRanges {
        let bytes = path.as_bytes();
        // memchr searches sixteen bytes at a time, but its start-up costs more than a plain
        // loop over a short path (`/items/1`).
        if bytes.len() < 32 {
            let slashes = bytes.iter().enumerate().filter(|&(_, &byte)| byte == b'/');
            self.ranges_between(path, slashes.map(|(at, _)| at))
        } else {
            self.ranges_between(path, memchr::memchr_iter(b'/', bytes))
        }
    }

    /// The values' byte ranges, given the positions of the path's slashes.
    fn ranges_between(&self, path: &str, slashes: impl Iterator<Item = usize>) -> ParamRanges {
        let mut ranges = ParamRanges::new();
        let mut indices = self.indices.iter().copied();
        let Some(mut wanted) = indices.next() else {
            return ranges;
        };
        let last = self.indices.len() - 1;
        // `lookup` refuses paths whose offsets do not fit a `u32`.
        let end = path.len() as u32;
        let (mut segment, mut start) = (0, 0);
        for slash in slashes {
            if segment == wanted {
                if self.catch_all && ranges.len() == last {
                    break;
                }
                ranges.push((start, slash as u32));
                match indices.next() {
                    Some(next) => wanted = next,
                    None => return ranges,
                }
            }
            segment += 1;
            start = slash as u32 + 1;
        }
        // The last value runs to the end: the path's last segment, or a catch-all.
        ranges.push((start, end));
        ranges
    }
}

/// Whether `bytes` holds a `%`. Most lookups check a whole path, so sixteen bytes at a time:
/// a byte at a time, this check was the largest part of the router's own work per lookup.
fn holds_percent(bytes: &[u8]) -> bool {
    let add_byte = |found: bool, &byte: &u8| found | (byte == b'%');
    let Some(last_start) = bytes.len().checked_sub(16) else {
        return bytes.iter().fold(false, add_byte);
    };
    // Folding all sixteen bytes of an array, rather than stopping at the first `%`, is what
    // the compiler makes one vector comparison of.
    let sixteen_hold_percent = |chunk: &[u8]| {
        <&[u8; 16]>::try_from(chunk)
            .expect("sixteen bytes")
            .iter()
            .fold(false, add_byte)
    };
    // The last sixteen bytes cover whatever the whole chunks leave over.
    bytes.chunks_exact(16).any(sixteen_hold_percent) || sixteen_hold_percent(&bytes[last_start..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::request::RequestContext;
    use crate::response::route_doc::RouteDoc;
    use crate::routing::handler::Handler;
    use crate::routing::pace::Pace;

    static PACE: Pace = Pace::new();

    fn handler(_: &mut RequestContext) -> crate::Response {
        crate::IntoResponse::into_response(())
    }

    /// A route on a Flask-style `path`, as `#[route]` would describe it.
    fn route(name: &'static str, path: &'static str, methods: MethodSet) -> RouteDef {
        let parts = carafe_core::path::parse(path).expect("a valid path").parts;
        RouteDef {
            handler_name: name,
            module_path: "tests",
            file: "router.rs",
            line: 1,
            path,
            parts: Vec::leak(parts),
            methods,
            cross_origin: false,
            websocket: false,
            body_limit: None,
            needs: crate::routing::route::needs_nothing,
            handler: Handler::AtOnce(handler, &PACE),
            doc: &RouteDoc::UNKNOWN,
        }
    }

    /// The router of the routes added so far, to look up in while a test adds more.
    fn built(routes: &RouterBuilder) -> Router {
        routes.clone().build().expect("the routes build")
    }

    fn found_name(routes: &RouterBuilder, method: Method, path: &str) -> Option<&'static str> {
        match built(routes).lookup(&method, path) {
            Lookup::Found(route, _) => Some(route.def.handler_name),
            _ => None,
        }
    }

    /// The methods a 405 lists; `None` when the lookup is no 405.
    fn allowed(routes: &RouterBuilder, method: Method, path: &str) -> Option<MethodSet> {
        match built(routes).lookup(&method, path) {
            Lookup::MethodNotAllowed(allowed) => Some(allowed),
            _ => None,
        }
    }

    /// The text of each range of `path`.
    fn slices<'p>(path: &'p str, ranges: &ParamRanges) -> Vec<&'p str> {
        ranges
            .iter()
            .map(|&(start, end)| &path[start as usize..end as usize])
            .collect()
    }

    /// The parameter values of the route found for `GET path`.
    fn found_values<'p>(routes: &RouterBuilder, path: &'p str) -> Vec<&'p str> {
        match built(routes).lookup(&Method::GET, path) {
            Lookup::Found(_, ranges) => slices(path, &ranges),
            _ => panic!("no route for {path}"),
        }
    }

    #[test]
    fn int_route_wins_over_string_route_in_either_order() {
        for order in [[0, 1], [1, 0]] {
            let candidates = [
                route("by_id", "/items/<int:id>", MethodSet::GET),
                route("by_name", "/items/<id>", MethodSet::GET),
            ];
            let mut router = RouterBuilder::default();
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
        let mut router = RouterBuilder::default();
        router
            .insert(route("get", "/items/<int:id>", MethodSet::GET))
            .unwrap();
        router
            .insert(route("put", "/items/<int:id>", MethodSet::PUT))
            .unwrap();
        assert!(matches!(
            built(&router).lookup(&Method::GET, "/items/x"),
            Lookup::NotFound
        ));
        assert_eq!(
            allowed(&router, Method::POST, "/items/1"),
            Some(MethodSet::GET.union(MethodSet::PUT))
        );
        assert_eq!(found_name(&router, Method::HEAD, "/items/1"), Some("get"));
    }

    #[test]
    fn duplicate_route_names_both_handlers() {
        let mut router = RouterBuilder::default();
        router
            .insert(route("first", "/items/<int:id>", MethodSet::GET))
            .unwrap();
        let error = router
            .insert(route(
                "second",
                "/items/<int:item_id>",
                MethodSet::GET.union(MethodSet::POST),
            ))
            .unwrap_err();
        assert!(
            error.contains("`first`") && error.contains("`second`"),
            "{error}"
        );
        router
            .insert(route("third", "/items/<id>", MethodSet::GET))
            .unwrap();
    }

    #[test]
    fn overlap_is_ruled_out_only_by_different_static_segments() {
        let overlap = |a: &str, b: &str| {
            let parts = |path| carafe_core::path::parse(path).unwrap().parts;
            may_overlap(&parts(a), &parts(b))
        };
        assert!(overlap("/users/me", "/users/<id>"));
        assert!(overlap("/files/<path:rest>", "/files/a/b"));
        assert!(overlap("/static-<path:rest>", "/static-a/b"));
        assert!(overlap("/img-<id>.png", "/<id>"));
        assert!(!overlap("/users/me", "/users/you"));
        assert!(!overlap("/users/<id>", "/users/<id>/posts"));
        assert!(!overlap("/items", "/users/<id>"));
    }

    #[test]
    fn an_encoded_slash_is_refused_by_a_string_route_alone_on_its_pattern() {
        let mut router = RouterBuilder::default();
        router
            .insert(route("get", "/files/<id>", MethodSet::GET))
            .unwrap();
        assert!(matches!(
            built(&router).lookup(&Method::GET, "/files/a%2Fb"),
            Lookup::NotFound
        ));
        assert_eq!(found_values(&router, "/files/a%20b"), ["a%20b"]);
    }

    #[test]
    fn an_encoded_static_part_does_not_refuse_the_values() {
        let mut router = RouterBuilder::default();
        router
            .insert(route("menu", "/café/<id>", MethodSet::GET))
            .unwrap();
        assert_eq!(
            found_name(&router, Method::GET, "/caf%C3%A9/soup"),
            Some("menu")
        );
        // Between two values, an encoded static part does not refuse them either, and an
        // encoded `/` in the last value is still seen.
        router
            .insert(route("dish", "/<shop>/café/<dish>", MethodSet::GET))
            .unwrap();
        assert_eq!(
            found_name(&router, Method::GET, "/paris/caf%C3%A9/soup"),
            Some("dish")
        );
        assert_eq!(
            found_name(&router, Method::GET, "/paris/caf%C3%A9/a%2Fb"),
            None
        );
    }

    #[test]
    fn head_and_405_fall_through_to_overlapping_patterns() {
        let mut router = RouterBuilder::default();
        router
            .insert(route("update_me", "/users/me", MethodSet::POST))
            .unwrap();
        router
            .insert(route("by_name", "/users/<id>", MethodSet::GET))
            .unwrap();
        assert_eq!(
            found_name(&router, Method::HEAD, "/users/me"),
            Some("by_name")
        );
        assert_eq!(
            allowed(&router, Method::DELETE, "/users/me"),
            Some(MethodSet::GET.union(MethodSet::POST))
        );
    }

    #[test]
    fn holds_percent_finds_it_at_every_place_of_every_length() {
        for length in 0..50 {
            assert!(!holds_percent(&vec![b'a'; length]), "{length}");
            for place in 0..length {
                let mut bytes = vec![b'a'; length];
                bytes[place] = b'%';
                assert!(holds_percent(&bytes), "{length} {place}");
            }
        }
    }

    #[test]
    fn values_are_found_by_slashes_when_each_fills_its_segment() {
        fn of(path: &str) -> Option<ValueSegments> {
            ValueSegments::of(&carafe_core::path::parse(path).unwrap().parts)
        }
        let plan = |path| of(path).map(|plan| (plan.indices.to_vec(), plan.catch_all));
        assert_eq!(plan("/users/<a>/repos"), Some((vec![2], false)));
        assert_eq!(plan("/<a>/<b>"), Some((vec![1, 2], false)));
        assert_eq!(plan("/files/<path:a>"), Some((vec![2], true)));
        assert_eq!(plan("/items"), Some((vec![], false)));
        assert_eq!(plan("/img-<a>.png"), None);
        assert_eq!(plan("/<a>.json"), None);

        let values = |pattern: &str, path: &'static str| {
            slices(path, &of(pattern).expect("a plan").ranges(path))
        };
        assert_eq!(values("/users/<v1>/repos", "/users/bob/repos"), ["bob"]);
        assert_eq!(values("/<v1>/<v2>", "/a%2Fb/c"), ["a%2Fb", "c"]);
        assert_eq!(
            values("/repos/<v1>/<v2>/pulls/<v3>", "/repos/o/r/pulls/7"),
            ["o", "r", "7"]
        );
        // Paths of 32 bytes and more are searched with memchr.
        assert_eq!(
            values(
                "/repos/<v1>/<v2>/pulls/<v3>",
                "/repos/octocat/hello-world/pulls/1347"
            ),
            ["octocat", "hello-world", "1347"]
        );
        assert_eq!(
            values(
                "/files/<v1>/<path:v2>",
                "/files/x/docs/guide/chapter-one/a.txt"
            ),
            ["x", "docs/guide/chapter-one/a.txt"]
        );
        assert_eq!(
            values("/files/<v1>/<path:v2>", "/files/x/docs/a.txt/"),
            ["x", "docs/a.txt/"]
        );
        assert_eq!(values("/caf%C3%A9/<v1>", "/caf%C3%A9/soup"), ["soup"]);
        assert!(values("/items", "/items").is_empty());
    }

    #[test]
    fn parameter_ranges_point_into_the_path() {
        let mut router = RouterBuilder::default();
        router
            .insert(route("get", "/items/<id>", MethodSet::GET))
            .unwrap();
        assert_eq!(found_values(&router, "/items/apple"), ["apple"]);
    }
}

/// The router against a plain matcher that tries every route on every path: the same routes
/// answer the same paths, on route sets and paths made to collide.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::extract::request::RequestContext;
    use crate::response::route_doc::RouteDoc;
    use crate::routing::handler::Handler;
    use crate::routing::pace::Pace;

    static PACE: Pace = Pace::new();

    fn handler(_: &mut RequestContext) -> crate::Response {
        crate::IntoResponse::into_response(())
    }

    /// One segment of a route: static text, or a parameter.
    fn route_segment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("a".to_owned()),
            Just("b".to_owned()),
            Just("1".to_owned()),
            Just("<x>".to_owned()),
            Just("<int:x>".to_owned()),
            Just("<float:x>".to_owned()),
        ]
    }

    /// A route: one to three segments, the last possibly a `path` parameter; parameters
    /// numbered so that their names differ.
    fn route_path() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(route_segment(), 1..=3),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(segments, rest, trailing_slash)| {
                let mut index = 0;
                let mut path = String::new();
                for segment in segments {
                    path.push('/');
                    path.push_str(
                        &segment
                            .replace(":x>", &format!(":x{index}>"))
                            .replace("<x>", &format!("<x{index}>")),
                    );
                    index += 1;
                }
                if rest {
                    path.push_str(&format!("/<path:x{index}>"));
                } else if trailing_slash {
                    path.push('/');
                }
                path
            })
    }

    /// A request path: segments from the same small alphabet, so that they often match.
    fn request_path() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                Just("a"),
                Just("b"),
                Just("1"),
                Just("2"),
                Just("1.5"),
                Just(""),
                Just("a%2Fb"),
                Just("%31"),
            ],
            1..=5,
        )
        .prop_map(|segments| format!("/{}", segments.join("/")))
    }

    /// Whether the route on `pattern` answers `path`, segment by segment, by the converters'
    /// own rules.
    fn reference_accepts(pattern: &str, path: &str) -> bool {
        let route: Vec<&str> = pattern.split('/').collect();
        let request: Vec<&str> = path.split('/').collect();
        for (index, segment) in route.iter().enumerate() {
            let converter = segment
                .strip_prefix('<')
                .and_then(|inner| inner.strip_suffix('>'))
                .map(|inner| match inner.split_once(':') {
                    Some((name, _)) => Converter::from_name(name).expect("a converter"),
                    None => Converter::String,
                });
            match converter {
                Some(Converter::Path) => {
                    let rest = request.get(index..).unwrap_or_default().join("/");
                    return Converter::Path.accepts(&rest);
                }
                Some(converter) => match request.get(index) {
                    Some(value) if converter.accepts(value) => {}
                    _ => return false,
                },
                None if request.get(index) == Some(segment) => {}
                None => return false,
            }
        }
        route.len() == request.len()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn the_router_answers_as_trying_every_route_would(
            patterns in prop::collection::vec(route_path(), 1..=6),
            paths in prop::collection::vec(request_path(), 1..=8),
        ) {
            let mut builder = RouterBuilder::default();
            let mut added = Vec::new();
            for pattern in &patterns {
                let path: &'static str = Box::leak(pattern.clone().into_boxed_str());
                let parts = carafe_core::path::parse(path).expect("a valid path").parts;
                let route = RouteDef {
                    handler_name: "route",
                    module_path: "properties",
                    file: "router.rs",
                    line: 1,
                    path,
                    parts: Vec::leak(parts),
                    methods: MethodSet::GET,
                    cross_origin: false,
                    websocket: false,
                    body_limit: None,
                    needs: crate::routing::route::needs_nothing,
                    handler: Handler::AtOnce(handler, &PACE),
                    doc: &RouteDoc::UNKNOWN,
                };
                // A route that clashes with one already there is refused, as an app refuses it.
                if builder.insert(route).is_ok() {
                    added.push(pattern.clone());
                }
            }
            let Ok(router) = builder.build() else {
                // matchit refuses some pairs of patterns (a catch-all beside a parameter in one
                // segment); the app then refuses to start, which other tests cover.
                return Ok(());
            };
            for path in &paths {
                let answering: Vec<&String> = added
                    .iter()
                    .filter(|pattern| reference_accepts(pattern, path))
                    .collect();
                match router.lookup(&Method::GET, path) {
                    Lookup::Found(route, ranges) => {
                        prop_assert!(
                            answering.iter().any(|pattern| **pattern == route.path()),
                            "{path}: found {} among {answering:?}", route.path()
                        );
                        let values: Vec<&str> = ranges
                            .iter()
                            .map(|&(start, end)| &path[start as usize..end as usize])
                            .collect();
                        for ((_, converter), value) in
                            carafe_core::path::params(route.def.parts).zip(&values)
                        {
                            prop_assert!(converter.accepts(value), "{path}: {values:?}");
                        }
                    }
                    _ => prop_assert!(
                        answering.is_empty(),
                        "{path}: nothing found, but {answering:?} answer it"
                    ),
                }
            }
        }
    }
}
