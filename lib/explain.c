/* dnsfw_explain(): a verdict in words — group, rule, list and the matching entry. */
#include "matcher.h"
#include "preset.h"

static int entry_text(const dnsfw_matcher *m, const dnsfw_verdict *v, char *out, size_t size)
{
    switch (v->entry_kind) {
    case DNSFW_ENTRY_NONE:
        out[0] = '\0';
        return DNSFW_OK;
    case DNSFW_ENTRY_ALL:
        out[0] = '*';
        out[1] = '\0';
        return DNSFW_OK;
    case DNSFW_ENTRY_WILDCARD:
    case DNSFW_ENTRY_EXACT:
        break;
    }
    if (v->entry_node >= m->trie.nodes_len)
        return DNSFW_EINVAL;
    size_t o = 0;
    if (v->entry_kind == DNSFW_ENTRY_WILDCARD) {
        out[o++] = '*';
        out[o++] = '.';
    }
    return dnsfw__trie_node_name(&m->trie, v->entry_node, out + o, size - o) < 0 ? DNSFW_EINVAL
                                                                                 : DNSFW_OK;
}

int dnsfw_explain(const dnsfw_matcher *m, const dnsfw_verdict *v, uint32_t scope,
                  dnsfw_explanation *out)
{
    if (!out)
        return DNSFW_EINVAL;
    memset(out, 0, sizeof *out);
    if (!m || !v || scope > m->n_scopes)
        return DNSFW_EINVAL;
    if (scope)
        out->scope = m->scope_names[scope - 1];
    if (v->rule == DNSFW_NONE)
        return DNSFW_OK;
    if (v->rule >= m->n_rules)
        return DNSFW_EINVAL;
    const struct m_rule *r = &m->rules[v->rule];
    /* An Advanced rule decides with no list; a domain-list rule always has one. */
    if (r->threat ? v->domain_list != DNSFW_NONE : v->domain_list >= m->n_lists)
        return DNSFW_EINVAL;
    const struct m_group *g = &m->groups[r->group];
    out->rule_group = g->name;
    out->group_priority = g->priority;
    out->rule = r->name;
    out->rule_priority = r->priority;
    out->domain_list = r->threat ? NULL : m->list_names[v->domain_list];
    out->threat = r->threat;
    out->confidence = r->confidence;
    out->qtype = r->qtype;
    out->redirection = r->redirection;
    out->override_domain = r->override_domain;
    out->override_ttl = r->override_ttl;
    int rc = entry_text(m, v, out->entry, sizeof out->entry);
    if (rc || r->threat) /* an Advanced rule: no list, no entry, no preset */
        return rc;
    const struct list_presets *lp = &m->presets[v->domain_list];
    if (lp->specs.count) {
        size_t at = dnsfw__strtab_find(&lp->specs, out->entry, strlen(out->entry));
        if (at != SIZE_MAX)
            out->preset = dnsfw__preset_name(lp->preset[at]);
    }
    return rc;
}
