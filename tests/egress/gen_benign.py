#!/usr/bin/env python3
"""Write the benign query log of the egress tests (tests/data/egress/benign.jsonl.gz).

A day of Route 53 Resolver query logs (aws-dns-firewall.md §8.1 format) from a VPC of
coding agents, made of the busy but benign patterns the exfiltration heuristics must not
flag (docs/egress.md, "What is not flagged"): CloudFront distributions, S3 buckets in
every addressing style, AWS regional, FIPS, dualstack and VPC endpoint names, EKS and
IoT endpoints with random ids, Akamai and Google video edges, Azure storage accounts,
API Gateway ids, Kubernetes and EC2 search-domain expansions answered NXDOMAIN, reverse
lookups (in-addr.arpa and ip6.arpa), mail and verification TXT/MX lookups, browser
probes of random single labels, and random-looking but registered domains. The output
is deterministic (a fixed seed); the committed file is what this script writes:

    tests/egress/gen_benign.py | gzip -n -9 > tests/data/egress/benign.jsonl.gz
"""
import json
import random
import sys

R = random.Random(14)
START = 1767225600  # 2026-01-01T00:00:00Z
DAY = 86400
REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1",
           "ap-southeast-2", "ap-northeast-1", "sa-east-1"]
SERVICES = ["sts", "ec2", "s3", "logs", "monitoring", "ssm", "ssmmessages", "ec2messages",
            "kms", "secretsmanager", "ecr", "api.ecr", "ecs", "lambda", "dynamodb", "sqs",
            "sns", "events", "states", "codeartifact", "codecommit", "bedrock-runtime",
            "cloudformation", "elasticloadbalancing", "autoscaling", "athena", "glue",
            "kinesis", "firehose", "xray"]
ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
HEX = "0123456789abcdef"
WORDS = ["acme", "agent", "build", "cache", "data", "deploy", "docs", "eval", "logs", "model",
         "prod", "stage", "assets", "backup", "ci", "artifacts", "platform", "infra", "ml",
         "datasets", "reports", "static", "web", "export", "terraform", "state", "images"]

clients = [("10.0.%d.%d" % (1 + i // 12, 10 + i), "i-0%015x" % R.getrandbits(60))
           for i in range(24)]
records = []


def rand(alphabet, n):
    return "".join(R.choice(alphabet) for _ in range(n))


def pub_v4():
    return "%d.%d.%d.%d" % (R.choice([3, 13, 18, 34, 52, 54, 99, 104, 140, 151, 185]),
                            R.randrange(256), R.randrange(256), R.randrange(1, 255))


def add(name, qtype="A", rcode="NOERROR", answers=None, client=None, t=None):
    addr, inst = client or R.choice(clients)
    if answers is None:
        if rcode != "NOERROR":
            answers = []
        elif qtype == "A":
            answers = [{"Rdata": pub_v4(), "Type": "A", "Class": "IN"}
                       for _ in range(R.randrange(1, 4))]
        elif qtype == "AAAA":
            answers = [{"Rdata": "2600:1f18:%x:%x::%x" % (R.randrange(65536),
                                                           R.randrange(65536),
                                                           R.randrange(65536)),
                        "Type": "AAAA", "Class": "IN"}]
        else:
            answers = []
    ts = START + (t if t is not None else R.randrange(DAY))
    records.append((ts, {
        "version": "1.100000", "account_id": "111122223333", "region": "us-east-1",
        "vpc_id": "vpc-0a1b2c3d4e5f60718",
        "query_timestamp": "%s" % ts, "query_name": name.rstrip(".") + ".",
        "query_type": qtype, "query_class": "IN", "rcode": rcode, "answers": answers,
        "srcaddr": addr, "srcport": str(R.randrange(32768, 61000)), "transport": "UDP",
        "srcids": {"instance": inst}}))


def many(name, n, types=("A", "AAAA"), spread=None):
    """A busy name: logged about once per cache lifetime, by any client."""
    for _ in range(n):
        add(name, R.choice(types), client=R.choice(spread or clients))


# the platform's baseline and the registries, all day
for name in ["github.com", "api.github.com", "codeload.github.com", "uploads.github.com",
             "objects.githubusercontent.com", "raw.githubusercontent.com",
             "pkg-containers.githubusercontent.com", "registry.npmjs.org", "pypi.org",
             "registry-1.docker.io", "auth.docker.io", "production.cloudflare.docker.com",
             "proxy.golang.org", "sum.golang.org", "crates.io", "static.crates.io",
             "index.crates.io", "rubygems.org", "repo.maven.apache.org", "huggingface.co",
             "cdn-lfs.huggingface.co", "deb.debian.org", "security.debian.org"]:
    many(name, R.randrange(20, 60))
for _ in range(40):
    add("files.pythonhosted.org", "A", answers=[
        {"Rdata": "dualstack.python.map.fastly.net.", "Type": "CNAME", "Class": "IN"},
        {"Rdata": "151.101.%d.223" % R.choice([0, 64, 128, 192]), "Type": "A", "Class": "IN"}])

# CloudFront distributions (each its own registrable domain under cloudfront.net)
for _ in range(150):
    d = "d" + rand(ALNUM, 13) + ".cloudfront.net"
    many(d, R.randrange(1, 6), spread=R.sample(clients, R.randrange(1, 5)))

# S3 buckets: virtual-hosted (global, regional, dualstack), with long and random names
account = "123456789012"
buckets = ["cdk-hnb659fds-assets-%s-%s" % (account, r) for r in REGIONS[:4]]
buckets += ["prod-%s-starport-layer-bucket" % r for r in REGIONS[:3]]
buckets += ["%s-%s-%s-%s" % (R.choice(WORDS), R.choice(WORDS), R.choice(WORDS),
                             rand(HEX, R.choice([6, 8, 12]))) for _ in range(120)]
buckets += ["%s-%s-%s" % (R.choice(WORDS), account, R.choice(REGIONS)) for _ in range(40)]
buckets += ["aws-glue-assets-%s-%s" % (account, r) for r in REGIONS]
buckets += ["%s%s" % (R.choice(WORDS), rand(ALNUM, R.randrange(20, 40))) for _ in range(20)]
for b in buckets:
    region = R.choice(REGIONS)
    style = R.randrange(3)
    name = ("%s.s3.amazonaws.com" % b if style == 0 else
            "%s.s3.%s.amazonaws.com" % (b, region) if style == 1 else
            "%s.s3.dualstack.%s.amazonaws.com" % (b, region))
    many(name, R.randrange(1, 8))

# AWS endpoints: regional, FIPS, dualstack, VPC endpoints, EKS, IoT, ECR, API Gateway
for svc in SERVICES:
    for region in R.sample(REGIONS, 4):
        many("%s.%s.amazonaws.com" % (svc, region), R.randrange(2, 10))
        if R.random() < 0.3:
            many("%s-fips.%s.amazonaws.com" % (svc, region), 2)
        if R.random() < 0.3:
            many("%s.%s.api.aws" % (svc, region), 2)
for svc in SERVICES[:20]:
    vpce = "vpce-0%s-%s" % (rand(HEX, 16), rand("abcdefghijklmnopqrstuvwxyz0123456789", 8))
    many("%s.%s.us-east-1.vpce.amazonaws.com" % (vpce, svc), R.randrange(3, 10))
for region in REGIONS[:3]:
    many("%s.gr7.%s.eks.amazonaws.com" % (rand(HEX, 32).upper(), region), 30)
    many("%s-ats.iot.%s.amazonaws.com" % (rand(ALNUM, 14), region), 20)
    many("%s.dkr.ecr.%s.amazonaws.com" % (account, region), 25)
for _ in range(30):
    many("%s.execute-api.us-east-1.amazonaws.com" % rand(ALNUM, 10), R.randrange(1, 5))
for _ in range(20):
    many("%s.lambda-url.us-east-1.on.aws" % rand(ALNUM, 32), R.randrange(1, 4))
for _ in range(15):
    many("%s-%s.%s.elb.amazonaws.com" % (R.choice(WORDS), rand(HEX, 10), R.choice(REGIONS)), 3)

# Akamai and Google video edges: many short names under one domain
for _ in range(120):
    many("e%d.%s.akamaiedge.net" % (R.randrange(1000, 99999),
                                    R.choice(["a", "b", "dscb", "dsce", "dscx"])), 2)
for _ in range(150):
    many("rr%d---sn-%s-%s.googlevideo.com" % (R.randrange(1, 9), rand(ALNUM, 8),
                                              rand(ALNUM, 4)), 2,
         spread=clients[:3])
for _ in range(40):
    many("r%d---sn-%s.gvt1.com" % (R.randrange(1, 9), rand(ALNUM, 8)), 1)

# Azure storage accounts and Sentry and Datadog intake
for _ in range(50):
    many("%s%s.blob.core.windows.net" % (R.choice(WORDS), rand(ALNUM, R.randrange(6, 16))), 3)
for _ in range(10):
    many("o%d.ingest.sentry.io" % R.randrange(100000, 9999999), 5)
many("http-intake.logs.datadoghq.com", 40)

# Kubernetes and EC2 search-domain expansions, all NXDOMAIN, one node each
searched = ["github.com", "registry.npmjs.org", "pypi.org", "files.pythonhosted.org",
            "objects.githubusercontent.com", "sts.us-east-1.amazonaws.com",
            "proxy.golang.org", "huggingface.co"] + ["svc-%s" % R.choice(WORDS)
                                                    for _ in range(40)]
for node in clients[:6]:
    for host in searched:
        for suffix in ["default.svc.cluster.local", "svc.cluster.local", "cluster.local",
                       "ec2.internal"]:
            if R.random() < 0.5:
                add("%s.%s" % (host, suffix), R.choice(["A", "AAAA"]), "NXDOMAIN",
                    client=node)

# reverse lookups by a monitoring agent
monitor = clients[7]
for _ in range(300):
    add("%d.%d.%d.%d.in-addr.arpa" % (R.randrange(1, 255), R.randrange(256),
                                      R.randrange(256), R.choice([10, 52, 54, 172])),
        "PTR", R.choice(["NOERROR", "NXDOMAIN"]), answers=[], client=monitor)
for _ in range(100):
    nib = "".join(R.choice(HEX) for _ in range(32))
    add(".".join(reversed(nib)) + ".ip6.arpa", "PTR", "NXDOMAIN", client=monitor)

# mail and verification lookups by one sender
mailer = clients[9]
for dom in ["example.com", "example.org", "gmail.com", "outlook.com", "yahoo.com"] + \
        ["%s-%s.com" % (R.choice(WORDS), R.choice(WORDS)) for _ in range(25)]:
    add(dom, "MX", client=mailer)
    add(dom, "TXT", client=mailer)
    add("_dmarc." + dom, "TXT", client=mailer)
    add("selector1._domainkey." + dom, "TXT", R.choice(["NOERROR", "NXDOMAIN"]), client=mailer)
for _ in range(10):
    add("_acme-challenge.%s.example.com" % R.choice(WORDS), "TXT", client=mailer)

# a browser's random single-label probes (NXDOMAIN), and random-looking real domains
browser = clients[11]
for _ in range(30):
    add(rand("abcdefghijklmnopqrstuvwxyz", R.randrange(7, 16)), "A", "NXDOMAIN", client=browser)
for dom in ["msftncsi.com", "gstatic.com", "ytimg.com", "fbcdn.net", "sndcdn.com",
            "bttrack.com", "xkcd.com", "jsdelivr.net", "cdn77.org", "bstatic.com",
            "scdn.co", "twimg.com", "akamaihd.net", "1e100.net", "gvt2.com"]:
    many(dom, 3, spread=[browser])

records.sort(key=lambda r: r[0])
out = sys.stdout
for ts, rec in records:
    rec["query_timestamp"] = "%04d-%02d-%02dT%02d:%02d:%02dZ" % (
        2026, 1, 1 + (ts - START) // DAY, (ts - START) % DAY // 3600,
        (ts - START) % 3600 // 60, (ts - START) % 60)
    out.write(json.dumps(rec, separators=(",", ":")) + "\n")
