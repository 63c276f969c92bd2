//! carafe's router against matchit used directly, on about 300 GitHub API routes: lookups of
//! paths that match a route, and of paths that match none.
//!
//! `cargo bench --manifest-path bench/Cargo.toml --bench router`

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use carafe::__private::{Handler, MethodSet, Pace, RequestContext, Response, RouteDef, RouteDoc};
use carafe::router_bench::{Lookup, Router, RouterBuilder};
use carafe::{IntoResponse, Method};
use carafe_bench::github::ROUTES;
use criterion::{criterion_group, Criterion};

/// One route of the list, in the forms both routers take, and a path it answers.
struct Case {
    method: Method,
    path: &'static str,
    /// The `matchit` pattern carafe's router builds: parameters named `p0`, `p1`, …
    pattern: String,
    /// A request path for the route: every parameter filled in.
    request: String,
}

/// A carafe path as matchit takes it, and a path that matches it.
fn case(method: &str, path: &'static str) -> Case {
    let (mut pattern, mut request) = (String::new(), String::new());
    let mut rest = path;
    let mut index = 0;
    while let Some(start) = rest.find('<') {
        let end = rest.find('>').expect("a closed parameter");
        pattern.push_str(&rest[..start]);
        request.push_str(&rest[..start]);
        if rest[start + 1..end].starts_with("path:") {
            pattern.push_str(&format!("{{*p{index}}}"));
            request.push_str("docs/guide/README.md");
        } else {
            pattern.push_str(&format!("{{p{index}}}"));
            request.push_str("octocat");
        }
        index += 1;
        rest = &rest[end + 1..];
    }
    pattern.push_str(rest);
    request.push_str(rest);
    Case {
        method: method.parse().expect("a method"),
        path,
        pattern,
        request,
    }
}

static PACE: Pace = Pace::new();

fn handler(_: &mut RequestContext) -> Response {
    "ok".into_response()
}

fn carafe_router(cases: &[Case]) -> Router {
    // The routes first, then the router: in an app the routes are `const` data, so nothing is
    // allocated between the router's own allocations while it is built.
    let routes: Vec<RouteDef> = cases
        .iter()
        .map(|case| RouteDef {
            handler_name: "handler",
            module_path: module_path!(),
            file: file!(),
            line: line!(),
            path: case.path,
            // What `#[route]` emits: the path parsed by the grammar the macro uses.
            parts: Vec::leak(
                carafe_core::path::parse(case.path)
                    .expect("a valid path")
                    .parts,
            ),
            methods: MethodSet::from_method(&case.method).expect("a standard method"),
            cross_origin: false,
            websocket: false,
            body_limit: None,
            needs: |_| {},
            handler: Handler::AtOnce(handler, &PACE),
            doc: &RouteDoc::UNKNOWN,
        })
        .collect();
    let mut builder = RouterBuilder::default();
    for route in routes {
        builder
            .insert(route)
            .expect("the GitHub routes do not clash");
    }
    builder.build().expect("the GitHub routes build")
}

/// matchit as an HTTP router would use it: one tree of paths, the methods behind each.
///
/// The patterns go into the tree in the order the routes come, as carafe's router adds them: the
/// order of insertion decides where the tree's nodes lie in memory, and with it a good part of
/// a lookup's time.
fn matchit_router(cases: &[Case]) -> matchit::Router<Vec<(Method, usize)>> {
    let mut by_pattern: Vec<(&str, Vec<(Method, usize)>)> = Vec::new();
    let mut positions: HashMap<&str, usize> = HashMap::new();
    for (index, case) in cases.iter().enumerate() {
        let position = *positions.entry(&case.pattern).or_insert_with(|| {
            by_pattern.push((&case.pattern, Vec::new()));
            by_pattern.len() - 1
        });
        by_pattern[position].1.push((case.method.clone(), index));
    }
    let mut router = matchit::Router::new();
    for (pattern, methods) in by_pattern {
        router.insert(pattern, methods).expect("a valid pattern");
    }
    router
}

/// The lookups each benchmark times, one router per function, so that `bench/router.sh` can also
/// count their instructions under callgrind by these names.
#[inline(never)]
fn carafe_lookups(router: &Router, paths: &[(Method, String)]) {
    for (method, path) in paths {
        // As the server uses the answer: it matches on it, and hands the route and the
        // parameters' ranges on. (Passing the whole answer to `black_box` would copy it
        // through memory, which no caller does; for a miss, whose answer is a 4-byte tag, that
        // copy stalls on reading back more than was written.)
        match router.lookup(method, path) {
            Lookup::Found(route, ranges) => {
                black_box(route);
                black_box(&ranges);
            }
            Lookup::MethodNotAllowed(allowed) => {
                black_box(allowed);
            }
            Lookup::NotFound => {}
        }
    }
}

#[inline(never)]
fn matchit_lookups(router: &matchit::Router<Vec<(Method, usize)>>, paths: &[(Method, String)]) {
    for (method, path) in paths {
        // As any router must: the route for the method, and the parameters' values to hand to
        // the handler.
        let found = router.at(path).ok().and_then(|found| {
            let (_, index) = found.value.iter().find(|(m, _)| m == method)?;
            found.params.iter().for_each(|(_, value)| {
                black_box(value);
            });
            Some(*index)
        });
        black_box(found);
    }
}

/// Both routers, and the hits and misses to look up.
struct Setup {
    carafe: Router,
    matchit: matchit::Router<Vec<(Method, usize)>>,
    hits: Vec<(Method, String)>,
    misses: Vec<(Method, String)>,
}

fn setup() -> Setup {
    let cases: Vec<Case> = ROUTES.iter().map(|&(m, p)| case(m, p)).collect();
    let carafe = carafe_router(&cases);
    let matchit = matchit_router(&cases);
    let hits: Vec<(Method, String)> = cases
        .iter()
        .map(|case| (case.method.clone(), case.request.clone()))
        .collect();
    // A segment too many: misses that walk deep into the tree before failing. Paths a
    // catch-all route still answers are left out.
    let misses: Vec<(Method, String)> = hits
        .iter()
        .map(|(method, path)| (method.clone(), format!("{path}/extra")))
        .filter(|(_, path)| matchit.at(path).is_err())
        .collect();
    for (method, path) in &hits {
        assert!(
            matches!(carafe.lookup(method, path), Lookup::Found(..)),
            "{method} {path}"
        );
    }
    Setup {
        carafe,
        matchit,
        hits,
        misses,
    }
}

fn compare(c: &mut Criterion) {
    let Setup {
        carafe,
        matchit,
        hits,
        misses,
    } = setup();
    println!(
        "{} routes, {} hits, {} misses",
        ROUTES.len(),
        hits.len(),
        misses.len()
    );
    // `bench/router.sh` alternates which router runs first from one run to the next.
    let matchit_first = std::env::var_os("ROUTER_MATCHIT_FIRST").is_some();
    for (name, paths) in [("hit", &hits), ("miss", &misses)] {
        let mut group = c.benchmark_group(format!("router/{name}"));
        for router in if matchit_first {
            ["matchit", "carafe"]
        } else {
            ["carafe", "matchit"]
        } {
            group.bench_function(router, |b| match router {
                "carafe" => b.iter(|| carafe_lookups(&carafe, black_box(paths))),
                _ => b.iter(|| matchit_lookups(&matchit, black_box(paths))),
            });
        }
        group.finish();
    }
}

criterion_group!(benches, compare);

/// Runs the criterion benchmark, unless one of these is set:
/// - `ROUTER_INSTRUCTIONS=<hit|miss> <rounds>`: runs each router's lookups of that kind `rounds`
///   times and prints how many lookups that was, for `bench/router.sh` to divide the
///   instructions callgrind counts in `carafe_lookups` and `matchit_lookups` by;
/// - `ROUTER_INTERLEAVED=<hit|miss> <seconds>`: times the two routers in alternation for that
///   long (see `interleaved`).
fn main() {
    if let Some((kind, rounds)) = kind_and_amount("ROUTER_INSTRUCTIONS") {
        let setup = setup();
        let paths = setup.paths(&kind);
        let rounds = rounds as usize;
        for _ in 0..rounds {
            carafe_lookups(&setup.carafe, black_box(paths));
            matchit_lookups(&setup.matchit, black_box(paths));
        }
        println!("lookups per router: {}", rounds * paths.len());
    } else if let Some((kind, seconds)) = kind_and_amount("ROUTER_INTERLEAVED") {
        let setup = setup();
        interleaved(&setup, &kind, Duration::from_secs_f64(seconds));
    } else {
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
}

/// The kind of lookups (`hit` or `miss`) and the number that the variable `name` gives, if set.
fn kind_and_amount(name: &str) -> Option<(String, f64)> {
    let value = std::env::var(name).ok()?;
    let parsed = value
        .split_once(' ')
        .and_then(|(kind, amount)| Some((kind.to_owned(), amount.parse::<f64>().ok()?)));
    match parsed {
        Some((kind, amount)) if ["hit", "miss"].contains(&kind.as_str()) && amount > 0.0 => {
            Some((kind, amount))
        }
        _ => panic!("{name} is `hit` or `miss`, a space, and a positive number, not `{value}`"),
    }
}

impl Setup {
    fn paths(&self, kind: &str) -> &[(Method, String)] {
        match kind {
            "hit" => &self.hits,
            _ => &self.misses,
        }
    }
}

/// Times one pass of each router over the paths, then the next pair of passes (the order
/// swapped each time), until `duration` is over, and prints the median pass of each and the
/// median of the pairs' ratios. A pass takes tens of microseconds, so the two routers of a pair
/// run at the same speed of the machine, which drifts over seconds on a shared one: that
/// ratio holds still where two criterion measurements, seconds apart, do not.
fn interleaved(setup: &Setup, kind: &str, duration: Duration) {
    let paths = setup.paths(kind);
    let timed = |lookups: &dyn Fn()| {
        let start = Instant::now();
        lookups();
        start.elapsed().as_nanos() as f64
    };
    let carafe = || carafe_lookups(&setup.carafe, black_box(paths));
    let matchit = || matchit_lookups(&setup.matchit, black_box(paths));
    let (mut carafe_ns, mut matchit_ns, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let end = Instant::now() + duration;
    while Instant::now() < end {
        let (c, m) = if ratios.len() % 2 == 0 {
            let c = timed(&carafe);
            (c, timed(&matchit))
        } else {
            let m = timed(&matchit);
            (timed(&carafe), m)
        };
        carafe_ns.push(c);
        matchit_ns.push(m);
        ratios.push(c / m);
    }
    println!(
        "{kind}: {} pairs of passes over {} paths; median pass: carafe {:.0} ns, matchit {:.0} ns; \
         median ratio of a pair, carafe/matchit: {:.3}",
        ratios.len(),
        paths.len(),
        median(&mut carafe_ns),
        median(&mut matchit_ns),
        median(&mut ratios)
    );
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
