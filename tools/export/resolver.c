#include "resolver.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"

int resolver_rules_get(const struct fw_model *m, const char *format, struct resolver_rules *rr)
{
    size_t total = 0;
    memset(rr, 0, sizeof *rr);
    for (size_t i = 0; i < m->n_groups; i++)
        total += m->groups[i].n_rules;
    rr->rules = calloc(total + 1, sizeof *rr->rules);
    rr->groups = calloc(total + 1, sizeof *rr->groups);
    if (!rr->rules || !rr->groups) {
        resolver_rules_free(rr);
        return -1;
    }
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct fw_group *g = &m->groups[i];
        for (size_t j = 0; j < g->n_rules; j++) {
            const struct fw_rule *r = &g->rules[j];
            if (r->threat) {
                diag_warning(NULL, 0,
                             "rule group \"%s\", rule %u is a DNS Firewall Advanced rule (%s): "
                             "%s has no such detector, so the rule is left out",
                             g->name, r->priority, dnsfw_threat_name(r->threat), format);
                continue;
            }
            if (r->qtype) {
                char qt[16];
                fw_qtype_text(r->qtype, qt);
                diag_warning(NULL, 0,
                             "rule group \"%s\", rule %u applies to %s queries only: %s cannot "
                             "match on the query type, so the rule is left out (queries of "
                             "that type go on to the next rule)",
                             g->name, r->priority, qt, format);
                continue;
            }
            rr->groups[rr->n] = g;
            rr->rules[rr->n++] = r;
        }
    }
    return 0;
}

void resolver_rules_free(struct resolver_rules *rr)
{
    free(rr->rules);
    free(rr->groups);
    memset(rr, 0, sizeof *rr);
}

bool resolver_passes(const struct fw_rule *r)
{
    return r->action != DNSFW_ACTION_BLOCK;
}

bool resolver_same_outcome(const struct fw_rule *a, const struct fw_rule *b)
{
    if (a->action != b->action || a->response != b->response)
        return false;
    if (a->response != DNSFW_RESPONSE_OVERRIDE)
        return true;
    return a->override_ttl == b->override_ttl &&
           strcmp(a->override_domain, b->override_domain) == 0;
}

int resolver_tree(const struct fw_model *m, const struct resolver_rules *rr, size_t from, size_t to,
                  struct name_tree *t)
{
    nt_init(t);
    for (size_t i = from; i < to && i < rr->n; i++) {
        const struct fw_list *l = &m->lists[rr->rules[i]->list];
        for (size_t j = 0; j < l->n_specs; j++)
            if (nt_add(t, l->specs[j], (int)i))
                return -1;
    }
    nt_finish(t);
    return 0;
}
