#!/usr/bin/python3
"""Write a synthetic Route 53 Resolver query log (one JSON record a line) for the
replay benchmark: agent-like traffic, half to the platform baseline, half to a long
tail of 5,000 other domains drawn with a Zipf law (a few popular, most rare), some
with CNAME chains, with the fields and order AWS writes.

usage: gen_route53_log.py RECORDS OUTPUT [SEED]
"""
import bisect
import itertools
import json
import random
import sys

records, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)

baseline = ["github.com", "api.github.com", "codeload.github.com",
            "objects.githubusercontent.com", "registry.npmjs.org", "pypi.org",
            "files.pythonhosted.org", "sts.us-east-1.amazonaws.com",
            "bedrock-runtime.us-east-1.amazonaws.com", "logs.us-east-1.amazonaws.com"]
tlds = ["com", "net", "org", "io", "dev", "co.uk", "cloud", "ai"]
letters = "abcdefghijklmnopqrstuvwxyz0123456789"
domains = ["%s.%s" % ("".join(rng.choice(letters) for _ in range(rng.randint(4, 14))),
                      rng.choice(tlds)) for _ in range(5000)]
prefixes = ["", "www.", "api.", "cdn.", "static.", "download."]
zipf = list(itertools.accumulate(1.0 / (k ** 1.1) for k in range(1, len(domains) + 1)))


def tail_domain():
    return domains[bisect.bisect(zipf, rng.random() * zipf[-1])]

types = ["A", "A", "AAAA", "AAAA", "HTTPS", "TXT"]
cdn = ["dualstack.python.map.fastly.net.", "d1a2b3c4.cloudfront.net.", "e1234.a.akamaiedge.net."]

with open(out, "w") as f:
    for i in range(records):
        tail = rng.random() < 0.5
        name = (rng.choice(prefixes) + tail_domain()) if tail else rng.choice(baseline)
        answers = []
        if rng.random() < 0.15:
            answers.append({"Rdata": rng.choice(cdn), "Type": "CNAME", "Class": "IN"})
        answers.append({"Rdata": "192.0.2.%d" % rng.randint(1, 254), "Type": "A", "Class": "IN"})
        rec = {
            "version": "1.100000", "account_id": "111122223333", "region": "us-east-1",
            "vpc_id": "vpc-0a1b2c3d4e5f67890",
            "query_timestamp": "2026-11-%02dT%02d:%02d:%02dZ" % (
                14 + i * 14 // records, rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)),
            "query_name": name + ".", "query_type": rng.choice(types), "query_class": "IN",
            "rcode": "NOERROR", "answers": answers,
            "srcaddr": "10.0.%d.%d" % (rng.randint(0, 3), rng.randint(1, 254)),
            "srcport": str(rng.randint(1024, 65535)), "transport": "UDP",
            "srcids": {"instance": "i-0%015x" % rng.randint(0, 40)},
        }
        if tail:
            rec["firewall_rule_group_id"] = "rslvr-frg-0123456789abcdef"
            rec["firewall_rule_action"] = "ALERT"
            rec["firewall_domain_list_id"] = "rslvr-fdl-0123456789abcdef"
        f.write(json.dumps(rec, separators=(",", ":")) + "\n")
