#!/usr/bin/python3
"""Write the egress benchmark's inputs: Route 53 query logs whose answers give ADDRESSES
distinct addresses, and VPC Flow Logs (default format, with its header) whose accepted
outbound flows go to an address a query answered up to half an hour before (99 %) or to
an address no answer gave (1 %). Both span one day in time order, as the logs are delivered.

usage: gen_egress_bench.py QUERIES FLOWS ADDRESSES QUERY_OUT FLOW_OUT [SEED]
"""
import array
import random
import sys

queries, flows, n_addr = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
q_out, f_out = sys.argv[4], sys.argv[5]
rng = random.Random(int(sys.argv[6]) if len(sys.argv) > 6 else 1)
T0, DAY = 1767225600, 86400


def addr(i):
    # public addresses, i-th of the answered set (52.0.0.0/8 and up)
    return "%d.%d.%d.%d" % (52 + (i >> 24), (i >> 16) & 255, (i >> 8) & 255, i & 255)


names = ["svc%d.example%d.com." % (k, k % 97) for k in range(50000)]
answered = array.array("I", bytes(4 * queries))  # the address each query record gave
with open(q_out, "w") as f:
    for i in range(queries):
        t = T0 + i * DAY // queries
        a = i % n_addr if i < n_addr else rng.randrange(n_addr)  # every address at least once
        answered[i] = a
        hh, mm, ss = (t - T0) // 3600, (t - T0) % 3600 // 60, (t - T0) % 60
        f.write('{"version":"1.100000","account_id":"111122223333","region":"us-east-1",'
                '"vpc_id":"vpc-0a1b2c3d4e5f67890","query_timestamp":"2026-01-01T%02d:%02d:%02dZ",'
                '"query_name":"%s","query_type":"A","query_class":"IN","rcode":"NOERROR",'
                '"answers":[{"Rdata":"%s","Type":"A","Class":"IN"},{"Rdata":"%s","Type":"A",'
                '"Class":"IN"}],"srcaddr":"10.0.%d.%d","srcport":"%d","transport":"UDP",'
                '"srcids":{"instance":"i-0%015x"}}\n'
                % (hh, mm, ss, names[a % len(names)], addr(a), addr((a + 1) % n_addr),
                   rng.randrange(4), rng.randrange(1, 255), rng.randrange(1024, 65536),
                   rng.randrange(64)))
with open(f_out, "w") as f:
    f.write("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
            "bytes start end action log-status\n")
    for i in range(flows):
        t = T0 + i * DAY // flows
        if rng.random() < 0.01:
            dst = "198.18.%d.%d" % (rng.randrange(256), rng.randrange(1, 255))  # never answered
        else:  # an address a query answered up to half an hour before
            q = i * queries // flows - rng.randrange(queries * 1800 // DAY + 1)
            dst = addr(answered[max(q, 0)])
        f.write("2 111122223333 eni-0%016x 10.0.%d.%d %s %d 443 6 %d %d %d %d ACCEPT OK\n"
                % (rng.randrange(64), rng.randrange(4), rng.randrange(1, 255), dst,
                   rng.randrange(32768, 61000), rng.randrange(1, 100), rng.randrange(60, 150000),
                   t, t + 60))
