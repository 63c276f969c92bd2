#!/usr/bin/env bash
# A whole app: flaskr in carafe (examples/flaskr) against Flask's own flaskr (the tutorial's code,
# in bench/flask_flaskr) served by gunicorn, on the same database; see bench/README.md.
#
#   bash bench/whole_app.sh                       # 3 rounds of 5 s per run, about 6 min
#   ROUNDS=1 DURATION=2 bash bench/whole_app.sh   # a quick smoke run
#   PROFILE=1 bash bench/whole_app.sh             # and then where carafe's time goes (perf)
#
# Each server runs on CPU 0 (gunicorn: one worker, THREADS threads), wrk on CPU 1, one thread.
# Loads (lua/flaskr.lua): the index (50 posts), a login (the right password, answered by a
# redirect), and a mixed load of MIX index requests to one login; each at every CONCURRENCY.
#
# Environment: ROUNDS (3), DURATION seconds (5), WARMUP seconds (1), PORT (18093),
# LOADS (index login mixed), CONCURRENCY (1 16 64), THREADS gunicorn's threads per worker (4),
# MIX (9), POSTS (50), ITERATIONS of the password's pbkdf2:sha256 hash (50000), PROFILE (0).
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
PORT=${PORT:-18093}
read -r -a LOADS <<<"${LOADS:-index login mixed}"
read -r -a CONCURRENCY <<<"${CONCURRENCY:-1 16 64}"
THREADS=${THREADS:-4}
MIX=${MIX:-9}
POSTS=${POSTS:-50}
ITERATIONS=${ITERATIONS:-50000}
PROFILE=${PROFILE:-0}
SERVER_CPU=0
CLIENT_CPU=1
# Flask's side, pinned so that a rerun measures the same code.
FLASK_VERSION=3.1.3
GUNICORN_VERSION=27.0.1
# The user both databases hold; letters and digits only (lua/flaskr.lua sends them as they are).
USERNAME=bench
PASSWORD=correcthorse

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
WORK=$BENCH/target/whole_app
VENV=$WORK/venv
URL=http://127.0.0.1:$PORT
SERVERS=(carafe flask)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$BENCH/lib.sh"

for load in "${LOADS[@]}"; do
    [[ $load =~ ^(index|login|mixed)$ ]] || die "unknown load $load: the loads are index, login and mixed"
done

if ! command -v wrk >/dev/null; then
    apt-get update && apt-get install -y wrk
fi
for tool in curl taskset python3 cargo getconf; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done
(($(nproc) > CLIENT_CPU)) || die "needs CPU $SERVER_CPU for the servers and CPU $CLIENT_CPU for wrk"
if ((PROFILE)) && ! command -v perf >/dev/null; then
    apt-get update && apt-get install -y linux-perf
fi

warn_if_cpus_busy

# --- Flask's flaskr, installed from bench/flask_flaskr into a virtual environment of its own,
# where it keeps its database in its instance folder, as the tutorial deploys it.
mkdir -p "$WORK"
if [[ ! -x $VENV/bin/pip ]]; then
    # Debian's python3 makes virtual environments only with python3-venv.
    python3 -c 'import ensurepip' 2>/dev/null || { apt-get update && apt-get install -y python3-venv; }
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet "flask==$FLASK_VERSION" "gunicorn==$GUNICORN_VERSION"
# Again every time, so that an edit of the vendored code is what runs.
"$VENV/bin/pip" install --quiet --force-reinstall --no-deps "$BENCH/flask_flaskr"
# Isolated (-I), and gunicorn in WORK below: a flaskr folder in the working one is not imported.
FLASK_DATABASE=$("$VENV/bin/python" -I -c 'from flaskr import create_app; print(create_app().config["DATABASE"])')

# --- carafe's flaskr: the release build of the example, run as its own process.
CARAFE_BIN=$(cargo build --release --example flaskr --manifest-path "$ROOT/Cargo.toml" \
    --message-format=json-render-diagnostics |
    python3 -c '
import json, sys
for line in sys.stdin:
    message = json.loads(line)
    if message.get("reason") == "compiler-artifact" and message["target"]["name"] == "flaskr" and message.get("executable"):
        print(message["executable"])')
[[ -x $CARAFE_BIN ]] || die "the build of examples/flaskr gave no executable"

tmp=$(mktemp -d)
server_pid=
trap 'stop_server; rm -rf "$tmp"' EXIT

# The database both start from, fresh for every run: the tutorial's schema, USERNAME with a
# Werkzeug pbkdf2:sha256 hash of PASSWORD, and POSTS posts (whole_app_db.py).
"$VENV/bin/python" "$BENCH/whole_app_db.py" "$BENCH/flask_flaskr/flaskr/schema.sql" "$tmp/seed.sqlite" \
    "$USERNAME" "$PASSWORD" "$ITERATIONS" "$POSTS"

# User + system CPU time of a process and of its children (gunicorn's worker), all their
# threads, in clock ticks.
cpu_ticks() {
    local pid stat fields total=0
    for pid in "$1" $(cat "/proc/$1/task/"*/children 2>/dev/null); do
        stat=$(<"/proc/$pid/stat") || continue
        # Fields after "pid (comm) ", which may hold spaces: utime and stime are fields 14 and
        # 15 of the whole line, so 12 and 13 of the rest.
        read -r -a fields <<<"${stat##*) }"
        total=$((total + fields[11] + fields[12]))
    done
    echo "$total"
}
CLK_TCK=$(getconf CLK_TCK)

# Copies the seeded database to $1, without the WAL files a run before left beside it.
fresh_database() {
    rm -f "$1" "$1-wal" "$1-shm" "$1-journal"
    cp "$tmp/seed.sqlite" "$1"
}

start_server() {
    ensure_port_free
    case $1 in
    carafe)
        fresh_database "$tmp/carafe.sqlite"
        # From the repository's root, where the example finds its templates and static files.
        # Access log off: gunicorn keeps none by default either.
        (cd "$ROOT" && DATABASE=$tmp/carafe.sqlite HOST=127.0.0.1 PORT=$PORT RUST_LOG=warn \
            CARAFE_SECRET_KEY=benchmark \
            exec taskset -c "$SERVER_CPU" "$CARAFE_BIN") >>"$tmp/carafe.log" 2>&1 &
        ;;
    flask)
        fresh_database "$FLASK_DATABASE"
        taskset -c "$SERVER_CPU" "$VENV/bin/gunicorn" --workers 1 --threads "$THREADS" \
            --bind "127.0.0.1:$PORT" --chdir "$WORK" 'flaskr:create_app()' >>"$tmp/flask.log" 2>&1 &
        ;;
    esac
    server_pid=$!
    wait_for_server "$1" / "$tmp/$1.log" 5
}

bench_wrk() { # duration concurrency load
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$2" -d"$1s" --timeout 10s -s "$BENCH/lua/flaskr.lua" "$URL" \
        -- "$3" "$USERNAME" "$PASSWORD" "$MIX"
}

# --- Preflight: both serve the index with every post and take the login, so that neither
# answers something cheaper (an error page, a refused login) in the runs.
declare -A PAGE_BYTES
for name in "${SERVERS[@]}"; do
    start_server "$name"
    curl -s -o "$tmp/index.html" -w '%{http_code}' "$URL/" >"$tmp/status"
    [[ $(<"$tmp/status") == 200 ]] || die "$name answers the index with $(<"$tmp/status")"
    posts=$(grep -c '<article class="post">' "$tmp/index.html" || true)
    ((posts == POSTS)) || die "$name's index shows $posts posts, not $POSTS"
    PAGE_BYTES[$name]=$(wc -c <"$tmp/index.html")
    login=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' \
        --data "username=$USERNAME&password=$PASSWORD" "$URL/auth/login")
    [[ $login == "302 $URL/" ]] || die "$name answers the login with $login, not a redirect to /"
    stop_server
done
echo "preflight: both show the $POSTS posts (carafe ${PAGE_BYTES[carafe]} bytes, Flask ${PAGE_BYTES[flask]})" \
    "and redirect the login"

# --- Rounds: each run on a server started afresh on a fresh copy of the database, the two
# servers of a load and concurrency side by side in time, the first one alternating by round.
mkdir -p "$BENCH/results"
results=$BENCH/results/whole_app-$(date -u +%Y%m%dT%H%M%SZ).tsv
printf 'round\tserver\tload\tconnections\trequests\trps\tp50_us\tp99_us\tfailed\tus_cpu_per_request\n' \
    >"$results"

value() { awk -v key="$1" '$1 == key { print $2 }' <<<"$out"; } # of lua/flaskr.lua's report

for round in $(seq "$ROUNDS"); do
    for load in "${LOADS[@]}"; do
        for connections in "${CONCURRENCY[@]}"; do
            for i in "${!SERVERS[@]}"; do
                name=${SERVERS[$(((i + round - 1) % ${#SERVERS[@]}))]}
                start_server "$name"
                bench_wrk "$WARMUP" "$connections" "$load" >/dev/null
                before=$(cpu_ticks "$server_pid")
                out=$(bench_wrk "$DURATION" "$connections" "$load")
                running "$server_pid" || die "$name died during $load at $connections connections"
                after=$(cpu_ticks "$server_pid")
                stop_server
                requests=$(value requests)
                [[ -n $requests && $requests -gt 0 ]] || die "no requests counted for $name $load: $out"
                us=$(awk -v t="$((after - before))" -v hz="$CLK_TCK" -v n="$requests" \
                    'BEGIN { printf "%.1f", t / hz / n * 1e6 }')
                printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$load" "$connections" \
                    "$requests" "$(value rps)" "$(value p50)" "$(value p99)" "$(value failed)" "$us" >>"$results"
                printf 'round %s/%s  %-6s %3s connections  %-6s %9s req/s  p99 %8.2f ms  %8s us CPU/req\n' \
                    "$round" "$ROUNDS" "$load" "$connections" "$name" "$(value rps)" \
                    "$(awk -v us="$(value p99)" 'BEGIN { print us / 1000 }')" "$us"
            done
        done
    done
done

# --- Report: medians over the rounds, and the median of each round's ratio carafe/Flask (the
# two ran side by side in time).
median() { # reads numbers, prints their median
    sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
column() { # column, server, load, connections: "round value" per round
    awk -F'\t' -v c="$1" -v s="$2" -v l="$3" -v n="$4" 'NR > 1 && $2 == s && $3 == l && $4 == n { print $1, $c }' \
        "$results" | sort -n
}
ratio_median() { # column, load, connections: median of the per-round ratios carafe/Flask
    join <(column "$1" carafe "$2" "$3") <(column "$1" flask "$2" "$3") | awk '{ print $2 / $3 }' | median
}

echo
echo "medians of $ROUNDS round(s) of ${DURATION}s; servers on CPU $SERVER_CPU (gunicorn: 1 worker," \
    "$THREADS threads), wrk on CPU $CLIENT_CPU; mixed = $MIX index requests to 1 login;" \
    "passwords: pbkdf2:sha256, $ITERATIONS iterations"
printf '%-7s %5s %12s %12s %7s %13s %13s %7s %13s %13s %7s\n' load conns "carafe req/s" "Flask req/s" \
    x "carafe p99 ms" "Flask p99 ms" x "carafe us CPU" "Flask us CPU" x
for load in "${LOADS[@]}"; do
    for connections in "${CONCURRENCY[@]}"; do
        awk -v load="$load" -v n="$connections" \
            -v crps="$(column 6 carafe "$load" "$connections" | cut -d' ' -f2 | median)" \
            -v frps="$(column 6 flask "$load" "$connections" | cut -d' ' -f2 | median)" \
            -v xrps="$(ratio_median 6 "$load" "$connections")" \
            -v cp99="$(column 8 carafe "$load" "$connections" | cut -d' ' -f2 | median)" \
            -v fp99="$(column 8 flask "$load" "$connections" | cut -d' ' -f2 | median)" \
            -v xp99="$(ratio_median 8 "$load" "$connections")" \
            -v ccpu="$(column 10 carafe "$load" "$connections" | cut -d' ' -f2 | median)" \
            -v fcpu="$(column 10 flask "$load" "$connections" | cut -d' ' -f2 | median)" \
            -v xcpu="$(ratio_median 10 "$load" "$connections")" \
            'BEGIN { printf "%-7s %5s %12.0f %12.0f %7.2f %13.2f %13.2f %7.3f %13.0f %13.0f %7.3f\n",
                     load, n, crps, frps, xrps, cp99 / 1000, fp99 / 1000, xp99, ccpu, fcpu, xcpu }'
    done
done
echo "x: median over the rounds of the ratio carafe/Flask in the same round; us CPU: the server's" \
    "user + system CPU time per request (gunicorn: master and worker)"
echo "raw results: $results"

# --- Profile: where carafe's CPU time goes on the index, by function (perf, user and kernel).
if ((PROFILE)); then
    start_server carafe
    bench_wrk "$WARMUP" 16 index >/dev/null
    bench_wrk "$((DURATION * 2))" 16 index >/dev/null &
    wrk_pid=$!
    perf record --quiet -F 2000 -p "$server_pid" -o "$tmp/perf.data" -- sleep "$DURATION" 2>/dev/null
    wait "$wrk_pid"
    stop_server
    profile=$BENCH/results/whole_app-profile-$(date -u +%Y%m%dT%H%M%SZ).txt
    report() { # fields: the samples' shares, the largest first
        perf report --input "$tmp/perf.data" --stdio --no-children --quiet --percent-limit 0.5 \
            --fields "$1" 2>/dev/null | sed '/^$/d; s/[[:space:]]*$//'
    }
    {
        echo "carafe's flaskr on the index, 16 connections: CPU samples (perf, user and kernel)"
        echo "by binary:"
        report overhead,dso
        echo "by function (0.5 % and more):"
        report overhead,dso,sym
    } >"$profile"
    echo
    head -45 "$profile"
    echo "profile: $profile"
fi

exit_if_runs_failed "$results" "answers other than 2xx and 3xx, or socket errors" 9
