#!/usr/bin/env python3
"""Generate query logs and VPC Flow Logs with planted DNS bypasses, and the answer.

    gen_flows.py OUTDIR [SEED]

writes, under OUTDIR:
  query.jsonl            Route 53 Resolver query logs (aws-dns-firewall.md §8.1) with the
                         A/AAAA answers the flows are checked against
  AWSLogs/...            flow logs as VPC Flow Logs delivers them to S3
                         (AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/, gzip, a
                         header line per file): the default format (version 2), and a
                         custom version 5 format in another field order
  cwl/flows.log          records of a third custom format without a header line, as
                         CloudWatch Logs messages (read with --flow-format)
  cw-shapes/export.log, cw-shapes/filter-log-events.json, cw-shapes/firehose-object.gz
                         the same records as CloudWatch Logs carries them: export task
                         lines, filter-log-events output (two pages), and a Firehose
                         object of subscription payloads (with a control message)
  flow-format.txt        that format, as the flow log's LogFormat string
  scope-map.txt          instances, interfaces and addresses -> repositories
  expected.json          the planted bypasses (the direct_ip groups the join must report,
                         field for field) and the count of every outcome

The flows around the bypasses are the traffic that must not be reported: connections to
answered addresses (by any client, before or during the flow), the answering half of
connections made to a server, inbound halves, interface and gateway endpoints, the
instance metadata service and the Amazon DNS server, rejected flows, NODATA and SKIPDATA
records, a trusted CIDR, and a TCP connection that began before the window. Formats and
field semantics follow the VPC User Guide ("Flow log records", "Flow log record
examples"): tcp-flags SYN 2, SYN-ACK 18, FIN 1; flow-direction ingress/egress;
pkt-srcaddr/pkt-dstaddr for traffic through a NAT gateway.
"""
import gzip
import json
import os
import random
import sys

OUT = sys.argv[1]
R = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 14)
T0 = 1767225600  # 2026-01-01T00:00:00Z
ACCOUNT = "111122223333"
WINDOW = 3600  # the default --answer-window
TRUSTED = "198.51.100.0/24"

V2 = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
      "bytes start end action log-status").split()
V5 = ("version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr "
      "srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action "
      "tcp-flags log-status region az-id sublocation-type sublocation-id "
      "pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path").split()
CWL = "srcaddr dstaddr srcport dstport protocol start end action log-status interface-id " \
      "instance-id packets bytes".split()

OUTCOMES = ["nodata", "skipdata", "malformed", "rejected", "inbound", "not_public", "trusted",
            "replies", "resolved", "continued", "direct_ip"]
expected_counts = {k: 0 for k in OUTCOMES}
groups = {}  # (src, dst, port, proto) -> the group as the report must list it

# instances: address, instance id, interface id, repository
hosts = [("10.0.1.%d" % (10 + i), "i-0%015x" % (0xa000 + i), "eni-0%016x" % (0xb000 + i),
          "org/repo-%d" % (i % 3)) for i in range(12)]
server = ("10.0.2.5", "i-0server0000000001", "eni-0server000000001", "org/web")
nat = ("10.0.0.50", None, "eni-0nat0000000000001", None)


def iso(t):
    import datetime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


# --- the query logs: who was told which address, when ------------------------------------
queries = []


def answer(name, addrs, t, cname=None, host=None):
    h = host or R.choice(hosts)
    ans = []
    if cname:
        ans.append({"Rdata": cname, "Type": "CNAME", "Class": "IN"})
    for a in addrs:
        ans.append({"Rdata": a, "Type": "AAAA" if ":" in a else "A", "Class": "IN"})
    queries.append((t, {"version": "1.100000", "account_id": ACCOUNT, "region": "us-east-1",
                        "vpc_id": "vpc-0123456789abcdef0", "query_timestamp": iso(t),
                        "query_name": name, "query_type": "AAAA" if ":" in addrs[0] else "A",
                        "query_class": "IN", "rcode": "NOERROR", "answers": ans,
                        "srcaddr": h[0], "srcport": str(R.randrange(32768, 61000)),
                        "transport": "UDP", "srcids": {"instance": h[1]}}))


RESOLVED = {  # address -> the times an answer gave it
    "140.82.112.3": [T0 + 60 + k * 1800 for k in range(12)],     # github.com, all day
    "140.82.112.4": [T0 + 60 + k * 1800 for k in range(12)],
    "151.101.0.223": [T0 + 300, T0 + 4000],                       # via a CNAME chain
    "52.216.20.5": [T0 + 120],                                    # an S3 gateway endpoint
    "2606:4700::6810:1922": [T0 + 200, T0 + 5000],                # IPv6
    "104.16.1.1": [T0 + 30],                                      # once, early
}
for t in RESOLVED["140.82.112.3"]:
    answer("github.com.", ["140.82.112.3", "140.82.112.4"], t)
for t in RESOLVED["151.101.0.223"]:
    answer("files.pythonhosted.org.", ["151.101.0.223"], t,
           cname="dualstack.python.map.fastly.net.")
answer("my-bucket.s3.us-east-1.amazonaws.com.", ["52.216.20.5"], RESOLVED["52.216.20.5"][0])
for t in RESOLVED["2606:4700::6810:1922"]:
    answer("registry.npmjs.org.", ["2606:4700::6810:1922"], t)
answer("cdn.example.net.", ["104.16.1.1"], RESOLVED["104.16.1.1"][0])

# --- flow records ----------------------------------------------------------------------
files = {"v2a": [], "v2b": [], "v5": [], "cwl": []}


def flow(fmt_file, outcome, src, dst, sport, dport, proto, start, dur=60, packets=None,
         nbytes=None, action="ACCEPT", status="OK", flags=None, direction=None,
         host=None, pkt_src=None, pkt_dst=None, group=None):
    """One record; outcome is what the join must say; group the bypass it belongs to."""
    packets = packets if packets is not None else R.randrange(1, 50)
    nbytes = nbytes if nbytes is not None else packets * R.randrange(40, 1500)
    h = host or R.choice(hosts)
    rec = {"version": "5" if fmt_file == "v5" else "2", "account-id": ACCOUNT,
           "interface-id": h[2], "instance-id": h[1] or "-", "srcaddr": src, "dstaddr": dst,
           "srcport": str(sport), "dstport": str(dport), "protocol": str(proto),
           "packets": str(packets), "bytes": str(nbytes), "start": str(start),
           "end": str(start + dur), "action": action, "log-status": status,
           "vpc-id": "vpc-0123456789abcdef0", "subnet-id": "subnet-0123456789abcdef0",
           "type": "IPv6" if ":" in src else "IPv4", "pkt-srcaddr": pkt_src or src,
           "pkt-dstaddr": pkt_dst or dst, "tcp-flags": "-" if flags is None else str(flags),
           "region": "us-east-1", "az-id": "use1-az2", "sublocation-type": "-",
           "sublocation-id": "-", "pkt-src-aws-service": "-", "pkt-dst-aws-service": "-",
           "flow-direction": direction or "egress", "traffic-path": "8"}
    if status != "OK":
        for k in ["srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes",
                  "action", "instance-id", "pkt-srcaddr", "pkt-dstaddr", "tcp-flags", "type",
                  "flow-direction", "traffic-path"]:
            rec[k] = "-"
    files[fmt_file].append((start, rec))
    expected_counts[outcome] += 1
    if outcome != "direct_ip":
        assert group is None
        return
    key = (pkt_src or src, pkt_dst or dst, dport, proto)
    g = groups.setdefault(key, {
        "srcaddr": key[0], "dstaddr": key[1], "dstport": dport, "protocol": proto,
        "flows": 0, "packets": 0, "bytes": 0, "first_seen": start, "last_seen": start + dur,
        "interface_id": h[2], "instance_id": h[1] if fmt_file in ("v5", "cwl") else None,
        "repo": h[3], "planted": group})
    g["flows"] += 1
    g["packets"] += packets
    g["bytes"] += nbytes
    g["first_seen"] = min(g["first_seen"], start)
    g["last_seen"] = max(g["last_seen"], start + dur)


def when(lo, hi):
    return T0 + R.randrange(lo, hi)


def eph():
    return R.randrange(32768, 61000)


# resolved: to answered addresses, any client, within the window (the answer may come
# during the aggregation interval, after the flow's start)
for f in ["v2a", "v2b", "v5", "cwl"]:
    for _ in range(60):
        h = R.choice(hosts)
        dst = R.choice(["140.82.112.3", "140.82.112.4"])
        t = when(120, 6 * 3600)
        flow(f, "resolved", h[0], dst, eph(), 443, 6, t, host=h, flags=R.choice([2, 3, 0]) if
             f == "v5" else None)
    h = R.choice(hosts)
    flow(f, "resolved", h[0], "151.101.0.223", eph(), 443, 6, T0 + 300 + 3500, host=h,
         flags=3 if f == "v5" else None)
    flow(f, "resolved", h[0], "151.101.0.223", eph(), 443, 6, T0 + 250, host=h,  # answer inside
         flags=2 if f == "v5" else None)
    flow(f, "resolved", h[0], "52.216.20.5", eph(), 443, 6, T0 + 1000, host=h,   # S3 gateway
         flags=2 if f == "v5" else None)
v6host = ("2600:1f18:abcd:1200::13", hosts[3][1], hosts[3][2], hosts[3][3])
flow("v2a", "resolved", v6host[0], "2606:4700::6810:1922", eph(), 443, 6, T0 + 4990, host=v6host)

# replies: a server in the VPC answering public clients (the port rule, and SYN-ACK)
for f in ["v2a", "v2b", "v5", "cwl"]:
    for _ in range(20):
        client = "%d.%d.%d.%d" % (R.randrange(1, 223), R.randrange(256), R.randrange(256),
                                  R.randrange(1, 255))
        flow(f, "replies", server[0], client, 443, eph(), 6, when(0, 6 * 3600), host=server,
             flags=R.choice([18, 19]) if f == "v5" else None)
        # the inbound half: to a private address, or (version 5) marked ingress
        flow(f, "inbound" if f == "v5" else "not_public", client, server[0], eph(), 443, 6,
             when(0, 6 * 3600), host=server, flags=2 if f == "v5" else None,
             direction="ingress" if f == "v5" else None)

# inbound records: flow-direction ingress (v5), even to a public address
for _ in range(10):
    h = R.choice(hosts)
    flow("v5", "inbound", "203.0.113.77", h[0], 443, eph(), 6, when(0, 3600), host=h, flags=18,
         direction="ingress")

# endpoints and link-local services: interface endpoints, Amazon DNS, IMDS, NTP
for f in ["v2a", "v5", "cwl"]:
    for dst, port, proto in [("10.0.3.15", 443, 6), ("10.0.3.16", 443, 6), ("10.0.0.2", 53, 17),
                             ("169.254.169.253", 53, 17), ("169.254.169.254", 80, 6),
                             ("169.254.169.123", 123, 17), ("100.64.1.9", 443, 6),
                             ("fd00:ec2::254", 80, 6), ("224.0.0.251", 5353, 17)]:
        h = R.choice(hosts)
        src = "2600:1f18:abcd:1200::%d" % R.randrange(2, 99) if ":" in dst else h[0]
        flow(f, "not_public", src, dst, eph(), port, proto, when(0, 6 * 3600), host=h,
             flags=2 if f == "v5" and proto == 6 else None)

# rejected: connections the security group refused, to addresses no answer gave
for f in ["v2a", "v2b", "v5"]:
    for _ in range(10):
        h = R.choice(hosts)
        flow(f, "rejected", h[0], "45.33.32.%d" % R.randrange(1, 255), eph(), 22, 6,
             when(0, 6 * 3600), action="REJECT", host=h, flags=2 if f == "v5" else None)

# NODATA and SKIPDATA
for f in ["v2a", "v2b", "v5"]:
    for status in ["NODATA", "SKIPDATA"]:
        flow(f, status.lower(), "-", "-", 0, 0, 0, when(0, 6 * 3600), status=status)

# trusted: an address range the operator vouches for (--trusted-cidr)
for _ in range(5):
    h = R.choice(hosts)
    flow("v2b", "trusted", h[0], "198.51.100.%d" % R.randrange(1, 255), eph(), 443, 6,
         when(0, 6 * 3600), host=h)

# continued: a TCP connection opened before this record (no SYN), to an address answered
# three hours earlier
h = hosts[5]
flow("v5", "continued", h[0], "104.16.1.1", 50505, 443, 6, T0 + 3 * 3600, flags=0, host=h)
flow("v5", "continued", h[0], "104.16.1.1", 50505, 443, 6, T0 + 3 * 3600 + 60, flags=1, host=h)

# --- the planted bypasses ------------------------------------------------------------------
# a: HTTPS to an address no answer gave, several records over the day
h = hosts[1]
for k in range(4):
    flow("v2a" if k % 2 else "v2b", "direct_ip", h[0], "1.2.3.4", eph(), 443, 6,
         T0 + 1000 + k * 2000, host=h, group="a")
# b: DNS to a public resolver (around the firewall)
h = hosts[2]
for k in range(3):
    flow("v2a", "direct_ip", h[0], "8.8.8.8", eph(), 53, 17, T0 + 700 + k * 300, host=h,
         group="b")
# c: IPv6, to an address from the documentation range, port 8443
flow("v2b", "direct_ip", v6host[0], "2001:db8:ffff::1", eph(), 8443, 6, T0 + 3000, host=v6host,
     group="c")
# d: through a NAT gateway: the gateway's interface, the instance's packet-level address
flow("v5", "direct_ip", nat[0], "203.0.113.50", eph(), 443, 6, T0 + 2000, host=nat,
     pkt_src=hosts[4][0], pkt_dst="203.0.113.50", flags=3, group="d")
groups[(hosts[4][0], "203.0.113.50", 443, 6)]["repo"] = hosts[4][3]  # by address
# e: a new connection (SYN) to an address answered three hours before: outside the window
flow("v5", "direct_ip", hosts[6][0], "104.16.1.1", eph(), 443, 6, T0 + 3 * 3600 + 10, flags=2,
     host=hosts[6], group="e")
# f: read from the CloudWatch-style file with the given format
for k in range(2):
    flow("cwl", "direct_ip", hosts[7][0], "93.184.216.34", eph(), 80, 6, T0 + 5000 + k * 70,
         host=hosts[7], group="f")
# g: ICMP to an address by number
flow("v2a", "direct_ip", hosts[8][0], "9.9.9.9", 0, 0, 1, T0 + 6000, host=hosts[8], group="g")
# h: a reply-looking port pair that is not one: a high source port below the destination
flow("v2b", "direct_ip", hosts[9][0], "185.199.110.9", 40000, 50000, 6, T0 + 6100,
     host=hosts[9], group="h")

# --- writing ---------------------------------------------------------------------------------


def line(fields, rec):
    return " ".join(rec[k] for k in fields)


os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "query.jsonl"), "w") as q:
    for _, rec in sorted(queries, key=lambda x: x[0]):
        q.write(json.dumps(rec, separators=(",", ":")) + "\n")
tree = os.path.join(OUT, "AWSLogs", ACCOUNT, "vpcflowlogs", "us-east-1", "2026", "01", "01")
os.makedirs(tree, exist_ok=True)
for name, fields in [("v2a", V2), ("v2b", V2), ("v5", V5)]:
    recs = sorted(files[name], key=lambda x: x[0])
    body = " ".join(fields) + "\n" + "".join(line(fields, r) + "\n" for _, r in recs)
    fname = "%s_vpcflowlogs_us-east-1_fl-0%s_20260101T%s_%08x.log" % (
        ACCOUNT, "123456789abcdef", {"v2a": "0005Z", "v2b": "0105Z", "v5": "0205Z"}[name],
        R.getrandbits(32))
    if name == "v5":  # plain text, as a file copied out of the bucket and unpacked
        with open(os.path.join(tree, fname), "w") as f:
            f.write(body)
    else:
        with gzip.open(os.path.join(tree, fname + ".gz"), "wt") as f:
            f.write(body)
os.makedirs(os.path.join(OUT, "cwl"), exist_ok=True)
with open(os.path.join(OUT, "cwl", "flows.log"), "w") as f:
    for _, r in sorted(files["cwl"], key=lambda x: x[0]):
        f.write(line(CWL, r) + "\n")
# The same records in the CloudWatch Logs shapes (docs/logs.md): the flow log's log group
# has a stream per interface; an event's timestamp is the record's start.
os.makedirs(os.path.join(OUT, "cw-shapes"), exist_ok=True)
cw_events = []
for k, (_, r) in enumerate(sorted(files["cwl"], key=lambda x: x[0])):
    cw_events.append({"logStreamName": "%s-all" % (r.get("interface-id") or "eni-unknown"),
                      "timestamp": int(r["start"]) * 1000, "message": line(CWL, r),
                      "ingestionTime": int(r["start"]) * 1000 + 60000,
                      "eventId": "%056d" % (k + 1)})
with open(os.path.join(OUT, "cw-shapes", "export.log"), "w") as f:  # an export task's lines
    for ev in cw_events:
        t = ev["timestamp"] // 1000
        f.write("%s.%03dZ %s\n" % (iso(t)[:-1], ev["timestamp"] % 1000, ev["message"]))
with open(os.path.join(OUT, "cw-shapes", "filter-log-events.json"), "w") as f:  # two pages
    half = len(cw_events) // 2
    for page, evs in enumerate([cw_events[:half], cw_events[half:]]):
        doc = {"events": evs, "searchedLogStreams": []}
        if page == 0:
            doc["nextToken"] = "Bxkq6kVGFtq2y_MoigeqscPOdhXVbhiVtLoAmXb5jCrI7fXDrEA"
        f.write(json.dumps(doc, indent=4) + "\n")
payloads = [{"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs",
             "logGroup": "", "logStream": "", "subscriptionFilters": [],
             "logEvents": [{"id": "", "timestamp": T0 * 1000,
                            "message": "CWL CONTROL MESSAGE: Checking health of destination "
                                       "Firehose."}]}]
for k in range(0, len(cw_events), 7):
    payloads.append({"messageType": "DATA_MESSAGE", "owner": ACCOUNT,
                     "logGroup": "/vpc/flow-logs", "logStream": cw_events[k]["logStreamName"],
                     "subscriptionFilters": ["to-firehose"],
                     "logEvents": [{"id": ev["eventId"], "timestamp": ev["timestamp"],
                                    "message": ev["message"]} for ev in cw_events[k:k + 7]]})
# a Firehose object: gzip payloads back to back, compressed again by the delivery stream
inner = b"".join(gzip.compress(json.dumps(p, separators=(",", ":")).encode()) for p in payloads)
with open(os.path.join(OUT, "cw-shapes", "firehose-object.gz"), "wb") as f:
    f.write(gzip.compress(inner))
with open(os.path.join(OUT, "flow-format.txt"), "w") as f:
    f.write(" ".join("${%s}" % k for k in CWL))
with open(os.path.join(OUT, "scope-map.txt"), "w") as f:
    for h in hosts:  # instances, and their interfaces (the default format has no instance)
        if h[0] != hosts[4][0]:
            f.write("%s %s\n%s %s\n" % (h[1], h[3], h[2], h[3]))
    f.write("%s %s\n" % (hosts[4][0], hosts[4][3]))  # behind the NAT gateway: by address
    f.write("%s %s\n" % (server[1], server[3]))
for g in groups.values():
    before = [t for t in RESOLVED.get(g["dstaddr"], []) if t <= g["first_seen"]]
    g["answered_before"] = iso(max(before)) if before else None
    g["first_seen"], g["last_seen"] = iso(g["first_seen"]), iso(g["last_seen"])
with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump({"direct_ip": sorted(groups.values(), key=lambda g: g["planted"]),
               "by_outcome": expected_counts, "trusted": TRUSTED, "window": WINDOW}, f,
              indent=1)
