/*
 * An open-addressing table keyed by the 16-octet address, a cache line a slot. Each
 * address holds the intervals [lo, hi] of its answer times (Unix seconds, 32 bits: until
 * 2106), sorted, and merged whenever two come within the window of each other, so that
 * consecutive intervals are more than the window apart and every gap inside one is at
 * most the window. Up to five intervals live in the slot; an address with more has them
 * in an array of its own. Both are searched by bisection. "Some answer at a time in [from, to]" is
 * then "some interval meets [from, to]" whenever to - from >= window, which is how the join asks (a
 * flow's [start - window, end]).
 */
#include "answers.h"

#include <stdlib.h>
#include <string.h>

#define INLINE  5 /* intervals kept in the slot itself */
#define NO_MORE UINT32_MAX

struct interval {
    uint32_t lo, hi;
};

/* One cache line: the address, and its first intervals or where the others are. */
struct slot {
    uint64_t a0, a1;
    uint32_t n;    /* intervals in iv; 0: the slot is empty */
    uint32_t more; /* index into answers.more when the intervals moved there, or NO_MORE */
    struct interval iv[INLINE];
};

struct intervals {
    struct interval *v;
    uint32_t n, cap;
};

struct answers {
    struct slot *slots;
    size_t cap, count;
    struct intervals *more;
    size_t n_more, cap_more;
    size_t more_bytes;
    int64_t window;
};

static struct slot *new_slots(size_t n)
{
    struct slot *s = aligned_alloc(64, n * sizeof *s);
    if (s)
        memset(s, 0, n * sizeof *s);
    return s;
}

struct answers *answers_new(int64_t window)
{
    struct answers *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->window = window;
    a->cap = 1024;
    if (!(a->slots = new_slots(a->cap))) {
        free(a);
        return NULL;
    }
    return a;
}

void answers_free(struct answers *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n_more; i++)
        free(a->more[i].v);
    free(a->more);
    free(a->slots);
    free(a);
}

static uint64_t hash_addr(uint64_t x, uint64_t y)
{
    uint64_t h = (x * 0x9E3779B97F4A7C15ull) ^ (y + 0x632BE59BD9B4E019ull);
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 29);
}

static size_t find(const struct slot *slots, size_t cap, uint64_t x, uint64_t y)
{
    size_t mask = cap - 1;
    for (size_t i = (size_t)hash_addr(x, y) & mask;; i = (i + 1) & mask)
        if (!slots[i].n || (slots[i].a0 == x && slots[i].a1 == y))
            return i;
}

static bool grow(struct answers *a)
{
    size_t ncap = a->cap * 2;
    struct slot *ns = new_slots(ncap);
    if (!ns)
        return false;
    for (size_t i = 0; i < a->cap; i++)
        if (a->slots[i].n)
            ns[find(ns, ncap, a->slots[i].a0, a->slots[i].a1)] = a->slots[i];
    free(a->slots);
    a->slots = ns;
    a->cap = ncap;
    return true;
}

/* Close enough to merge: the gap between them is at most the window. */
static bool near(const struct interval *x, const struct interval *y, int64_t w)
{
    return (int64_t)y->lo <= (int64_t)x->hi + w && (int64_t)x->lo <= (int64_t)y->hi + w;
}

/* The first of v[0..n) whose hi + w reaches t (v sorted, gaps over the window). */
static uint32_t first_reaching(const struct interval *v, uint32_t n, int64_t t, int64_t w)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((int64_t)v[mid].hi + w < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * Add t to v[0..*n), room for cap: merge it into the interval it comes within the window
 * of (and that one with the next ones it then reaches), or insert [t, t] in order.
 * false when a new interval is needed and there is no room.
 */
static bool insert(struct interval *v, uint32_t *n, uint32_t cap, uint32_t t, int64_t w)
{
    struct interval x = {t, t};
    uint32_t i = first_reaching(v, *n, t, w);
    if (i < *n && near(&v[i], &x, w)) {
        struct interval *m = &v[i];
        if (t < m->lo)
            m->lo = t;
        if (t > m->hi)
            m->hi = t;
        uint32_t j = i + 1;
        while (j < *n && near(m, &v[j], w)) {
            if (v[j].hi > m->hi)
                m->hi = v[j].hi;
            j++;
        }
        memmove(&v[i + 1], &v[j], (*n - j) * sizeof *v);
        *n -= j - i - 1;
        return true;
    }
    if (*n == cap)
        return false;
    memmove(&v[i + 1], &v[i], (*n - i) * sizeof *v);
    v[i] = x;
    (*n)++;
    return true;
}

/* Room for one more interval in an address's own array. */
static bool reserve(struct answers *a, struct intervals *iv)
{
    if (iv->n < iv->cap)
        return true;
    uint32_t ncap = iv->cap * 2;
    struct interval *nv = realloc(iv->v, ncap * sizeof *nv);
    if (!nv)
        return false;
    a->more_bytes += (ncap - iv->cap) * sizeof *nv;
    iv->v = nv;
    iv->cap = ncap;
    return true;
}

/* The slot's intervals no longer fit: they move to an array of their own. */
static bool spill(struct answers *a, struct slot *s)
{
    if (a->n_more == a->cap_more) {
        size_t ncap = a->cap_more ? a->cap_more * 2 : 256;
        if (ncap >= NO_MORE)
            return false;
        struct intervals *nm = realloc(a->more, ncap * sizeof *nm);
        if (!nm)
            return false;
        a->more = nm;
        a->cap_more = ncap;
    }
    struct intervals *iv = &a->more[a->n_more];
    *iv = (struct intervals){.v = malloc(2 * INLINE * sizeof *iv->v), .cap = 2 * INLINE};
    if (!iv->v)
        return false;
    a->more_bytes += iv->cap * sizeof *iv->v;
    memcpy(iv->v, s->iv, s->n * sizeof *s->iv);
    iv->n = s->n;
    s->more = (uint32_t)a->n_more++;
    return true;
}

bool answers_add(struct answers *a, const dnsfw_ip *ip, int64_t t)
{
    if (t < 0 || t > UINT32_MAX)
        return false;
    if ((a->count + 1) * 4 > a->cap * 3 && !grow(a))
        return false;
    uint64_t x, y;
    memcpy(&x, ip->addr, 8);
    memcpy(&y, ip->addr + 8, 8);
    struct slot *s = &a->slots[find(a->slots, a->cap, x, y)];
    uint32_t u = (uint32_t)t;
    if (!s->n) {
        s->a0 = x;
        s->a1 = y;
        s->n = 1;
        s->more = NO_MORE;
        s->iv[0] = (struct interval){u, u};
        a->count++;
        return true;
    }
    if (s->more == NO_MORE) {
        if (insert(s->iv, &s->n, INLINE, u, a->window))
            return true;
        if (!spill(a, s))
            return false;
    }
    struct intervals *iv = &a->more[s->more];
    return reserve(a, iv) && insert(iv->v, &iv->n, iv->cap, u, a->window);
}

void answers_prefetch(const struct answers *a, const dnsfw_ip *ip)
{
    uint64_t x, y;
    memcpy(&x, ip->addr, 8);
    memcpy(&y, ip->addr + 8, 8);
    __builtin_prefetch(&a->slots[(size_t)hash_addr(x, y) & (a->cap - 1)]);
}

/* An address's intervals, sorted; n 0 when it was never answered. */
static const struct interval *intervals_of(const struct answers *a, const dnsfw_ip *ip, uint32_t *n)
{
    uint64_t x, y;
    memcpy(&x, ip->addr, 8);
    memcpy(&y, ip->addr + 8, 8);
    const struct slot *s = &a->slots[find(a->slots, a->cap, x, y)];
    if (s->n && s->more != NO_MORE) {
        *n = a->more[s->more].n;
        return a->more[s->more].v;
    }
    *n = s->n;
    return s->iv;
}

bool answers_cover(const struct answers *a, const dnsfw_ip *ip, int64_t from, int64_t to)
{
    uint32_t n;
    const struct interval *v = intervals_of(a, ip, &n);
    uint32_t i = first_reaching(v, n, from, 0); /* the first interval ending at from or later */
    return i < n && (int64_t)v[i].lo <= to;
}

int64_t answers_last_before(const struct answers *a, const dnsfw_ip *ip, int64_t t)
{
    /* an interval's ends are answer times; one that holds t has an answer within the
     * window before t, so its lo is a lower bound (the join asks only when nothing
     * covers t, and then no interval holds it) */
    uint32_t n;
    const struct interval *v = intervals_of(a, ip, &n);
    uint32_t i = first_reaching(v, n, t + 1, 0); /* the first interval ending after t */
    if (i < n && (int64_t)v[i].lo <= t)
        return v[i].lo;
    return i > 0 ? (int64_t)v[i - 1].hi : -1;
}

size_t answers_count(const struct answers *a)
{
    return a->count;
}

size_t answers_memory(const struct answers *a)
{
    return sizeof *a + a->cap * sizeof *a->slots + a->cap_more * sizeof *a->more + a->more_bytes;
}
