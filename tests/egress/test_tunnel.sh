#!/bin/bash
# Real DNS tunnels through dnsfw-serve (TAP): the tunnel server is the authoritative side
# of its zone on a high port of 127.0.0.1, a local unbound delegates the zone to it, and
# dnsfw-serve (observe mode, --query-log) sits in front of unbound. The tunnel client runs
# through that chain and moves a bounded amount of data; then dnsfw-eval replays
# dnsfw-serve's query log and must put the tunnels' domains at the top of
# "exfiltration" (and nothing else, with the project's benign log mixed in).
#
#   dns2tcp  TCP over TXT queries, no TUN device: 10000 bytes to a local TCP sink.
#   iodine   IP over NULL queries (base128): needs /dev/net/tun; where it is missing that
#            case fails, saying so.
#
# The clients talk to port 53 only (neither takes another), so everything runs in a
# private network namespace (unshare --net, as root): dnsfw-serve listens on 127.0.0.1:53
# there, nothing can leave it, and no port of the host is used. Every process is started
# here and stopped by PID.
#
#   test_tunnel.sh DNSFW_SERVE DNSFW_EVAL SOURCE_ROOT
set -u
SERVE=$1
EVAL=$2
SRC=$3

if [ -z "${DNSFW_TUNNEL_NETNS:-}" ]; then
    for tool in dns2tcpc dns2tcpd iodine iodined unbound unshare ip python3 jq; do
        if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
            echo "1..1"
            echo "not ok 1 - $tool is not installed (scripts/install-deps.sh installs it)"
            exit 1
        fi
    done
    if ! unshare --net true 2>/dev/null; then
        echo "1..1"
        echo "not ok 1 - cannot create a network namespace (unshare --net needs root or CAP_SYS_ADMIN): the tunnels cannot run on this machine"
        exit 1
    fi
    DNSFW_TUNNEL_NETNS=1 exec unshare --net "$0" "$@"
fi

export PATH=$PATH:/usr/sbin:/sbin
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dnsfw-tunnel-test.XXXXXX") || exit 99
chmod 755 "$tmp"
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
n=0
failed=0
ok() {
    n=$((n + 1))
    echo "ok $n - $1"
}
not_ok() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
    shift
    for line in "$@"; do printf '%s\n' "$line" | sed 's/^/#   /'; done
}
bail() {
    echo "Bail out! $*"
    exit 1
}
# wait_for FILE PATTERN: up to 10 s
wait_for() {
    for _ in $(seq 1 100); do
        grep -q -e "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

ip link set lo up || bail "cannot bring up lo in the namespace"
port() { echo $((20000 + RANDOM % 40000)); }
SINK_PORT=$(port)
D2T_PORT=$(port)
IOD_PORT=$(port)
UB_PORT=$(port)

# --- the tunnel servers and what dns2tcp reaches ------------------------------------------
python3 -S - "$SINK_PORT" "$tmp/sink.count" >"$tmp/sink.log" 2>&1 <<'EOF' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(4)
total = 0
while True:
    c, _ = s.accept()
    while True:
        d = c.recv(65536)
        if not d:
            break
        total += len(d)
        with open(sys.argv[2], "w") as f:
            f.write(str(total))
    c.close()
EOF
pids="$pids $!"
cat >"$tmp/dns2tcpd.conf" <<EOF
listen = 127.0.0.1
port = $D2T_PORT
user = root
chroot = $tmp
domain = tun.test
resources = sink:127.0.0.1:$SINK_PORT
EOF
dns2tcpd -F -f "$tmp/dns2tcpd.conf" >"$tmp/dns2tcpd.log" 2>&1 &
pids="$pids $!"
HAVE_TUN=0
[ -c /dev/net/tun ] && HAVE_TUN=1
if [ "$HAVE_TUN" = 1 ]; then
    iodined -f -c -P dnsfw-test -l 127.0.0.1 -p "$IOD_PORT" 10.53.0.1/27 io.test \
        >"$tmp/iodined.log" 2>&1 &
    pids="$pids $!"
fi

# --- unbound, delegating both zones -------------------------------------------------------------
cat >"$tmp/unbound.conf" <<EOF
server:
    interface: 127.0.0.1
    port: $UB_PORT
    so-reuseport: no
    do-ip6: no
    username: ""
    chroot: ""
    directory: "$tmp"
    pidfile: ""
    use-syslog: no
    logfile: ""
    verbosity: 0
    do-daemonize: no
    num-threads: 1
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    local-zone: "test." nodefault
    module-config: "iterator"
    qname-minimisation: no
stub-zone:
    name: "tun.test"
    stub-addr: 127.0.0.1@$D2T_PORT
stub-zone:
    name: "io.test"
    stub-addr: 127.0.0.1@$IOD_PORT
remote-control:
    control-enable: no
EOF
unbound -d -c "$tmp/unbound.conf" >"$tmp/unbound.log" 2>&1 &
pids="$pids $!"

# --- dnsfw-serve in front, on port 53 of the namespace ---------------------------------------------
"$SERVE" --listen 127.0.0.1:53 --upstream "127.0.0.1:$UB_PORT" --query-log "$tmp/query.log" \
    >"$tmp/serve.out" 2>"$tmp/serve.err" &
SV_PID=$!
pids="$pids $SV_PID"
wait_for "$tmp/serve.err" "listening on 127.0.0.1:53" || bail "dnsfw-serve did not start: $(cat "$tmp/serve.err")"
wait_for "$tmp/dns2tcpd.log" "Starting Server" || bail "dns2tcpd did not start: $(cat "$tmp/dns2tcpd.log")"
[ "$HAVE_TUN" = 0 ] || wait_for "$tmp/iodined.log" "Listening to dns" ||
    bail "iodined did not start: $(cat "$tmp/iodined.log")"
up=0
for _ in $(seq 1 50); do # unbound answers localhost itself once it runs
    if dig @127.0.0.1 +tries=1 +time=1 localhost A 2>/dev/null | grep -q 'status: NOERROR'; then
        up=1
        break
    fi
    sleep 0.1
done
[ "$up" = 1 ] || bail "unbound (or dnsfw-serve in front of it) does not answer: $(cat "$tmp/unbound.log")"
python3 -S -c '
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)' "$SINK_PORT" || bail "the TCP sink did not start: $(cat "$tmp/sink.log")"

# --- dns2tcp: 20000 bytes over TXT queries ----------------------------------------------------------
head -c 10000 /dev/urandom >"$tmp/payload"
{ cat "$tmp/payload"; sleep 1; } | timeout 60 dns2tcpc -z tun.test -r sink -l - 127.0.0.1 \
    >"$tmp/dns2tcpc.out" 2>"$tmp/dns2tcpc.err"
for _ in $(seq 1 30); do
    [ "$(cat "$tmp/sink.count" 2>/dev/null)" = 10000 ] && break
    sleep 0.1
done
got=$(cat "$tmp/sink.count" 2>/dev/null || echo 0)
if [ "$got" = 10000 ]; then
    ok "dns2tcp carried 10000 bytes through dnsfw-serve and unbound"
else
    not_ok "dns2tcp carried 10000 bytes (the sink got $got)" "$(tail -5 "$tmp/dns2tcpc.err")" "$(tail -5 "$tmp/dns2tcpd.log")"
fi

# --- iodine: IP packets over NULL queries ----------------------------------------------------------------
if [ "$HAVE_TUN" = 1 ]; then
    timeout 60 iodine -f -r -P dnsfw-test 127.0.0.1 io.test >"$tmp/iodine.log" 2>&1 &
    IO_PID=$!
    pids="$pids $IO_PID"
    if wait_for "$tmp/iodine.log" "Connection setup complete"; then
        ok "iodine set up its tunnel through dnsfw-serve and unbound"
        # both ends live in this namespace: a route through the client's device sends
        # packets to an unassigned address of the tunnel network through the tunnel
        dev=$(ip -o addr show | awk '/10\.53\.0\.2\// { print $2 }')
        ip route add 10.53.0.16/28 dev "$dev" 2>/dev/null
        # /proc/net/dev is this namespace's (sysfs would be the host's)
        rx_of() { awk -v d="$1:" '$1 == d { print $3 }' /proc/net/dev; }
        sdev=$(ip -o addr show | awk '/10\.53\.0\.1\// { print $2 }')
        rx0=$(rx_of "$sdev")
        python3 -S -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(20):
    s.sendto(bytes(range(256)) * 2, ("10.53.0.20", 9))'
        for _ in $(seq 1 50); do
            rx=$(rx_of "$sdev")
            [ "$((rx - rx0))" -ge 10 ] && break
            sleep 0.1
        done
        if [ "$((rx - rx0))" -ge 10 ]; then
            ok "iodine carried $((rx - rx0)) IP packets to the server's tunnel device"
        else
            not_ok "iodine carried packets ($((rx - rx0)) arrived)" "$(tail -5 "$tmp/iodine.log")"
        fi
    else
        not_ok "iodine set up its tunnel" "$(tail -8 "$tmp/iodine.log")" "$(tail -5 "$tmp/iodined.log")"
    fi
    kill "$IO_PID" 2>/dev/null
    wait "$IO_PID" 2>/dev/null
else
    not_ok "iodine: /dev/net/tun does not exist on this machine, so the IP-over-DNS tunnel cannot run here"
fi

kill -TERM "$SV_PID"
wait "$SV_PID"
wait_for "$tmp/serve.err" "query log:" >/dev/null

# --- the replay ------------------------------------------------------------------------------------------
records=$(wc -l <"$tmp/query.log")
"$EVAL" --log "$tmp/query.log" --report --format json --no-progress >"$tmp/report.json" 2>"$tmp/eval.err"
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
    not_ok "dnsfw-eval replays dnsfw-serve's query log ($records records)" "exit $rc" "$(head -5 "$tmp/eval.err")"
else
    ok "dnsfw-eval replays dnsfw-serve's query log ($records records)"
fi
want='["tun.test"]'
[ "$HAVE_TUN" = 1 ] && want='["io.test","tun.test"]'
top=$(jq -c '[.exfiltration[].domain] | sort' "$tmp/report.json")
if [ "$top" = "$want" ]; then
    ok "exfiltration lists the tunnels' domains: $top"
else
    not_ok "exfiltration lists the tunnels' domains" "expected $want, got $top"
fi
conf=$(jq -c '[.exfiltration[].confidence] | unique' "$tmp/report.json")
if [ "$conf" = '["HIGH"]' ]; then
    ok "each tunnel at HIGH confidence ($(jq -c '[.exfiltration[] | [.domain, .score]]' "$tmp/report.json"))"
else
    not_ok "each tunnel at HIGH confidence" "$(jq -c '[.exfiltration[] | [.domain, .score, .reasons]]' "$tmp/report.json")"
fi
# with the project's benign log mixed in, the tunnels are at the top and alone
"$EVAL" --log "$SRC/tests/data/egress/benign.jsonl.gz" --log "$tmp/query.log" --report --format json \
    --no-progress >"$tmp/mixed.json" 2>"$tmp/eval.err"
mixed=$(jq -c '[.exfiltration[].domain] | sort' "$tmp/mixed.json")
if [ "$mixed" = "$want" ]; then
    ok "with the benign log mixed in, only the tunnels are flagged"
else
    not_ok "with the benign log mixed in, only the tunnels are flagged" "got $mixed"
fi
# an Advanced rule blocking tunnels at HIGH would act on exactly these domains
cat >"$tmp/advanced.json" <<'EOF'
{"dnsfw": 1, "domain_lists": {"all": ["*"]},
 "rule_groups": [{"name": "g", "priority": 1000, "rules": [
   {"name": "tunnels", "priority": 10, "action": "BLOCK", "dns_threat_protection": "DNS_TUNNELING",
    "confidence_threshold": "HIGH", "block_response": "NXDOMAIN"},
   {"name": "observe", "priority": 20, "action": "ALERT", "domain_list": "all"}]}]}
EOF
"$EVAL" -p "$tmp/advanced.json" --log "$tmp/query.log" --report --format json --no-progress \
    >"$tmp/adv.json" 2>"$tmp/eval.err"
adv=$(jq -c '[.advanced_rules[0].domains[].domain] | sort' "$tmp/adv.json")
if [ "$adv" = "$want" ]; then
    ok "an Advanced DNS_TUNNELING rule at HIGH would block the tunnels ($(jq .advanced_rules[0].newly_blocked_records "$tmp/adv.json") records)"
else
    not_ok "an Advanced DNS_TUNNELING rule at HIGH would block the tunnels" "got $adv"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
