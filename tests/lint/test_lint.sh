#!/bin/bash
# Black-box tests of dnsfw-lint (contract §6, docs/lint.md), table-driven: every check has
# a case that must fire and a near miss that must not; then --expect, the output formats
# (SARIF validated against the schema), exit codes, --log, and the presets.
#
#   test_lint.sh DNSFW_LINT DNSFW_EVAL DNSFW_EXPORT DATA_DIR
#
# DATA_DIR is tests/data. Needs jq and python3-jsonschema (scripts/install-deps.sh).
set -u
set -f # entries such as '*' must never glob

[ $# -eq 4 ] || { echo "usage: $0 DNSFW_LINT DNSFW_EVAL DNSFW_EXPORT DATA_DIR" >&2; exit 2; }
LINT=$1 EVAL=$2 EXPORT=$3 DATA=$4
command -v jq >/dev/null || { echo "FAIL: jq is needed (scripts/install-deps.sh)"; exit 1; }
python3 -c 'import jsonschema' 2>/dev/null || { echo "FAIL: python3-jsonschema is needed"; exit 1; }
read -ra WRAP <<<"${DNSFW_TEST_WRAPPER:-}"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out ERR=$TMP/err P=$TMP/policy.json
RC=0 passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
not_ok() {
    failed=$((failed + 1)); echo "FAIL $1"; shift
    for line in "$@"; do echo "       $line"; done
}
check_eq() { if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3" "stderr: $(head -c 400 "$ERR")"; fi; }

# lint ARGS...: run dnsfw-lint; sets RC, OUT, ERR.
lint() {
    "${WRAP[@]}" "$LINT" "$@" >"$OUT" 2>"$ERR"
    RC=$?
    if grep -qE 'Sanitizer|runtime error:|==[0-9]+==' "$ERR"; then
        not_ok "no sanitizer/valgrind report: $*" "$(head -c 2000 "$ERR")"
    fi
}
policy() { printf '%s\n' "$1" >"$P"; }
# count CHECK [JQ-FILTER]: findings of CHECK in the JSON output (with an extra filter)
count() { jq "[.findings[] | select(.check == \"$1\") ${2:+| select($2)}] | length" "$OUT"; }

# fires NAME POLICY CHECK [FILTER]: linting POLICY yields at least one CHECK finding
fires() {
    policy "$2"; lint -p "$P" --format json
    local n; n=$(count "$3" "${4:-}")
    if [ "$n" -gt 0 ] 2>/dev/null; then ok "$1"; else not_ok "$1" "no $3 finding" "$(head -c 800 "$OUT")" "$(head -c 300 "$ERR")"; fi
}
# quiet NAME POLICY CHECK: no CHECK finding
quiet() {
    policy "$2"; lint -p "$P" --format json
    local n; n=$(count "$3")
    if [ "$n" == 0 ]; then ok "$1"; else not_ok "$1" "$n $3 findings" "$(head -c 800 "$OUT")"; fi
}

tiered() { printf '{"dnsfw":1,"baseline":%s,"blueprints":[{"repo":"org/app","egress_allowlist":%s}]}' "$1" "$2"; }
general() { # general LISTS RULES
    printf '{"dnsfw":1,"domain_lists":%s,"rule_groups":[{"name":"g","priority":101,"rules":%s}]}' "$1" "$2"
}
ALLOW1='[{"name":"allow","priority":1,"action":"ALLOW","domain_list":"a"}]'

echo "# allow-all"
fires "allow-all: '*' in a blueprint, with its repository" "$(tiered '["github.com"]' '["*"]')" allow-all '.repo == "org/app" and .severity == "error"'
fires "allow-all: '*.' is '*'" "$(tiered '["github.com"]' '["*."]')" allow-all
quiet "allow-all near miss: '*.example.com'" "$(tiered '["github.com"]' '["*.example.com"]')" allow-all
quiet "allow-all near miss: '*' in an ALERT rule (the catch-all)" "$(tiered '["github.com"]' '[]')" allow-all

echo "# public-suffix-wildcard"
fires "public-suffix-wildcard: *.com" "$(tiered '["*.com"]' '[]')" public-suffix-wildcard '.entry == "*.com" and .severity == "error"'
fires "public-suffix-wildcard: *.co.uk" "$(tiered '[]' '["*.co.uk"]')" public-suffix-wildcard '.repo == "org/app"'
quiet "public-suffix-wildcard near miss: *.example.co.uk" "$(tiered '[]' '["*.example.co.uk"]')" public-suffix-wildcard

echo "# open-registration"
fires "open-registration: *.github.io" "$(tiered '["*.github.io"]' '[]')" open-registration '(.suffixes | index("github.io")) != null'
fires "open-registration: *.amazonaws.com lists s3.amazonaws.com" "$(tiered '["*.amazonaws.com"]' '[]')" open-registration '(.suffixes | index("s3.amazonaws.com")) != null and .severity == "warning"'
quiet "open-registration near miss: *.pypi.org" "$(tiered '["*.pypi.org"]' '[]')" open-registration
quiet "open-registration near miss: *.mybucket.s3.amazonaws.com (below the suffix)" "$(tiered '["*.mybucket.s3.amazonaws.com"]' '[]')" open-registration
fires "open-registration: the built-in baseline" '{"dnsfw":1}' open-registration '.entry == "*.githubusercontent.com"'

printf '// ===BEGIN ICANN DOMAINS===\norg\n// ===END ICANN DOMAINS===\n// ===BEGIN PRIVATE DOMAINS===\nusers.example.org\n// ===END PRIVATE DOMAINS===\n' >"$TMP/psl.dat"
policy "$(tiered '["*.example.org"]' '[]')"
lint -p "$P" --format json --psl "$TMP/psl.dat"
check_eq "--psl FILE: its private section is used" '["users.example.org"]' "$(jq -c '.findings[] | select(.check=="open-registration") | .suffixes' "$OUT")"
lint -p "$P" --format json
check_eq "--psl near miss: Debian's list has no users.example.org" 0 "$(count open-registration)"
lint -p "$P" --psl "$TMP/no-such.dat"
check_eq "--psl: a list that cannot be read exits 4" 4 "$RC"

echo "# shadowed"
SH_LISTS='{"a":["*.example.com"],"b":["www.example.com","other.org"],"c":["x.example.com"],"t":["*.example.com"]}'
fires "shadowed: an entry under an earlier wildcard" "$(general "$SH_LISTS" '[{"name":"allow","priority":1,"action":"ALLOW","domain_list":"a"},{"name":"late","priority":2,"action":"BLOCK","block_response":"NODATA","domain_list":"b"}]')" shadowed '.entry == "www.example.com" and .rule == "late"'
check_eq "shadowed near miss: other.org in the same rule is not" 0 "$(count shadowed '.entry == "other.org"')"
fires "shadowed: a whole rule" "$(general "$SH_LISTS" '[{"name":"allow","priority":1,"action":"ALLOW","domain_list":"a"},{"name":"dead","priority":2,"action":"BLOCK","block_response":"NODATA","domain_list":"c"}]')" shadowed '.entry == null and .rule == "dead" and .location.line == 1'
quiet "shadowed near miss: a query-type rule only shadows its type" "$(general "$SH_LISTS" '[{"name":"v6","priority":1,"action":"BLOCK","block_response":"NODATA","domain_list":"a","qtype":"AAAA"},{"name":"late","priority":2,"action":"ALLOW","domain_list":"c"}]')" shadowed
fires "shadowed: the same query type is shadowed" "$(general "$SH_LISTS" '[{"name":"v6","priority":1,"action":"BLOCK","block_response":"NODATA","domain_list":"a","qtype":"AAAA"},{"name":"late","priority":2,"action":"ALLOW","domain_list":"c","qtype":"AAAA"}]')" shadowed '.rule == "late"'
fires "shadowed: a spec no name can match" "$(general '{"a":["'"$(printf 'a%.0s' {1..63}).$(printf 'b%.0s' {1..63}).$(printf 'c%.0s' {1..63}).$(printf 'd%.0s' {1..62})"'"]}' "$ALLOW1")" shadowed
fires "shadowed: the catch-all behind a blueprint's '*'" "$(tiered '[]' '["*"]')" shadowed '.rule_priority == 300'

echo "# redundant and duplicate"
fires "redundant: a name under a wildcard of the same list" "$(general '{"a":["*.example.com","api.example.com"]}' "$ALLOW1")" redundant '.entry == "api.example.com" and .severity == "note"'
quiet "redundant near miss: the apex is not under *.example.com" "$(general '{"a":["*.example.com","example.com"]}' "$ALLOW1")" redundant
fires "duplicate: a blueprint entry the baseline has" "$(tiered '["github.com"]' '["GitHub.com"]')" duplicate '.repo == "org/app" and .domain_list == "blueprint-additional"'
fires "duplicate: the same entry twice in one list" "$(tiered '["a.example.com","a.example.com."]' '[]')" duplicate '.location.line == 1'
quiet "duplicate near miss: distinct entries" "$(tiered '["a.example.com"]' '["b.example.com"]')" duplicate

echo "# platform-rejects"
fires "platform-rejects: upper case" "$(tiered '[]' '["API.Example.com"]')" platform-rejects '(.message | test("upper case")) and .repo == "org/app"'
fires "platform-rejects: a trailing dot" "$(tiered '["example.com."]' '[]')" platform-rejects '.message | test("trailing dot")'
quiet "platform-rejects near miss: lower case, no dot" "$(tiered '["example.com"]' '["api.example.com"]')" platform-rejects
quiet "platform-rejects near miss: the general form has no construct" "$(general '{"a":["Example.COM."]}' "$ALLOW1")" platform-rejects

echo "# aws-limit"
policy "$(printf '{"dnsfw":1,"domain_lists":{"a":["x.example"]},"rule_groups":[{"name":"g","priority":50,"rules":[%s]},{"name":"h","priority":9950,"rules":[]}]}' '{"name":"r","priority":1,"action":"ALLOW","domain_list":"a"}')"
lint -p "$P" --format json
check_eq "aws-limit: every group outside 100-9900 is reported, not only the first" 2 "$(count aws-limit '.severity == "error"')"
check_eq "aws-limit: exit 1 on an error" 1 "$RC"
policy "$(general '{"a":["x.example"]}' '[{"name":"r1","priority":1,"action":"ALLOW","domain_list":"a"},{"name":"r2","priority":2,"action":"ALLOW","domain_list":"a"},{"name":"r3","priority":3,"action":"ALLOW","domain_list":"a"}]')"
lint -p "$P" --format json --max-rules 2
check_eq "aws-limit: --max-rules" 1 "$(count aws-limit '.rule_group == "g"')"
lint -p "$P" --format json
check_eq "aws-limit near miss: 3 rules under the quota" 0 "$(count aws-limit)"

# AWS-managed lists: only their id is deployed, their contents are AWS's
MANAGED='{"a":["x.example","y.example"],"m":{"managed":"AWSManagedDomainsMalwareDomainList","stand_in":["s1.example","s2.example"]},"n":{"managed":"AWSManagedDomainsBotnetCommandandControl"}}'
MRULES='[{"name":"m","priority":1,"action":"BLOCK","domain_list":"m","block_response":"NODATA"},{"name":"n","priority":2,"action":"BLOCK","domain_list":"n","block_response":"NODATA"},{"name":"allow","priority":3,"action":"ALLOW","domain_list":"a"}]'
policy "$(general "$MANAGED" "$MRULES")"
lint -p "$P" --format json --max-domains 2
check_eq "aws-limit: a managed list's stand-in is not counted (2 domains of the quota's 2)" 0 "$(count aws-limit)"
lint -p "$P" --format json --max-domains 1
check_eq "aws-limit: the other lists still are (2 over 1)" 1 "$(count aws-limit)"
quiet "shadowed near miss: a managed list without a stand-in is not said to match nothing" \
    "$(general "$MANAGED" "$MRULES")" shadowed

echo "# locations and output"
printf '{\n  "dnsfw": 1,\n  "baseline": ["github.com",\n     "*.github.io"]\n}\n' >"$P"
lint -p "$P"
check_eq "text: FILE:LINE:COL: severity: message [check]" "$P:4:6: warning:" "$(grep -o "^$P:[0-9]*:[0-9]*: warning:" "$OUT" | head -n 1)"
check_eq "text: the check's name in brackets" 1 "$(grep -c '\[open-registration\]$' "$OUT")"
check_eq "text: no colour when not a terminal" 0 "$(grep -c $'\033' "$OUT")"
check_eq "exit 0: only warnings, --fail-on error" 0 "$RC"
lint -p "$P" --color always
check_eq "--color always colours" 1 "$([ "$(grep -c $'\033\[' "$OUT")" -gt 0 ] && echo 1)"
lint -p "$P" --fail-on warning
check_eq "--fail-on warning: exit 1" 1 "$RC"
lint -p "$P" --format json
check_eq "json: location line and column" "4 6" "$(jq -r '.findings[] | select(.check=="open-registration") | "\(.location.line) \(.location.column)"' "$OUT")"
check_eq "json: summary" '{"error":0,"warning":1,"note":0}' "$(jq -c .summary "$OUT")"
lint -p "$P" --format markdown
check_eq "markdown: a table row per finding" 1 "$(grep -c '^| \*\*warning\*\* | `open-registration` |' "$OUT")"
policy "$(tiered '["*.com","example.com."]' '["*","API.x.org"]')"
lint -p "$P" --format sarif
if python3 - "$DATA/sarif-2.1.0.json" "$OUT" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1])); doc = json.load(open(sys.argv[2]))
jsonschema.validators.validator_for(schema)(schema).validate(doc)
assert doc["version"] == "2.1.0" and doc["runs"][0]["results"], "no results"
PY
then ok "sarif: valid against the SARIF 2.1.0 schema"; else not_ok "sarif: valid against the SARIF 2.1.0 schema" "$(head -c 600 "$OUT")"; fi
check_eq "sarif: results carry the policy's line" 1 "$(jq '[.runs[0].results[] | select(.ruleId=="allow-all") | .locations[0].physicalLocation.region.startLine] | .[0]' "$OUT")"
check_eq "sarif: a rule per check" 12 "$(jq '.runs[0].tool.driver.rules | length' "$OUT")"

echo "# --expect"
cat >"$TMP/expect.txt" <<'X'
# names that must keep working, and names that must not
github.com ALLOW platform-baseline
evil.example BLOCK
evil.example/AAAA BLOCK block-all
codeload.github.com ALLOW      # the built-in baseline blocks it in enforce mode
X
lint --mode enforce --expect "$TMP/expect.txt" --format json
check_eq "--expect: the failing line is an expect-failed finding at its line" "5 1" "$(jq -r '.findings[] | select(.check=="expect-failed") | "\(.location.line) \(.location.column)"' "$OUT")"
check_eq "--expect: passing lines raise nothing" 1 "$(count expect-failed)"
check_eq "--expect: exit 1" 1 "$RC"
printf 'github.com ALLOW\n' >"$TMP/pass.txt"
lint --expect "$TMP/pass.txt" --format json
check_eq "--expect: all hold, exit 0" "0 0" "$RC $(count expect-failed)"
printf 'github.com MAYBE\nok.example ALERT\n' >"$TMP/bad.txt"
lint --expect "$TMP/bad.txt"
check_eq "--expect: a malformed line exits 3 with its place" "3 1" "$RC $(grep -c 'bad.txt:1:12: the action must be' "$ERR")"
lint --expect "$TMP/none.txt"
check_eq "--expect: a missing file exits 4" 4 "$RC"
printf 'example.com ALLOW\n' >"$TMP/e.txt"
lint --expect "$TMP/e.txt" --format json
check_eq "--expect: wrong action reports what decided" 1 "$(count expect-failed '.entry == "*" and .domain_list == "block-all"')"

echo "# --log"
LOGP='{"dnsfw":1,"fail_open":true,"domain_lists":{"allow":["*.example.com","*.wide.example.org","files.pythonhosted.org","pypi.org","never.example.org"],"all":["*"]},"rule_groups":[{"name":"g","priority":101,"rules":[{"name":"allow","priority":100,"action":"ALLOW","domain_list":"allow"},{"name":"rest","priority":300,"action":"BLOCK","block_response":"NODATA","domain_list":"all"}]}]}'
policy "$LOGP"
lint -p "$P" --log "$DATA/lint/lint-traffic.jsonl" --format json
check_eq "unused: an ALLOW entry no record matched" 1 "$(count unused '.entry == "never.example.org"')"
check_eq "unused near miss: used entries" 0 "$(count unused '.entry == "pypi.org"')"
check_eq "narrow: a wildcard used for one name, which it names" '["cdn.wide.example.org"]' "$(jq -c '.findings[] | select(.check=="narrow" and .entry=="*.wide.example.org") | .names' "$OUT")"
check_eq "narrow: *.example.com used for two names" 1 "$(count narrow '.entry == "*.example.com" and (.names | length) == 2')"
lint -p "$P" --log "$DATA/lint/lint-traffic.jsonl" --format json --narrow-max 1
check_eq "narrow near miss: two names above --narrow-max 1" 0 "$(count narrow '.entry == "*.example.com"')"
check_eq "chain-blocked: files.pythonhosted.org through Fastly, both fixes, no wildcard" \
    '["TRUST_REDIRECTION_DOMAIN on rule allow","dualstack.python.map.fastly.net"]' \
    "$(jq -c '.findings[] | select(.check=="chain-blocked") | .fixes' "$OUT")"
check_eq "chain-blocked near miss: pypi.org has no chain" 0 "$(count chain-blocked '.names[0] == "pypi.org"')"
check_eq "hits per entry" 3 "$(jq '.hits.entries[] | select(.entry=="*.example.com") | .names + 1' "$OUT")"
check_eq "hits per rule" 12 "$(jq '.hits.rules[] | select(.rule=="allow") | .hits' "$OUT")"
check_eq "hits per list" 1 "$(jq '.hits.lists[] | select(.domain_list=="all") | .hits' "$OUT")"
check_eq "log counts" 13 "$(jq .log.records "$OUT")"
# the same records as `aws logs filter-log-events` prints them: every shape the shared
# reader knows is read by lint too
jq -s '{events: [to_entries[] | {logStreamName: "vpc-1", timestamp: 1700000000000,
    message: (.value | tojson), ingestionTime: 1700000000000, eventId: (.key | tostring)}],
    searchedLogStreams: []}' "$DATA/lint/lint-traffic.jsonl" >"$TMP/fle.json"
lint -p "$P" --log "$TMP/fle.json" --format json
check_eq "--log: a filter-log-events document gives the same records and hits" "13 12" \
    "$(jq -r '"\(.log.records) \(.hits.rules[] | select(.rule=="allow") | .hits)"' "$OUT")"
lint -p "$P" --log "$TMP/fle.json" --since 2100-01-01 --format json
check_eq "--since: records outside the window are not checked" 0 "$(jq .log.records "$OUT")"
printf '{"query_name":' >"$TMP/bad.jsonl"
lint -p "$P" --log "$TMP/bad.jsonl"
check_eq "--log: a malformed record exits 3 with its place" "3 1" "$RC $(grep -c 'bad.jsonl:1:' "$ERR")"

echo "# presets"
lint --presets
check_eq "--presets lists go with its hosts" 1 "$(grep -c '^go: Go modules' "$OUT")"
lint --presets --format json
check_eq "--presets json: every host has a source" 0 "$(jq '[.presets[].hosts[] | select(.source == "")] | length' "$OUT")"
check_eq "--presets json: proxy.golang.org in go" '"proxy.golang.org"' "$(jq '.presets[] | select(.name=="go") | .hosts[0].host' "$OUT")"
check_eq "presets: at least the ecosystems of the issue" 17 "$(jq '[.presets[].name | select(test("^(go|rust|alpine|debian|ubuntu|docker|ghcr|maven|gradle|rubygems|nuget|huggingface|conda|github|npm|pypi|aws-us-east-1)$"))] | length' "$OUT")"
check_eq "presets: ubuntu has ports.ubuntu.com" 1 "$(jq '[.presets[] | select(.name=="ubuntu") | .hosts[] | select(.host=="ports.ubuntu.com")] | length' "$OUT")"
policy '{"dnsfw":1,"baseline":[],"presets":["go"],"blueprints":[{"repo":"org/rs","presets":["rust"]}]}'
"$EVAL" -p "$P" proxy.golang.org index.crates.io >"$OUT" 2>"$ERR"
check_eq "dnsfw-eval names the preset" "entry=proxy.golang.org preset=go" "$(grep -o 'entry=proxy.golang.org preset=go' "$OUT")"
check_eq "dnsfw-eval names a blueprint's preset" 1 "$(grep -c 'entry=index.crates.io preset=rust' "$OUT")"
"$EXPORT" -p "$P" --format domains -o "$TMP/dom" >"$OUT" 2>"$ERR"
check_eq "dnsfw-export expands presets" "proxy.golang.org sum.golang.org" "$(tr '\n' ' ' <"$TMP/dom/platform-baseline.txt" | sed 's/ $//')"
policy '{"dnsfw":1,"baseline":["*.golang.org"],"presets":["go"]}'
lint -p "$P" --format json
check_eq "findings name the preset" 2 "$(count redundant '.preset == "go"')"
policy '{"dnsfw":1,"presets":["gox"]}'
lint -p "$P"
check_eq "an unknown preset is an invalid policy with its place" "3 1" "$RC $(grep -c 'policy.json:1:23: presets\[0\]: unknown preset "gox"' "$ERR")"

echo "# a narrowed baseline from presets"
lint -p "$DATA/lint/narrow-baseline.json" --format json
check_eq "narrowed baseline: no open-registration" 0 "$(count open-registration)"
check_eq "narrowed baseline: no finding at all" 0 "$(jq '.findings | length' "$OUT")"
"$EVAL" --mode enforce --log "$DATA/lint/platform-traffic.jsonl" --json | jq -r '[.query_name, .query_type, .action] | @tsv' >"$TMP/wide"
"$EVAL" -p "$DATA/lint/narrow-baseline.json" --log "$DATA/lint/platform-traffic.jsonl" --json | jq -r '[.query_name, .query_type, .action] | @tsv' >"$TMP/narrow"
check_eq "narrowed baseline: the platform's log replays every record" "42 42" "$(wc -l <"$TMP/wide") $(wc -l <"$TMP/narrow")"
check_eq "narrowed baseline: blocks nothing the wide baseline allowed" "" "$(paste "$TMP/wide" "$TMP/narrow" | awk -F'\t' '$3 == "ALLOW" && $6 != "ALLOW"')"

printf '{"dnsfw":1,"mode":"observe"}' | "$LINT" -p - --log "$DATA/lint/lint-traffic.jsonl" --format json >"$OUT" 2>"$ERR"
check_eq "the policy from stdin in observe mode (enforce mode compiled from the same policy)" \
    "0 13 1" "$? $(jq .log.records "$OUT") $(jq '[.findings[] | select(.check=="chain-blocked")] | length' "$OUT")"
printf '{"dnsfw":1,"baseline":["pypi.org","files.pythonhosted.org"]}' >"$P"
lint -p "$P" --log "$DATA/lint/lint-traffic.jsonl" --format json
check_eq "chain-blocked in the tiered form: the exact name only (its rules cannot TRUST)" \
    '["dualstack.python.map.fastly.net"]' "$(jq -c '.findings[] | select(.check=="chain-blocked") | .fixes' "$OUT")"

echo "# usage"
lint --format yaml
check_eq "unknown format: exit 2" 2 "$RC"
lint --narrow-max 2
check_eq "--narrow-max without --log: exit 2" 2 "$RC"
lint -p "$TMP/missing.json"
check_eq "missing policy: exit 4" 4 "$RC"
lint --help
check_eq "--help: exit 0" 0 "$RC"
for opt in --help --version; do
    "${WRAP[@]}" "$LINT" $opt >/dev/full 2>"$ERR"
    check_eq "$opt to a full disk (/dev/full): exit 4" 4 "$?"
done
lint -p /dev/zero --max-policy-bytes 64K
check_eq "--max-policy-bytes: an endless policy stops at the limit, exit 3" 3 "$RC"
check_eq "--max-policy-bytes: says which limit" 1 \
    "$(grep -c 'exceeds the size limit (--max-policy-bytes) of 65536 bytes' "$ERR")"
lint --scope org/none
check_eq "unknown scope: exit 2" 2 "$RC"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
