#!/usr/bin/python3
"""A stand-in for the AWS CLI, enough of "aws route53resolver" (and of "aws logs", for the
query-logging group) to run dnsfw-export's run.sh and snapshot.sh offline. It keeps the account's DNS Firewall objects in a JSON
file ($FAKE_AWS_STATE) and behaves as the service does where the tests care:

- every --cli-input-json document is validated against the operation's input shape of
  the botocore model (awsdefs.py) and must carry no @PLACEHOLDER@ left by run.sh;
- ids are made up (rslvr-fdl-..., rslvr-frg-..., rslvr-frgassoc-...), references to
  unknown ids, duplicate rule priorities or association priorities fail as AWS fails;
- UpdateFirewallDomains takes at most 1,000 domains; the domains are stored the way AWS
  returns them: lower case with a trailing dot, "*" as "*." (the drift users report);
- every response is validated against the operation's output shape.

Each call is appended to state["calls"] as [operation, document file or None].
"""
import json
import os
import re
import sys

sys.dont_write_bytecode = True  # keep the source tree clean of __pycache__

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awsdefs  # noqa: E402

STATE = os.environ["FAKE_AWS_STATE"]


def fail(code, message):
    sys.stderr.write("\nAn error occurred (%s): %s\n" % (code, message))
    sys.exit(254 if code != "ParamValidation" else 252)


def load_state():
    if os.path.exists(STATE):
        with open(STATE) as f:
            return json.load(f)
    # the AWS-managed lists every account sees (in us-east-1, where the fake runs)
    managed = {lid: {"Id": lid, "Name": name, "Domains": [],
                     "ManagedOwnerName": "Route 53 Resolver DNS Firewall",
                     "Arn": "arn:aws:route53resolver:us-east-1:123456789012:"
                            "firewall-domain-list/" + lid}
               for lid, name in (("rslvr-fdl-2c46f2ecbfec4dcc", "AWSManagedDomainsMalwareDomainList"),
                                 ("rslvr-fdl-9a8b7c6d5e4f3a21",
                                  "AWSManagedDomainsBotnetCommandandControl"))}
    return {"counter": 0, "lists": managed, "groups": {}, "rules": [], "assocs": [],
            "configs": {}, "calls": [], "log_groups": {}, "query_logs": {},
            "query_log_assocs": []}


def new_id(state, prefix):
    state["counter"] += 1
    return "%s%017x" % (prefix, 0xabc000 + state["counter"])


def aws_form(domain):
    d = domain.lower()
    return d if d.endswith(".") else d + "."


def query(value, q):
    """The few JMESPath forms the scripts use: A.B, A[].B, A[?K==null].B."""
    if not q:
        return value
    m = re.match(r"^(\w+)\[\?(\w+)=='([^']*)'\]\.(\w+) \| \[0\]$", q)
    if m:  # logGroups[?logGroupName=='NAME'].arn | [0]
        items = [i for i in value.get(m.group(1), []) if i.get(m.group(2)) == m.group(3)]
        return items[0].get(m.group(4)) if items else "None"
    m = re.match(r"^(\w+)\[\?(\w+)=='([^']*)'\]\.(\w+)$", q)
    if m:  # FirewallDomainLists[?Name=='NAME'].Id
        return [i.get(m.group(4)) for i in value.get(m.group(1), [])
                if i.get(m.group(2)) == m.group(3)]
    m = re.match(r"^(\w+)\[(\?(\w+)==null)?\]\.(\w+)$", q)
    if m:
        items = value.get(m.group(1), [])
        if m.group(3):
            items = [i for i in items if i.get(m.group(3)) is None]
        return [i.get(m.group(4)) for i in items]
    for part in q.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def main():
    args = sys.argv[1:]
    if args[:3] == ["configure", "get", "region"]:
        print("us-east-1")
        return
    if len(args) < 2 or args[0] not in ("route53resolver", "logs"):
        fail("Usage", "fake aws: only route53resolver and logs are simulated: %r" % args)
    op_cli, opts, i = args[1], {}, 2
    while i < len(args):
        if not args[i].startswith("--") or i + 1 >= len(args):
            fail("Usage", "fake aws: cannot parse %r" % args[i:])
        opts[args[i][2:]] = args[i + 1]
        i += 2
    service = args[0]
    if service == "logs" and op_cli == "describe-log-groups":
        state = load_state()  # not in the reduced logs model: answered as AWS does
        prefix = opts.get("log-group-name-prefix", "")
        out = {"logGroups": [g for n, g in sorted(state["log_groups"].items())
                             if n.startswith(prefix)]}
        value = query(out, opts.get("query"))
        print(value if opts.get("output") == "text" else json.dumps(value, indent=4))
        return
    botocore = awsdefs.Botocore(service)
    op = botocore.operation(op_cli)
    state = load_state()
    doc, doc_file = {}, None
    if "cli-input-json" in opts:
        doc_file = opts["cli-input-json"]
        if not doc_file.startswith("file://"):
            fail("Usage", "--cli-input-json must be file://PATH")
        text = open(doc_file[len("file://"):]).read()
        if re.search(r"@[A-Z]+(_[0-9]+)?@", text):
            fail("ParamValidation", "a placeholder was not replaced: " + text)
        doc = json.loads(text)
    if "filters" in opts:  # Name=ResourceId,Values=vpc-...
        m = re.match(r"^Name=(\w+),Values=(\S+)$", opts["filters"])
        if not m:
            fail("Usage", "fake aws: cannot parse --filters %r" % opts["filters"])
        doc["Filters"] = [{"Name": m.group(1), "Values": [m.group(2)]}]
    for k, member in (("firewall-domain-list-id", "FirewallDomainListId"),
                      ("firewall-rule-group-id", "FirewallRuleGroupId"),
                      ("resource-id", "ResourceId"), ("vpc-id", "VpcId")):
        if k in opts:
            doc[member] = opts[k]
    problems = awsdefs.errors(botocore.validator(op), doc)
    if problems:
        fail("ParamValidation", "Parameter validation failed: " + "; ".join(problems))
    state["calls"].append([op, os.path.basename(doc_file[7:]) if doc_file else None])
    out = handle(state, op, doc)
    problems = awsdefs.errors(botocore.validator(op, "output"), out) \
        if "output" in botocore.model["operations"][op] else []
    if problems:
        fail("FakeAwsBug", "response does not match the output shape: " + "; ".join(problems))
    with open(STATE, "w") as f:
        json.dump(state, f, indent=1)
    value = query(out, opts.get("query"))
    if opts.get("output") == "text":
        if isinstance(value, list):
            print("\t".join(str(v) for v in value))
        elif value is not None:
            print(value)
    else:
        print(json.dumps(value, indent=4))


def find(coll, ident, what):
    if ident not in coll:
        fail("ResourceNotFoundException", "%s %s does not exist" % (what, ident))
    return coll[ident]


def handle(state, op, d):
    lists, groups = state["lists"], state["groups"]
    if op == "CreateFirewallDomainList":
        lid = new_id(state, "rslvr-fdl-")
        lists[lid] = {"Id": lid, "Name": d["Name"], "Domains": [],
                      "CreatorRequestId": d["CreatorRequestId"],
                      "Arn": "arn:aws:route53resolver:us-east-1:123456789012:firewall-domain-list/"
                             + lid}
        return {"FirewallDomainList": {"Id": lid, "Arn": lists[lid]["Arn"], "Name": d["Name"],
                                       "DomainCount": 0, "Status": "COMPLETE",
                                       "CreatorRequestId": d["CreatorRequestId"]}}
    if op == "UpdateFirewallDomains":
        lst = find(lists, d["FirewallDomainListId"], "domain list")
        if len(d["Domains"]) > 1000:
            fail("ValidationException", "at most 1000 domains in one request")
        new = [aws_form(x) for x in d["Domains"]]
        if d["Operation"] == "REPLACE":
            lst["Domains"] = []
        if d["Operation"] == "REMOVE":
            lst["Domains"] = [x for x in lst["Domains"] if x not in new]
        else:
            lst["Domains"] += [x for x in new if x not in lst["Domains"]]
        return {"Id": lst["Id"], "Name": lst["Name"], "Status": "UPDATING",
                "StatusMessage": "Updating the Firewall Domain List"}
    if op == "GetFirewallDomainList":
        lst = find(lists, d["FirewallDomainListId"], "domain list")
        return {"FirewallDomainList": {"Id": lst["Id"], "Name": lst["Name"],
                                       "DomainCount": len(lst["Domains"]), "Status": "COMPLETE"}}
    if op == "CreateFirewallRuleGroup":
        gid = new_id(state, "rslvr-frg-")
        groups[gid] = {"Id": gid, "Name": d["Name"], "CreatorRequestId": d["CreatorRequestId"],
                       "OwnerId": "123456789012", "ShareStatus": "NOT_SHARED",
                       "Arn": "arn:aws:route53resolver:us-east-1:123456789012:firewall-rule-group/"
                              + gid}
        return {"FirewallRuleGroup": dict(groups[gid], RuleCount=0, Status="COMPLETE")}
    if op == "CreateFirewallRule":
        find(groups, d["FirewallRuleGroupId"], "rule group")
        advanced = "DnsThreatProtection" in d
        if advanced == ("FirewallDomainListId" in d):
            fail("ValidationException",
                 "a rule has exactly one of FirewallDomainListId and DnsThreatProtection")
        if advanced:
            # DNS Firewall Advanced: a threshold is required, ALLOW is not available
            if "ConfidenceThreshold" not in d:
                fail("ValidationException", "ConfidenceThreshold is required with DnsThreatProtection")
            if d["Action"] == "ALLOW":
                fail("ValidationException", "ALLOW is not available for DNS Firewall Advanced rules")
        else:
            find(lists, d["FirewallDomainListId"], "domain list")
        for r in state["rules"]:
            if r["FirewallRuleGroupId"] != d["FirewallRuleGroupId"]:
                continue
            if r["Priority"] == d["Priority"]:
                fail("ConflictException", "priority %d is taken" % d["Priority"])
            if not advanced and r.get("FirewallDomainListId") == d["FirewallDomainListId"] and \
                    r.get("Qtype") == d.get("Qtype"):
                fail("ConflictException", "the rule group already has a rule for this list")
        if d["Action"] == "BLOCK" and "BlockResponse" not in d:
            fail("ValidationException", "BlockResponse is required with BLOCK")
        if d.get("BlockResponse") == "OVERRIDE" and not all(
                k in d for k in ("BlockOverrideDomain", "BlockOverrideDnsType",
                                 "BlockOverrideTtl")):
            fail("ValidationException", "OVERRIDE needs the three BlockOverride* settings")
        rule = {k: v for k, v in d.items() if k != "CreatorRequestId"}
        rule.setdefault("FirewallDomainRedirectionAction", "INSPECT_REDIRECTION_DOMAIN")
        if advanced:  # Advanced rules are addressed by an id of their own
            rule["FirewallThreatProtectionId"] = new_id(state, "rslvr-ftp-")
        rule["CreatorRequestId"] = d["CreatorRequestId"]
        state["rules"].append(rule)
        return {"FirewallRule": rule}
    if op == "AssociateFirewallRuleGroup":
        find(groups, d["FirewallRuleGroupId"], "rule group")
        if not re.match(r"^vpc-[0-9a-f]{8}([0-9a-f]{9})?$", d["VpcId"]):
            fail("ValidationException", "bad VpcId " + d["VpcId"])
        if not 100 <= d["Priority"] <= 9900:
            fail("ValidationException", "Priority must be between 100 and 9900")
        same_vpc = [a for a in state["assocs"] if a["VpcId"] == d["VpcId"]]
        if any(a["Priority"] == d["Priority"] for a in same_vpc):
            fail("ConflictException", "priority taken in this VPC")
        if len(same_vpc) >= 5:
            fail("LimitExceededException", "5 rule groups per VPC")
        a = {"Id": new_id(state, "rslvr-frgassoc-"), "FirewallRuleGroupId": d["FirewallRuleGroupId"],
             "VpcId": d["VpcId"], "Priority": d["Priority"], "Name": d["Name"],
             "MutationProtection": d.get("MutationProtection", "DISABLED"), "Status": "COMPLETE"}
        state["assocs"].append(a)
        return {"FirewallRuleGroupAssociation": dict(a, Status="UPDATING")}
    if op == "UpdateFirewallConfig":
        state["configs"][d["ResourceId"]] = d["FirewallFailOpen"]
        return {"FirewallConfig": {"Id": "rslvr-fc-0123456789abcdef", "ResourceId": d["ResourceId"],
                                   "OwnerId": "123456789012",
                                   "FirewallFailOpen": d["FirewallFailOpen"]}}
    if op == "GetFirewallConfig":
        return {"FirewallConfig": {"Id": "rslvr-fc-0123456789abcdef", "ResourceId": d["ResourceId"],
                                   "OwnerId": "123456789012",
                                   "FirewallFailOpen": state["configs"].get(d["ResourceId"],
                                                                            "DISABLED")}}
    if op == "ListFirewallConfigs":
        return {"FirewallConfigs": [{"Id": "rslvr-fc-0123456789abcdef", "ResourceId": v,
                                     "OwnerId": "123456789012", "FirewallFailOpen": f}
                                    for v, f in sorted(state["configs"].items())]}
    if op == "ListFirewallRuleGroups":
        return {"FirewallRuleGroups": [{k: g[k] for k in ("Id", "Arn", "Name", "OwnerId",
                                                          "CreatorRequestId", "ShareStatus")}
                                       for g in groups.values()]}
    if op == "ListFirewallRules":
        find(groups, d["FirewallRuleGroupId"], "rule group")
        rules = [r for r in state["rules"] if r["FirewallRuleGroupId"] == d["FirewallRuleGroupId"]]
        return {"FirewallRules": sorted(rules, key=lambda r: r["Priority"])}
    if op == "ListFirewallDomains":
        lst = find(lists, d["FirewallDomainListId"], "domain list")
        return {"Domains": list(lst["Domains"])}
    if op == "ListFirewallDomainLists":
        return {"FirewallDomainLists": [{k: v for k, v in l.items() if k != "Domains"}
                                        for l in lists.values()]}
    if op == "ListFirewallRuleGroupAssociations":
        return {"FirewallRuleGroupAssociations": [
            a for a in state["assocs"] if "VpcId" not in d or a["VpcId"] == d["VpcId"]]}
    if op == "CreateLogGroup":
        name = d["logGroupName"]
        if name in state["log_groups"]:
            fail("ResourceAlreadyExistsException", "The specified log group already exists")
        state["log_groups"][name] = {
            "logGroupName": name,
            "arn": "arn:aws:logs:us-east-1:123456789012:log-group:%s:*" % name}
        return {}
    if op == "PutRetentionPolicy":
        find(state["log_groups"], d["logGroupName"], "log group")["retentionInDays"] = \
            d["retentionInDays"]
        return {}
    if op == "CreateResolverQueryLogConfig":
        arn = d["DestinationArn"]
        if ":log-group:" in arn and arn.split(":log-group:")[1].split(":")[0] not in \
                state["log_groups"]:
            fail("ResourceNotFoundException", "no log group " + arn)
        qid = new_id(state, "rslvr-rqlc-")
        state["query_logs"][qid] = {
            "Id": qid, "Name": d["Name"], "DestinationArn": arn, "Status": "CREATED",
            "OwnerId": "123456789012", "ShareStatus": "NOT_SHARED", "AssociationCount": 0,
            "CreatorRequestId": d["CreatorRequestId"],
            "Arn": "arn:aws:route53resolver:us-east-1:123456789012:resolver-query-log-config/"
                   + qid}
        return {"ResolverQueryLogConfig": dict(state["query_logs"][qid], Status="CREATING")}
    if op == "AssociateResolverQueryLogConfig":
        find(state["query_logs"], d["ResolverQueryLogConfigId"], "query logging configuration")
        a = {"Id": new_id(state, "rslvr-qlcassoc-"),
             "ResolverQueryLogConfigId": d["ResolverQueryLogConfigId"],
             "ResourceId": d["ResourceId"], "Status": "ACTIVE"}
        state["query_log_assocs"].append(a)
        return {"ResolverQueryLogConfigAssociation": dict(a, Status="CREATING")}
    if op == "ListResolverQueryLogConfigs":
        return {"ResolverQueryLogConfigs": list(state["query_logs"].values())}
    if op == "ListResolverQueryLogConfigAssociations":
        want = [f["Values"][0] for f in d.get("Filters", []) if f["Name"] == "ResourceId"]
        return {"ResolverQueryLogConfigAssociations": [
            a for a in state["query_log_assocs"] if not want or a["ResourceId"] in want]}
    fail("Usage", "fake aws: %s is not simulated" % op)


if __name__ == "__main__":
    main()
