#!/bin/sh
# Installs the Debian 12 packages prolo builds and tests with. As root it runs
# apt-get; otherwise it prints the exact command for someone who can.
set -u
BUILD_PKGS="build-essential pkg-config libsqlite3-dev libmicrohttpd-dev libjansson-dev libsodium-dev libgsl-dev libcsv-dev libcmocka-dev libcurl4-openssl-dev"
TEST_PKGS="sqlite3 python3 python3-aiosmtpd chromium nodejs npm fonts-dejavu-core openssl"
want="$BUILD_PKGS"
[ "${1:-}" = "--test" ] && want="$BUILD_PKGS $TEST_PKGS"
# the demo's local mail catcher
[ "${1:-}" = "--demo" ] && want="$BUILD_PKGS python3 python3-aiosmtpd"
missing=""
for p in $want; do
  case "$p" in
  # Node.js may come from another packager with npm bundled, which Debian's
  # npm package conflicts with: a working command is enough.
  nodejs) command -v node >/dev/null 2>&1 && continue ;;
  npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ]; then
  echo "prolo: installing:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || true
  apt-get install -y -qq --no-install-recommends $missing >&2
else
  echo "prolo: missing Debian packages:$missing" >&2
  echo "prolo: run as root:  $cmd" >&2
  exit 1
fi
