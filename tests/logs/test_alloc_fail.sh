#!/bin/bash
# Running out of memory in dnsfw-eval: for each allocation of a run, run again with
# that allocation refused (fail_nth_alloc.so, LD_PRELOAD) and require the tool to end
# cleanly: exit 0 or 1 when the refusal did not matter, 4 (system error) when it did.
# Never a signal, and never exit 3: a lack of memory is not a malformed input.
#
#   test_alloc_fail.sh PATH/TO/dnsfw-eval PATH/TO/fail_nth_alloc.so DATA_DIR [log|names]
#
# log (the default): replays with --log; names: names read from stdin.
# Prints one line per case; exits 1 if any failed.
set -u
if [ $# -ne 3 ] && [ $# -ne 4 ]; then
    echo "usage: $0 PATH/TO/dnsfw-eval PATH/TO/fail_nth_alloc.so DATA_DIR [log|names]" >&2
    exit 2
fi
WHAT=${4:-log}
EVAL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PRELOAD=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
cd "$3/logs" || exit 1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failed=0

# every_allocation DESC ARGS...: one run per allocation of the run with ARGS, stdin from
# $STDIN (default /dev/null). With SAME_OUTPUT=1, a run that ends with exit 0 or 1 must
# also print all that the run without refusals prints: nothing lost silently.
every_allocation() {
    local desc=$1
    shift
    DNSFW_COUNT_ALLOC=$TMP/count LD_PRELOAD=$PRELOAD "$EVAL" --no-progress "$@" <"${STDIN:-/dev/null}" >"$TMP/want" 2>&1
    local total bad=0 refused=0 n rc
    total=$(cat "$TMP/count" 2>/dev/null || echo 0)
    for ((n = 1; n <= total; n++)); do
        DNSFW_FAIL_ALLOC=$n LD_PRELOAD=$PRELOAD "$EVAL" --no-progress "$@" <"${STDIN:-/dev/null}" >"$TMP/got" 2>"$TMP/err"
        rc=$?
        case $rc in
        0 | 1)
            if [ "${SAME_OUTPUT:-0}" = 1 ] && ! cmp -s "$TMP/want" "$TMP/got"; then
                bad=$((bad + 1))
                [ $bad -le 3 ] && echo "  allocation $n refused: exit $rc with output lost"
            fi
            ;;
        4) refused=$((refused + 1)) ;;
        *)
            bad=$((bad + 1))
            [ $bad -le 3 ] && echo "  allocation $n refused: exit $rc: $(head -c 300 "$TMP/err")"
            ;;
        esac
    done
    # The refusals must have been felt (exit 4) somewhere, or nothing was tested.
    if [ "$total" -gt 0 ] && [ $bad -eq 0 ] && [ $refused -gt 0 ]; then
        echo "ok   $desc ($total allocations, $refused runs ended with exit 4)"
    else
        echo "FAIL $desc ($total allocations, $refused exit 4, $bad wrong)"
        failed=$((failed + 1))
    fi
}

if [ "$WHAT" = names ]; then
    STDIN=../inputs/names.txt SAME_OUTPUT=1 every_allocation "names from stdin, --summary" --summary -p policy-tiered.json
    exit $((failed > 0))
fi
every_allocation "text report with a scope map" --log replay.jsonl --report -p policy-tiered.json --scope-map scope-map.txt
every_allocation "JSON report" --log replay.jsonl --report --format json -p policy-general.json
every_allocation "Markdown report" --log replay.jsonl --report --format markdown -p policy-general.json
every_allocation "a verdict line a record" --log replay.jsonl --json -p policy-general.json
every_allocation "egress: flow logs joined, Advanced rules" --log aws-samples.jsonl --report --format json \
    -p ../egress/policy-advanced.json --flow-log ../egress/alloc-flows.log --scope-map scope-map.txt
exit $((failed > 0))
