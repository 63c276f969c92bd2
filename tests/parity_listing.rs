//! The route listing, like `flask routes`: `App::routes()`, and the table an example prints when
//! run with the argument `routes`.

mod common;

use std::process::Command;

use carafe::prelude::*;
use carafe::{Bytes, MethodSet};

/// The line of `item`'s name, which the listing must give.
const ITEM_LINE: u32 = line!() + 3;

#[route("/items/<int:item_id>", GET, PUT)]
fn item(item_id: u32) -> impl IntoResponse {
    if item_id == 0 {
        return ("no such item", 404);
    }
    ("item", 200)
}

#[route("/ping")]
fn ping() -> &'static str {
    "pong"
}

#[route("/upload", POST, body_limit = "64 MiB")]
fn upload(body: Bytes) -> String {
    format!("{} bytes", body.len())
}

#[test]
fn routes_lists_methods_path_handler_source_and_statuses() {
    let routes = App::new().mount(routes![item, ping]).routes();
    assert_eq!(routes.len(), 2);

    let item_route = &routes[0];
    assert_eq!(item_route.methods, MethodSet::GET.union(MethodSet::PUT));
    assert_eq!(item_route.path, "/items/<int:item_id>");
    assert_eq!(item_route.handler, "parity_listing::item");
    assert_eq!(item_route.file, "tests/parity_listing.rs");
    assert_eq!(item_route.line, ITEM_LINE);
    assert_eq!(item_route.statuses, [200, 404]);

    // No status written: the default, 200.
    let ping_route = &routes[1];
    assert_eq!(ping_route.path, "/ping");
    assert_eq!(ping_route.statuses, [200]);
}

#[test]
fn routes_table_reads_like_flask_routes() {
    let table = App::new()
        .mount(routes![item, ping])
        .routes_table()
        .to_string();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{table}");
    assert!(lines[0].starts_with("Endpoint"), "{table}");
    for column in ["Methods", "Rule", "Statuses", "Source"] {
        assert!(lines[0].contains(column), "{table}");
    }
    assert!(lines[1].chars().all(|c| c == '-' || c == ' '), "{table}");
    let row: Vec<&str> = lines[2]
        .split("  ")
        .filter(|cell| !cell.is_empty())
        .collect();
    assert_eq!(
        row.iter().map(|cell| cell.trim()).collect::<Vec<_>>(),
        [
            "parity_listing::item",
            "GET, PUT",
            "/items/<int:item_id>",
            "200, 404",
            &format!("tests/parity_listing.rs:{ITEM_LINE}")
        ],
        "{table}"
    );
    assert!(
        lines[3].contains("/ping") && lines[3].contains("200"),
        "{table}"
    );
}

#[test]
fn an_example_run_with_routes_prints_the_table_and_exits() {
    let output = Command::new(common::example_binary("items"))
        .arg("routes")
        .output()
        .unwrap();
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("Endpoint"), "{table}");
    let get = lines
        .iter()
        .find(|line| line.contains("items::get_item"))
        .unwrap_or_else(|| panic!("{table}"));
    for cell in ["GET", "/items/<item_id>", "200, 404", "examples/items.rs:"] {
        assert!(get.contains(cell), "{get}");
    }
    let create = lines
        .iter()
        .find(|line| line.contains("items::create_item"))
        .unwrap_or_else(|| panic!("{table}"));
    for cell in ["POST", "/items", "201, 400"] {
        assert!(create.contains(cell), "{create}");
    }
}

#[test]
fn a_routes_own_body_limit_is_listed_in_a_column_of_its_own() {
    let app = App::new().mount(routes![ping, upload]);
    let routes = app.routes();
    assert_eq!(routes[0].body_limit, None);
    assert_eq!(routes[1].body_limit, Some(64 * 1024 * 1024));
    let table = app.routes_table().to_string();
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].contains("Statuses  Body limit  Source"), "{table}");
    let upload_row = lines.iter().find(|line| line.contains("/upload")).unwrap();
    assert!(upload_row.contains("64 MiB"), "{table}");
    // Without such a route, no such column.
    let table = App::new().mount(routes![ping]).routes_table().to_string();
    assert!(!table.contains("Body limit"), "{table}");
}
