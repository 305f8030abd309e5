#!/bin/bash
# Black-box tests of dnsfw-export (contract §3): command line and exit codes, golden
# outputs (the same policy gives the same bytes), the spec form, every AWS limit it
# checks, and the errors of the importers (FILE:LINE).
#
#   test_export.sh PATH/TO/dnsfw-export PATH/TO/dnsfw-eval TESTS_EXPORT_DIR
#
# UPDATE_GOLDEN=1 rewrites the golden files instead of comparing (review the diff!).
# DNSFW_TEST_WRAPPER runs the tool under a wrapper (e.g. valgrind).
set -u
set -f # specs such as '*' must never glob

if [ $# -ne 3 ]; then
    echo "usage: $0 DNSFW_EXPORT DNSFW_EVAL TESTS_EXPORT_DIR" >&2
    exit 2
fi
EXPORT=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
EVAL=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
DIR=$(cd "$3" && pwd)
POL=$DIR/policies
BAD=$DIR/bad
GOLDEN=$DIR/golden
read -ra WRAP <<<"${DNSFW_TEST_WRAPPER:-}"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out
ERR=$TMP/err
RC=0
passed=0
failed=0

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

# run ARGS...: sets RC, OUT, ERR; a sanitizer or valgrind report is a failure
run() {
    "${WRAP[@]}" "$EXPORT" "$@" </dev/null >"$OUT" 2>"$ERR"
    RC=$?
    if grep -qE 'Sanitizer|runtime error:|==[0-9]+==' "$ERR"; then
        not_ok "no sanitizer/valgrind report: $*" "$(head -c 2000 "$ERR")"
    fi
}

# expect DESC RC [GREP...]: the last run exited RC and stderr matches every pattern
expect() {
    local desc=$1 want=$2
    shift 2
    local p miss=""
    for p in "$@"; do
        grep -qE -- "$p" "$ERR" || miss="$miss [$p]"
    done
    if [ "$RC" -eq "$want" ] && [ -z "$miss" ]; then
        ok "$desc"
    else
        not_ok "$desc" "exit $RC (want $want); stderr lacks:$miss" "stderr: $(head -c 1500 "$ERR")"
    fi
}

check() {
    local desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc" "failed: $*"; fi
}

# --- command line ---------------------------------------------------------------------

run --help
expect "--help exits 0" 0
check "--help lists every format" grep -q "cloudformation.*" "$OUT"
for f in cli terraform domains unbound rpz dnsmasq --import --diff --vpc-id --fqdn; do
    grep -q -- "$f" "$OUT" || not_ok "--help mentions $f"
done
run --version
expect "--version exits 0" 0
check "--version names the tool" grep -q "^dnsfw-export " "$OUT"
for opt in --help --version; do
    "${WRAP[@]}" "$EXPORT" $opt </dev/null >/dev/full 2>"$ERR"
    RC=$?
    expect "$opt to a full disk (/dev/full) exits 4" 4 "cannot write to standard output"
done
run -p /dev/zero --format rpz
expect "an endless policy (/dev/zero) stops at the default limit" 3 \
    "exceeds the size limit \(--max-policy-bytes\) of 67108864 bytes"
run --import /dev/zero --max-policy-bytes 64K
expect "--max-policy-bytes caps --import" 3 "DEPLOYED exceeds the size limit \(--max-policy-bytes\) of 65536 bytes"
run --max-policy-bytes 12X --format rpz
expect "a malformed --max-policy-bytes is a usage error" 2 "--max-policy-bytes needs a number of bytes"
run
expect "no action is a usage error" 2 "say what to do"
run --format nosuch
expect "unknown format is a usage error" 2 'unknown format "nosuch"'
run --format cloudformation --diff x
expect "two actions are a usage error" 2 "exclude each other"
run --format cloudformation --vpc-id vpc-xyz
expect "a malformed --vpc-id is a usage error" 2 "vpc-"
run --format dnsmasq
expect "dnsmasq needs --upstream" 2 "--upstream"
run --format dnsmasq --upstream 'evil;rm'
expect "a malformed --upstream is a usage error" 2 "--upstream"
run --format cli
expect "a directory format needs -o DIR" 2 "-o DIR"
run --bogus
expect "an unknown option is a usage error" 2
run --format cloudformation --max-domains 0
expect "--max-domains 0 is a usage error" 2 "--max-domains"
run --import "$BAD/malformed.json" -p "$POL/general-mixed.json"
expect "--import takes no policy" 2
run -p "$TMP/nonexistent.json" --format cloudformation
expect "an unreadable policy exits 4" 4
printf '{ "dnsfw": 1, "mode": "sideways" }\n' >"$TMP/badmode.json"
run -p "$TMP/badmode.json" --format cloudformation
expect "an invalid policy exits 3 with FILE:LINE:COL" 3 "badmode.json:1:[0-9]+: "
run --format cloudformation --mode enforce
expect "--mode applies to the built-in tiered policy" 0
check "--mode enforce gives the catch-all BLOCK NODATA" grep -q '"BlockResponse": "NODATA"' "$OUT"

# --- golden outputs and determinism ------------------------------------------------------

# export_to POLICY FORMAT DEST: one export, into a file or a directory
export_to() {
    local policy=$1 format=$2 dest=$3
    local args=(--format "$format" -o "$dest")
    [ -n "$policy" ] && args=(-p "$policy" "${args[@]}")
    [ "$format" = dnsmasq ] && args+=(--upstream 192.0.2.53)
    run "${args[@]}"
}

for stem in default tiered-enforce general-mixed general-advanced; do
    policy=""
    [ $stem != default ] && policy=$POL/$stem.json
    for format in cloudformation cli terraform domains unbound rpz dnsmasq; do
        case $format in
        cloudformation) name=cloudformation.json ;;
        terraform) name=terraform.tf.json ;;
        rpz) name=policy.rpz ;;
        dnsmasq) name=dnsmasq.conf ;;
        *) name=$format ;;
        esac
        a=$TMP/a-$stem-$name b=$TMP/b-$stem-$name
        export_to "$policy" $format "$a"
        rc1=$RC
        export_to "$policy" $format "$b"
        if [ $rc1 -ne 0 ] || [ $RC -ne 0 ] || ! diff -r "$a" "$b" >/dev/null; then
            not_ok "$stem $format: two runs give the same bytes" "$(cat "$ERR")"
            continue
        fi
        ok "$stem $format: two runs give the same bytes"
        g=$GOLDEN/$stem/$name
        if [ -n "${UPDATE_GOLDEN:-}" ]; then
            rm -rf "$g"
            mkdir -p "$GOLDEN/$stem"
            cp -r "$a" "$g"
        elif diff -r "$g" "$a" >"$TMP/golden.diff"; then
            ok "$stem $format: matches golden/$stem/$name"
        else
            not_ok "$stem $format: matches golden/$stem/$name" "$(head -40 "$TMP/golden.diff")"
        fi
    done
done

# --- the spec form --------------------------------------------------------------------------

run -p "$POL/tiered-enforce.json" --format domains -o "$TMP/plain"
check "specs are written lower case without a trailing dot (GITHUB.com. is github.com)" \
    test "$(grep -ci '^github.com' "$TMP/plain/blueprint-additional.txt")" -eq 1 -a \
    "$(grep -c '^github.com$' "$TMP/plain/blueprint-additional.txt")" -eq 1
check "the match-all spec is *" grep -qx '[*]' "$TMP/plain/block-all.txt"
run -p "$POL/tiered-enforce.json" --format domains --fqdn -o "$TMP/fqdn"
check "--fqdn writes a trailing dot" grep -qx 'github.com[.]' "$TMP/fqdn/platform-baseline.txt"
check "--fqdn writes the match-all spec as *." grep -qx '[*][.]' "$TMP/fqdn/block-all.txt"
check "the tiered form exports only AWS's three lists" \
    test "$(ls "$TMP/plain" | tr '\n' ' ')" = "block-all.txt blueprint-additional.txt platform-baseline.txt "

# --- AWS limits ------------------------------------------------------------------------------

# a general policy: N_LISTS lists of N_SPECS specs, N_GROUPS groups of N_RULES rules
gen_policy() {
    /usr/bin/python3 - "$@" <<'EOF'
import json, sys
out, lists, specs, groups, rules = sys.argv[1], *map(int, sys.argv[2:6])
prio = int(sys.argv[6]) if len(sys.argv) > 6 else 1000
p = {"dnsfw": 1, "domain_lists": {}, "rule_groups": []}
for l in range(lists):
    p["domain_lists"]["l%d" % l] = ["h%d.l%d.example" % (s, l) for s in range(specs)]
for g in range(groups):
    p["rule_groups"].append({"name": "g%d" % g, "priority": prio + g, "rules": [
        {"name": "r%d" % r, "priority": r + 1, "action": "ALLOW",
         "domain_list": "l%d" % (r % lists)} for r in range(rules)]})
json.dump(p, open(out, "w"))
EOF
}

gen_policy "$TMP/d100000.json" 2 50000 1 2
run -p "$TMP/d100000.json" --format cloudformation -o "$TMP/d100000.cfn"
expect "100,000 domains over all lists are accepted" 0
gen_policy "$TMP/d100001.json" 1 100001 1 1
run -p "$TMP/d100001.json" --format cli -o "$TMP/d100001.cli"
expect "100,001 domains exceed the account quota" 3 "100001 domains" "quota is 100000"
check "nothing is written when a limit fails" test ! -e "$TMP/d100001.cli"
run -p "$POL/tiered-enforce.json" --format cloudformation --max-domains 10
expect "--max-domains sets the quota" 3 "quota is 10 "
run -p "$TMP/d100001.json" --format cli -o "$TMP/d100001.cli" --max-domains 200000
expect "a raised quota is honoured" 0
check "UpdateFirewallDomains is batched at 1,000 (101 batches for 100,001)" \
    test "$(ls "$TMP/d100001.cli" | grep -c update-firewall-domains)" -eq 101
check "the first batch replaces, the others add" \
    grep -q '"Operation": "REPLACE"' "$TMP/d100001.cli/0002-update-firewall-domains.l0.1.json"
check "the last batch holds the last domain" \
    grep -q 'h100000.l0.example' "$TMP/d100001.cli/0102-update-firewall-domains.l0.101.json"
run -p "$TMP/d100001.json" --format domains -o "$TMP/d100001.dom" --max-domains 200000
expect "the domains format takes 100,001 lines in one file" 0
run -p "$TMP/d100001.json" --format terraform --max-domains 200000
expect "terraform warns about lists over 1,000 domains" 0 "warning: .*domain list \"l0\" has 100001 domains.*41433"
run -p "$TMP/d100001.json" --format cloudformation --max-domains 200000
expect "cloudformation warns about more than 1,000 inline domains" 0 "warning: .*\"l0\" has 100001 inline domains"

gen_policy "$TMP/r101.json" 3 2 1 101
run -p "$TMP/r101.json" --format cloudformation
expect "101 rules in a group exceed the quota" 3 'rule group "g0" has 101 rules' "quota is 100"
run -p "$TMP/r101.json" --format cloudformation --max-rules 101
expect "--max-rules raises the rule quota" 0
gen_policy "$TMP/g6.json" 1 1 6 1
run -p "$TMP/g6.json" --format terraform
expect "6 rule groups exceed what one VPC takes" 3 "6 rule groups: AWS associates at most 5"
gen_policy "$TMP/l1001.json" 1001 1 1 1
run -p "$TMP/l1001.json" --format cloudformation
expect "1,001 domain lists exceed the quota" 3 "1001 domain lists"
gen_policy "$TMP/p50.json" 1 1 1 1 50
run -p "$TMP/p50.json" --format cloudformation
expect "association priority 50 is refused" 3 'rule group "g0": association priority 50' "101 to 8999"
gen_policy "$TMP/p9500.json" 1 1 1 1 9500
run -p "$TMP/p9500.json" --format cloudformation
expect "association priority 9500 is warned about" 0 "warning: .*association priority 9500"
gen_policy "$TMP/p101.json" 1 1 1 1 101
run -p "$TMP/p101.json" --format cloudformation
expect "association priority 101 passes silently" 0
check "... with nothing on stderr" test ! -s "$ERR"

long=$(printf 'a%.0s' $(seq 63)).$(printf 'b%.0s' $(seq 63)).$(printf 'c%.0s' $(seq 63)).$(printf 'd%.0s' $(seq 63))
printf '{"dnsfw":1,"domain_lists":{"long":["%s"]},"rule_groups":[{"name":"g","priority":1000,"rules":[{"name":"r","priority":1,"action":"ALLOW","domain_list":"long"}]}]}\n' \
    "$long" >"$TMP/long.json"
run -p "$TMP/long.json" --format cloudformation
expect "a 255-character spec is accepted" 0
run -p "$TMP/long.json" --format cloudformation --fqdn
expect "a 255-character spec with the trailing dot exceeds 255" 3 'domain list "long".*256 characters with the trailing dot; AWS allows 255'
printf '{"dnsfw":1,"domain_lists":{"empty":[],"all":["*"]},"rule_groups":[{"name":"g","priority":1000,"rules":[{"name":"r","priority":1,"action":"ALLOW","domain_list":"empty"},{"name":"b","priority":2,"action":"ALERT","domain_list":"all"},{"name":"c","priority":3,"action":"BLOCK","block_response":"NODATA","domain_list":"all","qtype":"TYPE65"}]}]}\n' >"$TMP/empty.json"
run -p "$TMP/empty.json" --format cloudformation
expect "an empty list is warned about in a template" 0 'warning: domain list "empty" is empty'
check "... and has no Domains property" test "$(grep -c '"Domains"' "$OUT")" -eq 1
check "a query type AWS has no mnemonic for is written TYPEn" grep -q '"Qtype": "TYPE65"' "$OUT"
run -p "$TMP/empty.json" --format terraform
expect "terraform warns about two rules on one list" 0 'rules 2 and 3 use the same domain list "all"'
run -p "$TMP/empty.json" --format rpz
expect "RPZ leaves out a rule limited to a query type, and says so" 0 'rule 3 applies to TYPE65 queries only: an RPZ zone cannot'
run -p "$POL/general-mixed.json" --format dnsmasq --upstream 127.0.0.1#53
expect "dnsmasq says it answers NXDOMAIN for NODATA and OVERRIDE" 0 \
    'rule 30: dnsmasq cannot answer OVERRIDE' 'rule 5: dnsmasq cannot answer NODATA'

# --- directories ---------------------------------------------------------------------------

mkdir "$TMP/full" && touch "$TMP/full/x"
run --format cli -o "$TMP/full"
expect "a directory that is not empty is refused" 2 "not empty"
run --format cli -o "$TMP/full" --force
expect "--force writes into it" 0
check "... run.sh is executable" test -x "$TMP/full/run.sh"

# --- import: errors name the file and the line ------------------------------------------------

# a CLI rule with a domain list and a DnsThreatProtection: one match source, as in a template
cp -r "$DNSFW_TEST_DATA/logs/deployed" "$TMP/cli-two-sources"
sed -i 's/"Priority": 10,/"Priority": 10, "DnsThreatProtection": "DGA", "ConfidenceThreshold": "HIGH",/' \
    "$TMP/cli-two-sources/list-firewall-rules-rslvr-frg-01234567890abcdef.json"
run --import "$TMP/cli-two-sources"
expect "import of a CLI rule with a list and a DnsThreatProtection fails with its line" 3 \
    'list-firewall-rules-rslvr-frg-01234567890abcdef.json:3:.*one match source'

while read -r name rc pattern; do
    run --import "$BAD/$name"
    expect "import $name: $pattern" "$rc" "$pattern"
done <<EOF
malformed.json 3 malformed.json:5:[0-9]+: malformed JSON
bad-spec.json 3 bad-spec.json:9: domain list "allowed": "www[.][*][.]example[.]com"
unknown-key.json 3 unknown-key.json:14: unknown key "Prioirty"
outside-list.json 3 outside-list.json:9: rule 100: FirewallDomainListId must be the Id
block-no-response.json 3 block-no-response.json:12: rule 100: BLOCK needs BlockResponse
duplicate-priority.json 3 duplicate-priority.json:14: rule group "g", rule 100
template.yaml 3 convert a YAML template
cli-no-id 3 cli-no-id/list-firewall-domains.json:1: .*put the list's id
cli-unknown 3 cli-unknown/widgets.json:1: not an output of
cli-no-rules 3 list-firewall-rule-groups.json:3: rule group "egress".*no list-firewall-rules
cli-bad-domain 3 list-firewall-domains-rslvr-fdl-0123456789abcdef.json:4: .*"bad..example.": .*empty label
nonexistent.json 4 cannot read
EOF

# --- import and diff ----------------------------------------------------------------------------

run -p "$POL/general-mixed.json" --format cloudformation -o "$TMP/mixed.cfn.json"
run --import "$TMP/mixed.cfn.json" -o "$TMP/imported.json"
expect "import writes a policy" 0
"$EVAL" -p "$TMP/imported.json" github.com >/dev/null 2>"$ERR"
RC=$?
expect "the imported policy loads in dnsfw-eval" 0
check "rule names come back from the template's Metadata" grep -q '"deep-nodata"' "$TMP/imported.json"
run -p "$POL/general-mixed.json" --diff "$TMP/mixed.cfn.json"
expect "--diff of a policy with its own template exits 0" 0
check "... and prints nothing" test ! -s "$OUT"
run -p "$POL/general-blocklist.json" --diff "$TMP/mixed.cfn.json"
expect "--diff of another policy exits 1" 1 "differences between"
check "... and lists what differs" grep -q 'rule group "blocklist": not deployed' "$OUT"
# the template only names a group once it is associated
sed 's/"Priority": 300,/"Priority": 310,/' "$TMP/mixed.cfn.json" >"$TMP/moved.cfn.json"
run -p "$POL/general-mixed.json" --diff "$TMP/moved.cfn.json"
expect "--diff sees a moved association priority" 1
check "... as association_priority 300 -> 310" grep -q 'association_priority 300 -> 310' "$OUT"
run -p "$POL/general-mixed.json" --format cloudformation --vpc-id vpc-0123456789abcdef0 \
    -o "$TMP/vpc.cfn.json"
run -p "$POL/general-mixed.json" --diff "$TMP/vpc.cfn.json" --vpc-id vpc-0123456789abcdef0
expect "--diff --vpc-id counts that VPC's associations" 0
run -p "$POL/general-mixed.json" --diff "$TMP/vpc.cfn.json" --vpc-id vpc-00000000
expect "--diff --vpc-id of another VPC finds the rule groups unassociated" 1 \
    'rule group "first" is not associated with vpc-00000000'
check "... and reports them not deployed" grep -q 'rule group "first": not deployed' "$OUT"

# --- DNS Firewall Advanced rules -------------------------------------------------------------

ADV=$POL/general-advanced.json
run -p "$ADV" --format cloudformation -o "$TMP/adv.cfn.json"
expect "Advanced rules export to a template" 0
check "... as DnsThreatProtection and ConfidenceThreshold, without a domain list" \
    test "$(jq '[.Resources[] | select(.Type == "AWS::Route53Resolver::FirewallRuleGroup")
        | .Properties.FirewallRules[] | select(.DnsThreatProtection)
        | select(has("FirewallDomainListId") | not) | .ConfidenceThreshold] | join(",")' \
        "$TMP/adv.cfn.json")" = '"HIGH,LOW,MEDIUM,HIGH"'
run --import "$TMP/adv.cfn.json" -o "$TMP/adv-imported.json"
expect "a template with Advanced rules imports" 0
check "... and the imported policy keeps them, names from the Metadata" \
    test "$(jq -c '[.rule_groups[].rules[] | select(.dns_threat_protection)
        | [.name, .dns_threat_protection, .confidence_threshold]]' "$TMP/adv-imported.json")" = \
    '[["tunnels","DNS_TUNNELING","HIGH"],["dga-alert","DGA","LOW"],["dictionary-dga","DICTIONARY_DGA","MEDIUM"],["dga-aaaa","DGA","HIGH"]]'
jq '(.Resources[] | select(.Type == "AWS::Route53Resolver::FirewallRuleGroup")
    | .Properties.FirewallRules[] | select(.Priority == 10)).ConfidenceThreshold = "LOW"' \
    "$TMP/adv.cfn.json" >"$TMP/adv-low.cfn.json"
run -p "$ADV" --diff "$TMP/adv-low.cfn.json"
expect "--diff sees a changed confidence threshold" 1
check "... as confidence_threshold HIGH -> LOW" \
    grep -q 'rule group "advanced", rule 10: confidence_threshold HIGH -> LOW' "$OUT"
jq '(.Resources[] | select(.Type == "AWS::Route53Resolver::FirewallRuleGroup")
    | .Properties.FirewallRules[] | select(.Priority == 20)) |= (del(.DnsThreatProtection)
    | del(.ConfidenceThreshold) | .FirewallRuleType = {"FirewallAdvancedThreatCategory": {"Category": "PHISHING"}})' \
    "$TMP/adv.cfn.json" >"$TMP/adv-category.cfn.json"
run --import "$TMP/adv-category.cfn.json" -o "$TMP/adv-category.json"
expect "a threat-category rule (FirewallRuleType) is left out with a warning" 0 \
    'rule 20: a DNS Firewall Advanced rule of a threat or content category'
jq '(.Resources[] | select(.Type == "AWS::Route53Resolver::FirewallRuleGroup")
    | .Properties.FirewallRules[] | select(.Priority == 10)).ConfidenceThreshold = "EXTREME"' \
    "$TMP/adv.cfn.json" >"$TMP/adv-bad.cfn.json"
run --import "$TMP/adv-bad.cfn.json" -o "$TMP/adv-bad.json"
expect "an unknown ConfidenceThreshold is an error with its line" 3 'adv-bad.cfn.json:[0-9]+:.*ConfidenceThreshold'
for f in unbound rpz dnsmasq; do
    extra=()
    [ $f = dnsmasq ] && extra=(--upstream 192.0.2.53)
    run -p "$ADV" --format $f -o "$TMP/adv-$f" "${extra[@]}"
    expect "$f: an Advanced rule is left out with a warning naming it" 0 \
        'rule 10 is a DNS Firewall Advanced rule \(DNS_TUNNELING\)'
done

# --- the platform's construct: fail-open through Custom::AWS, names, query logging ---------------

CDK=$DIR/cdk/platform-construct.template.json
run --import "$CDK" -o "$TMP/cdk.json"
expect "import of the construct's template (Custom::AWS fail-open)" 0
check "... reads fail-open from the Custom::AWS Create call: fail_open true" \
    grep -qE '"fail_open":[[:space:]]*true' "$TMP/cdk.json"
run --diff "$CDK"
expect "--diff of the built-in policy with the construct's template: no difference" 0
check "... and prints nothing" test ! -s "$OUT"
run --import "$DIR/cdk/get-template.json" -o "$TMP/cdk-get.json"
expect "import of get-template output (TemplateBody a string)" 0
check "... the same policy as from the template" cmp -s "$TMP/cdk.json" "$TMP/cdk-get.json"
run --diff "$DIR/cdk/get-template.json"
expect "--diff of get-template output: no difference" 0
# a token in the value: the setting cannot be determined
sed 's/FirewallFailOpen\\":\\"ENABLED/FirewallFailOpen\\":\\"", {"Ref": "Mode"}, "/' "$CDK" \
    >"$TMP/cdk-token.json"
check "(the token variant differs)" sh -c "! cmp -s '$CDK' '$TMP/cdk-token.json'"
run --diff "$TMP/cdk-token.json"
expect "--diff: a fail-open value that is a token is unknown, never equal" 1 \
    "cannot be determined"
check "... reported as unknown" grep -q 'fail_open: ENABLED -> unknown' "$OUT"
run --diff "$TMP/cdk-token.json" --json
check "... in JSON as change \"unknown\"" grep -q '"kind":"fail_open","change":"unknown"' "$OUT"
run --import "$TMP/cdk-token.json" -o "$TMP/cdk-token-policy.json"
expect "--import of it warns that fail-open is not known" 0 "could not be determined"
# Create and Update disagree
python3 - "$CDK" "$TMP/cdk-split.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
for r in t["Resources"].values():
    if r["Type"] == "Custom::AWS":
        r["Properties"]["Update"]["Fn::Join"][1][2] = r["Properties"]["Update"]["Fn::Join"][1][2].replace("ENABLED", "DISABLED")
json.dump(t, open(sys.argv[2], "w"))
PY
run --diff "$TMP/cdk-split.json"
expect "--diff: Create ENABLED, Update DISABLED is unknown" 1 "cannot be determined"
# no fail-open resource at all
python3 - "$CDK" "$TMP/cdk-none.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
t["Resources"] = {k: r for k, r in t["Resources"].items() if r["Type"] != "Custom::AWS"}
json.dump(t, open(sys.argv[2], "w"))
PY
run --diff "$TMP/cdk-none.json"
expect "--diff: a template that sets no fail-open reports it unknown" 1 "nothing in the template sets"
# the association's name
sed 's/"agent-vpc-dns-firewall"/"egress"/' "$CDK" >"$TMP/cdk-name.json"
run --diff "$TMP/cdk-name.json"
expect "--diff compares the association's name" 1
check "... association_name agent-vpc-dns-firewall -> egress" \
    grep -q 'association_name agent-vpc-dns-firewall -> egress' "$OUT"
# the query logging
sed 's/"RetentionInDays": 30/"RetentionInDays": 7/' "$CDK" >"$TMP/cdk-retention.json"
run --diff "$TMP/cdk-retention.json"
expect "--diff compares the log group's retention" 1
check "... query_log_retention_days: 30 -> 7" grep -q 'query_log_retention_days: 30 -> 7' "$OUT"
run --diff "$CDK" --query-log-destination none
expect "--diff with --query-log-destination none sees the construct's logging" 1
check "... query_log_destination: none -> cloudwatch" \
    grep -q 'query_log_destination: none -> cloudwatch' "$OUT"
run --format cloudformation --query-log-destination s3 \
    --query-log-arn arn:aws:s3:::dns-logs-bucket/vpc -o "$TMP/s3.cfn.json"
expect "--query-log-destination s3 --query-log-arn" 0
check "... sends the logs to the bucket" grep -q '"DestinationArn": "arn:aws:s3:::dns-logs-bucket/vpc"' \
    "$TMP/s3.cfn.json"
check "... and makes no log group" sh -c "! grep -q AWS::Logs::LogGroup '$TMP/s3.cfn.json'"
run --diff "$TMP/s3.cfn.json" --query-log-destination s3 --query-log-arn arn:aws:s3:::dns-logs-bucket/vpc
expect "--diff of it with the same destination: no difference" 0
run --diff "$TMP/s3.cfn.json" --query-log-destination s3 --query-log-arn arn:aws:s3:::other
expect "--diff with another bucket" 1 
check "... query_log_arn differs" grep -q 'query_log_arn: arn:aws:s3:::other -> arn:aws:s3:::dns-logs-bucket/vpc' "$OUT"
run --format cloudformation --query-log-destination firehose -o "$TMP/fh.cfn.json"
check "--query-log-destination firehose without an ARN: a template parameter" \
    grep -q '"QueryLogDestinationArn"' "$TMP/fh.cfn.json"
run --format cloudformation --query-log-destination none -o "$TMP/none.cfn.json"
check "--query-log-destination none: no query logging resources" \
    sh -c "! grep -q ResolverQueryLoggingConfig '$TMP/none.cfn.json'"
run --format cli --query-log-destination s3 -o "$TMP/cli-s3"
expect "the cli format needs --query-log-arn with s3" 2 "needs --query-log-arn"
run --format cloudformation --query-log-destination s3 --query-log-arn arn:aws:logs:x
expect "--query-log-arn must be a bucket for s3" 2 "goes with"
run --format cloudformation --query-log-destination syslog
expect "--query-log-destination is one of four" 2 "must be cloudwatch, s3, firehose or none"
# options of other formats are refused, not ignored
run --format cloudformation --log-path 'logs/*.json'
expect "--log-path with an AWS format" 2 "--log-path is for the athena and duckdb formats"
run --format unbound --query-log-destination none
expect "--query-log-destination with a resolver format" 2 \
    "--query-log-destination is for the cloudformation, cli and terraform formats"
run --format duckdb --log-path x.json --query-log-destination s3 --query-log-arn arn:aws:s3:::b
expect "--query-log-arn with a SQL format" 2 "--query-log-arn is for the cloudformation"
run --diff "$CDK" --psl /usr/share/publicsuffix/public_suffix_list.dat
expect "--psl with --diff" 2 "--psl is for the athena and duckdb formats"
run --import "$CDK" --query-log-destination none
expect "--query-log-destination with --import" 2 "reads the query logging from DEPLOYED"
run --format cloudformation -o "$TMP/role.cfn.json"
check "the fail-open function's role may call ec2:DescribeVpcs, as the construct's" \
    grep -q '"ec2:DescribeVpcs"' "$TMP/role.cfn.json"
check "... and its delete succeeds when the VPC is gone" \
    grep -q 'ResourceNotFoundException.*ValidationException' "$TMP/role.cfn.json"

# --- AWS-managed domain lists ------------------------------------------------------------------

MANAGED=$POL/general-managed.json
run -p "$MANAGED" --format cloudformation -o "$TMP/managed.cfn.json"
expect "a policy with AWS-managed lists exports" 0
check "... referring to them by id per Region (Fn::FindInMap on AWS::Region)" \
    grep -q '"DnsfwManagedDomainLists"' "$TMP/managed.cfn.json"
check "... without creating them" sh -c "! grep -q '\"Name\": \"malware\"' '$TMP/managed.cfn.json' ||
    ! grep -B2 '\"Name\": \"malware\"' '$TMP/managed.cfn.json' | grep -q FirewallDomainList"
check "... and without their stand-in" sh -c "! grep -q controldomain1 '$TMP/managed.cfn.json'"
run --import "$TMP/managed.cfn.json" -o "$TMP/managed-imported.json"
expect "its template imports" 0
check "... keeping the managed lists' names and ids" grep -q '"rslvr-fdl-7b5e6e0c2e5e4c11"' \
    "$TMP/managed-imported.json"
run -p "$TMP/managed-imported.json" --format cloudformation -o "$TMP/managed2.cfn.json"
check "... and exports again byte for byte" cmp -s "$TMP/managed.cfn.json" "$TMP/managed2.cfn.json"
run -p "$MANAGED" --diff "$TMP/managed.cfn.json"
expect "--diff of the policy with its template: no difference" 0
sed 's/rslvr-fdl-7b5e6e0c2e5e4c11/rslvr-fdl-00000000000000aa/g' "$TMP/managed.cfn.json" \
    >"$TMP/managed-moved.cfn.json"
run -p "$MANAGED" --diff "$TMP/managed-moved.cfn.json"
expect "--diff compares a managed list's id in each Region" 1
check "... managed_id eu-west-1 differs" grep -q 'managed_id eu-west-1' "$OUT"
for f in terraform cli; do
    run -p "$MANAGED" --format $f -o "$TMP/managed-$f"
    expect "the $f format takes managed lists" 0
done
check "... terraform looks the id up by the current Region" \
    grep -q 'data.aws_region.current.name' "$TMP/managed-terraform"
check "... run.sh finds the id for its Region" grep -q "managed_list 'AWSManagedDomainsMalwareDomainList'" \
    "$TMP/managed-cli/run.sh"
# run.sh's managed_list with a stand-in aws: the policy's id for the Region, else the one
# AWS lists by name, else a stop (never an empty id passed on to create-firewall-rule)
mkdir -p "$TMP/fakeaws"
printf '%s\n' '#!/bin/sh' 'case "$*" in *Malware*) echo rslvr-fdl-0123456789abcdef ;; *) echo None ;; esac' \
    >"$TMP/fakeaws/aws"
chmod +x "$TMP/fakeaws/aws"
sed -n '/^managed_list() {/,/^}/p' "$TMP/managed-cli/run.sh" >"$TMP/managed_list.sh"
ml() { PATH="$TMP/fakeaws:$PATH" AWS_REGION=eu-west-1 sh -c ". '$TMP/managed_list.sh'; managed_list \"\$@\"" ml "$@"; }
check "... managed_list: the policy's id for the Region" \
    test "$(ml X 'us-east-1=rslvr-fdl-1 eu-west-1=rslvr-fdl-2')" = rslvr-fdl-2
check "... managed_list: looked up by name where the policy has none" \
    test "$(ml AWSManagedDomainsMalwareDomainList 'us-east-1=rslvr-fdl-1')" = rslvr-fdl-0123456789abcdef
ml_stops() { ! ml "$@" 2>/dev/null; }
check "... managed_list: a name AWS does not list stops run.sh" ml_stops AWSManagedDomainsNoSuchList ''
printf '%s\n' '{"dnsfw": 1, "domain_lists": {"m": {"managed": "AWSManagedDomainsAggregateThreatList"}},' \
    '"rule_groups": [{"name": "g", "priority": 200, "rules": [{"name": "r", "priority": 1,' \
    '"action": "BLOCK", "domain_list": "m", "block_response": "NODATA"}]}]}' >"$TMP/noids.json"
run -p "$TMP/noids.json" --format cloudformation
expect "CloudFormation needs a managed list's ids" 3 'give the policy its "ids"'
# the CDK's way: a rule with the literal id of a list the template does not define
python3 - "$CDK" "$TMP/cdk-managed.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
for r in t["Resources"].values():
    if r["Type"] == "AWS::Route53Resolver::FirewallRuleGroup":
        r["Properties"]["FirewallRules"].insert(0, {
            "Action": "BLOCK", "BlockResponse": "NODATA", "Priority": 50,
            "FirewallDomainListId": "rslvr-fdl-2c46f2ecbfec4dcc"})
json.dump(t, open(sys.argv[2], "w"))
PY
check "(the literal-id variant differs)" sh -c "! cmp -s '$CDK' '$TMP/cdk-managed.json'"
run --import "$TMP/cdk-managed.json" -o "$TMP/cdk-managed-policy.json"
expect "a template whose rule names a list by id imports (no failure)" 0 \
    "imported as an AWS-managed list known by its id"
check "... as a managed list known by its id" grep -qE '"\*":[[:space:]]*"rslvr-fdl-2c46f2ecbfec4dcc"' \
    "$TMP/cdk-managed-policy.json"
"$EVAL" -p "$MANAGED" controldomain1.malwarelist.firewall.route53resolver.us-east-1.amazonaws.com \
    >"$OUT" 2>"$ERR"
RC=$?
expect "dnsfw-eval with managed lists: the stand-in decides" 1 \
    'is AWS-managed \(AWSManagedDomainsMalwareDomainList\): AWS does not disclose' \
    'evaluated with its local stand-in' 'botnet.*matches no name'
check "... BLOCK by the malware list" grep -q 'domain_list=malware' "$OUT"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
