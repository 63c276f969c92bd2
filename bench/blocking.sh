#!/usr/bin/env bash
# Plain handlers that block (issue 27): how long a cheap request waits while other clients keep
# a server's plain handlers busy sleeping or hashing, on carafe, axum and Flask; see
# bench/README.md.
#
#   bash bench/blocking.sh                       # 3 rounds of 10 s per scenario, about 6 min
#   ROUNDS=1 DURATION=3 bash bench/blocking.sh   # a quick smoke run
#
# Environment: ROUNDS (3), DURATION in seconds (10), PORT (18090), SERVERS (all below),
# WORKERS worker threads of the Rust servers (2).
set -euo pipefail

# The servers, each serving GET /cheap, /sleep and /hash with the same bytes: carafe's and
# axum's from bench/src/bin/blocking_<name>.rs, Flask's from flask/blocking_app.py.
ALL_SERVERS=(carafe axum flask)

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
PORT=${PORT:-18090}
# Both cores, as the Flask server's threads use them: a server on one worker would show only
# that one thread blocks, not that two slow handlers stall a two-core machine.
export WORKERS=${WORKERS:-2}
# The scenarios: the cheap route alone, then beside SLEEP_CLIENTS clients looping on a handler
# that sleeps 50 ms (at best 16 / 0.05 s = 320 answers a second), then beside HASH_CLIENTS
# looping on one that computes for about 20 ms (at best 2 cores / 20 ms = 100 a second).
SCENARIOS=(alone sleep hash)
declare -A LOAD_CLIENTS=([sleep]=16 [hash]=4)
# Seconds the load runs before the cheap client starts and after it stops, so the cheap route
# is measured beside a load in its steady state only.
LEAD=1

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=$BENCH/target/release
VENV=$BENCH/target/flask-venv
URL=http://127.0.0.1:$PORT
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$BENCH/lib.sh"

read -r -a servers <<<"${SERVERS:-${ALL_SERVERS[*]}}"
for name in "${servers[@]}"; do
    [[ " ${ALL_SERVERS[*]} " == *" $name "* ]] || die "unknown server $name: the servers are ${ALL_SERVERS[*]}"
done

if ! command -v wrk >/dev/null; then
    apt-get update && apt-get install -y wrk
fi
for tool in curl python3; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done
warn_if_cpus_busy

cargo build --release --manifest-path "$BENCH/Cargo.toml" --bin blocking_carafe --bin blocking_axum
# Flask from PyPI in a virtual environment of its own, made once, so that a fresh machine
# needs only python3 (Debian's also needs python3-venv for `-m venv`).
if [[ " ${servers[*]} " == *" flask "* ]] && ! "$VENV/bin/python" -c 'import flask' 2>/dev/null; then
    if ! python3 -c 'import ensurepip' 2>/dev/null; then
        apt-get update && apt-get install -y python3-venv
    fi
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet flask
fi

# The pid of the one server this script is running, which is all it stops.
server_pid=
tmp=$(mktemp -d)
trap 'stop_server; rm -rf "$tmp"' EXIT

start_server() {
    ensure_port_free
    local command=("$BIN/blocking_$1" "$PORT")
    [[ $1 != flask ]] || command=("$VENV/bin/python" "$BENCH/flask/blocking_app.py" "$PORT")
    "${command[@]}" >"$tmp/$1.log" 2>&1 &
    server_pid=$!
    wait_for_server "$1" /cheap "$tmp/$1.log"
}

# --- Preflight: every server answers each route with the first one's status line, content
# type and body (the hash's hex tells that they computed the same key); and the time of one
# /hash alone, the median of five, tells how long the handler computes on each.
transcript() {
    for path in /cheap /sleep /hash; do
        echo "> GET $path"
        curl -s -D "$tmp/head" -o "$tmp/body" "$URL$path" || die "curl failed on $path"
        tr -d '\r' <"$tmp/head" | sed -n 1p
        tr -d '\r' <"$tmp/head" | grep -i '^content-type:' | tr '[:upper:]' '[:lower:]'
        cat "$tmp/body"
        echo
    done
}
median() { # reads numbers, prints their median
    sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

echo "preflight: comparing the servers' answers"
for name in "${servers[@]}"; do
    start_server "$name"
    transcript >"$tmp/$name.txt"
    hash_ms=$(for _ in 1 2 3 4 5; do curl -s -o /dev/null -w '%{time_total}\n' "$URL/hash"; done |
        median | awk '{ printf "%.1f", $1 * 1000 }')
    stop_server
    if ! diff -u "$tmp/${servers[0]}.txt" "$tmp/$name.txt" >"$tmp/diff"; then
        cat "$tmp/diff" >&2
        die "$name answers differently from ${servers[0]} (diff above)"
    fi
    echo "preflight: $name answers the same; one /hash alone takes $hash_ms ms"
done
if [[ " ${servers[*]} " == *" flask "* ]]; then
    echo "Flask $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("flask"))')" \
        "on $("$VENV/bin/python" --version)"
fi

# --- Rounds: in each round every server in turn (the first one rotating from round to round)
# is started once and runs the three scenarios. Nothing is pinned: the servers use both cores,
# and the clients share them, as they would on a small machine serving its own users.
mkdir -p "$BENCH/results"
results=$BENCH/results/blocking-$(date -u +%Y%m%dT%H%M%SZ).tsv
commit=$(git -C "$BENCH" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$BENCH" status --porcelain 2>/dev/null) ]]; then
    commit=$commit-dirty
fi
printf 'commit\tround\tserver\tscenario\tload_clients\tcheap_requests\tcheap_rps\tcheap_p50_us\tcheap_p99_us\tcheap_p999_us\tload_requests\tload_rps\terrors\n' >"$results"

# Errors wrk reports in its output $1: non-2xx answers and socket errors (timeouts included).
wrk_errors() {
    awk '/Non-2xx or 3xx responses:/ { n += $NF }
         /Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 }
         END { print n + 0 }' "$1"
}

run_scenario() { # round server scenario: one line of results
    local round=$1 name=$2 scenario=$3 clients=0 load_pid=
    if [[ $scenario != alone ]]; then
        clients=${LOAD_CLIENTS[$scenario]}
        wrk -t1 -c"$clients" -d"$((DURATION + 2 * LEAD))s" --timeout 10s "$URL/$scenario" >"$tmp/load" &
        load_pid=$!
        sleep "$LEAD"
    fi
    # One connection, each request sent when the last one is answered: the wait a user sees.
    wrk -t1 -c1 -d"${DURATION}s" --timeout 10s -s "$BENCH/lua/latency.lua" "$URL/cheap" >"$tmp/cheap"
    local load_requests=0 load_rps=0 errors
    errors=$(wrk_errors "$tmp/cheap")
    if [[ -n $load_pid ]]; then
        wait "$load_pid" || die "wrk on /$scenario failed: $(cat "$tmp/load")"
        load_requests=$(awk '/ requests in /{ print $1 }' "$tmp/load")
        load_rps=$(awk '/^Requests\/sec:/{ print $2 }' "$tmp/load")
        errors=$((errors + $(wrk_errors "$tmp/load")))
    fi
    running "$server_pid" || die "$name died during $scenario"
    local requests rps p50 p99 p999
    requests=$(awk '/ requests in /{ print $1 }' "$tmp/cheap")
    rps=$(awk '/^Requests\/sec:/{ print $2 }' "$tmp/cheap")
    p50=$(awk '$1 == "p50" { print $2 }' "$tmp/cheap")
    p99=$(awk '$1 == "p99" { print $2 }' "$tmp/cheap")
    p999=$(awk '$1 == "p99.9" { print $2 }' "$tmp/cheap")
    [[ -n $p99 && ${requests:-0} -gt 0 ]] || die "no cheap requests counted for $name $scenario: $(cat "$tmp/cheap")"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$commit" "$round" "$name" "$scenario" \
        "$clients" "$requests" "$rps" "$p50" "$p99" "$p999" "$load_requests" "$load_rps" "$errors" >>"$results"
    printf 'round %s/%s  %-6s %-5s  /cheap p50 %8.2f ms  p99 %8.2f ms  load %7.1f req/s\n' "$round" "$ROUNDS" \
        "$name" "$scenario" "$(awk -v u="$p50" 'BEGIN { print u / 1000 }')" \
        "$(awk -v u="$p99" 'BEGIN { print u / 1000 }')" "$load_rps"
}

for round in $(seq "$ROUNDS"); do
    for i in "${!servers[@]}"; do
        name=${servers[$(((i + round - 1) % ${#servers[@]}))]}
        start_server "$name"
        for scenario in "${SCENARIOS[@]}"; do
            run_scenario "$round" "$name" "$scenario"
            # The last load's handlers finish and its connections close before the next.
            sleep 1
        done
        stop_server
    done
done

# --- Report: medians over the rounds, as a Markdown table.
column() { # column of the results, server, scenario: one value per round
    awk -F'\t' -v c="$1" -v s="$2" -v sc="$3" 'NR > 1 && $3 == s && $4 == sc { print $c }' "$results"
}
declare -A BESIDE=([alone]=nothing [sleep]="${LOAD_CLIENTS[sleep]} x /sleep" [hash]="${LOAD_CLIENTS[hash]} x /hash")

echo
echo "medians of $ROUNDS round(s) of ${DURATION} s, WORKERS=$WORKERS, nothing pinned; /cheap by one" \
    "client in a closed loop; /sleep sleeps 50 ms, /hash is $(awk '/HASH_ROUNDS: u32/ { print $NF }' \
        "$BENCH/src/blocking.rs" | tr -d '_;') rounds of PBKDF2-HMAC-SHA256; commit $commit"
echo "| server | beside | /cheap p50 (ms) | /cheap p99 (ms) | /cheap req/s | load req/s |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
for name in "${servers[@]}"; do
    for scenario in "${SCENARIOS[@]}"; do
        load='—'
        [[ $scenario == alone ]] || load=$(column 12 "$name" "$scenario" | median | awk '{ printf "%.0f", $1 }')
        awk -v name="$name" -v beside="${BESIDE[$scenario]}" -v load="$load" \
            -v p50="$(column 8 "$name" "$scenario" | median)" -v p99="$(column 9 "$name" "$scenario" | median)" \
            -v rps="$(column 7 "$name" "$scenario" | median)" \
            'BEGIN { printf "| %s | %s | %.2f | %.2f | %.0f | %s |\n", name, beside, p50 / 1000, p99 / 1000, rps, load }'
    done
done
echo "raw results: $results"

exit_if_runs_failed "$results" "non-2xx answers or socket errors" 13
