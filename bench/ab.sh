#!/usr/bin/env bash
# Two servers alone, in alternation, on one route: for differences smaller than what the
# machine's drift does to a full run.sh. Each round starts A then B (B then A every other
# round), each pinned to CPU 0 with wrk on CPU 1, warms it up with the measured load, then
# measures it. Prints each round, then the medians and the median of the per-round ratios.
#
#   bash bench/ab.sh actix_peer carafe_peer                # pipelined /plaintext
#   ROUTE=/items/1 PIPELINE=0 bash bench/ab.sh hyper_raw carafe_peer
#
# ROUNDS (10), DURATION seconds (6), ROUTE (/plaintext), PIPELINE depth (16; 0 for none).
# The servers are the release binaries of bench/target; build them first (run.sh does).
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: bash bench/ab.sh SERVER_A SERVER_B" >&2; exit 2; }
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROUNDS=${ROUNDS:-10} DURATION=${DURATION:-6} ROUTE=${ROUTE:-/plaintext} PIPELINE=${PIPELINE:-16}
PORT=${PORT:-18555}
if ((PIPELINE > 0)); then
    load=(-s "$BENCH/lua/pipeline.lua" "http://127.0.0.1:$PORT$ROUTE" -- "$PIPELINE")
else
    load=("http://127.0.0.1:$PORT$ROUTE")
fi
CLK_TCK=$(getconf CLK_TCK)
results=$(mktemp)
trap 'rm -f "$results"' EXIT

measure() { # server name: prints requests and ns of CPU per request
    local bin=$BENCH/target/release/$1 pid n before after
    [[ -x $bin ]] || { echo "no $bin: build it first" >&2; exit 1; }
    WORKERS=1 taskset -c 0 "$bin" "$PORT" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/plaintext" && break; sleep 0.1; done
    taskset -c 1 wrk -t1 -c64 -d1s "${load[@]}" >/dev/null
    before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    n=$(taskset -c 1 wrk -t1 -c64 -d"${DURATION}s" "${load[@]}" | awk '/ requests in /{print $1}')
    after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    echo "$n $(((after - before) * 1000000000 / CLK_TCK / n))"
}

for round in $(seq "$ROUNDS"); do
    order=("$1" "$2")
    ((round % 2)) || order=("$2" "$1")
    for server in "${order[@]}"; do
        read -r n ns < <(measure "$server")
        printf 'round %s  %-12s %10s requests %6s ns CPU/request\n' "$round" "$server" "$n" "$ns"
        printf '%s %s %s %s\n' "$round" "$server" "$n" "$ns" >>"$results"
    done
done

python3 - "$results" "$1" "$2" <<'PY'
import statistics as st, sys
path, a, b = sys.argv[1:]
rounds = {}
for line in open(path):
    r, server, n, ns = line.split()
    rounds.setdefault(r, {})[server] = (int(n), int(ns))
both = [v for v in rounds.values() if a in v and b in v]
for name in (a, b):
    print(f"{name}: median {st.median(v[name][0] for v in both):.0f} requests, "
          f"{st.median(v[name][1] for v in both):.0f} ns CPU/request")
req = [v[b][0] / v[a][0] for v in both]
cpu = [v[b][1] / v[a][1] for v in both]
print(f"{b}/{a}: requests {st.median(req):.3f} (ahead in {sum(x > 1 for x in req)} of {len(req)} rounds), "
      f"CPU per request {st.median(cpu):.3f}")
PY
