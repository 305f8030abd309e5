#!/bin/sh
# Run an example program and compare what it prints with the expected text.
#
#   check_examples.sh embed    EMBED_EVAL POLICY_DIR
#   check_examples.sh chain    CHAIN_EVAL
#   check_examples.sh threaded THREADED_EVAL POLICY_DIR
#   check_examples.sh policies DNSFW_EVAL POLICY_DIR QUERY_FILE
#
# The expected verdicts follow from the policies in examples/policies/ and the
# semantics in docs/matching.md; they are written out here, not produced by the code.
set -u

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect_run NAME EXPECTED_STATUS COMMAND...: stdin of this function is the expected stdout.
expect_run() {
    name=$1
    want_status=$2
    shift 2
    cat >"$tmp/expected"
    "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" -ne "$want_status" ]; then
        fail "$name: exit status $status, expected $want_status"
        cat "$tmp/err" >&2
    fi
    if ! diff -u "$tmp/expected" "$tmp/out" >&2; then
        fail "$name: output differs (- expected, + actual)"
    fi
}

check_embed() {
    exe=$1
    dir=$2
    expect_run "embed_eval, default policy" 0 "$exe" <<'EOF'
github.com. A: ALLOW (rule group agent-egress-policy, rule 100, list platform-baseline, entry github.com)
objects.githubusercontent.com. A: ALLOW (rule group agent-egress-policy, rule 100, list platform-baseline, entry *.githubusercontent.com)
pypi.org. AAAA: ALLOW (rule group agent-egress-policy, rule 100, list platform-baseline, entry pypi.org)
evil.example. A: ALERT (rule group agent-egress-policy, rule 300, list block-all, entry *)
EOF
    expect_run "embed_eval, tiered-observe.json" 0 "$exe" "$dir/tiered-observe.json" \
        registry.yarnpkg.com cdn.jsdelivr.net jsdelivr.net github.com amazonaws.com <<'EOF'
registry.yarnpkg.com. A: ALLOW (rule group agent-egress-policy, rule 200, list blueprint-additional, entry registry.yarnpkg.com)
cdn.jsdelivr.net. A: ALLOW (rule group agent-egress-policy, rule 200, list blueprint-additional, entry *.jsdelivr.net)
jsdelivr.net. A: ALERT (rule group agent-egress-policy, rule 300, list block-all, entry *)
github.com. A: ALLOW (rule group agent-egress-policy, rule 100, list platform-baseline, entry github.com)
amazonaws.com. A: ALERT (rule group agent-egress-policy, rule 300, list block-all, entry *)
EOF
    expect_run "embed_eval, tiered-enforce.json" 0 "$exe" "$dir/tiered-enforce.json" \
        proxy.golang.org amazonaws.com s3.us-east-1.amazonaws.com evil.example/AAAA \
        placeholder.invalid <<'EOF'
proxy.golang.org. A: ALLOW (rule group agent-egress-policy, rule 200, list blueprint-additional, entry proxy.golang.org)
amazonaws.com. A: ALLOW (rule group agent-egress-policy, rule 100, list platform-baseline, entry amazonaws.com)
s3.us-east-1.amazonaws.com. A: ALLOW (rule group agent-egress-policy, rule 100, list platform-baseline, entry *.amazonaws.com)
evil.example. AAAA: BLOCK/NODATA (rule group agent-egress-policy, rule 300, list block-all, entry *)
placeholder.invalid. A: BLOCK/NODATA (rule group agent-egress-policy, rule 300, list block-all, entry *)
EOF
    expect_run "embed_eval, general.json" 0 "$exe" "$dir/general.json" \
        pypi.org files.pythonhosted.org/AAAA pythonhosted.org/AAAA github.com/TXT \
        nothing.example/TYPE28 <<'EOF'
pypi.org. A: ALLOW (rule group egress, rule 100 "allow", list allowed, entry pypi.org)
files.pythonhosted.org. AAAA: ALLOW (rule group egress, rule 100 "allow", list allowed, entry *.pythonhosted.org)
pythonhosted.org. AAAA: BLOCK/NXDOMAIN (rule group egress, rule 150 "aaaa-off", list all, entry *)
github.com. TXT: BLOCK/OVERRIDE (rule group egress, rule 300 "rest", list all, entry *)
nothing.example. AAAA: BLOCK/NXDOMAIN (rule group egress, rule 150 "aaaa-off", list all, entry *)
EOF
    # Errors: a malformed name is reported and the others still evaluated; a missing
    # policy file fails before anything is printed.
    expect_run "embed_eval, malformed name" 1 "$exe" "" a..b github.com <<'EOF'
github.com. A: ALLOW (rule group agent-egress-policy, rule 100, list platform-baseline, entry github.com)
EOF
    grep -q 'empty label' "$tmp/err" || fail "embed_eval, malformed name: no 'empty label' on stderr"
    expect_run "embed_eval, missing policy" 1 "$exe" "$tmp/no-such-policy.json" x.example </dev/null
    grep -q 'no-such-policy.json' "$tmp/err" || fail "embed_eval, missing policy: file not named"
    printf '{ "dnsfw": 1,\n  "mdoe": "enforce" }\n' >"$tmp/typo.json"
    expect_run "embed_eval, invalid policy" 1 "$exe" "$tmp/typo.json" x.example </dev/null
    grep -q 'typo.json:2:3: unknown key "mdoe"' "$tmp/err" ||
        fail "embed_eval, invalid policy: expected file:2:3 and the key on stderr"
}

check_chain() {
    expect_run "chain_eval" 0 "$1" <<'EOF'
INSPECT_REDIRECTION_DOMAIN: cdn.vendor.com -> x.akamaiedge.net: BLOCK/NODATA decided by x.akamaiedge.net (rule "rest", list all, entry *)
TRUST_REDIRECTION_DOMAIN: cdn.vendor.com -> x.akamaiedge.net: ALLOW decided by cdn.vendor.com (rule "allow", list allowed, entry cdn.vendor.com)
EOF
}

check_threaded() {
    # Default policy (observe): 4 of the 10 names are not in the baseline -> ALERT.
    expect_run "threaded_eval, default policy" 0 "$1" <<'EOF'
4 threads x 25000 evaluations: ALLOW 15000, ALERT 10000, BLOCK 0, NONE 0 each
EOF
    # tiered-enforce.json also lists amazonaws.com: 3 names left for the catch-all.
    expect_run "threaded_eval, tiered-enforce.json" 0 "$1" "$2/tiered-enforce.json" <<'EOF'
4 threads x 25000 evaluations: ALLOW 17500, ALERT 0, BLOCK 7500, NONE 0 each
EOF
}

# Every example policy loads and evaluates the sample queries: exit 0 or 1, never 3,
# nothing on stderr, one verdict line per query.
check_policies() {
    tool=$1
    dir=$2
    queries=$3
    n_queries=$(grep -c -v -e '^#' -e '^[[:space:]]*$' "$queries")
    found=0
    for policy in "$dir"/*.json; do
        [ -e "$policy" ] || continue
        found=$((found + 1))
        for json in "" --json; do
            "$tool" -p "$policy" $json <"$queries" >"$tmp/out" 2>"$tmp/err"
            status=$?
            case $status in
            0 | 1) ;;
            *) fail "$policy $json: exit status $status"; cat "$tmp/err" >&2 ;;
            esac
            if [ -s "$tmp/err" ]; then
                fail "$policy $json: wrote to stderr"
                cat "$tmp/err" >&2
            fi
            lines=$(wc -l <"$tmp/out")
            [ "$lines" -eq "$n_queries" ] ||
                fail "$policy $json: $lines verdict lines for $n_queries queries"
        done
        echo "ok: $policy"
    done
    [ "$found" -gt 0 ] || fail "no policies in $dir"
}

case ${1:-} in
embed) check_embed "$2" "$3" ;;
chain) check_chain "$2" ;;
threaded) check_threaded "$2" "$3" ;;
policies) check_policies "$2" "$3" "$4" ;;
*)
    echo "usage: $0 embed|chain|threaded|policies ARGS..." >&2
    exit 99
    ;;
esac
[ "$failures" -eq 0 ] || exit 1
exit 0
