#!/usr/bin/env bash
# Makes, once, the Debian trixie root that the interop tests chroot into for the current
# generation of servers (OpenSSH 10.x with mlkem768x25519-sha256, dropbear 2025.x); see DESIGN.md
# "Real components in tests". The root lives outside the repo in a cache directory:
#   KEYWAY_TRIXIE_ROOT   where the root goes (default /var/cache/keyway/trixie-root)
#   KEYWAY_DEBIAN_MIRROR mirror URL (default: the one this machine's apt uses for bookworm main,
#                        because on CI only the configured mirror is reachable)
# It is built in a temporary directory beside the target and renamed into place when complete,
# with a marker file (.keyway-root) recording the versions, so an interrupted run leaves nothing
# that looks finished. Needs root and debootstrap (scripts/system-deps.sh installs it).
# Prints the root's path on stdout; progress goes to stderr.
set -euo pipefail

ROOT="${KEYWAY_TRIXIE_ROOT:-/var/cache/keyway/trixie-root}"
MARKER=".keyway-root"
PACKAGES="openssh-server,openssh-client,dropbear-bin"

say() { printf 'trixie-root: %s\n' "$*" >&2; }
die() {
  printf 'trixie-root: ERROR: %s\n' "$*" >&2
  exit 1
}

if [[ -f "$ROOT/$MARKER" ]]; then
  say "present: $ROOT ($(tr '\n' ' ' <"$ROOT/$MARKER"))"
  printf '%s\n' "$ROOT"
  exit 0
fi

[[ "$(id -u)" == 0 ]] || die "must run as root (debootstrap and chroot need it); try: sudo bash $0"
command -v debootstrap >/dev/null || die "debootstrap is not installed; run scripts/system-deps.sh"
[[ -e "$ROOT" ]] && die "$ROOT exists but has no $MARKER (not made by this script?); remove it and rerun"

# The URL apt uses for bookworm main, from deb822 .sources files or one-line .list files.
find_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    # Stanzas are separated by blank lines; comment lines are skipped.
    awk '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && suites ~ /(^| )bookworm( |$)/ && comps ~ /(^| )main( |$)/ \
            && enabled != "no" && uris != "") { split(uris, u, " "); print u[1]; found = 1; exit }
        types = suites = comps = uris = ""; enabled = "yes"
      }
      BEGIN { enabled = "yes" }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      {
        key = tolower($1); sub(/:$/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val)
        if (key == "types") types = val; else if (key == "suites") suites = val
        else if (key == "components") comps = val; else if (key == "uris") uris = val
        else if (key == "enabled") enabled = tolower(val)
      }
      END { if (!found) flush() }
    ' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    # deb [options] URL suite component...
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
      awk '$1 == "deb" && $3 == "bookworm" { for (i = 4; i <= NF; i++) if ($i == "main") { print $2; exit } }'
  done
}

MIRROR="${KEYWAY_DEBIAN_MIRROR:-$(find_mirror | head -n 1)}"
[[ -n "$MIRROR" ]] || die "no apt source for bookworm main found in /etc/apt; set KEYWAY_DEBIAN_MIRROR"

PARENT="$(dirname "$ROOT")"
mkdir -p "$PARENT"
# One builder at a time; a second run waits, then finds the marker.
exec 9>"$ROOT.lock"
flock 9
if [[ -f "$ROOT/$MARKER" ]]; then
  printf '%s\n' "$ROOT"
  exit 0
fi

# Unmounts whatever debootstrap left mounted under a directory (it mounts /proc and /sys in the
# target), deepest first, then removes it without crossing file systems.
remove_tree() {
  local dir="$1" m
  [[ -e "$dir" ]] || return 0
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
  rm -rf --one-file-system "$dir"
}

# Leftovers of interrupted runs (we hold the lock, so none of them is live).
for stale in "$ROOT".tmp.*; do
  [[ -e "$stale" ]] || continue
  say "removing leftover $stale"
  remove_tree "$stale"
done

TMP="$(mktemp -d "$ROOT.tmp.XXXXXX")"
chmod 0755 "$TMP"
trap 'remove_tree "$TMP"' EXIT
say "debootstrap trixie from $MIRROR into $TMP (about 30 s, 260 MB)"
start=$SECONDS
if ! debootstrap --variant=minbase --include="$PACKAGES" trixie "$TMP" "$MIRROR" >"$TMP.log" 2>&1; then
  tail -n 40 "$TMP.log" >&2
  [[ -f "$TMP/debootstrap/debootstrap.log" ]] && tail -n 40 "$TMP/debootstrap/debootstrap.log" >&2
  die "debootstrap failed (full log: $TMP.log); the interop tests need this root"
fi
rm -f "$TMP.log"

# A package's postinst may have started a daemon inside the root: end those, by PID, checked
# by their root directory, so nothing of ours keeps running or listening.
for p in /proc/[0-9]*; do
  r="$(readlink "$p/root" 2>/dev/null || true)"
  if [[ "$r" == "$TMP" ]]; then
    say "stopping process ${p#/proc/} started inside the new root"
    kill "${p#/proc/}" 2>/dev/null || true
  fi
done

# Device nodes that chrooted servers open; debootstrap normally makes them. No bind mounts.
mkdir -p "$TMP/dev"
make_node() {
  [[ -c "$TMP/dev/$1" ]] && return 0
  rm -f "$TMP/dev/$1"
  mknod -m "$4" "$TMP/dev/$1" c "$2" "$3"
}
make_node null 1 3 666
make_node zero 1 5 666
make_node random 1 8 666
make_node urandom 1 9 666
make_node tty 5 0 666
# sshd's privilege-separation directory (the harness also makes it; /run is not a tmpfs here).
mkdir -p "$TMP/run/sshd" && chmod 0755 "$TMP/run/sshd"

sshd_v="$(chroot "$TMP" /usr/sbin/sshd -V 2>&1 | head -n 1 || true)"
dropbear_v="$(chroot "$TMP" /usr/sbin/dropbear -V 2>&1 | head -n 1 || true)"
[[ "$sshd_v" == OpenSSH_* ]] || die "sshd in the new root does not run: $sshd_v"
[[ "$dropbear_v" == *ropbear* ]] || die "dropbear in the new root does not run: $dropbear_v"
{
  printf 'sshd=%s\n' "$sshd_v"
  printf 'dropbear=%s\n' "$dropbear_v"
  printf 'mirror=%s\n' "$MIRROR"
  printf 'made=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$TMP/$MARKER"

mv -T "$TMP" "$ROOT"
trap - EXIT
say "made $ROOT in $((SECONDS - start)) s: $sshd_v; $dropbear_v"
printf '%s\n' "$ROOT"
