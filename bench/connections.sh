#!/usr/bin/env bash
# Many connections: the memory each idle keep-alive connection costs a server, and the latency
# tail under 1,000 busy ones.
#
#   bash bench/connections.sh
#
# Memory: the server's resident set (VmRSS) after a warm-up, then with COUNT (1,000) idle
# keep-alive connections open, each having had one answer (bench/idle_connections.py); the
# difference over COUNT. Then the same on a fresh server with COUNT connections each holding a
# request in flight (a POST /items whose body is half sent). Latency: wrk with COUNT
# connections on /items/1 for DURATION (10) s, the 50th, 99th and 99.9th percentiles
# (bench/lua/latency.lua). Server on CPU 0, clients on CPU 1, WORKERS=1, as run.sh.
set -euo pipefail

COUNT=${COUNT:-1000}
DURATION=${DURATION:-10}
PORT=${PORT:-18085}
SERVERS=(${SERVERS:-hyper_raw carafe_peer axum_peer actix_peer})
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=$BENCH/target/release
URL=http://127.0.0.1:$PORT
ulimit -n $((COUNT * 4))

cargo build --quiet --release --manifest-path "$BENCH/Cargo.toml" --bins

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# Starts server $1 and warms it up; its pid in $pid.
start() {
    WORKERS=1 taskset -c 0 "$BIN/$1" "$PORT" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -s -o /dev/null "$URL/plaintext" && break; sleep 0.1; done
    taskset -c 1 wrk -t1 -c64 -d2s "$URL/items/1" >/dev/null
    sleep 0.5
}

stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }

# The server's RSS in KiB before and while COUNT connections are held in mode $1
# (idle_connections.py): "<before> <with them>".
held_rss() {
    local before after ready
    before=$(rss_kib "$pid")
    coproc HOLD { taskset -c 1 python3 "$BENCH/idle_connections.py" "$PORT" "$COUNT" "$1"; }
    read -r ready <&"${HOLD[0]}"
    [ "$ready" = ready ] || { echo "the $1 connections did not open" >&2; exit 1; }
    sleep 0.5
    after=$(rss_kib "$pid")
    echo >&"${HOLD[1]}"
    wait "$HOLD_PID" 2>/dev/null || true
    echo "$before $after"
}

per_connection() { awk -v b="$1" -v a="$2" -v n="$COUNT" 'BEGIN { printf "%.2f", (a - b) / n }'; }

printf '%-12s %14s %14s %16s %16s %9s %9s %9s\n' server "RSS idle (KiB)" "with $COUNT" \
    "per connection" "per in flight" "p50 us" "p99 us" "p99.9 us"
for server in "${SERVERS[@]}"; do
    # A connection whose request is in flight (a POST whose body is half sent), on a server
    # of its own: memory freed by the idle connections would otherwise be taken again.
    start "$server"
    held=$(held_rss in-flight)
    read -r before after <<<"$held"
    in_flight=$(per_connection "$before" "$after")
    stop
    start "$server"
    held=$(held_rss idle)
    read -r before after <<<"$held"
    idle=$(per_connection "$before" "$after")
    latency=$(taskset -c 1 wrk -t1 -c"$COUNT" -d"${DURATION}s" -s "$BENCH/lua/latency.lua" "$URL/items/1")
    stop
    p50=$(awk '$1 == "p50" { print $2 }' <<<"$latency")
    p99=$(awk '$1 == "p99" { print $2 }' <<<"$latency")
    p999=$(awk '$1 == "p99.9" { print $2 }' <<<"$latency")
    printf '%-12s %14s %14s %16s %16s %9s %9s %9s\n' "$server" "$before" "$after" "$idle" \
        "$in_flight" "$p50" "$p99" "$p999"
done
