/* Building the suffix trie (layout described in trie.h). */
#define _DEFAULT_SOURCE /* madvise() */
#include "trie.h"

#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "spec.h"

#define HUGE_PAGE ((size_t)2 << 20)

/*
 * Memory for a large array that is touched all over: the builder's tables and the
 * trie's slots. On Linux it asks for transparent huge pages. Compiling a million specs
 * touches some 150 MB of fresh memory, which in 4 KiB pages is ~40000 page faults:
 * on a virtual machine those cost more than the compile itself. Lookups take fewer TLB
 * misses, too. The memory is released with free() and may be realloc()ed.
 */
static void *big_alloc(size_t size)
{
#if defined(MADV_HUGEPAGE)
    if (size >= 2 * HUGE_PAGE) {
        size_t rounded = (size + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
        void *p = aligned_alloc(HUGE_PAGE, rounded);
        if (p)
            madvise(p, rounded, MADV_HUGEPAGE); /* a hint: without it, small pages */
        return p;
    }
#endif
    return malloc(size ? size : 1);
}

static void *big_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = big_alloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

/* Give an empty array room for n elements up front (it then grows with dnsfw__grow). */
static int presize(void **ptr, size_t *cap, size_t n, size_t elem)
{
    if (n == 0 || n > SIZE_MAX / elem)
        return DNSFW_OK;
    void *p = big_alloc(n * elem);
    if (!p)
        return DNSFW_ENOMEM;
    *ptr = p;
    *cap = n;
    return DNSFW_OK;
}

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

/*
 * Specs are walked in batches: adding one only splits and hashes it and asks for the
 * index slots its levels will need; the batch is walked once those had time to arrive.
 * At a million specs the walk is bound by cache misses, which this overlaps.
 */
#define BATCH        32
#define MAX_LEVELS   (DNSFW_SPEC_MAX / 2 + 1) /* labels of the longest spec */
#define BATCH_LEVELS (BATCH * 8)

/* One label of a pending spec. */
struct level {
    uint64_t hash; /* path hash from the top-level label down to this one */
    uint8_t start; /* offset of the label in the spec */
    uint8_t len;
};

/* A spec waiting to be walked: its levels are level[first .. first + levels). */
struct pending {
    uint8_t name[DNSFW_SPEC_MAX + 8]; /* without "*.", with 8 zeroed bytes of slack */
    uint32_t list;
    uint16_t first, levels;
    bool wildcard;
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
    uint32_t n_lists; /* highest list number seen + 1 */
    struct pending batch[BATCH];
    size_t n_batch;
    struct level level[BATCH_LEVELS + MAX_LEVELS];
    size_t n_levels;
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
    b->index = big_calloc(cap, sizeof *b->index);
    if (!b->index) {
        free(b);
        return DNSFW_ENOMEM;
    }
    b->index_cap = cap;
    /* Room for the usual shape (a node or two and a new label per spec) up front. */
    if (presize((void **)&b->nodes, &b->cap_nodes, expected_specs * 2, sizeof *b->nodes) ||
        presize((void **)&b->pool, &b->pool_cap, expected_specs * 8 + 8, 1) ||
        presize((void **)&b->memb, &b->cap_memb, expected_specs, sizeof *b->memb)) {
        dnsfw__trie_builder_free(b);
        return DNSFW_ENOMEM;
    }
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
    uint64_t *ni = big_calloc(ncap, sizeof *ni);
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

/* Append a label to the builder's pool; the final records carry their labels in line. */
static int pool_label(struct trie_builder *b, const uint8_t *label, size_t len, uint32_t *off)
{
    if (b->pool_len + len + 8 >= UINT32_MAX)
        return DNSFW_ELIMIT;
    if (b->pool_len + len + 8 > b->pool_cap &&
        dnsfw__grow((void **)&b->pool, &b->pool_cap, b->pool_len + len + 8, 1))
        return DNSFW_ENOMEM;
    *off = (uint32_t)b->pool_len;
    memcpy(b->pool + b->pool_len, label, len);
    memset(b->pool + b->pool_len + len, 0, 8); /* slack for trie_label_eq's tail loads */
    b->pool_len += len;
    return DNSFW_OK;
}

/* The node (parent, label), created when absent. hash is the path hash of the node. */
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
        if (c->parent == parent && c->len == len && trie_label_eq(b->pool + c->label, label, len)) {
            *node = (uint32_t)e - 1;
            return DNSFW_OK;
        }
    }
    if (b->n_nodes >= TRIE_MAX_NODES)
        return DNSFW_ELIMIT;
    if (b->n_nodes == b->cap_nodes &&
        dnsfw__grow((void **)&b->nodes, &b->cap_nodes, b->n_nodes + 1, sizeof *b->nodes))
        return DNSFW_ENOMEM;
    uint32_t off;
    int rc = pool_label(b, label, len, &off);
    if (rc)
        return rc;
    uint32_t id = (uint32_t)b->n_nodes++;
    b->nodes[id] = (struct bnode){
        .hash = hash, .parent = parent, .label = off, .memb = TRIE_EMPTY, .len = (uint8_t)len};
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
    if (b->n_memb == b->cap_memb &&
        dnsfw__grow((void **)&b->memb, &b->cap_memb, b->n_memb + 1, sizeof *b->memb))
        return DNSFW_ENOMEM;
    b->memb[b->n_memb] = (struct memb){.list = list, .next = *head, .wildcard = wildcard};
    *head = (uint32_t)b->n_memb++;
    if (list >= b->n_lists)
        b->n_lists = list + 1;
    return DNSFW_OK;
}

/* Walk the pending specs, creating their nodes, and record their entries. */
static int flush(struct trie_builder *b)
{
    /*
     * The index slots asked for by dnsfw__trie_add() have arrived: where one holds a node
     * of the same tag (a level that is already there, such as a shared domain), ask for
     * that node too before walking, so that those misses overlap as well.
     */
    size_t mask = b->index_cap - 1;
    for (size_t i = 0; i < b->n_levels; i++) {
        uint64_t e = b->index[b->level[i].hash & mask];
        if (e && (e >> 32) == (b->level[i].hash >> 32))
            __builtin_prefetch(&b->nodes[(uint32_t)e - 1]);
    }
    int rc = DNSFW_OK;
    for (size_t k = 0; !rc && k < b->n_batch; k++) {
        const struct pending *p = &b->batch[k];
        uint32_t node = TRIE_ROOT;
        for (size_t i = p->first; !rc && i < (size_t)p->first + p->levels; i++) {
            const struct level *l = &b->level[i];
            rc = child(b, node, l->hash, p->name + l->start, l->len, &node);
        }
        if (!rc)
            rc = add_memb(b, &b->nodes[node].memb, p->list, p->wildcard);
    }
    b->n_batch = b->n_levels = 0;
    return rc;
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
    if (b->n_batch == BATCH || b->n_levels > BATCH_LEVELS) {
        int rc = flush(b);
        if (rc)
            return rc;
    }
    struct pending *p = &b->batch[b->n_batch++];
    memcpy(p->name, spec, len);
    memset(p->name + len, 0, 8); /* slack for the hash's tail loads */
    p->list = list;
    p->wildcard = kind == DNSFW_ENTRY_WILDCARD;
    p->first = (uint16_t)b->n_levels;

    /* Split the labels off from the top-level one down, hash them, fetch their slots. */
    size_t end = len;
    uint64_t h = DNSFW_HASH_SEED;
    while (end > 0) {
        size_t from = end;
        while (from > 0 && p->name[from - 1] != '.')
            from--;
        struct level *l = &b->level[b->n_levels++];
        h = dnsfw__hash_label(h, p->name + from, end - from);
        *l = (struct level){.hash = h, .start = (uint8_t)from, .len = (uint8_t)(end - from)};
        __builtin_prefetch(&b->index[l->hash & (b->index_cap - 1)]);
        end = from ? from - 1 : 0;
    }
    p->levels = (uint16_t)(b->n_levels - p->first);
    return DNSFW_OK;
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
    uint32_t *single; /* [list * 2 + wildcard]: record of that one entry, 0 = not yet */
};

static bool same_record(const uint32_t *a, const uint32_t *b)
{
    /* Counts first: b may be shorter than a, and memcmp may read its whole length. */
    if (a[0] != b[0] || a[1] != b[1])
        return false;
    return memcmp(a + 2, b + 2, (a[0] + a[1]) * sizeof *a) == 0;
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
    /* Most nodes hold one entry: those records are found without hashing. */
    uint32_t *single = NULL;
    if (b->memb[head].next == TRIE_EMPTY) {
        single = &s->single[b->memb[head].list * 2 + b->memb[head].wildcard];
        if (*single) {
            *off = *single;
            return DNSFW_OK;
        }
    }
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
    if (ne > 1)
        qsort(rec + 2, ne, sizeof *rec, cmp_u32);
    if (nw > 1)
        qsort(rec + 2 + ne, nw, sizeof *rec, cmp_u32);
    rec[0] = ne;
    rec[1] = nw;
    int rc = intern_record(s, off);
    if (!rc && single)
        *single = *off;
    return rc;
}

/*
 * (key << 32 | node) of every node, sorted by key: an LSD radix sort, 11 bits a pass.
 * Equal keys keep node order, so the layout is deterministic.
 */
static uint64_t *sort_by_key(const struct trie_builder *b)
{
    size_t n = b->n_nodes;
    uint64_t *a = big_alloc(n * sizeof *a), *tmp = big_alloc(n * sizeof *tmp);
    if (!a || !tmp) {
        free(a);
        free(tmp);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        a[i] = (uint64_t)trie_key(b->nodes[i].hash) << 32 | i;
    for (unsigned shift = 32; shift < 64; shift += 11) {
        size_t count[2048] = {0};
        for (size_t i = 0; i < n; i++)
            count[(a[i] >> shift) & 2047]++;
        size_t sum = 0;
        for (size_t d = 0; d < 2048; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(a[i] >> shift) & 2047]++] = a[i];
        uint64_t *swap = a;
        a = tmp;
        tmp = swap;
    }
    free(tmp);
    return a;
}

int dnsfw__trie_finish(struct trie_builder *b, struct trie *t)
{
    memset(t, 0, sizeof *t);
    struct payload_set ps = {.t = t};
    uint32_t *where = NULL; /* node -> offset of its record */
    uint64_t *sorted = NULL;
    int rc = flush(b);
    if (rc)
        goto out;
    rc = DNSFW_ENOMEM;

    /* Offset 0 is the empty record, shared by every node without entries. */
    if (dnsfw__grow((void **)&t->payloads, &ps.cap, 2, sizeof(uint32_t)) ||
        !(ps.single = calloc((size_t)b->n_lists * 2 + 2, sizeof *ps.single)))
        goto out;
    t->payloads[0] = t->payloads[1] = 0;
    t->payloads_len = 2;
    if ((rc = record_of(b, &ps, b->root_memb, &t->root_payload)))
        goto out;

    size_t n = b->n_nodes, len = 0;
    rc = DNSFW_ENOMEM;
    if (n && (!(sorted = sort_by_key(b)) || !(where = big_alloc(n * sizeof *where))))
        goto out;
    /*
     * Records in key order, back to back. The nodes are visited in key order, that is
     * at random: each loop asks for what it will need some nodes ahead.
     */
    for (size_t i = 0; i < n; i++) {
        if (i + 16 < n) {
            __builtin_prefetch(&b->nodes[(uint32_t)sorted[i + 16]].len);
            __builtin_prefetch(&where[(uint32_t)sorted[i + 16]], 1);
        }
        uint32_t id = (uint32_t)sorted[i];
        where[id] = (uint32_t)len;
        len += TRIE_HEAD + b->nodes[id].len;
        if (len + TRIE_SLACK >= TRIE_ROOT) {
            rc = DNSFW_ELIMIT;
            goto out;
        }
    }
    /* About three nodes a bucket: the directory stays small enough to stay cached. */
    t->n_nodes = (uint32_t)n;
    t->n_buckets = (uint32_t)(n / 3 + 1);
    t->nodes_len = len;
    if (!(t->nodes = big_alloc(len + TRIE_SLACK)) ||
        !(t->dir = big_alloc(((size_t)t->n_buckets + 1) * sizeof *t->dir)))
        goto out;
    memset(t->nodes + len, 0, TRIE_SLACK);

    uint32_t bucket = 0, off = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 32 < n)
            __builtin_prefetch(&b->nodes[(uint32_t)sorted[i + 32]]);
        if (i + 16 < n) { /* its node arrived: ask for its parent's place, entries, label */
            const struct bnode *ahead = &b->nodes[(uint32_t)sorted[i + 16]];
            if (ahead->parent != TRIE_ROOT)
                __builtin_prefetch(&where[ahead->parent]);
            if (ahead->memb != TRIE_EMPTY)
                __builtin_prefetch(&b->memb[ahead->memb]);
            __builtin_prefetch(b->pool + ahead->label);
        }
        uint32_t id = (uint32_t)sorted[i], key = (uint32_t)(sorted[i] >> 32);
        const struct bnode *nd = &b->nodes[id];
        for (uint32_t bk = trie_bucket(key, t->n_buckets); bucket <= bk; bucket++)
            t->dir[bucket] = off;
        uint32_t parent = nd->parent == TRIE_ROOT ? TRIE_ROOT : where[nd->parent], payload;
        if ((rc = record_of(b, &ps, nd->memb, &payload)))
            goto out;
        uint8_t *p = t->nodes + off;
        memcpy(p, &key, 4);
        memcpy(p + 4, &parent, 4);
        memcpy(p + 8, &payload, 4);
        p[12] = (uint8_t)(nd->len | (nd->has_children ? TRIE_CHILDREN : 0));
        memcpy(p + TRIE_HEAD, b->pool + nd->label, nd->len);
        off += TRIE_HEAD + nd->len;
    }
    for (; t->dir && bucket <= t->n_buckets; bucket++)
        t->dir[bucket] = (uint32_t)len;

    uint32_t *trimmed = realloc(t->payloads, t->payloads_len * sizeof *trimmed);
    if (trimmed)
        t->payloads = trimmed;
    rc = DNSFW_OK;
out:
    free(sorted);
    free(where);
    free(ps.index);
    free(ps.single);
    if (rc)
        dnsfw__trie_free(t);
    return rc;
}

void dnsfw__trie_free(struct trie *t)
{
    free(t->nodes);
    free(t->dir);
    free(t->payloads);
    memset(t, 0, sizeof *t);
}

long dnsfw__trie_node_name(const struct trie *t, uint32_t node, char *out, size_t size)
{
    size_t o = 0, depth = 0;
    for (uint32_t r = node; r != TRIE_ROOT; depth++) {
        if (r >= t->nodes_len || depth > 127) /* not a node of this trie */
            return -1;
        struct trie_head h;
        trie_head_at(t, r, &h);
        size_t len = h.meta & TRIE_LEN_MASK;
        if (o + len + 2 > size)
            return -1;
        if (o)
            out[o++] = '.';
        memcpy(out + o, t->nodes + r + TRIE_HEAD, len);
        o += len;
        r = h.parent;
    }
    out[o] = '\0';
    return (long)o;
}
