#!/usr/bin/env bash
# What reading templates when the crate compiles costs (render_template!): flaskr's example
# built at BASE, a commit whose flaskr calls the function render_template, and at the working
# tree, whose flaskr calls the macro.
#
#   BASE=4d6b50f bash bench/template_cost.sh
#
# 1. The debug rebuild of the example after an edit of blog.rs (which renders three templates),
#    ROUNDS times each, alternating: what a developer waits for.
# 2. The index page (50 posts, the tutorial's schema) of the release build, wrk for DURATION
#    seconds at 16 connections, ROUNDS times each, alternating; server on CPU 0, wrk on CPU 1.
# Medians are printed. Environment: BASE (required), ROUNDS (5), DURATION (5), PORT (18094).
set -euo pipefail

BASE=${BASE:?set BASE to a commit whose flaskr renders with the function render_template}
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5}
PORT=${PORT:-18094}
URL=http://127.0.0.1:$PORT
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
WORK=$BENCH/target/template_cost
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$BENCH/lib.sh"

command -v wrk >/dev/null || { apt-get update && apt-get install -y wrk; }
mkdir -p "$WORK"
rm -rf "$WORK/base"
git -C "$ROOT" worktree prune
git -C "$ROOT" worktree add --detach --force "$WORK/base" "$BASE" >/dev/null
server_pid=
cleanup() {
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null
    git -C "$ROOT" worktree remove --force "$WORK/base" 2>/dev/null || true
}
trap cleanup EXIT

# Each side: its source tree, and a target folder of its own so neither rebuilds the other's.
declare -A TREE=([base]=$WORK/base [head]=$ROOT)
declare -A TARGET=([base]=$WORK/target-base [head]=$ROOT/target)

build() { # side profile...
    CARGO_TARGET_DIR=${TARGET[$1]} cargo build --quiet "${@:2}" --example flaskr \
        --manifest-path "${TREE[$1]}/Cargo.toml"
}

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

warn_if_cpus_busy
echo "building both sides (debug and release)"
for side in base head; do
    build "$side"
    build "$side" --release
done

echo "1. debug rebuild after an edit of examples/flaskr/blog.rs, seconds"
declare -A REBUILD=()
for round in $(seq "$ROUNDS"); do
    for side in base head; do
        touch "${TREE[$side]}/examples/flaskr/blog.rs"
        start=$(date +%s.%N)
        build "$side"
        seconds=$(echo "$(date +%s.%N) - $start" | bc)
        REBUILD[$side]+="$seconds "
        printf 'round %s  %s  %.2f s\n' "$round" "$side" "$seconds"
    done
done

echo "2. the index page, 50 posts, release build, requests per second"
database=$WORK/flaskr.sqlite
rm -f "$database"
python3 - "$ROOT/examples/flaskr/schema.sql" "$database" <<'EOF'
import sqlite3, sys
database = sqlite3.connect(sys.argv[2])
database.executescript(open(sys.argv[1], encoding="utf-8").read())
author = database.execute(
    "INSERT INTO user (username, password) VALUES ('bench', 'not a login')").lastrowid
for number in range(50):
    database.execute(
        "INSERT INTO post (author_id, title, body) VALUES (?, ?, ?)",
        (author, f"Post {number}", "A paragraph of a post.\nAnd a second line."))
database.commit()
EOF
declare -A RATE=()
for round in $(seq "$ROUNDS"); do
    for side in base head; do
        ensure_port_free
        DATABASE=$database PORT=$PORT WORKERS=1 CARAFE_SECRET_KEY=benchmark taskset -c 0 \
            "${TARGET[$side]}/release/examples/flaskr" >/dev/null 2>&1 &
        server_pid=$!
        wait_for_server "flaskr ($side)" /
        rate=$(taskset -c 1 wrk -t1 -c16 -d"${DURATION}s" "$URL/" |
            awk '/Requests\/sec/ { print $2 }')
        kill "$server_pid"
        wait "$server_pid" 2>/dev/null || true
        server_pid=
        RATE[$side]+="$rate "
        printf 'round %s  %s  %s req/s\n' "$round" "$side" "$rate"
    done
done

echo
echo "medians of $ROUNDS rounds (BASE=$BASE)"
printf '%-6s %14s %14s\n' side "rebuild (s)" "index (req/s)"
for side in base head; do
    printf '%-6s %14.2f %14.0f\n' "$side" \
        "$(tr ' ' '\n' <<<"${REBUILD[$side]}" | grep . | median)" \
        "$(tr ' ' '\n' <<<"${RATE[$side]}" | grep . | median)"
done
