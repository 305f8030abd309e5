#!/usr/bin/env python3
"""Raw DNS clients and a slow upstream for test_hardening.sh (loopback only).

  dns_probe.py size PORT NAME QTYPE EDNS     one UDP query with EDNS payload size EDNS (0:
                                             no OPT); prints len=, tc=, an=, rcode=
  dns_probe.py ask PORT SRC NAME [tcp]       one query from SRC; prints rcode= an= or
                                             "none" (no answer within 4 s) or "closed"
  dns_probe.py burst PORT SRC N NAME         N UDP queries from SRC at once; prints how
                                             many answers came back plain and with TC
  dns_probe.py flood PORT SRC N              N UDP queries from SRC for distinct names
                                             under allowed.test, not waiting for answers
  dns_probe.py sequence PORT N               N UDP queries one after the other (answers
                                             awaited); prints answered=
  dns_probe.py slowloris PORT SRC CONNS SECS CONNS TCP connections from SRC that send
                                             one octet every 0.2 s of a query that never
                                             ends, for SECS, and one more connection from
                                             SRC; prints how many the server closed, by
                                             when, and whether it closed the extra one
  dns_probe.py upstream DELAY                a UDP upstream on 127.0.0.1 that answers
                                             every query after DELAY seconds; prints its
                                             port first
"""
import heapq
import select
import socket
import struct
import sys
import time


def query(qid, name, qtype=1, edns=0):
    flags = 0x0100  # RD
    msg = struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 1 if edns else 0)
    for label in name.rstrip(".").split("."):
        msg += bytes([len(label)]) + label.encode()
    msg += b"\0" + struct.pack("!HH", qtype, 1)
    if edns:
        msg += b"\0" + struct.pack("!HHIH", 41, edns, 0, 0)
    return msg


def udp(src="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    return s


def describe(r):
    return "rcode=%d an=%d tc=%d" % (r[3] & 15, struct.unpack("!H", r[6:8])[0], (r[2] >> 1) & 1)


def cmd_size(port, name, qtype, edns):
    s = udp()
    s.settimeout(5)
    s.sendto(query(0x4242, name, int(qtype), int(edns)), ("127.0.0.1", port))
    r = s.recv(65535)
    print("len=%d %s" % (len(r), describe(r)))


def cmd_ask(port, src, name, tcp=""):
    q = query(0x1717, name)
    try:
        if tcp:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((src, 0))
            s.settimeout(4)
            s.connect(("127.0.0.1", port))
            s.sendall(struct.pack("!H", len(q)) + q)
            head = s.recv(2, socket.MSG_WAITALL)
            if len(head) < 2:
                print("closed")
                return
            r = s.recv(struct.unpack("!H", head)[0], socket.MSG_WAITALL)
        else:
            s = udp(src)
            s.settimeout(4)
            s.sendto(q, ("127.0.0.1", port))
            r = s.recv(65535)
        print(describe(r))
    except socket.timeout:
        print("none")
    except (ConnectionResetError, BrokenPipeError):
        print("closed")


def cmd_burst(port, src, n, name):
    s = udp(src)
    for i in range(n):
        s.sendto(query(i, name), ("127.0.0.1", port))
    plain = tc = 0
    end = time.time() + 1.0
    while time.time() < end:
        ready, _, _ = select.select([s], [], [], 0.2)
        if not ready:
            continue
        r = s.recv(65535)
        if r[2] & 0x02:
            tc += 1
        else:
            plain += 1
    print("plain=%d tc=%d" % (plain, tc))


def cmd_flood(port, src, n):
    s = udp(src)
    for i in range(n):
        s.sendto(query(i, "q%d.allowed.test" % i), ("127.0.0.1", port))
    print("sent=%d" % n)


def cmd_sequence(port, n):
    s = udp()
    s.settimeout(3)
    answered = 0
    for i in range(n):
        s.sendto(query(i, "n%d.allowed.test" % (i % 50) if i % 2 else "nothing.test"),
                 ("127.0.0.1", port))
        try:
            s.recv(65535)
            answered += 1
        except socket.timeout:
            pass
    print("answered=%d" % answered)


def cmd_slowloris(port, src, conns, secs):
    socks = []
    for _ in range(conns):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((src, 0))
        s.connect(("127.0.0.1", port))
        s.sendall(b"\x00\x40")  # a 64-octet query is announced, and never completed
        socks.append(s)
    # one connection more from the same client: over its share, closed at once
    extra = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    extra.bind((src, 0))
    extra.connect(("127.0.0.1", port))
    extra.settimeout(0.5)
    try:
        more = "closed" if extra.recv(1) == b"" else "data"
    except socket.timeout:
        more = "open"
    except ConnectionResetError:
        more = "closed"
    start = time.time()
    closed = {}
    while time.time() - start < secs and len(closed) < conns:
        time.sleep(0.2)
        for i, s in enumerate(socks):
            if i in closed:
                continue
            try:
                s.sendall(b"\x00")
                ready, _, _ = select.select([s], [], [], 0)
                if ready and s.recv(1) == b"":
                    closed[i] = time.time() - start
            except OSError:
                closed[i] = time.time() - start
    print("closed=%d/%d within=%.1f extra=%s" % (len(closed), conns, max(closed.values(), default=-1), more))


def cmd_upstream(delay):
    s = udp()
    print(s.getsockname()[1], flush=True)
    due = []  # (time, seq, reply, addr)
    seq = 0
    while True:
        timeout = max(0.0, due[0][0] - time.time()) if due else None
        ready, _, _ = select.select([s], [], [], timeout)
        if ready:
            q, addr = s.recvfrom(65535)
            if len(q) < 12:
                continue
            end = 12
            while q[end]:
                end += 1 + q[end]
            end += 5  # the root label, type and class
            reply = bytearray(q[:end])
            reply[2] |= 0x80  # QR
            reply[3] = 0x80  # RA, NOERROR
            reply[6:12] = struct.pack("!HHH", 1, 0, 0)
            reply += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 7])
            seq += 1
            heapq.heappush(due, (time.time() + delay, seq, bytes(reply), addr))
        while due and due[0][0] <= time.time():
            _, _, reply, addr = heapq.heappop(due)
            s.sendto(reply, addr)


def main():
    a = sys.argv[1:]
    what = a[0]
    if what == "size":
        cmd_size(int(a[1]), a[2], a[3], a[4])
    elif what == "ask":
        cmd_ask(int(a[1]), a[2], a[3], a[4] if len(a) > 4 else "")
    elif what == "burst":
        cmd_burst(int(a[1]), a[2], int(a[3]), a[4])
    elif what == "flood":
        cmd_flood(int(a[1]), a[2], int(a[3]))
    elif what == "sequence":
        cmd_sequence(int(a[1]), int(a[2]))
    elif what == "slowloris":
        cmd_slowloris(int(a[1]), a[2], int(a[3]), float(a[4]))
    elif what == "upstream":
        cmd_upstream(float(a[1]))
    else:
        sys.exit("unknown command " + what)


if __name__ == "__main__":
    main()
