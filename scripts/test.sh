#!/usr/bin/env bash
# The project's test command (README): installs the system packages the tests use, makes the
# trixie root, brings Node 24, then npm ci, build, typecheck, lint and the whole test suite.
# CI runs it through .ci/run as root on a fresh clone (CI=true, no stdin).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

T0=$SECONDS
section() { printf '\n==== %s  (+%ds) ====\n' "$1" "$((SECONDS - T0))"; }

section 'system packages (scripts/system-deps.sh)'
bash scripts/system-deps.sh

section 'Debian trixie root (scripts/trixie-root.sh)'
bash scripts/trixie-root.sh

section 'Node toolchain (scripts/toolchain.sh)'
# shellcheck source=scripts/toolchain.sh
source scripts/toolchain.sh
printf 'node %s at %s; npm %s\n' "$(node --version)" "$(command -v node)" "$(npm --version)"

# No Electron binary download: only the npm registry is reachable, and tests do not need it.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1

section 'npm ci'
npm ci </dev/null

section 'npm run build'
npm run build

section 'npm run typecheck'
npm run typecheck

section 'npm run lint'
npm run lint

section 'npm test'
npm test </dev/null

section "all passed in $((SECONDS - T0)) s"
