# Sourced by the test scripts that start servers and wait for them to say where they listen.

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
