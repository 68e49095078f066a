#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests (docs/storage.md, "Real servers in the SDK's own tests").
#
#   .ci/postgres.sh start DIR   initialise a cluster in DIR (an empty directory), start it on a
#                               free loopback port, print its URL (for RECIPROCAL_TEST_POSTGRES_URL)
#   .ci/postgres.sh stop DIR    stop that server and remove DIR
#
# Installs the Debian package `postgresql` when no server binaries are found (needs root). The
# server refuses to run as root, so as root it runs as the `postgres` user the package creates.
# Nothing outside DIR is written; the server trusts connections from 127.0.0.1 only.
set -euo pipefail
# runuser lives in sbin, which a non-login root shell may not have on PATH.
PATH="$PATH:/usr/sbin:/sbin"

log() { echo "postgres.sh: $*" >&2; }

# The directory of pg_ctl and initdb: on PATH, else the newest Debian one, else after installing it.
server_bin() {
  local found
  if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return
  fi
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -z "$found" || ! -x "$found/pg_ctl" ]]; then
    log "no PostgreSQL server found: installing the Debian package postgresql"
    [[ $(id -u) -eq 0 ]] || { log "installing needs root; install postgresql yourself"; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
    found=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$found"
}

# Runs a server command as an unprivileged user: `postgres` when we are root, ourselves otherwise.
as_server_user() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close() })"
}

start() {
  local dir=$1 bin port
  [[ -d "$dir" && -z "$(ls -A "$dir")" ]] || { log "$dir must be an empty directory"; exit 1; }
  bin=$(server_bin)
  [[ $(id -u) -ne 0 ]] || chown postgres: "$dir"
  as_server_user "$bin/initdb" --pgdata="$dir/data" --username=reciprocal --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  port=$(free_port)
  # fsync off: the data is thrown away; the socket lives in DIR, so nothing outside it is touched.
  as_server_user "$bin/pg_ctl" start --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 \
    --options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir' -c fsync=off -c max_connections=200" >&2 ||
    { cat "$dir/server.log" >&2; exit 1; }
  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir"
  echo "postgres://reciprocal@127.0.0.1:$port/postgres"
}

stop() {
  local dir=$1 bin
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    bin=$(server_bin)
    as_server_user "$bin/pg_ctl" stop --pgdata="$dir/data" --mode=fast --wait >&2 || log "could not stop the server in $dir"
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start "${2:?usage: $0 start DIR}" ;;
  stop) stop "${2:?usage: $0 stop DIR}" ;;
  *) echo "usage: $0 start DIR | stop DIR" >&2; exit 2 ;;
esac
