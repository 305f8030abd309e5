/* dnsfw_compile(): a policy becomes an immutable matcher. */
#include <stdlib.h>

#include "matcher.h"
#include "policy.h"

void dnsfw_matcher_free(dnsfw_matcher *m)
{
    if (!m)
        return;
    dnsfw__trie_free(&m->trie);
    for (size_t i = 0; i < m->n_rules; i++) {
        free(m->rules[i].name);
        free(m->rules[i].override_domain);
    }
    for (size_t i = 0; i < m->n_groups; i++)
        free(m->groups[i].name);
    for (size_t i = 0; i < m->n_lists; i++) {
        free(m->list_names[i]);
        if (m->presets) {
            dnsfw__strtab_free(&m->presets[i].specs);
            free(m->presets[i].preset);
        }
    }
    free(m->presets);
    for (size_t i = 0; i < m->n_scopes; i++)
        free(m->scope_names[i]);
    free(m->rules);
    free(m->groups);
    free(m->list_names);
    free(m->scope_names);
    free(m->list_rules);
    free(m->rule_refs);
    free(m);
}

/* Groups by association priority, rules by rule priority (kept sorted in the policy). */
static int copy_rules(dnsfw_matcher *m, const dnsfw_policy *p)
{
    size_t n_rules = 0;
    for (size_t g = 0; g < p->n_groups; g++)
        n_rules += p->groups[g].n_rules;
    uint32_t *order = malloc((p->n_groups ? p->n_groups : 1) * sizeof *order);
    m->groups = calloc(p->n_groups ? p->n_groups : 1, sizeof *m->groups);
    m->rules = calloc(n_rules ? n_rules : 1, sizeof *m->rules);
    if (!order || !m->groups || !m->rules) {
        free(order);
        return DNSFW_ENOMEM;
    }
    for (uint32_t g = 0; g < p->n_groups; g++) { /* insertion sort: a VPC has a few groups */
        uint32_t at = g;
        while (at > 0 && p->groups[order[at - 1]].priority > p->groups[g].priority) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = g;
    }
    for (size_t i = 0; i < p->n_groups; i++) {
        const struct group *g = &p->groups[order[i]];
        m->groups[i].priority = g->priority;
        if (!(m->groups[i].name = dnsfw__strdup(g->name)))
            goto nomem;
        m->n_groups++;
        for (size_t j = 0; j < g->n_rules; j++) {
            const struct rule *r = &g->rules[j];
            struct m_rule *mr = &m->rules[m->n_rules++];
            *mr = (struct m_rule){.group = (uint32_t)i,
                                  .priority = r->priority,
                                  .action = r->action,
                                  .response = r->block_response,
                                  .redirection = r->redirection,
                                  .qtype = r->qtype,
                                  .list = r->list,
                                  .override_ttl = r->override_ttl,
                                  .threat = r->threat,
                                  .confidence = r->confidence};
            m->n_threat_rules += r->threat != DNSFW_THREAT_NONE;
            if ((r->name && !(mr->name = dnsfw__strdup(r->name))) ||
                (r->override_domain && !(mr->override_domain = dnsfw__strdup(r->override_domain))))
                goto nomem;
        }
    }
    free(order);
    return DNSFW_OK;
nomem:
    free(order);
    return DNSFW_ENOMEM;
}

/* The list a rule looks at under a scope: a scope swaps the union list for its own. */
static uint32_t scoped_list(const dnsfw_policy *p, uint32_t list, size_t scope)
{
    if (list == DNSFW_NONE || scope == 0 || !p->is_tiered || list != TIER_UNION_LIST)
        return list;
    return p->scopes[scope - 1].list;
}

static int build_list_rules(dnsfw_matcher *m, const dnsfw_policy *p, bool *used)
{
    size_t n_scopes = p->n_scopes + 1, n_lists = p->n_lists;
    size_t n_slots = n_scopes * n_lists, n_refs = n_scopes * m->n_rules;
    m->list_rules = calloc(n_slots ? n_slots : 1, sizeof *m->list_rules);
    m->rule_refs = malloc((n_refs ? n_refs : 1) * sizeof(uint32_t));
    if (!m->list_rules || !m->rule_refs)
        return DNSFW_ENOMEM;
    uint32_t off = 0;
    for (size_t s = 0; s < n_scopes; s++) {
        for (uint32_t l = 0; l < n_lists; l++) {
            struct list_rules *lr = &m->list_rules[s * n_lists + l];
            lr->off = off;
            for (uint32_t r = 0; r < m->n_rules; r++) {
                if (scoped_list(p, m->rules[r].list, s) == l) {
                    m->rule_refs[off++] = r;
                    lr->n++;
                    used[l] = true;
                }
            }
        }
    }
    return DNSFW_OK;
}

/* For each list, the specs whose first origin is a preset, with that preset. */
static int copy_presets(dnsfw_matcher *m, const dnsfw_policy *p)
{
    for (size_t l = 0; l < p->n_lists; l++) {
        const struct spec_list *sl = &p->lists[l];
        struct list_presets *lp = &m->presets[l];
        bool any = false; /* the union list has no presets of its own, its origins do */
        for (size_t k = 0; k < sl->n_origins && !any; k++)
            any = sl->origins[k].preset != 0;
        if (!any)
            continue;
        bool *first = calloc(sl->specs.count ? sl->specs.count : 1, sizeof *first);
        if (!first)
            return DNSFW_ENOMEM;
        size_t cap = 0;
        for (size_t k = 0; k < sl->n_origins; k++) {
            const struct spec_origin *o = &sl->origins[k];
            if (first[o->spec])
                continue;
            first[o->spec] = true;
            if (!o->preset)
                continue;
            const char *spec = dnsfw__strtab_get(&sl->specs, o->spec);
            size_t at;
            if (dnsfw__strtab_add(&lp->specs, spec, strlen(spec), &at, NULL) ||
                dnsfw__grow((void **)&lp->preset, &cap, at + 1, sizeof *lp->preset)) {
                free(first);
                return DNSFW_ENOMEM;
            }
            lp->preset[at] = o->preset - 1;
        }
        free(first);
    }
    return DNSFW_OK;
}

static int copy_names(dnsfw_matcher *m, const dnsfw_policy *p)
{
    m->presets = calloc(p->n_lists ? p->n_lists : 1, sizeof *m->presets);
    if (!m->presets)
        return DNSFW_ENOMEM;
    m->list_names = calloc(p->n_lists ? p->n_lists : 1, sizeof *m->list_names);
    m->scope_names = calloc(p->n_scopes ? p->n_scopes : 1, sizeof *m->scope_names);
    if (!m->list_names || !m->scope_names)
        return DNSFW_ENOMEM;
    for (; m->n_lists < p->n_lists; m->n_lists++)
        if (!(m->list_names[m->n_lists] = dnsfw__strdup(p->lists[m->n_lists].name)))
            return DNSFW_ENOMEM;
    for (; m->n_scopes < p->n_scopes; m->n_scopes++)
        if (!(m->scope_names[m->n_scopes] = dnsfw__strdup(p->scopes[m->n_scopes].repo)))
            return DNSFW_ENOMEM;
    return copy_presets(m, p);
}

/* Length of string i of a table: the strings lie back to back, each with its NUL. */
static size_t strtab_len(const struct strtab *t, size_t i)
{
    size_t end = i + 1 < t->count ? t->offset[i + 1] : t->arena_len;
    return end - t->offset[i] - 1;
}

static int build_trie(dnsfw_matcher *m, const dnsfw_policy *p, const bool *used)
{
    size_t n_specs = 0;
    for (size_t l = 0; l < p->n_lists; l++)
        if (used[l])
            n_specs += p->lists[l].specs.count;
    struct trie_builder *b = NULL; /* freed below even when the builder was not made */
    int rc = dnsfw__trie_builder_new(&b, n_specs);
    for (uint32_t l = 0; !rc && l < p->n_lists; l++) {
        if (!used[l]) /* no rule can ever look at it */
            continue;
        const struct strtab *t = &p->lists[l].specs;
        for (size_t i = 0; !rc && i < t->count; i++) {
            rc = dnsfw__trie_add(b, dnsfw__strtab_get(t, i), strtab_len(t, i), l);
        }
    }
    if (!rc)
        rc = dnsfw__trie_finish(b, &m->trie);
    dnsfw__trie_builder_free(b);
    return rc;
}

int dnsfw_compile(const dnsfw_policy *p, dnsfw_matcher **out)
{
    if (!p || !out)
        return DNSFW_EINVAL;
    *out = NULL;
    dnsfw_matcher *m = calloc(1, sizeof *m);
    bool *used = calloc(p->n_lists ? p->n_lists : 1, sizeof *used);
    int rc = DNSFW_ENOMEM;
    if (m && used) {
        m->fail_open = p->fail_open;
        if (!(rc = copy_rules(m, p)) && !(rc = copy_names(m, p)) &&
            !(rc = build_list_rules(m, p, used)))
            rc = build_trie(m, p, used);
    }
    free(used);
    if (rc) {
        dnsfw_matcher_free(m);
        return rc;
    }
    *out = m;
    return DNSFW_OK;
}

int dnsfw_matcher_fail_open(const dnsfw_matcher *m)
{
    return m ? m->fail_open : 0;
}

size_t dnsfw_matcher_memory(const dnsfw_matcher *m)
{
    if (!m)
        return 0;
    return sizeof *m + m->trie.nodes_len + TRIE_SLACK +
           ((size_t)m->trie.n_buckets + 1) * sizeof(uint32_t) +
           m->trie.payloads_len * sizeof(uint32_t) + m->n_rules * sizeof *m->rules +
           m->n_groups * sizeof *m->groups +
           (m->n_scopes + 1) * m->n_lists * sizeof(struct list_rules) +
           (m->n_scopes + 1) * m->n_rules * sizeof(uint32_t);
}

int dnsfw_matcher_find_scope(const dnsfw_matcher *m, const char *repo, uint32_t *scope)
{
    if (!m || !repo || !scope)
        return DNSFW_EINVAL;
    for (size_t i = 0; i < m->n_scopes; i++) {
        if (strcmp(m->scope_names[i], repo) == 0) {
            *scope = (uint32_t)i + 1;
            return DNSFW_OK;
        }
    }
    return DNSFW_ENOTFOUND;
}

uint32_t dnsfw_matcher_threat_rules(const dnsfw_matcher *m)
{
    return m ? m->n_threat_rules : 0;
}

uint32_t dnsfw_matcher_rule_count(const dnsfw_matcher *m)
{
    return m ? (uint32_t)m->n_rules : 0;
}

int dnsfw_matcher_rule(const dnsfw_matcher *m, uint32_t rank, uint32_t scope, dnsfw_rule_info *out)
{
    if (!out)
        return DNSFW_EINVAL;
    memset(out, 0, sizeof *out);
    if (!m || rank >= m->n_rules || scope > m->n_scopes)
        return DNSFW_EINVAL;
    const struct m_rule *r = &m->rules[rank];
    const struct m_group *g = &m->groups[r->group];
    uint32_t list = r->list;
    /* Under a scope the rule may look at a blueprint's own list: find it in the refs. */
    const struct list_rules *lr = m->list_rules + (size_t)scope * m->n_lists;
    for (uint32_t l = 0; l < m->n_lists; l++)
        for (uint32_t j = 0; j < lr[l].n; j++)
            if (m->rule_refs[lr[l].off + j] == rank)
                list = l;
    *out = (dnsfw_rule_info){.rule_group = g->name,
                             .group_priority = g->priority,
                             .rule = r->name,
                             .rule_priority = r->priority,
                             .action = r->action,
                             .domain_list = list,
                             .domain_list_name = r->threat ? NULL : m->list_names[list],
                             .qtype = r->qtype,
                             .redirection = r->redirection,
                             .threat = r->threat,
                             .confidence = r->confidence};
    return DNSFW_OK;
}
