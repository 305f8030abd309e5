#!/bin/sh
# Install everything libdnsfw needs to build, test and fuzz on Debian 12 (bookworm).
# Idempotent; needs root (or sudo). apt's output goes to a log file, shown only when
# something fails (DNSFW_DEPS_LOG names the file; default in $TMPDIR or /tmp).
set -eu
cd "$(dirname "$0")/.."
# dpkg-dev: meson asks dpkg-architecture for the multiarch libdir (lib/x86_64-linux-gnu),
# where Debian's loader and pkg-config look; without it the library lands in lib64.
# curl reads dnsfw-serve --stats, iproute2 (ip) lists the interfaces its default --allow
# takes, systemd's systemd-analyze scores contrib/dnsfw-serve.service.
packages="meson ninja-build pkg-config dpkg-dev gcc clang libclang-rt-14-dev llvm-14 clang-format
  libldns-dev libcjson-dev libpcre2-dev check zlib1g-dev libisal-dev libpsl-dev libidn2-dev
  publicsuffix
  valgrind jq time gzip python3 python3-jsonschema python3-yaml groff-base
  unbound dnsutils knot-dnsutils ldnsutils dnsperf dnsmasq-base
  curl dns2tcp iodine iproute2 systemd"

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node.js runs DuckDB and the Trino grammar of tests/sql; any Node.js 18 or later will do
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ -n "$missing" ]; then
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
fi

# tests/sql: DuckDB (@duckdb/node-api) and dt-sql-parser from npm, as the lock file pins them
if [ ! -d tests/sql/node_modules/@duckdb/node-api ] || [ ! -d tests/sql/node_modules/dt-sql-parser ]; then
    echo "installing tests/sql's npm packages (npm ci)"
    (cd tests/sql && npm ci --no-audit --no-fund --loglevel=error)
fi
