#!/usr/bin/env bash
# flaskr in a real browser: builds the example, serves it on a fresh database, starts
# chromedriver with headless Chromium, and runs tests/browser/flaskr.py against both.
# Installs Debian's chromium and chromium-driver first when chromedriver is missing.
# Everything it starts and writes is gone when it ends, whether it passes or not.
#
#   bash tests/browser/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

# A run that hangs must not hold CI: the whole test is given this long.
limit=150

if ! command -v chromedriver >/dev/null || ! command -v python3 >/dev/null; then
  packages=(chromium chromium-driver)
  command -v python3 >/dev/null || packages+=(python3)
  echo "installing ${packages[*]}"
  if ! apt-get install -y -qq "${packages[@]}" </dev/null; then
    apt-get update -qq </dev/null
    apt-get install -y -qq "${packages[@]}" </dev/null
  fi
fi

cargo build --quiet --example flaskr </dev/null
app=target/debug/examples/flaskr

dir=$(mktemp -d)
server=
driver=
test=
# shellcheck disable=SC2317 # run by the trap
cleanup() {
  local status=$?
  for pid in $test $server; do
    kill "$pid" 2>/dev/null || true
  done
  # chromedriver leads a process group of its own: Chromium, which outlives chromedriver
  # when its session was not ended (the test killed by the time limit), goes with it.
  if [ -n "$driver" ]; then
    kill -- "-$driver" 2>/dev/null || kill "$driver" 2>/dev/null || true
  fi
  for pid in $test $server $driver; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ]; then
    for log in "$dir"/server.log "$dir"/chromedriver.log; do
      if [ -s "$log" ]; then
        echo "--- the last lines of $(basename "$log"):" >&2
        tail -n 20 "$log" >&2
      fi
    done
  fi
  rm -rf "$dir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Waits until $1, the process $2, writes a line matching the extended regex $4 into the log
# $3, and prints that line's match of the regex; fails when the process dies or 20 s pass.
announced() {
  local name=$1 pid=$2 log=$3 pattern=$4 found
  for _ in $(seq 200); do
    if found=$(grep -Eo "$pattern" "$log" 2>/dev/null | head -n 1) && [ -n "$found" ]; then
      echo "$found"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "FAIL $name exited before it was ready" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "FAIL $name was not ready within 20 seconds" >&2
  return 1
}

# Waits until $1 answers an HTTP GET with a 2xx status.
answers() {
  python3 - "$1" <<'EOF'
import sys, time, urllib.request
deadline = time.monotonic() + 20
while True:
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=2):
            break
    except OSError as error:
        if time.monotonic() > deadline:
            sys.exit(f"{sys.argv[1]} does not answer: {error}")
        time.sleep(0.1)
EOF
}

# The database, fresh.
export DATABASE="$dir/flaskr.sqlite"
"$app" init-db </dev/null >/dev/null

# PORT=0: the server takes a port no one else has and says which, so two runs never collide.
PORT=0 HOST=127.0.0.1 "$app" </dev/null >"$dir/server.log" 2>&1 &
server=$!
app_url=$(announced flaskr "$server" "$dir/server.log" 'http://127\.0\.0\.1:[0-9]+')
answers "$app_url/"
echo "flaskr on $app_url, its database in $DATABASE"

# Likewise chromedriver, which says "started successfully on port N"; in a process group of
# its own (setsid, which execs it: a background job leads no group), and with everything
# Chromium writes (its profile, temporary files, ~/.config, ~/.cache) in $dir.
HOME=$dir TMPDIR=$dir setsid chromedriver --port=0 </dev/null >"$dir/chromedriver.log" 2>&1 &
driver=$!
driver_port=$(announced chromedriver "$driver" "$dir/chromedriver.log" 'successfully on port [0-9]+')
driver_url="http://127.0.0.1:${driver_port##* }"
answers "$driver_url/status"
echo "chromedriver on $driver_url: $(chromedriver --version | cut -d' ' -f1-2)"

# In the background, so that a signal to this script cleans up at once rather than when
# the test ends (bash runs traps only between commands; `wait` is interrupted).
timeout --kill-after=10 "$limit" python3 tests/browser/flaskr.py "$app_url" "$driver_url" \
  </dev/null &
test=$!
status=0
wait "$test" || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "FAIL the browser test did not finish within ${limit}s" >&2
fi
exit "$status"
