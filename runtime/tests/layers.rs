//! The runtime's modules stand in layers: a module imports from lower layers only, never from
//! its own or a higher one, so lower layers (body, request, response, error) never depend on
//! higher ones (app, router, serve) and the module graph has no cycle.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// The layers, lowest first. A new module goes in the lowest layer above everything it imports.
const LAYERS: &[&[&str]] = &[
    &[
        "body",
        "route_doc",
        "status_code",
        "app_data",
        "access_log",
        "batch",
        "shutdown",
    ],
    &["error"],
    &["response"],
    &["abort", "json", "redirect", "stream"],
    // `lock` imports nothing, but its docs link to the function `crate::abort`.
    &["form", "error_page", "lock"],
    &["request"],
    &["extract", "handler", "hooks"],
    &["cookies"],
    &["session"],
    &["current"],
    &["flash"],
    &["route"],
    &["router", "scope", "url", "static_files", "openapi"],
    &["blueprint", "template"],
    &["dispatch"],
    &["service"],
    &["app", "connection"],
    &["watchdog"],
    &["listing", "testing", "serve"],
    // What the generated code names: it may reach any layer.
    &["__private"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The modules `source` names as `crate::module`, outside its unit tests.
fn imports(source: &str) -> BTreeSet<String> {
    let code = source
        .find("#[cfg(test)]\nmod tests")
        .map_or(source, |tests| &source[..tests]);
    code.match_indices("crate::")
        .map(|(at, prefix)| {
            let rest = &code[at + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            rest[..end].to_owned()
        })
        // Items re-exported at the root (`crate::App` in a doc link) are not modules.
        .filter(|name| name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_'))
        .collect()
}

#[test]
fn every_module_imports_only_from_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    let mut wrong = Vec::new();
    for entry in fs::read_dir(&src).expect("runtime/src") {
        let path = entry.expect("an entry").path();
        let module = path
            .file_stem()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        if module == "lib" {
            continue;
        }
        let layer = layer_of(&module).unwrap_or_else(|| {
            panic!("module `{module}` is in no layer: add it to LAYERS in tests/layers.rs")
        });
        let source = fs::read_to_string(&path).expect("a readable module");
        assert!(
            !source.contains("crate::{"),
            "{module}: name each module in a `use crate::module::..` of its own"
        );
        for imported in imports(&source) {
            match layer_of(&imported) {
                Some(other) if other < layer => {}
                Some(_) => wrong.push(format!("`{module}` imports `{imported}`")),
                None => wrong.push(format!("`{module}` imports `{imported}`, in no layer")),
            }
        }
        checked += 1;
    }
    assert!(
        checked >= 20,
        "only {checked} modules found in {}",
        src.display()
    );
    assert!(
        wrong.is_empty(),
        "imports that reach the same or a higher layer:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn imports_are_read_from_paths_not_from_root_items_or_tests() {
    let source = "use crate::error::HttpError;\n/// [`App`](crate::App)\nfn f() { crate::json::parse(); }\n#[cfg(test)]\nmod tests {\n    use crate::app::App;\n}\n";
    let found: Vec<String> = imports(source).into_iter().collect();
    assert_eq!(found, ["error", "json"]);
}
