/* aws-limit: the limits dnsfw-export enforces (tools/common/aws_limits.c), every one of
 * them as a finding, on the lists and rules AWS would get. */
#include <stdio.h>
#include <string.h>

#include "aws_limits.h"
#include "lint.h"

struct limit_ctx {
    struct lint *l;
};

static void to_finding(void *ud, enum aws_limit_level level, const struct aws_limit_where *w,
                       const char *message)
{
    struct lint *l = ((struct limit_ctx *)ud)->l;
    struct finding *f = finding_add(&l->findings, CHECK_AWS_LIMIT, "%s", message);
    f->severity = level == AWS_LIMIT_ERROR ? SEV_ERROR : SEV_WARNING;
    finding_set(&f->file, l->policy_file);
    const uintptr_t ctx = w ? (uintptr_t)w->ctx : 0;
    if (w && w->list && w->spec != SIZE_MAX && ctx) {
        lint_about_occurrence(l, f, (const struct occurrence *)w->ctx);
    } else if (w && w->list) {
        for (uint32_t i = 0; i < l->info.n_lists; i++)
            if (!strcmp(dnsfw_policy_list_name(l->policy, i), w->list))
                lint_about_list(l, f, i);
    } else if (w && w->group) {
        finding_set(&f->rule_group, w->group);
        if (w->rule_priority) {
            f->has_rule = true;
            f->rule_priority = w->rule_priority;
        }
        dnsfw_location *loc = (dnsfw_location *)w->ctx;
        if (loc && loc->file) {
            finding_set(&f->file, loc->file);
            f->line = loc->line;
            f->column = loc->column;
        }
    }
}

void check_limits(struct lint *l)
{
    struct limit_ctx ctx = {.l = l};
    struct aws_limits c = {
        .max_domains = l->max_domains, .max_rules = l->max_rules, .report = to_finding, .ud = &ctx};
    const dnsfw_policy *p = l->policy;
    unsigned long total = 0;
    aws_limits_list_count(&c, l->info.n_lists);
    for (uint32_t list = 0; list < l->info.n_lists; list++) {
        const char *name = dnsfw_policy_list_name(p, list);
        struct aws_limit_where w = {.list = name, .spec = SIZE_MAX};
        if (!l->tiered) /* the tiered form's names are the platform's, and valid */
            aws_limits_name(&c, "domain list", name, &w);
        dnsfw_managed_info mi;
        if (dnsfw_policy_list_managed(p, list, &mi) == DNSFW_OK && mi.managed)
            continue; /* AWS's list: only its id is deployed (as dnsfw-export counts) */
        total += dnsfw_policy_list_size(p, list);
        for (size_t k = l->occ_of_list[list]; k < l->occ_of_list[list + 1]; k++) {
            w.spec = l->occ[k].spec;
            w.ctx = &l->occ[k];
            aws_limits_spec(&c, l->occ[k].text, &w);
        }
    }
    aws_limits_total_domains(&c, total);
    aws_limits_group_count(&c, l->info.n_groups);
    for (uint32_t g = 0; g < l->info.n_groups; g++) {
        dnsfw_group_info gi;
        dnsfw_location gl;
        if (dnsfw_policy_get_group(p, g, &gi) != DNSFW_OK ||
            dnsfw_policy_group_location(p, g, &gl) != DNSFW_OK)
            continue;
        struct aws_limit_where gw = {.group = gi.name, .spec = SIZE_MAX, .ctx = &gl};
        aws_limits_group(&c, gi.name, gi.priority, gi.n_rules, &gw);
        for (uint32_t i = 0; i < gi.n_rules; i++) {
            dnsfw_rule_def d;
            dnsfw_location rl;
            if (dnsfw_policy_get_rule(p, g, i, &d) != DNSFW_OK ||
                dnsfw_policy_rule_location(p, g, i, &rl) != DNSFW_OK)
                continue;
            struct aws_limit_rule ar = {.name = d.name,
                                        .check_name = d.name != NULL,
                                        .priority = d.priority,
                                        .qtype = d.qtype,
                                        .response = d.block_response,
                                        .override_domain = d.override_domain,
                                        .override_ttl = d.override_ttl};
            struct aws_limit_where rw = {
                .group = gi.name, .spec = SIZE_MAX, .rule_priority = d.priority, .ctx = &rl};
            aws_limits_rule(&c, gi.name, &ar, &rw);
        }
    }
}
