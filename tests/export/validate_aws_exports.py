#!/usr/bin/python3
"""Export each policy for AWS and validate the result against AWS's own definitions.

    validate_aws_exports.py DNSFW_EXPORT POLICY...

For every policy: the CloudFormation template (with a VpcId parameter, with --vpc-id, with
--fqdn, with --fail-open-resource none), the CLI documents and the Terraform JSON are
checked by validate_aws.py. Then a control: a copy of a valid export with one thing AWS
refuses (a TTL over 604800, an unknown property, a 256-character domain, a read-only
property, an unknown Terraform argument, a document out of dependency order) must fail
validation, so that a validator that accepts everything cannot pass this test.
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
import validate_aws as v  # noqa: E402

failures = 0


def check(ok, what, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1
        for line in (detail if isinstance(detail, list) else str(detail).splitlines())[:20]:
            print("       " + line)


def export(tool, policy, fmt, dest, *extra):
    r = subprocess.run([tool, "-p", policy, "--format", fmt, "-o", dest] + list(extra),
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("dnsfw-export %s %s: %s" % (policy, fmt, r.stderr))


def controls(tmp, tool, policy, botocore):
    """Each mutation AWS would refuse must make validation fail."""
    t = os.path.join(tmp, "control.json")
    export(tool, policy, "cloudformation", t)
    base = json.load(open(t))

    def template_fails(what, mutate):
        doc = json.loads(json.dumps(base))
        mutate(doc)
        p = os.path.join(tmp, "mutated.json")
        json.dump(doc, open(p, "w"))
        problems, _ = v.check_template(p, botocore)
        check(bool(problems), "control: a template with %s fails validation" % what)

    def first(doc, rtype):
        return next(r for r in doc["Resources"].values() if r["Type"] == rtype)

    def rules(doc):
        return first(doc, "AWS::Route53Resolver::FirewallRuleGroup")["Properties"]["FirewallRules"]

    template_fails("BlockOverrideTtl 700000",
                   lambda d: rules(d)[0].update(BlockResponse="OVERRIDE", BlockOverrideTtl=700000))
    template_fails("an unknown rule property",
                   lambda d: rules(d)[0].update(Name="rules have no Name in CloudFormation"))
    template_fails("a 256-character domain",
                   lambda d: first(d, "AWS::Route53Resolver::FirewallDomainList")["Properties"]
                   ["Domains"].append("a" * 256))
    template_fails("a read-only property", lambda d: first(
        d, "AWS::Route53Resolver::FirewallRuleGroupAssociation")["Properties"].update(Status="COMPLETE"))
    template_fails("Action DENY", lambda d: rules(d)[0].update(Action="DENY"))
    template_fails("Fn::GetAtt of an attribute that does not exist",
                   lambda d: rules(d)[0].update(FirewallDomainListId={"Fn::GetAtt": [
                       next(k for k, r in d["Resources"].items()
                            if r["Type"] == "AWS::Route53Resolver::FirewallDomainList"), "Domains"]}))
    template_fails("a fail-open value AWS does not have",
                   lambda d: d["Resources"]["FirewallConfig"]["Properties"].update(
                       FirewallFailOpen="MAYBE"))
    template_fails("a Lambda timeout of 0",
                   lambda d: d["Resources"]["FirewallConfigFunction"]["Properties"].update(Timeout=0))

    c = os.path.join(tmp, "control-cli")
    export(tool, policy, "cli", c)
    docs = sorted(f for f in os.listdir(c) if f.startswith("0"))

    def cli_fails(what, mutate):
        d2 = os.path.join(tmp, "mutated-cli")
        shutil.rmtree(d2, ignore_errors=True)
        shutil.copytree(c, d2)
        mutate(d2)
        check(bool(v.check_cli_dir(d2, botocore)), "control: CLI documents with %s fail" % what)

    def edit(d2, name, change):
        p = os.path.join(d2, name)
        doc = json.load(open(p))
        change(doc)
        json.dump(doc, open(p, "w"))

    upd = next(f for f in docs if "update-firewall-domains" in f)
    rule = next(f for f in docs if "create-firewall-rule." in f)
    cli_fails("a 256-character domain", lambda d2: edit(d2, upd, lambda x: x["Domains"].append("a" * 256)))
    cli_fails("1,001 domains in one call",
              lambda d2: edit(d2, upd, lambda x: x.update(Domains=["d%d.example" % i for i in range(1001)])))
    cli_fails("a rule without a Name", lambda d2: edit(d2, rule, lambda x: x.pop("Name")))
    cli_fails("an all-digit name", lambda d2: edit(d2, rule, lambda x: x.update(Name="12345")))
    cli_fails("Operation UPSERT", lambda d2: edit(d2, upd, lambda x: x.update(Operation="UPSERT")))
    cli_fails("an association before its rules", lambda d2: os.rename(
        os.path.join(d2, next(f for f in docs if "associate" in f)),
        os.path.join(d2, "0000-associate-firewall-rule-group.x.json")))

    tf = os.path.join(tmp, "control.tf.json")
    export(tool, policy, "terraform", tf)
    base_tf = json.load(open(tf))

    def tf_fails(what, mutate):
        doc = json.loads(json.dumps(base_tf))
        mutate(doc)
        p = os.path.join(tmp, "mutated.tf.json")
        json.dump(doc, open(p, "w"))
        check(bool(v.check_tf(p)), "control: Terraform JSON with %s fails" % what)

    def a_rule(doc):
        return next(iter(doc["resource"]["aws_route53_resolver_firewall_rule"].values()))

    tf_fails("an unknown argument", lambda d: a_rule(d).update(qtype="A"))
    tf_fails("a string priority", lambda d: a_rule(d).update(priority="100"))
    tf_fails("a missing required argument", lambda d: a_rule(d).pop("action"))
    tf_fails("a reference to a missing resource",
             lambda d: a_rule(d).update(firewall_domain_list_id="${aws_route53_resolver_firewall_domain_list.nope.id}"))


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    tool = os.path.abspath(sys.argv[1])
    botocore = awsdefs.Botocore()
    tmp = tempfile.mkdtemp(prefix="dnsfw-validate-")
    try:
        for policy in sys.argv[2:]:
            name = os.path.basename(policy)
            for label, extra in (("", []), (" --vpc-id", ["--vpc-id", "vpc-0123456789abcdef0"]),
                                 (" --fqdn", ["--fqdn"]),
                                 (" --fail-open-resource none", ["--fail-open-resource", "none"])):
                t = os.path.join(tmp, "t.json")
                export(tool, policy, "cloudformation", t, *extra)
                problems, counted = v.check_template(t, botocore)
                check(not problems, "%s cloudformation%s: %s validate" % (name, label, ", ".join(
                    "%d %s" % (n, k.split("::")[-1]) for k, n in sorted(counted.items()))), problems)
            for label, extra in (("", []), (" --vpc-id", ["--vpc-id", "vpc-0123456789abcdef0"])):
                d = os.path.join(tmp, "cli" + label.strip())
                export(tool, policy, "cli", d, *extra)
                n = len([f for f in os.listdir(d) if f.endswith(".json")])
                check(not v.check_cli_dir(d, botocore),
                      "%s cli%s: %d documents validate against the API model" % (name, label, n),
                      v.check_cli_dir(d, botocore))
                shutil.rmtree(d)
                tf = os.path.join(tmp, "t.tf.json")
                export(tool, policy, "terraform", tf, *extra)
                check(not v.check_tf(tf), "%s terraform%s: the resources' arguments validate"
                      % (name, label), v.check_tf(tf))
        controls(tmp, tool, sys.argv[2], botocore)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
