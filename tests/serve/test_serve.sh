#!/bin/bash
# Integration tests of dnsfw-serve (TAP). A real unbound on 127.0.0.1 is the upstream,
# with an auth zone of known answers (tests/serve/data/test.zone); dnsfw-serve runs in
# front of it and is queried with dig, kdig, drill and dnsperf, over UDP and TCP, with and
# without EDNS. Every process is started here, on loopback only, and stopped by PID.
#
#   test_serve.sh DNSFW_SERVE DNSFW_EVAL
set -u
SERVE=$1
EVAL=$2
DATA=${DNSFW_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/serve/data

NEED="unbound dig kdig drill dnsperf jq"
# shellcheck source=serve_lib.sh
. "$(dirname "$0")/serve_lib.sh"

cp "$DATA/policy.json" "$tmp/policy.json"
if ! start_serve main -p "$tmp/policy.json" --upstream "127.0.0.1:$UB_PORT" \
    --query-log "$tmp/query.log"; then
    echo "Bail out! dnsfw-serve did not start: $(cat "$SV_ERR")"
    exit 1
fi

# --- allowed names: the upstream's answer, relayed -----------------------------------------

direct=$(dig @127.0.0.1 -p "$UB_PORT" +tries=1 allowed.test A | grep -E '^(allowed|;; flags)')
via=$(D allowed.test A | grep -E '^(allowed|;; flags)')
same "allowed name over UDP: the upstream's answer and flags (aa) unchanged" "$via" "$direct"
expect "allowed name over TCP (dig)" "$(D +tcp www.allowed.test A)" \
    'status: NOERROR' '^www\.allowed\.test\.[[:space:]]+300[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.2$'
expect "allowed name, no EDNS (kdig)" "$(K allowed.test A)" \
    'status: NOERROR' 'ANSWER: 1;' '192\.0\.2\.1'
expect "allowed name over TCP (kdig)" "$(K +tcp +edns allowed.test A)" \
    'status: NOERROR' 'From 127\.0\.0\.1@[0-9]+\(TCP\)' '192\.0\.2\.1'
expect "allowed name (drill, UDP and TCP)" "$(R allowed.test A; R -t allowed.test A)" \
    'rcode: NOERROR' '192\.0\.2\.1'
expect "a CNAME chain of allowed names is relayed whole" "$(D a.test A)" \
    'status: NOERROR' 'ANSWER: 3,' '^a\.test\..*CNAME[[:space:]]+b\.test\.$' \
    '^b\.test\..*CNAME[[:space:]]+c\.test\.$' '^c\.test\..*A[[:space:]]+192\.0\.2\.3$'
expect "an ALERT name is forwarded" "$(D alert.test A +short)" '^192\.0\.2\.5$'
if [ "$HAVE_V6" = 1 ]; then
    expect "IPv6 listener, UDP and TCP" \
        "$(dig @::1 -p "$SV_PORT6" +tries=1 allowed.test +short; dig @::1 -p "$SV_PORT6" +tcp allowed.test +short)" \
        '^192\.0\.2\.1$'
else
    ok "IPv6 listener # SKIP ::1 is not available"
fi

# --- blocked names: exactly the configured response ----------------------------------------

nodata=$(D nothing.test A)
expect "NODATA over UDP with EDNS: status, flags, sections, our OPT" "$nodata" \
    'status: NOERROR' 'flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1$' \
    '^; EDNS: version: 0, flags:; udp: 1232$' '^;nothing\.test\.[[:space:]]+IN[[:space:]]+A$'
expect "NODATA without EDNS: no OPT" "$(D +noedns nothing.test A)" \
    'flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0$'
refute "NODATA without EDNS: no OPT pseudosection" "$(D +noedns nothing.test A)" 'OPT PSEUDOSECTION'
expect "NODATA: DO and CD echoed, our payload size" "$(D +dnssec +cd +bufsize=4096 nothing.test A)" \
    'flags: qr rd ra cd;' '^; EDNS: version: 0, flags: do; udp: 1232$'
expect "NODATA: RD clear stays clear" "$(D +norecurse nothing.test A)" 'flags: qr ra;'
expect "NODATA: the question in the client's case" "$(D NoThInG.TeSt A)" \
    '^;NoThInG\.TeSt\.[[:space:]]+IN[[:space:]]+A$'
expect "NODATA over TCP (dig)" "$(D +tcp nothing.test AAAA)" \
    'status: NOERROR' 'flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1$'
expect "NODATA over TCP with DO (kdig)" "$(K +tcp +dnssec nothing.test A)" \
    'status: NOERROR' 'Flags: qr rd ra; QUERY: 1; ANSWER: 0; AUTHORITY: 0; ADDITIONAL: 1' \
    'Version: 0; flags: do; UDP size: 1232 B'
expect "NXDOMAIN (dig, UDP)" "$(D x.blocked.test A)" \
    'status: NXDOMAIN' 'flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1$'
expect "NXDOMAIN (drill, TCP, EDNS)" "$(R -t -b 4096 blocked.test A)" \
    'rcode: NXDOMAIN' 'flags: qr rd ra ; QUERY: 1, ANSWER: 0, AUTHORITY: 0' 'EDNS: version 0; flags: ; udp: 1232'
expect "NXDOMAIN (kdig, no EDNS)" "$(K x.blocked.test A)" \
    'status: NXDOMAIN' 'Flags: qr rd ra; QUERY: 1; ANSWER: 0; AUTHORITY: 0; ADDITIONAL: 0'
expect "OVERRIDE: one CNAME to the override domain with its TTL" "$(D OverRide.test A)" \
    'status: NOERROR' 'flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1$' \
    '^OverRide\.test\.[[:space:]]+60[[:space:]]+IN[[:space:]]+CNAME[[:space:]]+sinkhole\.test\.$'
expect "OVERRIDE over TCP (drill)" "$(R -t override.test A)" \
    'override\.test\.[[:space:]]+60[[:space:]]+IN[[:space:]]+CNAME[[:space:]]+sinkhole\.test\.'

# --- CNAME inspection --------------------------------------------------------------------------

expect "INSPECT: an allowed name whose CNAME target is blocked gets the target's rule's response" \
    "$(D cdn.test A)" 'status: NXDOMAIN' 'ANSWER: 0, AUTHORITY: 0'
expect "INSPECT over TCP (kdig)" "$(K +tcp cdn.test A)" 'status: NXDOMAIN' 'ANSWER: 0;'
expect "INSPECT: a target under the catch-all gets NODATA" "$(D cdn2.test A)" \
    'status: NOERROR' 'ANSWER: 0, AUTHORITY: 0'
expect "TRUST: the same chain is relayed" "$(D trusted.test A)" \
    'status: NOERROR' '^trusted\.test\..*CNAME[[:space:]]+edge\.blocked\.test\.$' \
    '^edge\.blocked\.test\..*192\.0\.2\.66$'
expect "DNAME: the rewritten name is inspected" "$(D x.dn.test A)" 'status: NXDOMAIN' 'ANSWER: 0,'

# --- truncation and TCP retries -------------------------------------------------------------

expect "big answer over UDP without EDNS: TC from the upstream, relayed" \
    "$(D +noedns +ignore big.test TXT)" 'flags: qr aa tc rd ra;'
expect "big answer over TCP: retried over TCP upstream, all 30 records" \
    "$(D +tcp +noedns big.test TXT)" 'flags: qr aa rd ra; QUERY: 1, ANSWER: 30,'
expect "big answer over UDP with EDNS 4096: more than our 1232, so truncated (TC), no records" \
    "$(D +bufsize=4096 +ignore big.test TXT)" 'flags: qr aa tc rd ra; QUERY: 1, ANSWER: 0,'

# --- malformed queries, other opcodes, garbage -------------------------------------------------

cat >"$tmp/wire.py" <<'EOF'
import os, random, socket, struct, sys
port = int(sys.argv[2])
def ask(pkt, tcp=False):
    if tcp:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(struct.pack("!H", len(pkt)) + pkt)
        n = struct.unpack("!H", s.recv(2))[0]
        data = b""
        while len(data) < n:
            data += s.recv(n - len(data))
        return data
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.sendto(pkt, ("127.0.0.1", port))
    return s.recv(65535)
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07nothing\x04test\x00\x00\x01\x00\x01"
what = sys.argv[1]
if what == "opcode":      # STATUS (2): NOTIMP, header only
    r = ask(q[:2] + b"\x11" + q[3:])
    print("rcode=%d len=%d opcode=%d" % (r[3] & 15, len(r), (r[2] >> 3) & 15))
elif what == "formerr":   # QDCOUNT 2
    r = ask(q[:4] + b"\x00\x02" + q[6:], tcp=True)
    print("rcode=%d len=%d id=%02x%02x" % (r[3] & 15, len(r), r[0], r[1]))
elif what == "loop":      # a compression pointer to itself
    r = ask(q[:12] + b"\xc0\x0c\x00\x01\x00\x01")
    print("rcode=%d len=%d" % (r[3] & 15, len(r)))
elif what == "pipeline":  # two queries in one TCP segment: both answered, blocked one first
    def tq(qid, name):
        body = struct.pack("!HBBHHHH", qid, 1, 0, 1, 0, 0, 0)
        body += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0\0\1\0\1"
        return struct.pack("!H", len(body)) + body
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(tq(1, "allowed.test") + tq(2, "nothing.test"))
    order = []
    for _ in range(2):
        n = struct.unpack("!H", s.recv(2, socket.MSG_WAITALL))[0]
        r = s.recv(n, socket.MSG_WAITALL)
        order.append("%d:rcode=%d:an=%d" % (struct.unpack("!H", r[:2])[0], r[3] & 15, struct.unpack("!H", r[6:8])[0]))
    print(" ".join(order))
elif what == "idle":      # a connection that sends nothing is closed by the server
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    print("closed" if s.recv(1) == b"" else "data")
elif what == "maxtcp":    # with --max-tcp 1, a second connection is closed at once
    a = socket.create_connection(("127.0.0.1", port), timeout=5)
    b = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        second = "closed" if b.recv(1) == b"" else "data"
    except ConnectionResetError:
        second = "closed"
    a.sendall(struct.pack("!H", len(q)) + q)
    n = struct.unpack("!H", a.recv(2, socket.MSG_WAITALL))[0]
    r = a.recv(n, socket.MSG_WAITALL)
    print("second=%s first-answered=%d" % (second, len(r) >= 12 and r[:2] == q[:2]))
elif what == "garbage":   # random datagrams and TCP streams; nothing is expected back
    random.seed(int(sys.argv[3]))
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(2000):
        n = random.choice([0, 1, 11, 12, 13, 30, 100, 512, 1500, random.randrange(4000)])
        pkt = bytes(random.randrange(256) for _ in range(n))
        if i % 3 == 0 and n >= 12:   # a query header with random contents after it
            pkt = q[:12] + pkt[12:]
        u.sendto(pkt, ("127.0.0.1", port))
    for i in range(50):
        try:
            t = socket.create_connection(("127.0.0.1", port), timeout=2)
            blob = os.urandom(random.randrange(1, 3000))
            if i % 2:
                blob = struct.pack("!H", random.randrange(65536)) + blob
            t.sendall(blob)
            t.close()
        except OSError:
            pass
    print("sent")
EOF
expect "opcode STATUS: NOTIMP, header only, opcode copied" "$("$PY" "$tmp/wire.py" opcode "$SV_PORT")" \
    '^rcode=4 len=12 opcode=2$'
expect "QDCOUNT 2 over TCP: FORMERR, header only, ID copied" "$("$PY" "$tmp/wire.py" formerr "$SV_PORT")" \
    '^rcode=1 len=12 id=1234$'
expect "compression loop: FORMERR" "$("$PY" "$tmp/wire.py" loop "$SV_PORT")" '^rcode=1 len=12$'
expect "random garbage sent (2000 datagrams, 50 TCP streams)" \
    "$("$PY" "$tmp/wire.py" garbage "$SV_PORT" 4242 2>&1)" '^sent$'
if kill -0 "$SV_PID" 2>/dev/null; then ok "the server survives garbage"; else not_ok "the server survives garbage" "$(cat "$SV_ERR")"; fi
expect "and still answers, UDP and TCP" "$(D allowed.test +short; D +tcp nothing.test)" \
    '^192\.0\.2\.1$' 'status: NOERROR'

expect "TCP pipelining: both answered on one connection, the blocked one first (out of order)" \
    "$("$PY" "$tmp/wire.py" pipeline "$SV_PORT")" '^2:rcode=0:an=0 1:rcode=0:an=1$'

# --- reloads --------------------------------------------------------------------------------------

expect "before the reload newname.test is blocked" "$(D newname.test A)" 'status: NOERROR' 'ANSWER: 0,'
jq '.domain_lists.allowed += ["newname.test"]' "$DATA/policy.json" >"$tmp/policy.json.new" &&
    mv "$tmp/policy.json.new" "$tmp/policy.json"
kill -HUP "$SV_PID"
for _ in $(seq 1 100); do
    grep -q 'generation 2' "$SV_ERR" && break
    sleep 0.1
done
expect "SIGHUP: the new policy is swapped in" "$(cat "$SV_ERR")" 'policy reloaded \(generation 2\)'
expect "after the reload newname.test resolves" "$(D newname.test A +short)" '^192\.0\.2\.77$'
echo '{ "dnsfw": 1, "rule_groups": [ { "nmae": "typo" } ] }' >"$tmp/policy.json"
kill -HUP "$SV_PID"
for _ in $(seq 1 100); do
    grep -q 'reload failed' "$SV_ERR" && break
    sleep 0.1
done
expect "a policy that fails to load is reported and the old one stays in force" "$(cat "$SV_ERR")" \
    'policy\.json:1:[0-9]+: .*nmae' 'reload failed: the previous policy \(generation 2\) stays in force'
expect "the old policy still answers" "$(D newname.test A +short; D nothing.test A)" \
    '^192\.0\.2\.77$' 'ANSWER: 0,'

# A reload under load: dnsperf asks 20 rounds of a mixed query file while the policy is
# reloaded ten times; every query must be answered.
for i in $(seq 1 50); do
    echo "allowed.test A"
    echo "nothing$i.test A"
    echo "cdn.test A"
    echo "x$i.blocked.test AAAA"
done >"$tmp/queries.txt"
cp "$DATA/policy.json" "$tmp/policy.json"
dnsperf -s 127.0.0.1 -p "$SV_PORT" -d "$tmp/queries.txt" -n 20 -c 2 -q 32 -t 10 \
    >"$tmp/dnsperf.out" 2>&1 &
perf_pid=$!
pids="$pids $perf_pid"
for i in $(seq 1 10); do
    if [ $((i % 2)) = 0 ]; then
        cp "$DATA/policy.json" "$tmp/policy.json"
    else
        jq '.domain_lists.allowed += ["newname.test"]' "$DATA/policy.json" >"$tmp/policy.json"
    fi
    kill -HUP "$SV_PID"
    sleep 0.1
done
wait "$perf_pid"
perf_status=$?
reloads=$(grep -c 'policy reloaded' "$SV_ERR")
expect "dnsperf during reloads: 4000 sent, 4000 completed, none lost (exit $perf_status)" \
    "$(cat "$tmp/dnsperf.out")" 'Queries sent:[[:space:]]+4000$' \
    'Queries completed:[[:space:]]+4000 \(100\.00%\)' 'Queries lost:[[:space:]]+0 \(0\.00%\)'
if [ "$reloads" -ge 3 ]; then ok "reloads happened during the run ($reloads in all)"; else
    not_ok "reloads happened during the run ($reloads in all)" "$(cat "$SV_ERR")"; fi

# --- clean shutdown and the query log ------------------------------------------------------------

stop_serve
same "SIGTERM: exit status 0" "$SV_STATUS" 0
expect "shutdown statistics on stderr" "$(cat "$SV_ERR")" 'SIGTERM: shutting down' \
    'queries [0-9]+: blocked [0-9]+' 'query log: [0-9]+ records written, 0 dropped'
records=$(wc -l <"$tmp/query.log")
written=$(sed -n 's/.*query log: \([0-9]*\) records written.*/\1/p' "$SV_ERR")
same "every record reported written is in the file" "$records" "$written"
bad=$(jq -c 'select((.version != "1.100000") or (.srcport | type) != "string"
    or (.answers | type) != "array" or (.query_name | endswith(".") | not)
    or ((.firewall_rule_action != null) != (.firewall_rule_group_id != null)))' "$tmp/query.log" | head -3)
same "records have Route 53's fields and types" "$bad" ""
expect "a BLOCK record has the firewall fields" \
    "$(grep '"query_name":"x.blocked.test."' "$tmp/query.log" | head -1)" \
    '"rcode":"NXDOMAIN"' '"firewall_rule_group_id":"egress"' '"firewall_rule_action":"BLOCK"' \
    '"firewall_domain_list_id":"bad"'
expect "an ALERT record has the firewall fields, the answer too" \
    "$(grep '"query_name":"alert.test."' "$tmp/query.log" | head -1)" \
    '"firewall_rule_action":"ALERT"' '"answers":\[\{"Rdata":"192.0.2.5","Type":"A","Class":"IN"\}\]'
refute "an ALLOW record has no firewall fields" \
    "$(grep '"query_name":"allowed.test."' "$tmp/query.log" | head -1)" 'firewall_'
expect "a chain block logs the upstream's chain" \
    "$(grep '"query_name":"cdn.test."' "$tmp/query.log" | head -1)" \
    '"Rdata":"edge.blocked.test.","Type":"CNAME"' '"firewall_rule_action":"BLOCK"'
expect "TCP queries are logged as TCP" "$(grep '"transport":"TCP"' "$tmp/query.log" | head -1)" \
    '"srcaddr":"127.0.0.1"'

# The log replays through dnsfw-eval with the policy it was written under: every record
# logged BLOCK or ALERT replays to that action, and no other record replays to either.
cp "$DATA/policy.json" "$tmp/replay-policy.json"
# (newname.test was decided by another policy; names from the garbage are left out)
grep -E '"query_name":"[a-z0-9.-]+\.test\."' "$tmp/query.log" | grep -v newname >"$tmp/replay.log"
"$EVAL" -p "$tmp/replay-policy.json" --log "$tmp/replay.log" --json >"$tmp/replay.json" 2>"$tmp/replay.err"
status=$?
same "dnsfw-eval --log replays the query log (exit 1: blocks in it)" "$status" 1
same "one verdict a record" "$(wc -l <"$tmp/replay.json")" "$(wc -l <"$tmp/replay.log")"
mismatch=$(jq -c 'select(((.action == "BLOCK" or .action == "ALERT") and .firewall_rule_action != .action)
    or ((.action != "BLOCK" and .action != "ALERT") and .firewall_rule_action != null))
    | [.query_name, .action, .firewall_rule_action]' "$tmp/replay.json" | head -5)
same "replayed actions equal the logged ones" "$mismatch" ""

# --- scope map: per-client repositories ----------------------------------------------------------

cat >"$tmp/scopes.txt" <<'EOF'
# client -> repository
127.0.0.2 org/a
127.0.0.3/32 org/b
127.0.0.4 org/none
EOF
start_serve scoped -p "$DATA/tiered.json" --upstream "127.0.0.1:$UB_PORT" --scope-map "$tmp/scopes.txt" \
    --fail-mode closed --query-log "$tmp/scoped.log"
expect "unmapped client: the union of the allowlists" \
    "$(D -b 127.0.0.1 b.test +short; D -b 127.0.0.1 allowed.test +short)" \
    '^c\.test\.$' '^192\.0\.2\.3$' '^192\.0\.2\.1$'
expect "client of org/a: its own allowlist" "$(D -b 127.0.0.2 allowed.test +short)" '^192\.0\.2\.1$'
expect "client of org/a: not org/b's" "$(D -b 127.0.0.2 a.test)" 'status: NOERROR' 'ANSWER: 0,'
expect "client of org/b: its own allowlist, over TCP" "$(D +tcp -b 127.0.0.3 a.test +short)" '^b\.test\.$'
expect "client of org/b: not org/a's" "$(D -b 127.0.0.3 allowed.test)" 'ANSWER: 0,'
expect "client of a repository without a blueprint: fail closed, SERVFAIL" \
    "$(D -b 127.0.0.4 allowed.test)" 'status: SERVFAIL'
expect "and that is logged" "$(cat "$SV_ERR")" 'no blueprint for repository "org/none"'
stop_serve
same "scoped server: exit status 0" "$SV_STATUS" 0

start_serve open -p "$DATA/tiered.json" --upstream "127.0.0.1:$UB_PORT" --scope-map "$tmp/scopes.txt" \
    --fail-mode open
expect "fail open: the unmapped repository's client is forwarded unfiltered" \
    "$(D -b 127.0.0.4 x.blocked.test +short)" '^192\.0\.2\.99$'
stop_serve
same "fail-open server: exit status 0" "$SV_STATUS" 0

# --- upstream failures ------------------------------------------------------------------------------

start_serve dead -p "$DATA/policy.json" --upstream 127.0.0.1:9 --timeout 0.3
expect "no upstream: SERVFAIL over UDP and TCP" "$(D allowed.test; D +tcp allowed.test)" \
    'status: SERVFAIL.*' 'flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1$'
expect "no upstream: blocked names are still answered" "$(D nothing.test)" 'status: NOERROR'
stop_serve
same "server without upstream: exit status 0" "$SV_STATUS" 0
expect "its timeouts are counted" "$(cat "$SV_ERR")" 'SERVFAIL [1-9][0-9]* \(timeouts [1-9]'

# --- limits ---------------------------------------------------------------------------------------

start_serve limits -p "$DATA/policy.json" --upstream "127.0.0.1:$UB_PORT" --max-tcp 1 --tcp-idle 0.5 \
    --soa-ttl 30 --edns-size 4096
expect "--soa-ttl: NODATA with the synthetic SOA, --edns-size in our OPT" "$(D nothing.test A)" \
    'status: NOERROR' 'flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 1$' \
    '^; EDNS: version: 0, flags:; udp: 4096$' \
    '^nothing\.test\.[[:space:]]+30[[:space:]]+IN[[:space:]]+SOA[[:space:]]+dnsfw\.invalid\. hostmaster\.dnsfw\.invalid\. 1 3600 600 86400 30$'
expect "--edns-size 4096: a big answer over UDP with EDNS 4096 fits" \
    "$(D +bufsize=4096 +ignore big.test TXT)" 'flags: qr aa rd ra; QUERY: 1, ANSWER: 30,'
expect "--soa-ttl: NXDOMAIN too, OVERRIDE not" "$(D x.blocked.test A; D override.test A)" \
    'status: NXDOMAIN.*' 'ANSWER: 0, AUTHORITY: 1,' 'ANSWER: 1, AUTHORITY: 0,'
expect "--max-tcp 1: a second connection is closed, the first is served" \
    "$("$PY" "$tmp/wire.py" maxtcp "$SV_PORT")" '^second=closed first-answered=1$'
expect "--tcp-idle: an idle connection is closed by the server" "$("$PY" "$tmp/wire.py" idle "$SV_PORT")" '^closed$'
stop_serve
expect "limits: refused connections are counted" "$(cat "$SV_ERR")" 'TCP connections [0-9]+ \(refused [1-9]'

# One query waits for an upstream that never answers (a socket that only reads); with
# --max-inflight 1, a second query over TCP is refused with SERVFAIL at once.
"$PY" -u -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
while True:
    s.recv(65535)
    print("query")
' >"$tmp/hole.out" 2>/dev/null &
hole=$!
pids="$pids $hole"
for _ in $(seq 1 100); do
    [ -s "$tmp/hole.out" ] && break
    sleep 0.1
done
hole_port=$(head -1 "$tmp/hole.out")
start_serve overload -p "$DATA/policy.json" --upstream "127.0.0.1:$hole_port" --timeout 5 --max-inflight 1
D +tries=1 +time=8 allowed.test >"$tmp/first.out" &
first=$!
for _ in $(seq 1 100); do # until the first query has reached the upstream
    grep -q query "$tmp/hole.out" && break
    sleep 0.1
done
expect "--max-inflight: a TCP query beyond the limit gets SERVFAIL at once" \
    "$(D +tcp +time=2 a.test; grep -c query "$tmp/hole.out")" 'status: SERVFAIL' '^1$'
wait "$first"
expect "the query in flight gets SERVFAIL when the upstream times out" "$(cat "$tmp/first.out")" \
    'status: SERVFAIL'
stop_serve
expect "overload is counted" "$(cat "$SV_ERR")" 'overload [1-9]'

# --- the command line ----------------------------------------------------------------------------------

"$SERVE" --help >"$tmp/help" 2>&1
same "--help: exit 0" "$?" 0
expect "--help prints the usage" "$(cat "$tmp/help")" '^Usage: dnsfw-serve' '--upstream'
"$SERVE" --version >"$tmp/version" 2>&1
same "--version: exit 0" "$?" 0
"$SERVE" --listen 127.0.0.1:0 >/dev/null 2>&1
same "no --upstream: exit 2" "$?" 2
"$SERVE" --listen nowhere --upstream 127.0.0.1 >/dev/null 2>&1
same "bad --listen: exit 2" "$?" 2
"$SERVE" --bogus >/dev/null 2>&1
same "unknown option: exit 2" "$?" 2
echo '{ "dnsfw": 1, "mode": "sideways" }' >"$tmp/bad.json"
"$SERVE" -p "$tmp/bad.json" --listen 127.0.0.1:0 --upstream 127.0.0.1 >/dev/null 2>"$tmp/bad.err"
same "invalid policy: exit 3" "$?" 3
"$SERVE" -p "$tmp/missing.json" --listen 127.0.0.1:0 --upstream 127.0.0.1 >/dev/null 2>&1
same "unreadable policy: exit 4" "$?" 4
"$SERVE" -p "$DATA/policy.json" --listen 192.0.2.1:53 --upstream 127.0.0.1 >/dev/null 2>&1
same "an address that cannot be bound: exit 4" "$?" 4

echo "1..$n"
[ "$failed" = 0 ]
