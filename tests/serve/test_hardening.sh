#!/bin/bash
# dnsfw-serve on a network (TAP): what an attacker or an unlucky operator can do to it,
# each on loopback against a real unbound (or a slow upstream of dns_probe.py): answers
# larger than our EDNS size, clients outside --allow, a flood from one client (rate
# limit, share of forwarding), slow TCP clients, a full disk under the query log, policy
# files that block or never end, statistics over HTTP (curl), dropping root. Runs as
# root (a tmpfs is mounted, --user is tried): anything else fails clearly.
#
#   test_hardening.sh DNSFW_SERVE
set -u
SERVE=$1
DATA=${DNSFW_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/serve/data
PROBE=$(dirname "$0")/dns_probe.py

NEED="unbound dig curl jq ip mount"
# shellcheck source=serve_lib.sh
. "$(dirname "$0")/serve_lib.sh"

probe() { "$PY" "$PROBE" "$@" 2>&1; }
# wait_for FILE PATTERN [TENTHS]: until an extended regex matches a line of FILE.
wait_for() {
    for _ in $(seq 1 "${3:-50}"); do
        grep -Eq -e "$2" "$1" && return 0
        sleep 0.1
    done
    return 1
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# field NAME TEXT: the number after "NAME " in TEXT.
field() { printf '%s\n' "$2" | sed -n "s/.*$1 \([0-9]*\).*/\1/p" | tail -1; }

if [ "$(id -u)" != 0 ]; then
    not_ok "these tests run as root (CI does): they mount a tmpfs and try --user"
fi
POLICY=$DATA/policy.json

# --- amplification: no UDP answer larger than our EDNS size -------------------------------

start_serve amp -p "$POLICY" --upstream "127.0.0.1:$UB_PORT" --edns-size 1232
for edns in 0 512 1232 4096 65535; do
    limit=$((edns == 0 ? 512 : edns < 512 ? 512 : edns > 1232 ? 1232 : edns))
    out=$(probe size "$SV_PORT" big.test 16 "$edns")
    len=$(field len= "${out//=/= }")
    if [ -n "$len" ] && [ "$len" -le "$limit" ] && [[ $out == *"tc=1"* ]]; then
        ok "client EDNS $edns: a 2 KB answer comes back in $len octets (limit $limit), TC set"
    else
        not_ok "client EDNS $edns: at most $limit octets with TC" "$out"
    fi
done
expect "over TCP the whole answer comes back" "$(D +tcp +noedns big.test TXT)" 'ANSWER: 30,'
kill -USR1 "$SV_PID"
wait_for "$SV_ERR" 'answers truncated to fit UDP [1-9]'
expect "truncated answers are counted" "$(cat "$SV_ERR")" 'answers truncated to fit UDP [1-9]'
stop_serve
start_serve amp4096 -p "$POLICY" --upstream "127.0.0.1:$UB_PORT" --edns-size 4096
expect "with --edns-size 4096 a client of 65535 gets the 2 KB answer whole, no more than 4096" \
    "$(probe size "$SV_PORT" big.test 16 65535)" '^len=(1[0-9]{3}|2[0-9]{3}) rcode=0 an=30 tc=0$'
expect "... and a client without EDNS gets 512 octets at most" \
    "$(probe size "$SV_PORT" big.test 16 0)" '^len=([0-9]{1,2}|[1-4][0-9]{2}|50[0-9]|51[0-2]) .*tc=1$'
stop_serve

# --- the allow-list --------------------------------------------------------------------------

start_serve allow -p "$POLICY" --upstream "127.0.0.1:$UB_PORT" --allow 127.0.0.1 --allow ::1
expect "--allow: the list in force is said at start" "$(cat "$SV_ERR")" \
    'answering clients in 127\.0\.0\.1/32 ::1/128; others get REFUSED'
expect "--allow: an allowed client is answered" "$(probe ask "$SV_PORT" 127.0.0.1 allowed.test)" \
    '^rcode=0 an=1'
expect "--allow: another client gets REFUSED over UDP" \
    "$(probe ask "$SV_PORT" 127.0.0.2 allowed.test)" '^rcode=5 an=0'
expect "--allow: ... and its TCP connection is closed" \
    "$(probe ask "$SV_PORT" 127.0.0.2 allowed.test tcp)" '^closed$'
wait_for "$SV_ERR" 'refused [0-9]+ queries or connections'
expect "refused clients are said on stderr, with the last one" "$(cat "$SV_ERR")" \
    'refused [12] queries or connections of clients outside --allow \(the last from 127\.0\.0\.2:[0-9]+'
stop_serve
expect "refused clients are counted" "$(cat "$SV_ERR")" 'refused \(outside --allow\) 2,'

# The default: loopback and the networks of the interfaces listened on (all of them for
# a wildcard address), and no warning; a wide list on a wildcard address is warned about.
start_serve wild -p "$POLICY" --upstream "127.0.0.1:$UB_PORT" --listen 0.0.0.0:0
line=$(grep 'answering clients in' "$SV_ERR")
missing=""
for net in $(ip -o -4 addr show | awk '{print $4}' | "$PY" -c '
import ipaddress, sys
for l in sys.stdin: print(ipaddress.ip_interface(l.strip()).network)'); do
    [[ " $line " == *" $net "* || " $line " == *" $net;"* ]] || missing="$missing $net"
done
if [ -n "$line" ] && [ -z "$missing" ]; then
    ok "default allow-list on 0.0.0.0: loopback and every interface's IPv4 network"
else
    not_ok "default allow-list on 0.0.0.0: loopback and every interface's IPv4 network" \
        "missing:$missing" "$line"
fi
refute "default allow-list: no wide-list warning" "$(cat "$SV_ERR")" 'wildcard address and answering'
stop_serve
start_serve wide -p "$POLICY" --upstream "127.0.0.1:$UB_PORT" --listen 0.0.0.0:0 \
    --allow 10.0.0.0/8 --allow 0.0.0.0/0
expect "--allow 0.0.0.0/0 on a wildcard address: a warning" "$(cat "$SV_ERR")" \
    'warning: listening on a wildcard address and answering 0\.0\.0\.0/0, beyond local networks'
stop_serve
"$SERVE" -p "$POLICY" --listen 127.0.0.1:0 --upstream 127.0.0.1 --allow 10.0.0.1/8 \
    >/dev/null 2>"$tmp/err"
same "--allow with host bits set: exit 2" "$?" 2
expect "--allow with host bits set: says why" "$(cat "$tmp/err")" 'bits set after the prefix'

# --- rate limiting -----------------------------------------------------------------------------

start_serve rrl -p "$POLICY" --upstream "127.0.0.1:$UB_PORT" --rate-limit 10 --slip 2
out=$(probe burst "$SV_PORT" 127.0.0.2 100 nothing.test)
plain=$(field plain= "${out//=/= }")
tc=$(field tc= "${out//=/= }")
if [ "${plain:-99}" -le 15 ] && [ "${tc:-0}" -ge 40 ] && [ "${tc:-99}" -le 50 ]; then
    ok "--rate-limit 10 --slip 2: of 100 queries at once, $plain answered, $tc sent TC, the rest dropped"
else
    not_ok "--rate-limit 10 --slip 2: about 10 answered, every other one of the rest TC" "$out"
fi
expect "another client has its own budget" "$(probe ask "$SV_PORT" 127.0.0.3 nothing.test)" '^rcode=0 an=0 tc=0'
expect "the limited client is still answered over TCP" \
    "$(probe ask "$SV_PORT" 127.0.0.2 nothing.test tcp)" '^rcode=0 an=0 tc=0'
stop_serve
expect "rate limiting is counted" "$(cat "$SV_ERR")" 'rate-limited [1-9][0-9]* \(sent TC [1-9]'

# --- one greedy client and a slow upstream: the others are still served ---------------------

"$PY" -u "$PROBE" upstream 2.0 >"$tmp/slow.out" 2>/dev/null &
pids="$pids $!"
wait_for "$tmp/slow.out" '^[0-9]+$'
SLOW=$(head -1 "$tmp/slow.out")
start_serve greedy -p "$POLICY" --upstream "127.0.0.1:$SLOW" --max-inflight 40 \
    --client-inflight 10 --timeout 5
probe flood "$SV_PORT" 127.0.0.2 200 >/dev/null
expect "--client-inflight 10: after 200 queries of one client, another one's is answered" \
    "$(probe ask "$SV_PORT" 127.0.0.3 polite.allowed.test)" '^rcode=0 an=1'
stop_serve
expect "queries over the client's share are counted" "$(cat "$SV_ERR")" \
    'over their share of forwarding [1-9]'
expect "the greedy client went beyond its share of 10 while a quarter of the 40 slots stayed free: 30 of its queries and the other's forwarded" \
    "$(cat "$SV_ERR")" 'forwarded 31,'
# The same without a share (it equals --max-inflight): the greedy client takes every slot.
start_serve greedy-control -p "$POLICY" --upstream "127.0.0.1:$SLOW" --max-inflight 40 \
    --client-inflight 40 --timeout 5
probe flood "$SV_PORT" 127.0.0.2 200 >/dev/null
expect "control: without a share, the other client's query is lost" \
    "$(probe ask "$SV_PORT" 127.0.0.3 polite.allowed.test)" '^none$'
stop_serve

# --- slow TCP clients ---------------------------------------------------------------------------

start_serve slowloris -p "$POLICY" --upstream "127.0.0.1:$UB_PORT" --max-tcp 8 \
    --tcp-per-client 4 --tcp-query-timeout 0.5 --tcp-idle 3
probe slowloris "$SV_PORT" 127.0.0.2 4 4 >"$tmp/slowloris.out" &
slowloris=$!
sleep 0.3
expect "while one client trickles octets on 4 connections, another is served over TCP" \
    "$(probe ask "$SV_PORT" 127.0.0.3 allowed.test tcp)" '^rcode=0 an=1'
wait "$slowloris"
out=$(cat "$tmp/slowloris.out")
within=$(printf '%s' "$out" | sed -n 's/.*within=\([0-9.]*\).*/\1/p')
if [[ $out == "closed=4/4 "* ]]; then
    ok "trickled octets do not reset the deadline: the 4 connections closed while trickling (within $within s; a query may take 0.5 s)"
else
    not_ok "trickled octets do not reset the deadline" "$out"
fi
expect "a fifth connection of the same client is closed at once (--tcp-per-client 4)" "$out" 'extra=closed$'
stop_serve
expect "TCP timeouts and per-client refusals are counted" "$(cat "$SV_ERR")" \
    'TCP connections over their share [1-9][0-9]*, TCP timeouts [1-9]'

# --- the query log on a full disk: honest counts ------------------------------------------------

start_serve full -p "$POLICY" --upstream "127.0.0.1:$UB_PORT" --query-log /dev/full
expect "/dev/full: 20 queries answered" "$(probe sequence "$SV_PORT" 20)" '^answered=20$'
wait_for "$SV_ERR" 'cannot write the query log'
expect "/dev/full: the write error is said at once, while serving" "$(cat "$SV_ERR")" \
    '/dev/full: cannot write the query log: No space left on device'
stop_serve
expect "/dev/full: nothing reported written, every record failed" "$(cat "$SV_ERR")" \
    'query log: 0 records written, 0 dropped \(queue full\), 20 failed \(write errors, the last: No space left on device\)'

mkdir -p "$tmp/mnt"
if mount -t tmpfs -o size=16k tmpfs "$tmp/mnt"; then
    mounts="$mounts $tmp/mnt"
    start_serve tiny -p "$POLICY" --upstream "127.0.0.1:$UB_PORT" --query-log "$tmp/mnt/q.log"
    expect "a 16 KiB tmpfs: 300 queries answered" "$(probe sequence "$SV_PORT" 300)" '^answered=300$'
    kill -USR1 "$SV_PID"
    wait_for "$SV_ERR" 'query log so far'
    stop_serve
    final=$(grep 'query log: ' "$SV_ERR" | tail -1)
    written=$(field 'query log:' "$final")
    dropped=$(field 'written,' "$final")
    lost=$(field 'full.,' "$final") # records failed (not $failed: the TAP count)
    lines=$(wc -l <"$tmp/mnt/q.log")
    same "a 16 KiB tmpfs: the records reported written are the lines in the file ($final)" \
        "$lines" "$written"
    same "a 16 KiB tmpfs: written + dropped + failed = the 300 queries" \
        "$((written + dropped + lost))" 300
    if [ "${lost:-0}" -gt 0 ]; then ok "a 16 KiB tmpfs: failures are counted ($lost)"; else
        not_ok "a 16 KiB tmpfs: failures are counted" "$final"; fi
    same "a 16 KiB tmpfs: every line is a whole JSON record" \
        "$(jq -c 'select(.query_name | type != "string")' "$tmp/mnt/q.log" 2>&1 | head -3)" ""
    umount "$tmp/mnt"
    mounts=""
else
    not_ok "mount a 16 KiB tmpfs (needs root and mount(8)): the full-disk test cannot run"
fi

# --- reloads that block or never end -------------------------------------------------------------

mkdir -p "$tmp/rl"
cat >"$tmp/rl/policy.json" <<'EOF'
{ "dnsfw": 1,
  "domain_lists": { "ok": { "file": "list.txt" }, "all": ["*"] },
  "rule_groups": [ { "name": "g", "priority": 1, "rules": [
    { "name": "ok", "priority": 1, "action": "ALLOW", "domain_list": "ok" },
    { "name": "rest", "priority": 2, "action": "BLOCK", "domain_list": "all",
      "block_response": "NODATA" } ] } ] }
EOF
sed 's|"file": "list.txt"|"file": "/dev/zero"|' "$tmp/rl/policy.json" >"$tmp/rl/zero.json"
cp "$tmp/rl/policy.json" "$tmp/rl/good.json"
echo allowed.test >"$tmp/rl/list.txt"
# reload: SIGHUP, then wait until the reload ended.
reload() {
    local before
    before=$(grep -c 'reload failed\|policy reloaded' "$SV_ERR")
    kill -HUP "$SV_PID"
    for _ in $(seq 1 100); do
        [ "$(grep -c 'reload failed\|policy reloaded' "$SV_ERR")" -gt "$before" ] && break
        sleep 0.05
    done
}

start_serve reload -p "$tmp/rl/policy.json" --upstream "127.0.0.1:$UB_PORT"
expect "before: the list file's name resolves" "$(D allowed.test +short)" '^192\.0\.2\.1$'
rm "$tmp/rl/list.txt"
mkfifo "$tmp/rl/list.txt"
reload
expect "a FIFO list file: refused (regular files only), the reload fails" "$(cat "$SV_ERR")" \
    'list\.txt": not a regular file \(a FIFO\)' 'reload failed: the previous policy \(generation 1\) stays in force'
expect "a FIFO list file: the old policy stays in force" "$(D allowed.test +short)" '^192\.0\.2\.1$'
cp "$tmp/rl/zero.json" "$tmp/rl/policy.json"
reload
expect "a list file /dev/zero: refused (a character device)" "$(cat "$SV_ERR")" \
    '"/dev/zero": not a regular file \(a character device\)'
stop_serve

rm -f "$tmp/rl/list.txt"
echo allowed.test >"$tmp/rl/list.txt"
cp "$tmp/rl/good.json" "$tmp/rl/policy.json"
start_serve anyfile -p "$tmp/rl/policy.json" --upstream "127.0.0.1:$UB_PORT" \
    --policy-any-file --reload-timeout 2 --max-policy-bytes 1M
rm "$tmp/rl/list.txt"
mkfifo "$tmp/rl/list.txt"
exec 7<>"$tmp/rl/list.txt" # a writer that never writes
kill -HUP "$SV_PID"
expect "--policy-any-file: while a reload waits for a silent FIFO, queries are answered" \
    "$(D allowed.test +short)" '^192\.0\.2\.1$'
refute "... before the reload ends" "$(cat "$SV_ERR")" 'reload failed'
wait_for "$SV_ERR" 'reload failed' 60
expect "--reload-timeout 2: the silent FIFO fails the reload within the limit, named" \
    "$(cat "$SV_ERR")" 'list\.txt": it did not deliver within the time limit of 2000 ms' \
    'reload failed: the previous policy \(generation 1\) stays in force'
expect "a silent FIFO: the old policy stays in force" "$(D allowed.test +short)" '^192\.0\.2\.1$'
cp "$tmp/rl/zero.json" "$tmp/rl/policy.json"
reload
expect "--max-policy-bytes 1M: a list file /dev/zero fails the reload at the limit" \
    "$(cat "$SV_ERR")" '"/dev/zero": the policy and its list files exceed the size limit \(--max-policy-bytes\) of 1048576 bytes'
expect "/dev/zero: the old policy stays in force" "$(D allowed.test +short)" '^192\.0\.2\.1$'
stop_serve

cp "$tmp/rl/good.json" "$tmp/rl/policy.json"
echo allowed.test >"$tmp/rl/ok.txt"
sed 's|list.txt|ok.txt|' "$tmp/rl/good.json" >"$tmp/rl/policy.json"
start_serve term -p "$tmp/rl/policy.json" --upstream "127.0.0.1:$UB_PORT" --policy-any-file \
    --reload-timeout 30
cp "$tmp/rl/good.json" "$tmp/rl/policy.json" # list.txt: the silent FIFO again
kill -HUP "$SV_PID"
sleep 0.3
t0=$(now_ms)
stop_serve
took=$(($(now_ms) - t0))
same "SIGTERM during a reload blocked for up to 30 s: exit 0" "$SV_STATUS" 0
[ "$took" -lt 10000 ] && ok "... without waiting for the reload ($took ms)" ||
    not_ok "... without waiting for the reload" "$took ms"
exec 7>&-

"$SERVE" -p "$tmp/rl/list.txt" --listen 127.0.0.1:0 --upstream 127.0.0.1 >/dev/null 2>"$tmp/err"
same "a FIFO as the policy at start: exit 4" "$?" 4
expect "a FIFO as the policy at start: says why" "$(cat "$tmp/err")" 'not a regular file \(a FIFO\)'
"$SERVE" -p "$POLICY" --max-policy-bytes 100 --listen 127.0.0.1:0 --upstream 127.0.0.1 \
    >/dev/null 2>"$tmp/err"
same "--max-policy-bytes smaller than the policy at start: exit 3" "$?" 3

# --- a dead upstream is said on stderr ------------------------------------------------------------

start_serve dead -p "$POLICY" --upstream 127.0.0.1:9 --timeout 0.2
expect "no upstream: SERVFAIL" "$(D allowed.test)" 'status: SERVFAIL'
wait_for "$SV_ERR" 'upstream 127\.0\.0\.1:9: '
expect "no upstream: said on stderr" "$(cat "$SV_ERR")" \
    'upstream 127\.0\.0\.1:9: 1 queries not answered within --timeout \(0\.2 s\) and given SERVFAIL; it refuses them'
stop_serve

# --- statistics: SIGUSR1 and Prometheus over HTTP (curl) ---------------------------------------

start_serve stats -p "$POLICY" --upstream "127.0.0.1:$UB_PORT" --stats 0
STATS=$(sed -n 's|.*statistics on http://\(127\.0\.0\.1:[0-9]*\)/metrics.*|\1|p' "$SV_ERR")
[ -n "$STATS" ] && ok "--stats PORT: on loopback ($STATS)" || not_ok "--stats PORT: on loopback" "$(cat "$SV_ERR")"
D allowed.test >/dev/null
D nothing.test >/dev/null
D x.blocked.test >/dev/null
metrics=$(curl -sf "http://$STATS/metrics")
same "curl: exit 0" "$?" 0
expect "Prometheus: queries, responses by RCODE, verdicts, the latency histogram" "$metrics" \
    '^dnsfw_queries_total 3$' '^dnsfw_responses_total\{rcode="NXDOMAIN"\} 1$' \
    '^dnsfw_responses_total\{rcode="NOERROR"\} 2$' '^dnsfw_verdicts_total\{action="BLOCK"\} 2$' \
    '^dnsfw_verdicts_total\{action="ALLOW"\} 1$' '^dnsfw_upstream_latency_seconds_count 1$' \
    '^dnsfw_upstream_latency_seconds_bucket\{le="\+Inf"\} 1$' '^# TYPE dnsfw_refused_total counter$' \
    '^dnsfw_rate_limited_total 0$' '^dnsfw_tcp_refused_total\{reason="client_share"\} 0$'
same "Prometheus: every line is a comment or a sample" \
    "$(printf '%s\n' "$metrics" | grep -Ev '^# (HELP|TYPE) [a-z_]+ |^[a-z_]+(\{[a-z_]+="[^"]*"\})? [0-9][0-9.e+-]*$' | head -3)" ""
same "curl: another path is 404" "$(curl -s -o /dev/null -w '%{http_code}' "http://$STATS/other")" 404
same "curl: POST is 405" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://$STATS/metrics")" 405
kill -USR1 "$SV_PID"
wait_for "$SV_ERR" '^dnsfw-serve: responses: '
expect "SIGUSR1: the statistics on stderr" "$(cat "$SV_ERR")" '^dnsfw-serve: queries 3: blocked 2' \
    '^dnsfw-serve: responses: NOERROR 2, NXDOMAIN 1; verdicts: ALLOW 1, ALERT 0, BLOCK 2, NONE 0; upstream latency: mean'
if kill -0 "$SV_PID" 2>/dev/null; then ok "SIGUSR1 does not stop the server"; else not_ok "SIGUSR1 does not stop the server"; fi
stop_serve

# --- dropping root ----------------------------------------------------------------------------

start_serve priv -p "$POLICY" --upstream "127.0.0.1:$UB_PORT" --user nobody
same "--user nobody: real, effective, saved and file-system uid 65534" \
    "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$SV_PID/status")" "65534 65534 65534 65534"
same "--user nobody: its group, and no other" \
    "$(awk '/^Gid:/ { print $2, $3, $4, $5 } /^Groups:/ { print "groups:" $2 }' "/proc/$SV_PID/status" | tr '\n' ' ')" \
    "65534 65534 65534 65534 groups:65534 "
expect "--user nobody: still serving" "$(D allowed.test +short)" '^192\.0\.2\.1$'
stop_serve
same "--user nobody: exit 0" "$SV_STATUS" 0
"$SERVE" -p "$POLICY" --listen 127.0.0.1:0 --upstream 127.0.0.1 --user no-such-user-dnsfw \
    >/dev/null 2>"$tmp/err"
same "--user of no such user: exit 2" "$?" 2

# --- the command line ----------------------------------------------------------------------------

for opt in --help --version; do
    "$SERVE" $opt >/dev/full 2>"$tmp/err"
    same "$opt to a full disk (/dev/full): exit 4" "$?" 4
done
for bad in "--client-prefix 33/64" "--client-prefix 24" "--slip 11" "--client-inflight 5000" \
    "--stats nowhere" "--max-policy-bytes 0"; do
    # shellcheck disable=SC2086 # the option and its value
    "$SERVE" $bad --listen 127.0.0.1:0 --upstream 127.0.0.1 >/dev/null 2>&1
    same "$bad: exit 2" "$?" 2
done

echo "1..$n"
[ "$failed" = 0 ]
