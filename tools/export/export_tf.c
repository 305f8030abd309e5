/*
 * Terraform JSON (*.tf.json) with the hashicorp/aws provider's
 * aws_route53_resolver_firewall_* resources. Specs are written without a trailing dot
 * by default: the provider strips the dot AWS appends when it reads a list back, so the
 * plain form is the one that does not show a permanent difference in plans.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "export.h"
#include "json_out.h"

#define T_LIST      "aws_route53_resolver_firewall_domain_list"
#define T_GROUP     "aws_route53_resolver_firewall_rule_group"
#define T_RULE      "aws_route53_resolver_firewall_rule"
#define T_ASSOC     "aws_route53_resolver_firewall_rule_group_association"
#define T_CONFIG    "aws_route53_resolver_firewall_config"
#define T_LOG_GROUP "aws_cloudwatch_log_group"
#define T_QL_CONFIG "aws_route53_resolver_query_log_config"
#define T_QL_ASSOC  "aws_route53_resolver_query_log_config_association"

static void add_ref(cJSON *o, const char *key, const char *type, const char *name)
{
    char ref[300];
    snprintf(ref, sizeof ref, "${%s.%s.id}", type, name);
    cJSON_AddStringToObject(o, key, ref);
}

/* The rule's domain list, or (hashicorp/aws 6.x) a DNS Firewall Advanced protection with
 * its confidence threshold, which conflict with firewall_domain_list_id. */
static void add_match_source(cJSON *r, const struct fw_model *m, const struct fw_rule *ru,
                             char (*list_names)[128])
{
    if (ru->threat) {
        cJSON_AddStringToObject(r, "dns_threat_protection", dnsfw_threat_name(ru->threat));
        cJSON_AddStringToObject(r, "confidence_threshold", dnsfw_confidence_name(ru->confidence));
        return;
    }
    const struct fw_list *ml = &m->lists[ru->list];
    if (ml->managed && fw_list_managed_id(ml, "*")) {
        cJSON_AddStringToObject(r, "firewall_domain_list_id", fw_list_managed_id(ml, "*"));
    } else if (ml->managed) { /* AWS's list: its id in the provider's Region */
        char ref[300];
        snprintf(ref, sizeof ref,
                 "${local.dnsfw_managed_domain_lists[\"%s\"][data.aws_region.current.name]}",
                 list_names[ru->list]);
        cJSON_AddStringToObject(r, "firewall_domain_list_id", ref);
    } else {
        add_ref(r, "firewall_domain_list_id", T_LIST, list_names[ru->list]);
    }
}

int export_terraform(const struct fw_model *m, const struct export_opts *o, struct outset *out)
{
    struct strmap seen_lists = {0}, seen_groups = {0}, seen_rules = {0};
    char(*list_names)[128] = calloc(m->n_lists + 1, sizeof *list_names);
    char(*group_names)[128] = calloc(m->n_groups + 1, sizeof *group_names);
    cJSON *t = cJSON_CreateObject();
    if (!list_names || !group_names || !t) {
        free(list_names), free(group_names), cJSON_Delete(t);
        return -1;
    }
    cJSON *prov = cJSON_AddObjectToObject(
        cJSON_AddObjectToObject(cJSON_AddObjectToObject(t, "terraform"), "required_providers"),
        "aws");
    cJSON_AddStringToObject(prov, "source", "hashicorp/aws");
    const char *vpc = o->vpc_id ? o->vpc_id : "${var.vpc_id}";
    if (!o->vpc_id) {
        cJSON *v = cJSON_AddObjectToObject(cJSON_AddObjectToObject(t, "variable"), "vpc_id");
        cJSON_AddStringToObject(v, "type", "string");
        cJSON_AddStringToObject(v, "description",
                                "The VPC whose DNS queries the rule groups filter");
    }
    cJSON *res = cJSON_AddObjectToObject(t, "resource");

    cJSON *tl = cJSON_AddObjectToObject(res, T_LIST);
    char spec[AWS_SPEC_MAX + 3];
    cJSON *managed = NULL;
    for (size_t i = 0; i < m->n_lists; i++) {
        const struct fw_list *l = &m->lists[i];
        export_ident(&seen_lists, IDENT_TF, "", l->name, list_names[i], sizeof list_names[i]);
        if (l->managed) { /* AWS's list: its id, by Region */
            if (!fw_list_managed_id(l, "*")) {
                if (!managed) {
                    managed = cJSON_AddObjectToObject(cJSON_AddObjectToObject(t, "locals"),
                                                      "dnsfw_managed_domain_lists");
                    cJSON_AddObjectToObject(
                        cJSON_AddObjectToObject(cJSON_AddObjectToObject(t, "data"), "aws_region"),
                        "current");
                }
                cJSON *ids = cJSON_AddObjectToObject(managed, list_names[i]);
                for (size_t j = 0; j < l->n_ids; j++)
                    cJSON_AddStringToObject(ids, l->ids[j].region, l->ids[j].id);
            }
            continue;
        }
        cJSON *r = cJSON_AddObjectToObject(tl, list_names[i]);
        cJSON_AddStringToObject(r, "name", l->name);
        if (l->n_specs) {
            cJSON *d = cJSON_AddArrayToObject(r, "domains");
            for (size_t j = 0; j < l->n_specs; j++) {
                export_spec(l->specs[j], o->fqdn, spec);
                cJSON_AddItemToArray(d, cJSON_CreateString(spec));
            }
        }
    }
    cJSON *tg = cJSON_AddObjectToObject(res, T_GROUP);
    for (size_t i = 0; i < m->n_groups; i++) {
        export_ident(&seen_groups, IDENT_TF, "", m->groups[i].name, group_names[i],
                     sizeof group_names[i]);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(tg, group_names[i]), "name",
                                m->groups[i].name);
    }
    cJSON *tr = cJSON_AddObjectToObject(res, T_RULE);
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct fw_group *g = &m->groups[i];
        for (size_t j = 0; j < g->n_rules; j++) {
            const struct fw_rule *ru = &g->rules[j];
            char base[160], name[160], qtype[16];
            snprintf(base, sizeof base, "%s_%u", group_names[i], ru->priority);
            export_ident(&seen_rules, IDENT_TF, "", base, name, sizeof name);
            cJSON *r = cJSON_AddObjectToObject(tr, name);
            cJSON_AddStringToObject(r, "name", ru->name);
            add_ref(r, "firewall_rule_group_id", T_GROUP, group_names[i]);
            add_match_source(r, m, ru, list_names);
            cJSON_AddNumberToObject(r, "priority", ru->priority);
            cJSON_AddStringToObject(r, "action", dnsfw_action_name(ru->action));
            if (ru->action == DNSFW_ACTION_BLOCK)
                cJSON_AddStringToObject(r, "block_response",
                                        dnsfw_block_response_name(ru->response));
            if (ru->response == DNSFW_RESPONSE_OVERRIDE) {
                cJSON_AddStringToObject(r, "block_override_domain", ru->override_domain);
                cJSON_AddStringToObject(r, "block_override_dns_type", "CNAME");
                cJSON_AddNumberToObject(r, "block_override_ttl", ru->override_ttl);
            }
            cJSON_AddStringToObject(r, "firewall_domain_redirection_action",
                                    dnsfw_redirection_name(ru->redirection));
            if (ru->qtype) {
                fw_qtype_text(ru->qtype, qtype);
                cJSON_AddStringToObject(r, "q_type", qtype);
            }
        }
    }
    cJSON *ta = cJSON_AddObjectToObject(res, T_ASSOC);
    for (size_t i = 0; i < m->n_groups; i++) {
        cJSON *r = cJSON_AddObjectToObject(ta, group_names[i]);
        cJSON_AddStringToObject(
            r, "name", m->groups[i].assoc_name ? m->groups[i].assoc_name : m->groups[i].name);
        add_ref(r, "firewall_rule_group_id", T_GROUP, group_names[i]);
        cJSON_AddStringToObject(r, "vpc_id", vpc);
        cJSON_AddNumberToObject(r, "priority", m->groups[i].priority);
    }
    cJSON *c = cJSON_AddObjectToObject(cJSON_AddObjectToObject(res, T_CONFIG), "vpc");
    cJSON_AddStringToObject(c, "resource_id", vpc);
    cJSON_AddStringToObject(c, "firewall_fail_open", m->fail_open == 1 ? "ENABLED" : "DISABLED");

    const struct fw_query_log *q = &m->query_log;
    if (q->dest != FW_QUERY_LOG_NONE && q->dest != FW_QUERY_LOG_UNKNOWN) {
        char group[128];
        const char *name = q->name ? q->name : FW_QUERY_LOG_NAME;
        const char *dest = q->arn;
        if (q->dest == FW_QUERY_LOG_CLOUDWATCH) {
            snprintf(group, sizeof group, "/dnsfw/%s", name);
            cJSON *lg = cJSON_AddObjectToObject(cJSON_AddObjectToObject(res, T_LOG_GROUP),
                                                "dnsfw_query_log");
            cJSON_AddStringToObject(lg, "name", group);
            cJSON_AddNumberToObject(lg, "retention_in_days", q->retention);
            dest = "${" T_LOG_GROUP ".dnsfw_query_log.arn}";
        } else if (!dest) {
            cJSON *v = cJSON_AddObjectToObject(cJSON_GetObjectItem(t, "variable")
                                                   ? cJSON_GetObjectItem(t, "variable")
                                                   : cJSON_AddObjectToObject(t, "variable"),
                                               "query_log_destination_arn");
            cJSON_AddStringToObject(v, "type", "string");
            cJSON_AddStringToObject(v, "description",
                                    q->dest == FW_QUERY_LOG_S3
                                        ? "The S3 bucket (arn:aws:s3:::BUCKET[/PREFIX]) that "
                                          "receives the Resolver query logs"
                                        : "The Firehose delivery stream that receives the "
                                          "Resolver query logs");
            dest = "${var.query_log_destination_arn}";
        }
        cJSON *qc =
            cJSON_AddObjectToObject(cJSON_AddObjectToObject(res, T_QL_CONFIG), "dnsfw_query_log");
        cJSON_AddStringToObject(qc, "name", name);
        cJSON_AddStringToObject(qc, "destination_arn", dest);
        cJSON *qa =
            cJSON_AddObjectToObject(cJSON_AddObjectToObject(res, T_QL_ASSOC), "dnsfw_query_log");
        add_ref(qa, "resolver_query_log_config_id", T_QL_CONFIG, "dnsfw_query_log");
        cJSON_AddStringToObject(qa, "resource_id", vpc);
    }

    struct buf *b = outset_add(out, "dns-firewall.tf.json", false);
    if (b)
        json_out(b, t);
    cJSON_Delete(t);
    strmap_free(&seen_lists, NULL);
    strmap_free(&seen_groups, NULL);
    strmap_free(&seen_rules, NULL);
    free(list_names), free(group_names);
    return b ? 0 : -1;
}
