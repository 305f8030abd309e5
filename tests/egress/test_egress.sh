#!/bin/bash
# Black-box tests of the egress analysis of dnsfw-eval (docs/egress.md): the join of VPC
# Flow Logs with the query logs' answers (planted bypasses among resolved connections,
# replies, endpoints, rejects: precision and recall both 100 %), every way flow logs
# arrive, bad flow records and options, and the exfiltration heuristics (the committed
# benign logs raise nothing; planted channels are flagged) with DNS Firewall Advanced
# rules evaluated by them.
#
#   test_egress.sh PATH/TO/dnsfw-eval SOURCE_ROOT [SECTION,...]
#
# SECTIONs: join, inputs, errors, exfil (default: all). Prints one line per check; exits
# 1 when a check failed (also when jq, gzip or python3 is missing).
set -u
set -f
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 PATH/TO/dnsfw-eval SOURCE_ROOT [join,inputs,errors,exfil]" >&2
    exit 2
fi
EVAL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
SECTIONS=${3:-join,inputs,errors,exfil}
HERE=$SRC/tests/egress
DATA=$SRC/tests/data
for tool in jq gzip python3 cmp; do
    command -v $tool >/dev/null || { echo "FAIL: $tool not found (scripts/install-deps.sh installs it)"; exit 1; }
done
read -ra WRAP <<<"${DNSFW_TEST_WRAPPER:-}"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out
ERR=$TMP/err
IN=/dev/null
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
    for line in "$@"; do echo "       $line"; done
}
check() {
    local desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc" "failed: $*" "stdout: $(head -c 800 "$OUT")" "stderr: $(head -c 800 "$ERR")"; fi
}
check_eq() {
    if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}
run() {
    "${WRAP[@]}" "$EVAL" "$@" <"$IN" >"$OUT" 2>"$ERR"
    RC=$?
    IN=/dev/null
    if grep -qE 'Sanitizer|runtime error:|==[0-9]+==' "$ERR"; then
        not_ok "no sanitizer/valgrind report: $*" "$(head -c 2000 "$ERR")"
    fi
}
rc_is() { [ "$RC" -eq "$1" ]; }
err_has() { grep -qF -- "$1" "$ERR"; }
out_has() { grep -qF -- "$1" "$OUT"; }
jq_is() { [ "$(jq -c "$1" "$OUT" | tr -d '\n')" == "$2" ]; }
jqs_is() { [ "$(jq -sc "$1" "$OUT" | tr -d '\n')" == "$2" ]; } # over all lines at once
want() { [[ ",$SECTIONS," == *",$1,"* ]]; }

# --- the planted bypasses ---------------------------------------------------------------
FL=$TMP/flows
python3 "$HERE/gen_flows.py" "$FL" || { echo "FAIL gen_flows.py"; exit 1; }
FORMAT=$(cat "$FL/flow-format.txt")
JOIN=(--log "$FL/query.jsonl" --flow-log "$FL/AWSLogs" --flow-log "$FL/cwl"
      --flow-format "$FORMAT" --trusted-cidr 198.51.100.0/24 --scope-map "$FL/scope-map.txt"
      --report --no-progress)
KEY='[.srcaddr, .dstaddr, .dstport, .protocol] | map(tostring) | join(" ")'

if want join; then
    run "${JOIN[@]}" --format json
    check "join: exit 0 (nothing blocked, no bad record)" rc_is 0
    jq -r ".direct_ip[] | $KEY" "$OUT" | sort >"$TMP/found"
    jq -r ".direct_ip[] | $KEY" "$FL/expected.json" | sort >"$TMP/planted"
    found=$(wc -l <"$TMP/found")
    planted=$(wc -l <"$TMP/planted")
    hits=$(comm -12 "$TMP/found" "$TMP/planted" | wc -l)
    precision=$((found ? 100 * hits / found : 0))
    recall=$((planted ? 100 * hits / planted : 0))
    echo "     planted $planted, reported $found, both $hits: precision $precision %, recall $recall %"
    check_eq "join: precision 100 % ($hits of $found reported are planted)" 100 "$precision"
    check_eq "join: recall 100 % ($hits of $planted planted are reported)" 100 "$recall"
    check_eq "join: 8 planted bypass groups" 8 "$planted"
    # every field of every group, as the generator computed it
    jq -S '[.direct_ip[] | del(.protocol_name)] | sort_by(.srcaddr, .dstaddr)' "$OUT" >"$TMP/got"
    jq -S '[.direct_ip[] | del(.planted)] | sort_by(.srcaddr, .dstaddr)' "$FL/expected.json" >"$TMP/exp"
    if cmp -s "$TMP/got" "$TMP/exp"; then ok "join: flows, packets, bytes, times, interface, instance, repo and last answer of every group"; else not_ok "join: the groups' fields" "$(diff -u "$TMP/exp" "$TMP/got" | head -40)"; fi
    check_eq "join: every outcome counted as planted" "$(jq -cS .by_outcome "$FL/expected.json")" "$(jq -cS .egress.by_outcome "$OUT")"
    check "join: the window used is in the report" jq_is '.egress.answer_window_seconds' '3600'
    check "join: trusted CIDRs listed" jq_is '.egress.trusted_cidrs' '["198.51.100.0/24"]'
    check "join: 6 answered addresses" jq_is '.egress.answered_addresses' '6'
    check "join: 4 flow files (3 in the S3 tree, 1 export)" jq_is '.egress.flow_files' '4'
    check "join: protocol names" jq_is '[.direct_ip[].protocol_name] | unique' '["ICMP","TCP","UDP"]'
    check "join: heaviest group first" jq_is '[.direct_ip[].bytes] == ([.direct_ip[].bytes] | sort | reverse)' 'true'
    # the window: a longer one covers the address answered three hours before (group e)
    run "${JOIN[@]}" --format json --answer-window 14400
    check "join: --answer-window 14400 resolves the late connection" jq_is '[.direct_ip[] | select(.dstaddr == "104.16.1.1")] | length' '0'
    check "join: --answer-window 14400: 7 groups left" jq_is '.direct_ip | length' '7'
    run "${JOIN[@]}" --format json --answer-window 0
    check "join: --answer-window 0: answers before a flow no longer cover it" jq_is '.direct_ip | length > 8' 'true'
    check "join: --answer-window 0: an answer inside the flow's interval still does" jq_is '[.direct_ip[] | select(.dstaddr == "151.101.0.223" and .first_seen == "2026-01-01T00:04:10Z")] | length' '0'
    # a trusted range removes a bypass; an address too (no /n)
    run "${JOIN[@]}" --format json --trusted-cidr 1.2.3.0/24 --trusted-cidr 8.8.8.8 --trusted-cidr 2001:db8::/32
    check "join: --trusted-cidr removes IPv4 ranges, single addresses and IPv6 ranges" jq_is '[.direct_ip[].dstaddr] | sort' '["104.16.1.1","185.199.110.9","203.0.113.50","9.9.9.9","93.184.216.34"]'
    check "join: trusted flows counted (5 + 4 + 3 + 1)" jq_is '.egress.by_outcome.trusted' '13'
    # the text and Markdown reports carry the same findings
    run "${JOIN[@]}"
    check "join: text report exit 0" rc_is 0
    for d in 1.2.3.4 8.8.8.8 2001:db8:ffff::1 203.0.113.50 104.16.1.1 93.184.216.34 9.9.9.9 185.199.110.9; do
        check "join: text report lists $d" out_has "-> $d port"
    done
    check "join: text report names the repository" out_has "repo org/repo-1"
    check "join: text report says when an address was last answered" out_has "last answered 2026-01-01T00:00:30Z"
    run "${JOIN[@]}" --format markdown
    check "join: markdown report has the table" out_has "| source | destination | port | protocol |"
    check "join: markdown lists 8 groups" [ "$(grep -c '^| 10\.\|^| 2600:' "$OUT")" -eq 8 ]
    # without flow logs, no direct_ip in the report
    run --log "$FL/query.jsonl" --report --format json
    check "join: no --flow-log, no direct_ip key" jq_is 'has("direct_ip") or has("egress")' 'false'
    # --since: an answer just before the window still covers a connection just after it
    head -1 "$FL/query.jsonl" | jq -c '.query_timestamp = "2026-01-01T00:50:00Z" | .answers[0].Rdata = "203.0.113.9"' >"$TMP/lead.jsonl"
    head -1 "$FL/query.jsonl" | jq -c '.query_timestamp = "2026-01-01T01:20:00Z" | .query_name = "later.example.net."' >>"$TMP/lead.jsonl"
    printf '2 111122223333 eni-0aaa 10.0.1.12 203.0.113.9 40000 443 6 10 900 1767229800 1767229860 ACCEPT OK\n' >"$TMP/lead.log"
    run --log "$TMP/lead.jsonl" --report --format json --no-progress --flow-log "$TMP/lead.log" --since 2026-01-01T01:00:00Z
    check "join: --since: the answer before it covers the flow after it" jq_is '.egress.by_outcome | [.resolved, .direct_ip]' '[1,0]'
    check "join: --since: that record is not in the report" jq_is '.totals.records' '1'
    run --log "$TMP/lead.jsonl" --report --format json --no-progress --flow-log "$TMP/lead.log" --since 2026-01-01T01:00:00Z --answer-window 300
    check "join: --since with a shorter window: the answer is too old" jq_is '.egress.by_outcome | [.resolved, .direct_ip]' '[0,1]'
fi

# --- the ways flow logs arrive ---------------------------------------------------------
if want inputs; then
    V2=$(find "$FL/AWSLogs" -name '*T0005Z*.gz')
    V5=$(find "$FL/AWSLogs" -name '*.log')
    check "inputs: the generator wrote the S3 tree" [ -f "$V2" ] && [ -f "$V5" ]
    base=(--log "$FL/query.jsonl" --report --format json --no-progress)
    run "${base[@]}" --flow-log "$V2"
    check "inputs: one gzip file" jq_is '.egress.flow_files' '1'
    n_gz=$(jq '.egress.flow_records' "$OUT")
    gzip -dc "$V2" >"$TMP/v2.log"
    run "${base[@]}" --flow-log "$TMP/v2.log"
    check "inputs: the same file unpacked gives the same records" jq_is '.egress.flow_records' "$n_gz"
    IN=$TMP/v2.log
    run "${base[@]}" --flow-log -
    check "inputs: stdin" jq_is '.egress.flow_records' "$n_gz"
    # two files back to back, each with its header: the format changes at the second header
    { cat "$TMP/v2.log"; cat "$V5"; } >"$TMP/both.log"
    run "${base[@]}" --flow-log "$TMP/both.log"
    n5=$(grep -vc '^version' "$V5")
    check "inputs: concatenated files, two headers, every record read" jq_is '.egress.flow_records' "$((n_gz + n5))"
    check "inputs: concatenated files: no malformed record" jq_is '.egress.by_outcome.malformed' '0'
    # a header line with the fields in yet another order, and LogFormat syntax
    awk 'NR == 1 { print "${log-status} ${action} ${end} ${start} ${bytes} ${packets} ${protocol} ${dstport} ${srcport} ${dstaddr} ${srcaddr} ${interface-id} ${account-id} ${version}"; next }
         { for (i = NF; i > 1; i--) printf "%s ", $i; print $1 }' "$TMP/v2.log" >"$TMP/reversed.log"
    run "${base[@]}" --flow-log "$TMP/reversed.log"
    check "inputs: fields in reverse order, LogFormat header: same outcomes" jq_is '.egress.by_outcome.direct_ip' "$(gzip -dc "$V2" >"$TMP/x" && "$EVAL" "${base[@]}" --flow-log "$TMP/x" | jq .egress.by_outcome.direct_ip)"
    # the default format with no header at all
    tail -n +2 "$TMP/v2.log" >"$TMP/noheader.log"
    run "${base[@]}" --flow-log "$TMP/noheader.log"
    check "inputs: no header: the default format (version 2)" jq_is '.egress.flow_records' "$n_gz"
    # the S3 tree given at its top, and a directory of files with a hidden one skipped
    run "${base[@]}" --flow-log "$FL/AWSLogs"
    check "inputs: the S3 delivery tree" jq_is '.egress.flow_files' '3'
    mkdir -p "$TMP/dir" && cp "$V2" "$TMP/dir/" && cp "$V2" "$TMP/dir/.hidden.gz"
    run "${base[@]}" --flow-log "$TMP/dir"
    check "inputs: a directory; hidden files skipped" jq_is '.egress.flow_files' '1'
    # --flow-format as a header line (not LogFormat) for a headerless file
    run "${base[@]}" --flow-log "$FL/cwl/flows.log" --flow-format "$(echo "$FORMAT" | sed 's/\${\([a-z-]*\)}/\1/g')"
    check "inputs: --flow-format as plain field names" jq_is '.egress.by_outcome.malformed' '0'
    # the same records in every CloudWatch Logs shape the query-log reader takes
    run "${base[@]}" --flow-log "$FL/cwl/flows.log" --flow-format "$FORMAT"
    want_outcomes=$(jq -c '.egress.by_outcome' "$OUT")
    want_groups=$(jq -c '[.direct_ip[] | [.srcaddr, .dstaddr, .dstport, .flows, .bytes]]' "$OUT")
    n_cwl=$(jq '.egress.flow_records' "$OUT")
    check "inputs: CloudWatch messages: the text-file shape" jq_is '.egress.shapes' "{\"flow-log\":$n_cwl}"
    for shape in export.log:cloudwatch-export filter-log-events.json:cloudwatch-events \
        firehose-object.gz:cloudwatch-subscription; do
        file=${shape%%:*} name=${shape#*:}
        run "${base[@]}" --flow-log "$FL/cw-shapes/$file" --flow-format "$FORMAT"
        check "inputs: $file: exit as for the messages" rc_is 0
        check "inputs: $file: every record, as $name" jq_is '.egress.shapes' "{\"$name\":$n_cwl}"
        check "inputs: $file: the same outcomes" jq_is '.egress.by_outcome' "$want_outcomes"
        check "inputs: $file: the same direct_ip groups" jq_is '[.direct_ip[] | [.srcaddr, .dstaddr, .dstport, .flows, .bytes]]' "$want_groups"
    done
    run "${base[@]}" --flow-log "$FL/cw-shapes/firehose-object.gz" --flow-format "$FORMAT"
    check "inputs: the Firehose object's control message is not a flow" jq_is '.egress.not_flow' '1'
    run "${base[@]}" --flow-log "$FL/cw-shapes/filter-log-events.json" --flow-log "$FL/cw-shapes/export.log" --flow-format "$FORMAT"
    check "inputs: two shapes in one run" jq_is '.egress.flow_records' "$((2 * n_cwl))"
    # a bad event inside a document is located by its index
    python3 - "$FL/cw-shapes/filter-log-events.json" "$TMP/bad-events.json" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
docs, dec, i = [], json.JSONDecoder(), 0
while i < len(text):
    if text[i].isspace():
        i += 1
        continue
    d, i = dec.raw_decode(text, i)
    docs.append(d)
docs[1]["events"][3]["message"] = "10.0.1.12 not-an-address 1 2 6 1767225850 1767225910 ACCEPT OK eni-1 i-1 1 1"
open(sys.argv[2], "w").write("".join(json.dumps(d, indent=2) + "\n" for d in docs))
PY
    run "${base[@]}" --flow-log "$TMP/bad-events.json" --flow-format "$FORMAT"
    check "inputs: a bad event: exit 3" rc_is 3
    check "inputs: a bad event located by document and index" err_has "bad-events.json:"
    check "inputs: ... events[3]" err_has ": events[3]: dstaddr is not an IP address"
    check "inputs: ... in the report too" jq_is '[.egress.malformed_examples[] | .where | test("events\\[3\\]$")]' '[true]'
    # --since / --until keep the flows that start inside the window
    run "${base[@]}" --flow-log "$FL/cw-shapes/export.log" --flow-format "$FORMAT" --since 2026-01-01T01:00:00Z --until 2026-01-01T02:00:00Z
    inside=$(awk '{ if ($7 >= 1767229200 && $7 < 1767232800) n++ } END { print n + 0 }' "$FL/cw-shapes/export.log")
    check "inputs: --since/--until: the flows that start inside" jq_is '.egress.flow_records' "$inside"
    check "inputs: --since/--until: the others counted" jq_is '.egress.outside_window' "$((n_cwl - inside))"
fi

# --- bad flow records and options -----------------------------------------------------------
if want errors; then
    base=(--log "$FL/query.jsonl" --report --format json --no-progress)
    { echo "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
      echo "2 111122223333 eni-1 10.0.1.10 140.82.112.3 40001 443 6 1 40 1767225600 1767225660 ACCEPT OK"
      echo "2 111122223333 eni-1 10.0.1.10 1.2.3.4 40002 443 6 1 40 1767225600 1767225660 ACCEPT OK"
      echo "2 111122223333 eni-1 10.0.1.10 1.2.3.4 40000 443 6 1 40"
      echo "2 111122223333 eni-1 10.0.1.10 300.2.3.4 40000 443 6 1 40 1767225600 1767225660 ACCEPT OK"
      echo "2 111122223333 eni-1 10.0.1.10 1.2.3.4 40000 443 6 1 40 1767225660 1767225600 ACCEPT OK"
      echo "version srcaddr srcaddr"
      echo "2 111122223333 eni-1 10.0.1.10 1.2.3.4 40000 443 6 1 40 1767225600 1767225660 ACCEPT OK"
      echo "srcaddr dstaddr start end"
      echo "10.0.1.10 1.2.3.4 1767225600 1767225660"
    } >"$TMP/bad.log"
    run "${base[@]}" --flow-log "$TMP/bad.log"
    check "errors: exit 3 for malformed flow records" rc_is 3
    check "errors: a short record located" err_has "bad.log:4: fewer values than the format has fields"
    check "errors: a bad address located" err_has "bad.log:5: dstaddr is not an IP address"
    check "errors: end before start located" err_has "bad.log:6: end is before start"
    check "errors: a header with a field twice" err_has "bad.log:7: a header line names a field twice"
    check "errors: a format without action: the records lack it" err_has "bad.log:10: the record lacks what the join needs"
    check "errors: 5 malformed, the good ones still joined" jq_is '.egress.by_outcome | [.malformed, .resolved, .direct_ip]' '[5,1,2]'
    check "errors: malformed examples in the report" jq_is '[.egress.malformed_examples[] | .line]' '[4,5,6,7,10]'
    check "errors: the reason of a record that lacks a field" jq_is '.egress.malformed_examples[4].reason' '"the record has no action (ACCEPT or REJECT)"'
    run "${base[@]}" --flow-log "$TMP/bad.log" --format text
    check "errors: text report lists malformed flow records" out_has "malformed: $TMP/bad.log:4: fewer values"
    printf '\037\213\010\000\000\000\000\000' >"$TMP/trunc.gz"
    run "${base[@]}" --flow-log "$TMP/trunc.gz"
    check "errors: a truncated gzip file is reported, exit 3" rc_is 3
    run "${base[@]}" --flow-log "$TMP/no-such-dir"
    check "errors: a missing flow log: exit 4" rc_is 4
    check "errors: a missing flow log is named" err_has "no-such-dir"
    run "${base[@]}" --flow-log "$TMP/bad.log" --flow-format 'srcaddr dstadr'
    check "errors: --flow-format with an unknown field: exit 2" rc_is 2
    check "errors: --flow-format says which field and where" err_has "column 9: unknown flow-log field \"dstadr\""
    run "${base[@]}" --flow-log "$TMP/bad.log" --trusted-cidr 10.0.0.0/33
    check "errors: a bad --trusted-cidr: exit 2" rc_is 2
    check "errors: a bad --trusted-cidr says why" err_has "the prefix length must be 0 to 32"
    run "${base[@]}" --flow-log "$TMP/bad.log" --trusted-cidr 10.0.0.1/8
    check "errors: --trusted-cidr with bits after the prefix: exit 2, as dnsfw-serve --allow" rc_is 2
    check "errors: ... saying so" err_has "bits set after the prefix"
    printf '10.1.2.3/16 org/app\n' >"$TMP/hostbits.map"
    run "${base[@]}" --flow-log "$TMP/bad.log" --scope-map "$TMP/hostbits.map"
    check "errors: a scope map block with bits after the prefix: exit 3" rc_is 3
    check "errors: ... with its line" err_has 'hostbits.map:1: "10.1.2.3/16" is not an address, a CIDR block'
    run "${base[@]}" --flow-log "$TMP/bad.log" --answer-window -5
    check "errors: a negative --answer-window: exit 2" rc_is 2
    run "${base[@]}" --flow-log "$TMP/bad.log" --answer-window 1h
    check "errors: --answer-window takes seconds: exit 2" rc_is 2
    run --log "$FL/query.jsonl" --flow-log "$TMP/bad.log"
    check "errors: --flow-log without --report: exit 2" rc_is 2
    run --flow-log "$TMP/bad.log" --report
    check "errors: --flow-log without --log: exit 2" rc_is 2
    run --log "$FL/query.jsonl" --report --answer-window 10
    check "errors: --answer-window without --flow-log: exit 2" rc_is 2
    run --log - --flow-log - --report
    check "errors: both logs from stdin: exit 2" rc_is 2
    # an answer without a time cannot cover anything: counted, not indexed
    echo '{"query_name":"untimed.example.","query_type":"A","rcode":"NOERROR","answers":[{"Rdata":"5.5.5.5","Type":"A","Class":"IN"}],"srcaddr":"10.0.1.10"}' >"$TMP/untimed.jsonl"
    echo "2 111122223333 eni-1 10.0.1.10 5.5.5.5 40000 443 6 1 40 1767225600 1767225660 ACCEPT OK" >"$TMP/untimed.log"
    run --log "$TMP/untimed.jsonl" --flow-log "$TMP/untimed.log" --report --format json
    check "errors: an answer without a timestamp is counted as untimed" jq_is '.egress | [.answers_untimed, .answers_indexed, .by_outcome.direct_ip]' '[1,0,1]'
    run --help
    check "errors: --help documents --flow-log" out_has "--flow-log FILE"
fi

# --- exfiltration heuristics and Advanced rules ------------------------------------------------
if want exfil; then
    BENIGN=$DATA/egress/benign.jsonl.gz
    # the project's committed logs: none is flagged
    run --log "$BENIGN" --log "$DATA/logs/replay.jsonl" --log "$DATA/logs/aws-samples.jsonl" --report --format json --no-progress
    check "exfil: the committed benign logs: exit 0" rc_is 0
    check "exfil: benign logs: no domain flagged" jq_is '.exfiltration' '[]'
    check "exfil: benign logs: no DGA-like client" jq_is '.dga_clients' '[]'
    check "exfil: benign logs: more than 400 domains scored" jq_is '.exfiltration_summary.domains > 400' 'true'
    echo "     highest benign score: $(jq -c .exfiltration_summary.highest_unflagged "$OUT")"
    check "exfil: benign logs: the highest score stays below half the LOW threshold" jq_is '.exfiltration_summary.highest_unflagged.score < 0.225' 'true'
    run --log "$BENIGN" --report --no-progress
    check "exfil: text report says none" out_has "Exfiltration: domains whose queries look like data in names (heuristics)
  none"
    # planted channels among the benign traffic
    python3 "$HERE/gen_threats.py" "$TMP/threats.jsonl"
    run --log "$BENIGN" --log "$TMP/threats.jsonl" --report --format json --no-progress
    check "exfil: exactly the two planted channels, highest first" jq_is '[.exfiltration[].domain]' '["exfil-b.example","exfil-a.example"]'
    check "exfil: the fast base32 TXT tunnel at HIGH" jq_is '.exfiltration[0] | [.confidence, .distinct_names, .records, .clients, .features.alphabet.base32, .features.data_queries.TXT]' '["HIGH",400,400,1,400,400]'
    check "exfil: the slow hex channel at LOW" jq_is '.exfiltration[1] | [.confidence, .distinct_names, .features.alphabet.hex]' '["LOW",60,60]'
    check "exfil: scores between 0 and 1" jq_is '[.exfiltration[].score | . >= 0 and . <= 1] | all' 'true'
    check "exfil: reasons name the features" jq_is '.exfiltration[0].reasons | map(select(test("distinct names|octets|entropy|encoded|TXT|per minute|one client"))) | length' '7'
    check "exfil: examples and the enforce-mode verdict" jq_is '.exfiltration[0] | [(.examples | length), .verdict.action, .enforce_blocked_records]' '[3,"BLOCK",400]'
    check "exfil: the DGA and the dictionary DGA clients" jq_is '[.dga_clients[] | [.client, .protection, .confidence]]' '[["10.0.9.3","DGA","HIGH"],["10.0.9.4","DICTIONARY_DGA","HIGH"]]'
    check "exfil: DGA evidence (48 distinct domains answered NXDOMAIN, 96 % of its lookups)" jq_is '.dga_clients[0] | [.domains, .nxdomain_share, (.examples | length)]' '[48,0.96,5]'
    run --log "$BENIGN" --log "$TMP/threats.jsonl" --report --format markdown --no-progress
    check "exfil: markdown table" out_has "| exfil-b.example | 0.95 HIGH | 400 | 400 | 1 |"
    # Advanced rules, evaluated with the heuristics (an approximation)
    run -p "$DATA/egress/policy-advanced.json" --log "$BENIGN" --log "$TMP/threats.jsonl" --report --format json --no-progress
    check "advanced: one entry per Advanced rule, in policy order" jq_is '[.advanced_rules[] | .rule]' '["tunnels","dga","dict","late"]'
    check "advanced: labelled as an approximation" jq_is '[.advanced_rules[].evaluated_with | test("approximation")] | all' 'true'
    check "advanced: DNS_TUNNELING at MEDIUM blocks the fast tunnel, allowlisted as it is" jq_is '.advanced_rules[0] | [.records, .names, .newly_blocked_records, [.domains[].domain]]' '[400,400,400,["exfil-b.example"]]'
    check "advanced: DGA at LOW alerts on the DGA's 48 lookups answered NXDOMAIN" jq_is '.advanced_rules[1] | [.records, .names, .newly_blocked_records]' '[48,48,0]'
    check "advanced: DICTIONARY_DGA at HIGH blocks the word-made domains" jq_is '.advanced_rules[2] | [.action, .records > 20, .records == .newly_blocked_records]' '["BLOCK",true,true]'
    check "advanced: a rule after the catch-all never acts" jq_is '.advanced_rules[3] | [.records, .names]' '[0,0]'
    run -p "$DATA/egress/policy-advanced.json" --log "$BENIGN" --report --format json --no-progress
    check "advanced: on benign traffic the Advanced rules act on nothing" jq_is '[.advanced_rules[].records] | add' '0'
    run -p "$DATA/egress/policy-advanced.json" --log "$BENIGN" --log "$TMP/threats.jsonl" --report --no-progress
    check "advanced: text report section" out_has "DNS Firewall Advanced rules, evaluated with the heuristics (an approximation of AWS's detectors)"
    # the per-record verdicts never use Advanced rules (no detector at query time)
    run -p "$DATA/egress/policy-advanced.json" --log "$TMP/threats.jsonl" --json --no-progress
    check "advanced: per-record verdicts come from the domain-list rules" jqs_is '[.[].rule] | unique' '["allow","rest"]'
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
