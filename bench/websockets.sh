#!/usr/bin/env bash
# WebSockets on carafe against axum's, the same echo route (src/bin/ws_carafe.rs, ws_axum.rs),
# both framed by tungstenite: echo round trips, and the memory an idle socket costs.
#
#   bash bench/websockets.sh                          # 3 rounds; about 2 min
#   ROUNDS=1 DURATION=3 IDLE=1000 bash bench/websockets.sh   # a quick smoke run
#
# Echo: CONNECTIONS sockets (64) each send 32 bytes of text and wait for the echo, again and
# again for DURATION seconds (10); round trips a second, p50 and p99, the servers alternating,
# medians of ROUNDS (3). Idle: IDLE sockets (10,000) opened and held; the server's resident
# memory with them open, less its memory with one socket warm, over IDLE. Each server runs on
# CPU 0 with one worker thread (WORKERS=1), the load (src/bin/ws_load.rs, one thread) on CPU 1.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
IDLE=${IDLE:-10000}
PORT=${PORT:-18095}
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=$BENCH/target/release
URL=http://127.0.0.1:$PORT
SERVERS=(ws_carafe ws_axum)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$BENCH/lib.sh"

cargo build --quiet --release --manifest-path "$BENCH/Cargo.toml" \
    --bin ws_carafe --bin ws_axum --bin ws_load
# Ten thousand sockets on each side need as many descriptors: as many as the system allows.
ulimit -n "$(ulimit -Hn)"
(($(ulimit -n) > IDLE + 100)) || die "IDLE=$IDLE sockets need more descriptors than the $(ulimit -n) allowed"
server_pid=
load_pid=
trap 'kill "$load_pid" 2>/dev/null || true; stop_server' EXIT

start_server() { # name
    ensure_port_free
    WORKERS=1 taskset -c 0 "$BIN/$1" "$PORT" >/dev/null 2>&1 &
    server_pid=$!
    wait_for_server "$1" /echo
}

resident_kb() {
    awk '/^VmRSS/ { print $2 }' "/proc/$server_pid/status"
}

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

warn_if_cpus_busy
declare -A RATE P50 P99
echo "echo: $CONNECTIONS sockets, ${DURATION}s a run, $ROUNDS rounds"
for round in $(seq "$ROUNDS"); do
    for i in "${!SERVERS[@]}"; do
        server=${SERVERS[$(((i + round - 1) % ${#SERVERS[@]}))]}
        start_server "$server"
        result=$(taskset -c 1 "$BIN/ws_load" echo "$PORT" "$CONNECTIONS" "$DURATION")
        stop_server
        read -r rate p50 p99 < <(awk -F'[ =]' '{ print $2, $4, $6 }' <<<"$result")
        RATE[$server]+="$rate "
        P50[$server]+="$p50 "
        P99[$server]+="$p99 "
        printf 'round %s  %-10s %8s round trips/s  p50 %5s us  p99 %5s us\n' \
            "$round" "$server" "$rate" "$p50" "$p99"
    done
done

echo
echo "idle: $IDLE sockets"
declare -A PER_SOCKET
for server in "${SERVERS[@]}"; do
    start_server "$server"
    taskset -c 1 "$BIN/ws_load" echo "$PORT" 1 1 >/dev/null
    before=$(resident_kb)
    fifo=$(mktemp -u)
    mkfifo "$fifo"
    taskset -c 1 "$BIN/ws_load" idle "$PORT" "$IDLE" 10 >"$fifo" &
    load_pid=$!
    read -r opened <"$fifo"
    rm -f "$fifo"
    [[ $opened == open ]] || die "$server: the idle sockets did not open"
    sleep 2
    after=$(resident_kb)
    wait "$load_pid" || true
    load_pid=
    stop_server
    PER_SOCKET[$server]=$(((after - before) * 1024 / IDLE))
    printf '%-10s %6s kB before, %7s kB with %s sockets: %s bytes a socket\n' \
        "$server" "$before" "$after" "$IDLE" "${PER_SOCKET[$server]}"
done

echo
echo "medians of $ROUNDS rounds"
printf '%-10s %14s %8s %8s %16s\n' server "round trips/s" "p50 us" "p99 us" "bytes/idle socket"
for server in "${SERVERS[@]}"; do
    printf '%-10s %14s %8s %8s %16s\n' "$server" \
        "$(tr ' ' '\n' <<<"${RATE[$server]}" | grep . | median)" \
        "$(tr ' ' '\n' <<<"${P50[$server]}" | grep . | median)" \
        "$(tr ' ' '\n' <<<"${P99[$server]}" | grep . | median)" \
        "${PER_SOCKET[$server]}"
done
