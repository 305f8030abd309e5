#!/bin/bash
# Black-box tests of dnsfw-eval (contract §2), run the way a user runs it: exit codes,
# stdout (text and --json, checked with jq) and stderr diagnostics.
#
#   test_eval.sh PATH/TO/dnsfw-eval DATA_DIR
#
# DATA_DIR is tests/data. Set DNSFW_TEST_WRAPPER to run the tool under a wrapper,
# e.g. DNSFW_TEST_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full".
# Prints one line per check and exits 1 if any check failed (also when jq is missing).
set -u
set -f # entries such as '*' and '*.example' must never glob

if [ $# -ne 2 ]; then
    echo "usage: $0 PATH/TO/dnsfw-eval DATA_DIR" >&2
    exit 2
fi
EVAL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # absolute: one check runs elsewhere
DATA=$2
VALID=$DATA/policies/valid
INVALID=$DATA/policies/invalid
[ -x "$EVAL" ] || { echo "FAIL $EVAL is not an executable" >&2; exit 1; }
command -v jq >/dev/null || { echo "FAIL: jq not found (scripts/install-deps.sh installs it)"; exit 1; }
read -ra WRAP <<<"${DNSFW_TEST_WRAPPER:-}"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out
ERR=$TMP/err
IN=/dev/null # stdin of the next run
RC=0
passed=0
failed=0

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

# check DESC COMMAND...: the command's success is the check's.
check() {
    local desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc" "failed: $*" "stdout: $(head -c 600 "$OUT")" "stderr: $(head -c 600 "$ERR")"; fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
    if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}

# run ARGS...: run the tool with stdin from $IN (then reset to /dev/null); sets RC, OUT, ERR.
# A sanitizer report on stderr is a failure whatever the exit status.
run() {
    "${WRAP[@]}" "$EVAL" "$@" <"$IN" >"$OUT" 2>"$ERR"
    RC=$?
    IN=/dev/null
    if grep -qE 'Sanitizer|runtime error:|==[0-9]+==' "$ERR"; then
        not_ok "no sanitizer/valgrind report: $*" "$(head -c 2000 "$ERR")"
    fi
}

# run_in TEXT ARGS...: run with TEXT (printf %b escapes) on stdin.
run_in() {
    printf '%b' "$1" >"$TMP/stdin"
    IN=$TMP/stdin
    shift
    run "$@"
}

rc_is() { [ "$RC" -eq "$1" ]; }
out_empty() { [ ! -s "$OUT" ]; }
err_empty() { [ ! -s "$ERR" ]; }
out_lines() { [ "$(wc -l <"$OUT")" -eq "$1" ]; }
err_has() { grep -qF -- "$1" "$ERR"; }
out_has() { grep -qF -- "$1" "$OUT"; }
rep() { printf "%${2}s" "" | tr ' ' "$1"; } # rep CHAR N

# The contract's keys and types (§2), for one verdict object.
CONTRACT_JQ='
def str: type == "string";
def int: type == "number" and . == floor;
type == "object"
and ([ "query_name", "query_type", "action", "rule_group", "rule_priority", "rule",
       "domain_list", "entry", "block_response" ] - keys | length == 0)
and (.query_name | str and endswith("."))
and (.query_type | str)
and (.action | IN("ALLOW", "ALERT", "BLOCK", "NONE"))
and (.rule | str or . == null)
and (if .action == "NONE"
     then [.rule_group, .rule_priority, .rule, .domain_list, .entry] == [null, null, null, null, null]
     else (.rule_group | str) and (.rule_priority | int) and (.domain_list | str) and (.entry | str)
     end)
and (if .action == "BLOCK" then .block_response | IN("NODATA", "NXDOMAIN", "OVERRIDE")
     else .block_response == null end)
and (if .block_response == "OVERRIDE"
     then (.block_override_domain | str) and (.block_override_ttl | int)
     else (has("block_override_domain") or has("block_override_ttl")) == false end)
'

# json_ok: stdout is one JSON object a line (no other line), each with the contract keys.
json_ok() {
    local lines good
    lines=$(wc -l <"$OUT")
    good=$(jq -R "try (fromjson | $CONTRACT_JQ) catch false" "$OUT" | grep -c '^true$')
    [ "$lines" -gt 0 ] && [ "$lines" -eq "$good" ] && [ "$(tail -c 1 "$OUT" | od -An -c | tr -d ' ')" == '\n' ]
}

# project FIELDS: one line per JSON object, the jq FIELDS joined by spaces (null as "null").
project() {
    jq -r "[$1] | map(tostring) | join(\" \")" "$OUT"
}

# verdict_table DESC FIELDS ARGS... < TABLE
# TABLE rows: "NAME[/TYPE]  EXPECTED FIELD VALUES..."; '#' rows and blank rows are skipped.
# All names go through one --json run; row i must match output line i.
verdict_table() {
    local desc=$1 fields=$2
    shift 2
    local names=() expect=() name rest words got i
    while read -r name rest; do
        [[ -z $name || $name == '#'* ]] && continue
        read -ra words <<<"$rest"
        names+=("$name")
        expect+=("${words[*]}")
    done
    run --json "$@" -- "${names[@]}"
    local want=0
    [[ " ${expect[*]} " == *" BLOCK "* ]] && want=1
    check_eq "$desc: exit status" "$want" "$RC"
    check "$desc: --json output follows the contract" json_ok
    mapfile -t got < <(project "$fields")
    check_eq "$desc: one line per name" "${#names[@]}" "${#got[@]}"
    for i in "${!names[@]}"; do
        check_eq "$desc: ${names[$i]}" "${expect[$i]}" "${got[$i]-<no output line>}"
    done
}

TIERED_FIELDS='.action, .rule_priority, .domain_list, .entry, .block_response'
GENERAL_FIELDS='.action, .rule_group, .rule_priority, .rule, .domain_list, .entry, .block_response'

# --- --help, --version, usage errors ---------------------------------------------------

for opt in --help -h; do
    run $opt
    check "$opt: exit 0" rc_is 0
    check "$opt: usage on stdout" out_has "Usage: dnsfw-eval"
    check "$opt: lists the options" grep -q -- '--policy.*--mode.*--scope.*--json' <(tr '\n' ' ' <"$OUT")
    check "$opt: stderr empty" err_empty
done

for opt in --version -V; do
    run $opt
    check "$opt: exit 0" rc_is 0
    check "$opt: 'dnsfw-eval X.Y.Z (libdnsfw X.Y.Z)'" \
        grep -qxE 'dnsfw-eval [0-9]+\.[0-9]+\.[0-9]+ \(libdnsfw [0-9]+\.[0-9]+\.[0-9]+\)' "$OUT"
    check "$opt: stderr empty" err_empty
done

# ARGS | what stderr must mention
while IFS='|' read -r args mention; do
    read -ra argv <<<"$args"
    run "${argv[@]}"
    check "usage error '$args': exit 2" rc_is 2
    check "usage error '$args': stdout empty" out_empty
    check "usage error '$args': stderr mentions $mention" err_has "$mention"
done <<'EOF'
--frobnicate github.com|--frobnicate
-x github.com|-- 'x'
--json=yes github.com|--json
-p|-- 'p'
--policy|--policy
--mode|--mode
--scope|--scope
--mode audit github.com|--mode must be observe or enforce, not "audit"
--scope org/web github.com|--scope: no blueprint for repository "org/web"
EOF

# --- the embedded default policy (tiered, built-in baseline, observe) ------------------

verdict_table "default policy" "$TIERED_FIELDS" <<'EOF'
# name                          action rule list              entry                  response
github.com                      ALLOW  100  platform-baseline github.com             null
api.github.com                  ALLOW  100  platform-baseline api.github.com         null
raw.githubusercontent.com       ALLOW  100  platform-baseline *.githubusercontent.com null
a.b.c.githubusercontent.com     ALLOW  100  platform-baseline *.githubusercontent.com null
_x.githubusercontent.com        ALLOW  100  platform-baseline *.githubusercontent.com null
registry.npmjs.org              ALLOW  100  platform-baseline registry.npmjs.org     null
www.npmjs.org                   ALLOW  100  platform-baseline *.npmjs.org            null
pypi.org                        ALLOW  100  platform-baseline pypi.org               null
test.pypi.org                   ALLOW  100  platform-baseline *.pypi.org             null
files.pythonhosted.org          ALLOW  100  platform-baseline files.pythonhosted.org null
s3.us-east-1.amazonaws.com      ALLOW  100  platform-baseline *.amazonaws.com        null
githubusercontent.com           ALERT  300  block-all         *                      null
npmjs.org                       ALERT  300  block-all         *                      null
amazonaws.com                   ALERT  300  block-all         *                      null
pythonhosted.org                ALERT  300  block-all         *                      null
x.files.pythonhosted.org        ALERT  300  block-all         *                      null
www.github.com                  ALERT  300  block-all         *                      null
evilgithub.com                  ALERT  300  block-all         *                      null
github.com.evil.example         ALERT  300  block-all         *                      null
example.com                     ALERT  300  block-all         *                      null
placeholder.invalid             ALLOW  200  blueprint-additional placeholder.invalid null
.                               ALERT  300  block-all         *                      null
EOF

run --json github.com example.com
check "default policy: rule_group is agent-egress-policy, rule is null" \
    [ "$(jq -c '[.rule_group, .rule]' "$OUT" | sort -u)" == '["agent-egress-policy",null]' ]
check "default policy: no scope key without --scope" [ "$(jq 'has("scope")' "$OUT" | sort -u)" == false ]

run github.com example.com pypi.org/AAAA
check "observe mode: exit 0 (nothing blocked)" rc_is 0
check "observe mode: stderr empty" err_empty
check_eq "text output: ALLOW line" \
    "ALLOW          github.com.                              A      rule_group=agent-egress-policy rule_priority=100 domain_list=platform-baseline entry=github.com" \
    "$(sed -n 1p "$OUT")"
check_eq "text output: ALERT line" \
    "ALERT          example.com.                             A      rule_group=agent-egress-policy rule_priority=300 domain_list=block-all entry=*" \
    "$(sed -n 2p "$OUT")"
check_eq "text output: the type column" \
    "ALLOW          pypi.org.                                AAAA   rule_group=agent-egress-policy rule_priority=100 domain_list=platform-baseline entry=pypi.org" \
    "$(sed -n 3p "$OUT")"
check "text output: three lines" out_lines 3

# '{ "dnsfw": 1 }' is the same policy as the embedded default.
defaults=(github.com x.pypi.org example.com placeholder.invalid registry.npmjs.org/AAAA)
run --json "${defaults[@]}"
cp "$OUT" "$TMP/default.out"
run --json -p "$VALID/tiered-empty.json" "${defaults[@]}"
check "{\"dnsfw\": 1} gives the same verdicts as no -p" cmp -s "$OUT" "$TMP/default.out"

# --- --mode ----------------------------------------------------------------------------

verdict_table "default policy, --mode enforce" "$TIERED_FIELDS" --mode enforce <<'EOF'
github.com              ALLOW 100 platform-baseline github.com null
example.com             BLOCK 300 block-all         *          NODATA
placeholder.invalid     ALLOW 200 blueprint-additional placeholder.invalid null
EOF

run --mode enforce github.com example.com
check "--mode enforce, one name blocked: exit 1" rc_is 1
check_eq "--mode enforce: text line shows BLOCK/NODATA" \
    "BLOCK/NODATA   example.com.                             A      rule_group=agent-egress-policy rule_priority=300 domain_list=block-all entry=*" \
    "$(sed -n 2p "$OUT")"
run --mode enforce github.com pypi.org
check "--mode enforce, nothing blocked: exit 0" rc_is 0
run --mode=observe example.com
check "--mode=observe: exit 0" rc_is 0

verdict_table "enforce policy, NXDOMAIN" "$TIERED_FIELDS" -p "$VALID/tiered-enforce-nxdomain.json" <<'EOF'
pypi.org            ALLOW 200 blueprint-additional pypi.org null
github.com          BLOCK 300 block-all            *        NXDOMAIN
EOF
run -p "$VALID/tiered-enforce-nxdomain.json" github.com
check "enforce policy (empty baseline): github.com blocked, exit 1" rc_is 1
run -p "$VALID/tiered-enforce-nxdomain.json" --mode observe --json github.com
check "--mode observe overrides the policy's enforce: exit 0" rc_is 0
check_eq "--mode observe overrides the policy's enforce: ALERT" "ALERT" "$(jq -r .action "$OUT")"

verdict_table "enforce policy, OVERRIDE" "$TIERED_FIELDS, .block_override_domain, .block_override_ttl" \
    -p "$VALID/tiered-enforce-override.json" <<'EOF'
pypi.org            ALLOW 100 platform-baseline pypi.org null     null              null
example.com         BLOCK 300 block-all         *        OVERRIDE sinkhole.example. 300
EOF
run -p "$VALID/tiered-enforce-override.json" example.com
check "text output: BLOCK/OVERRIDE" grep -q '^BLOCK/OVERRIDE example\.com\. ' "$OUT"

for mode in enforce observe; do
    run -p "$VALID/general.json" --mode $mode github.com
    check "--mode $mode on a general policy: exit 2" rc_is 2
    check "--mode $mode on a general policy: says why" err_has "tiered policy form only"
    check "--mode $mode on a general policy: stdout empty" out_empty
done

# --- --scope ---------------------------------------------------------------------------

BP=$VALID/tiered-blueprints.json
verdict_table "blueprints, no scope (union)" "$TIERED_FIELDS" -p "$BP" <<'EOF'
github.com                  ALLOW 100 platform-baseline    github.com               null
pypi.org                    ALERT 300 block-all            *                        null
npm.internal.example.com    ALLOW 200 blueprint-additional npm.internal.example.com null
a.private-registry.io       ALLOW 200 blueprint-additional *.private-registry.io    null
huggingface.co              ALLOW 200 blueprint-additional huggingface.co           null
x.hf.co                     ALLOW 200 blueprint-additional *.hf.co                  null
placeholder.invalid         ALERT 300 block-all            *                        null
EOF

FIELDS_SCOPE="$TIERED_FIELDS, .scope"
verdict_table "--scope org/web" "$FIELDS_SCOPE" -p "$BP" --scope org/web <<'EOF'
github.com                  ALLOW 100 platform-baseline    github.com               null org/web
npm.internal.example.com    ALLOW 200 blueprint-additional npm.internal.example.com null org/web
a.private-registry.io       ALLOW 200 blueprint-additional *.private-registry.io    null org/web
huggingface.co              ALERT 300 block-all            *                        null org/web
x.hf.co                     ALERT 300 block-all            *                        null org/web
EOF
verdict_table "--scope org/ml" "$FIELDS_SCOPE" -p "$BP" --scope org/ml <<'EOF'
npm.internal.example.com    ALLOW 200 blueprint-additional npm.internal.example.com null org/ml
a.private-registry.io       ALERT 300 block-all            *                        null org/ml
x.hf.co                     ALLOW 200 blueprint-additional *.hf.co                  null org/ml
EOF
verdict_table "--scope org/empty (placeholder)" "$FIELDS_SCOPE" -p "$BP" --scope org/empty <<'EOF'
github.com                  ALLOW 100 platform-baseline    github.com               null org/empty
npm.internal.example.com    ALERT 300 block-all            *                        null org/empty
placeholder.invalid         ALLOW 200 blueprint-additional placeholder.invalid      null org/empty
EOF
verdict_table "--scope org/web --mode enforce" "$FIELDS_SCOPE" -p "$BP" --scope org/web --mode enforce <<'EOF'
huggingface.co              BLOCK 300 block-all            *                        NODATA org/web
EOF

run -p "$BP" --scope org/web huggingface.co
check_eq "--scope: text line ends with scope=" \
    "ALERT          huggingface.co.                          A      rule_group=agent-egress-policy rule_priority=300 domain_list=block-all entry=* scope=org/web" \
    "$(cat "$OUT")"
run -p "$BP" --scope=org/ml x.hf.co
check "--scope=REPO form: exit 0" rc_is 0
run -p "$BP" --scope org/nope github.com
check "--scope unknown repo: exit 2" rc_is 2
check "--scope unknown repo: names it" err_has 'no blueprint for repository "org/nope"'
check "--scope unknown repo: stdout empty" out_empty
run -p "$BP" --scope ORG/WEB github.com
check "--scope is case-sensitive: exit 2" rc_is 2
run -p "$VALID/general.json" --scope org/web github.com
check "--scope on a general policy: exit 2" rc_is 2
check "--scope on a general policy: says why" err_has "--scope needs a tiered policy"

# --- a general-form policy -------------------------------------------------------------

# Groups run by association priority (early 5, egress 1000, late 2000), rules by priority,
# whatever their order in the file; the entry is the most specific matching spec.
# (List "corp ok" has a space in its name: rows are compared word by word.)
verdict_table "general policy" "$GENERAL_FIELDS" -p "$VALID/general.json" <<'EOF'
# name                    action group  prio rule         list    entry                  response
pypi.org                  ALLOW  egress 100  allow        allowed pypi.org               null
pypi.org/AAAA             ALLOW  egress 100  allow        allowed pypi.org               null
foo.pythonhosted.org      ALLOW  egress 100  allow        allowed *.pythonhosted.org     null
files.pythonhosted.org    ALLOW  egress 100  allow        allowed files.pythonhosted.org null
EXAMPLE.org.              ALLOW  egress 100  allow        allowed example.org            null
x.example.org             NONE   null   null null         null    null                   null
ads.example.com           BLOCK  egress 50   sinkhole-ads ads     ads.example.com        OVERRIDE
a.b.tracker.example       BLOCK  egress 50   sinkhole-ads ads     *.tracker.example      OVERRIDE
ads.example.com/AAAA      BLOCK  egress 50   sinkhole-ads ads     ads.example.com        OVERRIDE
x.cdn.example             ALERT  egress 130  cdn-watch    cdn     x.cdn.example          null
x.cdn.example/TXT         BLOCK  egress 120  cdn-txt-off  cdn     x.cdn.example          NXDOMAIN
x.cdn.example/TYPE16      BLOCK  egress 120  cdn-txt-off  cdn     x.cdn.example          NXDOMAIN
y.a.cdn.example/txt       BLOCK  egress 120  cdn-txt-off  cdn     *.a.cdn.example        NXDOMAIN
a.cdn.example             ALERT  egress 130  cdn-watch    cdn     *.cdn.example          null
files.cdn.example         ALERT  egress 130  cdn-watch    cdn     files.cdn.example      null
cdn.example               NONE   null   null null         null    null                   null
nothing.test              NONE   null   null null         null    null                   null
nothing.test/AAAA         BLOCK  egress 150  aaaa-off     all     *                      NODATA
nothing.test/TYPE28       BLOCK  egress 150  aaaa-off     all     *                      NODATA
ok.corp.example           ALLOW  early  1    corp-allow   corp ok ok.corp.example        null
ok.corp.example/AAAA      ALLOW  early  1    corp-allow   corp ok ok.corp.example        null
bad.corp.example          BLOCK  late   10   corp-block   corp    *.corp.example         NXDOMAIN
bad.corp.example/AAAA     BLOCK  egress 150  aaaa-off     all     *                      NODATA
EOF

run -p "$VALID/general.json" --json ads.example.com pypi.org
check_eq "OVERRIDE: block_override_domain and _ttl" 'sinkhole.example. 60' \
    "$(jq -r 'select(.block_response == "OVERRIDE") | "\(.block_override_domain) \(.block_override_ttl)"' "$OUT")"
check "OVERRIDE keys only on OVERRIDE verdicts" \
    [ "$(jq -c 'has("block_override_domain")' "$OUT" | tr '\n' ' ')" == "true false " ]
check "general policy: --json rule is the rule's name" [ "$(jq -r .rule "$OUT" | tr '\n' ' ')" == "sinkhole-ads allow " ]

run -p "$VALID/general.json" pypi.org nothing.test bad.corp.example
check "general policy, one BLOCK: exit 1" rc_is 1
check_eq "text output: rule= field" \
    "ALLOW          pypi.org.                                A      rule_group=egress rule_priority=100 rule=allow domain_list=allowed entry=pypi.org" \
    "$(sed -n 1p "$OUT")"
check_eq "text output: no rule matched" \
    "NONE           nothing.test.                            A      no rule matched" \
    "$(sed -n 2p "$OUT")"
check_eq "text output: BLOCK/NXDOMAIN" \
    "BLOCK/NXDOMAIN bad.corp.example.                        A      rule_group=late rule_priority=10 rule=corp-block domain_list=corp entry=*.corp.example" \
    "$(sed -n 3p "$OUT")"
run -p "$VALID/general.json" pypi.org ads.example.com nothing.test/AAAA bad.corp.example nothing.test
check "text output: columns aligned whatever the action (name at column 16, type at 57)" \
    [ "$(awk '{ print index($0, " " $2 " ") ":" index($0, " " $3 " ") }' "$OUT" | sort -u)" == "15:56" ]
run -p "$VALID/general.json" pypi.org nothing.test
check "general policy, nothing blocked: exit 0" rc_is 0

# --- query types: NAME/TYPE ------------------------------------------------------------

verdict_table "NAME/TYPE" ".query_name, .query_type" <<'EOF'
x.example            x.example. A
x.example/A          x.example. A
x.example/AAAA       x.example. AAAA
x.example/aaaa       x.example. AAAA
x.example/TYPE28     x.example. AAAA
x.example/type28     x.example. AAAA
x.example/TYPE1      x.example. A
x.example/MX         x.example. MX
x.example/Txt        x.example. TXT
x.example/HTTPS      x.example. HTTPS
x.example/TYPE65280  x.example. TYPE65280
a/b.example/AAAA     a/b.example. AAAA
EOF

# ARG | stderr line (after "dnsfw-eval: ")
while IFS='|' read -r arg msg; do
    run github.com "$arg" example.com
    check "bad type '$arg': exit 3" rc_is 3
    check_eq "bad type '$arg': reported" "dnsfw-eval: <args>:2: $msg" "$(cat "$ERR")"
    check "bad type '$arg': the other names still evaluated" out_lines 2
done <<'EOF'
github.com/BOGUS|unknown query type "BOGUS"
github.com/|unknown query type ""
github.com/TYPE0|unknown query type "TYPE0"
github.com/TYPE65536|unknown query type "TYPE65536"
github.com/TYPE|unknown query type "TYPE"
EOF

# --- query_name normalisation ----------------------------------------------------------

verdict_table "query_name normalisation" ".query_name, .action, .entry" <<'EOF'
# input                     query_name                     action entry
GitHub.COM                  github.com.                    ALLOW  github.com
GITHUB.COM.                 github.com.                    ALLOW  github.com
\071ithub.com               github.com.                    ALLOW  github.com
github\.com                 github\.com.                   ALERT  *
a\032b.example              a\032b.example.                ALERT  *
a\.B.Example                a\.b.example.                  ALERT  *
semi;colon.example          semi\;colon.example.           ALERT  *
x\(y\).example              x\(y\).example.                ALERT  *
back\\slash.example         back\\slash.example.           ALERT  *
b\195\188cher.example       b\195\188cher.example.         ALERT  *
.                           .                              ALERT  *
EOF

# A raw UTF-8 name and a name with a quote, given as they would be on a command line.
run --json "bücher.example" 'x"y.example' 'Ünï.githubusercontent.com'
check "non-ASCII octets come out as \\DDD" \
    [ "$(jq -r .query_name "$OUT" | tr '\n' ' ')" == 'b\195\188cher.example. x\"y.example. \195\156n\195\175.githubusercontent.com. ' ]
check "a non-ASCII label is still covered by *.suffix" [ "$(jq -r 'select(.action == "ALLOW") | .entry' "$OUT")" == '*.githubusercontent.com' ]
check "quote in a name: valid JSON" json_ok

# --- malformed names -------------------------------------------------------------------

L63=$(rep a 63)
NAME253="$L63.$L63.$L63.$(rep b 61)" # 255 octets in wire form: the longest legal name
NAME254="$L63.$L63.$L63.$(rep b 62)" # 256 octets
run --json "$L63.example" "$NAME253" "$NAME253."
check "63-octet label and 253-character name: accepted, exit 0" rc_is 0
check "63-octet label and 253-character name: three verdicts" out_lines 3
check_eq "253-character name: query_name has the trailing dot" "$NAME253." "$(jq -r .query_name "$OUT" | sed -n 2p)"

# shellcheck disable=SC1003 # 'x\' is a name ending in a backslash
names=(github.com 'a..example' '' "$(rep c 64).example" "$NAME254" '.example' 'example..' '..' 'x\' 'a\256.example' 'a\1x.example' example.com)
run "${names[@]}"
check "malformed names: exit 3" rc_is 3
check "malformed names: the valid names are still evaluated" out_lines 2
check_eq "malformed names: first and last verdicts" "github.com. example.com." "$(awk '{ print $2 }' "$OUT" | paste -sd ' ')"
mapfile -t errs <"$ERR"
i=0
while IFS='|' read -r line msg; do
    check_eq "malformed name at <args>:$line" "dnsfw-eval: <args>:$line: $msg" "${errs[$i]-<missing>}"
    i=$((i + 1))
done <<EOF
2|empty label: "a..example"
3|empty label: ""
4|label longer than 63 octets: "$(rep c 64).example"
5|name longer than 255 octets: "$NAME254"
6|empty label: ".example"
7|empty label: "example.."
8|empty label: ".."
9|invalid escape sequence: "x\\"
10|invalid escape sequence: "a\\256.example"
11|invalid escape sequence: "a\\1x.example"
EOF
check_eq "malformed names: one stderr line each" 10 "${#errs[@]}"

run --mode enforce example.com 'a..b'
check "malformed name outranks a BLOCK: exit 3" rc_is 3
check "malformed name outranks a BLOCK: the BLOCK is still printed" grep -q '^BLOCK/NODATA   example\.com\.' "$OUT"
run --json 'a..b' github.com
check "malformed name with --json: only the valid object on stdout" json_ok
check "malformed name with --json: one line" out_lines 1

# --- names from stdin ------------------------------------------------------------------

IN=$DATA/inputs/queries.txt
run --json
check "stdin: exit 3 (bad lines are reported)" rc_is 3
check "stdin: --json output follows the contract" json_ok
check_eq "stdin: verdicts, blank and # lines skipped, TYPE honoured" \
    "github.com. A ALLOW|api.github.com. AAAA ALLOW|example.com. MX ALERT|pypi.org. AAAA ALLOW|registry.npmjs.org. A ALLOW|files.pythonhosted.org. TXT ALLOW|x.example.com. A ALERT|last.example. A ALERT" \
    "$(project '.query_name, .query_type, .action' | paste -sd '|')"
check_eq "stdin: bad lines reported with <stdin>:LINE" \
    'dnsfw-eval: <stdin>:10: expected "NAME [TYPE]", found more fields|dnsfw-eval: <stdin>:11: unknown query type "BOGUS"|dnsfw-eval: <stdin>:12: empty label: "a..b.example"' \
    "$(paste -sd '|' "$ERR")"

run_in 'github.com\nexample.com AAAA\n'
check "stdin, all good, observe: exit 0" rc_is 0
check "stdin: text output, two lines" out_lines 2
run_in '\n# only comments\n   \n\t\n'
check "stdin with no queries: exit 0" rc_is 0
check "stdin with no queries: no output" out_empty
check "stdin with no queries: no diagnostics" err_empty
run_in 'example.com\n' --mode enforce
check "stdin, enforce, one blocked: exit 1" rc_is 1
run_in 'example.com\n..\n' --mode enforce
check "stdin, malformed outranks blocked: exit 3" rc_is 3
check_eq "stdin: malformed name on line 2" 'dnsfw-eval: <stdin>:2: empty label: ".."' "$(cat "$ERR")"

# --- the policy on stdin (-p -) --------------------------------------------------------

IN=$BP
run -p - --json npm.internal.example.com
check "-p - with names as arguments: exit 0" rc_is 0
check_eq "-p -: the policy from stdin is used" "ALLOW 200" "$(jq -r '"\(.action) \(.rule_priority)"' "$OUT")"
IN=$BP
run -p -
check "-p - and names from stdin too: exit 2" rc_is 2
check "-p - and names from stdin too: says why" err_has "stdin"
check "-p - and names from stdin too: stdout empty" out_empty
IN=$INVALID/malformed-json.json
run -p - github.com
check "-p - invalid policy: exit 3" rc_is 3
check_eq "-p - invalid policy: located as <stdin>" "dnsfw-eval: <stdin>:3:29: malformed JSON" "$(cat "$ERR")"
# A list file of a policy read from stdin is relative to the working directory.
(cd "$VALID" && "${WRAP[@]}" "$EVAL" -p - --json x.cdn.example <general.json >"$OUT" 2>"$ERR")
check_eq "-p -: list file relative to the working directory" "ALERT x.cdn.example" \
    "$(project '.action, .entry')"

# --- invalid policies ------------------------------------------------------------------

# policy file | reported FILE:LINE:COL | message (" ... " elides a middle part)
while IFS='|' read -r file where msg; do
    read -r file <<<"$file"
    read -r where <<<"$where"
    read -r msg <<<"$msg"
    run -p "$INVALID/$file" github.com
    check "$file: exit 3" rc_is 3
    check "$file: stdout empty" out_empty
    line=$(cat "$ERR")
    want="dnsfw-eval: $INVALID/$where: $msg"
    if [[ $msg == *' ... '* ]]; then
        pre="dnsfw-eval: $INVALID/$where: ${msg%% ... *}" suf=${msg#* ... }
        if [[ $line == "$pre"* && $line == *"$suf" && $line != *$'\n'* ]]; then ok "$file: $where"; else
            not_ok "$file: $where" "expected: $want" "actual:   $line"; fi
    else
        check_eq "$file: $where" "$want" "$line"
    fi
done <<'EOF'
malformed-json.json           | malformed-json.json:3:29           | malformed JSON
truncated-json.json           | truncated-json.json:3:28           | malformed JSON: unexpected end of text
truncated-in-string.json      | truncated-in-string.json:3:22      | malformed JSON: unexpected end of text
trailing-text.json            | trailing-text.json:2:1             | malformed JSON: text after the value
empty-file.json               | empty-file.json:1:1                | malformed JSON: unexpected end of text
not-an-object.json            | not-an-object.json:1:1             | the policy must be a JSON object
missing-version.json          | missing-version.json:1:1           | policy needs the key "dnsfw"
unsupported-version.json      | unsupported-version.json:2:12      | unsupported policy format version 2 (this library reads 1)
unknown-key.json              | unknown-key.json:4:3               | unknown key "blueprint" in the policy (tiered form)
unknown-key-in-rule.json      | unknown-key-in-rule.json:7:39      | unknown key "acton" in rule_groups[0].rules[0]
duplicate-key.json            | duplicate-key.json:4:3             | duplicate key "mode" in the policy (tiered form)
wrong-type-fail-open.json     | wrong-type-fail-open.json:3:16     | policy.fail_open must be true or false
wrong-type-baseline.json      | wrong-type-baseline.json:3:15      | baseline must be an array of domain specs
wrong-type-priority.json      | wrong-type-priority.json:7:36      | rule_groups[0].rules[0].priority must be an integer from 1 to 2147483647
bad-mode.json                 | bad-mode.json:3:11                 | policy.mode must be "observe" or "enforce"
duplicate-rule-priority.json  | duplicate-rule-priority.json:8:41  | rule_groups[0].rules[1]: priority 100 is used by another rule of the group
duplicate-group-priority.json | duplicate-group-priority.json:6:5  | rule_groups[1]: another rule group has the name "two" or the priority 10
duplicate-list-name.json      | duplicate-list-name.json:5:5       | domain list "allowed" is defined twice
duplicate-repo.json           | duplicate-repo.json:5:15           | blueprints[1]: repository "org/a" has a blueprint already
block-without-response.json   | block-without-response.json:7:9    | rule_groups[0].rules[0]: a BLOCK rule needs a block_response (NODATA, NXDOMAIN or OVERRIDE)
response-on-allow.json        | response-on-allow.json:7:9         | rule_groups[0].rules[0]: block_response is only allowed with action BLOCK
override-without-domain.json  | override-without-domain.json:1:1   | block_response OVERRIDE needs block_override with a domain
override-ttl-range.json       | override-ttl-range.json:4:60       | policy.block_override.ttl must be an integer from 0 to 604800
undefined-list.json           | undefined-list.json:7:73           | rule_groups[0].rules[0] refers to domain list "nope", which is not defined
bad-qtype.json                | bad-qtype.json:7:89                | rule_groups[0].rules[0].qtype must be one of A AAAA CAA CNAME DS MX NAPTR NS PTR SOA SPF SRV TXT, or TYPEn with n from 1 to 65534
oversized-spec.json           | oversized-spec.json:4:5            | invalid domain spec "aaaaaaaaaaaaaaaa ... bbbb" in list "platform-baseline": the spec is longer than 255 characters
bad-spec-wildcard.json        | bad-spec-wildcard.json:4:59        | invalid domain spec "a.*.example" in list "blueprint-additional (org/a)": '*' is only allowed as the whole first label
bad-spec-underscore.json      | bad-spec-underscore.json:3:30      | invalid domain spec "_dmarc.example.com" in list "mail": only letters, digits, '-' and '.' are allowed
bad-spec-non-ascii.json       | bad-spec-non-ascii.json:3:30       | invalid domain spec "bücher.example" in list "platform-baseline": non-ASCII characters are not allowed (use the xn-- A-label)
invalid-utf8.json             | invalid-utf8.json:3:37             | invalid UTF-8
nul-escape.json               | nul-escape.json:3:21               | \u0000 is not allowed in a string
bad-spec-in-list-file.json    | lists/bad-spec.txt:3:3             | invalid domain spec "a..b.example" in list "big": the spec has an empty label
EOF

# --- I/O errors (exit 4) ---------------------------------------------------------------

run -p "$DATA/policies/no-such-policy.json" github.com
check "missing policy file: exit 4" rc_is 4
check_eq "missing policy file: reported" \
    "dnsfw-eval: $DATA/policies/no-such-policy.json: cannot read the policy: No such file or directory" "$(cat "$ERR")"
check "missing policy file: stdout empty" out_empty
run -p "$DATA/policies" github.com
check "policy path is a directory: exit 4" rc_is 4
run -p "$INVALID/missing-list-file.json" github.com
check "missing list file: exit 4" rc_is 4
check_eq "missing list file: located at the \"file\" value" \
    "dnsfw-eval: $INVALID/missing-list-file.json:3:38: cannot read list file \"$INVALID/lists/does-not-exist.txt\": No such file or directory" \
    "$(cat "$ERR")"
[ -w /dev/full ] || not_ok "/dev/full is writable (needed for the write-error checks)"
"${WRAP[@]}" "$EVAL" github.com </dev/null >/dev/full 2>"$ERR"
RC=$?
check "stdout cannot be written (/dev/full): exit 4" rc_is 4
check "stdout cannot be written: reported" err_has "error writing the output"
for opt in --help --version; do
    "${WRAP[@]}" "$EVAL" $opt </dev/null >/dev/full 2>"$ERR"
    RC=$?
    check "$opt to a full disk (/dev/full): exit 4" rc_is 4
    check "$opt to a full disk: reported" err_has "cannot write to standard output: No space left on device"
done

# --- size limits: --max-policy-bytes, stdin lines ----------------------------------------

run -p /dev/zero github.com
check "an endless policy (/dev/zero): exit 3 at the default limit" rc_is 3
check "an endless policy: says which limit" err_has "exceeds the size limit (--max-policy-bytes) of 67108864 bytes"
run -p "$DATA/policies/valid/general.json" --max-policy-bytes 100 github.com
check "--max-policy-bytes below the policy's size: exit 3" rc_is 3
check "--max-policy-bytes: reported" err_has "exceeds the size limit (--max-policy-bytes) of 100 bytes"
run -p "$DATA/policies/valid/general.json" --max-policy-bytes 1M github.com
check "--max-policy-bytes 1M: the policy loads" rc_is 0
IN=$DATA/policies/valid/general.json
run -p - --max-policy-bytes 100 github.com
check "--max-policy-bytes applies to a policy on stdin: exit 3" rc_is 3
check "--max-policy-bytes on stdin: reported" err_has "<stdin>: the policy exceeds the size limit (--max-policy-bytes) of 100 bytes"
for bad in 0 -1 1X 2T ""; do
    run --max-policy-bytes "$bad" github.com
    check "--max-policy-bytes '$bad': usage error" rc_is 2
done
run_in "github.com\n$(rep a 5000)\nevil.example\n"
check "a stdin line longer than 4096 octets: exit 3" rc_is 3
check "a long stdin line: reported with its number" err_has "<stdin>:2: line longer than 4096 octets: skipped"
check "a long stdin line: the lines around it are evaluated" out_lines 2
run_in "$(rep a 4096)"
check "a stdin line of 4096 octets without a newline is read (and is a bad name)" err_has "<stdin>:1: label longer than 63 octets"

# --- the exit-status matrix (contract §2) ----------------------------------------------

# --- --brief, --summary, a terminal on stdin ---------------------------------------------

run --brief github.com codeload.github.com
check_eq "--brief: action, name, type, entry, list" \
    "ALLOW          github.com.                      A     github.com               platform-baseline" \
    "$(head -n 1 "$OUT")"
check "--brief: every line under 100 columns" awk 'length($0) >= 100 { exit 1 }' "$OUT"
run --brief --json github.com
check "--brief with --json: usage error" rc_is 2

run --summary github.com codeload.github.com proxy.golang.org pypi.org
check "--summary in observe mode: exit 0" rc_is 0
check_eq "--summary: the enforce-mode count and names" \
    "2 of 4 would be blocked in enforce mode: codeload.github.com, proxy.golang.org" \
    "$(tail -n 1 "$OUT")"
run --summary --mode enforce github.com evil.example
check "--summary in enforce mode: exit 1" rc_is 1
check_eq "--summary in enforce mode: blocked now" "1 of 2 is blocked: evil.example" \
    "$(tail -n 1 "$OUT")"
run --summary $(for i in $(seq 1 12); do echo "host-number-$i.example"; done)
check "--summary: a long list ends with 'and N more' within 100 columns" \
    awk 'END { exit !(length($0) <= 100 && $0 ~ /and [0-9]+ more$/) }' "$OUT"
run --summary --log /dev/null
check "--summary with --log: usage error" rc_is 2

if command -v script >/dev/null; then
    timeout 10 script -qec "$EVAL" /dev/null </dev/null >"$OUT" 2>&1
    check "a terminal on stdin: dnsfw-eval says it reads queries from it" \
        out_has "reading queries from the terminal"
else
    not_ok "script (bsdutils) is needed for the terminal check"
fi
run_in "github.com\n"
check "stdin that is not a terminal: no prompt on stderr" err_empty

# expected status | stdin | arguments
while IFS='|' read -r want input args; do
    read -r want <<<"$want"
    read -r input <<<"$input"
    read -r args <<<"$args"
    read -ra argv <<<"${args//@VALID@/$VALID}"
    run_in "$input" "${argv[@]}"
    check_eq "exit status $want: $args${input:+ (stdin: $input)}" "$want" "$RC"
done <<'EOF'
0 |                          | github.com example.com
0 |                          | --mode enforce github.com pypi.org
0 | github.com\nexample.com  |
0 |                          | -p @VALID@/general.json nothing.test pypi.org
1 |                          | --mode enforce github.com example.com
1 | example.com\n            | --mode enforce
1 |                          | -p @VALID@/general.json ads.example.com
2 |                          | --no-such-option
2 |                          | --mode
2 |                          | --mode sideways github.com
2 |                          | -p @VALID@/general.json --mode enforce github.com
2 |                          | --scope org/web github.com
2 |                          | -p @VALID@/general.json --scope org/web github.com
3 |                          | a..b
3 |                          | --mode enforce example.com a..b
3 | github.com A B\n         |
3 |                          | -p @VALID@/../invalid/unknown-key.json github.com
4 |                          | -p @VALID@/no-such-file.json github.com
4 |                          | -p @VALID@/../invalid/missing-list-file.json github.com
EOF

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
