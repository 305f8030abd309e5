#!/bin/bash
# Benchmark dnsfw-serve against unbound on loopback with dnsperf (not a test; not run by CI).
#
#   tests/bench/bench_serve.sh [BUILD_DIR]        (default: build)
#
# Environment: SIZES (allowlist sizes, default "1000 100000"), DURATION (seconds per dnsperf
# run, default 10), RUNS (runs per measurement, the median is reported, default 3), RATE
# (queries per second of the latency and reload runs, default 10000).
#
# For each allowlist size the same policy is given to both servers:
#   dnsfw-serve   general-form policy: ALLOW the list (half exact names, half "*.suffix"),
#                 then BLOCK "*" with NODATA; allowed queries are forwarded to a plain
#                 unbound (the upstream) that answers them from an auth zone;
#   unbound       the same auth zone, and the same policy as two RPZ zones: the list with
#                 rpz-passthru, then "*" -> NODATA (CNAME *.); a single local-zone idiom
#                 cannot say "everything but these names and these subtrees".
# Both run one thread. The query files are the same: all blocked, all allowed, 50/50.
# Reported: QPS (dnsperf, 8 sockets, 256 queries outstanding; median of RUNS) with the
# server's CPU time per answered query (utime + stime from /proc: on a small or busy
# machine dnsperf itself may be the limit, the CPU cost is not), p50/p99 latency at RATE
# queries/s (dnsperf -v), RSS after the runs, and what a reload under load (RATE
# queries/s, SIGHUP after 3 s) costs in lost and late answers. For the allowed queries
# dnsfw-serve's CPU column is its own; its upstream unbound works as well.
set -u
BUILD=${1:-build}
SIZES=${SIZES:-1000 100000}
DURATION=${DURATION:-10}
RUNS=${RUNS:-3}
RATE=${RATE:-10000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SERVE=$ROOT/$BUILD/tools/serve/dnsfw-serve
[ -x "$SERVE" ] || SERVE=$BUILD/tools/serve/dnsfw-serve
UNBOUND=$(command -v unbound || echo /usr/sbin/unbound)
for t in "$SERVE" "$UNBOUND" dnsperf dig; do
    command -v "$t" >/dev/null 2>&1 || { echo "bench_serve.sh: $t not found" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dnsfw-bench-serve.XXXXXX") || exit 4
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
log() { echo "bench_serve.sh: $*" >&2; }

free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_dns() { # PORT NAME: until the server answers
    for _ in $(seq 1 600); do
        dig @127.0.0.1 -p "$1" +tries=1 +time=1 "$2" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

cat >"$tmp/bench.zone" <<'EOF'
$ORIGIN bench.
$TTL 300
@ IN SOA ns.bench. hostmaster.bench. 1 3600 600 86400 60
@ IN NS ns.bench.
ns IN A 127.0.0.1
* IN A 192.0.2.1
EOF

unbound_conf() { # NAME PORT [RPZ]
    cat >"$tmp/$1.conf" <<EOF
server:
    interface: 127.0.0.1
    port: $2
    so-reuseport: no
    so-rcvbuf: 2m
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
    module-config: "${3:+respip }iterator"
    access-control: 127.0.0.0/8 allow
auth-zone:
    name: "bench."
    zonefile: "$tmp/bench.zone"
    for-downstream: yes
    for-upstream: yes
    fallback-enabled: no
EOF
    if [ -n "${3:-}" ]; then
        cat >>"$tmp/$1.conf" <<EOF
rpz:
    name: "rpz-allow."
    zonefile: "$tmp/allow.rpz"
rpz:
    name: "rpz-block."
    zonefile: "$tmp/block.rpz"
EOF
    fi
    printf 'remote-control:\n    control-enable: no\n' >>"$tmp/$1.conf"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime of PID

median() { sort -n | awk '{v[NR] = $1} END {printf "%.'"${1:-0}"'f", v[int((NR + 1) / 2)]}'; }

# qps PORT FILE PID: "QPS (CPU µs a query)", medians of RUNS dnsperf runs. The CPU time
# the server (PID) used per answered query does not depend on how fast dnsperf can go.
qps() {
    local vals=() cpus=() t0 t1 out tck
    tck=$(getconf CLK_TCK)
    for _ in $(seq 1 "$RUNS"); do
        t0=$(cpu_ticks "$3")
        out=$(dnsperf -s 127.0.0.1 -p "$1" -d "$2" -l "$DURATION" -c 8 -q 256 2>&1)
        t1=$(cpu_ticks "$3")
        vals+=("$(printf '%s\n' "$out" | sed -n 's/.*Queries per second: *\([0-9.]*\).*/\1/p')")
        cpus+=("$(printf '%s\n' "$out" | sed -n 's/.*Queries completed: *\([0-9]*\).*/\1/p' |
            awk -v t=$((t1 - t0)) -v hz="$tck" '{printf "%.2f", $1 ? t / hz * 1e6 / $1 : 0}')")
    done
    printf '%s (%s µs)' "$(printf '%s\n' "${vals[@]}" | median)" "$(printf '%s\n' "${cpus[@]}" | median 2)"
}

# p50 and p99 latency in ms at RATE q/s: latency PORT FILE
latency() {
    dnsperf -s 127.0.0.1 -p "$1" -d "$2" -l 5 -Q "$RATE" -c 8 -v 2>/dev/null |
        awk '/^> / && $NF ~ /^[0-9.]+$/ {print $NF}' | sort -n |
        awk '{v[NR] = $1} END {if (NR) printf "%.3f / %.3f", v[int(NR * 0.5)] * 1000, v[int(NR * 0.99)] * 1000; else printf "n/a"}'
}

rss() { # PID: "VmRSS MiB (peak VmHWM MiB)"
    awk '/^VmRSS/ {r = $2} /^VmHWM/ {h = $2} END {printf "%.1f MiB (peak %.1f)", r / 1024, h / 1024}' "/proc/$1/status"
}

# A reload under load: dnsperf at RATE for 10 s, SIGHUP after 3 s. reload PORT PID FILE
reload_cost() {
    dnsperf -s 127.0.0.1 -p "$1" -d "$3" -l 10 -Q "$RATE" -c 8 -t 1 -v >"$tmp/reload.out" 2>&1 &
    local perf=$!
    sleep 3
    kill -HUP "$2"
    wait "$perf"
    local lost late max
    lost=$(sed -n 's/.*Queries lost: *\([0-9]*\).*/\1/p' "$tmp/reload.out")
    # "> RCODE name type latency" for answers, "> T name type" for timeouts
    late=$(awk '/^> / && $NF ~ /^[0-9.]+$/ && $NF + 0 > 0.1 {n++} END {print n + 0}' "$tmp/reload.out")
    max=$(awk '/^> / && $NF ~ /^[0-9.]+$/ {if ($NF + 0 > m) m = $NF + 0} END {printf "%.0f", m * 1000}' \
        "$tmp/reload.out")
    echo "lost $lost, over 100 ms $late, max latency $max ms"
}

echo "## dnsfw-serve against unbound (tests/bench/bench_serve.sh)"
echo
echo "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average at start $(cut -d' ' -f1-3 /proc/loadavg);"
echo "unbound $("$UNBOUND" -V | sed -n 's/^Version //p'), dnsperf $(dnsperf -h 2>&1 | sed -n 's/^Version //p'), dnsfw-serve $("$SERVE" --version | cut -d' ' -f2)."
echo "dnsperf: $DURATION s per run, 8 sockets, 256 outstanding, median of $RUNS runs; latency at $RATE q/s."
echo

for n in $SIZES; do
    log "allowlist of $n entries"
    half=$((n / 2))
    {
        for i in $(seq 1 "$half"); do echo "h$i.exact.bench"; done
        for i in $(seq 1 $((n - half))); do echo "*.w$i.bench"; done
    } >"$tmp/allow.txt"
    cat >"$tmp/policy.json" <<'EOF'
{ "dnsfw": 1, "fail_open": false,
  "domain_lists": { "allow": { "file": "allow.txt" }, "all": ["*"] },
  "rule_groups": [ { "name": "bench", "priority": 100, "rules": [
    { "name": "allow", "priority": 100, "action": "ALLOW", "domain_list": "allow" },
    { "name": "rest", "priority": 200, "action": "BLOCK", "domain_list": "all",
      "block_response": "NODATA" } ] } ] }
EOF
    {
        printf '$ORIGIN rpz-allow.\n$TTL 60\n@ IN SOA localhost. root.localhost. 1 3600 600 86400 60\n@ IN NS localhost.\n'
        sed 's/$/ CNAME rpz-passthru./' "$tmp/allow.txt"
    } >"$tmp/allow.rpz"
    printf '$ORIGIN rpz-block.\n$TTL 60\n@ IN SOA localhost. root.localhost. 1 3600 600 86400 60\n@ IN NS localhost.\n* CNAME *.\n' \
        >"$tmp/block.rpz"
    # 20000 queries each; allowed names are exact entries and names under the wildcards
    /usr/bin/python3 - "$n" "$tmp" <<'EOF'
import random, sys
n, tmp = int(sys.argv[1]), sys.argv[2]
half = n // 2
random.seed(n)
def allowed():
    if random.random() < 0.5:
        return "h%d.exact.bench" % random.randint(1, half)
    return "x%d.w%d.bench" % (random.randint(1, 1000), random.randint(1, n - half))
def blocked():
    return "n%d.blocked%d.bench" % (random.randint(1, 10**6), random.randint(1, 1000))
with open(tmp + "/allowed.txt", "w") as a, open(tmp + "/blocked.txt", "w") as b, \
        open(tmp + "/mixed.txt", "w") as m:
    for i in range(20000):
        a.write(allowed() + " A\n")
        b.write(blocked() + " A\n")
        m.write((allowed() if i % 2 else blocked()) + " A\n")
EOF

    up=$(free_port)
    unbound_conf upstream "$up"
    "$UNBOUND" -d -c "$tmp/upstream.conf" >"$tmp/upstream.log" 2>&1 &
    up_pid=$!
    pids="$pids $up_pid"
    rpzp=$(free_port)
    unbound_conf rpz "$rpzp" rpz
    "$UNBOUND" -d -c "$tmp/rpz.conf" >"$tmp/rpz.log" 2>&1 &
    rpz_pid=$!
    pids="$pids $rpz_pid"
    "$SERVE" -p "$tmp/policy.json" --listen 127.0.0.1:0 --upstream "127.0.0.1:$up" \
        >"$tmp/serve.out" 2>"$tmp/serve.err" &
    sv_pid=$!
    pids="$pids $sv_pid"
    for _ in $(seq 1 600); do
        grep -q 'listening on' "$tmp/serve.err" && break
        sleep 0.1
    done
    svp=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$tmp/serve.err")
    wait_dns "$up" h1.exact.bench && wait_dns "$rpzp" h1.exact.bench && wait_dns "$svp" h1.exact.bench ||
        { log "a server did not start"; cat "$tmp"/*.log "$tmp/serve.err" >&2; exit 1; }

    # the same answers from both (status, answer count, records)
    for q in h1.exact.bench x1.w1.bench n1.blocked1.bench w1.bench; do
        a=$(dig @127.0.0.1 -p "$svp" "$q" A | grep -E 'status:|^[a-z0-9].*IN' | sed 's/id: [0-9]*//')
        b=$(dig @127.0.0.1 -p "$rpzp" "$q" A | grep -E 'status:|^[a-z0-9].*IN' | sed 's/id: [0-9]*//')
        [ "$a" = "$b" ] || log "different answers for $q: dnsfw-serve [$a] unbound [$b]"
    done

    echo "### Allowlist of $n entries ($half exact names, $((n - half)) \"*.suffix\")"
    echo
    echo "| queries | dnsfw-serve QPS (CPU a query) | unbound (RPZ) QPS (CPU a query) | dnsfw-serve p50 / p99 ms | unbound p50 / p99 ms |"
    echo "|---|---:|---:|---:|---:|"
    for mix in blocked allowed mixed; do
        a=$(qps "$svp" "$tmp/$mix.txt" "$sv_pid")
        b=$(qps "$rpzp" "$tmp/$mix.txt" "$rpz_pid")
        la=$(latency "$svp" "$tmp/$mix.txt")
        lb=$(latency "$rpzp" "$tmp/$mix.txt")
        label=$mix
        [ "$mix" = mixed ] && label="50/50"
        [ "$mix" = allowed ] && label="allowed (dnsfw-serve forwards to unbound)"
        echo "| $label | $a | $b | $la | $lb |"
    done
    echo
    echo "RSS after the runs: dnsfw-serve $(rss "$sv_pid"), its upstream unbound $(rss "$up_pid"); unbound with RPZ $(rss "$rpz_pid")."
    echo
    echo "Reload under load ($RATE q/s of the 50/50 file, SIGHUP after 3 s of 10):"
    echo "dnsfw-serve: $(reload_cost "$svp" "$sv_pid" "$tmp/mixed.txt");"
    wait_dns "$svp" h1.exact.bench
    echo "unbound: $(reload_cost "$rpzp" "$rpz_pid" "$tmp/mixed.txt")."
    echo
    for p in $sv_pid $rpz_pid $up_pid; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    pids=""
done
