#!/usr/bin/env bash
# Build cost of one generated app of ROUTES routes (default 200), on carafe, axum and Rocket:
# a clean build, a rebuild of the app crate alone, an incremental build after a one-line
# change, and the share of macro expansion in the app crate (rustc's -Z time-passes,
# unlocked on the stable compiler with RUSTC_BOOTSTRAP=1 for this measurement only).
#
#   bash bench/build_cost.sh
#   CARAFE_FEATURES=none bash bench/build_cost.sh    # carafe without its default features
#   CARAFE_FEATURES=openapi bash bench/build_cost.sh # with only these (comma-separated)
set -euo pipefail

ROUTES=${ROUTES:-200}
# carafe's cargo features: its defaults unless told.
case ${CARAFE_FEATURES:-default} in
    default) CARAFE_DEPENDENCY_OPTIONS="" ;;
    none) CARAFE_DEPENDENCY_OPTIONS=", default-features = false" ;;
    *) CARAFE_DEPENDENCY_OPTIONS=", default-features = false, features = [\"${CARAFE_FEATURES//,/\", \"}\"]" ;;
esac
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
WORK=$BENCH/target/build-cost
rm -rf "$WORK"
mkdir -p "$WORK"

# A package of its own (its own workspace and target dir, so its clean build is clean).
start_app() { # name, then its dependency lines
    local dir=$WORK/$1
    mkdir -p "$dir/src"
    printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n' "$1" >"$dir/Cargo.toml"
    printf '[workspace]\n\n[dependencies]\n' >>"$dir/Cargo.toml"
    printf '%s\n' "${@:2}" >>"$dir/Cargo.toml"
}

# Half the routes read an item by an int id from shared state (200 or 404), half create one
# from a JSON body (201 or 400): the shapes of the benchmark's own routes.
generate_carafe() {
    local dir=$WORK/carafe_app
    start_app carafe_app "carafe = { path = \"$ROOT\"$CARAFE_DEPENDENCY_OPTIONS }" 'serde = { version = "1", features = ["derive"] }'
    {
        echo 'use carafe::prelude::*;'
        echo '#[derive(serde::Deserialize)] struct Item { id: u64, name: String }'
        echo 'type Store = RwLock<HashMap<u64, String>>;'
        for i in $(seq 0 $((ROUTES / 2 - 1))); do
            cat <<RUST
#[route("/r$i/items/<int:id>", GET)]
fn get_$i(id: u64, store: State<Store>) -> impl IntoResponse {
    match store.read().unwrap().get(&id) {
        Some(name) => (Json(json!({ "id": id, "name": name })), 200),
        None => (Json(json!({ "error": "not found" })), 404),
    }
}
#[route("/r$i/items", POST)]
fn post_$i(Json(item): Json<Item>, store: State<Store>) -> impl IntoResponse {
    let mut store = store.write().unwrap();
    if store.contains_key(&item.id) {
        return (Json(json!({ "error": "exists" })), 400);
    }
    store.insert(item.id, item.name);
    (Json(json!({ "created": item.id })), 201)
}
RUST
        done
        printf 'fn main() {\n    App::new().state(Store::default()).mount(routes![\n'
        for i in $(seq 0 $((ROUTES / 2 - 1))); do printf '        get_%s, post_%s,\n' "$i" "$i"; done
        printf '    ]).run();\n}\n'
    } >"$dir/src/main.rs"
}

generate_axum() {
    local dir=$WORK/axum_app
    start_app axum_app 'axum = "0.8"' 'serde = { version = "1", features = ["derive"] }' \
        'serde_json = "1"' 'tokio = { version = "1", features = ["rt-multi-thread", "net", "macros"] }'
    {
        echo 'use std::{collections::HashMap, sync::{Arc, RwLock}};'
        echo 'use axum::{extract::{Path, State}, http::StatusCode, response::IntoResponse, routing::{get, post}, Json, Router};'
        echo 'use serde_json::json;'
        echo '#[derive(serde::Deserialize)] struct Item { id: u64, name: String }'
        echo 'type Store = Arc<RwLock<HashMap<u64, String>>>;'
        for i in $(seq 0 $((ROUTES / 2 - 1))); do
            cat <<RUST
async fn get_$i(Path(id): Path<u64>, State(store): State<Store>) -> impl IntoResponse {
    match store.read().unwrap().get(&id) {
        Some(name) => (StatusCode::OK, Json(json!({ "id": id, "name": name }))),
        None => (StatusCode::NOT_FOUND, Json(json!({ "error": "not found" }))),
    }
}
async fn post_$i(State(store): State<Store>, Json(item): Json<Item>) -> impl IntoResponse {
    let mut store = store.write().unwrap();
    if store.contains_key(&item.id) {
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": "exists" })));
    }
    store.insert(item.id, item.name);
    (StatusCode::CREATED, Json(json!({ "created": item.id })))
}
RUST
        done
        printf '#[tokio::main]\nasync fn main() {\n    let app = Router::new()\n'
        for i in $(seq 0 $((ROUTES / 2 - 1))); do
            printf '        .route("/r%s/items/{id}", get(get_%s))\n        .route("/r%s/items", post(post_%s))\n' "$i" "$i" "$i" "$i"
        done
        printf '        .with_state(Store::default());\n'
        printf '    let listener = tokio::net::TcpListener::bind("127.0.0.1:5000").await.unwrap();\n'
        printf '    axum::serve(listener, app).await.unwrap();\n}\n'
    } >"$dir/src/main.rs"
}

generate_rocket() {
    local dir=$WORK/rocket_app
    start_app rocket_app 'rocket = { version = "0.5", features = ["json"] }' \
        'serde = { version = "1", features = ["derive"] }'
    {
        echo 'use std::{collections::HashMap, sync::RwLock};'
        echo 'use rocket::{get, launch, post, routes, State, http::Status, serde::json::{json, Json, Value}};'
        echo '#[derive(serde::Deserialize)] struct Item { id: u64, name: String }'
        echo 'type Store = RwLock<HashMap<u64, String>>;'
        for i in $(seq 0 $((ROUTES / 2 - 1))); do
            cat <<RUST
#[get("/r$i/items/<id>")]
fn get_$i(id: u64, store: &State<Store>) -> (Status, Json<Value>) {
    match store.read().unwrap().get(&id) {
        Some(name) => (Status::Ok, Json(json!({ "id": id, "name": name }))),
        None => (Status::NotFound, Json(json!({ "error": "not found" }))),
    }
}
#[post("/r$i/items", data = "<item>")]
fn post_$i(item: Json<Item>, store: &State<Store>) -> (Status, Json<Value>) {
    let mut store = store.write().unwrap();
    if store.contains_key(&item.id) {
        return (Status::BadRequest, Json(json!({ "error": "exists" })));
    }
    let Item { id, name } = item.into_inner();
    store.insert(id, name);
    (Status::Created, Json(json!({ "created": id })))
}
RUST
        done
        printf '#[launch]\nfn rocket() -> _ {\n    rocket::build().manage(Store::default()).mount("/", routes![\n'
        for i in $(seq 0 $((ROUTES / 2 - 1))); do printf '        get_%s, post_%s,\n' "$i" "$i"; done
        printf '    ])\n}\n'
    } >"$dir/src/main.rs"
}

seconds() { # command... : wall-clock seconds it took
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}

measure() { # app name
    local dir=$WORK/$1 manifest=$WORK/$1/Cargo.toml
    local clean app incremental expansion total
    clean=$(seconds cargo build --manifest-path "$manifest")
    cargo clean --manifest-path "$manifest" -p "$1" >/dev/null 2>&1
    app=$(seconds cargo build --manifest-path "$manifest")
    # A one-line change in one handler, as while editing an app.
    sed -i '0,/"not found"/s//"no such item"/' "$dir/src/main.rs"
    incremental=$(seconds cargo build --manifest-path "$manifest")
    # The app crate once more, with rustc's own timings: expansion against the whole.
    touch "$dir/src/main.rs"
    RUSTC_BOOTSTRAP=1 cargo rustc --manifest-path "$manifest" -- -Z time-passes 2>"$WORK/$1.passes" >/dev/null
    expansion=$(awk '$1 == "time:" && $NF == "expand_crate" { sub(";", "", $2); print $2 }' "$WORK/$1.passes" | head -1)
    total=$(awk '$1 == "time:" && $NF == "total" { sub(";", "", $2); print $2 }' "$WORK/$1.passes" | tail -1)
    printf '%-11s %9s %11s %13s %16s %12s\n' "$1" "$clean" "$app" "$incremental" "${expansion:-?}" "${total:-?}"
}

generate_carafe
generate_axum
generate_rocket
echo "$ROUTES routes, debug profile, $(nproc) cores, carafe's features: ${CARAFE_FEATURES:-default}; seconds"
printf '%-11s %9s %11s %13s %16s %12s\n' app clean "app crate" incremental "macro expansion" "app rustc"
measure carafe_app
measure axum_app
measure rocket_app
