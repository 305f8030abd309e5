#!/usr/bin/python3
"""Write a large general-form policy for the dnsfw-lint benchmark: ENTRIES specs over
four lists (exact names, wildcards over registrable domains, a few over private-section
public suffixes, entries shadowed by earlier wildcards, duplicates), two rule groups with
an ALLOW, a query-type rule and a catch-all, written over several lines as people do.

usage: gen_lint_policy.py ENTRIES OUTPUT [messy|clean] [SEED]

messy (the default): entries drawn over ENTRIES/8 domains, so many overlap (tens of
thousands of findings); clean: one domain an entry, as a curated list is, with a few
broad wildcards (a few findings).
"""
import json
import random
import sys

entries, out = int(sys.argv[1]), sys.argv[2]
clean = len(sys.argv) > 3 and sys.argv[3] == "clean"
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
letters = "abcdefghijklmnopqrstuvwxyz0123456789"
tlds = ["com", "net", "org", "io", "dev", "co.uk", "cloud"]


def label(lo=3, hi=12):
    return "".join(rng.choice(letters) for _ in range(rng.randint(lo, hi)))


domains = ["%s.%s" % (label(4, 14), rng.choice(tlds))
           for _ in range(entries if clean else entries // 8 + 1)]
lists = {"allow": [], "tools": [], "v6": [], "all": ["*"]}
names = ["allow", "tools", "v6"]
for i in range(entries - 1):
    d = domains[i] if clean else rng.choice(domains)
    r = rng.random()
    if clean and 0.95 <= r < 0.97 and i > 10:
        r = 0.5 # the broad wildcards once each, below
    if r < 0.55:
        spec = "%s.%s" % (label(), d)
    elif r < 0.80:
        spec = "*.%s" % d
    elif r < 0.95:
        spec = "%s.%s.%s" % (label(), label(), d)
    elif r < 0.97:
        spec = rng.choice(["*.github.io", "*.amazonaws.com", "*.s3.amazonaws.com", "*.herokuapp.com"])
    else:
        spec = d
    lists[names[rng.randrange(3)] if i % 10 else "tools"].append(spec)
if clean:
    lists["tools"][:4] = ["*.github.io", "*.amazonaws.com", "*.s3.amazonaws.com", "*.herokuapp.com"]
policy = {
    "dnsfw": 1,
    "fail_open": False,
    "domain_lists": lists,
    "rule_groups": [
        {"name": "egress", "priority": 101, "rules": [
            {"name": "allow", "priority": 100, "action": "ALLOW", "domain_list": "allow"},
            {"name": "v6-off", "priority": 150, "action": "BLOCK", "domain_list": "v6",
             "qtype": "AAAA", "block_response": "NODATA"},
            {"name": "tools", "priority": 200, "action": "ALLOW", "domain_list": "tools"}]},
        {"name": "rest", "priority": 9000, "rules": [
            {"name": "block", "priority": 1, "action": "BLOCK", "domain_list": "all",
             "block_response": "NODATA"}]},
    ],
}
with open(out, "w") as f:
    json.dump(policy, f, indent=1)
    f.write("\n")
