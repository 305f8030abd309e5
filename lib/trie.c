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
    uint64_t hash;  /* path hash from the top-level label down to this one */
    uint64_t lhash; /* label_hash() of the label alone */
    uint8_t start;  /* offset of the label in the spec */
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
    uint64_t *labels; /* the pool's labels: hash bits << 40 | len << 32 | (offset + 1) */
    size_t labels_cap, n_labels;
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
        presize((void **)&b->memb, &b->cap_memb, expected_specs, sizeof *b->memb) ||
        !(b->labels = big_calloc(cap / 2, sizeof *b->labels))) {
        dnsfw__trie_builder_free(b);
        return DNSFW_ENOMEM;
    }
    b->labels_cap = cap / 2;
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
    free(b->labels);
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

/* The hash of a label alone, for the label index. */
static uint64_t label_hash(const uint8_t *label, size_t len)
{
    return dnsfw__hash_label(DNSFW_HASH_SEED, label, len);
}

/* Grow the label index of the pool (load factor at most 1/2). */
static int grow_labels(struct trie_builder *b)
{
    size_t ncap = b->labels_cap * 2;
    uint64_t *nl = big_calloc(ncap, sizeof *nl);
    if (!nl)
        return DNSFW_ENOMEM;
    for (size_t i = 0; i < b->labels_cap; i++) {
        uint64_t e = b->labels[i];
        if (!e)
            continue;
        const uint8_t *label = b->pool + (uint32_t)e - 1;
        size_t len = (size_t)(e >> 32) & 0xFF;
        size_t pos = (size_t)label_hash(label, len) & (ncap - 1);
        while (nl[pos])
            pos = (pos + 1) & (ncap - 1);
        nl[pos] = e;
    }
    free(b->labels);
    b->labels = nl;
    b->labels_cap = ncap;
    return DNSFW_OK;
}

/*
 * The pool offset of a label (hash: its label_hash()), appended when new: "www", "api"
 * or "com" are stored once however many nodes carry them.
 */
static int intern_label(struct trie_builder *b, uint64_t hash, const uint8_t *label, size_t len,
                        uint32_t *off)
{
    uint64_t tag = hash >> 40 << 40 | (uint64_t)len << 32;
    size_t mask = b->labels_cap - 1, pos = (size_t)hash & mask;
    for (;; pos = (pos + 1) & mask) {
        uint64_t e = b->labels[pos];
        if (!e)
            break;
        if ((e & 0xFFFFFFFF00000000ull) == tag &&
            trie_label_eq(b->pool + (uint32_t)e - 1, label, len)) {
            *off = (uint32_t)e - 1;
            return DNSFW_OK;
        }
    }
    if (b->pool_len + len + 8 >= UINT32_MAX)
        return DNSFW_ELIMIT;
    if (b->pool_len + len + 8 > b->pool_cap &&
        dnsfw__grow((void **)&b->pool, &b->pool_cap, b->pool_len + len + 8, 1))
        return DNSFW_ENOMEM;
    *off = (uint32_t)b->pool_len;
    memcpy(b->pool + b->pool_len, label, len);
    b->pool_len += len;
    b->labels[pos] = tag | (*off + 1);
    if (++b->n_labels * 2 > b->labels_cap)
        return grow_labels(b);
    return DNSFW_OK;
}

/*
 * The node (parent, label), created when absent. hash is the path hash of the node,
 * lhash the label_hash() of its label.
 */
static int child(struct trie_builder *b, uint32_t parent, uint64_t hash, uint64_t lhash,
                 const uint8_t *label, size_t len, uint32_t *node)
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
    int rc = intern_label(b, lhash, label, len, &off);
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
    int rc = DNSFW_OK;
    for (size_t k = 0; !rc && k < b->n_batch; k++) {
        const struct pending *p = &b->batch[k];
        uint32_t node = TRIE_ROOT;
        for (size_t i = p->first; !rc && i < (size_t)p->first + p->levels; i++) {
            const struct level *l = &b->level[i];
            rc = child(b, node, l->hash, l->lhash, p->name + l->start, l->len, &node);
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
        *l = (struct level){.hash = h,
                            .lhash = label_hash(p->name + from, end - from),
                            .start = (uint8_t)from,
                            .len = (uint8_t)(end - from)};
        __builtin_prefetch(&b->index[l->hash & (b->index_cap - 1)]);
        __builtin_prefetch(&b->labels[l->lhash & (b->labels_cap - 1)]);
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
    uint32_t *where = NULL;
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

    size_t n = b->n_nodes;
    rc = DNSFW_ENOMEM;
    if (n) {
        /*
         * Load 6/7 (about 19 bytes a node): the ordered layout keeps misses short, so
         * the table can be fuller than a plain linear-probing one.
         */
        t->nhome = (uint32_t)(n + n / 6 + 1);
        if (!(sorted = sort_by_key(b)) || !(where = big_alloc(n * sizeof *where)))
            goto out;
        /* In key order, each node at its home slot or right after the previous one. */
        size_t next = 0;
        for (size_t i = 0; i < n; i++) {
            size_t home = trie_home((uint32_t)(sorted[i] >> 32), t->nhome);
            size_t pos = home > next ? home : next;
            where[(uint32_t)sorted[i]] = (uint32_t)pos;
            next = pos + 1;
        }
        free(sorted);
        sorted = NULL;
        if (next >= TRIE_ROOT - TRIE_PAD) {
            rc = DNSFW_ELIMIT;
            goto out;
        }
        /* Every home slot exists, and TRIE_PAD empty slots follow the last node. */
        t->nslots = (uint32_t)((next > t->nhome ? next : t->nhome) + TRIE_PAD);
        if (!(t->slots = big_alloc((size_t)t->nslots * sizeof *t->slots)))
            goto out;
        for (size_t i = 0; i < t->nslots; i++)
            t->slots[i] = (struct slot){.parent = TRIE_EMPTY, .check = CHECK_EMPTY};
    }

    for (size_t i = 0; i < n; i++) {
        if (i + 16 < n) /* the slots are written in random order: fetch ahead */
            __builtin_prefetch(&t->slots[where[i + 16]], 1);
        const struct bnode *nd = &b->nodes[i];
        uint32_t payload;
        if ((rc = record_of(b, &ps, nd->memb, &payload)))
            goto out;
        t->slots[where[i]] = (struct slot){
            .parent = nd->parent == TRIE_ROOT ? TRIE_ROOT : where[nd->parent],
            .check =
                trie_check(trie_key(nd->hash), nd->len) | (nd->has_children ? CHECK_CHILDREN : 0),
            .label = nd->label,
            .payload = payload,
        };
    }

    /* Hand over the label pool, trimmed, with its zeroed slack. */
    rc = DNSFW_ENOMEM;
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
