#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests, from Debian's package: its data in a fresh temporary
# folder, listening on 127.0.0.1 only, every local client trusted (no password), tuned for speed
# over durability. Installs Debian's postgresql first when its programs are missing.
#
#   bash tests/support/postgres.sh start [PORT]   # prints the admin URL once it accepts connections
#   bash tests/support/postgres.sh stop [PORT]    # stops it and removes its folder
#
# PORT is 5433 by default (5432 is left to a server of the machine's own). Both are idempotent:
# start on a port where this script's server already runs prints its URL again, and stop with
# none running does nothing. The URL, postgres://postgres@127.0.0.1:PORT/postgres, is the only
# thing printed on standard output, so that `url=$(bash tests/support/postgres.sh start)` works;
# a server that fails to start shows its log on standard error.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop [PORT]" >&2
  exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
command=$1
port=${2:-5433}
[[ $port =~ ^[0-9]+$ ]] || usage

# Where the folder of the server on PORT is written down, so that stop (or a second start)
# finds it.
state="${TMPDIR:-/tmp}/carafe-postgres-$port"

# The folder of Debian's server programs, which are not on the PATH: the newest version's.
server_programs() {
  local found
  found=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/pg_ctl' 2>/dev/null |
    sort -V | tail -n 1)
  [ -n "$found" ] && dirname "$found"
}

# PostgreSQL refuses to run as root: as root, the server runs as the package's `postgres`
# user (or `nobody`, should the programs be there without that user), which then owns the
# folder.
server_user() {
  if [ "$(id -u)" -ne 0 ]; then
    id -un
  elif id -u postgres >/dev/null 2>&1; then
    echo postgres
  else
    echo nobody
  fi
}

# Runs a server program as the server's user.
as_server_user() {
  if [ "$(id -u)" -ne 0 ]; then
    "$@"
  else
    runuser -u "$(server_user)" -- "$@"
  fi
}

# The folder of this script's server on PORT, when it runs.
running_folder() {
  [ -f "$state" ] || return 1
  local folder
  folder=$(cat "$state")
  [ -f "$folder/data/postmaster.pid" ] || return 1
  # Answering on its port, not only a process: a server killed may linger as a zombie.
  "$bin/pg_isready" --quiet --host=127.0.0.1 --port="$port" </dev/null || return 1
  echo "$folder"
}

stop() {
  [ -f "$state" ] || return 0
  local folder
  folder=$(cat "$state")
  if [ -f "$folder/data/postmaster.pid" ]; then
    # Fast: the open sessions are ended rather than waited for.
    as_server_user "$bin/pg_ctl" stop -D "$folder/data" -m fast -w -t 30 >/dev/null 2>&1 </dev/null ||
      true
  fi
  rm -rf "$folder"
  rm -f "$state"
}

start() {
  local folder
  if folder=$(running_folder); then
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    return
  fi
  # A folder left by a server that died (or a machine that restarted) goes first.
  stop

  folder=$(mktemp -d "${TMPDIR:-/tmp}/carafe-postgres-$port.XXXXXX")
  echo "$folder" >"$state"
  chown "$(server_user)" "$folder"
  as_server_user "$bin/initdb" --pgdata="$folder/data" --username=postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$folder/initdb.log" 2>&1 </dev/null || {
    cat "$folder/initdb.log" >&2
    echo "initdb failed" >&2
    exit 1
  }
  # Its socket file in its own folder, not /var/run/postgresql, which only the package's own
  # cluster may use. fsync and synchronous commits off: the data is thrown away anyway, and
  # every test creates a database of its own. Room for several apps' pools of 16 connections.
  local options="-c listen_addresses=127.0.0.1 -p $port -k $folder"
  options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  options+=" -c max_connections=200"
  # -w: returns once the server accepts connections, or fails when it cannot start.
  if ! as_server_user "$bin/pg_ctl" start -D "$folder/data" -l "$folder/server.log" -w -t 60 \
    -o "$options" >/dev/null </dev/null; then
    cat "$folder/server.log" >&2 || true
    echo "PostgreSQL did not start on 127.0.0.1:$port" >&2
    stop
    exit 1
  fi
  echo "postgres://postgres@127.0.0.1:$port/postgres"
}

if ! bin=$(server_programs); then
  if [ "$command" = stop ]; then
    # Nothing was ever started without the programs.
    exit 0
  fi
  echo "installing Debian's postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq postgresql </dev/null >&2; then
    apt-get update -qq </dev/null >&2
    apt-get install -y -qq postgresql </dev/null >&2
  fi
  bin=$(server_programs) || {
    echo "no pg_ctl under /usr/lib/postgresql after installing postgresql" >&2
    exit 1
  }
fi

case $command in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
