#!/usr/bin/env bash
# HTTP/2 (h2c with prior knowledge): the four routes with h2load at CONNECTIONS (64)
# connections of STREAMS (16) concurrent streams, for bare hyper's HTTP/2 server
# (hyper_h2), axum and carafe: requests per second and the server's
# CPU time per request, medians of ROUNDS (3). h2load comes with Debian's nghttp2-client.
#
#   bash bench/h2.sh
set -euo pipefail

ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-400000}
CONNECTIONS=${CONNECTIONS:-64}
STREAMS=${STREAMS:-16}
PORT=${PORT:-18087}
SERVERS=(${SERVERS:-hyper_h2 axum_peer carafe_peer})
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=$BENCH/target/release
URL=http://127.0.0.1:$PORT
command -v h2load >/dev/null || { echo "h2load is missing: apt-get install nghttp2-client" >&2; exit 1; }

cargo build --quiet --release --manifest-path "$BENCH/Cargo.toml" --bin hyper_h2 --bin axum_peer --bin carafe_peer

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
post_body=$(mktemp)
trap 'rm -f "$post_body"' EXIT

printf '%-6s %-10s %-12s %10s %12s\n' round route server "req/s" "us CPU/req"
for round in $(seq "$ROUNDS"); do
    for route in plaintext json item post; do
        for server in "${SERVERS[@]}"; do
            WORKERS=1 taskset -c 0 "$BIN/$server" "$PORT" >/dev/null 2>&1 &
            pid=$!
            for _ in $(seq 100); do curl -s --http2-prior-knowledge -o /dev/null "$URL/plaintext" && break; sleep 0.1; done
            case $route in
                plaintext) args=("$URL/plaintext") ;;
                json) args=("$URL/json") ;;
                item) args=("$URL/items/1") ;;
                # The same item each time: after the first, a 400 (id taken), which every
                # server answers alike, body and all.
                post) printf '{"id":1,"name":"pear"}' >"$post_body"
                      args=(-d "$post_body" -H "content-type: application/json" "$URL/items") ;;
            esac
            taskset -c 1 h2load -n $((REQUESTS / 10)) -c "$CONNECTIONS" -m "$STREAMS" "${args[@]}" >/dev/null
            before=$(cpu_ticks "$pid")
            out=$(taskset -c 1 h2load -n "$REQUESTS" -c "$CONNECTIONS" -m "$STREAMS" "${args[@]}")
            after=$(cpu_ticks "$pid")
            kill "$pid"; wait "$pid" 2>/dev/null || true
            rps=$(awk '/^finished in/ { gsub(",", "", $4); print $4 }' <<<"$out")
            done_requests=$(awk '/^requests:/ { print $6 }' <<<"$out")
            us=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$done_requests" 'BEGIN { printf "%.3f", t / hz * 1e6 / n }')
            printf '%-6s %-10s %-12s %10s %12s\n' "$round" "$route" "$server" "$rps" "$us"
        done
    done
done
