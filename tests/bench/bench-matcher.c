/*
 * bench-matcher: lookups per second, compile time and bytes per spec of the libdnsfw
 * matcher, measured in the same run as a straightforward baseline (docs/performance.md).
 *
 *   bench-matcher [--sizes 1000,100000,1000000] [--queries N] [--reps N] [--seed N]
 *                 [--wildcards PCT] [--clock monotonic|cpu] [--huge-pages] [--batch N]
 *
 * For every size a rule set of that many distinct specs is generated (registrable
 * domains under a realistic TLD mix, 0-3 host labels, PCT% "*.suffix" specs), then
 * the queries (exact hits, wildcard hits 1-3 labels deep, and four kinds of misses).
 * The matcher gets the specs through the public API as one general-form list with one
 * ALLOW rule. The baseline is an open-addressing hash set of the normalised spec
 * strings, probed for "*", for the full name and for "*." + every proper ancestor.
 * Both must give the same match/no-match for every query or the run fails (exit 1).
 * Both are also timed batched: the matcher through dnsfw_eval_batch() (--batch N
 * queries a call), the baseline hashing and prefetching the probes of 8 names before
 * probing any of them.
 * Everything is generated from a fixed seed; every time is the best of --reps runs,
 * read from CLOCK_MONOTONIC (or the CPU-time clock with --clock cpu). Timings are only
 * printed, never asserted.
 */
#define _DEFAULT_SOURCE /* madvise() */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <dnsfw/dnsfw.h>

#define NAME_MAX_TEXT 255 /* generated names stay far below this */
#define SLACK         8   /* zeroed bytes after hashed keys: tails are loaded 8 at a time */

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench-matcher: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("%s", "out of memory");
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        die("%s", "out of memory");
    return p;
}

/*
 * --huge-pages: the baseline's table and strings in transparent huge pages, as the
 * library asks for its large arrays (lib/trie.c), so that page size is not what the
 * comparison measures.
 */
static bool huge_pages = false;

static void *big_calloc(size_t n, size_t size)
{
#if defined(MADV_HUGEPAGE)
    const size_t huge = (size_t)2 << 20;
    if (huge_pages && n * size >= 2 * huge) {
        size_t rounded = (n * size + huge - 1) / huge * huge;
        void *p = aligned_alloc(huge, rounded);
        if (!p)
            die("%s", "out of memory");
        madvise(p, rounded, MADV_HUGEPAGE);
        memset(p, 0, rounded);
        return p;
    }
#endif
    return xcalloc(n, size);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die("%s", "out of memory");
    return p;
}

/* CLOCK_MONOTONIC; --clock=cpu switches to the process's CPU time for loaded machines. */
static clockid_t bench_clock = CLOCK_MONOTONIC;

static double now(void)
{
    struct timespec ts;
    clock_gettime(bench_clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* --- random numbers: xoshiro256** seeded through splitmix64 -------------------------- */

struct rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n), n > 0 (multiply-shift; the bias is irrelevant here). */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

/* True with probability pct percent. */
static bool rng_pct(struct rng *r, unsigned pct)
{
    return rng_below(r, 100) < pct;
}

/* --- a growable text buffer ----------------------------------------------------------- */

struct text {
    char *s;
    size_t len;
};

static void put(char *buf, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (*len + n >= NAME_MAX_TEXT)
        die("%s", "generated name too long");
    memcpy(buf + *len, s, n);
    *len += n;
    buf[*len] = '\0';
}

/* --- name generator --------------------------------------------------------------------- */

/* Second-level labels are built from these pieces: "ko" "data" "vi" -> "kodatavi". */
static const char *const pieces[] = {
    "ba",   "be",  "bi",   "bo",   "bu",    "ca",   "co",  "da",    "de",  "di",   "do",
    "fa",   "fe",  "fi",   "ga",   "go",    "ha",   "he",  "hi",    "ho",  "ja",   "jo",
    "ka",   "ke",  "ki",   "ko",   "la",    "le",   "li",  "lo",    "lu",  "ma",   "me",
    "mi",   "mo",  "mu",   "na",   "ne",    "ni",   "no",  "pa",    "pe",  "pi",   "po",
    "ra",   "re",  "ri",   "ro",   "ru",    "sa",   "se",  "si",    "so",  "su",   "ta",
    "te",   "ti",  "to",   "tu",   "va",    "ve",   "vi",  "wa",    "we",  "xa",   "ya",
    "yo",   "za",  "zo",   "ar",   "er",    "in",   "on",  "an",    "en",  "ex",   "st",
    "tr",   "pl",  "gr",   "ck",   "sh",    "th",   "ly",  "ty",    "net", "sys",  "soft",
    "tech", "web", "data", "shop", "media", "labs", "hub", "cloud", "pay", "mail", "link",
    "box",  "one", "max",  "pro",  "go",    "my",   "get", "hq",    "ify", "io",   "zen",
};
#define N_PIECES (sizeof pieces / sizeof pieces[0])

/* Host labels: mostly the usual service names, some generated ones. */
static const char *const hosts[] = {
    "www",      "api",     "cdn",     "static",    "img",       "assets",
    "mail",     "smtp",    "app",     "login",     "auth",      "sso",
    "m",        "mobile",  "dev",     "staging",   "prod",      "test",
    "beta",     "edge",    "s3",      "us-east-1", "eu-west-1", "ap-southeast-2",
    "download", "update",  "updates", "telemetry", "metrics",   "events",
    "ws",       "gateway", "portal",  "docs",      "blog",      "shop",
    "support",  "status",  "git",     "registry",  "repo",      "pkg",
    "mirror",   "ns1",     "ns2",     "mx",        "v2",        "analytics",
    "media",    "files",   "secure",  "accounts",  "graph",     "push",
    "content",  "video",
};
#define N_HOSTS (sizeof hosts / sizeof hosts[0])

/* Public suffixes with rough weights (per mille) of their share of registrations. */
static const struct {
    const char *tld;
    unsigned weight;
} tlds[] = {
    {"com", 460},
    {"net", 50},
    {"org", 50},
    {"io", 35},
    {"de", 40},
    {"co.uk", 30},
    {"org.uk", 5},
    {"com.au", 12},
    {"ru", 25},
    {"fr", 18},
    {"nl", 15},
    {"jp", 10},
    {"co.jp", 8},
    {"com.br", 15},
    {"cn", 12},
    {"dev", 15},
    {"app", 15},
    {"info", 12},
    {"xyz", 12},
    {"ai", 10},
    {"cloud", 6},
    {"us", 8},
    {"ca", 10},
    {"in", 10},
    {"co.in", 5},
    {"eu", 8},
    {"it", 12},
    {"es", 10},
    {"pl", 10},
    {"ch", 8},
    {"se", 6},
    {"tv", 4},
    {"me", 6},
    {"co", 8},
    {"online", 5},
    {"amazonaws.com", 10},
    {"cloudfront.net", 5},
    {"azurewebsites.net", 5},
};
#define N_TLDS (sizeof tlds / sizeof tlds[0])

static unsigned tld_total(void)
{
    unsigned t = 0;
    for (size_t i = 0; i < N_TLDS; i++)
        t += tlds[i].weight;
    return t;
}

static void gen_word(struct rng *r, char *buf, size_t *len)
{
    unsigned n = 2 + rng_below(r, 3); /* 2-4 pieces, 4-20 characters */
    for (unsigned i = 0; i < n; i++)
        put(buf, len, pieces[rng_below(r, N_PIECES)]);
}

static void gen_digits(struct rng *r, char *buf, size_t *len)
{
    char d[8];
    snprintf(d, sizeof d, "%u", rng_below(r, 1000));
    put(buf, len, d);
}

/* A registrable domain: "kodatavi.com", "word123.de", "foo-bar.co.uk". */
static void gen_registrable(struct rng *r, char *buf, size_t *len)
{
    unsigned k = rng_below(r, 100);
    gen_word(r, buf, len);
    if (k < 20) {
        gen_digits(r, buf, len);
    } else if (k < 35) {
        put(buf, len, "-");
        gen_word(r, buf, len);
    }
    put(buf, len, ".");
    unsigned w = rng_below(r, tld_total());
    size_t i = 0;
    while (w >= tlds[i].weight)
        w -= tlds[i++].weight;
    put(buf, len, tlds[i].tld);
}

/* One host label followed by a dot. */
static void gen_host_label(struct rng *r, char *buf, size_t *len)
{
    unsigned k = rng_below(r, 100);
    if (k < 60) {
        put(buf, len, hosts[rng_below(r, N_HOSTS)]);
    } else if (k < 85) {
        gen_word(r, buf, len);
    } else {
        put(buf, len, hosts[rng_below(r, N_HOSTS)]);
        gen_digits(r, buf, len);
    }
    put(buf, len, ".");
}

/* 1-3 labels: 1 half the time, 2 a third, 3 the rest. */
static unsigned gen_depth(struct rng *r)
{
    unsigned k = rng_below(r, 100);
    return k < 50 ? 1 : k < 85 ? 2 : 3;
}

/* --- the baseline: a hash set of normalised spec strings -------------------------------- */

#define SEED_EXACT 0x243F6A8885A308D3ull
#define SEED_WILD  0x13198A2E03707344ull

/*
 * A word-at-a-time multiplicative hash. The 8 bytes after the key must be readable
 * (keys live in buffers with SLACK bytes of slack); the tail is masked.
 */
static inline uint64_t bl_hash(uint64_t h, const uint8_t *p, size_t len)
{
    size_t n = len;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        h = (h ^ v) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    if (n) {
        uint64_t v;
        memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        v &= ~(UINT64_MAX >> (8 * n));
#else
        v &= UINT64_MAX >> (64 - 8 * n);
#endif
        h = (h ^ v) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    h ^= len;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

/*
 * Slots hold (32 bits of hash) << 32 | offset of the key in the arena; 0 is empty.
 * A key is stored as [length octet][octets]. "*.suffix" keys are hashed over the
 * suffix with their own seed, so that a query can probe "*." + ancestor without
 * copying the ancestor behind a "*." prefix; the stored key is the full spec.
 */
struct bset {
    uint64_t *slots;
    size_t cap, count;
    uint8_t *arena;
    size_t arena_len, arena_cap;
};

static void bset_init(struct bset *s, size_t expected)
{
    memset(s, 0, sizeof *s);
    s->cap = 16;
    while (s->cap < expected * 2) /* load factor at most 1/2 */
        s->cap *= 2;
    s->slots = big_calloc(s->cap, sizeof *s->slots);
    s->arena_cap = 1024 + expected * 24;
    s->arena = big_calloc(s->arena_cap, 1);
    s->arena_len = 1; /* offset 0 would read as an empty slot */
}

static void bset_free(struct bset *s)
{
    free(s->slots);
    free(s->arena);
    memset(s, 0, sizeof *s);
}

static size_t bset_memory(const struct bset *s)
{
    return s->cap * sizeof *s->slots + s->arena_len + SLACK;
}

static inline bool key_is(const uint8_t *k, bool wild, const uint8_t *key, size_t len)
{
    if (wild)
        return k[0] == len + 2 && k[1] == '*' && k[2] == '.' && memcmp(k + 3, key, len) == 0;
    return k[0] == len && memcmp(k + 1, key, len) == 0;
}

/* Probe for the exact key, or for "*." + key when wild. */
static inline bool bset_has(const struct bset *s, bool wild, const uint8_t *key, size_t len)
{
    uint64_t h = bl_hash(wild ? SEED_WILD : SEED_EXACT, key, len);
    size_t mask = s->cap - 1, pos = (size_t)h & mask;
    uint64_t tag = h >> 32 << 32;
    for (;; pos = (pos + 1) & mask) {
        uint64_t e = s->slots[pos];
        if (!e)
            return false;
        if ((e & 0xFFFFFFFF00000000ull) == tag && key_is(s->arena + (uint32_t)e, wild, key, len))
            return true;
    }
}

static void bset_grow(struct bset *s)
{
    size_t ncap = s->cap * 2;
    uint64_t *ns = big_calloc(ncap, sizeof *ns);
    for (size_t i = 0; i < s->cap; i++) {
        uint64_t e = s->slots[i];
        if (!e)
            continue;
        const uint8_t *k = s->arena + (uint32_t)e;
        bool wild = k[0] > 2 && k[1] == '*';
        uint64_t h = wild ? bl_hash(SEED_WILD, k + 3, k[0] - 2u) : bl_hash(SEED_EXACT, k + 1, k[0]);
        size_t pos = (size_t)h & (ncap - 1);
        while (ns[pos])
            pos = (pos + 1) & (ncap - 1);
        ns[pos] = e;
    }
    free(s->slots);
    s->slots = ns;
    s->cap = ncap;
}

/* Add a normalised spec; false when it was already there. */
static bool bset_add(struct bset *s, const char *spec, size_t len)
{
    if (len == 0 || len > 255 || s->arena_len + len + 1 + SLACK > UINT32_MAX)
        die("%s", "baseline: bad key");
    bool wild = len > 1 && spec[0] == '*';
    if (s->arena_len + len + 1 + SLACK > s->arena_cap) {
        s->arena_cap = (s->arena_len + len + 1 + SLACK) * 2;
        s->arena = xrealloc(s->arena, s->arena_cap);
    }
    /* Stage the key in the arena (with zeroed slack) so that it can be hashed in place. */
    uint8_t *k = s->arena + s->arena_len;
    k[0] = (uint8_t)len;
    memcpy(k + 1, spec, len);
    memset(k + 1 + len, 0, SLACK);
    const uint8_t *key = wild ? k + 3 : k + 1;
    size_t klen = wild ? len - 2 : len;
    uint64_t h = bl_hash(wild ? SEED_WILD : SEED_EXACT, key, klen);
    size_t mask = s->cap - 1, pos = (size_t)h & mask;
    uint64_t tag = h >> 32 << 32;
    for (;; pos = (pos + 1) & mask) {
        uint64_t e = s->slots[pos];
        if (!e)
            break;
        if ((e & 0xFFFFFFFF00000000ull) == tag && key_is(s->arena + (uint32_t)e, wild, key, klen))
            return false;
    }
    s->slots[pos] = tag | s->arena_len;
    s->arena_len += len + 1;
    if (++s->count * 2 > s->cap)
        bset_grow(s);
    return true;
}

/*
 * Does any spec match the presentation-form name? Lower-cases the name and drops one
 * trailing dot (the generated names have no escapes), then probes "*", the full name,
 * and "*." + each proper ancestor from the closest up, stopping at the first hit.
 */
static bool baseline_match(const struct bset *s, const char *name, size_t len)
{
    static const uint8_t star[SLACK] = "*";
    if (bset_has(s, false, star, 1))
        return true;
    if (len > 0 && name[len - 1] == '.')
        len--;
    if (len == 0 || len > 253)
        return false;
    uint8_t buf[256 + SLACK];
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)name[i];
        buf[i] = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    memset(buf + len, 0, SLACK);
    if (bset_has(s, false, buf, len))
        return true;
    for (size_t i = 0; i < len; i++)
        if (buf[i] == '.' && bset_has(s, true, buf + i + 1, len - i - 1))
            return true;
    return false;
}

/* --- rule sets and queries -------------------------------------------------------------- */

struct strs {
    char *arena;
    size_t len, cap;
    size_t *off;
    uint16_t *slen;
    size_t n, ncap;
};

static void strs_add(struct strs *v, const char *s, size_t len)
{
    if (v->len + len + 1 > v->cap) {
        v->cap = (v->len + len + 1) * 2;
        v->arena = xrealloc(v->arena, v->cap);
    }
    if (v->n == v->ncap) {
        v->ncap = v->ncap ? v->ncap * 2 : 1024;
        v->off = xrealloc(v->off, v->ncap * sizeof *v->off);
        v->slen = xrealloc(v->slen, v->ncap * sizeof *v->slen);
    }
    memcpy(v->arena + v->len, s, len);
    v->arena[v->len + len] = '\0';
    v->off[v->n] = v->len;
    v->slen[v->n++] = (uint16_t)len;
    v->len += len + 1;
}

static const char *strs_get(const struct strs *v, size_t i)
{
    return v->arena + v->off[i];
}

/*
 * The baseline, batched: for BL_GROUP names at a time, lower-case each name and hash
 * every probe it may need ("*", the full name, "*." + each proper ancestor), ask for
 * their slots, and only then probe, name by name, stopping at the first hit. This is
 * the prefetching hash set the batch API is measured against.
 */
#define BL_GROUP  8
#define BL_PROBES 128

struct bl_pending {
    uint8_t buf[256 + SLACK];
    size_t len;
    unsigned n;               /* probes */
    uint64_t hash[BL_PROBES]; /* [0]: the full name; [i]: "*." + the ancestor after dot i */
    uint16_t at[BL_PROBES];   /* where the probed key starts in buf */
};

static inline bool bset_has_hashed(const struct bset *s, uint64_t h, bool wild, const uint8_t *key,
                                   size_t len)
{
    size_t mask = s->cap - 1, pos = (size_t)h & mask;
    uint64_t tag = h >> 32 << 32;
    for (;; pos = (pos + 1) & mask) {
        uint64_t e = s->slots[pos];
        if (!e)
            return false;
        if ((e & 0xFFFFFFFF00000000ull) == tag && key_is(s->arena + (uint32_t)e, wild, key, len))
            return true;
    }
}

__attribute__((noinline)) static size_t baseline_match_batch(const struct bset *s,
                                                             const struct strs *names)
{
    static const uint8_t star[SLACK] = "*";
    if (bset_has(s, false, star, 1))
        return names->n;
    size_t hits = 0;
    struct bl_pending p[BL_GROUP];
    for (size_t at = 0; at < names->n; at += BL_GROUP) {
        size_t g = names->n - at < BL_GROUP ? names->n - at : BL_GROUP;
        for (size_t k = 0; k < g; k++) {
            const char *name = strs_get(names, at + k);
            size_t len = names->slen[at + k];
            struct bl_pending *b = &p[k];
            if (len > 0 && name[len - 1] == '.')
                len--;
            b->len = len;
            b->n = 0;
            if (len == 0 || len > 253)
                continue;
            for (size_t i = 0; i < len; i++) {
                uint8_t c = (uint8_t)name[i];
                b->buf[i] = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            }
            memset(b->buf + len, 0, SLACK);
            b->hash[0] = bl_hash(SEED_EXACT, b->buf, len);
            b->at[0] = 0;
            __builtin_prefetch(&s->slots[b->hash[0] & (s->cap - 1)]);
            b->n = 1;
            for (size_t i = 0; i < len && b->n < BL_PROBES; i++) {
                if (b->buf[i] != '.')
                    continue;
                b->at[b->n] = (uint16_t)(i + 1);
                b->hash[b->n] = bl_hash(SEED_WILD, b->buf + i + 1, len - i - 1);
                __builtin_prefetch(&s->slots[b->hash[b->n] & (s->cap - 1)]);
                b->n++;
            }
        }
        for (size_t k = 0; k < g; k++) {
            const struct bl_pending *b = &p[k];
            for (unsigned i = 0; i < b->n; i++) {
                if (bset_has_hashed(s, b->hash[i], i > 0, b->buf + b->at[i], b->len - b->at[i])) {
                    hits++;
                    break;
                }
            }
        }
    }
    return hits;
}

static void strs_free(struct strs *v)
{
    free(v->arena);
    free(v->off);
    free(v->slen);
    memset(v, 0, sizeof *v);
}

struct ruleset {
    struct strs specs; /* normalised, distinct, in generation order */
    size_t *exact, n_exact;
    size_t *wild, n_wild;
};

/*
 * n distinct specs. Sites (registrable domains) get 1-8 specs each (mostly 1): the
 * apex or a host 1-3 labels below it, and pct_wild percent of the specs are "*.host".
 */
static void gen_ruleset(struct ruleset *rs, size_t n, unsigned pct_wild, uint64_t seed)
{
    struct rng r;
    rng_seed(&r, seed);
    memset(rs, 0, sizeof *rs);
    rs->exact = xmalloc(n * sizeof *rs->exact);
    rs->wild = xmalloc(n * sizeof *rs->wild);
    struct bset seen;
    bset_init(&seen, n);
    while (rs->specs.n < n) {
        char site[NAME_MAX_TEXT];
        size_t slen = 0;
        site[0] = '\0';
        gen_registrable(&r, site, &slen);
        unsigned k = rng_below(&r, 100);
        unsigned per_site = k < 70 ? 1 : k < 88 ? 2 : k < 95 ? 3 : 4 + rng_below(&r, 5);
        for (unsigned j = 0; j < per_site && rs->specs.n < n; j++) {
            char buf[NAME_MAX_TEXT];
            size_t len = 0;
            buf[0] = '\0';
            bool wild = rng_pct(&r, pct_wild);
            if (wild)
                put(buf, &len, "*.");
            if (!rng_pct(&r, 45)) { /* a host below the site, else the site itself */
                for (unsigned d = gen_depth(&r); d > 0; d--)
                    gen_host_label(&r, buf, &len);
            }
            put(buf, &len, site);
            if (!bset_add(&seen, buf, len))
                continue;
            if (wild)
                rs->wild[rs->n_wild++] = rs->specs.n;
            else
                rs->exact[rs->n_exact++] = rs->specs.n;
            strs_add(&rs->specs, buf, len);
        }
    }
    bset_free(&seen);
}

static void ruleset_free(struct ruleset *rs)
{
    strs_free(&rs->specs);
    free(rs->exact);
    free(rs->wild);
}

enum qkind { Q_EXACT, Q_WILD, Q_UNKNOWN, Q_APEX, Q_SIBLING, Q_DEEPER, N_QKINDS };

static const struct {
    const char *name;
    unsigned pct;    /* share of the queries */
    bool must_match; /* known by construction; the misses may hit another spec */
} qkinds[N_QKINDS] = {
    [Q_EXACT] = {"exact hit", 30, true},
    [Q_WILD] = {"wildcard hit (1-3 below *.x)", 20, true},
    [Q_UNKNOWN] = {"miss: unknown domain", 20, false},
    [Q_APEX] = {"miss: apex of a wildcard", 10, false},
    [Q_SIBLING] = {"miss: sibling of an exact", 10, false},
    [Q_DEEPER] = {"miss: below an exact", 10, false},
};

struct queries {
    struct strs names;
    uint8_t *kind;
};

/* Copy a spec without its "*." into buf at *len. */
static void put_suffix(char *buf, size_t *len, const char *spec)
{
    put(buf, len, spec[0] == '*' ? spec + 2 : spec);
}

static void gen_queries(struct queries *q, const struct ruleset *rs, size_t n, uint64_t seed)
{
    struct rng r;
    rng_seed(&r, seed);
    memset(q, 0, sizeof *q);
    q->kind = xmalloc(n);
    for (size_t i = 0; i < n; i++) {
        char buf[NAME_MAX_TEXT];
        size_t len = 0;
        buf[0] = '\0';
        unsigned k = rng_below(&r, 100), acc = 0;
        enum qkind kind = Q_EXACT;
        while (k >= acc + qkinds[kind].pct) {
            acc += qkinds[kind].pct;
            kind++;
        }
        /* A rule set without exact or wildcard specs cannot make some kinds. */
        if ((kind == Q_EXACT || kind == Q_SIBLING || kind == Q_DEEPER) && !rs->n_exact)
            kind = Q_UNKNOWN;
        if ((kind == Q_WILD || kind == Q_APEX) && !rs->n_wild)
            kind = Q_UNKNOWN;
        const char *exact =
            rs->n_exact ? strs_get(&rs->specs, rs->exact[rng_below(&r, (uint32_t)rs->n_exact)])
                        : "";
        const char *wild =
            rs->n_wild ? strs_get(&rs->specs, rs->wild[rng_below(&r, (uint32_t)rs->n_wild)]) : "";
        switch (kind) {
        case Q_EXACT:
            put(buf, &len, exact);
            break;
        case Q_WILD:
            for (unsigned d = gen_depth(&r); d > 0; d--)
                gen_host_label(&r, buf, &len);
            put_suffix(buf, &len, wild);
            break;
        case Q_UNKNOWN:
            if (rng_pct(&r, 50))
                gen_host_label(&r, buf, &len);
            gen_registrable(&r, buf, &len);
            break;
        case Q_APEX:
            put_suffix(buf, &len, wild);
            break;
        case Q_SIBLING: { /* another first label beside the spec's */
            const char *dot = strchr(exact, '.');
            gen_host_label(&r, buf, &len);
            put(buf, &len, dot + 1);
            break;
        }
        case Q_DEEPER:
            for (unsigned d = gen_depth(&r); d > 0; d--)
                gen_host_label(&r, buf, &len);
            put(buf, &len, exact);
            break;
        case N_QKINDS:
            break;
        }
        /* As resolvers log them: a trailing dot half the time, some upper case. */
        if (rng_pct(&r, 50))
            put(buf, &len, ".");
        if (rng_pct(&r, 5))
            for (size_t j = 0; j < len; j += 1 + rng_below(&r, 3))
                if (buf[j] >= 'a' && buf[j] <= 'z')
                    buf[j] = (char)(buf[j] - 32);
        q->kind[i] = (uint8_t)kind;
        strs_add(&q->names, buf, len);
    }
}

static void queries_free(struct queries *q)
{
    strs_free(&q->names);
    free(q->kind);
}

/* --- the measured operations -------------------------------------------------------------- */

static void check(int rc, const char *what)
{
    if (rc != DNSFW_OK)
        die("%s failed", what);
}

/* The policy: one list holding every spec, looked at by one ALLOW rule. */
static dnsfw_policy *build_policy(const struct ruleset *rs)
{
    dnsfw_policy *p;
    uint32_t list, group;
    check(dnsfw_policy_new(&p), "dnsfw_policy_new");
    check(dnsfw_policy_add_list(p, "bench", &list), "dnsfw_policy_add_list");
    for (size_t i = 0; i < rs->specs.n; i++) {
        const char *reason = NULL;
        if (dnsfw_policy_add_spec(p, list, strs_get(&rs->specs, i), rs->specs.slen[i], &reason))
            die("spec rejected: %s", strs_get(&rs->specs, i));
    }
    check(dnsfw_policy_add_group(p, "bench", 1, &group), "dnsfw_policy_add_group");
    dnsfw_rule_def rule = {
        .name = "bench", .priority = 1, .action = DNSFW_ACTION_ALLOW, .domain_list = list};
    check(dnsfw_policy_add_rule(p, group, &rule, NULL), "dnsfw_policy_add_rule");
    return p;
}

static void build_baseline(struct bset *s, const struct ruleset *rs)
{
    bset_init(s, rs->specs.n);
    for (size_t i = 0; i < rs->specs.n; i++)
        bset_add(s, strs_get(&rs->specs, i), rs->specs.slen[i]);
}

static bool matcher_match(const dnsfw_matcher *m, const char *name, size_t len)
{
    dnsfw_verdict v;
    if (dnsfw_eval(m, name, len, 1 /* A */, DNSFW_SCOPE_ALL, &v) != DNSFW_OK)
        die("dnsfw_eval rejected %s", name);
    return v.action != DNSFW_ACTION_NONE;
}

static size_t run_matcher(const dnsfw_matcher *m, const struct strs *names)
{
    size_t hits = 0;
    for (size_t i = 0; i < names->n; i++)
        hits += matcher_match(m, strs_get(names, i), names->slen[i]);
    return hits;
}

/* dnsfw_eval_batch() over the queries, batch_size at a time, as a server or a replay would. */
static size_t batch_size = 64;

static size_t run_matcher_batch(const dnsfw_matcher *m, const dnsfw_query *qs, size_t n,
                                dnsfw_verdict *v)
{
    size_t hits = 0;
    for (size_t at = 0; at < n; at += batch_size) {
        size_t k = n - at < batch_size ? n - at : batch_size;
        if (dnsfw_eval_batch(m, qs + at, k, v, NULL) != DNSFW_OK)
            die("%s", "dnsfw_eval_batch rejected a query");
        for (size_t i = 0; i < k; i++)
            hits += v[i].action != DNSFW_ACTION_NONE;
    }
    return hits;
}

static size_t run_baseline(const struct bset *s, const struct strs *names)
{
    size_t hits = 0;
    for (size_t i = 0; i < names->n; i++)
        hits += baseline_match(s, strs_get(names, i), names->slen[i]);
    return hits;
}

/* Every query, both ways: the answers must agree. Returns the number of matches. */
static size_t verify(const dnsfw_matcher *m, const struct bset *s, const struct queries *q)
{
    size_t hits = 0, by_kind[N_QKINDS] = {0}, hits_by_kind[N_QKINDS] = {0}, bad = 0;
    for (size_t i = 0; i < q->names.n; i++) {
        const char *name = strs_get(&q->names, i);
        bool a = matcher_match(m, name, q->names.slen[i]);
        bool b = baseline_match(s, name, q->names.slen[i]);
        unsigned k = q->kind[i];
        by_kind[k]++;
        hits_by_kind[k] += a;
        hits += a;
        if (a != b || (qkinds[k].must_match && !a)) {
            if (bad++ < 10)
                fprintf(stderr, "MISMATCH: %s (%s): matcher %s, baseline %s\n", name,
                        qkinds[k].name, a ? "match" : "no match", b ? "match" : "no match");
        }
    }
    if (bad) {
        fprintf(stderr, "bench-matcher: FAILED: %zu of %zu queries disagree\n", bad, q->names.n);
        exit(1);
    }
    printf("  queries: %zu, all agree (matcher == baseline)\n", q->names.n);
    for (unsigned k = 0; k < N_QKINDS; k++)
        printf("    %-30s %8zu  matched %6.2f%%\n", qkinds[k].name, by_kind[k],
               by_kind[k] ? 100.0 * (double)hits_by_kind[k] / (double)by_kind[k] : 0.0);
    return hits;
}

struct result {
    size_t specs;
    double policy_s, compile_s, mlookups;
    size_t memory;
    double bl_build_s, bl_mlookups;
    double batch_mlookups, bl_batch_mlookups;
    size_t bl_memory;
};

static void measure(size_t n, size_t n_queries, unsigned reps, unsigned pct_wild, uint64_t seed,
                    struct result *res)
{
    struct ruleset rs;
    struct queries q;
    double t0 = now();
    gen_ruleset(&rs, n, pct_wild, seed ^ (uint64_t)n);
    gen_queries(&q, &rs, n_queries, seed ^ ((uint64_t)n << 1) ^ 0x5bd1e995u);
    printf("\n== %zu specs (%zu exact, %zu wildcard; %.1f chars avg), generated in %.2f s\n", n,
           rs.n_exact, rs.n_wild, (double)(rs.specs.len - rs.specs.n) / (double)rs.specs.n,
           now() - t0);

    memset(res, 0, sizeof *res);
    res->specs = n;
    res->policy_s = res->compile_s = res->bl_build_s = 1e30;
    dnsfw_matcher *m = NULL;
    struct bset bl = {0};
    for (unsigned i = 0; i < reps; i++) {
        dnsfw_matcher_free(m);
        bset_free(&bl);
        m = NULL;
        double a = now();
        dnsfw_policy *p = build_policy(&rs);
        double b = now();
        check(dnsfw_compile(p, &m), "dnsfw_compile");
        double c = now();
        dnsfw_policy_free(p);
        double d = now();
        build_baseline(&bl, &rs);
        double e = now();
        if (b - a < res->policy_s)
            res->policy_s = b - a;
        if (c - b < res->compile_s)
            res->compile_s = c - b;
        if (e - d < res->bl_build_s)
            res->bl_build_s = e - d;
    }
    res->memory = dnsfw_matcher_memory(m);
    res->bl_memory = bset_memory(&bl);

    size_t hits = verify(m, &bl, &q);

    /* Alternate the two so that a burst of load elsewhere hurts both alike. */
    double best_m = 1e30, best_b = 1e30;
    for (unsigned i = 0; i < reps; i++) {
        double a = now();
        size_t hm = run_matcher(m, &q.names);
        double b = now();
        size_t hb = run_baseline(&bl, &q.names);
        double c = now();
        if (hm != hits || hb != hits)
            die("%s", "FAILED: match counts changed between runs");
        if (b - a < best_m)
            best_m = b - a;
        if (c - b < best_b)
            best_b = c - b;
    }
    res->mlookups = (double)q.names.n / best_m / 1e6;
    res->bl_mlookups = (double)q.names.n / best_b / 1e6;

    /* The batched forms, timed the same way; they must find the same matches. */
    dnsfw_query *qs = xmalloc(q.names.n * sizeof *qs);
    dnsfw_verdict *out = xmalloc(batch_size * sizeof *out);
    for (size_t i = 0; i < q.names.n; i++)
        qs[i] = (dnsfw_query){.name = strs_get(&q.names, i),
                              .len = q.names.slen[i],
                              .qtype = 1,
                              .scope = DNSFW_SCOPE_ALL};
    best_m = best_b = 1e30;
    for (unsigned i = 0; i < reps; i++) {
        double a = now();
        size_t hm = run_matcher_batch(m, qs, q.names.n, out);
        double b = now();
        size_t hb = baseline_match_batch(&bl, &q.names);
        double c = now();
        if (hm != hits || hb != hits)
            die("FAILED: batched match counts differ (matcher %zu, baseline %zu, expected %zu)", hm,
                hb, hits);
        if (b - a < best_m)
            best_m = b - a;
        if (c - b < best_b)
            best_b = c - b;
    }
    free(qs);
    free(out);
    res->batch_mlookups = (double)q.names.n / best_m / 1e6;
    res->bl_batch_mlookups = (double)q.names.n / best_b / 1e6;
    printf("  matcher : add specs %.2f ms, dnsfw_compile %.2f ms, %.2f M lookups/s, %zu bytes "
           "(%.1f per spec)\n",
           res->policy_s * 1e3, res->compile_s * 1e3, res->mlookups, res->memory,
           (double)res->memory / (double)n);
    printf("  baseline: build %.2f ms, %.2f M lookups/s, %zu bytes (%.1f per spec)\n",
           res->bl_build_s * 1e3, res->bl_mlookups, res->bl_memory,
           (double)res->bl_memory / (double)n);
    printf("  batched : matcher %.2f M lookups/s (dnsfw_eval_batch, %zu a call), baseline %.2f M "
           "lookups/s (prefetching, %d a group)\n",
           res->batch_mlookups, batch_size, res->bl_batch_mlookups, BL_GROUP);

    dnsfw_matcher_free(m);
    bset_free(&bl);
    ruleset_free(&rs);
    queries_free(&q);
}

/* --- --compile: from a JSON policy file to a matcher ------------------------------------- */

struct compile_result {
    size_t specs, file_bytes;
    double load_s, compile_s, total_s; /* the specs inline in the JSON policy */
    double list_load_s, list_total_s;  /* the specs in a list file the policy names */
    size_t memory;
};

/* The policy of the lookup benchmark as the JSON file an operator would write. */
static void write_policy(FILE *f, const struct ruleset *rs)
{
    fputs("{\"dnsfw\": 1,\n \"domain_lists\": {\"bench\": [\n", f);
    for (size_t i = 0; i < rs->specs.n; i++)
        fprintf(f, "  \"%s\"%s\n", strs_get(&rs->specs, i), i + 1 < rs->specs.n ? "," : "");
    fputs(" ]},\n \"rule_groups\": [{\"name\": \"bench\", \"priority\": 1, \"rules\": [\n"
          "  {\"name\": \"bench\", \"priority\": 1, \"action\": \"ALLOW\", "
          "\"domain_list\": \"bench\"}]}]}\n",
          f);
}

/* The same policy with its specs in a list file (one a line, as AWS imports them). */
static void write_list_policy(FILE *f, FILE *list, const char *list_name, const struct ruleset *rs)
{
    for (size_t i = 0; i < rs->specs.n; i++)
        fprintf(list, "%s\n", strs_get(&rs->specs, i));
    fprintf(f,
            "{\"dnsfw\": 1,\n \"domain_lists\": {\"bench\": {\"file\": \"%s\"}},\n"
            " \"rule_groups\": [{\"name\": \"bench\", \"priority\": 1, \"rules\": [\n"
            "  {\"name\": \"bench\", \"priority\": 1, \"action\": \"ALLOW\", "
            "\"domain_list\": \"bench\"}]}]}\n",
            list_name);
}

static FILE *temp_file(char *path, size_t size, const char *suffix)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, size, "%s/bench-matcher-XXXXXX%s", dir && *dir ? dir : "/tmp", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f)
        die("cannot write a file in %s", dir && *dir ? dir : "/tmp");
    return f;
}

/* Load a policy file and compile it; the times of both. */
static void load_and_compile(const char *path, double *load_s, double *compile_s, size_t *memory)
{
    dnsfw_policy *p;
    dnsfw_matcher *m;
    dnsfw_error err;
    double a = now();
    if (dnsfw_policy_load_file(&p, path, &err) != DNSFW_OK)
        die("the generated policy does not load: %s", err.message);
    double b = now();
    check(dnsfw_compile(p, &m), "dnsfw_compile");
    double c = now();
    *memory = dnsfw_matcher_memory(m);
    dnsfw_matcher_free(m);
    dnsfw_policy_free(p);
    *load_s = b - a;
    *compile_s = c - b;
}

/*
 * dnsfw_policy_load_file() (read, parse, check and add every spec) then dnsfw_compile(),
 * best of reps each, on policy files of n generated specs in the temporary directory:
 * the specs inline in the JSON, and in a list file.
 */
static void measure_compile(size_t n, unsigned reps, unsigned pct_wild, uint64_t seed,
                            struct compile_result *res)
{
    struct ruleset rs;
    gen_ruleset(&rs, n, pct_wild, seed ^ (uint64_t)n);
    char path[4096], list_path[4096], list_policy[4096];
    FILE *f = temp_file(path, sizeof path, ".json");
    write_policy(f, &rs);
    memset(res, 0, sizeof *res);
    res->specs = n;
    res->file_bytes = (size_t)ftell(f);
    FILE *list = temp_file(list_path, sizeof list_path, ".txt");
    FILE *lp = temp_file(list_policy, sizeof list_policy, ".json");
    const char *slash = strrchr(list_path, '/');
    write_list_policy(lp, list, slash ? slash + 1 : list_path, &rs);
    if (fclose(f) != 0 || fclose(list) != 0 || fclose(lp) != 0)
        die("%s", "cannot write the policy files");
    res->load_s = res->compile_s = res->total_s = res->list_load_s = res->list_total_s = 1e30;
    for (unsigned i = 0; i < reps; i++) {
        double load, compile;
        load_and_compile(path, &load, &compile, &res->memory);
        if (load < res->load_s)
            res->load_s = load;
        if (compile < res->compile_s)
            res->compile_s = compile;
        if (load + compile < res->total_s)
            res->total_s = load + compile;
        load_and_compile(list_policy, &load, &compile, &res->memory);
        if (load < res->list_load_s)
            res->list_load_s = load;
        if (load + compile < res->list_total_s)
            res->list_total_s = load + compile;
    }
    remove(path);
    remove(list_path);
    remove(list_policy);
    ruleset_free(&rs);
    printf("== %zu specs: JSON %.1f MB: load %.2f ms, dnsfw_compile %.2f ms, together %.2f ms; "
           "list file: load %.2f ms, with dnsfw_compile %.2f ms\n",
           n, (double)res->file_bytes / 1e6, res->load_s * 1e3, res->compile_s * 1e3,
           res->total_s * 1e3, res->list_load_s * 1e3, res->list_total_s * 1e3);
}

static void compile_table(const struct compile_result *r, size_t n)
{
    printf("\n| specs | JSON MB | load ms | dnsfw_compile ms | JSON file to matcher ms | ns a spec "
           "| list file: load ms | list file to matcher ms | B/spec |\n"
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i < n; i++)
        printf("| %zu | %.1f | %.2f | %.2f | %.2f | %.0f | %.2f | %.2f | %.1f |\n", r[i].specs,
               (double)r[i].file_bytes / 1e6, r[i].load_s * 1e3, r[i].compile_s * 1e3,
               r[i].total_s * 1e3, r[i].total_s * 1e9 / (double)r[i].specs, r[i].list_load_s * 1e3,
               r[i].list_total_s * 1e3, (double)r[i].memory / (double)r[i].specs);
}

/* --- command line ------------------------------------------------------------------------ */

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: bench-matcher [--sizes LIST] [--queries N] [--reps N] [--seed N]\n"
            "                     [--wildcards PCT] [--clock CLOCK] [--huge-pages] [--batch N]\n"
            "\n"
            "Measure the libdnsfw matcher against a hash-set baseline on generated rule\n"
            "sets; fails (exit 1) if the two ever disagree on a query.\n"
            "\n"
            "  -s, --sizes LIST     comma-separated rule-set sizes (default 1000,100000,1000000)\n"
            "  -q, --queries N      queries per size (default 1000000)\n"
            "  -r, --reps N         repetitions; the best time is reported (default 5)\n"
            "      --seed N         generator seed (default 1)\n"
            "  -w, --wildcards PCT  share of \"*.suffix\" specs in percent (default 30)\n"
            "      --clock CLOCK    monotonic (wall time, the default) or cpu (the process's\n"
            "                       CPU time: steadier on a loaded machine)\n"
            "      --huge-pages     give the baseline transparent huge pages too, as the\n"
            "                       library takes them for its large arrays (Linux)\n"
            "  -b, --batch N        queries a dnsfw_eval_batch() call (default 64)\n"
            "      --compile        measure only loading a JSON policy file and compiling it\n"
            "                       (sizes default to 1000,10000,100000,1000000,4000000)\n"
            "  -h, --help           show this help\n");
}

static unsigned long long number(const char *s, unsigned long long max, const char *what)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || v > max) {
        fprintf(stderr, "bench-matcher: bad %s: %s\n", what, s);
        usage(stderr);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"sizes", required_argument, NULL, 's'},
        {"queries", required_argument, NULL, 'q'},
        {"reps", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 'S'},
        {"wildcards", required_argument, NULL, 'w'},
        {"clock", required_argument, NULL, 'c'},
        {"huge-pages", no_argument, NULL, 'H'},
        {"batch", required_argument, NULL, 'b'},
        {"compile", no_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *sizes = NULL;
    bool compile_only = false;
    size_t n_queries = 1000000;
    unsigned reps = 5, pct_wild = 30;
    uint64_t seed = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "s:q:r:w:b:h", opts, NULL)) != -1) {
        switch (opt) {
        case 's':
            sizes = optarg;
            break;
        case 'q':
            n_queries = (size_t)number(optarg, 100000000, "query count");
            break;
        case 'r':
            reps = (unsigned)number(optarg, 1000, "repetition count");
            break;
        case 'S':
            seed = number(optarg, UINT64_MAX, "seed");
            break;
        case 'w':
            pct_wild = (unsigned)number(optarg, 100, "wildcard share");
            break;
        case 'c':
            if (strcmp(optarg, "monotonic") == 0) {
                bench_clock = CLOCK_MONOTONIC;
            } else if (strcmp(optarg, "cpu") == 0) {
                bench_clock = CLOCK_PROCESS_CPUTIME_ID;
            } else {
                fprintf(stderr, "bench-matcher: bad clock: %s\n", optarg);
                usage(stderr);
                return 2;
            }
            break;
        case 'H':
            huge_pages = true;
            break;
        case 'C':
            compile_only = true;
            break;
        case 'b':
            batch_size = (size_t)number(optarg, 1000000, "batch size");
            if (batch_size == 0)
                batch_size = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || reps == 0 || n_queries == 0) {
        usage(stderr);
        return 2;
    }

    if (!sizes)
        sizes = compile_only ? "1000,10000,100000,1000000,4000000" : "1000,100000,1000000";
    struct result res[16];
    size_t n_res = 0;
    char *list = xmalloc(strlen(sizes) + 1);
    strcpy(list, sizes);
    for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (n_res == sizeof res / sizeof res[0])
            die("%s", "too many sizes");
        size_t n = (size_t)number(tok, 50000000, "size");
        if (n == 0)
            die("%s", "a size must be at least 1");
        res[n_res++].specs = n;
    }
    free(list);

    if (compile_only) {
        struct compile_result cr[16];
        printf("bench-matcher --compile: libdnsfw %s, seed %" PRIu64 ", best of %u, %u%% "
               "wildcards, %s clock\n",
               dnsfw_version(), seed, reps, pct_wild,
               bench_clock == CLOCK_MONOTONIC ? "monotonic" : "CPU-time");
        for (size_t i = 0; i < n_res; i++)
            measure_compile(res[i].specs, reps, pct_wild, seed, &cr[i]);
        compile_table(cr, n_res);
        return 0;
    }
    printf("bench-matcher: libdnsfw %s, seed %" PRIu64 ", %zu queries, best of %u, %u%% "
           "wildcards, %s clock, baseline in %s pages\n",
           dnsfw_version(), seed, n_queries, reps, pct_wild,
           bench_clock == CLOCK_MONOTONIC ? "monotonic" : "CPU-time",
           huge_pages ? "huge" : "normal");
    for (size_t i = 0; i < n_res; i++)
        measure(res[i].specs, n_queries, reps, pct_wild, seed, &res[i]);

    printf("\n| specs | matcher Mlookups/s | baseline Mlookups/s | ratio | matcher B/spec | "
           "baseline B/spec | add specs ms | dnsfw_compile ms | baseline build ms |\n"
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i < n_res; i++) {
        const struct result *r = &res[i];
        printf("| %zu | %.2f | %.2f | %.2fx | %.1f | %.1f | %.2f | %.2f | %.2f |\n", r->specs,
               r->mlookups, r->bl_mlookups, r->mlookups / r->bl_mlookups,
               (double)r->memory / (double)r->specs, (double)r->bl_memory / (double)r->specs,
               r->policy_s * 1e3, r->compile_s * 1e3, r->bl_build_s * 1e3);
    }
    printf("\n| specs | batch Mlookups/s | vs baseline | batched baseline Mlookups/s | vs batched "
           "baseline |\n|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i < n_res; i++) {
        const struct result *r = &res[i];
        printf("| %zu | %.2f | %.2fx | %.2f | %.2fx |\n", r->specs, r->batch_mlookups,
               r->batch_mlookups / r->bl_mlookups, r->bl_batch_mlookups,
               r->batch_mlookups / r->bl_batch_mlookups);
    }
    return 0;
}
