#!/usr/bin/env bash
# flaskr, the chat example and the uploads example in a real browser: builds the three
# examples, serves flaskr on a fresh database, the chat room and the uploads example (saving
# into a fresh folder) beside it, starts chromedriver with headless Chromium, and runs
# tests/browser/flaskr.py, then tests/browser/chat.py (two windows in the room), then
# tests/browser/uploads.py (real files chosen in the form) against them.
# Installs Debian's chromium and chromium-driver first when chromedriver is missing.
# Everything it starts and writes is gone when it ends, whether it passes or not.
#
#   bash tests/browser/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

# A run that hangs must not hold CI: the browser tests, all three, are given this long.
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

cargo build --quiet --example flaskr --example chat --example uploads </dev/null
app=target/debug/examples/flaskr
chat=target/debug/examples/chat
uploads=target/debug/examples/uploads

dir=$(mktemp -d)
server=
chat_server=
uploads_server=
driver=
test=
# shellcheck disable=SC2317 # run by the trap
cleanup() {
  local status=$?
  for pid in $test $server $chat_server $uploads_server; do
    kill "$pid" 2>/dev/null || true
  done
  # chromedriver leads a process group of its own: Chromium, which outlives chromedriver
  # when its session was not ended (the test killed by the time limit), goes with it.
  if [ -n "$driver" ]; then
    kill -- "-$driver" 2>/dev/null || kill "$driver" 2>/dev/null || true
  fi
  for pid in $test $server $chat_server $uploads_server $driver; do
    wait "$pid" 2>/dev/null || true
  done
  # Chromium is no child of this script, so `wait` does not wait for it: cut off mid-session,
  # it takes a second or two to end, writing its profile into $dir meanwhile, which then
  # cannot be removed. Its group is given 5 s to be gone, then killed.
  if [ -n "$driver" ]; then
    for _ in $(seq 50); do
      kill -0 -- "-$driver" 2>/dev/null || break
      sleep 0.1
    done
    if kill -KILL -- "-$driver" 2>/dev/null; then
      sleep 0.5
    fi
  fi
  if [ "$status" -ne 0 ]; then
    for log in "$dir"/server.log "$dir"/chat.log "$dir"/uploads.log "$dir"/chromedriver.log; do
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

# announced: waits for a process to write its address (tests/support/announced.sh).
. tests/support/announced.sh

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

# The database, fresh; the session's key, as a deployment gives it.
export DATABASE="$dir/flaskr.sqlite"
export CARAFE_SECRET_KEY="browser test $$ $RANDOM"
"$app" init-db </dev/null >/dev/null

# PORT=0: the server takes a port no one else has and says which, so two runs never collide.
PORT=0 HOST=127.0.0.1 "$app" </dev/null >"$dir/server.log" 2>&1 &
server=$!
app_url=$(announced flaskr "$server" "$dir/server.log" 'http://127\.0\.0\.1:[0-9]+')
answers "$app_url/"
echo "flaskr on $app_url, its database in $DATABASE"

# The chat room, which keeps nothing: on a port of its own, the same way.
PORT=0 HOST=127.0.0.1 "$chat" </dev/null >"$dir/chat.log" 2>&1 &
chat_server=$!
chat_url=$(announced chat "$chat_server" "$dir/chat.log" 'http://127\.0\.0\.1:[0-9]+')
answers "$chat_url/"
echo "chat on $chat_url"

# The uploads example, saving into a folder of its own in $dir, which it creates.
uploads_folder=$dir/uploads
UPLOAD_FOLDER=$uploads_folder PORT=0 HOST=127.0.0.1 "$uploads" </dev/null >"$dir/uploads.log" 2>&1 &
uploads_server=$!
uploads_url=$(announced uploads "$uploads_server" "$dir/uploads.log" 'http://127\.0\.0\.1:[0-9]+')
answers "$uploads_url/"
echo "uploads on $uploads_url, saving into $uploads_folder"

# Likewise chromedriver, which says "started successfully on port N"; in a process group of
# its own (setsid, which execs it: a background job leads no group), and with everything
# Chromium writes (its profile, temporary files, ~/.config, ~/.cache) in $dir.
HOME=$dir TMPDIR=$dir setsid chromedriver --port=0 </dev/null >"$dir/chromedriver.log" 2>&1 &
driver=$!
driver_port=$(announced chromedriver "$driver" "$dir/chromedriver.log" 'successfully on port [0-9]+')
driver_url="http://127.0.0.1:${driver_port##* }"
answers "$driver_url/status"
echo "chromedriver on $driver_url: $(chromedriver --version | cut -d' ' -f1-2)"

# Runs the browser test $1 against the app at $2, within what is left of the time limit.
# In the background, so that a signal to this script cleans up at once rather than when
# the test ends (bash runs traps only between commands; `wait` is interrupted).
deadline=$((SECONDS + limit))
browser_test() {
  local script=$1 url=$2 left=$((deadline - SECONDS)) status=0
  timeout --kill-after=10 "$((left > 1 ? left : 1))" python3 "$script" "$url" "$driver_url" \
    </dev/null &
  test=$!
  wait "$test" || status=$?
  test=
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "FAIL $script did not finish within the ${limit}s the three tests are given" >&2
  fi
  return "$status"
}

browser_test tests/browser/flaskr.py "$app_url"
browser_test tests/browser/chat.py "$chat_url"
# The test is told the upload folder, to check what was saved there; the files it uploads, it
# writes into a temporary folder of its own, here in $dir, so that a test cut off by the time
# limit leaves none behind either.
UPLOAD_FOLDER=$uploads_folder TMPDIR=$dir browser_test tests/browser/uploads.py "$uploads_url"
