/*
 * Evaluation: walk the trie from the top-level label down, collecting the entries that
 * match (the match-all lists at the root, "*.x" lists at every proper ancestor, exact
 * lists at the name itself) and keep the lowest-ranked rule that looks at one of their
 * lists and accepts the query type. Everything lives on the stack; the matcher is only
 * read, so any number of threads may evaluate at once.
 */
#include "matcher.h"
#include "name.h"
#include "qname.h"

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

/*
 * Walk the levels of a prepared name from the top-level label down. Their records were
 * asked for when the name was prepared; each level is one search in its bucket.
 */
static void decide(const dnsfw_matcher *m, const struct qname *q, uint16_t qtype, uint32_t scope,
                   struct best *out)
{
    const struct trie *t = &m->trie;
    const uint8_t *nodes = t->nodes;
    const struct list_rules *lr = m->list_rules + (size_t)scope * m->n_lists;
    struct best b = {.rank = UINT32_MAX, .list = DNSFW_NONE, .node = DNSFW_NONE};

    const uint32_t *root = t->payloads + t->root_payload;
    if (root[0])
        offer(m, lr, root + 2, root[0], qtype, DNSFW_ENTRY_ALL, TRIE_ROOT, &b);
    uint32_t parent = TRIE_ROOT;
    for (unsigned i = 0, n = q->nlabels; i < n; i++) {
        uint32_t r = trie_find(nodes, q->first[i], q->end[i], q->key[i], parent,
                               q->base + q->start[i], q->len[i]);
        if (r == TRIE_EMPTY)
            break;
        uint32_t payload = trie_payload_at(nodes, r);
        if (payload) {
            const uint32_t *rec = t->payloads + payload;
            if (i + 1 < n) /* a proper ancestor of the name: its "*." entries match */
                offer(m, lr, rec + 2 + rec[0], rec[1], qtype, DNSFW_ENTRY_WILDCARD, r, &b);
            else
                offer(m, lr, rec + 2, rec[0], qtype, DNSFW_ENTRY_EXACT, r, &b);
        }
        if (!(trie_meta_at(nodes, r) & TRIE_CHILDREN))
            break;
        parent = r;
    }
    *out = b;
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

/* Prepare a presentation-form name: the one-pass scan, or the general parser. */
static inline int prepare_text(const dnsfw_matcher *m, struct qname *q, bool prefetch_only,
                               const char *name, size_t len)
{
    if (qname_scan(q, &m->trie, prefetch_only, name, len))
        return DNSFW_OK;
    struct dnsfw_name n;
    int rc = dnsfw__name_from_text(&n, name, len);
    if (rc)
        return rc;
    qname_from_wire(q, &m->trie, prefetch_only, &n);
    return DNSFW_OK;
}

static void eval_prepared(const dnsfw_matcher *m, const struct qname *q, uint16_t qtype,
                          uint32_t scope, dnsfw_verdict *v)
{
    struct best b;
    decide(m, q, qtype, scope, &b);
    fill(m, &b, v);
}

static int eval_text(const dnsfw_matcher *m, const char *name, size_t len, uint16_t qtype,
                     uint32_t scope, dnsfw_verdict *v)
{
    struct qname q;
    int rc = prepare_text(m, &q, false, name, len);
    if (rc)
        return rc;
    eval_prepared(m, &q, qtype, scope, v);
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
    struct qname q;
    qname_from_wire(&q, &m->trie, false, &n);
    eval_prepared(m, &q, qtype, scope, v);
    return DNSFW_OK;
}

/*
 * A software pipeline over the batch: while name j is being prepared (which asks for its
 * directory entries), name j - AHEAD_DIR asks for its records (its directory entries
 * have arrived by now) and name j - AHEAD_DIR - AHEAD_REC is walked (its records have
 * arrived). Each name waits on memory twice; this way the waits overlap with the work
 * on other names instead of adding up.
 */
#define AHEAD_DIR 4
#define AHEAD_REC 4
#define RING      (AHEAD_DIR + AHEAD_REC + 1)

int dnsfw_eval_batch(const dnsfw_matcher *m, const dnsfw_query *queries, size_t n,
                     dnsfw_verdict *verdicts, int *status)
{
    if (!m || (n && (!queries || !verdicts)))
        return DNSFW_EINVAL;
    int first_rc = DNSFW_OK;
    struct qname q[RING];
    int rc[RING];
    /* Ring positions of the name being prepared, fetched and walked. */
    size_t prep = 0, fetch = RING - AHEAD_DIR, walk = RING - AHEAD_DIR - AHEAD_REC;
    for (size_t j = 0; j < n + AHEAD_DIR + AHEAD_REC; j++) {
        if (j < n) {
            const dnsfw_query *in = &queries[j];
            rc[prep] = !in->name || in->scope > m->n_scopes
                           ? DNSFW_EINVAL
                           : prepare_text(m, &q[prep], true, in->name, in->len);
        }
        if (j >= AHEAD_DIR && j - AHEAD_DIR < n && rc[fetch] == DNSFW_OK)
            qname_records(&q[fetch], &m->trie);
        if (j >= AHEAD_DIR + AHEAD_REC) {
            size_t k = j - AHEAD_DIR - AHEAD_REC;
            const dnsfw_query *in = &queries[k];
            int r = rc[walk];
            if (r == DNSFW_OK) {
                eval_prepared(m, &q[walk], in->qtype, in->scope, &verdicts[k]);
            } else {
                struct best none = {.rank = UINT32_MAX};
                fill(m, &none, &verdicts[k]);
                if (first_rc == DNSFW_OK)
                    first_rc = r;
            }
            if (status)
                status[k] = r;
        }
        prep = prep + 1 == RING ? 0 : prep + 1;
        fetch = fetch + 1 == RING ? 0 : fetch + 1;
        walk = walk + 1 == RING ? 0 : walk + 1;
    }
    return first_rc;
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
