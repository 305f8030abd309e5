"""AWS's own definitions as JSON Schemas, for the export tests.

- botocore: every shape of the route53resolver API model becomes a JSON Schema
  definition (structure -> object with its members, required and no other keys;
  list -> array with min/max items; string -> length, pattern (matched against the whole
  value, as AWS does), enum; integer -> range),
  generated here from the model, never written by hand.
- CloudFormation: the registry schemas as they are (they are JSON Schemas).
- Terraform: the provider's argument table (tests/data/terraform) as JSON Schemas.
"""
import json
import os
import re

import jsonschema

DATA = os.environ.get("DNSFW_TEST_DATA") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "data")


def load(path):
    with open(os.path.join(DATA, path)) as f:
        return json.load(f)


# --- botocore ------------------------------------------------------------------------

def _shape_schema(shape):
    t = shape["type"]
    if t == "structure":
        s = {"type": "object",
             "properties": {m: {"$ref": "#/definitions/" + v["shape"]}
                            for m, v in shape.get("members", {}).items()},
             "additionalProperties": False}
        if shape.get("required"):
            s["required"] = list(shape["required"])
        if shape.get("union"):
            s["minProperties"] = 1
            s["maxProperties"] = 1
        return s
    if t == "list":
        s = {"type": "array", "items": {"$ref": "#/definitions/" + shape["member"]["shape"]}}
        if "min" in shape:
            s["minItems"] = shape["min"]
        if "max" in shape:
            s["maxItems"] = shape["max"]
        return s
    if t == "map":
        return {"type": "object",
                "additionalProperties": {"$ref": "#/definitions/" + shape["value"]["shape"]}}
    if t == "string":
        s = {"type": "string"}
        if "min" in shape:
            s["minLength"] = shape["min"]
        if "max" in shape:
            s["maxLength"] = shape["max"]
        if "pattern" in shape:
            # AWS checks a value against the pattern as a whole ("Member must satisfy
            # regular expression pattern"); JSON Schema's pattern searches, which would
            # let "(?!^[0-9]+$)([a-zA-Z0-9\-_' ']+)" accept "12345" (from its 2nd digit)
            s["pattern"] = "^(?:%s)$" % shape["pattern"]
        if "enum" in shape:
            s["enum"] = list(shape["enum"])
        return s
    if t in ("integer", "long"):
        s = {"type": "integer"}
        if "min" in shape:
            s["minimum"] = shape["min"]
        if "max" in shape:
            s["maximum"] = shape["max"]
        return s
    if t in ("double", "float"):
        return {"type": "number"}
    if t == "boolean":
        return {"type": "boolean"}
    if t in ("timestamp", "blob"):
        return {"type": ["string", "number"]}
    raise ValueError("unknown botocore type " + t)


class Botocore:
    """An AWS API model: route53resolver's (the default) or logs' (reduced, see SOURCE.md)."""
    MODELS = {"route53resolver": "aws/route53resolver-2018-04-01-service-2.json",
              "logs": "aws/logs-2014-03-28-service-2.json"}

    def __init__(self, service="route53resolver"):
        self.service = service
        self.model = load(self.MODELS[service])
        self.definitions = {name: _shape_schema(s) for name, s in self.model["shapes"].items()}

    @staticmethod
    def cli_to_operation(cli_name):
        """'create-firewall-rule' -> 'CreateFirewallRule'."""
        return "".join(p.capitalize() for p in cli_name.split("-"))

    def operation(self, cli_name):
        name = self.cli_to_operation(cli_name)
        if name not in self.model["operations"]:
            raise KeyError("no operation %s in the %s model" % (name, self.service))
        return name

    def validator(self, operation, which="input"):
        shape = self.model["operations"][operation][which]["shape"]
        schema = {"$ref": "#/definitions/" + shape, "definitions": self.definitions}
        return jsonschema.Draft7Validator(schema)


def errors(validator, doc):
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(top)", e.message)
            for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))]


# --- CloudFormation ---------------------------------------------------------------------

CFN_SCHEMAS = {
    "AWS::Route53Resolver::FirewallDomainList": "AWS_Route53Resolver_FirewallDomainList.json",
    "AWS::Route53Resolver::FirewallRuleGroup": "AWS_Route53Resolver_FirewallRuleGroup.json",
    "AWS::Route53Resolver::FirewallRuleGroupAssociation":
        "AWS_Route53Resolver_FirewallRuleGroupAssociation.json",
    "AWS::Route53Resolver::ResolverQueryLoggingConfig":
        "AWS_Route53Resolver_ResolverQueryLoggingConfig.json",
    "AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation":
        "AWS_Route53Resolver_ResolverQueryLoggingConfigAssociation.json",
    "AWS::Logs::LogGroup": "AWS_Logs_LogGroup.json",
    "AWS::IAM::Role": "AWS_IAM_Role.json",
    "AWS::Lambda::Function": "AWS_Lambda_Function.json",
}

# What an attribute stands for once deployed: a value of the shape AWS returns.
SAMPLE_ATTRIBUTE = {
    ("AWS::Route53Resolver::FirewallDomainList", "Id"): "rslvr-fdl-0123456789abcdef",
    ("AWS::Route53Resolver::FirewallRuleGroup", "Id"): "rslvr-frg-0123456789abcdef",
    ("AWS::IAM::Role", "Arn"): "arn:aws:iam::123456789012:role/dnsfw-firewall-config",
    ("AWS::Logs::LogGroup", "Arn"):
        "arn:aws:logs:us-east-1:123456789012:log-group:dnsfw-query-log:*",
    ("AWS::Route53Resolver::ResolverQueryLoggingConfig", "Id"): "rslvr-rqlc-0123456789abcdef",
    ("AWS::Lambda::Function", "Arn"):
        "arn:aws:lambda:us-east-1:123456789012:function:dnsfw-firewall-config",
}
PSEUDO_PARAMETERS = {"AWS::Region": "us-east-1", "AWS::Partition": "aws",
                     "AWS::AccountId": "123456789012"}
SAMPLE_PARAMETER = {"AWS::EC2::VPC::Id": "vpc-0123456789abcdef0", "String": "x"}


def cfn_schema(type_name):
    return load("aws/cloudformation-schemas/" + CFN_SCHEMAS[type_name])


def read_only_paths(schema):
    return [p[len("/properties/"):].split("/") for p in schema.get("readOnlyProperties", [])]


def has_path(value, path):
    if not path:
        return True
    if path[0] == "*":
        return isinstance(value, list) and any(has_path(v, path[1:]) for v in value)
    return isinstance(value, dict) and path[0] in value and has_path(value[path[0]], path[1:])


class TemplateError(Exception):
    pass


def resolve_intrinsics(value, template, where):
    """Replace Ref / Fn::GetAtt / Fn::Sub by values of the shape they stand for, after
    checking that what they name exists (a parameter, a resource, a read-only attribute
    of the resource's registry schema)."""
    if isinstance(value, list):
        return [resolve_intrinsics(v, template, where) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key, arg), = value.items()
        if key == "Ref":
            params = template.get("Parameters", {})
            if arg in params:
                return params[arg].get("Default",
                                       SAMPLE_PARAMETER.get(params[arg]["Type"], "x"))
            if arg in template["Resources"]:
                return "ref-" + arg
            if arg in PSEUDO_PARAMETERS:
                return PSEUDO_PARAMETERS[arg]
            raise TemplateError("%s: Ref to undefined %r" % (where, arg))
        if key == "Fn::GetAtt":
            res, attr = arg if isinstance(arg, list) else arg.split(".", 1)
            if res not in template["Resources"]:
                raise TemplateError("%s: Fn::GetAtt of undefined %r" % (where, res))
            rtype = template["Resources"][res]["Type"]
            if rtype in CFN_SCHEMAS:
                ro = [p[0] for p in read_only_paths(cfn_schema(rtype)) if len(p) == 1]
                if attr not in ro:
                    raise TemplateError("%s: %s has no attribute %r (read-only properties: %s)"
                                        % (where, rtype, attr, ro))
            return SAMPLE_ATTRIBUTE.get((rtype, attr), "value-of-" + res + "-" + attr)
        if key == "Fn::FindInMap":
            table = template.get("Mappings", {}).get(arg[0])
            top = resolve_intrinsics(arg[1], template, where)
            if not isinstance(table, dict) or not table:
                raise TemplateError("%s: Fn::FindInMap of undefined mapping %r" % (where, arg[0]))
            # a pseudo parameter (AWS::Region) stands for any of the mapping's keys
            rows = [table[top]] if top in table else list(table.values())
            if not all(arg[2] in r for r in rows):
                raise TemplateError("%s: Fn::FindInMap: %r is missing from mapping %r"
                                    % (where, arg[2], arg[0]))
            return rows[0][arg[2]]
        if key == "Fn::Sub":
            text = arg if isinstance(arg, str) else arg[0]
            return re.sub(r"\$\{AWS::Partition\}", "aws", text)
    return {k: resolve_intrinsics(v, template, where) for k, v in value.items()}


# --- Terraform ------------------------------------------------------------------------------

def tf_schemas():
    table = load("terraform/aws-route53resolver-firewall.json")
    name_rule = table["name_validation"]
    out = {}
    for rtype, rs in table["resource_schemas"].items():
        props, required = {}, []
        for arg, a in rs["attributes"].items():
            if a.get("computed") and not (a.get("optional") or a.get("required")):
                continue  # set by the provider, never written
            t = a["type"]
            if t == "string":
                s = {"type": "string"}
            elif t == "number":
                s = {"type": "number"}
            elif t == "bool":
                s = {"type": "boolean"}
            elif t[0] in ("set", "list"):
                s = {"type": "array", "items": {"type": t[1]}}
                if t[0] == "set":
                    s["uniqueItems"] = True
            elif t[0] == "map":
                s = {"type": "object", "additionalProperties": {"type": t[1]}}
            else:
                raise ValueError(t)
            for k in ("enum", "minLength", "maxLength", "minimum", "maximum"):
                if k in a:
                    s[k] = a[k]
            if a.get("validation") == "name":
                s.update({"pattern": name_rule["pattern"], "maxLength": name_rule["maxLength"],
                          "not": {"pattern": name_rule["not"]}})
            props[arg] = s
            if a.get("required"):
                required.append(arg)
        out[rtype] = {"type": "object", "properties": props, "required": required,
                      "additionalProperties": False}
        if "exactly_one_of" in rs:  # alternative sets of arguments, e.g. a rule's match source
            out[rtype]["oneOf"] = [{"required": group} for group in rs["exactly_one_of"]]
    return out, table
