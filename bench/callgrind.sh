#!/usr/bin/env bash
# Instructions per request, counted by callgrind (the same on any machine, unlike time), for
# bare hyper and carafe on /plaintext and /items/1, and carafe's ratio to hyper on each.
#
#   bash bench/callgrind.sh            # prints the table
#   bash bench/callgrind.sh --check    # and fails if a ratio rose more than 5 % above the
#                                      # one recorded in bench/callgrind_baseline.tsv
#   bash bench/callgrind.sh --record   # writes the ratios measured now as the baseline
#   bash bench/callgrind.sh count SERVER ROUTE   # one server's instructions per request on a
#                                      # route of fixed_load's (the environment is the server's)
#   bash bench/callgrind.sh count-h2 SERVER PATH # the same over HTTP/2 (h2c), loaded by h2load
#                                      # (16 connections x 16 streams), for bench/h2.sh's servers
#
# Each server runs under `valgrind --tool=callgrind` with instrumentation off; a warm-up of
# WARMUP requests, then instrumentation on for exactly REQUESTS more (bench/src/bin/fixed_load.rs,
# 16 connections), then off: total instructions over REQUESTS, the server's start and the
# warm-up left out.
set -euo pipefail

REQUESTS=${REQUESTS:-20000}
WARMUP=${WARMUP:-2000}
PORT=${PORT:-18090}
SERVERS=(hyper_raw carafe_peer)
ROUTES=(plaintext item)
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=$BENCH/target/release
BASELINE=$BENCH/callgrind_baseline.tsv
OUT=$BENCH/target/callgrind
mkdir -p "$OUT"

if [ "${1:-}" = count ] || [ "${1:-}" = count-h2 ]; then
    cargo build --quiet --release --manifest-path "$BENCH/Cargo.toml" --bin "$2" --bin fixed_load
else
    cargo build --quiet --release --manifest-path "$BENCH/Cargo.toml" \
        --bin hyper_raw --bin carafe_peer --bin fixed_load
fi

# Instructions per request of server $1 while `$3 ROUTE N FIRST_ID` sends N requests of
# route $2 (`$3 ready` answers once the server is up); the output file is named after $4.
measure() {
    local server=$1 route=$2 send=$3 pid total
    local out=$OUT/$1.$4.out
    rm -f "$out"*
    # Slowed tens of times, carafe's quick plain handlers would pass its blocking threshold
    # and move to the blocking pool: a second keeps them where they run natively.
    WORKERS=1 CARAFE_PEER_BLOCKING_THRESHOLD_MS=1000 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" \
        "$BIN/$server" "$PORT" >/dev/null 2>"$out.log" &
    pid=$!
    for _ in $(seq 100); do
        "$send" ready 2>/dev/null && break
        sleep 0.2
    done
    "$send" "$route" "$WARMUP" 1000000
    callgrind_control --instr=on "$pid" >/dev/null 2>&1
    "$send" "$route" "$REQUESTS" 2000000
    callgrind_control --instr=off "$pid" >/dev/null 2>&1
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
    total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    echo $((total / REQUESTS))
}

# HTTP/1 requests from fixed_load, over 16 connections, POSTs' ids counting from FIRST_ID.
send_http1() {
    if [ "$1" = ready ]; then
        "$BIN/fixed_load" "$PORT" plaintext 1 1
    else
        "$BIN/fixed_load" "$PORT" "$1" "$2" 16 "$3"
    fi
}

# HTTP/2 requests of a path from h2load, 16 connections of 16 streams.
send_http2() {
    if [ "$1" = ready ]; then
        curl -s --http2-prior-knowledge -o /dev/null "http://127.0.0.1:$PORT/plaintext"
    else
        h2load -n "$2" -c 16 -m 16 "http://127.0.0.1:$PORT$1" >/dev/null
    fi
}

# Instructions per request of server $1 on route $2, over HTTP/1 or HTTP/2.
count() { measure "$1" "$2" send_http1 "${2//\//_}"; }
count_h2() { measure "$1" "$2" send_http2 "h2.${2//\//_}"; }

if [ "${1:-}" = count ]; then
    count "$2" "$3"
    exit
fi
if [ "${1:-}" = count-h2 ]; then
    count_h2 "$2" "$3"
    exit
fi

declare -A measured
printf '%-10s %10s %12s %7s\n' route hyper_raw carafe_peer ratio
for route in "${ROUTES[@]}"; do
    hyper=$(count hyper_raw "$route")
    carafe=$(count carafe_peer "$route")
    ratio=$(awk -v c="$carafe" -v h="$hyper" 'BEGIN { printf "%.3f", c / h }')
    measured[$route]=$ratio
    printf '%-10s %10s %12s %7s\n' "$route" "$hyper" "$carafe" "$ratio"
done

case ${1:-} in
    --record)
        { printf 'route\tratio\n'; for route in "${ROUTES[@]}"; do printf '%s\t%s\n' "$route" "${measured[$route]}"; done; } >"$BASELINE"
        echo "recorded in $BASELINE"
        ;;
    --check)
        failed=0
        while IFS=$'\t' read -r route recorded; do
            [ "$route" = route ] && continue
            now=${measured[$route]:?no measurement of $route}
            if awk -v n="$now" -v r="$recorded" 'BEGIN { exit !(n > r * 1.05) }'; then
                echo "FAIL: $route: carafe's ratio to hyper is $now, more than 5 % above the recorded $recorded"
                failed=1
            else
                echo "ok: $route: $now (recorded $recorded, limit $(awk -v r="$recorded" 'BEGIN { printf "%.3f", r * 1.05 }'))"
            fi
        done <"$BASELINE"
        exit $failed
        ;;
esac
