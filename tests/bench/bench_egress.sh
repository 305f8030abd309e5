#!/bin/bash
# Egress join benchmark (not a test): dnsfw-eval --log QUERIES --flow-log FLOWS --report
# on generated logs, one core (taskset), for several counts of distinct answered
# addresses. For each: the replay of the query logs alone, then with the flow logs; the
# difference is the join (flow records read, parsed, judged against the answer index).
# Peak memory (max RSS) of both. In the same run, the obvious alternative on the first
# size: the answered addresses with jq | sort -u, the flows' destinations with awk | sort,
# and comm for those no answer gave (an exact-address join, without the time window).
#
# usage: tests/bench/bench_egress.sh [DNSFW_EVAL] [RECORDS] [ADDRESSES,...]
# (defaults: build/tools/eval/dnsfw-eval — build it with -Dbuildtype=release —,
#  10000000 query records and as many flow records, 10000,100000,1000000 addresses)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
eval_bin=${1:-$root/build/tools/eval/dnsfw-eval}
records=${2:-10000000}
sizes=${3:-10000,100000,1000000}
work=$(mktemp -d /tmp/dnsfw-bench-egress.XXXXXX)
trap 'rm -rf "$work"' EXIT
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
echo "machine: $cpu, $(nproc) cores (runs pinned to one: taskset -c 0), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "dnsfw-eval: $eval_bin; $records query records, $records flow records"

# run LABEL CMD...: wall, cpu (user + sys) and max RSS of one run
run() {
    local label=$1
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" taskset -c 0 "$@" >"$work/out" 2>"$work/err" ||
        [ $? -le 1 ] || { cat "$work/err" >&2; exit 1; }
    read -r wall user sys rss <"$work/time"
    echo "$label $wall $(awk "BEGIN { print $user + $sys }") $rss"
}

first=1
for addresses in ${sizes//,/ }; do
    python3 "$root/tests/bench/gen_egress_bench.py" "$records" "$records" "$addresses" \
        "$work/queries.json" "$work/flows.log"
    qmb=$(($(stat -c %s "$work/queries.json") / 1000000))
    fmb=$(($(stat -c %s "$work/flows.log") / 1000000))
    read -r _ w1 c1 m1 < <(run replay "$eval_bin" --no-progress --log "$work/queries.json" --report --format json)
    read -r _ w2 c2 m2 < <(run join "$eval_bin" --no-progress --log "$work/queries.json" \
        --flow-log "$work/flows.log" --report --format json)
    answered=$(jq .egress.answered_addresses "$work/out")
    index=$(jq .egress.answer_index_bytes "$work/out")
    direct=$(jq .egress.by_outcome.direct_ip "$work/out")
    groups=$(jq '.direct_ip | length' "$work/out")
    echo
    echo "distinct answered addresses: $answered (queries $qmb MB, flows $fmb MB); flows judged direct: $direct in $groups groups"
    awk -v r="$records" -v w1="$w1" -v c1="$c1" -v m1="$m1" -v w2="$w2" -v c2="$c2" -v m2="$m2" \
        -v a="$answered" -v ix="$index" 'BEGIN {
        printf "  replay of the query logs alone   %7.2f s wall %7.2f s cpu %10.0f records/s  max RSS %7.1f MB\n", w1, c1, r / c1, m1 / 1024
        printf "  with the flow logs joined        %7.2f s wall %7.2f s cpu                      max RSS %7.1f MB\n", w2, c2, m2 / 1024
        printf "  the join: %.2f s cpu for %d flow records = %.0f flow records/s (cpu); %.1f MB more at the peak\n",
            c2 - c1, r, r / (c2 - c1), (m2 - m1) / 1024
        printf "  the answer index: %.1f MB, %.0f bytes per answered address\n", ix / 1e6, ix / a }'
    if [ "$first" = 1 ]; then
        first=0
        read -r _ w3 c3 m3 < <(run baseline bash -c "jq -r '.answers[].Rdata' '$work/queries.json' | sort -u >'$work/answered'
            awk 'NR > 1 { print \$5 }' '$work/flows.log' | sort | comm -23 - '$work/answered' | wc -l")
        awk -v r="$records" -v w2="$w2" -v c2="$c2" -v w3="$w3" -v c3="$c3" 'BEGIN {
            printf "  baseline jq | sort -u, awk | sort | comm (exact addresses, no window): %.2f s wall %.2f s cpu\n", w3, c3
            printf "  dnsfw-eval (replay, report and join) over the baseline: %.1fx wall, %.1fx cpu\n", w3 / w2, c3 / c2 }'
    fi
done
