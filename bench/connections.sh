#!/usr/bin/env bash
# Many connections: the memory each idle keep-alive connection costs a server, and the latency
# tail under 1,000 busy ones.
#
#   bash bench/connections.sh
#
# Memory: the server's resident set (VmRSS) after a warm-up, then with COUNT (1,000) idle
# keep-alive connections open, each having had one answer (bench/idle_connections.py); the
# difference over COUNT. Latency: wrk with COUNT connections on /items/1 for DURATION (10) s,
# the 50th, 99th and 99.9th percentiles (bench/lua/latency.lua). Server on CPU 0, clients on
# CPU 1, WORKERS=1, as run.sh.
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

printf '%-12s %14s %14s %16s %9s %9s %9s\n' server "RSS idle (KiB)" "with $COUNT" "per connection" "p50 us" "p99 us" "p99.9 us"
for server in "${SERVERS[@]}"; do
    WORKERS=1 taskset -c 0 "$BIN/$server" "$PORT" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -s -o /dev/null "$URL/plaintext" && break; sleep 0.1; done
    taskset -c 1 wrk -t1 -c64 -d2s "$URL/items/1" >/dev/null
    sleep 0.5
    before=$(rss_kib "$pid")
    coproc HOLD { taskset -c 1 python3 "$BENCH/idle_connections.py" "$PORT" "$COUNT"; }
    read -r ready <&"${HOLD[0]}"
    [ "$ready" = ready ] || { echo "the idle connections did not open" >&2; exit 1; }
    sleep 0.5
    after=$(rss_kib "$pid")
    echo >&"${HOLD[1]}"
    wait "$HOLD_PID" 2>/dev/null || true
    latency=$(taskset -c 1 wrk -t1 -c"$COUNT" -d"${DURATION}s" -s "$BENCH/lua/latency.lua" "$URL/items/1")
    p50=$(awk '$1 == "p50" { print $2 }' <<<"$latency")
    p99=$(awk '$1 == "p99" { print $2 }' <<<"$latency")
    p999=$(awk '$1 == "p99.9" { print $2 }' <<<"$latency")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    per=$(awk -v a="$after" -v b="$before" -v n="$COUNT" 'BEGIN { printf "%.2f", (a - b) / n }')
    printf '%-12s %14s %14s %16s %9s %9s %9s\n' "$server" "$before" "$after" "$per" "$p50" "$p99" "$p999"
done
