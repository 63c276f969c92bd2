//! carafe's router against matchit used directly, on about 300 GitHub API routes: lookups of
//! paths that match a route, and of paths that match none.
//!
//! `cargo bench --manifest-path bench/Cargo.toml --bench router`

use std::collections::HashMap;
use std::hint::black_box;

use carafe::__private::{
    Converter, HandlerFuture, Lookup, MethodSet, ParamDef, RequestContext, RouteDef, Router,
};
use carafe::{IntoResponse, Method};
use carafe_bench::github::ROUTES;
use criterion::{criterion_group, criterion_main, Criterion};

/// One route of the list, in the forms both routers take, and a path it answers.
struct Case {
    method: Method,
    path: &'static str,
    /// The `matchit` pattern carafe's macro would emit: parameters renamed `p0`, `p1`, …
    pattern: String,
    params: Vec<ParamDef>,
    /// A request path for the route: every parameter filled in.
    request: String,
}

/// Splits a carafe path into what `#[route]` would emit, and a path that matches it.
fn case(method: &str, path: &'static str) -> Case {
    let (mut pattern, mut params, mut request) = (String::new(), Vec::new(), String::new());
    let mut rest = path;
    while let Some(start) = rest.find('<') {
        let end = rest.find('>').expect("a closed parameter");
        pattern.push_str(&rest[..start]);
        request.push_str(&rest[..start]);
        let (converter, name) = match rest[start + 1..end].split_once(':') {
            Some(("path", name)) => (Converter::Path, name),
            _ => (Converter::String, &rest[start + 1..end]),
        };
        let index = params.len();
        if converter == Converter::Path {
            pattern.push_str(&format!("{{*p{index}}}"));
            request.push_str("docs/guide/README.md");
        } else {
            pattern.push_str(&format!("{{p{index}}}"));
            request.push_str("octocat");
        }
        params.push(ParamDef {
            name: Box::leak(name.to_owned().into_boxed_str()),
            converter,
        });
        rest = &rest[end + 1..];
    }
    pattern.push_str(rest);
    request.push_str(rest);
    Case {
        method: method.parse().expect("a method"),
        path,
        pattern,
        params,
        request,
    }
}

fn handler(_: RequestContext) -> HandlerFuture {
    HandlerFuture::new(async { "ok".into_response() })
}

fn carafe_router(cases: &[Case]) -> Router {
    let mut router = Router::default();
    for case in cases {
        let methods = MethodSet::from_method(&case.method).expect("a standard method");
        let route = RouteDef {
            handler_name: "handler",
            module_path: module_path!(),
            file: file!(),
            line: line!(),
            path: case.path,
            pattern: Box::leak(case.pattern.clone().into_boxed_str()),
            params: Box::leak(case.params.clone().into_boxed_slice()),
            methods,
            statuses: &[],
            handler,
        };
        router
            .insert(route)
            .expect("the GitHub routes do not clash");
    }
    router
}

/// matchit as an HTTP router would use it: one tree of paths, the methods behind each.
fn matchit_router(cases: &[Case]) -> matchit::Router<Vec<(Method, usize)>> {
    let mut by_pattern: HashMap<&str, Vec<(Method, usize)>> = HashMap::new();
    for (index, case) in cases.iter().enumerate() {
        by_pattern
            .entry(&case.pattern)
            .or_default()
            .push((case.method.clone(), index));
    }
    let mut router = matchit::Router::new();
    for (pattern, methods) in by_pattern {
        router.insert(pattern, methods).expect("a valid pattern");
    }
    router
}

fn compare(c: &mut Criterion) {
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
    println!(
        "{} routes, {} hits, {} misses",
        cases.len(),
        hits.len(),
        misses.len()
    );

    for (name, paths) in [("hit", &hits), ("miss", &misses)] {
        let mut group = c.benchmark_group(format!("router/{name}"));
        group.bench_function("carafe", |b| {
            b.iter(|| {
                for (method, path) in black_box(paths) {
                    black_box(carafe.lookup(method, path));
                }
            })
        });
        group.bench_function("matchit", |b| {
            b.iter(|| {
                for (method, path) in black_box(paths) {
                    // As any router must: the route for the method, and the parameters'
                    // values to hand to the handler.
                    let found = matchit.at(path).ok().and_then(|found| {
                        let (_, index) = found.value.iter().find(|(m, _)| m == method)?;
                        found.params.iter().for_each(|(_, value)| {
                            black_box(value);
                        });
                        Some(*index)
                    });
                    black_box(found);
                }
            })
        });
        group.finish();
    }
}

criterion_group!(benches, compare);
criterion_main!(benches);
