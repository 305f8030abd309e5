/*
 * What AWS would refuse, checked before anything is written: the format-independent
 * limits come from tools/common/aws_limits.c (dnsfw-lint reports the same ones); the
 * limits of one output format (Terraform's single update, an import file's lines, an
 * empty CloudFormation list) are here. Quotas that AWS lets an account raise can be
 * raised (--max-domains, --max-rules).
 */
#include "diag.h"
#include "export.h"

static void to_diag(void *ud, enum aws_limit_level level, const struct aws_limit_where *w,
                    const char *message)
{
    (void)ud;
    (void)w;
    if (level == AWS_LIMIT_ERROR)
        diag_error(NULL, 0, "%s", message);
    else
        diag_warning(NULL, 0, "%s", message);
}

static void check_lists(struct aws_limits *c, const struct fw_model *m, enum export_format f)
{
    unsigned long total = 0;
    aws_limits_list_count(c, m->n_lists);
    for (size_t i = 0; i < m->n_lists; i++) {
        const struct fw_list *l = &m->lists[i];
        struct aws_limit_where w = {.list = l->name, .spec = SIZE_MAX};
        aws_limits_name(c, "domain list", l->name, &w);
        if (l->managed) { /* AWS's list: nothing of it is written but its id */
            if (!l->n_ids && (f == FMT_CLOUDFORMATION || f == FMT_TERRAFORM)) {
                diag_error(NULL, 0,
                           "domain list \"%s\" is AWS-managed: %s refers to it by its id in "
                           "each Region; give the policy its \"ids\"",
                           l->name, f == FMT_CLOUDFORMATION ? "CloudFormation" : "Terraform");
                c->errors++;
            }
            if (f == FMT_DOMAINS)
                diag_warning(NULL, 0,
                             "domain list \"%s\" is AWS-managed: no file is written for it",
                             l->name);
            continue;
        }
        total += l->n_specs;
        for (size_t j = 0; j < l->n_specs; j++) {
            w.spec = j;
            aws_limits_spec(c, l->specs[j], &w);
        }
        if (l->n_specs == 0 && f == FMT_CLOUDFORMATION)
            diag_warning(NULL, 0,
                         "domain list \"%s\" is empty: its Domains property is left out (the "
                         "platform's construct puts placeholder.invalid in an empty list)",
                         l->name);
        if (l->n_specs > AWS_UPDATE_BATCH && f == FMT_TERRAFORM)
            diag_warning(NULL, 0,
                         "domain list \"%s\" has %zu domains: the Terraform AWS provider sends "
                         "a list in one UpdateFirewallDomains call, which takes at most %d "
                         "(hashicorp/terraform-provider-aws#41433)",
                         l->name, l->n_specs, AWS_UPDATE_BATCH);
        if (l->n_specs > AWS_UPDATE_BATCH && f == FMT_CLOUDFORMATION)
            diag_warning(NULL, 0,
                         "domain list \"%s\" has %zu inline domains: AWS does not document "
                         "how CloudFormation sends more than %d (consider the cli format, "
                         "which batches them)",
                         l->name, l->n_specs, AWS_UPDATE_BATCH);
        if (l->n_specs > AWS_IMPORT_FILE_LINES && f == FMT_DOMAINS) {
            diag_error(NULL, 0,
                       "domain list \"%s\" has %zu domains: an ImportFirewallDomains file "
                       "takes at most %lu",
                       l->name, l->n_specs, AWS_IMPORT_FILE_LINES);
            c->errors++;
        }
    }
    aws_limits_total_domains(c, total);
}

static void check_groups(struct aws_limits *c, const struct fw_model *m, enum export_format f)
{
    aws_limits_group_count(c, m->n_groups);
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct fw_group *g = &m->groups[i];
        struct aws_limit_where gw = {.group = g->name, .spec = SIZE_MAX};
        aws_limits_group(c, g->name, g->priority, g->n_rules, &gw);
        for (size_t j = 0; j < g->n_rules; j++) {
            const struct fw_rule *r = &g->rules[j];
            struct aws_limit_rule ar = {.name = r->name,
                                        .check_name = f != FMT_CLOUDFORMATION,
                                        .priority = r->priority,
                                        .qtype = r->qtype,
                                        .response = r->response,
                                        .override_domain = r->override_domain,
                                        .override_ttl = r->override_ttl};
            struct aws_limit_where rw = {
                .group = g->name, .spec = SIZE_MAX, .rule_priority = r->priority};
            aws_limits_rule(c, g->name, &ar, &rw);
            if (f == FMT_TERRAFORM && !r->threat) /* an Advanced rule has no list */
                for (const struct fw_rule *o = g->rules; o < r; o++)
                    if (o->list == r->list)
                        diag_warning(NULL, 0,
                                     "rule group \"%s\": rules %u and %u use the same domain "
                                     "list \"%s\"; the Terraform AWS provider identifies a rule "
                                     "by its rule group and domain list, so it cannot manage "
                                     "both",
                                     g->name, o->priority, r->priority, m->lists[r->list].name);
        }
    }
}

int export_check_limits(const struct fw_model *m, enum export_format f, const struct export_opts *o)
{
    struct aws_limits c = {.max_domains = o->max_domains,
                           .max_rules = o->max_rules,
                           .fqdn = o->fqdn,
                           .report = to_diag};
    check_lists(&c, m, f);
    check_groups(&c, m, f);
    return c.errors ? -1 : 0;
}
