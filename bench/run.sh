#!/usr/bin/env bash
# Benchmarks the peers of bench/src/bin against each other; see bench/README.md.
#
#   bash bench/run.sh                      # 21 rounds of 3 s per route, about 35 min
#   ROUNDS=1 DURATION=2 bash bench/run.sh  # a quick smoke run
#
# Many short rounds because on a shared machine one run of a few seconds can be 15 % off
# (see the Rounds below): the median of 21 paired ratios holds still where that of 5 did not.
#
# Environment: ROUNDS (21), DURATION in seconds (3), WARMUP in seconds (1),
# WORKERS server worker threads (1), PORT (18080), SERVERS (all below),
# ROUTES (all below, e.g. ROUTES="json pipelined"), CONTROL (1: hyper_raw runs twice, the
# second time as the peer hyper_again; 0: once).
set -euo pipefail

# The peers, baseline first: each one is bench/src/bin/<name>.rs, and one
# whose source is missing is skipped with a message.
ALL_SERVERS=(hyper_raw axum_peer actix_peer rocket_peer carafe_peer)

ROUNDS=${ROUNDS:-21}
DURATION=${DURATION:-3}
WARMUP=${WARMUP:-1}
PORT=${PORT:-18080}
export WORKERS=${WORKERS:-1}
CONNECTIONS=64
PIPELINE_DEPTH=16
SERVER_CPU=0
CLIENT_CPU=1

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=$BENCH/target/release
URL=http://127.0.0.1:$PORT
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$BENCH/lib.sh"

# The routes: the path wrk loads and, for some, its script and arguments.
ALL_ROUTES=(plaintext json item post pipelined)
read -r -a ROUTES <<<"${ROUTES:-${ALL_ROUTES[*]}}"
declare -A ROUTE_PATH=(
    [plaintext]=/plaintext [json]=/json [item]=/items/1 [post]=/items [pipelined]=/plaintext
)
declare -A ROUTE_SCRIPT=(
    [post]="-s $BENCH/lua/post.lua"
    [pipelined]="-s $BENCH/lua/pipeline.lua -- $PIPELINE_DEPTH"
)
# The warm-up's load, where it differs from the measured one: its POSTs take
# ids of their own (see lua/post.lua), above those of every measured round.
declare -A WARMUP_SCRIPT=(
    [post]="-s $BENCH/lua/post.lua -- 500000000000"
)

for route in "${ROUTES[@]}"; do
    [[ -n ${ROUTE_PATH[$route]:-} ]] || die "unknown route $route: the routes are ${ALL_ROUTES[*]}"
done

servers=()
for name in ${SERVERS:-${ALL_SERVERS[*]}}; do
    if [[ -f $BENCH/src/bin/$name.rs ]]; then
        servers+=("$name")
    else
        echo "skipping $name: bench/src/bin/$name.rs does not exist yet"
    fi
done
[[ ${servers[0]:-} == hyper_raw ]] || die "hyper_raw must come first: it is the baseline of every ratio"
# The control: hyper_raw's binary once more, as a peer of its own. Its ratio to hyper_raw would
# be 1 on a steady machine; how far it strays is how far any other ratio can be trusted.
CONTROL=${CONTROL:-1}
((CONTROL)) && servers+=(hyper_again)
# The binary peer $1 runs.
binary_of() { if [[ $1 == hyper_again ]]; then echo "$BIN/hyper_raw"; else echo "$BIN/$1"; fi; }

if ! command -v wrk >/dev/null; then
    apt-get update && apt-get install -y wrk
fi
for tool in curl taskset getconf; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done
(($(nproc) > CLIENT_CPU)) || die "needs CPU $SERVER_CPU for the servers and CPU $CLIENT_CPU for wrk"
CLK_TCK=$(getconf CLK_TCK)
warn_if_cpus_busy

cargo build --release --manifest-path "$BENCH/Cargo.toml" --bins

# The pid of the one server the preflight is running, and those of the peers
# the rounds of a route run side by side: all that this script stops.
server_pid=
peer_pids=()
stop_peers() {
    local pid
    for pid in "${peer_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    peer_pids=()
}
tmp=$(mktemp -d)
trap 'stop_server; stop_peers; rm -rf "$tmp"' EXIT

start_server() {
    ensure_port_free
    taskset -c "$SERVER_CPU" "$(binary_of "$1")" "$PORT" &
    server_pid=$!
    wait_for_server "$1" /plaintext
}
# User + system CPU time of a process, all its threads, in clock ticks.
cpu_ticks() {
    local stat
    stat=$(<"/proc/$1/stat")
    # Fields after "pid (comm) ", which may hold spaces: utime and stime are
    # fields 14 and 15 of the whole line, so 12 and 13 of the rest.
    read -r -a fields <<<"${stat##*) }"
    echo $((fields[11] + fields[12]))
}

# --- Preflight: every peer must answer these requests with the bytes of
# hyper_raw: the same status line, headers (but Date and Connection) and body.
PREFLIGHT=(
    "GET /plaintext"
    "GET /json"
    "GET /items/1"
    "GET /items/2"
    "GET /items/3"
    "GET /items/apple"
    "GET /items/99999999999999999999"
    "GET /unknown"
    'POST /items {"id":3,"name":"cherry"}'
    "GET /items/3"
    'POST /items {"id":3,"name":"cherry"}'
    'POST /items {"id":1,"name":"apple"}'
    'POST /items {"id":4}'
    'POST /items {"id":4,"name":'
    'POST /items {"id":"4","name":"date"}'
    'POST /items [] text/plain'
)
transcript() {
    local method path body ctype
    for request in "${PREFLIGHT[@]}"; do
        read -r method path body ctype <<<"$request"
        echo "> $request"
        local args=(-s -X "$method" -D "$tmp/head" -o "$tmp/body")
        [[ -n $body ]] && args+=(-H "Content-Type: ${ctype:-application/json}" --data-raw "$body")
        curl "${args[@]}" "$URL$path" || die "curl failed on $request"
        tr -d '\r' <"$tmp/head" | sed -n 1p
        # Header names are case-insensitive and their order is free. Date
        # changes; Connection manages the connection, not the answer:
        # actix-web closes one whose request body it refused unread.
        tr -d '\r' <"$tmp/head" | sed -E '1d; /^$/d; s/^([^:]*):/\L\1:/' | grep -Ev '^(date|connection):' | sort
        cat "$tmp/body"
        echo
    done
}

echo "preflight: comparing every peer's answers with hyper_raw's"
for name in "${servers[@]}"; do
    start_server "$name"
    transcript >"$tmp/$name.txt"
    stop_server
    if ! diff -u "$tmp/hyper_raw.txt" "$tmp/$name.txt" >"$tmp/diff"; then
        cat "$tmp/diff" >&2
        die "$name answers differently from hyper_raw (diff above)"
    fi
done
echo "preflight: all ${#servers[@]} peers answer the same"

# --- Rounds: route by route, every peer is started at once, each pinned to
# CPU 0 on a port of its own (PORT + its index) and warmed up; then each round
# loads every peer in turn for DURATION seconds, the first one rotating. The
# idle peers wait in epoll and cost the loaded one nothing. This machine's
# speed changes from one ten seconds to the next (another tenant on the host):
# peers that alternate every few seconds without restarting are measured in
# the same weather, where peers restarted in turn for ten seconds each were
# often not (two runs of the same binary then differed by 15 % in one round).
mkdir -p "$BENCH/results"
results=$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ).tsv
printf 'round\tserver\troute\trequests\trps\tcpu_ticks\tclk_tck\tus_cpu_per_request\tnon_2xx\tsocket_errors\n' >"$results"

bench_wrk() { # duration url [wrk script arguments...]
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"$1s" "$2" "${@:3}"
}

# The wrk script and its arguments for a measured run of route $1 in round $2:
# each round's POSTs take ids of their own (lua/post.lua), since the same
# server takes every round, and the warm-up's above them all.
measured_script() { # route round
    case $1 in
    post) echo "${ROUTE_SCRIPT[post]} -- $(($2 * 1000000000))" ;;
    *) echo "${ROUTE_SCRIPT[$1]:-}" ;;
    esac
}

# The URL peer $1 (an index into servers) listens on during the rounds.
peer_url() { echo "http://127.0.0.1:$((PORT + $1))"; }

for route in "${ROUTES[@]}"; do
    for i in "${!servers[@]}"; do
        # lib.sh's checks work on URL and server_pid: pointed at this peer.
        URL=$(peer_url "$i")
        ensure_port_free
        taskset -c "$SERVER_CPU" "$(binary_of "${servers[$i]}")" "$((PORT + i))" &
        server_pid=$!
        peer_pids+=("$server_pid")
        wait_for_server "${servers[$i]}" /plaintext
        server_pid=
        # Not measured: the route's own load, so that the allocator, the
        # caches and the connections' buffers settle to it first.
        # shellcheck disable=SC2086 # the script arguments are words
        set -- ${WARMUP_SCRIPT[$route]:-${ROUTE_SCRIPT[$route]:-}}
        bench_wrk "$WARMUP" "$URL${ROUTE_PATH[$route]}" "$@" >/dev/null
    done
    for round in $(seq "$ROUNDS"); do
        for j in "${!servers[@]}"; do
            i=$(((j + round - 1) % ${#servers[@]}))
            name=${servers[$i]}
            pid=${peer_pids[$i]}
            # shellcheck disable=SC2046 # the script arguments are words
            set -- $(measured_script "$route" "$round")
            before=$(cpu_ticks "$pid")
            out=$(bench_wrk "$DURATION" "$(peer_url "$i")${ROUTE_PATH[$route]}" "$@")
            running "$pid" || die "$name died during $route"
            after=$(cpu_ticks "$pid")
            requests=$(awk '/ requests in /{print $1}' <<<"$out")
            rps=$(awk '/^Requests\/sec:/{print $2}' <<<"$out")
            non2xx=$(awk '/Non-2xx or 3xx responses:/{print $NF}' <<<"$out")
            errors=$(awk '/Socket errors:/{gsub(",", ""); print $4 + $6 + $8 + $10}' <<<"$out")
            [[ -n $requests && -n $rps && $requests -gt 0 ]] || die "no requests counted for $name $route: $out"
            ticks=$((after - before))
            us=$(awk -v t="$ticks" -v hz="$CLK_TCK" -v n="$requests" 'BEGIN { printf "%.3f", t / hz / n * 1e6 }')
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$route" "$requests" "$rps" \
                "$ticks" "$CLK_TCK" "$us" "${non2xx:-0}" "${errors:-0}" >>"$results"
            printf 'round %s/%s  %-9s %-11s %12s req/s %8s us CPU/req\n' "$round" "$ROUNDS" "$route" "$name" "$rps" "$us"
        done
    done
    stop_peers
done

# --- Report: medians over the rounds, and the median over the rounds of each
# round's ratio to hyper_raw (the peers of one round ran side by side in time).
median() { # reads numbers, prints their median
    sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
column() { # column of the results, server, route: one value per round
    awk -F'\t' -v c="$1" -v s="$2" -v r="$3" 'NR > 1 && $2 == s && $3 == r { print $1, $c }' "$results" | sort -n
}
ratio_median() { # column, server, route: median of the per-round ratios to hyper_raw
    join <(column "$1" "$2" "$3") <(column "$1" hyper_raw "$3") | awk '{ print $2 / $3 }' | median
}

echo
echo "medians of $ROUNDS round(s) of ${DURATION}s, $CONNECTIONS connections, WORKERS=$WORKERS," \
    "server on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU; pipelined = /plaintext, $PIPELINE_DEPTH deep"
echo "x_hyper: median over the rounds of the ratio to hyper_raw in the same round"
((CONTROL)) && echo "hyper_again: hyper_raw's binary again, the control: its x_hyper is this run's noise"
printf '%-10s %-12s %12s %9s %12s %9s\n' route server req/s x_hyper "us CPU/req" x_hyper
for route in "${ROUTES[@]}"; do
    for name in "${servers[@]}"; do
        rps=$(column 5 "$name" "$route" | cut -d' ' -f2 | median)
        us=$(column 8 "$name" "$route" | cut -d' ' -f2 | median)
        awk -v route="$route" -v name="$name" -v rps="$rps" -v us="$us" \
            -v xrps="$(ratio_median 5 "$name" "$route")" -v xus="$(ratio_median 8 "$name" "$route")" \
            'BEGIN { printf "%-10s %-12s %12.0f %9.3f %12.3f %9.3f\n", route, name, rps, xrps, us, xus }'
    done
done
echo "raw results: $results"

exit_if_runs_failed "$results" "non-2xx answers or socket errors" 9 10
