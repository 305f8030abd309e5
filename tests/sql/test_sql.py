#!/usr/bin/python3
"""dnsfw-export --format duckdb in a real DuckDB against dnsfw-eval (contract §8).

For each case (a policy and query logs: the committed ones, and logs generated here with
CNAME chains, upper case, escapes, query types, malformed names and records), runs
run.sql in DuckDB (@duckdb/node-api, tests/sql/duckdb_run.mjs) and requires:
  - every dnsfw_verdicts row without a problem to equal a dnsfw-eval --log --json line
    (the contract's keys, decided_by_hop and hop_name, the logged action), with
    enforce_action equal to dnsfw-eval --mode enforce's action for the same record;
  - the rows with a problem to be exactly the records dnsfw-eval reports as malformed;
  - dnsfw_drift, dnsfw_would_block and dnsfw_repository_counts to agree with
    dnsfw-eval --report (same policy, logs and --scope-map).

usage: test_sql.py DNSFW_EXPORT DNSFW_EVAL TESTS_SQL_DIR TESTS_DATA_DIR
"""
import collections
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

export, evaluate, here, data = sys.argv[1:5]
node_modules = os.path.join(here, "node_modules", "@duckdb", "node-api")
if not os.path.isdir(node_modules):
    sys.exit("tests/sql/node_modules is missing: run scripts/install-deps.sh (npm ci in "
             "tests/sql installs DuckDB)")

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print("ok - %s" % what)
    else:
        failed += 1
        print("not ok - %s" % what)
    return ok


def run(cmd, ok=(0,)):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in ok:
        sys.exit("%s: exit %d\n%s" % (" ".join(cmd), p.returncode, p.stderr))
    return p


def duckdb(run_sql, *queries):
    """The rows of each query, a list per query."""
    p = run(["node", os.path.join(here, "duckdb_run.mjs"), run_sql] + list(queries))
    out = [[] for _ in queries]
    for line in p.stdout.splitlines():
        o = json.loads(line)
        out[o["query"]].append(o["row"])
    return out


# --- generated logs ------------------------------------------------------------------------

serial = iter(range(10 ** 6))


def record(rng, name, qtype, answers, srcaddr, logged=None):
    rec = {"version": "1.100000", "account_id": "111122223333", "region": "us-east-1",
           "vpc_id": "vpc-0a1b2c3d4e5f60718",
           # unique: it pairs a record's verdicts in the two modes
           "query_timestamp": "2026-11-%02dT%02d:%02d:%02d.%06dZ" % (
               rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59),
               next(serial)),
           "query_name": name, "query_type": qtype, "query_class": "IN", "rcode": "NOERROR",
           "answers": answers, "srcaddr": srcaddr, "srcport": "53000", "transport": "UDP",
           "srcids": {"instance": "i-0%015x" % rng.randint(0, 3)}}
    if name is None:
        del rec["query_name"]
    if qtype is None:
        del rec["query_type"]
    if logged:
        rec["firewall_rule_action"] = logged
        rec["firewall_rule_group_id"] = "rslvr-frg-0123456789abcdef"
        rec["firewall_domain_list_id"] = "rslvr-fdl-0123456789abcdef"
    return rec


def names_for(rng, specs):
    """Names near the policy's specs: each spec, names below it, its parent, variants."""
    out = []
    for s in specs:
        base = s[2:] if s.startswith("*.") else s
        if base == "*":
            continue
        out += [base, "www." + base, "a.b." + base, base.split(".", 1)[-1], "x" + base]
    return out


def mangle(rng, name):
    r = rng.random()
    if r < 0.15:
        return name.upper()
    if r < 0.3:
        return "".join(c.upper() if rng.random() < 0.5 else c for c in name)
    if r < 0.35 and name and name[0].isalpha():
        return "\\%03d" % ord(name[0]) + name[1:]  # \DDD for a letter: the same name
    if r < 0.38:
        return "a\\.b." + name  # an escaped dot inside a label
    if r < 0.40:
        return "_srv." + name
    if r < 0.42:
        return "b\u00fccher." + name  # UTF-8 octets
    if r < 0.43:
        return "sp\\032ace." + name
    return name


MALFORMED = ["a..b.example.com.", "%s.example.com." % ("x" * 64), ".lead.example.com",
             ".".join(["abcdefghi"] * 26) + ".", "bad\\1x.example.com.", "bad\\300.example.com.",
             "trailing\\"]


def generate(path, specs, n, seed):
    rng = random.Random(seed)
    pool = names_for(rng, specs) + ["evil.example.", "cdn.vendor.com", "x.akamaiedge.net.",
                                    "files.pythonhosted.org.", "dualstack.python.map.fastly.net.",
                                    "bucket-c.s3.amazonaws.com.", "s3.amazonaws.com", ".",
                                    "user.github.io.", "ck", "www.ck", "a.b.ck",
                                    "15.3.4.32.in-addr.arpa."]
    types = ["A", "A", "AAAA", "aaaa", "TYPE28", "HTTPS", "TXT", "MX", "CNAME", "type65400", "PTR"]
    lines = []
    for i in range(n):
        name = mangle(rng, rng.choice(pool))
        if rng.random() < 0.5 and not name.endswith("."):
            name += "."
        qtype = rng.choice(types)
        answers = []
        hops = rng.choice([0, 0, 0, 1, 1, 2, 3])
        if rng.random() < 0.003:
            hops = 18  # beyond the 16 targets a record keeps
        for h in range(hops):
            target = mangle(rng, rng.choice(pool))
            if rng.random() < 0.01:
                target = rng.choice(MALFORMED)
            kind = rng.choice(["CNAME", "CNAME", "CNAME", "DNAME", "cname"])
            answers.append({"Rdata": target, "Type": kind, "Class": "IN"})
        answers.append({"Rdata": "192.0.2.%d" % rng.randint(1, 254), "Type": "A", "Class": "IN"})
        if rng.random() < 0.01:
            answers.insert(0, {"Type": "CNAME", "Class": "IN"})  # no Rdata: not a target
        srcaddr = "10.0.%d.%d" % (rng.choice([1, 2, 2, 3]), rng.randint(1, 254))
        logged = rng.choice([None, None, "ALERT", "BLOCK", "ALLOW"])
        r = rng.random()
        if r < 0.01:
            name = rng.choice(MALFORMED)
        elif r < 0.012:
            qtype = rng.choice(["FOO_BAR", "TYPE0", "TYPE70000"])
        elif r < 0.013:
            name = ""
        elif r < 0.014:
            qtype = None
        elif r < 0.015:
            name = None
        lines.append(json.dumps(record(rng, name, qtype, answers, srcaddr, logged)))
        if rng.random() < 0.002:
            lines.append("{not json")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


# --- comparison ----------------------------------------------------------------------------

KEYS = ["query_timestamp", "query_name", "query_type", "srcaddr", "action", "rule_group",
        "rule_priority", "rule", "domain_list", "entry", "block_response",
        "firewall_rule_action", "decided_by_hop", "hop_name"]


def eval_lines(policy, logs, mode=None):
    cmd = [evaluate, "-p", policy, "--json"] + (["--mode", mode] if mode else [])
    for l in logs:
        cmd += ["--log", l]
    p = run(cmd, ok=(0, 1, 3))
    out = [json.loads(line) for line in p.stdout.splitlines()]
    malformed = 0  # the first 100 are listed, the rest counted
    for line in p.stderr.splitlines():
        if "is AWS-managed" in line:
            continue  # the notice about a managed list's contents, not a record
        words = line.split()
        malformed += int(words[1]) if "more malformed records not listed" in line else 1
    return out, malformed


def tuple_of(d, extra=()):
    return tuple(d.get(k) if k != "decided_by_hop" else d.get(k) or 0 for k in KEYS + list(extra))


def compare(label, policy, logs, tiered, scope_map=None):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "sql")
        cmd = [export, "-p", policy, "--format", "duckdb", "-o", out, "--log-path",
               logs[0] if len(logs) == 1 else os.path.join(os.path.dirname(logs[0]), "*.jsonl")]
        if scope_map:
            cmd += ["--scope-map", scope_map]
        run(cmd)
        verdicts, drift, wb, repos = duckdb(
            os.path.join(out, "run.sql"), "SELECT * FROM dnsfw_verdicts",
            "SELECT * FROM dnsfw_drift", "SELECT * FROM dnsfw_would_block",
            "SELECT * FROM dnsfw_repository_counts")

    now, bad = eval_lines(policy, logs)
    enf, _ = eval_lines(policy, logs, "enforce") if tiered else (now, bad)
    if len(now) != len(enf):
        # a chain name the inspection reaches in one mode only: pair by timestamp (unique
        # in the generated logs); such a record has no enforce_action
        by_time = {e["query_timestamp"]: e["action"] for e in enf}
        check(len(by_time) == len(enf), "%s: timestamps pair the two modes" % label)
        enforce = [by_time.get(a["query_timestamp"]) for a in now]
    else:
        enforce = [e["action"] for e in enf]
    want = collections.Counter(tuple_of(a, ()) + (e,) for a, e in zip(now, enforce))
    good = [r for r in verdicts if r["problem"] is None]
    got = collections.Counter(tuple_of(r) + (r["enforce_action"],) for r in good)
    ok = check(got == want, "%s: %d dnsfw_verdicts rows equal dnsfw-eval --log --json (and "
               "--mode enforce)" % (label, len(good)))
    if not ok:
        for t, c in list((want - got).items())[:5]:
            print("#   dnsfw-eval only: %s x%d" % (t, c))
        for t, c in list((got - want).items())[:5]:
            print("#   SQL only:        %s x%d" % (t, c))
    problems = [r for r in verdicts if r["problem"] is not None]
    check(len(problems) == bad, "%s: %d rows with a problem, %d records dnsfw-eval calls "
          "malformed" % (label, len(problems), bad))

    # the report's drift, would-block groups and repositories
    cmd = [evaluate, "-p", policy, "--report", "--format", "json"]
    for l in logs:
        cmd += ["--log", l]
    if scope_map:
        cmd += ["--scope-map", scope_map]
    report = json.loads(run(cmd, ok=(0, 1, 3)).stdout)
    check(sorted((d["logged"], d["now"], d["records"]) for d in report["drift"]) ==
          sorted((d["logged"], d["now"], d["records"]) for d in drift),
          "%s: dnsfw_drift equals the report's drift" % label)
    want_wb = sorted((g["registrable_domain"], g["queries"], len(g["names"]))
                     for g in report["would_block"])
    got_wb = sorted((g["registrable_domain"], g["queries"], g["names"]) for g in wb)
    if not check(want_wb == got_wb, "%s: dnsfw_would_block equals the report's would_block "
                 "(%d domains)" % (label, len(wb))):
        print("#   report only: %s" % sorted(set(want_wb) - set(got_wb))[:6])
        print("#   SQL only:    %s" % sorted(set(got_wb) - set(want_wb))[:6])
    if scope_map:
        want_r = sorted((r["repo"], r["records"], r["would_block_records"], r["would_block_names"],
                         r.get("isolation_block_records", 0), r["blueprint"])
                        for r in report["repositories"])
        got_r = sorted((r["repo"], r["records"], r["would_block_records"], r["would_block_names"],
                        r["isolation_block_records"], r["blueprint"]) for r in repos)
        if not check(want_r == got_r, "%s: dnsfw_repository_counts equals the report's "
                     "repositories" % label):
            print("#   report: %s\n#   SQL:    %s" % (want_r, got_r))


def preset_hosts(name):
    """A preset's hosts, from the data file the library is built from."""
    path = os.path.join(here, "..", "..", "data", "presets", name + ".json")
    return [h["host"] for h in json.load(open(path))["hosts"]]


def policy_specs(policy):
    p = json.load(open(policy))
    specs = list(p.get("baseline", []))
    for name in p.get("presets", []):
        specs += preset_hosts(name)
    for b in p.get("blueprints", []):
        specs += b.get("egress_allowlist", [])
        for name in b.get("presets", []):
            specs += preset_hosts(name)
    for v in p.get("domain_lists", {}).values():
        if isinstance(v, list):
            specs += v
    return specs


def main():
    logs = os.path.join(data, "logs")
    policies = [(os.path.join(logs, "policy-tiered.json"), True),
                (os.path.join(logs, "policy-general.json"), False),
                (os.path.join(here, "policies", "general-qtypes.json"), False),
                (os.path.join(here, "policies", "tiered-enforce.json"), True),
                # blueprints with presets: their hosts are in each repository's own scope
                (os.path.join(here, "policies", "tiered-presets.json"), True),
                # Advanced rules (passed over, as dnsfw-eval does) and AWS-managed lists
                # (their stand-in decides)
                (os.path.join(here, "..", "export", "policies", "general-advanced.json"), False),
                (os.path.join(here, "..", "export", "policies", "general-managed.json"), False)]
    scope_map = os.path.join(logs, "scope-map.txt")
    with tempfile.TemporaryDirectory() as tmp:
        # the committed logs, read together through one glob
        committed = []
        for f in ("replay.jsonl", "aws-samples.jsonl"):
            committed.append(os.path.join(tmp, "committed", f))
            os.makedirs(os.path.dirname(committed[-1]), exist_ok=True)
            shutil.copy(os.path.join(logs, f), committed[-1])
        for policy, tiered in policies:
            compare("%s, the committed logs" % os.path.basename(policy), policy, committed,
                    tiered, scope_map)
        for i, (policy, tiered) in enumerate(policies):
            path = os.path.join(tmp, "gen%d" % i, "generated.jsonl")
            os.makedirs(os.path.dirname(path))
            generate(path, policy_specs(policy), 3000, 15 + i)
            compare("%s, 3000 generated records" % os.path.basename(policy), policy, [path],
                    tiered, scope_map)
    print("1..%d" % (passed + failed))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


main()
