/*
 * An open-addressing table keyed by the 16-octet address. Each address holds intervals
 * [lo, hi] of answer times (Unix seconds, 32 bits: until 2106) in which consecutive
 * answers are at most the window apart; the first interval lives in the slot, further
 * ones in a shared pool. "Some answer at a time in [from, to]" is then "some interval
 * meets [from, to]" whenever to - from >= window, which is how the join asks (a flow's
 * [start - window, end]): a gap inside an interval is never wider than the window.
 */
#include "answers.h"

#include <stdlib.h>
#include <string.h>

#define NO_NEXT UINT32_MAX

struct slot {
    uint8_t addr[16];
    uint32_t lo, hi; /* the first interval; lo == 0 and hi == 0: the slot is empty */
    uint32_t next;   /* more intervals in the pool, or NO_NEXT */
};

struct interval {
    uint32_t lo, hi, next;
};

struct answers {
    struct slot *slots;
    size_t cap, count;
    struct interval *pool;
    size_t n_pool, cap_pool;
    int64_t window;
};

struct answers *answers_new(int64_t window)
{
    struct answers *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->window = window;
    a->cap = 1024;
    a->slots = calloc(a->cap, sizeof *a->slots);
    if (!a->slots) {
        free(a);
        return NULL;
    }
    return a;
}

void answers_free(struct answers *a)
{
    if (!a)
        return;
    free(a->slots);
    free(a->pool);
    free(a);
}

static uint64_t hash_addr(const uint8_t *addr)
{
    uint64_t x, y;
    memcpy(&x, addr, 8);
    memcpy(&y, addr + 8, 8);
    uint64_t h = (x * 0x9E3779B97F4A7C15ull) ^ (y + 0x632BE59BD9B4E019ull);
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 29);
}

static bool empty(const struct slot *s)
{
    return s->lo == 0 && s->hi == 0;
}

static size_t find(const struct slot *slots, size_t cap, const uint8_t *addr)
{
    size_t mask = cap - 1;
    for (size_t i = (size_t)hash_addr(addr) & mask;; i = (i + 1) & mask)
        if (empty(&slots[i]) || memcmp(slots[i].addr, addr, 16) == 0)
            return i;
}

static bool grow(struct answers *a)
{
    size_t ncap = a->cap * 2;
    struct slot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return false;
    for (size_t i = 0; i < a->cap; i++)
        if (!empty(&a->slots[i]))
            ns[find(ns, ncap, a->slots[i].addr)] = a->slots[i];
    free(a->slots);
    a->slots = ns;
    a->cap = ncap;
    return true;
}

/* Does t belong to [lo, hi] widened by the window on both sides? Then it joins it. */
static bool joins(uint32_t *lo, uint32_t *hi, uint32_t t, int64_t w)
{
    if ((int64_t)t + w < (int64_t)*lo || (int64_t)t > (int64_t)*hi + w)
        return false;
    if (t < *lo)
        *lo = t;
    if (t > *hi)
        *hi = t;
    return true;
}

bool answers_add(struct answers *a, const dnsfw_ip *ip, int64_t t)
{
    if (t < 1 || t > UINT32_MAX) /* 0 marks an empty slot: no log is from 1970-01-01 00:00:00 */
        return false;
    if ((a->count + 1) * 4 > a->cap * 3 && !grow(a))
        return false;
    size_t i = find(a->slots, a->cap, ip->addr);
    struct slot *s = &a->slots[i];
    uint32_t u = (uint32_t)t;
    if (empty(s)) {
        memcpy(s->addr, ip->addr, 16);
        s->lo = s->hi = u;
        s->next = NO_NEXT;
        a->count++;
        return true;
    }
    if (joins(&s->lo, &s->hi, u, a->window))
        return true;
    for (uint32_t k = s->next; k != NO_NEXT; k = a->pool[k].next)
        if (joins(&a->pool[k].lo, &a->pool[k].hi, u, a->window))
            return true;
    if (a->n_pool == a->cap_pool) {
        size_t ncap = a->cap_pool ? a->cap_pool * 2 : 256;
        if (ncap >= NO_NEXT)
            return false;
        struct interval *np = realloc(a->pool, ncap * sizeof *np);
        if (!np)
            return false;
        a->pool = np;
        a->cap_pool = ncap;
    }
    a->pool[a->n_pool] = (struct interval){.lo = u, .hi = u, .next = s->next};
    s->next = (uint32_t)a->n_pool++;
    return true;
}

static const struct slot *lookup(const struct answers *a, const dnsfw_ip *ip)
{
    const struct slot *s = &a->slots[find(a->slots, a->cap, ip->addr)];
    return empty(s) ? NULL : s;
}

static bool meets(uint32_t lo, uint32_t hi, int64_t from, int64_t to)
{
    return (int64_t)lo <= to && (int64_t)hi >= from;
}

bool answers_cover(const struct answers *a, const dnsfw_ip *ip, int64_t from, int64_t to)
{
    const struct slot *s = lookup(a, ip);
    if (!s)
        return false;
    if (meets(s->lo, s->hi, from, to))
        return true;
    for (uint32_t k = s->next; k != NO_NEXT; k = a->pool[k].next)
        if (meets(a->pool[k].lo, a->pool[k].hi, from, to))
            return true;
    return false;
}

int64_t answers_last_before(const struct answers *a, const dnsfw_ip *ip, int64_t t)
{
    const struct slot *s = lookup(a, ip);
    if (!s)
        return -1;
    int64_t best = -1;
    /* an interval that holds t has an answer within the window before it: its lo is a
     * lower bound the caller only uses when nothing covers t */
    uint32_t lo = s->lo, hi = s->hi;
    for (uint32_t k = s->next;; k = a->pool[k].next) {
        int64_t cand = (int64_t)hi <= t ? (int64_t)hi : (int64_t)lo <= t ? (int64_t)lo : -1;
        if (cand > best)
            best = cand;
        if (k == NO_NEXT)
            break;
        lo = a->pool[k].lo;
        hi = a->pool[k].hi;
    }
    return best;
}

size_t answers_count(const struct answers *a)
{
    return a->count;
}

size_t answers_memory(const struct answers *a)
{
    return sizeof *a + a->cap * sizeof *a->slots + a->cap_pool * sizeof *a->pool;
}
