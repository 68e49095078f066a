#!/usr/bin/env bash
# A throw-away Redis for the storage tests (docs/storage.md, "Real servers in the SDK's own tests").
#
#   eval "$(.ci/redis.sh start)"   # installs redis-server if missing, starts it, prints the exports
#   npm test                       # the Redis tests run against it
#   .ci/redis.sh stop              # stops it and removes its directory
#
# `start` runs redis-server on 127.0.0.1, on a free port, in a fresh temporary directory, with no
# persistence (nothing written to disk), in the background with a pidfile. It prints two export
# lines: RECIPROCAL_TEST_REDIS_URL (what the tests read) and RECIPROCAL_TEST_REDIS_DIR (what
# `stop` removes). Everything else it says goes to stderr, so that `eval` sees only the exports.
set -euo pipefail

say() { echo "[redis.sh] $*" >&2; }

install_redis() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return
  say "redis-server is missing: installing the Debian package"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  # Another job may hold the dpkg lock (installing postgresql, say): wait for it, do not fail.
  local apt=("${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 -y -q)
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install redis-server >&2 ||
    { DEBIAN_FRONTEND=noninteractive "${apt[@]}" update >&2 && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install redis-server >&2; }
}

# A port nothing listens on now: the kernel's choice for an ephemeral socket, closed at once.
free_port() {
  node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close() })"
}

start() {
  install_redis
  local dir port
  dir="$(mktemp -d -t reciprocal-redis.XXXXXX)"
  # Another process may take the port between free_port and redis-server binding it: try again.
  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    if redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save '' --appendonly no \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >&2; then
      for _ in $(seq 50); do
        if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then
          say "Redis $(redis-server --version | grep -o 'v=[0-9.]*' | cut -c3-) on 127.0.0.1:$port, directory $dir"
          echo "export RECIPROCAL_TEST_REDIS_URL=redis://127.0.0.1:$port"
          echo "export RECIPROCAL_TEST_REDIS_DIR=$dir"
          return
        fi
        sleep 0.1
      done
    fi
    say "attempt $attempt: no Redis on port $port"
    [ -f "$dir/redis.log" ] && tail -n 5 "$dir/redis.log" >&2
    stop_in "$dir"
    dir="$(mktemp -d -t reciprocal-redis.XXXXXX)"
  done
  rm -rf "$dir"
  say "could not start redis-server"
  exit 1
}

# Stops the server started in `dir` (by its pidfile) and removes the directory.
stop_in() {
  local dir="$1" pid
  [ -d "$dir" ] || return 0
  if [ -f "$dir/redis.pid" ]; then
    pid="$(cat "$dir/redis.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$dir"
}

stop() {
  local dir="${RECIPROCAL_TEST_REDIS_DIR:-}"
  case "$dir" in
    */reciprocal-redis.*) stop_in "$dir"; say "stopped; removed $dir" ;;
    '') say "RECIPROCAL_TEST_REDIS_DIR is not set: nothing to stop" ;;
    *) say "RECIPROCAL_TEST_REDIS_DIR=$dir is not a directory this script made: left alone"; exit 1 ;;
  esac
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: eval \"\$($0 start)\"; ...; $0 stop" >&2; exit 2 ;;
esac
