#!/usr/bin/python3
"""Policy -> export -> deploy -> import: the same verdicts, and no drift reported.

    roundtrip.py DNSFW_EXPORT DNSFW_EVAL POLICY...

For each policy:
  1. CloudFormation: export the template, import it back, and require dnsfw-eval to give
     every name of a varied set the same verdict (action, response, rule group, rule
     priority, domain list, entry) with both policies; --diff must report nothing.
  2. AWS CLI: export the documents, run run.sh against fake_aws.py (which validates every
     call against the API model and stores domains the way AWS does: trailing dot, "*."),
     save the result with snapshot.sh, check the saved outputs against the API model's
     output shapes, import them: same verdicts; --diff reports nothing (normalisation);
     a folder without the optional outputs (list names, associations) imports too.
  3. Drift (first policy only): change the deployed configuration behind the policy's
     back and require --diff to exit 1 with exactly the differences made.
"""
import json
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean of __pycache__
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import awsdefs  # noqa: E402
import validate_aws  # noqa: E402
from enforcers import names_for, specs_of  # noqa: E402

VPC = "vpc-0123456789abcdef0"
KEYS = ("query_name", "query_type", "action", "block_response", "rule_group", "rule_priority",
        "domain_list", "entry")
failures = 0


def check(ok, what, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1
        for line in str(detail).splitlines()[:30]:
            print("       " + line)


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def verdicts(evaluate, policy, queries):
    r = run([evaluate, "-p", policy, "--json"], input="".join("%s %s\n" % q for q in queries))
    if r.returncode not in (0, 1):
        raise RuntimeError("dnsfw-eval -p %s: %s" % (policy, r.stderr))
    return [{k: json.loads(line).get(k) for k in KEYS} for line in r.stdout.splitlines()]


def same_verdicts(evaluate, a, b, queries):
    va, vb = verdicts(evaluate, a, queries), verdicts(evaluate, b, queries)
    diff = ["%s: %s  vs  %s" % (x["query_name"], x, y) for x, y in zip(va, vb) if x != y]
    if len(va) != len(queries) or len(vb) != len(queries):
        diff.insert(0, "verdict counts %d/%d for %d queries" % (len(va), len(vb), len(queries)))
    return not diff, "\n".join(diff)


class FakeAws:
    def __init__(self, tmp):
        self.bin = os.path.join(tmp, "bin")
        os.mkdir(self.bin)
        with open(os.path.join(self.bin, "aws"), "w") as f:
            f.write('#!/bin/sh\nexec /usr/bin/python3 "%s" "$@"\n' % os.path.join(HERE, "fake_aws.py"))
        os.chmod(os.path.join(self.bin, "aws"), 0o755)
        self.state = os.path.join(tmp, "state.json")
        self.env = dict(os.environ, PATH=self.bin + ":" + os.environ["PATH"],
                        FAKE_AWS_STATE=self.state)

    def sh(self, script, *args):
        return run(["sh", script] + list(args), env=self.env)

    def load(self):
        return json.load(open(self.state))

    def save(self, state):
        json.dump(state, open(self.state, "w"))


def advanced_rules(path):
    """The DNS Firewall Advanced rules of a policy file, as comparable tuples."""
    p = json.load(open(path))
    return sorted((g["name"], r["priority"], r["action"], r["dns_threat_protection"],
                   r["confidence_threshold"], r.get("block_response"), r.get("qtype"))
                  for g in p.get("rule_groups", []) for r in g["rules"]
                  if "dns_threat_protection" in r)


def same_advanced(policy, imported, what):
    """Verdicts cannot show Advanced rules (no detector at query time): compare them."""
    want = advanced_rules(policy)
    if want:
        got = advanced_rules(imported)
        check(got == want, "%s: %s keeps the %d DNS Firewall Advanced rules"
              % (os.path.basename(policy), what, len(want)), "got %s\nwant %s" % (got, want))


def cloudformation(export, evaluate, policy, tmp, queries):
    name = os.path.basename(policy)
    t = os.path.join(tmp, "template.json")
    r = run([export, "-p", policy, "--format", "cloudformation", "-o", t])
    check(r.returncode == 0, name + ": export cloudformation", r.stderr)
    imported = os.path.join(tmp, "from-template.json")
    r = run([export, "--import", t, "-o", imported])
    check(r.returncode == 0, name + ": import the template", r.stderr)
    ok, detail = same_verdicts(evaluate, policy, imported, queries)
    check(ok, name + ": template round trip gives the same %d verdicts" % len(queries), detail)
    same_advanced(policy, imported, "the template round trip")
    r = run([export, "-p", policy, "--diff", t])
    check(r.returncode == 0 and r.stdout == "", name + ": --diff against its own template is empty",
          r.stdout + r.stderr)


def cli(export, evaluate, policy, tmp, queries, drift):
    name = os.path.basename(policy)
    aws = FakeAws(tmp)
    out = os.path.join(tmp, "cli")
    r = run([export, "-p", policy, "--format", "cli", "-o", out])
    check(r.returncode == 0, name + ": export cli", r.stderr)
    r = aws.sh(os.path.join(out, "run.sh"), VPC)
    check(r.returncode == 0, name + ": run.sh against the fake AWS CLI", r.stderr[-3000:])
    # one call per document, in order, each domain update waited for
    docs = sorted(f for f in os.listdir(out) if f.endswith(".json"))
    want = []
    for f in docs:
        op = awsdefs.Botocore.cli_to_operation(f.split("-", 1)[1].split(".")[0]
                                               .replace("logs-", "", 1))
        want.append(op)
        if op == "UpdateFirewallDomains":
            want.append("GetFirewallDomainList")
    calls = [c[0] for c in aws.load()["calls"]]
    check(calls == want, name + ": run.sh made one call per document, in order",
          "calls: %s\nwant: %s" % (calls, want))
    deployed = os.path.join(tmp, "deployed")
    r = aws.sh(os.path.join(out, "snapshot.sh"), deployed, VPC)
    check(r.returncode == 0, name + ": snapshot.sh", r.stderr[-2000:])
    problems = validate_aws.check_outputs(deployed, awsdefs.Botocore())
    check(not problems, name + ": saved outputs match the API model's output shapes",
          "\n".join(problems))
    imported = os.path.join(tmp, "from-cli.json")
    r = run([export, "--import", deployed, "-o", imported])
    check(r.returncode == 0, name + ": import the saved outputs", r.stderr)
    ok, detail = same_verdicts(evaluate, policy, imported, queries)
    check(ok, name + ": CLI round trip gives the same %d verdicts" % len(queries), detail)
    same_advanced(policy, imported, "the CLI round trip")
    r = run([export, "-p", policy, "--diff", deployed])
    check(r.returncode == 0 and r.stdout == "",
          name + ": --diff finds no drift (AWS's trailing dots and \"*.\" normalised)",
          r.stdout + r.stderr)
    # without the optional outputs: lists known by id pair through the rules that use them
    # (an AWS-managed list is only known as one from list-firewall-domain-lists)
    managed = any(isinstance(v, dict) and "managed" in v
                  for v in json.load(open(policy)).get("domain_lists", {}).values())
    if not all_lists_used(policy) or managed:
        return
    bare = os.path.join(tmp, "bare")
    shutil.copytree(deployed, bare)
    os.unlink(os.path.join(bare, "list-firewall-domain-lists.json"))
    r = run([export, "-p", policy, "--diff", bare])
    check(r.returncode == 0 and r.stdout == "",
          name + ": --diff without list-firewall-domain-lists pairs the lists through the rules",
          r.stdout + r.stderr)
    if drift:
        drifted(export, policy, aws, out, tmp)


def all_lists_used(policy):
    p = json.load(open(policy))
    used = {r["domain_list"] for g in p.get("rule_groups", []) for r in g["rules"]
            if "domain_list" in r}
    return "domain_lists" not in p or set(p["domain_lists"]) <= used


def drifted(export, policy, aws, out, tmp):
    """Change what is deployed; --diff must show exactly that."""
    name = os.path.basename(policy)
    st = aws.load()
    lid = next(i for i, l in st["lists"].items() if l["Name"] == "trusted")
    st["lists"][lid]["Domains"] = [d for d in st["lists"][lid]["Domains"] if d != "pypi.org."]
    st["lists"][lid]["Domains"].append("evil.example.")
    rule = next(r for r in st["rules"] if r["Name"] == "cdn-alert")
    rule["Action"] = "BLOCK"
    rule["BlockResponse"] = "NXDOMAIN"
    rule2 = next(r for r in st["rules"] if r["Name"] == "trusted")
    rule2["FirewallDomainRedirectionAction"] = "INSPECT_REDIRECTION_DOMAIN"
    st["configs"][VPC] = "ENABLED"
    next(a for a in st["assocs"] if a["Name"] == "second")["Priority"] = 310
    aws.save(st)
    deployed = os.path.join(tmp, "drifted")
    aws.sh(os.path.join(out, "snapshot.sh"), deployed, VPC)
    r = run([export, "-p", policy, "--diff", deployed])
    want = sorted([
        'domain list "trusted": - pypi.org',
        'domain list "trusted": + evil.example',
        'rule group "first", rule 20: redirection TRUST_REDIRECTION_DOMAIN -> '
        'INSPECT_REDIRECTION_DOMAIN',
        'rule group "second": association_priority 300 -> 310',
        'rule group "second", rule 10: action ALERT -> BLOCK',
        'rule group "second", rule 10: block_response (none) -> NXDOMAIN',
        'fail_open: DISABLED -> ENABLED',
    ])
    got = sorted(r.stdout.splitlines())
    check(r.returncode == 1 and got == want and "7 differences" in r.stderr,
          name + ": --diff reports each drift and exits 1",
          "exit %d\ngot:\n%s\nwant:\n%s\n%s" % (r.returncode, "\n".join(got), "\n".join(want),
                                                 r.stderr))
    r = run([export, "-p", policy, "--diff", deployed, "--json"])
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    check(r.returncode == 1 and len(lines) == 7 and
          {"kind": "entry", "change": "extra", "domain_list": "trusted", "entry": "evil.example"}
          in lines, name + ": --diff --json gives one object per difference", r.stdout)


def big_policy(tmp):
    """2,500 domains in one list: three UpdateFirewallDomains batches on the way out,
    the whole list on the way back."""
    path = os.path.join(tmp, "big-list.json")
    json.dump({"dnsfw": 1, "fail_open": True,
               "domain_lists": {"many": ["host%d.Example.COM" % i for i in range(2500)] +
                                        ["*.example.net"],
                                "all": ["*"]},
               "rule_groups": [{"name": "egress", "priority": 500, "rules": [
                   {"name": "many", "priority": 1, "action": "ALLOW", "domain_list": "many"},
                   {"name": "rest", "priority": 2, "action": "BLOCK", "domain_list": "all",
                    "block_response": "NXDOMAIN"}]}]}, open(path, "w"))
    return path


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    export, evaluate = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    keep = tempfile.mkdtemp(prefix="dnsfw-roundtrip-big-")
    try:
        policies = sys.argv[3:] + [big_policy(keep)]
        return run_all(export, evaluate, policies)
    finally:
        shutil.rmtree(keep, ignore_errors=True)


def run_all(export, evaluate, policies):
    for policy in policies:
        tmp = tempfile.mkdtemp(prefix="dnsfw-roundtrip-")
        try:
            names = names_for(specs_of(policy, export))[:600]
            queries = [(n, t) for n in names for t in ("A", "AAAA", "TXT")]
            cloudformation(export, evaluate, policy, tmp, queries)
            cli(export, evaluate, policy, tmp, queries,
                drift=os.path.basename(policy) == "general-mixed.json")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
