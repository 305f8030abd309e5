/*
 * shadowed, redundant and duplicate-across-rules, from the library's exact analysis on
 * the compiled matcher (dnsfw_matcher_shadows()), for the rule group as AWS deploys it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint.h"

struct shadow_ctx {
    struct lint *l;
    struct pending {
        dnsfw_shadow s;
        char *entry, *by_entry;
    } * v;
    size_t n, cap;
};

static int collect(void *ud, const dnsfw_shadow *s)
{
    struct shadow_ctx *c = ud;
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 64;
        struct pending *nv = realloc(c->v, ncap * sizeof *nv);
        if (!nv)
            return DNSFW_ENOMEM;
        c->v = nv;
        c->cap = ncap;
    }
    struct pending *p = &c->v[c->n++];
    p->s = *s;
    p->entry = s->entry ? strdup(s->entry) : NULL;
    p->by_entry = s->by_entry ? strdup(s->by_entry) : NULL;
    return 0;
}

/* "rule 100 (platform-baseline)" or "rule allow (priority 100) of group g". */
static void describe_rule(const struct lint *l, uint32_t rank, char *out, size_t size)
{
    dnsfw_rule_info ri;
    if (dnsfw_matcher_rule(l->matcher, rank, DNSFW_SCOPE_ALL, &ri) != DNSFW_OK) {
        snprintf(out, size, "an earlier rule");
        return;
    }
    if (ri.rule)
        snprintf(out, size, "rule %s (group %s, priority %u, %s %s)", ri.rule, ri.rule_group,
                 ri.rule_priority, dnsfw_action_name(ri.action), ri.domain_list_name);
    else
        snprintf(out, size, "rule %u (%s %s)", ri.rule_priority, dnsfw_action_name(ri.action),
                 ri.domain_list_name);
}

static void about_rule(const struct lint *l, struct finding *f, uint32_t rank)
{
    dnsfw_rule_info ri;
    if (dnsfw_matcher_rule(l->matcher, rank, DNSFW_SCOPE_ALL, &ri) != DNSFW_OK)
        return;
    lint_about_list(l, f, ri.domain_list);
    finding_set(&f->rule_group, ri.rule_group);
    f->has_rule = true;
    f->rule_priority = ri.rule_priority;
    finding_set(&f->rule, ri.rule);
    /* A general-form rule is located at its own definition. */
    dnsfw_policy_info info = l->info;
    for (uint32_t g = 0; g < info.n_groups; g++) {
        dnsfw_group_info gi;
        if (dnsfw_policy_get_group(l->policy, g, &gi) != DNSFW_OK || strcmp(gi.name, ri.rule_group))
            continue;
        for (uint32_t i = 0; i < gi.n_rules; i++) {
            dnsfw_rule_def d;
            dnsfw_location w;
            if (dnsfw_policy_get_rule(l->policy, g, i, &d) == DNSFW_OK &&
                d.priority == ri.rule_priority &&
                dnsfw_policy_rule_location(l->policy, g, i, &w) == DNSFW_OK && w.file) {
                finding_set(&f->file, w.file);
                f->line = w.line;
                f->column = w.column;
            }
        }
    }
}

static void entry_finding(struct lint *l, const struct pending *p)
{
    char by[400];
    if (p->s.by_rule != DNSFW_NONE)
        describe_rule(l, p->s.by_rule, by, sizeof by);
    for (size_t k = lint_find_spec(l, p->s.domain_list, p->entry); k != SIZE_MAX;
         k = l->occ_next[k]) {
        const struct occurrence *o = &l->occ[k];
        struct finding *f;
        if (p->s.by_rule == DNSFW_NONE)
            f = finding_add(&l->findings, CHECK_SHADOWED,
                            "\"%s\" can never match: a name it matches would have %zu "
                            "characters or more, and a DNS name has at most 253",
                            p->entry, strlen(p->entry));
        else if (p->s.by_rule == p->s.rule)
            f = finding_add(&l->findings, CHECK_REDUNDANT,
                            "\"%s\" is redundant: \"%s\" in the same list matches every name it "
                            "matches",
                            p->entry, p->by_entry ? p->by_entry : "?");
        else if (p->by_entry && !strcmp(p->by_entry, p->entry))
            f = finding_add(&l->findings, CHECK_DUPLICATE,
                            "\"%s\" is also in list %s, which %s looks at first: this copy never "
                            "decides",
                            p->entry, dnsfw_policy_list_name(l->policy, p->s.by_list), by);
        else
            f = finding_add(&l->findings, CHECK_SHADOWED,
                            "\"%s\" can never decide: \"%s\" of %s matches every name it matches "
                            "first",
                            p->entry, p->by_entry ? p->by_entry : "?", by);
        lint_about_occurrence(l, f, o);
        /* the rule the entry belongs to, when its list serves several */
        dnsfw_rule_info ri;
        if (dnsfw_matcher_rule(l->matcher, p->s.rule, DNSFW_SCOPE_ALL, &ri) == DNSFW_OK) {
            finding_set(&f->rule_group, ri.rule_group);
            f->rule_priority = ri.rule_priority;
            finding_set(&f->rule, ri.rule);
        }
    }
}

void check_shadows(struct lint *l)
{
    struct shadow_ctx c = {.l = l};
    if (dnsfw_matcher_shadows(l->matcher, DNSFW_SCOPE_ALL, collect, &c) != DNSFW_OK) {
        l->findings.oom = true;
    } else {
        for (size_t i = 0; i < c.n; i++) {
            const struct pending *p = &c.v[i];
            if (p->entry) { /* also under a shadowed rule: each repository sees its own */
                entry_finding(l, p);
                continue;
            }
            dnsfw_managed_info mi;
            if (dnsfw_policy_list_managed(l->policy, p->s.domain_list, &mi) == DNSFW_OK &&
                mi.managed)
                continue; /* AWS's contents: whether the rule decides is not known here */
            char by[400] = "";
            struct finding *f;
            if (p->s.by_rule == DNSFW_NONE) {
                f = finding_add(&l->findings, CHECK_SHADOWED,
                                "this rule can never decide: its domain list %s matches no name",
                                dnsfw_policy_list_name(l->policy, p->s.domain_list));
            } else {
                describe_rule(l, p->s.by_rule, by, sizeof by);
                f = finding_add(&l->findings, CHECK_SHADOWED,
                                "this rule can never decide: earlier rules (the last of them %s) "
                                "match every name of its domain list %s",
                                by, dnsfw_policy_list_name(l->policy, p->s.domain_list));
            }
            about_rule(l, f, p->s.rule);
        }
    }
    for (size_t i = 0; i < c.n; i++) {
        free(c.v[i].entry);
        free(c.v[i].by_entry);
    }
    free(c.v);
}
