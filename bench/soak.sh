#!/usr/bin/env bash
# A soak of carafe's server (src/bin/soak_server.rs); not part of CI.
#
#   bash bench/soak.sh               # 10 minutes
#   MINUTES=1 bash bench/soak.sh     # a quick smoke run
#
# For MINUTES minutes, at saturation: wrk on the four well-formed routes (lua/soak.lua), 1,000
# idle connections, and a trickle of malformed requests, panics and aborts
# (soak_clients.py). Each minute it prints the server's resident memory and open descriptors.
# It fails when either keeps growing (the second half's lowest sample above the first half's
# highest by more than 10 % of memory, or 50 descriptors), when a well-formed request fails
# (a socket error or a status other than 2xx), or when a hostile request gets a wrong answer.
#
# Environment: MINUTES (10), PORT (18090), IDLE connections (1000), CONNECTIONS for wrk (64).
set -euo pipefail

MINUTES=${MINUTES:-10}
PORT=${PORT:-18090}
IDLE=${IDLE:-1000}
CONNECTIONS=${CONNECTIONS:-64}
SERVER_CPU=0
CLIENT_CPU=1

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
URL=http://127.0.0.1:$PORT
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$BENCH/lib.sh"

if ! command -v wrk >/dev/null; then
    apt-get update && apt-get install -y wrk
fi
for tool in curl taskset python3; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done
(($(ulimit -n) > IDLE + CONNECTIONS + 100)) || ulimit -n $((IDLE + CONNECTIONS + 1024))

cargo build --release --manifest-path "$BENCH/Cargo.toml" --bin soak_server

tmp=$(mktemp -d)
server_pid=
clients_pid=
cleanup() {
    [[ -z $clients_pid ]] || kill "$clients_pid" 2>/dev/null || true
    [[ -z $server_pid ]] || kill "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

ensure_port_free
# The panics are on purpose: their messages go to a file, not over the report.
taskset -c "$SERVER_CPU" "$BENCH/target/release/soak_server" "$PORT" 2>"$tmp/server.log" &
server_pid=$!
for _ in $(seq 100); do
    curl -s -o /dev/null "$URL/plaintext" && break
    sleep 0.1
done
curl -s -o /dev/null "$URL/plaintext" || die "soak_server did not answer on port $PORT"

# The clients outlast wrk's last minute by half a minute, so that every sample is taken with
# the idle connections open.
taskset -c "$CLIENT_CPU" python3 "$BENCH/soak_clients.py" "$PORT" $((MINUTES * 60 + 30)) "$IDLE" &
clients_pid=$!

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status"; }
descriptors() { find "/proc/$server_pid/fd" -mindepth 1 -maxdepth 1 | wc -l; }

rss=()
fds=()
failed=0
printf '%-7s %12s %10s %10s %10s %12s\n' minute requests non_2xx sock_err rss_kib descriptors
for minute in $(seq "$MINUTES"); do
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d60s -s "$BENCH/lua/soak.lua" "$URL" >"$tmp/wrk" 2>&1 ||
        die "wrk failed: $(cat "$tmp/wrk")"
    requests=$(awk '/requests in/ { print $1 }' "$tmp/wrk")
    non_2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$tmp/wrk")
    socket_errors=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$tmp/wrk")
    non_2xx=${non_2xx:-0}
    socket_errors=${socket_errors:-0}
    rss+=("$(rss_kib)")
    fds+=("$(descriptors)")
    printf '%-7s %12s %10s %10s %10s %12s\n' "$minute" "$requests" "$non_2xx" "$socket_errors" \
        "${rss[-1]}" "${fds[-1]}"
    if ((non_2xx + socket_errors > 0)); then
        echo "well-formed requests failed in minute $minute:" >&2
        cat "$tmp/wrk" >&2
        failed=1
    fi
done

wait "$clients_pid" || failed=1
clients_pid=
grep -c 'panicked' "$tmp/server.log" | xargs printf 'server: %s panics logged (on purpose)\n'

# Growth: the second half's lowest sample against the first half's highest.
half=$((MINUTES / 2))
if ((half >= 1)); then
    first_rss=$(printf '%s\n' "${rss[@]:0:half}" | sort -n | tail -1)
    second_rss=$(printf '%s\n' "${rss[@]:half}" | sort -n | head -1)
    first_fds=$(printf '%s\n' "${fds[@]:0:half}" | sort -n | tail -1)
    second_fds=$(printf '%s\n' "${fds[@]:half}" | sort -n | head -1)
    echo "memory: first half at most $first_rss KiB, second half at least $second_rss KiB"
    echo "descriptors: first half at most $first_fds, second half at least $second_fds"
    if ((second_rss * 10 > first_rss * 11)); then
        echo "memory keeps growing" >&2
        failed=1
    fi
    if ((second_fds > first_fds + 50)); then
        echo "descriptors keep growing" >&2
        failed=1
    fi
fi

if ((failed)); then
    echo "soak: FAILED" >&2
    exit 1
fi
echo "soak: passed"
