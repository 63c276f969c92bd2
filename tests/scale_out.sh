#!/usr/bin/env bash
# flaskr beyond one machine: three instances sharing one PostgreSQL database behind HAProxy
# (tests/scale_out/haproxy.cfg), on this machine, each on a port of its own.
#
#  1. A user's journey through HAProxy, each step on another instance than the one before:
#     registering on one, the flashed message read on the next, logging in, writing a post
#     with the session another instance signed, and finding it on the index.
#  2. A rolling restart under load: eight clients (half on keep-alive connections, half on a
#     new connection each request), logged in, reading the index and writing posts, while each
#     instance in turn is replaced by a new process on its port (SO_REUSEPORT): the new one
#     started and answering its health route, then the old one sent SIGTERM and awaited.
#     No request may fail, every post a client was told was created must be on the index once,
#     and every old process must exit 0.
#
# Installs Debian's haproxy first when it is missing, and postgresql through
# tests/support/postgres.sh. Everything it starts and writes is gone when it ends, whether it
# passes or not.
#
#   bash tests/scale_out.sh
#   SCALE_OUT_LOGS=/tmp/logs bash tests/scale_out.sh   # keeps every process's log there
set -euo pipefail
cd "$(dirname "$0")/.."

# The database the instances share: postgres (a throwaway server, tests/support/postgres.sh,
# as instances on several machines would share one), or sqlite (one file, which processes on
# one machine may share).
database=postgres

driver=tests/scale_out/driver.py

# Milliseconds on a clock that only moves forward within this run.
now_ms() {
  local microseconds=${EPOCHREALTIME/[.,]/}
  echo $((microseconds / 1000))
}

if ! command -v haproxy >/dev/null || ! command -v python3 >/dev/null; then
  packages=(haproxy)
  command -v python3 >/dev/null || packages+=(python3)
  echo "installing ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq "${packages[@]}" </dev/null >/dev/null; then
    apt-get update -qq </dev/null
    apt-get install -y -qq "${packages[@]}" </dev/null >/dev/null
  fi
fi

cargo build --quiet --example flaskr </dev/null
app=${CARGO_TARGET_DIR:-target}/debug/examples/flaskr
# The time taken is counted from here, the build left out.
began=$(now_ms)

dir=$(mktemp -d)
# Every flaskr process started and not yet seen to exit, the instance serving as number N
# (1 to 3), HAProxy, and the load's clients.
instances=
declare -a serving=()
balancer=
load=
postgres_port=
# shellcheck disable=SC2317 # run by the trap
cleanup() {
  local status=$?
  # Every step runs, whatever the one before it returned (grep finding nothing among them).
  set +e
  # The instances are killed rather than asked to drain: their data is thrown away.
  for pid in $instances; do
    kill -KILL "$pid" 2>/dev/null
  done
  for pid in $balancer $load; do
    kill "$pid" 2>/dev/null
  done
  for pid in $instances $balancer $load; do
    wait "$pid" 2>/dev/null
  done
  if [ -n "$postgres_port" ]; then
    bash tests/support/postgres.sh stop "$postgres_port"
  fi
  if [ "$status" -ne 0 ]; then
    # The instances' own lines (starting, draining, errors), not their access lines; and
    # HAProxy's lines for requests that did not end well, and its servers going up or down.
    for log in "$dir"/flaskr*.log "$dir"/haproxy.log; do
      if [ -s "$log" ]; then
        echo "--- the last lines of $(basename "$log"):" >&2
        grep -Ev ' INFO carafe::access: | [23][0-9]{2} [0-9]+ - - ---- ' "$log" | tail -n 15 >&2
      fi
    done
  fi
  if [ -n "${SCALE_OUT_LOGS:-}" ]; then
    mkdir -p "$SCALE_OUT_LOGS"
    cp "$dir"/*.log "$SCALE_OUT_LOGS"/ 2>/dev/null
  fi
  rm -rf "$dir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# announced: waits for a process to write its address (tests/support/announced.sh).
. tests/support/announced.sh

# Sets DATABASE or DATABASE_URL, which flaskr reads, to a fresh database.
start_database() {
  case $database in
    sqlite)
      export DATABASE=$dir/flaskr.sqlite
      echo "SQLite in $DATABASE"
      ;;
    postgres)
      postgres_port=$(python3 "$driver" free-ports 1)
      local admin
      admin=$(bash tests/support/postgres.sh start "$postgres_port")
      psql "$admin" --quiet --command 'CREATE DATABASE flaskr' </dev/null
      export DATABASE_URL=${admin%/*}/flaskr
      echo "PostgreSQL at $DATABASE_URL"
      ;;
  esac
  "$app" init-db </dev/null >/dev/null
}

# What every instance is told, from the environment: the same secret key on all (any one reads
# the session cookie another signed), the health route HAProxy checks, two seconds of draining
# after SIGTERM (HAProxy's checks, every half second, need about one to see the 503), the port
# shared with the next instance during a restart, and HAProxy's X-Forwarded-* headers trusted.
export HOST=127.0.0.1
export CARAFE_SECRET_KEY
CARAFE_SECRET_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export CARAFE_HEALTH_ROUTE=/healthz CARAFE_DRAIN_DELAY=2s CARAFE_SHUTDOWN_GRACE=10s
export CARAFE_REUSE_PORT=1 CARAFE_TRUSTED_PROXIES=1

# Starts instance $1 on port $2 (0: one the OS picks) and waits until it answers its health
# route; sets `started` to its process id and `port` to its port. Each process logs to a file
# of its own, so that its access lines show which process answered.
generation=0
start_instance() {
  local number=$1 log address
  generation=$((generation + 1))
  log=$dir/flaskr$number.$generation.log
  PORT=$2 "$app" </dev/null >"$log" 2>&1 &
  started=$!
  instances+=" $started"
  address=$(announced "flaskr$number" "$started" "$log" 'http://127\.0\.0\.1:[0-9]+')
  port=${address##*:}
  python3 "$driver" wait-healthy "$port" "$log"
}

# Waits up to 20 s for the process $1, a flaskr instance sent SIGTERM, to exit; fails unless
# it exits with status 0.
exited_cleanly() {
  local pid=$1 status=0
  for _ in $(seq 200); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "FAIL process $pid did not exit within 20 s of SIGTERM" >&2
    return 1
  fi
  wait "$pid" || status=$?
  local others='' other
  for other in $instances; do
    [ "$other" = "$pid" ] || others+=" $other"
  done
  instances=$others
  if [ "$status" -ne 0 ]; then
    echo "FAIL process $pid exited with status $status" >&2
    return 1
  fi
}

start_database
declare -a ports=()
for number in 1 2 3; do
  start_instance "$number" 0
  serving[number]=$started
  ports[number]=$port
  echo "flaskr$number on 127.0.0.1:$port (process $started)"
done

balancer_port=$(python3 "$driver" free-ports 1)
LISTEN=127.0.0.1:$balancer_port FLASKR1=127.0.0.1:${ports[1]} FLASKR2=127.0.0.1:${ports[2]} \
  FLASKR3=127.0.0.1:${ports[3]} haproxy -db -f tests/scale_out/haproxy.cfg \
  </dev/null >"$dir/haproxy.log" 2>&1 &
balancer=$!
url=http://127.0.0.1:$balancer_port
python3 "$driver" wait-healthy "$balancer_port"
echo "HAProxy on $url"

failed=0

echo "the journey, through HAProxy:"
python3 "$driver" journey "$url" </dev/null || failed=1

echo "the rolling restart, under load:"
python3 "$driver" load "$url" </dev/null >"$dir/load.log" 2>&1 &
load=$!
announced load "$load" "$dir/load.log" 'load running' >/dev/null
# A second of load before the first restart, and after the last.
sleep 1
for number in 1 2 3; do
  restart_began=$(now_ms)
  old=${serving[number]}
  start_instance "$number" "${ports[number]}"
  serving[number]=$started
  ready=$(now_ms)
  kill -TERM "$old"
  exited_cleanly "$old" || failed=1
  echo "  flaskr$number: process $started answering after $((ready - restart_began)) ms," \
    "process $old gone $(($(now_ms) - ready)) ms after SIGTERM"
done
sleep 1
kill -USR1 "$load"
wait "$load" || failed=1
load=
grep -v '^load running' "$dir/load.log"

kill -0 "$balancer" || {
  echo "FAIL HAProxy exited" >&2
  failed=1
}
# In HAProxy's log line, the retries are the last of the five connection counts (1/1/0/0/+1:
# retried once, on another server), the field before the two queue counts.
retried=$(awk '{
  for (i = 1; i < NF; i++)
    if ($i ~ /^[0-9]+\/[0-9]+\/[0-9]+\/[0-9]+\/\+?[0-9]+$/ && $(i + 1) ~ /^[0-9]+\/[0-9]+$/) {
      n = $i; sub(/.*\//, "", n); sub(/\+/, "", n)
      if (n + 0 > 0) count++
    }
} END { print count + 0 }' "$dir/haproxy.log")
# A new instance takes the health checks of the one it replaces, so HAProxy need never see
# an instance down.
downs=$(grep -c ' is DOWN' "$dir/haproxy.log" || true)
echo "HAProxy sent $retried requests again after a failed attempt," \
  "and saw $downs instances go down"

seconds=$((($(now_ms) - began + 500) / 1000))
if [ "$failed" -ne 0 ]; then
  echo "FAIL after ${seconds}s"
  exit 1
fi
echo "PASS in ${seconds}s"
