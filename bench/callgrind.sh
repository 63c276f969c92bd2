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

# Instructions per request of server $1 on route $2.
count() {
    local server=$1 route=$2 pid total
    local out=$OUT/$1.${2//\//_}.out
    rm -f "$out"*
    WORKERS=1 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" \
        "$BIN/$server" "$PORT" >/dev/null 2>"$out.log" &
    pid=$!
    for _ in $(seq 100); do
        "$BIN/fixed_load" "$PORT" plaintext 1 1 2>/dev/null && break
        sleep 0.2
    done
    "$BIN/fixed_load" "$PORT" "$route" "$WARMUP" 16 1000000
    callgrind_control --instr=on "$pid" >/dev/null 2>&1
    "$BIN/fixed_load" "$PORT" "$route" "$REQUESTS" 16 2000000
    callgrind_control --instr=off "$pid" >/dev/null 2>&1
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
    total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    echo $((total / REQUESTS))
}

# Instructions per request of server $1 on path $2 over HTTP/2, h2load sending REQUESTS.
count_h2() {
    local server=$1 path=$2 pid total
    local out=$OUT/$1.h2.${2//\//_}.out
    rm -f "$out"*
    WORKERS=1 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" \
        "$BIN/$server" "$PORT" >/dev/null 2>"$out.log" &
    pid=$!
    for _ in $(seq 100); do
        curl -s --http2-prior-knowledge -o /dev/null "http://127.0.0.1:$PORT/plaintext" && break
        sleep 0.2
    done
    h2load -n "$WARMUP" -c 16 -m 16 "http://127.0.0.1:$PORT$path" >/dev/null
    callgrind_control --instr=on "$pid" >/dev/null 2>&1
    h2load -n "$REQUESTS" -c 16 -m 16 "http://127.0.0.1:$PORT$path" >/dev/null
    callgrind_control --instr=off "$pid" >/dev/null 2>&1
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
    total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    echo $((total / REQUESTS))
}

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
