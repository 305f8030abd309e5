#!/bin/sh
# Install everything libdnsfw needs to build, test and fuzz on Debian 12 (bookworm).
# Idempotent; needs root (or sudo).
set -eu
cd "$(dirname "$0")/.."
packages="meson ninja-build pkg-config gcc clang libclang-rt-14-dev llvm-14 clang-format
  libldns-dev libcjson-dev libpcre2-dev check zlib1g-dev libpsl-dev libidn2-dev publicsuffix
  valgrind jq python3 python3-jsonschema python3-yaml
  unbound dnsutils knot-dnsutils ldnsutils dnsperf dnsmasq-base"

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node.js runs DuckDB and the Trino grammar of tests/sql; any Node.js 18 or later will do
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ -n "$missing" ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

# tests/sql: DuckDB (@duckdb/node-api) and dt-sql-parser from npm, as the lock file pins them
if [ ! -d tests/sql/node_modules/@duckdb/node-api ] || [ ! -d tests/sql/node_modules/dt-sql-parser ]; then
    (cd tests/sql && npm ci --no-audit --no-fund --loglevel=error)
fi
