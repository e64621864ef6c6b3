#!/usr/bin/env bash
# The project's app command (README). Today: brings Node 24, installs and builds, then says what
# can be run. The desktop UI (electron/, renderer/) is not built yet. With arguments, runs the
# keyway command-line front end with them: bash scripts/app.sh keyscan -p 2222 <host>
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo '==== system packages (build tools for native modules)' >&2
bash scripts/system-deps.sh --app
# shellcheck source=scripts/toolchain.sh
source scripts/toolchain.sh
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
echo '==== npm ci' >&2
npm ci --loglevel=error </dev/null >&2
echo '==== npm run build' >&2
npm run build >&2

cli=bin/keyway.js
if [[ $# -gt 0 ]]; then
  [[ -f "$cli" ]] || { echo "app: $cli does not exist yet; the command-line front end is not built" >&2; exit 1; }
  exec node "$cli" "$@"
fi

cat <<MSG

Keyway is built (dist/). What you can run today:
  - The desktop app (Electron window, terminals, SFTP pane): not built yet.
MSG
if [[ -f "$cli" ]]; then
  cat <<MSG
  - The command-line front end, e.g.:  npx keyway keyscan -p 22 <host>
    (or: bash scripts/app.sh keyscan -p 22 <host>)
MSG
else
  echo "  - The command-line front end ($cli): not there yet."
fi
cat <<MSG
  - The tests:  bash scripts/test.sh
MSG
