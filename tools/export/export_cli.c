/*
 * The AWS CLI route: one --cli-input-json document per route53resolver call, numbered in
 * dependency order (domain lists, their domains in batches of 1,000, rule groups, rules,
 * associations, UpdateFirewallConfig), and run.sh, which makes the calls with the AWS CLI
 * and puts the ids AWS returns into the documents that need them. The documents carry
 * placeholders (@LIST_1@, @GROUP_1@, @VPC_ID@) where those ids go; each placeholder is a
 * valid value of its field, so the documents validate against the API model as written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "export.h"
#include "json_out.h"

struct cli {
    const struct fw_model *m;
    const struct export_opts *o;
    struct outset *out;
    struct buf *sh;
    struct strmap seen; /* file names */
    unsigned step;
    bool failed;
};

/* Add one document; its file name is returned in file. */
static void document(struct cli *c, const char *op, const char *label, cJSON *doc, char *file,
                     size_t size)
{
    char base[200];
    snprintf(base, sizeof base, "%04u-%s.%s.json", ++c->step, op, label);
    export_ident(&c->seen, IDENT_FILE, "", base, file, size);
    struct buf *b = outset_add(c->out, file, false);
    if (!b)
        c->failed = true;
    else
        json_out(b, doc);
    cJSON_Delete(doc);
}

/* Only in a run.sh whose policy has AWS-managed lists. */
static const char managed_function[] =
    "# managed_list AWS_NAME \"REGION=ID ...\": the id of an AWS-managed domain list in\n"
    "# the Region the CLI uses, from the policy's ids, else looked up by its name\n"
    "managed_list() {\n"
    "    region=${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region || true)}}\n"
    "    for pair in $2; do\n"
    "        case ${pair%%=*} in\n"
    "        \"$region\" | '*') echo \"${pair#*=}\"; return 0 ;;\n"
    "        esac\n"
    "    done\n"
    "    if [ -n \"$1\" ]; then\n"
    "        id=$(aws route53resolver list-firewall-domain-lists \\\n"
    "            --query \"FirewallDomainLists[?Name=='$1'].Id | [0]\" --output text)\n"
    "        case $id in\n"
    "        rslvr-fdl-*) echo \"$id\"; return 0 ;;\n"
    "        esac\n"
    "        echo \"dnsfw: no AWS-managed list named '$1' in Region '$region'\" >&2\n"
    "        exit 1\n"
    "    fi\n"
    "    echo \"dnsfw: no id of an AWS-managed list for Region '$region'\" >&2\n"
    "    exit 1\n"
    "}\n"
    "\n";

static const char script_head[] =
    "#!/bin/sh\n"
    "# Creates the Route 53 Resolver DNS Firewall configuration exported by dnsfw-export,\n"
    "# with the AWS CLI: every NNNN-*.json document beside this script is the\n"
    "# --cli-input-json of one \"aws route53resolver\" call, in order. The ids AWS returns\n"
    "# replace the @...@ placeholders of the documents that follow. Needs the AWS CLI v2,\n"
    "# credentials for the target account and Region, and sed.\n"
    "set -eu\n"
    "cd \"$(dirname \"$0\")\"\n"
    "work=$(mktemp -d)\n"
    "trap 'rm -rf \"$work\"' EXIT\n"
    ": >\"$work/ids.sed\"\n"
    "\n"
    "# run DOC OPERATION QUERY: make the call, print the value QUERY selects in the reply\n"
    "run() {\n"
    "    sed -f \"$work/ids.sed\" \"$1\" >\"$work/request.json\"\n"
    "    echo \"dnsfw: $2 ($1)\" >&2\n"
    "    aws route53resolver \"$2\" --cli-input-json \"file://$work/request.json\" \\\n"
    "        --query \"$3\" --output text\n"
    "}\n"
    "\n"
    "# remember NAME VALUE: later documents get VALUE where they say @NAME@\n"
    "remember() {\n"
    "    case $2 in\n"
    "    '' | *[!A-Za-z0-9-]*) echo \"dnsfw: unexpected id for $1: '$2'\" >&2; exit 1 ;;\n"
    "    esac\n"
    "    printf 's/@%s@/%s/g\\n' \"$1\" \"$2\" >>\"$work/ids.sed\"\n"
    "}\n"
    "\n"
    "# remember_arn NAME ARN: as remember, for an ARN\n"
    "remember_arn() {\n"
    "    case $2 in\n"
    "    arn:*) ;;\n"
    "    *) echo \"dnsfw: unexpected ARN for $1: '$2'\" >&2; exit 1 ;;\n"
    "    esac\n"
    "    case $2 in\n"
    "    *[!A-Za-z0-9:/_.*-]*) echo \"dnsfw: unexpected ARN for $1: '$2'\" >&2; exit 1 ;;\n"
    "    esac\n"
    "    printf 's|@%s@|%s|g\\n' \"$1\" \"$2\" >>\"$work/ids.sed\"\n"
    "}\n"
    "\n"
    "# run_logs DOC OPERATION: an \"aws logs\" call\n"
    "run_logs() {\n"
    "    sed -f \"$work/ids.sed\" \"$1\" >\"$work/request.json\"\n"
    "    echo \"dnsfw: logs $2 ($1)\" >&2\n"
    "    aws logs \"$2\" --cli-input-json \"file://$work/request.json\"\n"
    "}\n"
    "\n"
    "# settle LIST_ID: wait until AWS has applied a domain list update\n"
    "settle() {\n"
    "    tries=0\n"
    "    while :; do\n"
    "        status=$(aws route53resolver get-firewall-domain-list \\\n"
    "            --firewall-domain-list-id \"$1\" --query FirewallDomainList.Status --output "
    "text)\n"
    "        case $status in\n"
    "        COMPLETE) return 0 ;;\n"
    "        UPDATING | IMPORTING) ;;\n"
    "        *) echo \"dnsfw: domain list $1 is $status\" >&2; exit 1 ;;\n"
    "        esac\n"
    "        tries=$((tries + 1))\n"
    "        if [ \"$tries\" -ge 300 ]; then\n"
    "            echo \"dnsfw: domain list $1 is still $status\" >&2\n"
    "            exit 1\n"
    "        fi\n"
    "        sleep 2\n"
    "    done\n"
    "}\n"
    "\n";

/* Not specific to the policy: saves what is deployed, for dnsfw-export --diff / --import. */
static const char snapshot[] =
    "#!/bin/sh\n"
    "# Saves the DNS Firewall configuration deployed in the current account and Region\n"
    "# into DIR, the way \"dnsfw-export --diff DIR\" and \"--import DIR\" read it: the\n"
    "# JSON output of the aws route53resolver list and get commands, one file each.\n"
    "# Usage: ./snapshot.sh DIR [VPC_ID]   (with VPC_ID, only that VPC's associations)\n"
    "set -eu\n"
    "if [ $# -lt 1 ] || [ $# -gt 2 ]; then\n"
    "    echo \"usage: $0 DIR [VPC_ID]\" >&2\n"
    "    exit 2\n"
    "fi\n"
    "dir=$1\n"
    "mkdir -p \"$dir\"\n"
    "r53() {\n"
    "    aws route53resolver \"$@\" --output json\n"
    "}\n"
    "r53 list-firewall-rule-groups >\"$dir/list-firewall-rule-groups.json\"\n"
    "r53 list-firewall-domain-lists >\"$dir/list-firewall-domain-lists.json\"\n"
    "if [ $# -eq 2 ]; then\n"
    "    r53 list-firewall-rule-group-associations --vpc-id \"$2\" \\\n"
    "        >\"$dir/list-firewall-rule-group-associations.json\"\n"
    "    r53 get-firewall-config --resource-id \"$2\" >\"$dir/get-firewall-config.json\"\n"
    "else\n"
    "    r53 list-firewall-rule-group-associations \\\n"
    "        >\"$dir/list-firewall-rule-group-associations.json\"\n"
    "    r53 list-firewall-configs >\"$dir/list-firewall-configs.json\"\n"
    "fi\n"
    "r53 list-resolver-query-log-configs >\"$dir/list-resolver-query-log-configs.json\"\n"
    "if [ $# -eq 2 ]; then\n"
    "    r53 list-resolver-query-log-config-associations \\\n"
    "        --filters \"Name=ResourceId,Values=$2\" \\\n"
    "        >\"$dir/list-resolver-query-log-config-associations.json\"\n"
    "else\n"
    "    r53 list-resolver-query-log-config-associations \\\n"
    "        >\"$dir/list-resolver-query-log-config-associations.json\"\n"
    "fi\n"
    "aws logs describe-log-groups --output json >\"$dir/describe-log-groups.json\"\n"
    "for g in $(aws route53resolver list-firewall-rule-groups \\\n"
    "    --query 'FirewallRuleGroups[].Id' --output text); do\n"
    "    r53 list-firewall-rules --firewall-rule-group-id \"$g\" \\\n"
    "        >\"$dir/list-firewall-rules-$g.json\"\n"
    "done\n"
    "# AWS-managed lists do not disclose their domains\n"
    "for l in $(aws route53resolver list-firewall-domain-lists \\\n"
    "    --query 'FirewallDomainLists[?ManagedOwnerName==null].Id' --output text); do\n"
    "    r53 list-firewall-domains --firewall-domain-list-id \"$l\" \\\n"
    "        >\"$dir/list-firewall-domains-$l.json\"\n"
    "done\n";

static void lists(struct cli *c)
{
    const struct fw_model *m = c->m;
    char file[256], id[40], spec[AWS_SPEC_MAX + 3];
    for (size_t i = 0; i < m->n_lists; i++) {
        const struct fw_list *l = &m->lists[i];
        if (l->managed) { /* AWS's list: its id in the Region run.sh runs in */
            buf_printf(c->sh, "LIST_%zu=$(managed_list '%s' '", i + 1,
                       l->managed_name ? l->managed_name : "");
            for (size_t j = 0; j < l->n_ids; j++)
                buf_printf(c->sh, "%s%s=%s", j ? " " : "", l->ids[j].region, l->ids[j].id);
            buf_printf(c->sh, "')\nremember LIST_%zu \"$LIST_%zu\"\n", i + 1, i + 1);
            continue;
        }
        cJSON *d = cJSON_CreateObject();
        export_request_id(c->o, "list", l->name, 0, id);
        cJSON_AddStringToObject(d, "CreatorRequestId", id);
        cJSON_AddStringToObject(d, "Name", l->name);
        document(c, "create-firewall-domain-list", l->name, d, file, sizeof file);
        buf_printf(c->sh, "LIST_%zu=$(run %s create-firewall-domain-list FirewallDomainList.Id)\n",
                   i + 1, file);
        buf_printf(c->sh, "remember LIST_%zu \"$LIST_%zu\"\n", i + 1, i + 1);
        for (size_t j = 0, batch = 1; j < l->n_specs; j += AWS_UPDATE_BATCH, batch++) {
            char label[100];
            d = cJSON_CreateObject();
            snprintf(label, sizeof label, "%s.%zu", l->name, batch);
            char placeholder[32];
            snprintf(placeholder, sizeof placeholder, "@LIST_%zu@", i + 1);
            cJSON_AddStringToObject(d, "FirewallDomainListId", placeholder);
            /* the first batch sets the list, the others add to it */
            cJSON_AddStringToObject(d, "Operation", j == 0 ? "REPLACE" : "ADD");
            cJSON *a = cJSON_AddArrayToObject(d, "Domains");
            for (size_t k = j; k < l->n_specs && k < j + AWS_UPDATE_BATCH; k++) {
                export_spec(l->specs[k], c->o->fqdn, spec);
                cJSON_AddItemToArray(a, cJSON_CreateString(spec));
            }
            document(c, "update-firewall-domains", label, d, file, sizeof file);
            buf_printf(c->sh, "run %s update-firewall-domains Status >/dev/null\n", file);
            buf_printf(c->sh, "settle \"$LIST_%zu\"\n", i + 1);
        }
    }
}

/* CreateFirewallRule's match source: the list created earlier, or a DNS Firewall Advanced
 * protection with its confidence threshold. */
static void add_match_source(cJSON *d, const struct fw_rule *r)
{
    if (r->threat) {
        cJSON_AddStringToObject(d, "DnsThreatProtection", dnsfw_threat_name(r->threat));
        cJSON_AddStringToObject(d, "ConfidenceThreshold", dnsfw_confidence_name(r->confidence));
        return;
    }
    char placeholder[32];
    snprintf(placeholder, sizeof placeholder, "@LIST_%zu@", r->list + 1);
    cJSON_AddStringToObject(d, "FirewallDomainListId", placeholder);
}

/* Resolver query logging: a CloudWatch Logs group kept FW_QUERY_LOG_RETENTION days (or the
 * S3 bucket or Firehose stream of --query-log-arn), a query logging configuration that
 * sends to it, and its association with the VPC. */
static void query_log(struct cli *c, const char *vpc)
{
    const struct fw_query_log *q = &c->m->query_log;
    char file[256], id[40], group[128];
    if (q->dest == FW_QUERY_LOG_NONE || q->dest == FW_QUERY_LOG_UNKNOWN)
        return;
    const char *name = q->name ? q->name : FW_QUERY_LOG_NAME;
    const char *dest = q->arn;
    if (q->dest == FW_QUERY_LOG_CLOUDWATCH) {
        snprintf(group, sizeof group, "/dnsfw/%s", name);
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "logGroupName", group);
        document(c, "logs-create-log-group", name, d, file, sizeof file);
        buf_printf(c->sh,
                   "arn=$(aws logs describe-log-groups --log-group-name-prefix '%s' \\\n"
                   "    --query \"logGroups[?logGroupName=='%s'].arn | [0]\" --output text)\n"
                   "if [ \"$arn\" = None ] || [ -z \"$arn\" ]; then\n"
                   "    run_logs %s create-log-group\n"
                   "    arn=$(aws logs describe-log-groups --log-group-name-prefix '%s' \\\n"
                   "        --query \"logGroups[?logGroupName=='%s'].arn | [0]\" --output text)\n"
                   "fi\n"
                   "remember_arn LOG_GROUP_ARN \"$arn\"\n",
                   group, group, file, group, group);
        d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "logGroupName", group);
        cJSON_AddNumberToObject(d, "retentionInDays", q->retention);
        document(c, "logs-put-retention-policy", name, d, file, sizeof file);
        buf_printf(c->sh, "run_logs %s put-retention-policy\n", file);
        dest = "@LOG_GROUP_ARN@";
    }
    cJSON *d = cJSON_CreateObject();
    export_request_id(c->o, "query-log", name, 0, id);
    cJSON_AddStringToObject(d, "CreatorRequestId", id);
    cJSON_AddStringToObject(d, "Name", name);
    cJSON_AddStringToObject(d, "DestinationArn", dest ? dest : "");
    document(c, "create-resolver-query-log-config", name, d, file, sizeof file);
    buf_printf(c->sh,
               "QUERY_LOG=$(run %s create-resolver-query-log-config ResolverQueryLogConfig.Id)\n"
               "remember QUERY_LOG \"$QUERY_LOG\"\n",
               file);
    d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "ResolverQueryLogConfigId", "@QUERY_LOG@");
    cJSON_AddStringToObject(d, "ResourceId", vpc);
    document(c, "associate-resolver-query-log-config", name, d, file, sizeof file);
    buf_printf(c->sh,
               "run %s associate-resolver-query-log-config "
               "ResolverQueryLogConfigAssociation.Id >/dev/null\n",
               file);
}

static void groups(struct cli *c)
{
    const struct fw_model *m = c->m;
    char file[256], id[40], placeholder[32], qtype[16];
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct fw_group *g = &m->groups[i];
        cJSON *d = cJSON_CreateObject();
        export_request_id(c->o, "group", g->name, 0, id);
        cJSON_AddStringToObject(d, "CreatorRequestId", id);
        cJSON_AddStringToObject(d, "Name", g->name);
        document(c, "create-firewall-rule-group", g->name, d, file, sizeof file);
        buf_printf(c->sh, "GROUP_%zu=$(run %s create-firewall-rule-group FirewallRuleGroup.Id)\n",
                   i + 1, file);
        buf_printf(c->sh, "remember GROUP_%zu \"$GROUP_%zu\"\n", i + 1, i + 1);
        for (size_t j = 0; j < g->n_rules; j++) {
            const struct fw_rule *r = &g->rules[j];
            char label[100];
            d = cJSON_CreateObject();
            export_request_id(c->o, "rule", g->name, r->priority, id);
            cJSON_AddStringToObject(d, "CreatorRequestId", id);
            snprintf(placeholder, sizeof placeholder, "@GROUP_%zu@", i + 1);
            cJSON_AddStringToObject(d, "FirewallRuleGroupId", placeholder);
            add_match_source(d, r);
            cJSON_AddNumberToObject(d, "Priority", r->priority);
            cJSON_AddStringToObject(d, "Action", dnsfw_action_name(r->action));
            if (r->action == DNSFW_ACTION_BLOCK)
                cJSON_AddStringToObject(d, "BlockResponse", dnsfw_block_response_name(r->response));
            if (r->response == DNSFW_RESPONSE_OVERRIDE) {
                cJSON_AddStringToObject(d, "BlockOverrideDomain", r->override_domain);
                cJSON_AddStringToObject(d, "BlockOverrideDnsType", "CNAME");
                cJSON_AddNumberToObject(d, "BlockOverrideTtl", r->override_ttl);
            }
            cJSON_AddStringToObject(d, "Name", r->name);
            cJSON_AddStringToObject(d, "FirewallDomainRedirectionAction",
                                    dnsfw_redirection_name(r->redirection));
            if (r->qtype) {
                fw_qtype_text(r->qtype, qtype);
                cJSON_AddStringToObject(d, "Qtype", qtype);
            }
            snprintf(label, sizeof label, "%s.%u", g->name, r->priority);
            document(c, "create-firewall-rule", label, d, file, sizeof file);
            buf_printf(c->sh, "run %s create-firewall-rule FirewallRule.Priority >/dev/null\n",
                       file);
        }
    }
    const char *vpc = c->o->vpc_id ? c->o->vpc_id : "@VPC_ID@";
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct fw_group *g = &m->groups[i];
        cJSON *d = cJSON_CreateObject();
        export_request_id(c->o, "association", g->name, 0, id);
        cJSON_AddStringToObject(d, "CreatorRequestId", id);
        snprintf(placeholder, sizeof placeholder, "@GROUP_%zu@", i + 1);
        cJSON_AddStringToObject(d, "FirewallRuleGroupId", placeholder);
        cJSON_AddStringToObject(d, "VpcId", vpc);
        cJSON_AddNumberToObject(d, "Priority", g->priority);
        cJSON_AddStringToObject(d, "Name", g->assoc_name ? g->assoc_name : g->name);
        cJSON_AddStringToObject(d, "MutationProtection", "DISABLED");
        document(c, "associate-firewall-rule-group", g->name, d, file, sizeof file);
        buf_printf(c->sh,
                   "run %s associate-firewall-rule-group FirewallRuleGroupAssociation.Id "
                   ">/dev/null\n",
                   file);
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "ResourceId", vpc);
    cJSON_AddStringToObject(d, "FirewallFailOpen", m->fail_open == 1 ? "ENABLED" : "DISABLED");
    document(c, "update-firewall-config", "vpc", d, file, sizeof file);
    buf_printf(c->sh, "run %s update-firewall-config FirewallConfig.FirewallFailOpen >/dev/null\n",
               file);
    query_log(c, vpc);
}

int export_cli(const struct fw_model *m, const struct export_opts *o, struct outset *out)
{
    struct cli c = {.m = m, .o = o, .out = out};
    c.sh = outset_add(out, "run.sh", true);
    if (!c.sh)
        return -1;
    struct buf *snap = outset_add(out, "snapshot.sh", true);
    if (!snap)
        return -1;
    buf_puts(snap, snapshot);
    for (const char *const *f = (const char *const[]){"run.sh", "snapshot.sh", NULL}; *f; f++) {
        void **slot = strmap_slot(&c.seen, *f, strlen(*f));
        if (slot)
            *slot = (void *)1;
    }
    buf_puts(c.sh, script_head);
    for (size_t i = 0; i < m->n_lists; i++)
        if (m->lists[i].managed) {
            buf_puts(c.sh, managed_function);
            break;
        }
    if (!o->vpc_id) {
        buf_puts(c.sh, "if [ $# -ne 1 ]; then\n"
                       "    echo \"usage: $0 VPC_ID (the VPC whose DNS queries the rule groups "
                       "filter)\" >&2\n"
                       "    exit 2\n"
                       "fi\n"
                       "remember VPC_ID \"$1\"\n\n");
    }
    lists(&c);
    groups(&c);
    buf_puts(c.sh, "echo \"dnsfw: done\" >&2\n");
    strmap_free(&c.seen, NULL);
    return c.failed ? -1 : 0;
}
