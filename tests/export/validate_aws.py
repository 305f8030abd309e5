#!/usr/bin/python3
"""Validate dnsfw-export's AWS outputs against AWS's own definitions (awsdefs.py).

    validate_aws.py cfn TEMPLATE...     every resource against its CloudFormation registry
                                        schema (after following Ref / Fn::GetAtt)
    validate_aws.py cli DIR...          every document against the input shape of its
                                        route53resolver operation (botocore model)
    validate_aws.py tf FILE...          every resource against the provider's arguments
    validate_aws.py outputs DIR...      saved "aws route53resolver" outputs against the
                                        output shapes (used for the import fixtures)

Prints one line per file; exit 1 when anything does not validate.
"""
import json
import os
import re
import sys

sys.dont_write_bytecode = True  # keep the source tree clean of __pycache__

import awsdefs

failed = 0


def report(path, problems):
    global failed
    if problems:
        failed += 1
        print("FAIL " + path)
        for p in problems[:30]:
            print("       " + p)
    else:
        print("ok   " + path)


# --- CloudFormation ---------------------------------------------------------------------

TEMPLATE_KEYS = {"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters",
                 "Resources", "Outputs", "Conditions", "Mappings", "Transform", "Rules"}
RESOURCE_KEYS = {"Type", "Properties", "DependsOn", "Metadata", "Condition", "DeletionPolicy",
                 "UpdateReplacePolicy", "CreationPolicy", "UpdatePolicy"}
LOGICAL_ID = re.compile(r"^[A-Za-z0-9]{1,255}$")


def check_template(path, botocore):
    problems = []
    t = json.load(open(path))
    problems += ["unknown template key %r" % k for k in set(t) - TEMPLATE_KEYS]
    if t.get("AWSTemplateFormatVersion") != "2010-09-09":
        problems.append("AWSTemplateFormatVersion must be 2010-09-09")
    resources = t.get("Resources", {})
    if not resources:
        problems.append("no Resources")
    for name, p in t.get("Parameters", {}).items():
        if not LOGICAL_ID.match(name) or "Type" not in p:
            problems.append("parameter %r: bad name or no Type" % name)
    counted = {}
    for lid, r in resources.items():
        where = "Resources/" + lid
        if not LOGICAL_ID.match(lid):
            problems.append(where + ": a logical id must be 1 to 255 letters and digits")
        problems += ["%s: unknown resource attribute %r" % (where, k) for k in set(r) - RESOURCE_KEYS]
        for dep in r.get("DependsOn", []):
            if dep not in resources:
                problems.append("%s: DependsOn %r is not a resource" % (where, dep))
        rtype = r.get("Type", "")
        counted[rtype] = counted.get(rtype, 0) + 1
        try:
            props = awsdefs.resolve_intrinsics(r.get("Properties", {}), t, where)
        except awsdefs.TemplateError as e:
            problems.append(str(e))
            continue
        if rtype.startswith("Custom::"):
            # a custom resource has no registry schema: ServiceToken is CloudFormation's, the
            # rest goes to UpdateFirewallConfig as it is, so it must be that call's input
            if "ServiceToken" not in props:
                problems.append(where + ": a custom resource needs a ServiceToken")
            call = {k: v for k, v in props.items() if k != "ServiceToken"}
            v = botocore.validator("UpdateFirewallConfig")
            problems += [where + ": " + e for e in awsdefs.errors(v, call)]
            continue
        if rtype not in awsdefs.CFN_SCHEMAS:
            problems.append("%s: no registry schema for %s" % (where, rtype))
            continue
        schema = awsdefs.cfn_schema(rtype)
        v = awsdefs.jsonschema.Draft7Validator(
            {k: v for k, v in schema.items() if k != "$schema"})
        problems += [where + "/Properties/" + e for e in awsdefs.errors(v, props)]
        for path_ in awsdefs.read_only_paths(schema):
            if awsdefs.has_path(props, path_):
                problems.append("%s: sets the read-only property %s" % (where, "/".join(path_)))
        if rtype == "AWS::Lambda::Function" and "ZipFile" in props.get("Code", {}):
            try:
                compile(props["Code"]["ZipFile"], where + "/Code/ZipFile", "exec")
            except SyntaxError as e:
                problems.append("%s: the inline code does not compile: %s" % (where, e))
    return problems, counted


# --- CLI documents ------------------------------------------------------------------------

DOC_NAME = re.compile(r"^(\d{4})-([a-z-]+)\.(.*)\.json$")
STAGE = {"create-firewall-domain-list": 0, "update-firewall-domains": 0,
         "create-firewall-rule-group": 1, "create-firewall-rule": 1,
         "associate-firewall-rule-group": 2, "update-firewall-config": 3,
         "logs-create-log-group": 4, "logs-put-retention-policy": 4,
         "create-resolver-query-log-config": 5, "associate-resolver-query-log-config": 6}
PLACEHOLDER = re.compile(r"@([A-Z_]+?_?[0-9]*)@")


def check_cli_dir(d, botocore):
    problems = []
    logs = awsdefs.Botocore("logs")
    docs = sorted(f for f in os.listdir(d) if f.endswith(".json"))
    script = open(os.path.join(d, "run.sh")).read()
    last_stage = 0
    for f in docs:
        m = DOC_NAME.match(f)
        if not m:
            problems.append(f + ": not a NNNN-operation.label.json name")
            continue
        op = m.group(2)
        doc = json.load(open(os.path.join(d, f)))
        # "logs-OPERATION": an "aws logs" call, run by run_logs
        model, call, runner = (logs, op[5:], "run_logs") if op.startswith("logs-") else \
            (botocore, op, "run")
        try:
            v = model.validator(model.operation(call))
        except KeyError as e:
            problems.append("%s: %s" % (f, e))
            continue
        problems += ["%s: %s" % (f, e) for e in awsdefs.errors(v, doc)]
        # dependency order: lists with their domains, then rule groups with their rules,
        # then associations, then the fail-open setting (ids come from placeholders, below)
        stage = STAGE.get(op)
        if stage is None:
            problems.append(f + ": unexpected operation " + op)
        elif stage < last_stage:
            problems.append(f + ": out of dependency order")
        else:
            last_stage = stage
        if op == "update-firewall-domains" and len(doc.get("Domains", [])) > 1000:
            problems.append(f + ": more than 1,000 domains in one UpdateFirewallDomains call")
        # every document is run by the script, in this order
        if not re.search(r"%s %s %s(\s|$)" % (runner, re.escape(f), call), script):
            problems.append(f + ": run.sh does not run it as " + op)
        # every placeholder is an id the script has remembered before this document
        pos = script.find("%s %s" % (runner, f))
        for ph in set(PLACEHOLDER.findall(json.dumps(doc))):
            if script.find("remember %s " % ph, 0, pos) < 0 and \
                    script.find("remember_arn %s " % ph, 0, pos) < 0:
                problems.append("%s: @%s@ is not known when the document runs" % (f, ph))
    run_lines = re.findall(r"^\s*(?:\w+=\$\()?run(?:_logs)? (\S+)", script, re.M)
    if run_lines != docs:
        problems.append("run.sh runs %d documents, the directory has %d (or another order)"
                        % (len(run_lines), len(docs)))
    return problems


# --- Terraform --------------------------------------------------------------------------------

INTERP = re.compile(r"\$\{([^}]*)\}")


def check_tf(path):
    problems = []
    schemas, table = awsdefs.tf_schemas()
    t = json.load(open(path))
    resources = t.get("resource", {})
    variables = t.get("variable", {})
    for rtype, instances in resources.items():
        if rtype not in schemas:
            problems.append("resource type %s is not a resource of the provider's table "
                            "(tests/data/terraform)" % rtype)
            continue
        v = awsdefs.jsonschema.Draft7Validator(schemas[rtype])
        for name, args in instances.items():
            where = "%s.%s" % (rtype, name)
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", name):
                problems.append(where + ": not a Terraform resource name")
            # an interpolation's value is unknown until apply: check what it refers to,
            # then validate with a value of the right shape
            resolved = {}
            for k, val in args.items():
                if isinstance(val, str) and INTERP.search(val):
                    for ref in INTERP.findall(val):
                        parts = ref.split(".")
                        m = re.match(r'^local\.(\w+)\["(\w+)"\]\[data\.aws_region\.current\.name\]$',
                                     ref)
                        if parts[0] == "local":  # a managed list's id by Region
                            if not m or m.group(2) not in t.get("locals", {}).get(m.group(1), {}) \
                                    or "current" not in t.get("data", {}).get("aws_region", {}):
                                problems.append("%s.%s: %s is not a local of the file looked "
                                                "up by the current Region" % (where, k, ref))
                            continue
                        if parts[0] == "var":
                            if parts[1] not in variables:
                                problems.append("%s.%s: undeclared variable %s" % (where, k, ref))
                        elif parts[0] not in resources or parts[1] not in resources[parts[0]]:
                            problems.append("%s.%s: %s is not a resource of the file"
                                            % (where, k, ref))
                        elif parts[2] != "id" and \
                                parts[2] not in table["resource_schemas"][parts[0]]["attributes"]:
                            problems.append("%s.%s: %s has no attribute %s"
                                            % (where, k, parts[0], parts[2]))
                    val = "rslvr-x-0123456789abcdef" if k.endswith("_id") else "x"
                resolved[k] = val
            problems += [where + "." + e for e in awsdefs.errors(v, resolved)]
    for name, var in variables.items():
        if set(var) - {"type", "description", "default", "sensitive", "nullable", "validation"}:
            problems.append("variable %s: unknown keys" % name)
    return problems


# --- saved outputs ---------------------------------------------------------------------------

OUTPUT_KEYS = {
    "FirewallRuleGroups": "ListFirewallRuleGroups", "FirewallRules": "ListFirewallRules",
    "Domains": "ListFirewallDomains", "FirewallConfig": "GetFirewallConfig",
    "FirewallDomainLists": "ListFirewallDomainLists",
    "FirewallRuleGroupAssociations": "ListFirewallRuleGroupAssociations",
    "ResolverQueryLogConfigs": "ListResolverQueryLogConfigs",
    "ResolverQueryLogConfigAssociations": "ListResolverQueryLogConfigAssociations",
}
# "aws logs describe-log-groups": not in the reduced logs model; its fields as AWS documents
LOG_GROUPS = {"type": "object", "required": ["logGroups"], "properties": {"logGroups": {
    "type": "array", "items": {"type": "object", "required": ["logGroupName", "arn"],
                               "properties": {"logGroupName": {"type": "string"},
                                              "arn": {"type": "string"},
                                              "retentionInDays": {"type": "integer"}}}}}}


def check_outputs(d, botocore):
    problems = []
    for f in sorted(os.listdir(d)):
        if not f.endswith(".json"):
            continue
        doc = json.load(open(os.path.join(d, f)))
        if "logGroups" in doc:
            v = awsdefs.jsonschema.Draft7Validator(LOG_GROUPS)
            problems += ["%s: %s" % (f, e) for e in awsdefs.errors(v, doc)]
            continue
        ops = [OUTPUT_KEYS[k] for k in doc if k in OUTPUT_KEYS]
        if len(ops) != 1:
            problems.append(f + ": not one recognised output")
            continue
        v = botocore.validator(ops[0], "output")
        problems += ["%s: %s" % (f, e) for e in awsdefs.errors(v, doc)]
    return problems


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    kind, paths = sys.argv[1], sys.argv[2:]
    botocore = awsdefs.Botocore()
    for p in paths:
        if kind == "cfn":
            problems, counted = check_template(p, botocore)
            report(p + " (%s)" % ", ".join("%d %s" % (n, t.split("::")[-1])
                                           for t, n in sorted(counted.items())), problems)
        elif kind == "cli":
            report(p, check_cli_dir(p, botocore))
        elif kind == "tf":
            report(p, check_tf(p))
        elif kind == "outputs":
            report(p, check_outputs(p, botocore))
        else:
            print(__doc__)
            return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
