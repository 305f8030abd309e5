/*
 * Shadowed entries, computed on the compiled trie (dnsfw_matcher_shadows()).
 *
 * An entry matches a set of names; the rule that looks at its list decides those names
 * (for its query type) unless an earlier rule does. The earlier rules that match a name
 * are those with an entry on the name's path: "*" at the root, "*.a" at a proper
 * ancestor, "name" at the name. So the entries that can cover an entry are found on its
 * own path, and one of them always covers it alone when anything does:
 *
 *   "*"      only "*" matches every name, the single labels included;
 *   "*.s"    the name "_.s" exists (when s is short enough) and only "*" or "*.a" with a
 *            at or above s match it: no spec holds '_'. Each of those matches all of "*.s";
 *   "name"   one name: whatever matches it covers it.
 *
 * A rule with a query type is decided earlier for its type only by earlier rules of no
 * type or of its type; a rule of no type only by earlier rules of no type, since type
 * 65535 (which no rule can name) exists.
 */
#include <stdio.h>
#include <stdlib.h>

#include "matcher.h"

struct cand {
    uint32_t list;
    uint32_t node; /* TRIE_ROOT for "*" */
    dnsfw_entry_kind kind;
};

struct shadow_run {
    const dnsfw_matcher *m;
    const struct list_rules *lr;
    dnsfw_shadow_fn fn;
    void *ud;
    struct cand *cands;
    size_t n_cands, cap_cands;
    uint32_t *total, *shadowed, *latest; /* per rule rank */
};

static int add_cands(struct shadow_run *s, const uint32_t *lists, uint32_t n, uint32_t node,
                     dnsfw_entry_kind kind)
{
    if (dnsfw__grow((void **)&s->cands, &s->cap_cands, s->n_cands + n, sizeof *s->cands))
        return DNSFW_ENOMEM;
    for (uint32_t i = 0; i < n; i++)
        s->cands[s->n_cands++] = (struct cand){.list = lists[i], .node = node, .kind = kind};
    return DNSFW_OK;
}

/* Presentation form of an entry: "*", "*.name" or "name". */
static void entry_text(const struct trie *t, uint32_t node, dnsfw_entry_kind kind, char *out,
                       size_t size)
{
    if (kind == DNSFW_ENTRY_ALL) {
        snprintf(out, size, "*");
        return;
    }
    size_t o = 0;
    if (kind == DNSFW_ENTRY_WILDCARD) {
        out[o++] = '*';
        out[o++] = '.';
    }
    if (dnsfw__trie_node_name(t, node, out + o, size - o) < 0)
        out[0] = '\0';
}

/* Characters of a node's name (without a trailing dot). */
static size_t name_length(const struct trie *t, uint32_t node)
{
    size_t n = 0;
    for (uint32_t r = node; r != TRIE_ROOT;) {
        struct trie_head h;
        trie_head_at(t, r, &h);
        n += (h.meta & TRIE_LEN_MASK) + (n ? 1 : 0);
        r = h.parent;
    }
    return n;
}

static bool compatible(uint16_t earlier, uint16_t later)
{
    return earlier == 0 || (later != 0 && earlier == later);
}

/* The candidates of an entry at node: "*", wildcards above it, then its own kind there. */
static int collect(struct shadow_run *s, uint32_t node, dnsfw_entry_kind kind)
{
    const struct trie *t = &s->m->trie;
    s->n_cands = 0;
    const uint32_t *root = t->payloads + t->root_payload;
    int rc = add_cands(s, root + 2, root[0], TRIE_ROOT, DNSFW_ENTRY_ALL);
    if (rc || kind == DNSFW_ENTRY_ALL)
        return rc;
    uint32_t path[DNSFW_SPEC_MAX];
    size_t depth = 0;
    for (uint32_t r = node; r != TRIE_ROOT && depth < DNSFW_SPEC_MAX;) {
        path[depth++] = r;
        struct trie_head h;
        trie_head_at(t, r, &h);
        r = h.parent;
    }
    for (size_t i = depth; i-- > 1 && !rc;) { /* proper ancestors, from the top down */
        struct trie_head h;
        trie_head_at(t, path[i], &h);
        const uint32_t *rec = t->payloads + h.payload;
        rc = add_cands(s, rec + 2 + rec[0], rec[1], path[i], DNSFW_ENTRY_WILDCARD);
    }
    struct trie_head h;
    trie_head_at(t, node, &h);
    const uint32_t *rec = t->payloads + h.payload;
    if (!rc && kind == DNSFW_ENTRY_WILDCARD)
        rc = add_cands(s, rec + 2 + rec[0], rec[1], node, DNSFW_ENTRY_WILDCARD);
    else if (!rc)
        rc = add_cands(s, rec + 2, rec[0], node, DNSFW_ENTRY_EXACT);
    return rc;
}

/* Decide one (entry, rule) pair and report it. */
static int judge(struct shadow_run *s, uint32_t list, uint32_t node, dnsfw_entry_kind kind,
                 uint32_t rank, bool matchable)
{
    const dnsfw_matcher *m = s->m;
    uint16_t qtype = m->rules[rank].qtype;
    uint32_t best = UINT32_MAX;
    const struct cand *by = NULL;
    for (size_t i = 0; matchable && i < s->n_cands; i++) { /* least specific first */
        const struct cand *c = &s->cands[i];
        bool self = c->list == list && c->node == node && c->kind == kind;
        const struct list_rules *r = &s->lr[c->list];
        for (uint32_t j = 0; j < r->n; j++) {
            uint32_t other = m->rule_refs[r->off + j];
            if (other > rank)
                break;
            if ((other == rank && self) || !compatible(m->rules[other].qtype, qtype))
                continue;
            if (other <= best) { /* ties: the more specific entry, as evaluation names it */
                best = other;
                by = c;
            }
            break;
        }
    }
    s->total[rank]++;
    if (matchable && best > rank)
        return DNSFW_OK; /* decides some query */
    if (!matchable || best < rank) {
        s->shadowed[rank]++;
        if (matchable && (s->latest[rank] == DNSFW_NONE || best > s->latest[rank]))
            s->latest[rank] = best;
    }
    char entry[DNSFW_SPEC_MAX + 3], by_entry[DNSFW_SPEC_MAX + 3];
    entry_text(&m->trie, node, kind, entry, sizeof entry);
    if (by)
        entry_text(&m->trie, by->node, by->kind, by_entry, sizeof by_entry);
    dnsfw_shadow sh = {.rule = rank,
                       .domain_list = list,
                       .entry = entry,
                       .by_rule = matchable ? best : DNSFW_NONE,
                       .by_list = by && matchable ? by->list : DNSFW_NONE,
                       .by_entry = by && matchable ? by_entry : NULL};
    return s->fn(s->ud, &sh);
}

/* Every rule that looks at one of the lists of an entry. */
static int entry(struct shadow_run *s, const uint32_t *lists, uint32_t n, uint32_t node,
                 dnsfw_entry_kind kind)
{
    if (!n)
        return DNSFW_OK;
    int rc = collect(s, node, kind);
    size_t len = kind == DNSFW_ENTRY_ALL ? 0 : name_length(&s->m->trie, node);
    /* Names have at most 253 characters: "*.s" needs room for one label below s. */
    bool matchable =
        kind == DNSFW_ENTRY_ALL || (kind == DNSFW_ENTRY_EXACT ? len <= 253 : len + 2 <= 253);
    for (uint32_t i = 0; !rc && i < n; i++) {
        const struct list_rules *r = &s->lr[lists[i]];
        for (uint32_t j = 0; !rc && j < r->n; j++)
            rc = judge(s, lists[i], node, kind, s->m->rule_refs[r->off + j], matchable);
    }
    return rc;
}

int dnsfw_matcher_shadows(const dnsfw_matcher *m, uint32_t scope, dnsfw_shadow_fn fn, void *ud)
{
    if (!m || !fn || scope > m->n_scopes)
        return DNSFW_EINVAL;
    size_t nr = m->n_rules ? m->n_rules : 1;
    struct shadow_run s = {.m = m,
                           .lr = m->list_rules + (size_t)scope * m->n_lists,
                           .fn = fn,
                           .ud = ud,
                           .total = calloc(nr, sizeof(uint32_t)),
                           .shadowed = calloc(nr, sizeof(uint32_t)),
                           .latest = malloc(nr * sizeof(uint32_t))};
    int rc = DNSFW_ENOMEM;
    if (!s.total || !s.shadowed || !s.latest)
        goto out;
    for (size_t i = 0; i < m->n_rules; i++)
        s.latest[i] = DNSFW_NONE;
    const struct trie *t = &m->trie;
    const uint32_t *root = t->payloads + t->root_payload;
    rc = entry(&s, root + 2, root[0], TRIE_ROOT, DNSFW_ENTRY_ALL);
    for (uint32_t off = 0; !rc && off < t->nodes_len;) {
        struct trie_head h;
        trie_head_at(t, off, &h);
        if (h.payload) {
            const uint32_t *rec = t->payloads + h.payload;
            rc = entry(&s, rec + 2, rec[0], off, DNSFW_ENTRY_EXACT);
            if (!rc)
                rc = entry(&s, rec + 2 + rec[0], rec[1], off, DNSFW_ENTRY_WILDCARD);
        }
        off += TRIE_HEAD + (h.meta & TRIE_LEN_MASK);
    }
    for (uint32_t r = 0; !rc && r < m->n_rules; r++) {
        /* an Advanced rule has no entries: what it matches is not known here */
        if (m->rules[r].threat || s.shadowed[r] != s.total[r])
            continue;
        uint32_t list = m->rules[r].list;
        for (uint32_t l = 0; l < m->n_lists; l++) /* the list it looks at in this scope */
            for (uint32_t j = 0; j < s.lr[l].n; j++)
                if (m->rule_refs[s.lr[l].off + j] == r)
                    list = l;
        dnsfw_shadow sh = {
            .rule = r, .domain_list = list, .by_rule = s.latest[r], .by_list = DNSFW_NONE};
        rc = fn(ud, &sh);
    }
out:
    free(s.cands);
    free(s.total);
    free(s.shadowed);
    free(s.latest);
    return rc;
}
