#!/bin/sh
# Install everything libdnsfw needs to build, test and fuzz on Debian 12 (bookworm).
# Idempotent; needs root (or sudo).
set -eu
packages="meson ninja-build pkg-config gcc clang libclang-rt-14-dev llvm-14 clang-format
  libldns-dev libcjson-dev libpcre2-dev check zlib1g-dev libpsl-dev publicsuffix
  valgrind jq time gzip python3 python3-jsonschema python3-yaml
  unbound dnsutils knot-dnsutils ldnsutils dnsperf dnsmasq-base"

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
