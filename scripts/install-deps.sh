#!/bin/sh
# Install everything libdnsfw needs to build, test and fuzz on Debian 12 (bookworm).
# Idempotent; needs root (or sudo). apt's output goes to a log file, shown only when
# something fails (DNSFW_DEPS_LOG names the file; default in $TMPDIR or /tmp).
set -eu
# dpkg-dev: meson asks dpkg-architecture for the multiarch libdir (lib/x86_64-linux-gnu),
# where Debian's loader and pkg-config look; without it the library lands in lib64.
packages="meson ninja-build pkg-config dpkg-dev gcc clang libclang-rt-14-dev llvm-14 clang-format
  libldns-dev libcjson-dev libpcre2-dev check zlib1g-dev libisal-dev libpsl-dev publicsuffix
  valgrind jq time gzip python3 python3-jsonschema python3-yaml groff-base
  unbound dnsutils knot-dnsutils ldnsutils dnsperf dnsmasq-base"

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
log=${DNSFW_DEPS_LOG:-${TMPDIR:-/tmp}/dnsfw-install-deps.log}
echo "installing Debian packages:$missing (log: $log)"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! { $SUDO apt-get update -q && $SUDO apt-get install -y -q --no-install-recommends $missing; } \
    > "$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "install-deps.sh: apt-get failed; the whole log is $log" >&2
    exit 1
fi
