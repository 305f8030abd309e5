#!/bin/sh
# The first README command: install the dependencies, build, and run the main job —
# dnsfw-eval with the embedded default policy (the platform's tiered policy, observe
# mode) over the bundled sample of queries.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
[ -d build ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
echo "== dnsfw-eval (embedded default policy, observe mode) on examples/sample-queries.txt"
status=0
./build/tools/eval/dnsfw-eval < examples/sample-queries.txt || status=$?
echo "== exit status $status (0: nothing would be blocked, 1: something would be, 3: bad input)"
echo "== the same queries in enforce mode:"
./build/tools/eval/dnsfw-eval --mode enforce < examples/sample-queries.txt || status=$?
