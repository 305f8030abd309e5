#!/usr/bin/env python3
"""Write query logs of data carried in names, for the exfiltration heuristics' tests.

    gen_threats.py OUT.jsonl

Four channels, each from its own client, in Route 53 Resolver query-log records:
  hex.exfil-a.example     a slow channel: 60 names of hex-encoded data in A queries over an
                          hour (the classic "chunk.id.domain" exfiltration)
  t.exfil-b.example       a fast base32 TXT tunnel: 400 names in two minutes
  (DGA)                   a client looking up 50 random-looking .com/.net/.info domains,
                          nearly all NXDOMAIN
  (dictionary DGA)        a client looking up 40 domains made of words, all NXDOMAIN
The tests expect exactly these flagged (docs/egress.md), mixed into the benign log.
"""
import base64
import json
import random
import sys

R = random.Random(7)
T0 = 1767232800  # 2026-01-01T02:00:00Z
WORDS = ["apple", "river", "stone", "garden", "silver", "window", "forest", "candle", "market",
         "winter", "yellow", "pocket", "button", "ladder", "mirror", "harbor", "meadow", "orange",
         "planet", "rocket", "saddle", "timber", "velvet", "wander", "basket", "copper", "dragon"]
out = open(sys.argv[1], "w")


def rec(t, name, qtype, rcode, client, answers=()):
    out.write(json.dumps({
        "version": "1.100000", "account_id": "111122223333", "region": "us-east-1",
        "vpc_id": "vpc-0a1b2c3d4e5f60718",
        "query_timestamp": "2026-01-01T%02d:%02d:%02dZ" % ((t - 1767225600) // 3600,
                                                        (t - 1767225600) % 3600 // 60,
                                                        (t - 1767225600) % 60),
        "query_name": name, "query_type": qtype, "query_class": "IN", "rcode": rcode,
        "answers": list(answers), "srcaddr": client, "srcport": str(R.randrange(32768, 61000)),
        "transport": "UDP", "srcids": {"instance": "i-0threat" + client.replace(".", "")}},
        separators=(",", ":")) + "\n")


# the slow hex channel: a sequence number, a 48-hex-digit chunk, a session id
secret = bytes(R.randrange(256) for _ in range(60 * 24))
for i in range(60):
    chunk = secret[i * 24:(i + 1) * 24].hex()
    rec(T0 + i * 60, "%d.%s.s7f3a.hex.exfil-a.example." % (i, chunk), "A", "NOERROR",
        "10.0.9.1", [{"Rdata": "192.0.2.1", "Type": "A", "Class": "IN"}])

# the fast base32 TXT tunnel: labels of up to 63 characters
data = bytes(R.randrange(256) for _ in range(400 * 60))
for i in range(400):
    enc = base64.b32encode(data[i * 60:(i + 1) * 60]).decode().rstrip("=").lower()
    labels = [enc[j:j + 63] for j in range(0, len(enc), 63)]
    rec(T0 + 3600 + i * 120 // 400, "%s.%04x.t.exfil-b.example." % (".".join(labels), i), "TXT",
        "NOERROR", "10.0.9.2", [{"Rdata": "\"%s\"" % base64.b32encode(bytes(8)).decode(),
                                 "Type": "TXT", "Class": "IN"}])

# a DGA: random-looking registrable domains, nearly all NXDOMAIN
for i in range(50):
    label = "".join(R.choice("bcdfghjklmnpqrstvwxz0123456789") for _ in range(R.randrange(10, 18)))
    tld = R.choice(["com", "net", "info"])
    rcode = "NOERROR" if i % 25 == 0 else "NXDOMAIN"
    rec(T0 + 7200 + i * 5, "%s.%s." % (label, tld), "A", rcode, "10.0.9.3",
        [{"Rdata": "198.51.100.%d" % i, "Type": "A", "Class": "IN"}] if rcode == "NOERROR" else [])

# a dictionary DGA: domains made of words, all NXDOMAIN
for i in range(40):
    label = "".join(R.sample(WORDS, 2))
    rec(T0 + 7800 + i * 5, "%s.net." % label, "A", "NXDOMAIN", "10.0.9.4")
