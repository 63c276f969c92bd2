# shellcheck shell=bash
# The plumbing bench/run.sh, blocking.sh, whole_app.sh and soak.sh share: sourced, not run.
# The server functions work on the sourcing script's PORT, its URL (http://127.0.0.1:$PORT) and
# server_pid, the pid of the one server it runs, which is all they stop.

# Ends the script with a message named after it, so that a failure deep in a long run says
# which benchmark gave up and why.
die() {
    echo "${0##*/}: $*" >&2
    exit 1
}

# Whether process $1 runs: a child that exited stays a zombie until waited, or is gone once
# bash has reaped it. Read with `read`, not `$(<...)`: under set -e, bash 5.2 exits on a
# `$(<...)` of a missing file even where its failure is tested, and a server gone at start
# would end the script without the message that says so.
running() {
    local stat
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    [[ ${stat##*) } != Z* ]]
}

# Busy and total CPU ticks of all the CPUs since boot, from /proc/stat; busy leaves out idle
# and iowait.
cpu_busy_and_total() {
    awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}

# Other work on the CPUs skews every number the benchmarks take: warns when they are more than
# 10 % busy over a second (which this takes) before the start.
warn_if_cpus_busy() {
    local busy0 total0 busy1 total1 busy
    read -r busy0 total0 < <(cpu_busy_and_total)
    sleep 1
    read -r busy1 total1 < <(cpu_busy_and_total)
    busy=$((100 * (busy1 - busy0) / (total1 - total0)))
    if ((busy > 10)); then
        echo "warning: the CPUs are $busy % busy before the start: other work will skew the numbers" >&2
    fi
}

# Dies when something already answers on PORT: a server left from an earlier run would be the
# one measured, not the one just started.
ensure_port_free() {
    if curl -s -o /dev/null "$URL/"; then
        die "something already answers on port $PORT; set PORT to a free one"
    fi
}

# Waits up to 10 s for the server just started as server_pid, named $1, to answer GET $URL$2,
# so that no load starts on a server still binding its port. Dies if the server exits first
# (showing its log $3 when given, its last $4 lines or all of it) or never answers.
wait_for_server() { # name path [log [lines]]
    local name=$1 path=$2 log=${3:-} lines=${4:-+1}
    for _ in $(seq 100); do
        curl -s -o /dev/null "$URL$path" && return
        if ! running "$server_pid"; then
            [[ -z $log ]] || die "$name exited at start: $(tail -n "$lines" "$log")"
            die "$name exited at start"
        fi
        sleep 0.1
    done
    die "$name did not answer on port $PORT within 10 s"
}

# Ends the script with status 1, after its report, when a run of the results table $1 counted
# failed requests (one of its columns $3... above 0): their answers were errors, so its numbers
# do not measure the server. Lists those runs after saying what failed ($2).
exit_if_runs_failed() { # results what-failed column...
    local results=$1 what=$2 failed
    shift 2
    failed=$(awk -F'\t' -v columns="$*" \
        'NR > 1 { n = split(columns, c, " "); for (i = 1; i <= n; i++) if ($(c[i]) > 0) { print; next } }' "$results")
    [[ -z $failed ]] || die "some runs had $what:"$'\n'"$failed"
}

# Stops the server server_pid, if any, and waits for it, so that its port is free for the next
# one and no zombie is left; the script's EXIT trap calls it too.
stop_server() {
    [[ -n $server_pid ]] || return 0
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
}
