#!/bin/bash
# Replay benchmark (not a test): dnsfw-eval --log --report on a generated Route 53 query
# log, side by side in the same run with the obvious alternative,
#   jq -r .query_name LOG | sort | uniq -c
# and with the same records in the shapes CloudWatch Logs hands them out in: export task
# lines ("<time> <record>", gzip as export tasks write them, and plain) and a Firehose
# object (subscription payloads of 500 events, each gzip as CloudWatch Logs sends them,
# and decompressed as Firehose's CloudWatch decompression writes them).
# usage: tests/bench/bench_replay.sh [DNSFW_EVAL] [RECORDS] [REPEAT]
# (defaults: build/tools/eval/dnsfw-eval, 1000000 records, best of 3)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
eval_bin=${1:-$root/build/tools/eval/dnsfw-eval}
records=${2:-1000000}
repeat=${3:-3}
work=$(mktemp -d /tmp/dnsfw-bench-replay.XXXXXX)
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 "$root/tests/bench/gen_route53_log.py" "$records" "$work/log.json"
bytes=$(stat -c %s "$work/log.json")
gzip -1 -c "$work/log.json" > "$work/log.json.gz"
/usr/bin/python3 "$root/tests/bench/to_cloudwatch.py" "$work/log.json" "$work"

# best of N: wall seconds and CPU seconds (user + sys of the command and its children)
measure() {
    local best_wall='' best_cpu='' wall user sys
    for _ in $(seq "$repeat"); do
        TIMEFORMAT='%R %U %S'
        { time { "$@" > /dev/null 2>&1 || [ $? -le 1 ]; }; } 2> "$work/time"
        read -r wall user sys < "$work/time"
        if [ -z "$best_wall" ] || awk "BEGIN { exit !($wall < $best_wall) }"; then
            best_wall=$wall
            best_cpu=$(awk "BEGIN { print $user + $sys }")
        fi
    done
    echo "$best_wall $best_cpu"
}

report() {
    local label=$1 wall=$2 cpu=$3
    awk -v l="$label" -v w="$wall" -v c="$cpu" -v r="$records" -v b="$bytes" 'BEGIN {
        printf "%-44s %7.2f s wall %7.2f s cpu %10.0f records/s (cpu: %10.0f) %7.1f MB/s\n",
            l, w, c, r / w, r / c, b / w / 1e6 }'
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "log: $records records, $((bytes / 1000000)) MB (gzip: $(($(stat -c %s "$work/log.json.gz") / 1000000)) MB); best of $repeat"
read -r w1 c1 < <(measure "$eval_bin" --no-progress --log "$work/log.json" --report)
report "dnsfw-eval --log --report (plain)" "$w1" "$c1"
read -r w2 c2 < <(measure "$eval_bin" --no-progress --log "$work/log.json.gz" --report)
report "dnsfw-eval --log --report (gzip)" "$w2" "$c2"
read -r w3 c3 < <(measure "$eval_bin" --no-progress --log "$work/log.json" --json)
report "dnsfw-eval --log --json (a line a record)" "$w3" "$c3"
read -r w5 c5 < <(measure "$eval_bin" --no-progress --log "$work/export.log" --report)
report "--report, CloudWatch export lines (plain)" "$w5" "$c5"
read -r w6 c6 < <(measure "$eval_bin" --no-progress --log "$work/000000.gz" --report)
report "--report, CloudWatch export lines (gzip)" "$w6" "$c6"
read -r w7 c7 < <(measure "$eval_bin" --no-progress --log "$work/firehose-plain" --report)
report "--report, Firehose object (decompressed)" "$w7" "$c7"
read -r w8 c8 < <(measure "$eval_bin" --no-progress --log "$work/firehose" --report)
report "--report, Firehose object (gzip payloads)" "$w8" "$c8"
# Ratios of records/s (1.00 = as fast as plain JSON lines), by wall time and by CPU time:
# on a machine shared with other work, the CPU ratios are the ones to read.
awk -v w1="$w1" -v w2="$w2" -v w5="$w5" -v w6="$w6" -v w7="$w7" -v w8="$w8" \
    -v c1="$c1" -v c2="$c2" -v c5="$c5" -v c6="$c6" -v c7="$c7" -v c8="$c8" 'BEGIN {
    printf "against plain JSON lines, wall: export plain %.2f, export gzip %.2f, Firehose decompressed %.2f, Firehose gzip %.2f\n",
        w1 / w5, w1 / w6, w1 / w7, w1 / w8
    printf "against plain JSON lines, cpu:  export plain %.2f, export gzip %.2f, Firehose decompressed %.2f, Firehose gzip %.2f\n",
        c1 / c5, c1 / c6, c1 / c7, c1 / c8
    printf "gzip shapes against gzip JSON lines, cpu: export gzip %.2f, Firehose gzip %.2f\n", c2 / c6, c2 / c8 }'
read -r w4 c4 < <(measure bash -c "jq -r .query_name '$work/log.json' | sort | uniq -c")
report "jq -r .query_name | sort | uniq -c" "$w4" "$c4"
awk -v w1="$w1" -v c1="$c1" -v w4="$w4" -v c4="$c4" 'BEGIN {
    printf "speed-up of dnsfw-eval --report (plain) over the jq pipeline: %.1fx wall, %.1fx cpu\n",
        w4 / w1, c4 / c1 }'
