#!/bin/bash
# Black-box tests of dnsfw-eval --log on every shape of log input (contract §5): the
# records of replay.jsonl in each shape AWS hands them out in (tests/data/logs/shapes,
# written by make_shapes.py) give the same verdict lines as the plain JSON lines; text
# logs through syslog; the time window; bad input counted and located; --deployed.
#
#   test_shapes.sh PATH/TO/dnsfw-eval DATA_DIR [SECTION,...]
#
# SECTIONs: shapes, syslog, window, bad, deployed (default: all).
set -u
set -f

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 PATH/TO/dnsfw-eval DATA_DIR [shapes,syslog,window,bad,deployed]" >&2
    exit 2
fi
SECTIONS=${3:-shapes,syslog,window,bad,deployed}
EVAL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
LOGS=$(cd "$2/logs" && pwd)
[ -x "$EVAL" ] || { echo "FAIL $EVAL is not an executable" >&2; exit 1; }
for tool in jq gzip cmp head; do
    command -v $tool >/dev/null || { echo "FAIL: $tool not found (scripts/install-deps.sh installs it)"; exit 1; }
done
read -ra WRAP <<<"${DNSFW_TEST_WRAPPER:-}"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out
ERR=$TMP/err
RC=0
passed=0
failed=0
cd "$LOGS" || exit 1
export TZ=UTC

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
    if "$@"; then ok "$desc"; else not_ok "$desc" "failed: $*" "stdout: $(head -c 600 "$OUT")" "stderr: $(head -c 600 "$ERR")"; fi
}
check_eq() {
    if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}
check_same() {
    if cmp -s "$2" "$3"; then ok "$1"; else not_ok "$1" "$(diff -u "$2" "$3" | head -20)"; fi
}
run() {
    "${WRAP[@]}" "$EVAL" "$@" </dev/null >"$OUT" 2>"$ERR"
    RC=$?
    if grep -qE 'Sanitizer|runtime error:|==[0-9]+==' "$ERR"; then
        not_ok "no sanitizer/valgrind report: $*" "$(head -c 2000 "$ERR")"
    fi
}
rc_is() { [ "$RC" -eq "$1" ]; }
err_has() { grep -qF -- "$1" "$ERR"; }
jq_is() { [ "$(jq -c "$1" "$OUT" | tr -d '\n')" == "$2" ]; }

TIERED=(-p policy-tiered.json)
# What a record's verdict line says: the verdict and the record's own fields.
FIELDS='[.query_name, .query_type, .query_class, .action, .rule_group, .rule_priority, .rule, .domain_list, .entry, .block_response, .decided_by_hop, .query_timestamp, .srcaddr, .firewall_rule_action] | map(tostring) | join(" ")'

section_shapes() {
    run "${TIERED[@]}" --log replay.jsonl --json
    jq -r "$FIELDS" "$OUT" >"$TMP/plain"
    # EventBridge gets the records with a firewall action, without their answers: a name
    # whose CNAME chain decided cannot be judged the same from an event (docs/logs.md)
    jq -r 'select([.answers[]? | select(.Type == "CNAME" or .Type == "DNAME")] | length > 0) | .query_name' replay.jsonl | sort -u >"$TMP/chained"
    jq -r --rawfile c "$TMP/chained" "select(.firewall_rule_action != null and (.query_name as \$n | \$c | split(\"\\n\") | index(\$n) | not)) | $FIELDS" "$OUT" >"$TMP/plain-fw"
    check_eq "plain JSON lines: 32 verdicts" 32 "$(wc -l <"$TMP/plain")"
    # shape_same DESC FILE EXPECTED-FILE SHAPE-NAME
    shape_same() {
        local desc=$1 file=$2 want=$3 shape=$4
        run "${TIERED[@]}" --log "$file" --json
        check "$desc: exit 0, nothing on stderr" [ "$RC" -eq 0 -a ! -s "$ERR" ]
        if [ "$shape" == eventbridge ]; then
            jq -r --rawfile c "$TMP/chained" "select(.query_name as \$n | \$c | split(\"\\n\") | index(\$n) | not) | $FIELDS" "$OUT" >"$TMP/got"
        else
            jq -r "$FIELDS" "$OUT" >"$TMP/got"
        fi
        check_same "$desc: every record's verdict line equals the plain line's" "$want" "$TMP/got"
        run "${TIERED[@]}" --log "$file" --report --json
        check "$desc: the report says which shape carried them" jq_is ".totals.shapes | keys" "[\"$shape\"]"
    }
    shape_same "CloudWatch export task (gzip, exportedlogs tree)" shapes/cwexport "$TMP/plain" cloudwatch-export
    shape_same "filter-log-events, two pages appended" shapes/filter-log-events.json "$TMP/plain" cloudwatch-events
    shape_same "get-log-events on one line" shapes/get-log-events.json "$TMP/plain" cloudwatch-events
    shape_same "subscription payload (gzip)" shapes/subscription.json.gz "$TMP/plain" cloudwatch-subscription
    shape_same "Firehose object of gzip payloads" shapes/firehose "$TMP/plain" cloudwatch-subscription
    shape_same "Firehose object compressed again" shapes/firehose-gzip "$TMP/plain" cloudwatch-subscription
    shape_same "EventBridge events, a line each" shapes/eventbridge.jsonl "$TMP/plain-fw" eventbridge
    shape_same "EventBridge events, an array" shapes/eventbridge-array.json "$TMP/plain-fw" eventbridge
    shape_same "pretty-printed records" shapes/pretty.json "$TMP/plain" route53

    run "${TIERED[@]}" --log shapes/firehose --report --json
    check "Firehose: the CONTROL_MESSAGE records no query" jq_is '[.totals.records, .totals.not_query_lines, .totals.malformed]' '[32,1,0]'
    # a directory of every shape
    run "${TIERED[@]}" --log shapes --log replay.jsonl --report --json
    # 32 records in each of 8 files, 25 in each EventBridge file; 32 plain + 32 pretty
    check "a directory mixing shapes: every record counted" jq_is '[.totals.records, .totals.malformed, .totals.not_query_lines, .totals.files]' '[306,0,2,10]'
    check "a directory mixing shapes: by shape" jq_is '.totals.shapes' '{"route53":64,"cloudwatch-export":32,"cloudwatch-events":64,"cloudwatch-subscription":96,"eventbridge":50}'
    # forced formats read their shape only
    run --log shapes/filter-log-events.json --log-format cloudwatch --json
    check "--log-format cloudwatch reads filter-log-events" [ "$RC" -eq 0 -a "$(wc -l <"$OUT")" -eq 32 ]
    run --log shapes/eventbridge.jsonl --log-format cloudwatch --json
    check "--log-format cloudwatch refuses EventBridge events" [ "$RC" -eq 3 -a ! -s "$OUT" ]
    run --log shapes/cwexport --log-format cloudwatch-export --json
    check "--log-format cloudwatch-export reads export lines" [ "$RC" -eq 0 -a "$(wc -l <"$OUT")" -eq 32 ]
    run --log replay.jsonl --log-format cloudwatch-export --json
    check "--log-format cloudwatch-export refuses plain records" [ "$RC" -eq 3 ] && check "... with a reason" err_has "replay.jsonl:1: not a CloudWatch Logs export line"
    run --log shapes/eventbridge-array.json --log-format eventbridge --json
    check "--log-format eventbridge reads an array of events" [ "$RC" -eq 0 -a "$(wc -l <"$OUT")" -eq 25 ]
    # a large document is read one event at a time: 40,000 events in one filter-log-events
    # document, with memory far below the document's size
    jq -c '.events[0]' shapes/get-log-events.json >"$TMP/event"
    { printf '{"events":['; for i in $(seq 1 2000); do cat "$TMP/event"; printf ','; done | head -c -1; printf ']}\n'; } >"$TMP/block"
    { printf '{"events":['; for i in $(seq 1 20); do head -c -3 "$TMP/block" | tail -c +12; [ "$i" -lt 20 ] && printf ','; done; printf ']}\n'; } >"$TMP/big.json"
    size=$(stat -c %s "$TMP/big.json")
    # memory does not grow with the document: against a document of 2,000 events (the
    # difference, so that a sanitizer's own memory does not count)
    /usr/bin/time -f '%M' -o "$TMP/rss-small" "$EVAL" --log "$TMP/block" --report --json >/dev/null 2>&1
    /usr/bin/time -f '%M' -o "$TMP/rss" "$EVAL" --log "$TMP/big.json" --report --json >"$OUT" 2>"$ERR"
    check "a ${size}-byte document: 40,000 events read" jq_is '[.totals.records, .totals.malformed]' '[40000,0]'
    grow=$(($(tail -1 "$TMP/rss") - $(tail -1 "$TMP/rss-small")))
    check "a ${size}-byte document: memory does not grow with it ($grow KiB more than for 1/20 of it)" [ "$grow" -lt $((size / 1024 / 8)) ]
}

section_syslog() {
    # named-syslog.log: BIND 9 through syslog (RFC 3164, PRI, RFC 3339, journald short-iso,
    # RFC 5424, BIND 9.9's form without "(name)"), with named's other messages and two
    # other programs' lines, which record no query.
    run "${TIERED[@]}" --log syslog/named-syslog.log --json
    check "BIND through syslog: 6 queries, exit 0" [ "$RC" -eq 0 -a "$(wc -l <"$OUT")" -eq 6 ]
    check "BIND through syslog: names, types, classes, clients" jq_is '[.query_name, .query_type, .query_class, .srcaddr]' '["github.com.","A","IN","10.0.1.10"]["telemetry.vendor.io.","AAAA","IN","10.0.1.11"]["pypi.org.","A","IN","10.0.2.20"]["registry.npmjs.org.","A","IN","10.0.1.12"]["_dmarc.mail.example.org.","TXT","IN","2001:db8::7"]["version.bind.","TXT","CH","127.0.0.1"]'
    run "${TIERED[@]}" --log syslog/named-syslog.log --report --json
    check "BIND through syslog: other messages are no query, not malformed" jq_is '[.totals.records, .totals.not_query_lines, .totals.malformed, .totals.other_class]' '[6,10,0,1]'
    check "a CH query is kept out of the suggestions" jq_is '[.suggestions.not_suggested[] | select(.name == "version.bind.") | .reason]' '["other_class"]'
    # the class does not change the verdict (docs/matching.md, "Query classes")
    V='[.action, .rule_group, .rule_priority, .domain_list, .entry] | map(tostring) | join(" ")'
    for policy in policy-tiered.json policy-general.json; do
        for mode in observe enforce; do
            [ $policy == policy-general.json ] && [ $mode == enforce ] && continue
            m=(); [ $policy == policy-tiered.json ] && m=(--mode $mode)
            printf '{"query_name":"version.bind.","query_type":"TXT","query_class":"CH"}\n{"query_name":"version.bind.","query_type":"TXT","query_class":"IN"}\n{"query_name":"version.bind.","query_type":"TXT","query_class":"CLASS3"}\n' >"$TMP/classes.jsonl"
            run -p $policy "${m[@]}" --log "$TMP/classes.jsonl" --json
            check_eq "$policy ${m[*]}: CH, IN and CLASS3 get one verdict" 1 "$(jq -r "$V" "$OUT" | sort -u | wc -l)"
            check "$policy ${m[*]}: the classes as written" jq_is '[.query_class]' '["CH"]["IN"]["CH"]'
        done
    done
    printf '{"query_name":"a.example.","query_type":"A","query_class":"BOGUS"}\n' >"$TMP/badclass.jsonl"
    run --log "$TMP/badclass.jsonl" --json
    check "an unknown class is malformed" [ "$RC" -eq 3 ] && check "... with why" err_has "badclass.jsonl:1: query_class: unknown query class"
    run "${TIERED[@]}" --log syslog/named-syslog.log --log-format bind --json
    check "--log-format bind: the same 6" [ "$RC" -eq 0 -a "$(wc -l <"$OUT")" -eq 6 ]
    # dnsmasq: PRI, journald short-iso and short-precise, RFC 5424 with structured data, an
    # iodine capture's "<name unprintable>" (two queries, not dropped), a type number (65:
    # HTTPS, which ldns names)
    run "${TIERED[@]}" --log syslog/dnsmasq-syslog.log --json
    check "dnsmasq through syslog: 4 queries with names" jq_is '[.query_name, .query_type]' '["github.com.","A"]["telemetry.vendor.io.","AAAA"]["pypi.org.","A"]["model-hub.example.ai.","HTTPS"]'
    check "unprintable names: reported on stderr, located" err_has "syslog/dnsmasq-syslog.log:7: a TXT query from 10.0.1.66 whose name the resolver could not print"
    check "unprintable names: not malformed (exit 0)" rc_is 0
    run "${TIERED[@]}" --log syslog/dnsmasq-syslog.log --report --json
    check "unprintable names: counted, with clients and types" jq_is '[.totals.unprintable_names, .unprintable_names.queries, .unprintable_names.clients, .unprintable_names.query_types, .unprintable_names.locations[0]]' '[2,2,["10.0.1.66"],["TXT"],"syslog/dnsmasq-syslog.log:7"]'
    check "dnsmasq through syslog: counts" jq_is '[.totals.records, .totals.not_query_lines, .totals.malformed]' '[4,4,0]'
    run "${TIERED[@]}" --log syslog/dnsmasq-syslog.log --report
    check "the text report shows the unprintable names" grep -qF "2 queries, types TXT, clients 10.0.1.66" "$OUT"
    # unbound through syslog: "unbound: [pid:tid]" and journald's "unbound[pid]: [pid:tid]"
    run "${TIERED[@]}" --log syslog/unbound-syslog.log --report --json
    check "unbound through syslog: 2 queries, 4 other lines" jq_is '[.totals.records, .totals.not_query_lines, .totals.malformed]' '[2,4,0]'
    # the whole directory, mixed programs
    run "${TIERED[@]}" --log syslog --json
    check "a directory of syslog files: 12 verdicts" [ "$(wc -l <"$OUT")" -eq 12 ]
    # a blank line is nothing, not a truncated record
    printf '{"query_name":"a.example.","query_type":"A"}\n\n   \n{"query_name":"b.example.","query_type":"A"}\n' >"$TMP/blank.jsonl"
    run --log "$TMP/blank.jsonl" --json
    check "blank lines are nothing: exit 0, 2 records, nothing on stderr" [ "$RC" -eq 0 -a "$(wc -l <"$OUT")" -eq 2 -a ! -s "$ERR" ]
    # a record version this reader does not know: read, and said once
    printf '{"version":"2.0","query_name":"a.example.","query_type":"A"}\n{"version":"2.0","query_name":"b.example.","query_type":"A"}\n' >"$TMP/v2.jsonl"
    run --log "$TMP/v2.jsonl" --json
    check "unknown version: both records read" [ "$RC" -eq 0 -a "$(wc -l <"$OUT")" -eq 2 ]
    check "unknown version: said once" [ "$(grep -c 'record version this reader does not know' "$ERR")" -eq 1 ]
    run --log "$TMP/v2.jsonl" --report --json
    check "unknown version: counted" jq_is '.totals.unknown_version' '2'
}

section_window() {
    # replay.jsonl spans 2021-02-04 to 2026-11-27 16:00:00Z; 29 records are of 2026-11-27
    run "${TIERED[@]}" --log replay.jsonl --since 2026-11-27 --report --json
    check "--since a date: 29 records, 3 outside" jq_is '[.totals.records, .totals.outside_window]' '[29,3]'
    run "${TIERED[@]}" --log replay.jsonl --since 2026-11-27T11:00:00Z --until 2026-11-27T12:00:00Z --json
    check "--since/--until: [since, until)" [ "$(wc -l <"$OUT")" -eq 9 ]
    run "${TIERED[@]}" --log replay.jsonl --until 2026-11-27T08:00:00Z --report --json
    check "--until is exclusive" jq_is '[.totals.records, .totals.outside_window]' '[4,28]'
    # the same window on every shape (CloudWatch timestamps, export stamps, EventBridge)
    run "${TIERED[@]}" --log shapes --since 2026-11-27T11:00:00Z --until 2026-11-27T12:00:00Z --report --json
    # the 9 records of that hour in each of the 9 files (EventBridge: all 9 have an action)
    check "--since/--until on every shape" jq_is '.totals.records' '81'
    # syslog stamps have no year: the one before now (the test runs after 2026)
    run "${TIERED[@]}" --log syslog/named-syslog.log --since 2026-11-27T10:00:02Z --until 2026-11-27T10:00:06Z --json
    check "--since/--until on syslog lines" [ "$(wc -l <"$OUT")" -eq 4 ]
    # a span back from now (the clock's now; the expected count is computed the same way)
    want=$(jq -s --argjson now "$(date -u +%s)" '[.[] | select((.query_timestamp | sub("\\.[0-9]+Z$"; "Z") | fromdate) >= $now - 14 * 86400)] | length' replay.jsonl)
    run "${TIERED[@]}" --log replay.jsonl --since 14d --report --json
    check "--since 14d" jq_is '[.totals.records, .totals.outside_window]' "[$want,$((32 - want))]"
    # bad values are usage errors
    run --log replay.jsonl --since yesterday
    check "--since yesterday: exit 2" [ "$RC" -eq 2 ] && check "... says what it takes" err_has "--since must be an RFC 3339 time"
    run --log replay.jsonl --since 2026-11-28 --until 2026-11-27
    check "--since after --until: exit 2" rc_is 2
    run --since 14d
    check "--since without --log: exit 2" rc_is 2
    # a record without a time, with a window: malformed, located
    printf '{"query_name":"a.example.","query_type":"A"}\n' >"$TMP/untimed.jsonl"
    run --log "$TMP/untimed.jsonl" --since 2026-01-01
    check "a record without a time under a window: exit 3, located" [ "$RC" -eq 3 ] && check "... reason" err_has "untimed.jsonl:1: the record has no time"
}

section_bad() {
    # each bad input is counted and located, and the good records around it are read
    # a Firehose object whose last gzip member is cut in the middle
    f=$(find shapes/firehose -type f)
    head -c $(($(stat -c %s "$f") - 200)) "$f" >"$TMP/cut-firehose"
    run --log "$TMP/cut-firehose" --log replay.jsonl --report --json
    check "truncated gzip member: exit 3" rc_is 3
    check "truncated gzip member: counted and located" jq_is '[.totals.malformed, (.totals.malformed_examples[0].reason | startswith("the gzip stream is truncated"))]' '[1,true]'
    check "truncated gzip member: the earlier payloads and the next file read" jq_is '.totals.records' '62'
    # a filter-log-events document cut mid-event, followed by a second page
    head -n 40 shapes/filter-log-events.json >"$TMP/cut-doc.json"
    sed -n '/^{/,$p' shapes/filter-log-events.json | tail -n +2 | sed -n '/^{/,$p' >>"$TMP/cut-doc.json"
    run --log "$TMP/cut-doc.json" --json
    check "document cut mid-event: exit 3" rc_is 3
    check "document cut mid-event: located as FILE:LINE: events[i]" grep -qE "cut-doc.json:3[0-9]: events\[[0-9]+\]: the document is cut short" "$ERR"
    check "document cut mid-event: the next page is read (16 records)" [ "$(grep -c . "$OUT")" -ge 16 ]
    # a subscription payload whose message is not a record
    printf '{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"g","logStream":"s","subscriptionFilters":["f"],"logEvents":[{"id":"1","timestamp":1795795200000,"message":"{\\"query_name\\":\\"a.example.\\",\\"query_type\\":\\"A\\"}"},{"id":"2","timestamp":1795795200000,"message":"hello, world"},{"id":"3","timestamp":1795795200000,"message":"{\\"query_name\\":\\"b.example.\\",\\"query_type\\":\\"A\\"}"}]}' | gzip -c >"$TMP/payload.gz"
    run --log "$TMP/payload.gz" --json
    check "a payload whose message is not a record: exit 3, the others read" [ "$RC" -eq 3 -a "$(wc -l <"$OUT")" -eq 2 ]
    check "a payload whose message is not a record: located as logEvents[1]" err_has "payload.gz:1: logEvents[1]: not a query log line"
    # a syslog line with a bad time stamp
    printf 'Nov 27 10:00:01 gw dnsmasq[1]: query[A] a.example from 10.0.0.1\nNov 31 10:00:02 gw dnsmasq[1]: query[A] b.example from 10.0.0.1\n2026-13-01T00:00:00Z gw dnsmasq[1]: query[A] c.example from 10.0.0.1\nNov 27 10:00:03 gw dnsmasq[1]: query[A] d.example from 10.0.0.1\n' >"$TMP/badtime.log"
    run --log "$TMP/badtime.log" --report --json
    check "syslog lines with bad time stamps: counted, the others read" jq_is '[.totals.records, .totals.malformed, [.totals.malformed_examples[] | .line]]' '[2,2,[2,3]]'
    check "syslog lines with bad time stamps: the reason" jq_is '.totals.malformed_examples[0].reason' '"the line'"'"'s time stamp is not a valid time"'
    # an event that is not an object; an array element cut; garbage between documents
    printf '{"events":[1,{"timestamp":1,"message":"{\\"query_name\\":\\"a.example.\\",\\"query_type\\":\\"A\\"}"}]}\n' >"$TMP/nonobj.json"
    run --log "$TMP/nonobj.json" --json
    check "an event that is not an object: located, the next one read" [ "$RC" -eq 3 -a "$(wc -l <"$OUT")" -eq 1 ] && check "... located" err_has "nonobj.json:1: events[0]: an event is not a JSON object"
    # corrupt gzip data
    { head -c 100 shapes/subscription.json.gz; head -c 300 /dev/zero; } >"$TMP/corrupt.gz"
    run --log "$TMP/corrupt.gz" --log replay.jsonl --report --json
    check "corrupt gzip: counted, the next input read" jq_is '[.totals.malformed >= 1, .totals.records]' '[true,32]'
    # zeros padding a gzip file after its last member (as block storage leaves them): the
    # same report whichever inflater the build has (ISA-L or zlib)
    { gzip -c replay.jsonl; head -c 4 /dev/zero; } >"$TMP/padded.gz"
    run --log "$TMP/padded.gz" --report --json
    check "zeros after the last gzip member: every record read, the zeros reported" jq_is '[.totals.records, .totals.malformed, .totals.malformed_examples[0].reason]' '[32,1,"bytes after the last gzip member are not gzip; skipped"]'
}

section_deployed() {
    run "${TIERED[@]}" --log replay.jsonl --report --json --deployed deployed
    check "--deployed: exit 0" rc_is 0
    check "--deployed: drift names the rule group and list that acted" jq_is '[.drift[] | select(.logged == "BLOCK") | .acted_by[] | [.rule_group, .domain_list]]' '[["threat-protection","malware-domains"],["agent-egress-policy","pinned-blocks"]]'
    check "--deployed: the threat list's BLOCK stays out of the suggestions, named" jq_is '[.suggestions.not_suggested[] | select(.reason == "logged_block") | .blocked_by[].domain_list]' '["malware-domains"]'
    run "${TIERED[@]}" --log replay.jsonl --report --deployed deployed
    check "--deployed: the text report names them" grep -qF "logged by rule group rslvr-frg-01234567890abcdef (threat-protection), domain list rslvr-fdl-01234567890abcdef (malware-domains)" "$OUT"
    # a BLOCK by the deployed catch-all (an enforcing policy) is what enforcement blocks:
    # still a suggestion; without --deployed nothing tells it from a threat list
    printf '{"query_name":"new.example.io.","query_type":"A","query_timestamp":"2026-11-27T10:00:00Z","firewall_rule_action":"BLOCK","firewall_rule_group_id":"rslvr-frg-0a1b2c3d4e5f60718","firewall_domain_list_id":"rslvr-fdl-0f1e2d3c4b5a69788"}\n' >"$TMP/catchall.jsonl"
    run "${TIERED[@]}" --log "$TMP/catchall.jsonl" --report --json --deployed deployed
    check "a BLOCK by the deployed catch-all is still suggested" jq_is '.suggestions.egress_allowlist' '["new.example.io"]'
    run "${TIERED[@]}" --log "$TMP/catchall.jsonl" --report --json
    check "without --deployed it is kept apart" jq_is '[.suggestions.egress_allowlist, .suggestions.not_suggested[0].reason]' '[[],"logged_block"]'
    run --log replay.jsonl --deployed "$TMP/no-such-dir"
    check "--deployed with a missing path: exit 4" rc_is 4
}

for s in ${SECTIONS//,/ }; do
    "section_$s"
done

echo "# $passed passed, $failed failed"
[ "$failed" -eq 0 ]
