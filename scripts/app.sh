#!/usr/bin/env bash
# The project's app command (README): brings Node 24, installs and builds, then starts the app
# (Electron, or the browser host where Electron's binary is missing). With arguments, runs the
# keyway command-line front end with them instead: bash scripts/app.sh keyscan -p 2222 <host>
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

# The app: the Electron window where its binary is installed, else the same UI served by the
# browser host on 127.0.0.1 (it prints the URL to open, with its access token).
if node --input-type=module -e \
  "const m = await import('./dist/electron/binary.js'); process.exit(m.findElectronBinary().ok ? 0 : 1)"; then
  exec node dist/electron/launch.js
fi
cat <<MSG >&2

No Electron binary here, so Keyway starts its browser host: open the URL printed below in a
browser on this machine (Ctrl-C stops it). Try it against a throwaway local server with
'npm run demo'; the command-line tools: bash scripts/app.sh ssh|sftp|scp|keygen|sshd ...
MSG
exec node dist/core/service/web/main.js
