/*
 * CloudFormation: one AWS::Route53Resolver::FirewallDomainList per list, one
 * FirewallRuleGroup (with its rules) and one FirewallRuleGroupAssociation per rule
 * group, and the fail-open setting. AWS::Route53Resolver::FirewallConfig cannot be
 * deployed (CloudFormation does not provision it in every Region), so, like the
 * platform's construct, the template sets FirewallFailOpen through a Lambda-backed
 * custom resource that calls UpdateFirewallConfig (and restores AWS's default,
 * DISABLED, when the stack is deleted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "export.h"
#include "json_out.h"

#define VPC_PARAMETER "VpcId"

static const char lambda_code[] =
    "import boto3\n"
    "import cfnresponse\n"
    "\n"
    "# Sets FirewallFailOpen for the VPC with UpdateFirewallConfig; when the resource is\n"
    "# deleted, puts back AWS's default, DISABLED, and, as the platform's construct does,\n"
    "# succeeds when the VPC or its configuration is already gone. Written by dnsfw-export.\n"
    "GONE = (\"ResourceNotFoundException\", \"ValidationException\")\n"
    "\n"
    "def handler(event, context):\n"
    "    props = event[\"ResourceProperties\"]\n"
    "    vpc = props[\"ResourceId\"]\n"
    "    delete = event[\"RequestType\"] == \"Delete\"\n"
    "    status = cfnresponse.SUCCESS\n"
    "    try:\n"
    "        value = \"DISABLED\" if delete else props[\"FirewallFailOpen\"]\n"
    "        boto3.client(\"route53resolver\").update_firewall_config(\n"
    "            ResourceId=vpc, FirewallFailOpen=value)\n"
    "    except Exception as e:\n"
    "        code = getattr(e, \"response\", {}).get(\"Error\", {}).get(\"Code\", \"\")\n"
    "        print(\"UpdateFirewallConfig failed: %s\" % e)\n"
    "        if not (delete and code in GONE):\n"
    "            status = cfnresponse.FAILED\n"
    "    cfnresponse.send(event, context, status, {}, vpc)\n";

static cJSON *get_att(const char *resource, const char *attribute)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *a = cJSON_AddArrayToObject(o, "Fn::GetAtt");
    cJSON_AddItemToArray(a, cJSON_CreateString(resource));
    cJSON_AddItemToArray(a, cJSON_CreateString(attribute));
    return o;
}

static cJSON *vpc_value(const struct export_opts *o)
{
    if (o->vpc_id)
        return cJSON_CreateString(o->vpc_id);
    cJSON *ref = cJSON_CreateObject();
    cJSON_AddStringToObject(ref, "Ref", VPC_PARAMETER);
    return ref;
}

/* An AWS-managed list's id: the same everywhere, or looked up by Region. */
static cJSON *managed_ref(const struct fw_list *l, const char *key)
{
    const char *any = fw_list_managed_id(l, "*");
    if (any)
        return cJSON_CreateString(any);
    cJSON *o = cJSON_CreateObject();
    cJSON *a = cJSON_AddArrayToObject(o, "Fn::FindInMap");
    cJSON_AddItemToArray(a, cJSON_CreateString(FW_MANAGED_MAP));
    cJSON *region = cJSON_CreateObject();
    cJSON_AddStringToObject(region, "Ref", "AWS::Region");
    cJSON_AddItemToArray(a, region);
    cJSON_AddItemToArray(a, cJSON_CreateString(key));
    return o;
}

/* Mappings (Region -> key -> id) and Metadata (key -> name, managed name, ids) of the
 * managed lists; the Metadata brings them back on --import. */
static void add_managed(cJSON *t, cJSON *meta, const struct fw_model *m, char (*keys)[128])
{
    cJSON *map = NULL, *md = NULL;
    for (size_t i = 0; i < m->n_lists; i++) {
        const struct fw_list *l = &m->lists[i];
        if (!l->managed)
            continue;
        if (!md)
            md = cJSON_AddObjectToObject(meta, "ManagedDomainLists");
        cJSON *e = cJSON_AddObjectToObject(md, keys[i]);
        cJSON_AddStringToObject(e, "Name", l->name);
        if (l->managed_name)
            cJSON_AddStringToObject(e, "Managed", l->managed_name);
        else
            cJSON_AddTrueToObject(e, "Managed");
        cJSON *ids = cJSON_AddObjectToObject(e, "Ids");
        for (size_t j = 0; j < l->n_ids; j++) {
            cJSON_AddStringToObject(ids, l->ids[j].region, l->ids[j].id);
            if (strcmp(l->ids[j].region, "*") == 0)
                continue;
            if (!map)
                map =
                    cJSON_AddObjectToObject(cJSON_AddObjectToObject(t, "Mappings"), FW_MANAGED_MAP);
            cJSON *row = cJSON_GetObjectItemCaseSensitive(map, l->ids[j].region);
            if (!row)
                row = cJSON_AddObjectToObject(map, l->ids[j].region);
            cJSON_AddStringToObject(row, keys[i], l->ids[j].id);
        }
    }
}

/* What the rule matches: its domain list, or a DNS Firewall Advanced protection with its
 * confidence threshold (the CloudFormation schema takes one or the other). */
static void add_match_source(cJSON *p, const struct fw_model *m, const struct fw_rule *r,
                             char (*list_ids)[128])
{
    if (r->threat) {
        cJSON_AddStringToObject(p, "DnsThreatProtection", dnsfw_threat_name(r->threat));
        cJSON_AddStringToObject(p, "ConfidenceThreshold", dnsfw_confidence_name(r->confidence));
        return;
    }
    const struct fw_list *l = &m->lists[r->list];
    cJSON_AddItemToObject(p, "FirewallDomainListId",
                          l->managed ? managed_ref(l, list_ids[r->list])
                                     : get_att(list_ids[r->list], "Id"));
}

static cJSON *rule_properties(const struct fw_model *m, const struct fw_rule *r,
                              char (*list_ids)[128])
{
    cJSON *p = cJSON_CreateObject();
    char qtype[16];
    cJSON_AddNumberToObject(p, "Priority", r->priority);
    cJSON_AddStringToObject(p, "Action", dnsfw_action_name(r->action));
    add_match_source(p, m, r, list_ids);
    if (r->action == DNSFW_ACTION_BLOCK)
        cJSON_AddStringToObject(p, "BlockResponse", dnsfw_block_response_name(r->response));
    if (r->response == DNSFW_RESPONSE_OVERRIDE) {
        cJSON_AddStringToObject(p, "BlockOverrideDomain", r->override_domain);
        cJSON_AddStringToObject(p, "BlockOverrideDnsType", "CNAME");
        cJSON_AddNumberToObject(p, "BlockOverrideTtl", r->override_ttl);
    }
    if (r->qtype) {
        fw_qtype_text(r->qtype, qtype);
        cJSON_AddStringToObject(p, "Qtype", qtype);
    }
    cJSON_AddStringToObject(p, "FirewallDomainRedirectionAction",
                            dnsfw_redirection_name(r->redirection));
    (void)m;
    return p;
}

static void add_fail_open(cJSON *resources, const struct fw_model *m, const struct export_opts *o,
                          char (*assoc_ids)[128])
{
    cJSON *role = cJSON_AddObjectToObject(resources, "FirewallConfigRole");
    cJSON_AddStringToObject(role, "Type", "AWS::IAM::Role");
    cJSON *rp = cJSON_AddObjectToObject(role, "Properties");
    cJSON *trust = cJSON_AddObjectToObject(rp, "AssumeRolePolicyDocument");
    cJSON_AddStringToObject(trust, "Version", "2012-10-17");
    cJSON *st = cJSON_CreateObject();
    cJSON_AddStringToObject(st, "Effect", "Allow");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(st, "Principal"), "Service",
                            "lambda.amazonaws.com");
    cJSON_AddStringToObject(st, "Action", "sts:AssumeRole");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(trust, "Statement"), st);
    cJSON *managed = cJSON_AddArrayToObject(rp, "ManagedPolicyArns");
    cJSON *sub = cJSON_CreateObject();
    cJSON_AddStringToObject(
        sub, "Fn::Sub",
        "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
    cJSON_AddItemToArray(managed, sub);
    cJSON *pol = cJSON_CreateObject();
    cJSON_AddStringToObject(pol, "PolicyName", "update-firewall-config");
    cJSON *doc = cJSON_AddObjectToObject(pol, "PolicyDocument");
    cJSON_AddStringToObject(doc, "Version", "2012-10-17");
    st = cJSON_CreateObject();
    cJSON_AddStringToObject(st, "Effect", "Allow");
    /* UpdateFirewallConfig needs ec2:DescribeVpcs too; neither has resource-level
     * permissions (the platform's construct grants the same) */
    cJSON *actions = cJSON_AddArrayToObject(st, "Action");
    cJSON_AddItemToArray(actions, cJSON_CreateString("route53resolver:UpdateFirewallConfig"));
    cJSON_AddItemToArray(actions, cJSON_CreateString("ec2:DescribeVpcs"));
    cJSON_AddStringToObject(st, "Resource", "*");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "Statement"), st);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(rp, "Policies"), pol);

    cJSON *fn = cJSON_AddObjectToObject(resources, "FirewallConfigFunction");
    cJSON_AddStringToObject(fn, "Type", "AWS::Lambda::Function");
    cJSON *fp = cJSON_AddObjectToObject(fn, "Properties");
    cJSON_AddStringToObject(fp, "Runtime", "python3.12");
    cJSON_AddStringToObject(fp, "Handler", "index.handler");
    cJSON_AddNumberToObject(fp, "Timeout", 60);
    cJSON_AddItemToObject(fp, "Role", get_att("FirewallConfigRole", "Arn"));
    cJSON_AddStringToObject(cJSON_AddObjectToObject(fp, "Code"), "ZipFile", lambda_code);

    cJSON *cr = cJSON_AddObjectToObject(resources, "FirewallConfig");
    cJSON_AddStringToObject(cr, "Type", "Custom::DnsFirewallConfig");
    if (m->n_groups) {
        /* as the construct does: the setting follows the associations */
        cJSON *dep = cJSON_AddArrayToObject(cr, "DependsOn");
        for (size_t i = 0; i < m->n_groups; i++)
            cJSON_AddItemToArray(dep, cJSON_CreateString(assoc_ids[i]));
    }
    cJSON *cp = cJSON_AddObjectToObject(cr, "Properties");
    cJSON_AddItemToObject(cp, "ServiceToken", get_att("FirewallConfigFunction", "Arn"));
    cJSON_AddItemToObject(cp, "ResourceId", vpc_value(o));
    cJSON_AddStringToObject(cp, "FirewallFailOpen", m->fail_open == 1 ? "ENABLED" : "DISABLED");
}

#define QUERY_LOG_PARAMETER "QueryLogDestinationArn"

/* Resolver query logging for the VPC: the platform's CloudWatch Logs group (30 days),
 * or an S3 bucket or Firehose stream given by its ARN (--query-log-arn, or a parameter). */
static void add_query_log(cJSON *res, const struct fw_model *m, const struct export_opts *o)
{
    const struct fw_query_log *q = &m->query_log;
    if (q->dest == FW_QUERY_LOG_NONE || q->dest == FW_QUERY_LOG_UNKNOWN)
        return;
    cJSON *dest;
    if (q->dest == FW_QUERY_LOG_CLOUDWATCH) {
        cJSON *lg = cJSON_AddObjectToObject(res, "QueryLogGroup");
        cJSON_AddStringToObject(lg, "Type", "AWS::Logs::LogGroup");
        cJSON_AddNumberToObject(cJSON_AddObjectToObject(lg, "Properties"), "RetentionInDays",
                                q->retention);
        dest = get_att("QueryLogGroup", "Arn");
    } else if (q->arn) {
        dest = cJSON_CreateString(q->arn);
    } else {
        dest = cJSON_CreateObject();
        cJSON_AddStringToObject(dest, "Ref", QUERY_LOG_PARAMETER);
    }
    cJSON *cfg = cJSON_AddObjectToObject(res, "QueryLogConfig");
    cJSON_AddStringToObject(cfg, "Type", "AWS::Route53Resolver::ResolverQueryLoggingConfig");
    cJSON *p = cJSON_AddObjectToObject(cfg, "Properties");
    cJSON_AddStringToObject(p, "Name", q->name ? q->name : FW_QUERY_LOG_NAME);
    cJSON_AddItemToObject(p, "DestinationArn", dest);
    cJSON *as = cJSON_AddObjectToObject(res, "QueryLogAssociation");
    cJSON_AddStringToObject(as, "Type",
                            "AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation");
    p = cJSON_AddObjectToObject(as, "Properties");
    cJSON_AddItemToObject(p, "ResolverQueryLogConfigId", get_att("QueryLogConfig", "Id"));
    cJSON_AddItemToObject(p, "ResourceId", vpc_value(o));
}

int export_cloudformation(const struct fw_model *m, const struct export_opts *o, struct outset *out)
{
    struct strmap seen = {0};
    char(*list_ids)[128] = calloc(m->n_lists + 1, sizeof *list_ids);
    char(*group_ids)[128] = calloc(m->n_groups + 1, sizeof *group_ids);
    char(*assoc_ids)[128] = calloc(m->n_groups + 1, sizeof *assoc_ids);
    cJSON *t = cJSON_CreateObject();
    if (!list_ids || !group_ids || !assoc_ids || !t) {
        free(list_ids), free(group_ids), free(assoc_ids), cJSON_Delete(t);
        return -1;
    }
    /* reserved for the fail-open and query-logging resources */
    const char *fixed[] = {"FirewallConfig", "FirewallConfigRole", "FirewallConfigFunction",
                           "QueryLogGroup",  "QueryLogConfig",     "QueryLogAssociation"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        void **slot = strmap_slot(&seen, fixed[i], strlen(fixed[i]));
        if (slot)
            *slot = (void *)1;
    }

    cJSON_AddStringToObject(t, "AWSTemplateFormatVersion", "2010-09-09");
    cJSON_AddStringToObject(t, "Description",
                            "Route 53 Resolver DNS Firewall configuration written by "
                            "dnsfw-export");
    cJSON *meta = cJSON_AddObjectToObject(cJSON_AddObjectToObject(t, "Metadata"), "libdnsfw");
    cJSON_AddStringToObject(meta, "FirewallFailOpen", m->fail_open == 1 ? "ENABLED" : "DISABLED");
    bool arn_param =
        (m->query_log.dest == FW_QUERY_LOG_S3 || m->query_log.dest == FW_QUERY_LOG_FIREHOSE) &&
        !m->query_log.arn;
    cJSON *params = !o->vpc_id || arn_param ? cJSON_AddObjectToObject(t, "Parameters") : NULL;
    if (!o->vpc_id) {
        cJSON *par = cJSON_AddObjectToObject(params, VPC_PARAMETER);
        cJSON_AddStringToObject(par, "Type", "AWS::EC2::VPC::Id");
        cJSON_AddStringToObject(par, "Description",
                                "The VPC whose DNS queries the rule groups filter");
    }
    if (arn_param) {
        cJSON *par = cJSON_AddObjectToObject(params, QUERY_LOG_PARAMETER);
        cJSON_AddStringToObject(par, "Type", "String");
        cJSON_AddStringToObject(par, "Description",
                                m->query_log.dest == FW_QUERY_LOG_S3
                                    ? "The S3 bucket (arn:aws:s3:::BUCKET[/PREFIX]) that "
                                      "receives the Resolver query logs"
                                    : "The Firehose delivery stream that receives the "
                                      "Resolver query logs");
    }
    cJSON *res = cJSON_AddObjectToObject(t, "Resources");

    struct strmap managed_keys = {0};
    for (size_t i = 0; i < m->n_lists; i++) {
        const struct fw_list *l = &m->lists[i];
        if (l->managed) { /* AWS's: referenced, never created */
            export_ident(&managed_keys, IDENT_CFN, "", l->name, list_ids[i], sizeof list_ids[i]);
            continue;
        }
        export_ident(&seen, IDENT_CFN, "List", l->name, list_ids[i], sizeof list_ids[i]);
        cJSON *r = cJSON_AddObjectToObject(res, list_ids[i]);
        cJSON_AddStringToObject(r, "Type", "AWS::Route53Resolver::FirewallDomainList");
        cJSON *p = cJSON_AddObjectToObject(r, "Properties");
        cJSON_AddStringToObject(p, "Name", l->name);
        if (l->n_specs) {
            cJSON *d = cJSON_AddArrayToObject(p, "Domains");
            char spec[AWS_SPEC_MAX + 3];
            for (size_t j = 0; j < l->n_specs; j++) {
                export_spec(l->specs[j], o->fqdn, spec);
                cJSON_AddItemToArray(d, cJSON_CreateString(spec));
            }
        }
    }
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct fw_group *g = &m->groups[i];
        export_ident(&seen, IDENT_CFN, "RuleGroup", g->name, group_ids[i], sizeof group_ids[i]);
        cJSON *r = cJSON_AddObjectToObject(res, group_ids[i]);
        cJSON_AddStringToObject(r, "Type", "AWS::Route53Resolver::FirewallRuleGroup");
        if (!m->tiered && g->n_rules) {
            /* CloudFormation rules have no Name; keep them for the way back */
            cJSON *names = cJSON_AddObjectToObject(
                cJSON_AddObjectToObject(cJSON_AddObjectToObject(r, "Metadata"), "libdnsfw"),
                "RuleNames");
            for (size_t j = 0; j < g->n_rules; j++) {
                char key[16];
                snprintf(key, sizeof key, "%u", g->rules[j].priority);
                cJSON_AddStringToObject(names, key, g->rules[j].name);
            }
        }
        cJSON *p = cJSON_AddObjectToObject(r, "Properties");
        cJSON_AddStringToObject(p, "Name", g->name);
        cJSON *rules = cJSON_AddArrayToObject(p, "FirewallRules");
        for (size_t j = 0; j < g->n_rules; j++)
            cJSON_AddItemToArray(rules, rule_properties(m, &g->rules[j], list_ids));
    }
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct fw_group *g = &m->groups[i];
        export_ident(&seen, IDENT_CFN, "Association", g->name, assoc_ids[i], sizeof assoc_ids[i]);
        cJSON *r = cJSON_AddObjectToObject(res, assoc_ids[i]);
        cJSON_AddStringToObject(r, "Type", "AWS::Route53Resolver::FirewallRuleGroupAssociation");
        cJSON *p = cJSON_AddObjectToObject(r, "Properties");
        cJSON_AddItemToObject(p, "FirewallRuleGroupId", get_att(group_ids[i], "Id"));
        cJSON_AddItemToObject(p, "VpcId", vpc_value(o));
        cJSON_AddNumberToObject(p, "Priority", g->priority);
        cJSON_AddStringToObject(p, "Name", g->assoc_name ? g->assoc_name : g->name);
    }
    add_query_log(res, m, o);
    if (o->fail_open_resource == FAIL_OPEN_LAMBDA)
        add_fail_open(res, m, o, assoc_ids);
    add_managed(t, meta, m, list_ids);
    strmap_free(&managed_keys, NULL);

    struct buf *b = outset_add(out, "template.json", false);
    if (b)
        json_out(b, t);
    cJSON_Delete(t);
    strmap_free(&seen, NULL);
    free(list_ids), free(group_ids), free(assoc_ids);
    return b ? 0 : -1;
}
