/*
 * Per-client accounting (client_limits.h): a hash table of clients with a fixed number
 * of entries. Entries that hold nothing (no slot, no connection) are on an LRU list and
 * are reused oldest first; the others are pinned. The hash is keyed with random numbers
 * drawn at start, so that nobody can choose addresses that fall into one chain.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "client_limits.h"

#define NIL UINT32_MAX

struct entry {
    uint64_t key;
    uint8_t family;      /* 0: free */
    uint32_t hnext;      /* hash chain */
    uint32_t prev, next; /* LRU list of idle entries */
    uint32_t inflight, conns;
    int64_t tokens; /* thousandths of a query */
    uint64_t refill_ms;
    uint32_t limited; /* queries over the rate, for the slip */
};

struct client_limits {
    struct client_limits_config cfg;
    struct entry *e;
    uint32_t cap, used;
    uint32_t *buckets;
    unsigned bits;
    uint32_t head, tail; /* LRU: head most recently used, tail the next to reuse */
    uint64_t mul, add;   /* random: the hash function */
};

int climits_new(const struct client_limits_config *cfg, struct client_limits **out)
{
    struct client_limits *cl = calloc(1, sizeof *cl);
    if (!cl)
        return -1;
    cl->cfg = *cfg;
    unsigned bits = 10;
    while ((1u << bits) < cfg->capacity && bits < 24)
        bits++;
    cl->bits = bits;
    cl->cap = 1u << bits;
    cl->e = calloc(cl->cap, sizeof *cl->e);
    cl->buckets = malloc(cl->cap * sizeof *cl->buckets);
    if (!cl->e || !cl->buckets) {
        climits_free(cl);
        return -1;
    }
    memset(cl->buckets, 0xFF, cl->cap * sizeof *cl->buckets);
    cl->head = cl->tail = NIL;
    arc4random_buf(&cl->mul, sizeof cl->mul);
    arc4random_buf(&cl->add, sizeof cl->add);
    cl->mul |= 1;
    *out = cl;
    return 0;
}

void climits_free(struct client_limits *cl)
{
    if (!cl)
        return;
    free(cl->e);
    free(cl->buckets);
    free(cl);
}

/* The client's prefix as a number, and its family. */
static uint64_t client_key(const struct client_limits *cl, const struct sockaddr *sa,
                           uint8_t *family)
{
    if (sa->sa_family == AF_INET6) {
        const uint8_t *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
        uint64_t k = 0;
        for (int i = 0; i < 8; i++)
            k = k << 8 | a[i];
        *family = AF_INET6;
        return cl->cfg.prefix6 >= 64 ? k : k & ~(UINT64_MAX >> cl->cfg.prefix6);
    }
    const uint8_t *a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
    uint32_t k = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
    *family = AF_INET;
    return cl->cfg.prefix4 >= 32 ? k : k & ~(UINT32_MAX >> cl->cfg.prefix4);
}

static uint32_t bucket(const struct client_limits *cl, uint64_t key, uint8_t family)
{
    return (uint32_t)(((key ^ family) * cl->mul + cl->add) >> (64 - cl->bits));
}

static bool idle(const struct entry *e)
{
    return e->inflight == 0 && e->conns == 0;
}

static void lru_unlink(struct client_limits *cl, uint32_t i)
{
    struct entry *e = &cl->e[i];
    if (e->prev != NIL)
        cl->e[e->prev].next = e->next;
    else
        cl->head = e->next;
    if (e->next != NIL)
        cl->e[e->next].prev = e->prev;
    else
        cl->tail = e->prev;
    e->prev = e->next = NIL;
}

static void lru_push(struct client_limits *cl, uint32_t i)
{
    struct entry *e = &cl->e[i];
    e->prev = NIL;
    e->next = cl->head;
    if (cl->head != NIL)
        cl->e[cl->head].prev = i;
    else
        cl->tail = i;
    cl->head = i;
}

/* Take entry i out of its hash chain. */
static void chain_unlink(struct client_limits *cl, uint32_t i)
{
    uint32_t *link = &cl->buckets[bucket(cl, cl->e[i].key, cl->e[i].family)];
    while (*link != i)
        link = &cl->e[*link].hnext;
    *link = cl->e[i].hnext;
}

/* The client's entry, made (or reused) when it has none; NIL when every entry is pinned. */
static uint32_t lookup(struct client_limits *cl, const struct sockaddr *sa, uint64_t now_ms)
{
    uint8_t family;
    uint64_t key = client_key(cl, sa, &family);
    uint32_t b = bucket(cl, key, family);
    for (uint32_t i = cl->buckets[b]; i != NIL; i = cl->e[i].hnext) {
        struct entry *e = &cl->e[i];
        if (e->key == key && e->family == family) {
            if (idle(e) && cl->head != i) { /* most recently used */
                lru_unlink(cl, i);
                lru_push(cl, i);
            }
            return i;
        }
    }
    uint32_t i;
    if (cl->used < cl->cap) {
        i = cl->used++;
    } else {
        i = cl->tail; /* the least recently used idle client is forgotten */
        if (i == NIL)
            return NIL;
        lru_unlink(cl, i);
        chain_unlink(cl, i);
    }
    struct entry *e = &cl->e[i];
    *e = (struct entry){.key = key,
                        .family = family,
                        .hnext = cl->buckets[b],
                        .prev = NIL,
                        .next = NIL,
                        .tokens = (int64_t)cl->cfg.rate * 1000,
                        .refill_ms = now_ms};
    cl->buckets[b] = i;
    lru_push(cl, i);
    return i;
}

enum climits_rate climits_rate(struct client_limits *cl, const struct sockaddr *client,
                               uint64_t now_ms)
{
    if (!cl->cfg.rate)
        return CLIMITS_PASS;
    uint32_t i = lookup(cl, client, now_ms);
    if (i == NIL)
        return CLIMITS_PASS;
    struct entry *e = &cl->e[i];
    /* a bucket of one second's queries, refilled at the rate */
    int64_t full = (int64_t)cl->cfg.rate * 1000;
    if (now_ms > e->refill_ms) {
        uint64_t gained = (now_ms - e->refill_ms) * cl->cfg.rate;
        e->tokens = gained >= (uint64_t)full ? full : e->tokens + (int64_t)gained;
        if (e->tokens > full)
            e->tokens = full;
        e->refill_ms = now_ms;
    }
    if (e->tokens >= 1000) {
        e->tokens -= 1000;
        return CLIMITS_PASS;
    }
    e->limited++;
    return cl->cfg.slip && e->limited % cl->cfg.slip == 0 ? CLIMITS_SLIP : CLIMITS_DROP;
}

uint32_t climits_acquire(struct client_limits *cl, const struct sockaddr *client,
                         enum climits_kind kind, bool spare)
{
    uint32_t i = lookup(cl, client, 0);
    if (i == NIL)
        return CLIMITS_NONE;
    struct entry *e = &cl->e[i];
    uint32_t *held = kind == CLIMITS_CONN ? &e->conns : &e->inflight;
    unsigned max = kind == CLIMITS_CONN ? cl->cfg.max_conns : cl->cfg.max_inflight;
    if (*held >= max && !spare)
        return CLIMITS_NONE;
    if (idle(e))
        lru_unlink(cl, i); /* pinned while it holds something */
    (*held)++;
    return i;
}

void climits_release(struct client_limits *cl, uint32_t handle, enum climits_kind kind)
{
    if (handle == CLIMITS_NONE)
        return;
    struct entry *e = &cl->e[handle];
    uint32_t *held = kind == CLIMITS_CONN ? &e->conns : &e->inflight;
    if (*held)
        (*held)--;
    if (idle(e))
        lru_push(cl, handle);
}
