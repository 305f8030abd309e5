#!/bin/bash
# Shared by the dnsfw-serve integration tests (test_serve.sh, test_hardening.sh), which
# source it after setting SERVE (the dnsfw-serve binary), DATA (tests/serve/data) and
# NEED (the programs they need). It checks the programs, makes a scratch directory,
# defines the TAP helpers (ok, not_ok, expect, refute, same), starts unbound on a random
# high port of 127.0.0.1 (UB_PORT) and defines start_serve / stop_serve and the dig,
# kdig and drill shorthands D, K and R. Every process is stopped by PID at exit.
# shellcheck shell=bash
for tool in $NEED; do
    if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
        echo "1..1"
        echo "not ok 1 - $tool is not installed (scripts/install-deps.sh installs it)"
        exit 1
    fi
done
UNBOUND=$(command -v unbound || echo /usr/sbin/unbound)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dnsfw-serve-test.XXXXXX") || exit 99
pids=""
mounts="" # file systems a test mounted under $tmp, unmounted at exit
cleanup() {
    for p in $pids; do
        kill "$p" 2>/dev/null
    done
    for p in $pids; do
        wait "$p" 2>/dev/null
    done
    for m in $mounts; do
        umount "$m" 2>/dev/null
    done
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
    for line in "$@"; do
        printf '%s\n' "$line" | sed 's/^/#   /'
    done
}
# expect DESCRIPTION TEXT PATTERN...: every extended regex PATTERN matches a line of TEXT.
expect() {
    local desc=$1 text=$2 missing=""
    shift 2
    for pat in "$@"; do
        printf '%s\n' "$text" | grep -Eq -e "$pat" || missing="$missing [$pat]"
    done
    if [ -z "$missing" ]; then
        ok "$desc"
    else
        not_ok "$desc" "missing:$missing" "$text"
    fi
}
# refute DESCRIPTION TEXT PATTERN: no line of TEXT matches.
refute() {
    if printf '%s\n' "$2" | grep -Eq -e "$3"; then
        not_ok "$1" "unexpected [$3]" "$2"
    else
        ok "$1"
    fi
}
same() {
    if [ "$2" = "$3" ]; then
        ok "$1"
    else
        not_ok "$1" "got:      $2" "expected: $3"
    fi
}

# --- unbound, the upstream -------------------------------------------------------------

cp "$DATA/test.zone" "$tmp/test.zone"
start_unbound() {
    local port=$1
    cat >"$tmp/unbound.conf" <<EOF
server:
    interface: 127.0.0.1
    port: $port
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
    local-zone: "test." nodefault
    module-config: "iterator"
auth-zone:
    name: "test."
    zonefile: "$tmp/test.zone"
    for-downstream: yes
    for-upstream: yes
    fallback-enabled: no
remote-control:
    control-enable: no
EOF
    "$UNBOUND" -d -c "$tmp/unbound.conf" >"$tmp/unbound.log" 2>&1 &
    UB_PID=$!
    for _ in $(seq 1 50); do
        if dig @127.0.0.1 -p "$port" +tries=1 +time=1 allowed.test A +short 2>/dev/null |
            grep -q 192.0.2.1; then
            pids="$pids $UB_PID"
            return 0
        fi
        kill -0 "$UB_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill "$UB_PID" 2>/dev/null
    wait "$UB_PID" 2>/dev/null
    return 1
}
UB_PORT=""
for _ in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 40000))
    if start_unbound "$port"; then
        UB_PORT=$port
        break
    fi
done
if [ -z "$UB_PORT" ]; then
    echo "Bail out! cannot start unbound: $(cat "$tmp/unbound.log")"
    exit 1
fi

# --- dnsfw-serve --------------------------------------------------------------------------

# start_serve NAME ARGS...: start dnsfw-serve on 127.0.0.1:0 (and [::1]:0 when IPv6
# works); sets SV_PID, SV_PORT (IPv4), SV_PORT6 (IPv6 or empty) and SV_ERR (stderr file).
HAVE_V6=0
"$PY" -c 'import socket; s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))' \
    2>/dev/null && HAVE_V6=1
start_serve() {
    local name=$1
    shift
    local v6=()
    [ "$HAVE_V6" = 1 ] && v6=(--listen "[::1]:0")
    SV_ERR=$tmp/$name.err
    "$SERVE" --listen 127.0.0.1:0 "${v6[@]}" "$@" >"$tmp/$name.out" 2>"$SV_ERR" &
    SV_PID=$!
    pids="$pids $SV_PID"
    SV_PORT=""
    SV_PORT6=""
    for _ in $(seq 1 100); do
        SV_PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$SV_ERR" | head -1)
        SV_PORT6=$(sed -n 's/.*listening on \[::1\]:\([0-9]*\) .*/\1/p' "$SV_ERR" | head -1)
        if [ -n "$SV_PORT" ] && { [ "$HAVE_V6" = 0 ] || [ -n "$SV_PORT6" ]; }; then
            return 0
        fi
        kill -0 "$SV_PID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
# stop_serve: SIGTERM, wait; sets SV_STATUS.
stop_serve() {
    kill -TERM "$SV_PID"
    wait "$SV_PID"
    SV_STATUS=$?
}

D() { dig @127.0.0.1 -p "$SV_PORT" +tries=1 +time=5 "$@" 2>&1; }
K() { kdig @127.0.0.1 -p "$SV_PORT" +retry=0 +time=5 "$@" 2>&1; }
R() { drill -p "$SV_PORT" "$@" @127.0.0.1 2>&1; }

