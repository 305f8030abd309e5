#!/bin/bash
# dnsfw-lint benchmark (not a test; figures in docs/performance.md):
#   1. linting a policy of ENTRIES entries (default 100,000), next to loading and compiling
#      the same policy (dnsfw-eval -p POLICY on one name), the part lint cannot avoid;
#   2. linting the default policy against a RECORDS-record log (default 1,000,000) of
#      tests/bench/gen_route53_log.py, next to the replay of the same log
#      (dnsfw-eval --log --report), in the same run.
# usage: tests/bench/bench_lint.sh [BUILD_DIR] [ENTRIES] [RECORDS] [REPEAT]
# (defaults: build, 100000, 1000000, best of 3)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
entries=${2:-100000}
records=${3:-1000000}
repeat=${4:-3}
lint=$build/tools/lint/dnsfw-lint
eval_bin=$build/tools/eval/dnsfw-eval
work=$(mktemp -d /tmp/dnsfw-bench-lint.XXXXXX)
trap 'rm -rf "$work"' EXIT

# best of N: wall seconds
measure() {
    local best='' wall
    for _ in $(seq "$repeat"); do
        TIMEFORMAT='%R'
        { time { "$@" > /dev/null 2>&1 || [ $? -le 1 ]; }; } 2> "$work/time"
        wall=$(cat "$work/time")
        if [ -z "$best" ] || awk "BEGIN { exit !($wall < $best) }"; then best=$wall; fi
    done
    echo "$best"
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
for kind in clean messy; do
    /usr/bin/python3 "$root/tests/bench/gen_lint_policy.py" "$entries" "$work/policy.json" "$kind"
    findings=$("$lint" -p "$work/policy.json" --format json | jq '.findings | length')
    echo "$kind policy: $entries entries, $(($(stat -c %s "$work/policy.json") / 1000)) kB, $findings findings; best of $repeat"
    t_load=$(measure "$eval_bin" -p "$work/policy.json" example.com)
    t_lint=$(measure "$lint" -p "$work/policy.json" --format json)
    t_text=$(measure "$lint" -p "$work/policy.json")
    printf '  %-50s %6.2f s\n' "dnsfw-eval -p POLICY (load + compile + 1 name)" "$t_load"
    printf '  %-50s %6.2f s\n' "dnsfw-lint -p POLICY --format json" "$t_lint"
    printf '  %-50s %6.2f s\n' "dnsfw-lint -p POLICY (text)" "$t_text"
    awk -v a="$t_lint" -v b="$t_load" 'BEGIN { printf "  lint --format json / load+compile: %.2fx\n", a / b }'
done

/usr/bin/python3 "$root/tests/bench/gen_route53_log.py" "$records" "$work/log.json"
echo "log: $records records, $(($(stat -c %s "$work/log.json") / 1000000)) MB"
t_replay=$(measure "$eval_bin" --no-progress --log "$work/log.json" --report)
t_llog=$(measure "$lint" --log "$work/log.json" --format json)
awk -v t="$t_replay" -v r="$records" 'BEGIN { printf "%-52s %6.2f s %10.0f records/s\n", "dnsfw-eval --log LOG --report (the replay)", t, r / t }'
awk -v t="$t_llog" -v r="$records" 'BEGIN { printf "%-52s %6.2f s %10.0f records/s\n", "dnsfw-lint --log LOG --format json", t, r / t }'
awk -v a="$t_llog" -v b="$t_replay" 'BEGIN { printf "lint --log / replay: %.2fx the time\n", a / b }'
