//! The runtime's modules stand in folders by layer, and in layers within each folder: a module
//! imports from lower layers only, never from its own or a higher one, so lower layers
//! (responses, then extractors, then routing) never depend on higher ones (the app, the
//! server) and the module graph has no cycle.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// The folders of `runtime/src`, lowest first, each with its modules in layers, lowest first.
/// A module named like its folder is the folder's `mod.rs`. A new module goes in the lowest
/// layer above everything it imports, in the folder of that layer.
const FOLDERS: &[(&str, &[&[&str]])] = &[
    (
        "response",
        &[
            &["body", "status_code", "route_doc"],
            &["error"],
            &["response"],
            &["abort", "json", "redirect", "stream"],
            &["error_page"],
        ],
    ),
    (
        "extract",
        &[
            &["forwarded"],
            // `lock` imports nothing, but its docs link to the function `crate::abort`.
            &["app_data", "form", "lock", "filename"],
            &["request"],
            &["multipart"],
            &["extract"],
            &["cookies", "websocket"],
            &["session"],
            &["current"],
            &["flash"],
        ],
    ),
    (
        "routing",
        &[
            &["routing", "pace"],
            &["handler"],
            &["route"],
            &["router", "url"],
        ],
    ),
    (
        "app",
        &[
            &["access_log", "cross_site", "hooks", "health"],
            &["scope"],
            &["blueprint", "static_files", "openapi"],
            &["template"],
            &["dispatch"],
            &["service"],
            &["app"],
            &["assemble", "environment"],
            &["listing", "testing"],
        ],
    ),
    (
        "serve",
        &[
            &["batch", "shutdown", "dev", "listener"],
            &["connection"],
            &["watchdog"],
            &["serve"],
        ],
    ),
];

/// Where a module stands: its folder, and its layer counted across all folders.
fn place_of(module: &str) -> Option<(&'static str, usize)> {
    let mut layer = 0;
    for (folder, layers) in FOLDERS {
        for modules in *layers {
            if modules.contains(&module) {
                return Some((folder, layer));
            }
            layer += 1;
        }
    }
    // What the generated code names sits on top: it may reach any layer.
    (module == "__private").then_some(("", layer))
}

/// The modules `source` names as `crate::folder::module` or `crate::folder` (the folder's
/// `mod.rs`), outside its unit tests.
fn imports(source: &str) -> BTreeSet<String> {
    let code = source
        .find("#[cfg(test)]\nmod tests")
        .map_or(source, |tests| &source[..tests]);
    let is_module = |name: &&str| name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_');
    code.match_indices("crate::")
        .filter_map(|(at, prefix)| {
            let rest = &code[at + prefix.len()..];
            let mut names = rest
                .split("::")
                .map(|name| {
                    let end = name
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(name.len());
                    &name[..end]
                })
                // Items re-exported at the root (`crate::App` in a doc link) are not modules.
                .take_while(is_module);
            let first = names.next()?;
            let in_folder = FOLDERS.iter().find(|(folder, _)| *folder == first);
            Some(match (in_folder, names.next()) {
                (Some((_, layers)), Some(second))
                    if layers.iter().any(|modules| modules.contains(&second)) =>
                {
                    second.to_owned()
                }
                _ => first.to_owned(),
            })
        })
        .collect()
}

/// Every module file under `dir`: its module name and the folder it is in ("" at the root).
fn modules(dir: &Path, folder: &str, found: &mut Vec<(String, String, String)>) {
    for entry in fs::read_dir(dir).expect("a readable folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            let name = path.file_name().expect("a name").to_string_lossy();
            modules(&path, &name, found);
            continue;
        }
        let stem = path.file_stem().expect("a name").to_string_lossy();
        let module = if stem == "mod" {
            folder.to_owned()
        } else {
            stem.into_owned()
        };
        let source = fs::read_to_string(&path).expect("a readable module");
        found.push((module, folder.to_owned(), source));
    }
}

#[test]
fn every_module_is_in_its_folder_and_imports_only_from_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    modules(&src, "", &mut found);
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (module, folder, source) in &found {
        if module == "lib" {
            continue;
        }
        let (expected_folder, layer) = place_of(module).unwrap_or_else(|| {
            panic!("module `{module}` is in no layer: add it to FOLDERS in tests/layers.rs")
        });
        if expected_folder != folder {
            wrong.push(format!(
                "`{module}` is in `{folder}/`, but its layer is in `{expected_folder}/`"
            ));
        }
        assert!(
            !source.contains("crate::{"),
            "{module}: name each module in a `use crate::..::module::..` of its own"
        );
        for imported in imports(source) {
            match place_of(&imported) {
                Some((_, other)) if other < layer => {}
                Some(_) => wrong.push(format!("`{module}` imports `{imported}`")),
                None => wrong.push(format!("`{module}` imports `{imported}`, in no layer")),
            }
        }
        checked += 1;
    }
    assert!(
        checked >= 40,
        "only {checked} modules found in {}",
        src.display()
    );
    assert!(
        wrong.is_empty(),
        "modules out of place, or imports that reach the same or a higher layer:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn imports_are_read_from_paths_not_from_root_items_or_tests() {
    let source = "use crate::response::error::HttpError;\n/// [`App`](crate::App)\nfn f() { crate::response::json::parse(); }\nuse crate::response::Response;\nuse crate::extract::{Form, State};\n#[cfg(test)]\nmod tests {\n    use crate::app::App;\n}\n";
    let found: Vec<String> = imports(source).into_iter().collect();
    assert_eq!(found, ["error", "extract", "json", "response"]);
}
