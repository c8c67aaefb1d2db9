#!/usr/bin/env bash
# A throw-away PostgreSQL for the collector's tests, benches and local trials.
#
#   scripts/postgres.sh start [DIR]   installs Debian's postgresql if missing (needs root), creates
#                                     a cluster in DIR (default: a new temporary folder), starts it
#                                     on a free port listening on 127.0.0.1 only, and prints its URL
#                                     (postgres://candor@127.0.0.1:<port>/postgres) on stdout.
#                                     DIR is printed on stderr; pass it to `stop`.
#   scripts/postgres.sh stop DIR      stops that cluster and removes DIR.
#
# Idempotent: `start` on a DIR whose cluster already runs prints its URL again. PostgreSQL refuses
# to run as root, so as root the cluster belongs to the `postgres` user the package creates.
set -euo pipefail

die() { echo "postgres.sh: $*" >&2; exit 1; }

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then echo "$d"; fi
  done | sort -V | tail -n 1
}

ensure_installed() {
  local bin
  bin=$(find_bin)
  if [[ -n "$bin" ]]; then echo "$bin"; return; fi
  [[ $(id -u) -eq 0 ]] || die "PostgreSQL is not installed and installing it needs root: apt-get install -y --no-install-recommends postgresql"
  command -v apt-get >/dev/null || die "PostgreSQL is not installed and apt-get is not available"
  echo "postgres.sh: installing postgresql (apt-get)…" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
  bin=$(find_bin)
  [[ -n "$bin" ]] || die "postgresql installed but initdb was not found under /usr/lib/postgresql/*/bin"
  echo "$bin"
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    su postgres -s /bin/bash -c "$1"
  else
    bash -c "$1"
  fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close();})"
}

cmd=${1:-}
case "$cmd" in
  start)
    bin=$(ensure_installed)
    dir=${2:-}
    if [[ -z "$dir" ]]; then dir=$(mktemp -d /tmp/candor-pg.XXXXXX); fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [[ -f "$dir/port" ]] && as_owner "'$bin/pg_ctl' -D '$dir/data' status" >/dev/null 2>&1; then
      echo "postgres.sh: already running in $dir" >&2
      echo "postgres://candor@127.0.0.1:$(cat "$dir/port")/postgres"
      exit 0
    fi
    if [[ $(id -u) -eq 0 ]]; then chown postgres "$dir"; chmod 700 "$dir"; fi
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
      as_owner "'$bin/initdb' -D '$dir/data' -U candor --auth=trust --no-sync >'$dir/initdb.log' 2>&1" ||
        die "initdb failed: $(tail -n 5 "$dir/initdb.log" 2>/dev/null)"
    fi
    port=$(free_port)
    # fsync stays on (the default): the collector's durability is what its tests exercise.
    as_owner "'$bin/pg_ctl' -D '$dir/data' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c max_connections=200\" -l '$dir/log' -w -t 60 start >/dev/null" ||
      die "pg_ctl start failed: $(tail -n 5 "$dir/log" 2>/dev/null)"
    as_owner "echo $port > '$dir/port'"
    echo "postgres.sh: started in $dir (stop: scripts/postgres.sh stop $dir)" >&2
    echo "postgres://candor@127.0.0.1:$port/postgres"
    ;;
  stop)
    dir=${2:-}
    [[ -n "$dir" ]] || die "usage: postgres.sh stop DIR"
    [[ -d "$dir" ]] || exit 0
    bin=$(find_bin)
    if [[ -n "$bin" && -f "$dir/data/PG_VERSION" ]]; then
      as_owner "'$bin/pg_ctl' -D '$dir/data' -m fast -w stop >/dev/null 2>&1" || true
    fi
    rm -rf "$dir"
    ;;
  *)
    die "usage: postgres.sh start [DIR] | stop DIR"
    ;;
esac
