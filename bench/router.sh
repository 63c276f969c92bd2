#!/usr/bin/env bash
# Runs the router benchmark (benches/router.rs) in alternating rounds and prints, for hits and
# misses, the median over the rounds of carafe's time divided by matchit's. A machine whose speed
# drifts from one minute to the next skews one criterion run; the ratios of neighbouring runs,
# alternated and taken at the median, do not drift with it. See bench/README.md.
#
#   bash bench/router.sh              # 5 rounds, 3 s of measurement per function and round
#   ROUNDS=9 SECONDS_EACH=5 bash bench/router.sh
#
# Then it times the two routers in alternation, a pass over the paths each, for
# INTERLEAVED_SECONDS (10) per kind, and prints the median ratio of neighbouring passes.
# Then, when valgrind is installed, it counts the instructions per lookup of each router under
# callgrind, which does not drift at all (COUNT_ROUNDS passes over the paths, 20 by default).
set -euo pipefail

ROUNDS=${ROUNDS:-5}
COUNT_ROUNDS=${COUNT_ROUNDS:-20}
SECONDS_EACH=${SECONDS_EACH:-3}
INTERLEAVED_SECONDS=${INTERLEAVED_SECONDS:-10}
CPU=${CPU:-0}

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$BENCH"
EXECUTABLE=$(cargo bench --bench router --no-run --message-format=json |
    python3 -c 'import json, sys
for line in sys.stdin:
    message = json.loads(line)
    if message.get("target", {}).get("name") == "router" and message.get("executable"):
        print(message["executable"])')

# The median time per iteration, in ns, of one function, from criterion's own estimate.
median_ns() {
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["median"]["point_estimate"])' \
        "target/criterion/$1/new/estimates.json"
}

# One process runs both routers of a kind, so that they share its memory layout; the order
# alternates from round to round, so that neither always meets the same drift.
run() {
    local kind=$1 round=$2
    if ((round % 2)); then unset ROUTER_MATCHIT_FIRST; else export ROUTER_MATCHIT_FIRST=1; fi
    taskset -c "$CPU" "$EXECUTABLE" --bench --warm-up-time 1 \
        --measurement-time "$SECONDS_EACH" --noplot "^router/$kind/" >/dev/null 2>&1
}

declare -A ratios
for round in $(seq "$ROUNDS"); do
    for kind in hit miss; do
        run "$kind" "$round"
        carafe=$(median_ns "router_$kind/carafe")
        matchit=$(median_ns "router_$kind/matchit")
        ratio=$(python3 -c "print(f'{$carafe / $matchit:.3f}')")
        printf 'round %d/%d  %-4s  carafe %9.0f ns  matchit %9.0f ns  ratio %s\n' \
            "$round" "$ROUNDS" "$kind" "$carafe" "$matchit" "$ratio"
        ratios[$kind]+="$ratio "
    done
done

for kind in hit miss; do
    # shellcheck disable=SC2086 # one argument per round's ratio
    python3 -c 'import statistics, sys; r = [float(x) for x in sys.argv[2:]]
print(f"{sys.argv[1]:<4}  median carafe/matchit {statistics.median(r):.3f}  (rounds: {min(r):.3f} to {max(r):.3f})")' \
        "$kind" ${ratios[$kind]}
done

# The two routers in alternation, one pass over the paths each, for INTERLEAVED_SECONDS: the
# machine's drift, which moves the criterion rounds above, hits both passes of a pair alike.
for kind in hit miss; do
    ROUTER_INTERLEAVED="$kind $INTERLEAVED_SECONDS" taskset -c "$CPU" "$EXECUTABLE"
done

if ! command -v valgrind >/dev/null; then
    echo "valgrind is not installed: no instruction counts"
    exit 0
fi
for kind in hit miss; do
    profile=$(mktemp)
    lookups=$(ROUTER_INSTRUCTIONS="$kind $COUNT_ROUNDS" valgrind --tool=callgrind \
        --callgrind-out-file="$profile" "$EXECUTABLE" 2>/dev/null | awk '/lookups per router/ { print $4 }')
    # Inclusive instructions of the two functions that hold the lookup loops.
    callgrind_annotate --inclusive=yes --threshold=100 "$profile" | python3 -c '
import re, sys
kind, lookups = sys.argv[1], int(sys.argv[2])
counts = {}
for line in sys.stdin:
    found = re.match(r"\s*([\d,]+) .*:router::(carafe|matchit)_lookups ", line)
    if found:
        counts[found.group(2)] = int(found.group(1).replace(",", "")) / lookups
carafe, matchit = counts["carafe"], counts["matchit"]
print(f"{kind:<4}  instructions per lookup: carafe {carafe:.0f}, matchit {matchit:.0f}, ratio {carafe / matchit:.3f}")' \
        "$kind" "$lookups"
    rm -f "$profile"
done
