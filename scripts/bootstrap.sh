#!/bin/sh
# The first README command: install the dependencies, build, and run the main job —
# dnsfw-eval with the embedded default policy (the platform's tiered policy, observe
# mode) over the bundled sample of queries. Package installation and the build are quiet
# (their logs are kept in $TMPDIR/dnsfw-bootstrap, and shown when a step fails); the main job's output is
# the last thing on the screen.
set -eu
cd "$(dirname "$0")/.."
logs=${TMPDIR:-/tmp}/dnsfw-bootstrap
mkdir -p "$logs"

DNSFW_DEPS_LOG=$logs/install-deps.log ./scripts/install-deps.sh

step() { # step NAME COMMAND...: run quietly; on failure show the end of its log
    name=$1
    shift
    if ! "$@" > "$logs/$name.log" 2>&1; then
        echo "bootstrap.sh: $name failed ($*); the end of $logs/$name.log:" >&2
        tail -n 40 "$logs/$name.log" >&2
        exit 1
    fi
}
echo "building (meson and ninja; log in $logs/build.log)"
[ -f build/build.ninja ] || step setup meson setup build --buildtype=release
step build ninja -C build

eval_bin=./build/tools/eval/dnsfw-eval
echo
echo "== dnsfw-eval, the embedded default policy (the platform's tiered policy, observe mode),"
echo "== on examples/sample-queries.txt:"
status=0
"$eval_bin" --brief --summary < examples/sample-queries.txt || status=$?
echo "== exit status $status (0: nothing blocked now, 1: something blocked, 3: bad input)"
echo
echo "Next:"
echo "  # the ecosystems' hosts (Go, Rust, apt, Docker Hub...) the baseline lacks, as presets"
echo "  ./build/tools/lint/dnsfw-lint --presets"
echo "  # check the policy before it is deployed (open registrations, shadowed entries...)"
echo "  ./build/tools/lint/dnsfw-lint"
echo "  # the same queries, enforced"
echo "  $eval_bin --mode enforce --brief < examples/sample-queries.txt"
echo "  # replay a query log and report what enforcement would break"
echo "  $eval_bin --log tests/data/logs/aws-samples.jsonl --report"
echo "  # every test"
echo "  ./scripts/test-all.sh"
[ "$status" -le 1 ]
