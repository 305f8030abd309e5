/*
 * Evaluation: walk the trie from the top-level label down, collecting the entries that
 * match (the match-all lists at the root, "*.x" lists at every proper ancestor, exact
 * lists at the name itself) and keep the lowest-ranked rule that looks at one of their
 * lists and accepts the query type. Everything lives on the stack; the matcher is only
 * read, so any number of threads may evaluate at once.
 */
#include "matcher.h"
#include "name.h"

struct best {
    uint32_t rank; /* UINT32_MAX: nothing yet */
    uint32_t list;
    uint32_t node;
    dnsfw_entry_kind kind;
};

/*
 * Offer the lists of one matching entry. Equal ranks can only come from the same list,
 * and later offers are more specific (wildcards are offered top-down, exact entries
 * last), so ties go to the later offer: the explanation names the closest entry.
 */
static inline void offer(const dnsfw_matcher *m, const struct list_rules *lr, const uint32_t *lists,
                         uint32_t n, uint16_t qtype, dnsfw_entry_kind kind, uint32_t node,
                         struct best *b)
{
    for (uint32_t i = 0; i < n; i++) {
        const struct list_rules *r = &lr[lists[i]];
        const uint32_t *refs = m->rule_refs + r->off;
        for (uint32_t j = 0; j < r->n; j++) {
            uint32_t rank = refs[j];
            if (rank > b->rank)
                break;
            uint16_t want = m->rules[rank].qtype;
            if (want && want != qtype)
                continue;
            *b = (struct best){.rank = rank, .list = lists[i], .node = node, .kind = kind};
            break;
        }
    }
}

static void decide(const dnsfw_matcher *m, const struct dnsfw_name *n, uint16_t qtype,
                   uint32_t scope, struct best *b)
{
    const struct trie *t = &m->trie;
    const struct list_rules *lr = m->list_rules + (size_t)scope * m->n_lists;
    *b = (struct best){.rank = UINT32_MAX, .list = DNSFW_NONE, .node = DNSFW_NONE};

    const uint32_t *root = t->payloads + t->root_payload;
    offer(m, lr, root + 2, root[0], qtype, DNSFW_ENTRY_ALL, TRIE_ROOT, b);
    if (t->n_nodes == 0 || n->nlabels == 0)
        return;

    /*
     * Where every level lives depends only on the name: compute the keys first, then
     * fetch the (cached) directory entries, then the records, so that the records of all
     * levels are on their way at once.
     */
    uint32_t key[DNSFW_LABELS_MAX], at[DNSFW_LABELS_MAX];
    uint64_t h = DNSFW_HASH_SEED;
    for (int i = n->nlabels - 1; i >= 0; i--) {
        size_t len;
        const uint8_t *label = dnsfw__name_label(n, (unsigned)i, &len);
        h = dnsfw__hash_label(h, label, len);
        key[i] = trie_key(h);
        at[i] = trie_bucket(key[i], t->n_buckets);
        __builtin_prefetch(&t->dir[at[i]]);
    }
    for (int i = n->nlabels - 1; i >= 0; i--) {
        const uint8_t *first = t->nodes + t->dir[at[i]];
        __builtin_prefetch(first);
        __builtin_prefetch(first + 64);
    }

    uint32_t parent = TRIE_ROOT;
    for (int i = n->nlabels - 1; i >= 0; i--) {
        size_t len;
        const uint8_t *label = dnsfw__name_label(n, (unsigned)i, &len);
        uint32_t r = trie_find(t, key[i], parent, label, len);
        if (r == TRIE_EMPTY)
            return;
        struct trie_head hd;
        trie_head_at(t, r, &hd);
        if (hd.payload) {
            const uint32_t *rec = t->payloads + hd.payload;
            if (i > 0) /* a proper ancestor of the name: its "*." entries match */
                offer(m, lr, rec + 2 + rec[0], rec[1], qtype, DNSFW_ENTRY_WILDCARD, r, b);
            else
                offer(m, lr, rec + 2, rec[0], qtype, DNSFW_ENTRY_EXACT, r, b);
        }
        if (!(hd.meta & TRIE_CHILDREN))
            return;
        parent = r;
    }
}

static void fill(const dnsfw_matcher *m, const struct best *b, dnsfw_verdict *v)
{
    if (b->rank == UINT32_MAX) {
        *v = (dnsfw_verdict){.action = DNSFW_ACTION_NONE,
                             .rule = DNSFW_NONE,
                             .domain_list = DNSFW_NONE,
                             .entry_node = DNSFW_NONE};
        return;
    }
    const struct m_rule *r = &m->rules[b->rank];
    *v = (dnsfw_verdict){
        .action = r->action,
        .block_response = r->action == DNSFW_ACTION_BLOCK ? r->response : DNSFW_RESPONSE_NONE,
        .rule = b->rank,
        .domain_list = b->list,
        .entry_kind = b->kind,
        .entry_node = b->node,
    };
}

static int eval_text(const dnsfw_matcher *m, const char *name, size_t len, uint16_t qtype,
                     uint32_t scope, dnsfw_verdict *v)
{
    struct dnsfw_name n;
    int rc = dnsfw__name_from_text(&n, name, len);
    if (rc)
        return rc;
    struct best b;
    decide(m, &n, qtype, scope, &b);
    fill(m, &b, v);
    return DNSFW_OK;
}

int dnsfw_eval(const dnsfw_matcher *m, const char *name, size_t len, uint16_t qtype, uint32_t scope,
               dnsfw_verdict *v)
{
    if (!m || !name || !v || scope > m->n_scopes)
        return DNSFW_EINVAL;
    return eval_text(m, name, len, qtype, scope, v);
}

int dnsfw_eval_wire(const dnsfw_matcher *m, const uint8_t *wire, size_t len, uint16_t qtype,
                    uint32_t scope, dnsfw_verdict *v)
{
    if (!m || !wire || !v || scope > m->n_scopes)
        return DNSFW_EINVAL;
    struct dnsfw_name n;
    int rc = dnsfw__name_from_wire(&n, wire, len);
    if (rc)
        return rc;
    struct best b;
    decide(m, &n, qtype, scope, &b);
    fill(m, &b, v);
    return DNSFW_OK;
}

static bool trusts(const dnsfw_matcher *m, const dnsfw_verdict *v)
{
    return v->rule != DNSFW_NONE && m->rules[v->rule].redirection == DNSFW_REDIRECTION_TRUST;
}

int dnsfw_eval_chain(const dnsfw_matcher *m, const char *qname, size_t qname_len,
                     const char *const *chain, const size_t *chain_len, size_t n_chain,
                     uint16_t qtype, uint32_t scope, dnsfw_verdict *v, size_t *bad_hop)
{
    if (!m || !qname || !v || scope > m->n_scopes || (n_chain && (!chain || !chain_len)))
        return DNSFW_EINVAL;
    if (bad_hop)
        *bad_hop = 0;
    int rc = eval_text(m, qname, qname_len, qtype, scope, v);
    if (rc || v->action == DNSFW_ACTION_BLOCK || trusts(m, v))
        return rc;

    dnsfw_verdict alert = *v; /* the first ALERT seen, the query name's own included */
    for (size_t i = 0; i < n_chain; i++) {
        dnsfw_verdict h;
        if (!chain[i]) {
            rc = DNSFW_EINVAL;
        } else {
            rc = eval_text(m, chain[i], chain_len[i], qtype, scope, &h);
        }
        if (rc) {
            if (bad_hop)
                *bad_hop = i + 1;
            return rc;
        }
        h.hop = (uint32_t)(i + 1);
        if (h.action == DNSFW_ACTION_BLOCK) {
            *v = h;
            return DNSFW_OK;
        }
        if (h.action == DNSFW_ACTION_ALERT && alert.action != DNSFW_ACTION_ALERT)
            alert = h;
        if (trusts(m, &h)) /* the rest of the chain is trusted from this name on */
            break;
    }
    *v = alert;
    return DNSFW_OK;
}

int dnsfw_eval_threats(const dnsfw_matcher *m, uint16_t qtype,
                       const dnsfw_confidence detected[DNSFW_THREAT_COUNT], dnsfw_verdict *v)
{
    if (!m || !detected || !v || (v->rule != DNSFW_NONE && v->rule >= m->n_rules))
        return DNSFW_EINVAL;
    if (!m->n_threat_rules)
        return DNSFW_OK;
    uint32_t until = v->rule == DNSFW_NONE ? (uint32_t)m->n_rules : v->rule;
    for (uint32_t rank = 0; rank < until; rank++) {
        const struct m_rule *r = &m->rules[rank];
        if (!r->threat || (r->qtype && r->qtype != qtype))
            continue;
        dnsfw_confidence found = detected[r->threat];
        if (found < DNSFW_CONFIDENCE_LOW || found > DNSFW_CONFIDENCE_HIGH || found < r->confidence)
            continue;
        *v = (dnsfw_verdict){
            .action = r->action,
            .block_response = r->action == DNSFW_ACTION_BLOCK ? r->response : DNSFW_RESPONSE_NONE,
            .rule = rank,
            .domain_list = DNSFW_NONE,
            .entry_kind = DNSFW_ENTRY_NONE,
            .entry_node = DNSFW_NONE,
        };
        return DNSFW_OK;
    }
    return DNSFW_OK;
}
