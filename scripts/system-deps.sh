#!/usr/bin/env bash
# Installs, with apt, the Debian packages the build and the tests need (DESIGN.md "Real
# components in tests"). KEYWAY_APP_PACKAGES are what `npm ci` needs to build native modules;
# KEYWAY_SYSTEM_PACKAGES adds what the tests run against. `--app` installs only the first list
# (scripts/app.sh); no argument installs both (scripts/test.sh).
# Quick when everything is present (dpkg-query, no apt). Needs root only when something is
# missing. No service is started on purpose: while apt runs, a policy-rc.d that denies service
# starts is put in place if the machine has none (openssh-server's postinst would start sshd).
set -euo pipefail

KEYWAY_APP_PACKAGES=(
  make    # node-gyp: npm ci builds node-pty (the bundled sshd's ptys) from source on Linux,
  g++     #   where it ships no prebuild
  python3 #   node-gyp runs on Python
)

KEYWAY_SYSTEM_PACKAGES=(
  "${KEYWAY_APP_PACKAGES[@]}"
  openssh-server # sshd 9.2 for interop tests
  openssh-client # ssh, ssh-keygen, ssh-keyscan, ssh-agent, ssh-add, sftp
  netbase        # /etc/services: service names as ports (-L ssh:host:http), as ssh reads them
  dropbear-bin   # dropbear 2022.83 and dropbearkey
  debootstrap    # scripts/trixie-root.sh: OpenSSH 10 and dropbear 2025 in a chroot
  putty-tools    # puttygen: PuTTY .ppk v2/v3 key files for the core/keys tests
  openssl        # the openssl CLI: ed25519 PKCS#8 and legacy PEM key vectors (not in a minimal Debian)
  tmux           # a real terminal for test/interop/ssh-tty.test.ts (send-keys, capture-pane)
  python3-paramiko # third-party SSH clients against keyway sshd
  python3-asyncssh #   (test/interop/sshd-clients.test.ts)
  libnss-wrapper # a passwd entry whose home is a temp dir, for ssh -G parity (ssh_config tests)
  softhsm2       # a PKCS#11 token in a temp dir for the smartcard tests (test/interop/pkcs11*)
  opensc         # pkcs11-tool: makes the token's key pairs
  chromium         # Debian's Chromium for the UI tests (test/e2e, playwright-core executablePath)
  curl             # SOCKS4a/SOCKS5 clients through keyway's -D (test/interop/forwarding-*.test.ts)
  xvfb             # an X server for X11 forwarding (test/interop/ssh-forward-cli.test.ts),
  xauth            #   its cookies (and sshd's, on the server side),
  x11-utils        #   and xdpyinfo as the X client
  clang            # scripts/build-wasm.sh: test/unit/crypto/wasm-build.test.ts checks that the
  lld              #   committed WebAssembly (core/crypto/wasm) is what its C sources compile to
)

if [[ "${1:-}" == --app ]]; then
  KEYWAY_SYSTEM_PACKAGES=("${KEYWAY_APP_PACKAGES[@]}")
elif [[ $# -gt 0 ]]; then
  printf 'usage: %s [--app]\n' "$0" >&2
  exit 2
fi

say() { printf 'system-deps: %s\n' "$*" >&2; }

installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == installed ]]
}

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
  say "this script needs a Debian system with apt-get (install: ${KEYWAY_SYSTEM_PACKAGES[*]})"
  exit 1
fi

missing=()
for p in "${KEYWAY_SYSTEM_PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  say "all present: ${KEYWAY_SYSTEM_PACKAGES[*]}"
  exit 0
fi

if [[ "$(id -u)" != 0 ]]; then
  say "missing packages: ${missing[*]}"
  say "run as root:  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  exit 1
fi

policy=/usr/sbin/policy-rc.d
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\n# keyway system-deps.sh: no service starts during install\nexit 101\n' >"$policy"
  chmod 0755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
say "installing: ${missing[*]}"
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}" </dev/null

for p in "${missing[@]}"; do
  installed "$p" || {
    say "ERROR: $p is still not installed"
    exit 1
  }
done
say "installed: ${missing[*]}"
