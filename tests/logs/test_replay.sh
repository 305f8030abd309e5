#!/bin/bash
# Black-box tests of dnsfw-eval --log (query-log replay): golden reports, per-record
# verdicts against the engine, input kinds (.gz, directory trees, stdin), the text
# formats, bad input, exit codes.
#
#   test_replay.sh PATH/TO/dnsfw-eval DATA_DIR [SECTION,...]
#
# SECTIONs: reports, verdicts, inputs, errors, usage (default: all; meson runs each as
# its own test, in parallel).
# DATA_DIR is tests/data; the logs, policies and golden outputs are in DATA_DIR/logs
# (see the comments at each golden check for what was verified by hand). Set
# DNSFW_TEST_WRAPPER to run the tool under a wrapper (valgrind, say). Set
# DNSFW_UPDATE_GOLDEN=1 to rewrite the golden files (then read them before committing).
# Prints one line per check; exits 1 if any failed (also when jq, gzip or split is missing).
set -u
set -f # entries such as '*' must never glob

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 PATH/TO/dnsfw-eval DATA_DIR [reports,verdicts,inputs,errors,usage]" >&2
    exit 2
fi
SECTIONS=${3:-reports,verdicts,inputs,errors,usage}
EVAL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
LOGS=$(cd "$2/logs" && pwd)
GOLDEN=$LOGS/golden
[ -x "$EVAL" ] || { echo "FAIL $EVAL is not an executable" >&2; exit 1; }
for tool in jq gzip split cmp; do
    command -v $tool >/dev/null || { echo "FAIL: $tool not found (scripts/install-deps.sh installs it)"; exit 1; }
done
read -ra WRAP <<<"${DNSFW_TEST_WRAPPER:-}"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out
ERR=$TMP/err
IN=/dev/null # stdin of the next run
RC=0
passed=0
failed=0
# Relative paths keep file names in diagnostics and reports the same on every machine.
cd "$LOGS" || exit 1

# --- helpers ---------------------------------------------------------------------------

ok() {
    passed=$((passed + 1))
    echo "ok   $1"
}

not_ok() {
    failed=$((failed + 1))
    echo "FAIL $1"
    shift
    local line
    for line in "$@"; do
        echo "       $line"
    done
}

# todo DESC COMMAND...: a known bug (reported, not fixed yet): listed, not counted as failed.
todo() {
    local desc=$1
    shift
    if "$@"; then ok "$desc (known bug fixed: make it a check)"; else echo "TODO $desc"; fi
}

# check DESC COMMAND...: the command's success is the check's.
check() {
    local desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc" "failed: $*" "stdout: $(head -c 800 "$OUT")" "stderr: $(head -c 800 "$ERR")"; fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
    if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}

# run ARGS...: run the tool with stdin from $IN (then reset to /dev/null); sets RC, OUT, ERR.
run() {
    "${WRAP[@]}" "$EVAL" "$@" <"$IN" >"$OUT" 2>"$ERR"
    RC=$?
    IN=/dev/null
    if grep -qE 'Sanitizer|runtime error:|==[0-9]+==' "$ERR"; then
        not_ok "no sanitizer/valgrind report: $*" "$(head -c 2000 "$ERR")"
    fi
}

rc_is() { [ "$RC" -eq "$1" ]; }
err_empty() { [ ! -s "$ERR" ]; }
err_has() { grep -qF -- "$1" "$ERR"; }
err_lines() { [ "$(wc -l <"$ERR")" -eq "$1" ]; }
out_lines() { [ "$(wc -l <"$OUT")" -eq "$1" ]; }
jq_is() { [ "$(jq -c "$1" "$OUT" | tr -d '\n')" == "$2" ]; } # jq_is FILTER EXPECTED (compact, joined)

# check_same DESC EXPECTED-FILE ACTUAL-FILE
check_same() {
    if cmp -s "$2" "$3"; then ok "$1"; else not_ok "$1" "$(diff -u "$2" "$3" | head -30)"; fi
}

# golden DESC FILE [FILTER]: stdout (through jq -S FILTER when given) equals golden/FILE.
golden() {
    local desc=$1 file=$2 filter=${3:-}
    local got=$TMP/golden.$file
    if [ -n "$filter" ]; then jq -S "$filter" "$OUT" >"$got"; else cp "$OUT" "$got"; fi
    if [ "${DNSFW_UPDATE_GOLDEN:-}" == 1 ]; then
        mkdir -p "$GOLDEN" && cp "$got" "$GOLDEN/$file"
    fi
    if cmp -s "$got" "$GOLDEN/$file"; then
        ok "$desc"
    else
        not_ok "$desc" "differs from golden/$file:" "$(diff -u "$GOLDEN/$file" "$got" | head -40)"
    fi
}

# The contract's keys (§2) plus the replay keys, for every line of stdout.
RECORD_JQ='
def str: type == "string";
def str_or_null: type == "string" or . == null;
type == "object"
and ([ "query_name", "query_type", "action", "rule_group", "rule_priority", "rule",
       "domain_list", "entry", "block_response", "query_timestamp", "srcaddr",
       "firewall_rule_action" ] - keys | length == 0)
and (.query_name | str and endswith("."))
and (.action | IN("ALLOW", "ALERT", "BLOCK", "NONE"))
and (.query_timestamp | str_or_null) and (.srcaddr | str_or_null)
and (.firewall_rule_action | str_or_null)
and (if .action == "BLOCK" then .block_response | IN("NODATA", "NXDOMAIN", "OVERRIDE")
     else .block_response == null end)
and (if has("decided_by_hop") then (.decided_by_hop | . >= 1) and (.hop_name | str) else true end)
'
records_ok() {
    local lines good
    lines=$(wc -l <"$OUT")
    good=$(jq -R "try (fromjson | $RECORD_JQ) catch false" "$OUT" | grep -c '^true$')
    [ "$lines" -gt 0 ] && [ "$lines" -eq "$good" ]
}

# The verdict fields of the JSON lines on stdout, one line each.
VERDICT='[.query_name, .query_type, .action, .rule_group, .rule_priority, .rule, .domain_list, .entry, .block_response] | map(tostring) | join(" ")'

REPORT=(--log replay.jsonl --report --scope-map scope-map.txt)
TIERED=(-p policy-tiered.json)
PATTERN='^\[INFO\] (?<client>[0-9.]+):[0-9]+ - [0-9]+ "(?<qtype>[A-Z0-9]+) IN (?<qname>[^ ]+) '
RECORD='{"query_name":"ok-%s.example.","query_type":"A","srcaddr":"10.9.9.9"}\n'

section_reports() {
    # --- golden reports ---------------------------------------------------------------------
    #
    # replay.jsonl: the three AWS sample records (aws-dns-firewall.md §8.2, verbatim) and 29
    # records written for these tests, read against policy-tiered.json (observe mode; baseline
    # github.com, api.github.com, *.githubusercontent.com, registry.npmjs.org; blueprints
    # org/web: cdn.example.net, api.stripe.com; org/data: pypi.org, files.pythonhosted.org)
    # and scope-map.txt. Verified by hand in golden/report.txt (the JSON and Markdown goldens
    # carry the same tree, checked to agree with it):
    # - totals: 32 records, 27 distinct names; as given ALLOW 9 (github.com, raw.githubuser-
    #   content.com, api.github.com by the baseline, registry.npmjs.org, pypi.org x2,
    #   files.pythonhosted.org, api.stripe.com x2 by the blueprint union) and ALERT 23; in
    #   enforce mode the 23 ALERTs are blocked, 20 distinct names; logged: none 7 (two AWS
    #   samples and 5 allowed records), ALERT 23, BLOCK 2 (AWS sample 1, api.github.com).
    # - would block, by registrable domain (libpsl), heaviest first, ties by name:
    #   example.com 5 (abcd, metrics and three *.api.metrics), alice.github.io 4, vendor.io 3
    #   (telemetry.vendor.io: first seen 07:30:00Z although logged second, last seen
    #   12:45:10.250Z; types A,AAAA; two clients), example.net 2 (cdn.example.net via the
    #   CNAME hop cdn.example.net.edgekey.net.), then the 1-query domains in name order, each
    #   github.io user page and each s3.amazonaws.com bucket its own registrable domain.
    # - chain blocks: cdn.example.net. -> cdn.example.net.edgekey.net. 2 queries, allowed by
    #   agent-egress-policy rule 200 (blueprint-additional, entry cdn.example.net); one fix
    #   (allow the hop): a tiered policy cannot set redirection on its rules.
    # - drift: ALERT->ALLOW 3 (pypi.org x2, files.pythonhosted.org: blueprint added since),
    #   none->ALERT 2 (AWS samples 2, 3), BLOCK->ALERT 1 (AWS sample 1), BLOCK->ALLOW 1
    #   (api.github.com).
    # - suggestions (13): every chain hop that blocks on its own is a name to allow, but
    #   counted apart from the query names (an entry's "names" and "queries" are the query
    #   names' only): example.com has 5 names and 1 hop (abcd, metrics, three
    #   *.api.metrics; the CNAME hop test.example.com): *.api.metrics.example.com is chosen
    #   first (deepest), then *.example.com for the 3 left, which takes the nested one in; *.alice.github.io
    #   (3 names; alice.github.io itself stays exact) but never *.github.io nor
    #   *.s3.amazonaws.com (public suffixes: bob, carol and the buckets get exact entries),
    #   *.mail.example.org (the only way to list _dmarc.mail.example.org), the chain hops
    #   cdn.example.net.edgekey.net and e1234.a.akamaiedge.net (hops only: 0 names),
    #   telemetry.vendor.io (3 queries), the rest exact with 1 query. Kept out: AWS sample 1
    #   (15.3.4.32.in-addr.arpa., logged BLOCK by rslvr-fdl-01234567890abcdef, not a
    #   catch-all as far as anything says) and sample 3 (does-not-exist.abc.com., NXDOMAIN).
    # - repositories: org/web 16 records, 12 blocked (9 names), isolation 1 (pypi.org, allowed
    #   only by org/data's list); org/data 11 records (3 by instance id i-0da7a000000000001),
    #   7 blocked, isolation 1 (api.stripe.com); (unmapped) 3 (the AWS samples); org/ml 2
    #   records (10.0.2.128/25 beats 10.0.2.0/24), 1 blocked, no blueprint.

    run "${TIERED[@]}" "${REPORT[@]}"
    check "report text: exit 0 (observe mode blocks nothing)" rc_is 0
    check "report text: nothing on stderr" err_empty
    golden "report text equals golden/report.txt" report.txt
    run "${TIERED[@]}" "${REPORT[@]}" --json
    check "report json: exit 0" rc_is 0
    golden "report json equals golden/report.json" report.json .
    cp "$OUT" "$TMP/report.json"
    run "${TIERED[@]}" "${REPORT[@]}" --format json
    check "--format json is --json" cmp -s "$OUT" "$TMP/report.json"
    run "${TIERED[@]}" "${REPORT[@]}" --format markdown
    check "report markdown: exit 0" rc_is 0
    golden "report markdown equals golden/report.md" report.md
    run "${TIERED[@]}" "${REPORT[@]}" --format text
    golden "--format text is the default" report.txt

    # The numbers above, asserted directly so that a careless golden update cannot hide them.
    OUT=$TMP/report.json
    check "json: totals" jq_is '.totals | [.records, .distinct_names, .malformed, .by_action.ALLOW, .by_action.ALERT, .enforce.blocked_records, .enforce.blocked_names]' '[32,27,0,9,23,23,20]'
    check "json: would_block domains" jq_is '[.would_block[] | "\(.registrable_domain)=\(.queries)"] | join(" ")' '"example.com=5 alice.github.io=4 vendor.io=3 example.net=2 32.in-addr.arpa=1 abc.com=1 bob.github.io=1 bucket-a.s3.amazonaws.com=1 bucket-b.s3.amazonaws.com=1 bucket-c.s3.amazonaws.com=1 carol.github.io=1 example.ai=1 example.org=1"'
    check "json: first/last seen by time, not by order" jq_is '.would_block[] | select(.registrable_domain == "vendor.io") | .names[0] | [.first_seen, .last_seen, .query_types]' '["2026-11-27T07:30:00Z","2026-11-27T12:45:10.250Z",["A","AAAA"]]'
    check "json: chain block" jq_is '.chain_blocks | map([.name, .hop, .queries, .allowed_by.rule_priority, .allowed_by.domain_list, (.fixes | length)])' '[["cdn.example.net.","cdn.example.net.edgekey.net.",2,200,"blueprint-additional",1]]'
    check "json: drift kinds" jq_is '[.drift[] | "\(.logged)>\(.now)=\(.records)"] | join(" ")' '"ALERT>ALLOW=3 none>ALERT=2 BLOCK>ALERT=1 BLOCK>ALLOW=1"'
    check "json: no wildcard on a public suffix" jq_is '[.suggestions.egress_allowlist[] | select(. == "*.github.io" or . == "*.s3.amazonaws.com" or . == "*.amazonaws.com" or . == "*.io" or . == "*.com")]' '[]'
    check "json: wildcards" jq_is '[.suggestions.egress_allowlist[] | select(startswith("*"))]' '["*.alice.github.io","*.example.com","*.mail.example.org"]'
    check "json: 13 suggestions" jq_is '.suggestions.egress_allowlist | length' '13'
    check "json: repositories" jq_is '[.repositories[] | [.repo, .blueprint, .records, .would_block_records, .would_block_names, .isolation_block_records, (.isolation_blocks | map(.name))]]' '[["org/web",true,16,12,9,1,["pypi.org."]],["org/data",true,11,7,7,1,["api.stripe.com."]],["(unmapped)",false,3,3,3,0,[]],["org/ml",false,2,1,1,0,[]]]'
    OUT=$TMP/out

    # The suggested entries, added to the policy, let the whole log through in enforce mode:
    # every chain hop that blocks on its own is suggested, also those behind an earlier
    # block (e1234.a.akamaiedge.net., the second hop of cdn.example.net, and
    # test.example.com., the CNAME of abcd.example.com, whose own name blocks first).
    jq --slurpfile r "$TMP/report.json" '.mode = "enforce" | .blueprints += [{repo: "org/suggested", egress_allowlist: $r[0].suggestions.egress_allowlist}]' policy-tiered.json >"$TMP/fixed.json"
    run -p "$TMP/fixed.json" --log replay.jsonl --report --json
    check "suggestions applied: only the names kept apart stay blocked (exit 1)" rc_is 1
    check "suggestions applied: would_block is those two" jq_is '[.totals.enforce.blocked_records, ([.would_block[].names[].name] | sort)]' '[2,["15.3.4.32.in-addr.arpa.","does-not-exist.abc.com."]]'
    check "suggestions applied: no chain block remains" jq_is '.chain_blocks' '[]'
    OUT=$TMP/report.json
    check "json: kept out of the suggestions, with why" jq_is '[.suggestions.not_suggested[] | [.name, .reason, ([.blocked_by[]?.firewall_domain_list_id])]]' '[["15.3.4.32.in-addr.arpa.","logged_block",["rslvr-fdl-01234567890abcdef"]],["does-not-exist.abc.com.","nxdomain",[]]]'
    check "json: CNAME hops are counted apart" jq_is '[.suggestions.entries[] | select(.hops > 0) | [.entry, .names, .hops, .queries]]' '[["*.example.com",5,1,5],["cdn.example.net.edgekey.net",0,1,0],["e1234.a.akamaiedge.net",0,1,0]]'
    check "json: drift names the logged rule group and list" jq_is '[.drift[] | select(.logged == "BLOCK" and .now == "ALERT") | .acted_by[] | [.firewall_rule_group_id, .firewall_domain_list_id, .records]]' '[["rslvr-frg-01234567890abcdef","rslvr-fdl-01234567890abcdef",1]]'
    OUT=$TMP/out

    # Enforce mode: the same enforce view, BLOCKs now (exit 1), drift against BLOCK.
    run "${TIERED[@]}" --mode enforce "${REPORT[@]}" --json
    check "report in enforce mode: exit 1" rc_is 1
    jq -S '.would_block' "$OUT" >"$TMP/wb.enforce"
    jq -S '.would_block' "$TMP/report.json" >"$TMP/wb.observe"
    check "report in enforce mode: same would_block as in observe mode" cmp -s "$TMP/wb.enforce" "$TMP/wb.observe"
    check "report in enforce mode: mode and verdicts" jq_is '[.policy.mode, .totals.by_action.BLOCK, .totals.by_action.ALERT]' '["enforce",23,0]'
    check "report in enforce mode: drift" jq_is '[.drift[] | "\(.logged)>\(.now)=\(.records)"] | join(" ")' '"ALERT>BLOCK=20 ALERT>ALLOW=3 none>BLOCK=2 BLOCK>ALLOW=1"'

    # --scope org/web: pypi.org x2 and files.pythonhosted.org are blocked too; api.stripe.com
    # is not; the report names the scope.
    run "${TIERED[@]}" --scope org/web --log replay.jsonl --report --json
    check "report --scope: exit 0" rc_is 0
    check "report --scope: counts" jq_is '[.policy.scope, .totals.enforce.blocked_records, .totals.enforce.blocked_names, .totals.by_action.ALLOW]' '["org/web",26,22,6]'
    check "report --scope: pypi.org blocked" jq_is '[.would_block[] | select(.registrable_domain == "pypi.org") | .queries]' '[2]'

    # --min-count and --wildcard-min.
    run "${TIERED[@]}" --log replay.jsonl --report --json --min-count 2
    check "--min-count 2: only names blocked twice" jq_is '[.suggestions.min_count, .suggestions.egress_allowlist]' '[2,["cdn.example.net.edgekey.net","e1234.a.akamaiedge.net","telemetry.vendor.io"]]'
    run "${TIERED[@]}" --log replay.jsonl --report --json --min-count 4
    check "--min-count 4: none" jq_is '.suggestions.egress_allowlist' '[]'
    run "${TIERED[@]}" --log replay.jsonl --report --json --wildcard-min 4
    check "--wildcard-min 4: example.com's 5 names and a chain hop, and the forced wildcard" jq_is '[.suggestions.wildcard_min, [.suggestions.entries[] | select(.entry | startswith("*")) | [.entry, .names, .hops]]]' '[4,[["*.example.com",5,1],["*.mail.example.org",1,0]]]'
    run "${TIERED[@]}" --log replay.jsonl --report --json --wildcard-min 2
    check "--wildcard-min 2: still no wildcard on a public suffix" jq_is '[.suggestions.egress_allowlist[] | select(. == "*.github.io" or . == "*.s3.amazonaws.com")]' '[]'
    check "--wildcard-min 2: *.example.com takes in the nested *.api.metrics.example.com" jq_is '[[.suggestions.entries[] | select(.entry == "*.example.com") | .names], [.suggestions.egress_allowlist[] | select(. == "*.api.metrics.example.com")]]' '[[5],[]]'

}

section_verdicts() {
    # --- per-record verdicts against the engine -------------------------------------------
    #
    # For every record without a redirection chain, the replayed verdict equals dnsfw-eval's
    # verdict for NAME/TYPE given as an argument (the core engine). Records with a chain are
    # checked against the hop that must decide (table below) and that hop's own verdict.

    # verdicts_agree DESC POLICY-ARGS...
    verdicts_agree() {
        local desc=$1
        shift
        run "$@" --log replay.jsonl --json
        local rc_log=$RC
        check "$desc: every line has the record keys" records_ok
        check "$desc: one line per record" out_lines 32
        cp "$OUT" "$TMP/records"
        # names of the records without a CNAME/DNAME answer, in log order
        jq -r 'select([.answers[]? | select(.Type == "CNAME" or .Type == "DNAME")] | length == 0) | "\(.query_name)/\(.query_type)"' replay.jsonl >"$TMP/plain-names"
        jq -r 'select([.answers[]? | select(.Type == "CNAME" or .Type == "DNAME")] | length == 0) | .query_name' replay.jsonl >"$TMP/plain"
        mapfile -t names <"$TMP/plain-names"
        run "$@" --json "${names[@]}"
        jq -r "$VERDICT" "$OUT" >"$TMP/engine"
        jq -r --rawfile plain "$TMP/plain" 'select(.query_name as $n | $plain | split("\n") | index($n)) | '"$VERDICT" "$TMP/records" >"$TMP/replayed"
        check_eq "$desc: 29 records without a chain" 29 "$(wc -l <"$TMP/replayed")"
        check_same "$desc: replay = engine for each of them" "$TMP/engine" "$TMP/replayed"
        RC=$rc_log
    }

    # hop_is DESC NAME EXPECTED-HOP-NAME|- EVAL-ARGS...: the replayed line(s) of NAME (from
    # $TMP/records) say that hop decided (or no hop), with that name's own engine verdict.
    hop_is() {
        local desc=$1 name=$2 hop=$3
        shift 3
        local got want decider
        got=$(jq -r --arg n "$name" 'select(.query_name == $n) | "\(.hop_name // "-") \(.decided_by_hop // 0) " + ('"$VERDICT"')' "$TMP/records" | sort -u)
        decider=$name
        [ "$hop" != - ] && decider=$hop
        run "$@" --json "$decider"
        want="$hop $([ "$hop" == - ] && echo 0 || echo 1) $(jq -r "$VERDICT" "$OUT" | sed "s|^$decider |$name |")"
        check_eq "$desc" "$want" "$got"
    }

    verdicts_agree "tiered, observe" "${TIERED[@]}"
    check "tiered, observe: exit 0" rc_is 0
    # cdn.example.net is allowed (rule 200, INSPECT); its first hop ALERTs (rule 300) and
    # nothing blocks, so the first ALERT decides: hop 1. abcd.example.com (AWS sample 2) ALERTs
    # by its own name first, so its CNAME test.example.com. does not decide.
    hop_is "tiered, observe: cdn.example.net decided by hop 1" cdn.example.net. cdn.example.net.edgekey.net. "${TIERED[@]}"
    hop_is "tiered, observe: abcd.example.com decided by its name" abcd.example.com. - "${TIERED[@]}"

    verdicts_agree "tiered, enforce" "${TIERED[@]}" --mode enforce
    check "tiered, enforce: exit 1" rc_is 1
    hop_is "tiered, enforce: cdn.example.net blocked by hop 1" cdn.example.net. cdn.example.net.edgekey.net. "${TIERED[@]}" --mode enforce
    hop_is "tiered, enforce: abcd.example.com blocked by its name" abcd.example.com. - "${TIERED[@]}" --mode enforce

    verdicts_agree "general form" -p policy-general.json
    check "general form: exit 1 (block-bad)" rc_is 1
    # trust-cdn TRUSTs redirection: the chain of cdn.example.net is never looked at.
    hop_is "general form: cdn.example.net trusted" cdn.example.net. - -p policy-general.json
    hop_is "general form: abcd.example.com by its name" abcd.example.com. - -p policy-general.json

    verdicts_agree "tiered, --scope org/data" "${TIERED[@]}" --scope org/data
    check "tiered, --scope org/data: scope key" jq_is 'select(.query_name == "pypi.org.") | .scope' '"org/data""org/data"'

    # The report counts what the per-record verdicts say. It recalls a name's verdicts
    # instead of evaluating the name again (for its last query type, or any type when no
    # rule names one): a policy with a query-type rule, and names asked with several
    # types (telemetry.vendor.io: A, AAAA, A), check that nothing leaks across types.
    report_agrees() {
        local desc=$1
        shift
        run "$@" --log replay.jsonl --json
        local per
        per=$(jq -s -S -c 'group_by(.action) | map({(.[0].action): length}) | add' "$OUT")
        run "$@" --log replay.jsonl --report --json
        check_eq "$desc: report totals = per-record verdicts" "$per" "$(jq -S -c '.totals.by_action | with_entries(select(.value > 0))' "$OUT")"
    }
    cat >"$TMP/qtype-policy.json" <<'JSON'
{ "dnsfw": 1,
  "domain_lists": { "vendor": ["*.vendor.io"], "all": ["*"] },
  "rule_groups": [ { "name": "g", "priority": 100, "rules": [
    { "name": "no-aaaa", "priority": 10, "action": "BLOCK", "domain_list": "vendor",
      "qtype": "AAAA", "block_response": "NODATA" },
    { "name": "rest", "priority": 20, "action": "ALLOW", "domain_list": "all" } ] } ] }
JSON
    report_agrees "tiered, observe" "${TIERED[@]}"
    report_agrees "tiered, enforce" "${TIERED[@]}" --mode enforce
    report_agrees "general form" -p policy-general.json
    report_agrees "a query-type rule" -p "$TMP/qtype-policy.json"
    check "a query-type rule: only the AAAA query of telemetry.vendor.io blocked" jq_is '[.totals.by_action.BLOCK, (.would_block[].names[] | [.name, .queries, .query_types])]' '[1,["telemetry.vendor.io.",1,["A","AAAA"]]]'

    # The replay keys carry the record's values.
    run "${TIERED[@]}" --log aws-samples.jsonl --json
    check "AWS samples: three lines" out_lines 3
    check "AWS samples: query_timestamp, srcaddr, firewall_rule_action" jq_is '[.query_timestamp, .srcaddr, .firewall_rule_action]' '["2021-02-04T17:51:55Z","4.5.64.102","BLOCK"]["2021-12-11T22:48:33Z","172.31.86.159",null]["2021-12-11T22:46:23Z","172.31.86.159",null]'
    run "${TIERED[@]}" --log aws-samples.jsonl --json --scope-map scope-map.txt
    check "--scope-map adds repo to each line" jq_is '.repo' 'nullnullnull'
    run "${TIERED[@]}" --log replay.jsonl --json --scope-map scope-map.txt
    check "--scope-map: repo by CIDR, longest prefix, instance id" jq_is 'select(.query_name | IN("github.com.", "pypi.org.", "registry.npmjs.org.", "bucket-a.s3.amazonaws.com.")) | .repo' '"org/web""org/data""org/data""org/web""org/ml"'
    run "${TIERED[@]}" --log aws-samples.jsonl
    check "text lines: time, client and logged action" grep -qE '^ALERT +15\.3\.4\.32\.in-addr\.arpa\. +PTR .* time=2021-02-04T17:51:55Z client=4\.5\.64\.102 logged=BLOCK$' "$OUT"
    check "text lines: three" out_lines 3

}

section_inputs() {
    # --- inputs: .gz, directory trees, stdin, several --log -------------------------------------

    run "${TIERED[@]}" "${REPORT[@]}" --json
    cp "$OUT" "$TMP/report.json"
    run "${TIERED[@]}" --log replay.jsonl --json
    cp "$OUT" "$TMP/plain.out"
    gzip -c replay.jsonl >"$TMP/replay.jsonl.gz"
    run "${TIERED[@]}" --log "$TMP/replay.jsonl.gz" --json
    check ".gz: exit 0" rc_is 0
    check ".gz: same records as the plain file" cmp -s "$OUT" "$TMP/plain.out"
    cp replay.jsonl "$TMP/no-suffix"
    gzip -c replay.jsonl >"$TMP/gzip-without-suffix"
    run "${TIERED[@]}" --log "$TMP/gzip-without-suffix" --json
    check "gzip found by content, not by name" cmp -s "$OUT" "$TMP/plain.out"
    IN=replay.jsonl
    run "${TIERED[@]}" --log - --json
    check "stdin: same records" cmp -s "$OUT" "$TMP/plain.out"
    IN=$TMP/replay.jsonl.gz
    run "${TIERED[@]}" --log - --json
    check "gzipped stdin: same records" cmp -s "$OUT" "$TMP/plain.out"
    IN=replay.jsonl
    run -p - --log - --json
    check "-p - with --log -: usage error (exit 2)" rc_is 2

    # The S3 layout: AWSLogs/<account>/vpcdnsquerylogs/<vpc>/YYYY/MM/DD/<vpc>_vpcdnsquerylogs_
    # <account>_<yyyyMMdd>T<HHmm>Z_<random>.log.gz. Files are read in name order, so the
    # split log comes back in its order; hidden files are skipped.
    split -l 12 -d replay.jsonl "$TMP/part."
    tree=$TMP/s3/AWSLogs/111122223333/vpcdnsquerylogs/vpc-0a1b2c3d4e5f60718
    mkdir -p "$tree/2026/11/27" "$tree/2026/11/28"
    gzip -c "$TMP/part.00" >"$tree/2026/11/27/vpc-0a1b2c3d4e5f60718_vpcdnsquerylogs_111122223333_20261127T2355Z_1a2b3c4d.log.gz"
    gzip -c "$TMP/part.01" >"$tree/2026/11/28/vpc-0a1b2c3d4e5f60718_vpcdnsquerylogs_111122223333_20261128T0005Z_5e6f7a8b.log.gz"
    gzip -c "$TMP/part.02" >"$tree/2026/11/28/vpc-0a1b2c3d4e5f60718_vpcdnsquerylogs_111122223333_20261128T0010Z_0c1d2e3f.log.gz"
    echo 'not a record' >"$tree/2026/11/28/.partial.log.gz"
    run "${TIERED[@]}" --log "$TMP/s3" --json
    check "directory tree: exit 0 (hidden file skipped)" rc_is 0
    check "directory tree: same records, same order" cmp -s "$OUT" "$TMP/plain.out"
    run "${TIERED[@]}" --log "$TMP/s3/AWSLogs" --log /dev/null --json
    check "directory tree + an empty input: exit 3 (the empty one)" rc_is 3
    run "${TIERED[@]}" --log "$TMP/s3" --report --scope-map scope-map.txt --json
    check "directory tree report: 3 files, same bytes" jq_is '[.totals.files, .totals.bytes]' "[3,$(wc -c <replay.jsonl)]"
    jq -S 'del(.totals.files)' "$OUT" >"$TMP/tree.report"
    jq -S 'del(.totals.files)' "$TMP/report.json" >"$TMP/file.report"
    check "directory tree report = the plain file's report" cmp -s "$TMP/tree.report" "$TMP/file.report"
    # symbolic links: a loop back to the top, a second way into a directory, a second
    # name of a file: each is read once, and the walk says what it skipped
    ln -s ../.. "$tree/2026/11/loop"
    ln -s ../28 "$tree/2026/11/27/zz-again"
    ln -s "$(cd "$tree/2026/11/28" && ls | head -n 1)" "$tree/2026/11/28/zz-second-name.log.gz"
    run "${TIERED[@]}" --log "$TMP/s3" --json
    check "link loops: exit 0" rc_is 0
    check "link loops: every record once, in order" cmp -s "$OUT" "$TMP/plain.out"
    check "link loops: the three links skipped are said" \
        test "$(grep -c 'already read (through a symbolic link' "$ERR")" -eq 3
    rm "$tree/2026/11/loop" "$tree/2026/11/27/zz-again" "$tree/2026/11/28/zz-second-name.log.gz"
    run "${TIERED[@]}" --log "$TMP/part.00" --log "$TMP/part.01" --log "$TMP/part.02" --json
    check "several --log: same records, same order" cmp -s "$OUT" "$TMP/plain.out"
    run "${TIERED[@]}" --log replay.jsonl --log "$TMP/replay.jsonl.gz" --report --json
    check "the same log twice: every count doubles" jq_is '[.totals.files, .totals.records, .totals.distinct_names, .totals.enforce.blocked_records]' '[2,64,27,46]'
    # CRLF line ends, and a last line without a newline
    sed 's/$/\r/' aws-samples.jsonl >"$TMP/crlf.jsonl"
    printf '%s' "$(tail -n 1 aws-samples.jsonl)" >>"$TMP/crlf.jsonl"
    run "${TIERED[@]}" --log "$TMP/crlf.jsonl" --json
    check "CRLF and a last line without newline: exit 0" rc_is 0
    check "CRLF and a last line without newline: 4 records" out_lines 4

    # --- the text formats ---------------------------------------------------------------------

    # fmt_records DESC EXPECTED-JSONL ARGS...: query_name, query_type, srcaddr, query_timestamp
    # and action of each record line.
    fmt_records() {
        local desc=$1 want=$2
        shift 2
        run "$@" --json
        check "$desc: every line has the record keys" records_ok
        check_eq "$desc: records" "$want" "$(jq -c '[.query_name, .query_type, .srcaddr, .query_timestamp, .action]' "$OUT" | tr -d '\n')"
    }

    # dnsmasq.log: 12 lines (log-facility, syslog with a host, log-queries=extra), 4 queries;
    # the default policy allows github.com and pypi.org (baseline).
    fmt_records "dnsmasq" '["github.com.","A","10.0.1.10","Nov 27 10:00:01","ALLOW"]["telemetry.vendor.io.","AAAA","10.0.1.11","Nov 27 10:00:02","ALERT"]["pypi.org.","A","10.0.2.20","Nov 27 10:00:03","ALLOW"]["_dmarc.mail.example.org.","TXT","10.0.1.11","Nov  7 10:00:04","ALERT"]' --log dnsmasq.log --log-format dnsmasq
    check "dnsmasq: exit 0, nothing on stderr" [ "$RC" -eq 0 -a ! -s "$ERR" ]
    run --log dnsmasq.log --log-format dnsmasq --report --json
    check "dnsmasq report: 4 records, 8 other lines" jq_is '[.totals.records, .totals.not_query_lines, .totals.malformed]' '[4,8,0]'

    # bind.log: print-time, view, a line without time, IPv6 client, a query-failed line.
    fmt_records "bind" '["github.com.","A","10.0.1.10","27-Nov-2026 10:00:01.123","ALLOW"]["telemetry.vendor.io.","AAAA","10.0.1.11","27-Nov-2026 10:00:02.456","ALERT"]["pypi.org.","A","10.0.2.20","27-Nov-2026 10:00:03.000","ALLOW"]["_dmarc.mail.example.org.","TXT","2001:db8::7",null,"ALERT"]' --log bind.log --log-format bind
    check "bind: exit 0, nothing on stderr" [ "$RC" -eq 0 -a ! -s "$ERR" ]
    run --log bind.log --log-format bind --report --json
    check "bind report: 4 records, 1 other line" jq_is '[.totals.records, .totals.not_query_lines, .totals.malformed]' '[4,1,0]'

    # unbound.log / unbound-tagged.log / unbound-ascii.log: written by unbound 1.17.1
    # (log-queries, log-replies; log-tag-queryreply; log-time-ascii) for 5 dig queries.
    UNBOUND_WANT='["example.com.","A","127.0.0.1","1795863951","ALERT"]["www.example.com.","A","127.0.0.1","1795863951","ALERT"]["api.corp.test.","AAAA","127.0.0.1","1795863951","ALERT"]["nx.corp.test.","TXT","127.0.0.1","1795863951","ALERT"]["example.com.","MX","127.0.0.1","1795863952","ALERT"]'
    fmt_records "unbound" "$UNBOUND_WANT" --log unbound.log --log-format unbound
    fmt_records "unbound, log-tag-queryreply" '["example.com.","A","127.0.0.1","1795863953","ALERT"]["www.example.com.","A","127.0.0.1","1795863953","ALERT"]["api.corp.test.","AAAA","127.0.0.1","1795863953","ALERT"]["nx.corp.test.","TXT","127.0.0.1","1795863953","ALERT"]["example.com.","MX","127.0.0.1","1795863954","ALERT"]' --log unbound-tagged.log --log-format unbound
    fmt_records "unbound, log-time-ascii" '["example.com.","A","127.0.0.1","Nov 28 11:06:01","ALERT"]["www.example.com.","A","127.0.0.1","Nov 28 11:06:02","ALERT"]' --log unbound-ascii.log --log-format unbound
    run --log unbound.log --log unbound-tagged.log --log unbound-ascii.log --log-format unbound --report --json
    check "unbound report: 12 records, 18 other lines" jq_is '[.totals.records, .totals.not_query_lines, .totals.malformed, .totals.files]' '[12,18,0,3]'

    # coredns.log with a custom pattern: its first line (a plugin notice) does not match, so it
    # is malformed (a custom format knows no other lines); the 4 queries are evaluated.
    fmt_records "custom (CoreDNS)" '["github.com.","A","10.0.1.10",null,"ALLOW"]["telemetry.vendor.io.","AAAA","10.0.1.11",null,"ALERT"]["pypi.org.","A","10.0.2.20",null,"ALLOW"]["_dmarc.mail.example.org.","TXT","10.0.1.11",null,"ALERT"]' --log coredns.log --log-format custom --log-pattern "$PATTERN"
    check "custom: exit 3 for the unmatched line" rc_is 3
    check "custom: the unmatched line is reported" err_has "dnsfw-eval: coredns.log:1: the line does not match the log format"
    run --log coredns.log --log-pattern "$PATTERN" --json
    check "--log-pattern alone selects the custom format" out_lines 4
    run --log coredns.log --log-pattern '"[A-Z]+ IN (?<qname>\S+) ' --json
    check "custom without a qtype group: type A" jq_is '[.query_name, .query_type]' '["github.com.","A"]["telemetry.vendor.io.","A"]["pypi.org.","A"]["_dmarc.mail.example.org.","A"]'

    # A time group with short values: no ISO stamp, so first and last seen keep log order.
    printf '12 a.example\n7 a.example\n9 b.example\n' >"$TMP/short-time.log"
    run --log "$TMP/short-time.log" --log-pattern '^(?<time>\S+) (?<qname>\S+)$' --report --json
    check "short timestamps: first and last seen in log order" jq_is '[.would_block[].names[] | [.name, .first_seen, .last_seen]]' '[["a.example.","12","7"],["b.example.","9","9"]]'


    # A malformed record is counted as malformed, never as a distinct name: here a bad
    # CNAME target and a label of 64 characters (the name looks canonical otherwise).
    {
        printf '{"query_name":"good.example.ai.","query_type":"A"}\n'
        printf '{"query_name":"abc.example.com.","query_type":"A","answers":[{"Rdata":"bad..name.","Type":"CNAME","Class":"IN"}]}\n'
        printf '{"query_name":"%s.example.com.","query_type":"A"}\n' "$(printf 'a%.0s' $(seq 64))"
    } >"$TMP/bad-names.jsonl"
    run --log "$TMP/bad-names.jsonl" --report --json
    check "malformed records are not distinct names" jq_is '[.totals.records, .totals.distinct_names, .totals.malformed]' '[1,1,2]'
}

section_errors() {
    # --- bad input ----------------------------------------------------------------------------------
    #
    # Each bad file is followed by a good one: the bad record is reported as FILE:LINE on
    # stderr and counted, the run goes on (the good records are evaluated), exit 3.

    good=$TMP/good.jsonl
    printf "$RECORD" a b >"$good"

    # bad_input DESC FILE LINE REASON RECORDS: run per-record and --report over FILE and $good.
    # (FORMAT: --log-format for both runs, when set)
    FORMAT=()
    bad_input() {
        local desc=$1 file=$2 line=$3 reason=$4 records=$5
        run "${FORMAT[@]}" --log "$file" --log "$good" --json
        check "$desc: exit 3" rc_is 3
        check "$desc: stderr says FILE:LINE: reason" err_has "dnsfw-eval: $file:$line: $reason"
        check "$desc: the run goes on ($records records)" out_lines "$records"
        check "$desc: later good records evaluated" jq_is 'select(.query_name == "ok-b.example.") | .action' '"ALERT"'
        run "${FORMAT[@]}" --log "$file" --log "$good" --report --json
        check "$desc: report exit 3" rc_is 3
        check "$desc: counted in the report" jq_is '[.totals.malformed, .totals.records, .totals.malformed_examples[0].file, .totals.malformed_examples[0].line]' "[1,$records,\"$file\",$line]"
    }

    # a record cut short, at the end and in the middle
    head -c 150 aws-samples.jsonl >"$TMP/cut-end.jsonl"
    bad_input "truncated last line" "$TMP/cut-end.jsonl" 1 "the record is truncated" 2
    { printf "$RECORD" 1; head -c 150 aws-samples.jsonl; echo; printf "$RECORD" 3; } >"$TMP/cut-mid.jsonl"
    bad_input "truncated line" "$TMP/cut-mid.jsonl" 2 "the record is truncated" 4
    # a gzip file cut short: the records before the cut are evaluated
    for i in $(seq 1 400); do printf "$RECORD" "$i"; done | gzip -c >"$TMP/full.gz"
    head -c $(($(wc -c <"$TMP/full.gz") * 2 / 3)) "$TMP/full.gz" >"$TMP/cut.gz"
    run --log "$TMP/cut.gz" --log "$good" --json
    check "truncated .gz: exit 3" rc_is 3
    check "truncated .gz: reported with the line it stopped at" grep -qE "^dnsfw-eval: $TMP/cut.gz:[0-9]+: the gzip stream is truncated" "$ERR"
    n=$(grep -cF '"ok-' "$OUT")
    at=$(sed -nE 's/.*cut\.gz:([0-9]+):.*/\1/p' "$ERR")
    check "truncated .gz: the lines before the cut are evaluated" [ "$n" -gt 100 -a "$n" -lt 402 -a "$at" -eq $((n - 1)) ]
    run --log "$TMP/cut.gz" --report --json
    check "truncated .gz: counted" jq_is '.totals.malformed' '1'
    # a line over 1 MiB between good lines (generated here, not committed); a record of
    # exactly 1 MiB is still read
    {
        printf "$RECORD" 1
        printf '{"query_name":"big.example.","query_type":"A","pad":"%s"}\n' "$(head -c 1100000 /dev/zero | tr '\0' x)"
        printf "$RECORD" 3
    } >"$TMP/long.jsonl"
    bad_input "line over 1 MiB" "$TMP/long.jsonl" 2 "line longer than 1 MiB, skipped" 4
    pad=$((1048576 - $(printf '{"query_name":"mib.example.","query_type":"A","pad":""}' | wc -c)))
    { printf '{"query_name":"mib.example.","query_type":"A","pad":"%s"}\n' "$(head -c $pad /dev/zero | tr '\0' x)"; printf "$RECORD" 2; } >"$TMP/mib.jsonl"
    check "the 1 MiB record is 1048576 bytes" [ "$(head -n 1 "$TMP/mib.jsonl" | tr -d '\n' | wc -c)" -eq 1048576 ]
    run --log "$TMP/mib.jsonl" --json
    check "a record of exactly 1 MiB: exit 0, evaluated" [ "$RC" -eq 0 -a "$(wc -l <"$OUT")" -eq 2 ]
    # a 6 MiB line (longer than the read buffer), then a bad line: its number is still right
    {
        printf "$RECORD" 1
        head -c 6500000 /dev/zero | tr '\0' y
        echo
        printf "$RECORD" 3
        echo 'x'
    } >"$TMP/huge.jsonl"
    run --log "$TMP/huge.jsonl" --json
    check "6 MiB line: exit 3" rc_is 3
    check "6 MiB line: reported at line 2" err_has "huge.jsonl:2: line longer than 1 MiB, skipped"
    check "6 MiB line: the line after it evaluated" jq_is '.query_name' '"ok-1.example.""ok-3.example."'
    check "6 MiB line: later line numbers right" err_has "huge.jsonl:4: not a query log line"
    # invalid UTF-8, non-object JSON, missing and mistyped fields, bad names and types
    printf '{"query_name":"caf\xe9.example.","query_type":"A"}\n' >"$TMP/latin1.jsonl"
    bad_input "invalid UTF-8" "$TMP/latin1.jsonl" 1 "invalid UTF-8 in a string" 2
    # --log-format route53 reads one record a line and nothing else
    FORMAT=(--log-format route53)
    printf '[{"query_name":"a.example.","query_type":"A"}]\n' >"$TMP/array.jsonl"
    bad_input "route53: non-object JSON (array)" "$TMP/array.jsonl" 1 "the line is not a JSON object" 2
    printf '"a.example."\n' >"$TMP/string.jsonl"
    bad_input "route53: non-object JSON (string)" "$TMP/string.jsonl" 1 "the line is not a JSON object" 2
    FORMAT=()
    # auto: an array of records is records; a JSON string is no shape of log
    run --log "$TMP/array.jsonl" --json
    check "auto: an array of records is read" jq_is '[.query_name, .query_type]' '["a.example.","A"]'
    bad_input "auto: a JSON string" "$TMP/string.jsonl" 1 "not a query log line of any shape" 2
    printf '{"query_type":"A","srcaddr":"10.0.0.1"}\n' >"$TMP/no-name.jsonl"
    bad_input "missing query_name" "$TMP/no-name.jsonl" 1 "the record has no query_name" 2
    printf '{"query_name":"a.example."}\n' >"$TMP/no-type.jsonl"
    bad_input "missing query_type" "$TMP/no-type.jsonl" 1 "the record has no query_type" 2
    printf '{"query_name":42,"query_type":"A"}\n' >"$TMP/num-name.jsonl"
    bad_input "mistyped query_name" "$TMP/num-name.jsonl" 1 "query_name is not a string" 2
    printf '{"query_name":"a.example.","query_type":"A","answers":"none"}\n' >"$TMP/answers.jsonl"
    bad_input "mistyped answers" "$TMP/answers.jsonl" 1 "answers is not an array" 2
    printf '{"query_name":"a.example.","query_type":"A","srcaddr":"1.2.3.4","srcaddr":"1.2.3.4"}\n' >"$TMP/dup.jsonl"
    bad_input "duplicate key" "$TMP/dup.jsonl" 1 "a key appears twice in the record" 2
    printf '{"query_name":"%s.example.","query_type":"A"}\n' "$(head -c 64 /dev/zero | tr '\0' a)" >"$TMP/label.jsonl"
    bad_input "label over 63 octets" "$TMP/label.jsonl" 1 "query_name:" 2
    printf '{"query_name":"a..example.","query_type":"A"}\n' >"$TMP/empty-label.jsonl"
    bad_input "empty label" "$TMP/empty-label.jsonl" 1 "query_name:" 2
    printf '{"query_name":"a.example.","query_type":"BOGUS"}\n' >"$TMP/qtype.jsonl"
    bad_input "unknown query type" "$TMP/qtype.jsonl" 1 "query_type: unknown query type" 2
    printf '{"query_name":"a.example.","query_type":"A","answers":[{"Rdata":"b..example.","Type":"CNAME"}]}\n' >"$TMP/hop.jsonl"
    bad_input "malformed CNAME target" "$TMP/hop.jsonl" 1 "answers: redirection target 1:" 2
    : >"$TMP/empty.jsonl"
    bad_input "empty file" "$TMP/empty.jsonl" 1 "the input is empty" 2
    gzip -c </dev/null >"$TMP/empty.jsonl.gz"
    bad_input "empty .gz" "$TMP/empty.jsonl.gz" 1 "the input is empty" 2
    IN=/dev/null
    run --log - --json
    check "empty stdin: exit 3" rc_is 3
    check "empty stdin: reported" err_has "dnsfw-eval: <stdin>:1: the input is empty"
    printf 'dnsmasq[1]: query[A] caf\xe9.example from 10.0.0.1\n' >"$TMP/latin1.log"
    run --log "$TMP/latin1.log" --log-format dnsmasq --json
    check "text format, invalid UTF-8: exit 3" rc_is 3
    check "text format, invalid UTF-8: FILE:LINE" err_has "latin1.log:1: invalid UTF-8"
    # several problems: each one reported, all counted; the first 10 kept in the report
    { for i in $(seq 1 30); do echo '{'; printf "$RECORD" "$i"; done; } >"$TMP/many.jsonl"
    run --log "$TMP/many.jsonl" --report --json
    check "30 bad lines: all counted, 10 examples" jq_is '[.totals.malformed, .totals.records, (.totals.malformed_examples | length), .totals.malformed_examples[9].line]' '[30,30,10,19]'
    check "30 bad lines: 30 diagnostics" err_lines 30
    { for i in $(seq 1 150); do echo 'x'; done; printf "$RECORD" 1; } >"$TMP/worse.jsonl"
    run --log "$TMP/worse.jsonl" --json
    check "150 bad lines: the first 100 listed" [ "$(grep -c 'worse.jsonl:[0-9]*: ' "$ERR")" -eq 100 ]
    check "150 bad lines: then a count of the rest" err_has "50 more malformed records not listed"
    check "150 bad lines: exit 3, the good one evaluated" [ "$RC" -eq 3 -a "$(wc -l <"$OUT")" -eq 1 ]
    # a missing input: exit 4, the others still read
    run --log "$TMP/no-such.jsonl" --log "$good" --json
    check "missing file: exit 4" rc_is 4
    check "missing file: reported" err_has "dnsfw-eval: $TMP/no-such.jsonl: No such file or directory"
    check "missing file: the other input still read" out_lines 2
    run --log "$TMP/no-such.jsonl" --log "$TMP/many.jsonl" --json
    check "missing file outranks malformed records: exit 4" rc_is 4
    run --log "$TMP/no-such.jsonl" --report --json
    check "missing file with --report: exit 4" rc_is 4
    # malformed input outranks blocked records
    run "${TIERED[@]}" --mode enforce --log replay.jsonl --log "$TMP/string.jsonl" --json
    check "malformed outranks blocked: exit 3" rc_is 3

}

section_usage() {
    # --- exit codes and option combinations ------------------------------------------------------

    run --log aws-samples.jsonl
    check "exit 0: observe mode" rc_is 0
    run "${TIERED[@]}" --mode enforce --log aws-samples.jsonl
    check "exit 1: enforce mode blocks" rc_is 1
    run -p policy-general.json --log aws-samples.jsonl
    check "exit 0: general policy that blocks none of the samples" rc_is 0
    # usage: exit 2, nothing on stdout
    usage() {
        local desc=$1 msg=$2
        shift 2
        run "$@"
        check "exit 2: $desc" rc_is 2
        check "exit 2: $desc: message" err_has "$msg"
        check "exit 2: $desc: no output" [ ! -s "$OUT" ]
    }
    usage "--report without --log" "go with --log" --report
    usage "--format without --log" "go with --log" --format json
    usage "--scope-map without --log" "go with --log" --scope-map scope-map.txt
    usage "--log-format without --log" "go with --log" --log-format dnsmasq
    usage "--min-count without --log" "go with --log" --min-count 2
    usage "names and --log together" "either names or --log" --log aws-samples.jsonl example.com
    usage "--format without --report" "--format goes with --report" --log aws-samples.jsonl --format markdown
    usage "unknown --format" "--format must be text, json or markdown" --log aws-samples.jsonl --report --format pdf
    usage "unknown --log-format" "--log-format must be auto, route53, cloudwatch-export, cloudwatch, eventbridge, dnsmasq, bind, unbound or custom" --log aws-samples.jsonl --log-format syslog
    usage "--log-pattern with another format" "--log-pattern goes with --log-format custom" --log dnsmasq.log --log-format dnsmasq --log-pattern '(?<qname>\S+)'
    usage "--log-format custom without a pattern" "--log-pattern goes with --log-format custom" --log coredns.log --log-format custom
    usage "a bad --log-pattern" "--log-pattern: column 4: invalid log pattern" --log coredns.log --log-pattern 'abc)(?<qname>x)'
    usage "a --log-pattern without qname" 'has no named group "qname"' --log coredns.log --log-pattern '(?<name>\S+)'
    usage "--min-count 0" "--min-count needs a whole number" --log aws-samples.jsonl --report --min-count 0
    usage "--wildcard-min x" "--wildcard-min needs a whole number" --log aws-samples.jsonl --report --wildcard-min x
    usage "--scope with an unknown repository" "no blueprint" "${TIERED[@]}" --scope org/none --log aws-samples.jsonl
    # a scope map that cannot be used
    printf '10.0.0.0/33 org/x\n' >"$TMP/bad.map"
    run --log aws-samples.jsonl --scope-map "$TMP/bad.map"
    check "exit 3: a bad scope map line" rc_is 3
    check "exit 3: scope map FILE:LINE" err_has "$TMP/bad.map:1:"
    run --log aws-samples.jsonl --scope-map "$TMP/no-such.map"
    check "exit 4: a missing scope map" rc_is 4

}

for s in ${SECTIONS//,/ }; do
    "section_$s"
done

echo "# $passed passed, $failed failed"
[ "$failed" -eq 0 ]
