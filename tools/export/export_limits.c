/*
 * What AWS refuses, checked before anything is written: names, spec lengths, domain
 * and rule quotas, association priorities, query types, OVERRIDE settings. Each
 * problem names the resource and the limit. Quotas that AWS lets an account raise can
 * be raised here too (--max-domains, --max-rules).
 */
#include <string.h>

#include "diag.h"
#include "export.h"

static unsigned errors;

static void name_check(const char *kind, const char *name)
{
    if (!fw_aws_name_ok(name)) {
        diag_error(NULL, 0,
                   "%s \"%s\": not a name AWS accepts (1 to 64 of A-Z a-z 0-9 - _ space and "
                   "apostrophe, not all digits)",
                   kind, name);
        errors++;
    }
}

static void check_lists(const struct fw_model *m, enum export_format f, const struct export_opts *o)
{
    unsigned long total = 0;
    if (m->n_lists > AWS_LISTS_QUOTA) {
        diag_error(NULL, 0, "%zu domain lists: AWS allows %lu per account and Region", m->n_lists,
                   AWS_LISTS_QUOTA);
        errors++;
    }
    for (size_t i = 0; i < m->n_lists; i++) {
        const struct fw_list *l = &m->lists[i];
        name_check("domain list", l->name);
        if (l->managed) { /* AWS's list: nothing of it is written but its id */
            if (!l->n_ids && (f == FMT_CLOUDFORMATION || f == FMT_TERRAFORM)) {
                diag_error(NULL, 0,
                           "domain list \"%s\" is AWS-managed: %s refers to it by its id in "
                           "each Region; give the policy its \"ids\"",
                           l->name, f == FMT_CLOUDFORMATION ? "CloudFormation" : "Terraform");
                errors++;
            }
            if (f == FMT_DOMAINS)
                diag_warning(NULL, 0,
                             "domain list \"%s\" is AWS-managed: no file is written for it",
                             l->name);
            continue;
        }
        total += l->n_specs;
        for (size_t j = 0; j < l->n_specs; j++) {
            size_t len = strlen(l->specs[j]) + (o->fqdn ? 1 : 0);
            if (len > AWS_SPEC_MAX) {
                diag_error(NULL, 0,
                           "domain list \"%s\": \"%.40s...\" is %zu characters%s; AWS allows "
                           "%d",
                           l->name, l->specs[j], len, o->fqdn ? " with the trailing dot" : "",
                           AWS_SPEC_MAX);
                errors++;
            }
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
            errors++;
        }
    }
    if (total > o->max_domains) {
        diag_error(NULL, 0,
                   "the domain lists hold %lu domains: the account quota is %lu over all "
                   "lists (if AWS raised yours, pass --max-domains)",
                   total, o->max_domains);
        errors++;
    }
}

static void check_rule(const struct fw_model *m, enum export_format f, const struct fw_group *g,
                       const struct fw_rule *r)
{
    if (r->name && f != FMT_CLOUDFORMATION)
        name_check("rule", r->name);
    if (r->qtype == 65535) {
        diag_error(NULL, 0,
                   "rule group \"%s\", rule %u: query type TYPE65535: AWS accepts TYPE1 to "
                   "TYPE65534",
                   g->name, r->priority);
        errors++;
    }
    if (r->response == DNSFW_RESPONSE_OVERRIDE) {
        size_t n = r->override_domain ? strlen(r->override_domain) : 0;
        if (n < 1 || n > 255 || r->override_ttl > 604800) {
            diag_error(NULL, 0,
                       "rule group \"%s\", rule %u: OVERRIDE needs a domain of 1 to 255 "
                       "characters and a TTL from 0 to 604800",
                       g->name, r->priority);
            errors++;
        }
    }
    if (f == FMT_TERRAFORM)
        for (const struct fw_rule *o = g->rules; o < r; o++)
            if (o->list == r->list)
                diag_warning(NULL, 0,
                             "rule group \"%s\": rules %u and %u use the same domain list "
                             "\"%s\"; the Terraform AWS provider identifies a rule by its rule "
                             "group and domain list, so it cannot manage both",
                             g->name, o->priority, r->priority, m->lists[r->list].name);
}

static void check_groups(const struct fw_model *m, enum export_format f,
                         const struct export_opts *o)
{
    if (m->n_groups > AWS_GROUPS_PER_VPC) {
        diag_error(NULL, 0, "%zu rule groups: AWS associates at most %d with one VPC", m->n_groups,
                   AWS_GROUPS_PER_VPC);
        errors++;
    }
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct fw_group *g = &m->groups[i];
        name_check("rule group", g->name);
        if (g->priority < 100 || g->priority > 9900) {
            diag_error(NULL, 0,
                       "rule group \"%s\": association priority %u: AWS accepts 100 to 9900 "
                       "(Firewall Manager reserves the rest); use 101 to 8999",
                       g->name, g->priority);
            errors++;
        } else if (g->priority == 100 || g->priority >= 9000) {
            diag_warning(NULL, 0,
                         "rule group \"%s\": association priority %u: the API accepts it, but "
                         "CloudFormation excludes 100 and 9900 and the CDK accepts only 101 "
                         "to 8999",
                         g->name, g->priority);
        }
        if (g->n_rules > o->max_rules) {
            diag_error(NULL, 0,
                       "rule group \"%s\" has %zu rules: the quota is %lu a rule group (if AWS "
                       "raised yours, pass --max-rules)",
                       g->name, g->n_rules, o->max_rules);
            errors++;
        }
        for (size_t j = 0; j < g->n_rules; j++)
            check_rule(m, f, g, &g->rules[j]);
    }
}

int export_check_limits(const struct fw_model *m, enum export_format f, const struct export_opts *o)
{
    errors = 0;
    check_lists(m, f, o);
    check_groups(m, f, o);
    return errors ? -1 : 0;
}
