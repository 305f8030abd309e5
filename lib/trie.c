/* Building the suffix trie (layout described in trie.h). */
#include "trie.h"

#include <stdlib.h>

#include "spec.h"

struct bnode {
    uint64_t hash; /* hash of the path from the root to this node */
    uint32_t parent;
    uint32_t label;
    uint32_t memb; /* first membership, or TRIE_EMPTY */
    uint8_t len;
    uint8_t has_children;
};

/* One (list, kind) entry of a node, chained per node. */
struct memb {
    uint32_t list;
    uint32_t next;
    uint8_t wildcard;
};

struct trie_builder {
    struct bnode *nodes;
    size_t n_nodes, cap_nodes;
    uint64_t *index; /* (hash >> 32) << 32 | (node + 1); 0 = empty */
    size_t index_cap;
    uint8_t *pool;
    size_t pool_len, pool_cap;
    struct memb *memb;
    size_t n_memb, cap_memb;
    uint32_t root_memb;
};

int dnsfw__trie_builder_new(struct trie_builder **out, size_t expected_specs)
{
    struct trie_builder *b = calloc(1, sizeof *b);
    if (!b)
        return DNSFW_ENOMEM;
    b->root_memb = TRIE_EMPTY;
    size_t cap = 64;
    while (cap < expected_specs * 3 && cap < ((size_t)1 << 40))
        cap *= 2;
    b->index = calloc(cap, sizeof *b->index);
    if (!b->index) {
        free(b);
        return DNSFW_ENOMEM;
    }
    b->index_cap = cap;
    *out = b;
    return DNSFW_OK;
}

void dnsfw__trie_builder_free(struct trie_builder *b)
{
    if (!b)
        return;
    free(b->nodes);
    free(b->index);
    free(b->pool);
    free(b->memb);
    free(b);
}

static int grow_index(struct trie_builder *b)
{
    size_t ncap = b->index_cap * 2;
    uint64_t *ni = calloc(ncap, sizeof *ni);
    if (!ni)
        return DNSFW_ENOMEM;
    for (size_t i = 0; i < b->index_cap; i++) {
        uint64_t e = b->index[i];
        if (!e)
            continue;
        size_t pos = (size_t)b->nodes[(uint32_t)e - 1].hash & (ncap - 1);
        while (ni[pos])
            pos = (pos + 1) & (ncap - 1);
        ni[pos] = e;
    }
    free(b->index);
    b->index = ni;
    b->index_cap = ncap;
    return DNSFW_OK;
}

/* The node (parent, label), created when absent. */
static int child(struct trie_builder *b, uint32_t parent, uint64_t hash, const uint8_t *label,
                 size_t len, uint32_t *node)
{
    size_t mask = b->index_cap - 1, pos = (size_t)hash & mask;
    uint64_t tag = hash >> 32 << 32;
    for (;; pos = (pos + 1) & mask) {
        uint64_t e = b->index[pos];
        if (!e)
            break;
        if ((e & 0xFFFFFFFF00000000ull) != tag)
            continue;
        const struct bnode *c = &b->nodes[(uint32_t)e - 1];
        if (c->parent == parent && c->len == len && memcmp(b->pool + c->label, label, len) == 0) {
            *node = (uint32_t)e - 1;
            return DNSFW_OK;
        }
    }
    if (b->n_nodes >= TRIE_MAX_NODES || b->pool_len + len + 8 > UINT32_MAX)
        return DNSFW_ELIMIT;
    if (dnsfw__grow((void **)&b->nodes, &b->cap_nodes, b->n_nodes + 1, sizeof *b->nodes) ||
        dnsfw__grow((void **)&b->pool, &b->pool_cap, b->pool_len + len + 8, 1))
        return DNSFW_ENOMEM;
    uint32_t id = (uint32_t)b->n_nodes++;
    memcpy(b->pool + b->pool_len, label, len);
    b->nodes[id] = (struct bnode){.hash = hash,
                                  .parent = parent,
                                  .label = (uint32_t)b->pool_len,
                                  .memb = TRIE_EMPTY,
                                  .len = (uint8_t)len};
    b->pool_len += len;
    if (parent != TRIE_ROOT)
        b->nodes[parent].has_children = 1;
    b->index[pos] = tag | (id + 1);
    *node = id;
    if (b->n_nodes * 2 > b->index_cap)
        return grow_index(b);
    return DNSFW_OK;
}

static int add_memb(struct trie_builder *b, uint32_t *head, uint32_t list, bool wildcard)
{
    if (b->n_memb >= TRIE_MAX_NODES)
        return DNSFW_ELIMIT;
    if (dnsfw__grow((void **)&b->memb, &b->cap_memb, b->n_memb + 1, sizeof *b->memb))
        return DNSFW_ENOMEM;
    b->memb[b->n_memb] = (struct memb){.list = list, .next = *head, .wildcard = wildcard};
    *head = (uint32_t)b->n_memb++;
    return DNSFW_OK;
}

int dnsfw__trie_add(struct trie_builder *b, const char *spec, size_t len, uint32_t list)
{
    dnsfw_entry_kind kind = dnsfw__spec_kind(spec);
    if (kind == DNSFW_ENTRY_ALL)
        return add_memb(b, &b->root_memb, list, false);
    if (kind == DNSFW_ENTRY_WILDCARD) {
        spec += 2;
        len -= 2;
    }
    uint8_t name[DNSFW_SPEC_MAX + 8] = {0}; /* slack for the hash's tail loads */
    memcpy(name, spec, len);

    uint32_t node = TRIE_ROOT;
    uint64_t hash = DNSFW_HASH_SEED;
    size_t end = len;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && name[start - 1] != '.')
            start--;
        size_t llen = end - start;
        hash = dnsfw__hash_label(hash, name + start, llen);
        int rc = child(b, node, hash, name + start, llen, &node);
        if (rc)
            return rc;
        end = start ? start - 1 : 0;
    }
    return add_memb(b, &b->nodes[node].memb, list, kind == DNSFW_ENTRY_WILDCARD);
}

/* --- payload records ---------------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

struct payload_set {
    struct trie *t;
    size_t cap;
    uint32_t *index; /* record offset, 0 = empty */
    size_t index_cap, count;
};

static bool same_record(const uint32_t *a, const uint32_t *b)
{
    size_t n = 2 + a[0] + a[1];
    return memcmp(a, b, n * sizeof *a) == 0;
}

static uint64_t record_hash(const uint32_t *r)
{
    return dnsfw__hash_bytes(r, (2 + r[0] + r[1]) * sizeof *r);
}

/* Store record r (built in scratch at the end of the payload array) once; return its offset. */
static int intern_record(struct payload_set *s, uint32_t *off)
{
    struct trie *t = s->t;
    uint32_t *rec = t->payloads + t->payloads_len;
    if ((s->count + 1) * 2 > s->index_cap) {
        size_t ncap = s->index_cap ? s->index_cap * 2 : 64;
        uint32_t *ni = calloc(ncap, sizeof *ni);
        if (!ni)
            return DNSFW_ENOMEM;
        for (size_t i = 0; i < s->index_cap; i++) {
            if (!s->index[i])
                continue;
            size_t p = (size_t)record_hash(t->payloads + s->index[i]) & (ncap - 1);
            while (ni[p])
                p = (p + 1) & (ncap - 1);
            ni[p] = s->index[i];
        }
        free(s->index);
        s->index = ni;
        s->index_cap = ncap;
    }
    size_t p = (size_t)record_hash(rec) & (s->index_cap - 1);
    for (; s->index[p]; p = (p + 1) & (s->index_cap - 1)) {
        if (same_record(t->payloads + s->index[p], rec)) {
            *off = s->index[p];
            return DNSFW_OK;
        }
    }
    if (t->payloads_len > UINT32_MAX - 1024)
        return DNSFW_ELIMIT;
    *off = (uint32_t)t->payloads_len;
    s->index[p] = *off;
    s->count++;
    t->payloads_len += 2 + rec[0] + rec[1];
    return DNSFW_OK;
}

/* Build the record of a membership chain and intern it. */
static int record_of(struct trie_builder *b, struct payload_set *s, uint32_t head, uint32_t *off)
{
    *off = 0;
    if (head == TRIE_EMPTY)
        return DNSFW_OK;
    size_t n = 0;
    for (uint32_t m = head; m != TRIE_EMPTY; m = b->memb[m].next)
        n++;
    struct trie *t = s->t;
    if (dnsfw__grow((void **)&t->payloads, &s->cap, t->payloads_len + 2 + n, sizeof(uint32_t)))
        return DNSFW_ENOMEM;
    uint32_t *rec = t->payloads + t->payloads_len;
    uint32_t ne = 0, nw = 0;
    for (uint32_t m = head; m != TRIE_EMPTY; m = b->memb[m].next)
        if (!b->memb[m].wildcard)
            rec[2 + ne++] = b->memb[m].list;
    for (uint32_t m = head; m != TRIE_EMPTY; m = b->memb[m].next)
        if (b->memb[m].wildcard)
            rec[2 + ne + nw++] = b->memb[m].list;
    qsort(rec + 2, ne, sizeof *rec, cmp_u32);
    qsort(rec + 2 + ne, nw, sizeof *rec, cmp_u32);
    rec[0] = ne;
    rec[1] = nw;
    return intern_record(s, off);
}

int dnsfw__trie_finish(struct trie_builder *b, struct trie *t)
{
    memset(t, 0, sizeof *t);
    struct payload_set ps = {.t = t};
    uint32_t *where = NULL;
    int rc = DNSFW_ENOMEM;

    /* Offset 0 is the empty record, shared by every node without entries. */
    if (dnsfw__grow((void **)&t->payloads, &ps.cap, 2, sizeof(uint32_t)))
        goto out;
    t->payloads[0] = t->payloads[1] = 0;
    t->payloads_len = 2;
    if ((rc = record_of(b, &ps, b->root_memb, &t->root_payload)))
        goto out;

    /* About 0.7 load: short probe sequences for misses, ~23 bytes per node. */
    size_t n = b->n_nodes;
    size_t nslots = n ? n + n * 3 / 7 + 1 : 0;
    rc = DNSFW_ENOMEM;
    t->slots = nslots ? malloc(nslots * sizeof *t->slots) : NULL;
    where = n ? malloc(n * sizeof *where) : NULL;
    if ((nslots && !t->slots) || (n && !where))
        goto out;
    t->nslots = (uint32_t)nslots;
    for (size_t i = 0; i < nslots; i++)
        t->slots[i].parent = TRIE_EMPTY;

    /* Parents were created before their children, so their slots are already known. */
    for (size_t i = 0; i < n; i++) {
        const struct bnode *nd = &b->nodes[i];
        uint32_t pos = dnsfw__range(nd->hash, t->nslots);
        while (t->slots[pos].parent != TRIE_EMPTY)
            if (++pos == t->nslots)
                pos = 0;
        uint32_t payload;
        if ((rc = record_of(b, &ps, nd->memb, &payload)))
            goto out;
        t->slots[pos] = (struct slot){
            .parent = nd->parent == TRIE_ROOT ? TRIE_ROOT : where[nd->parent],
            .check = trie_check(nd->hash, nd->len) | (nd->has_children ? CHECK_CHILDREN : 0),
            .label = nd->label,
            .payload = payload,
        };
        where[i] = pos;
    }

    /* Hand over the label pool, trimmed, with its zeroed slack. */
    uint8_t *pool = realloc(b->pool, b->pool_len + 8);
    if (!pool)
        goto out;
    memset(pool + b->pool_len, 0, 8);
    t->pool = pool;
    t->pool_len = b->pool_len;
    b->pool = NULL;
    uint32_t *trimmed = realloc(t->payloads, t->payloads_len * sizeof *trimmed);
    if (trimmed)
        t->payloads = trimmed;
    rc = DNSFW_OK;
out:
    free(where);
    free(ps.index);
    if (rc)
        dnsfw__trie_free(t);
    return rc;
}

void dnsfw__trie_free(struct trie *t)
{
    free(t->slots);
    free(t->pool);
    free(t->payloads);
    memset(t, 0, sizeof *t);
}

long dnsfw__trie_node_name(const struct trie *t, uint32_t node, char *out, size_t size)
{
    size_t o = 0;
    for (uint32_t s = node; s != TRIE_ROOT; s = t->slots[s].parent) {
        const struct slot *sl = &t->slots[s];
        size_t len = (sl->check >> 24) & 0x3F;
        if (o + len + 2 > size)
            return -1;
        if (o)
            out[o++] = '.';
        memcpy(out + o, t->pool + sl->label, len);
        o += len;
    }
    out[o] = '\0';
    return (long)o;
}
