/*
 * Random policies and query names for the model-based tests.
 *
 * Shared by tests/model/test_differential.c (driven by a seeded PRNG) and
 * fuzz/fuzz_differential.c (driven by the fuzzer's input bytes), so both explore the
 * same space. Header-only with static functions because fuzz/meson.build compiles just
 * the target and reference.c; include it from exactly one file per executable.
 *
 * Every policy generated here is valid by construction (unique names and priorities,
 * block_response exactly with BLOCK, block_override exactly with OVERRIDE, specs in AWS
 * syntax), so a load failure is a finding, not noise. Names are drawn to hit the corners
 * of matching: exact entries, names below wildcards at depth 1-4, wildcard apexes,
 * siblings and parents, upper case, trailing dots, `\.` and `\DDD` escapes, underscores,
 * non-ASCII and control octets, the root, names at the 253/255-octet limits, and a few
 * malformed ones.
 */
#ifndef DNSFW_TEST_GEN_H
#define DNSFW_TEST_GEN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsfw/dnsfw.h"

#define GEN_FN static __attribute__((unused))

/* --- randomness: a PRNG, or the fuzzer's bytes ------------------------------------- */

struct gen_src {
    uint64_t state;      /* splitmix64 state (seeded mode) */
    const uint8_t *data; /* input bytes (fuzz mode), NULL in seeded mode */
    size_t len, pos;
};

GEN_FN void gen_seed(struct gen_src *g, uint64_t seed)
{
    *g = (struct gen_src){.state = seed};
}

GEN_FN void gen_from_bytes(struct gen_src *g, const uint8_t *data, size_t len)
{
    *g = (struct gen_src){.data = data, .len = len};
}

GEN_FN uint64_t gen_mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) (n >= 1). In fuzz mode an exhausted input reads as zeros. */
GEN_FN uint32_t gen_below(struct gen_src *g, uint32_t n)
{
    if (n <= 1)
        return 0;
    if (!g->data)
        return (uint32_t)(((gen_mix(&g->state) >> 32) * n) >> 32);
    unsigned nbytes = n <= 256 ? 1 : n <= 65536 ? 2 : 4;
    uint32_t v = 0;
    for (unsigned i = 0; i < nbytes; i++) {
        v <<= 8;
        if (g->pos < g->len)
            v |= g->data[g->pos++];
    }
    return v % n;
}

/* True with probability num/den; false once a fuzz input is exhausted. */
GEN_FN bool gen_chance(struct gen_src *g, uint32_t num, uint32_t den)
{
    return gen_below(g, den) >= den - num;
}

GEN_FN uint32_t gen_range(struct gen_src *g, uint32_t lo, uint32_t hi)
{
    return lo + gen_below(g, hi - lo + 1);
}

/* --- a growing text buffer --------------------------------------------------------- */

struct gen_buf {
    char *p;
    size_t len, cap;
};

GEN_FN void gb_putn(struct gen_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 1024;
        while (b->len + n + 1 > ncap)
            ncap *= 2;
        char *np = realloc(b->p, ncap);
        if (!np)
            abort(); /* the test's own memory: nothing sensible to do */
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

GEN_FN void gb_puts(struct gen_buf *b, const char *s)
{
    gb_putn(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) GEN_FN void gb_printf(struct gen_buf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        gb_putn(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A JSON string literal (the generator only makes printable ASCII, but be exact). */
GEN_FN void gb_json_str(struct gen_buf *b, const char *s)
{
    gb_puts(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            gb_printf(b, "\\%c", c);
        else if (c < 0x20)
            gb_printf(b, "\\u%04x", c);
        else
            gb_putn(b, (const char *)&c, 1);
    }
    gb_puts(b, "\"");
}

GEN_FN void gb_free(struct gen_buf *b)
{
    free(b->p);
    *b = (struct gen_buf){0};
}

/* --- the policy model -------------------------------------------------------------- */

#define GEN_MAX_LISTS  6
#define GEN_MAX_SPECS  10
#define GEN_MAX_GROUPS 4
#define GEN_MAX_RULES  7
#define GEN_MAX_SCOPES 4
#define GEN_MAX_ZONES  5

struct gen_spec {
    char canon[DNSFW_SPEC_MAX + 1]; /* the normal form the library must store */
    char text[DNSFW_SPEC_MAX + 2];  /* as written into the policy */
};

struct gen_list {
    char name[72];
    bool absent; /* tiered: key left out */
    size_t n;
    struct gen_spec spec[GEN_MAX_SPECS];
};

struct gen_rule {
    char name[72];
    uint32_t priority;
    dnsfw_action action;
    uint32_t list;
    uint16_t qtype; /* 0 = any */
    char qtype_text[16];
    int redirection; /* -1: key absent; else a dnsfw_redirection */
    dnsfw_block_response response;
    char override_domain[64];
    uint32_t ttl;
    bool ttl_present;
};

struct gen_group {
    char name[72];
    uint32_t priority;
    size_t n;
    struct gen_rule rule[GEN_MAX_RULES];
};

struct gen_policy {
    bool tiered;
    int fail_open; /* -1: key absent */
    size_t n_zones;
    char zone[GEN_MAX_ZONES][128]; /* the names specs are built around */
    /* general form */
    size_t n_lists;
    struct gen_list list[GEN_MAX_LISTS];
    size_t n_groups;
    struct gen_group group[GEN_MAX_GROUPS]; /* in the order written */
    /* tiered form */
    int mode;     /* -1: absent; else a dnsfw_mode */
    int response; /* -1: absent; else a dnsfw_block_response */
    char override_domain[64];
    uint32_t ttl;
    bool ttl_present;
    struct gen_list baseline; /* .absent: the built-in baseline */
    bool blueprints_absent;
    size_t n_scopes;
    char repo[GEN_MAX_SCOPES][40];
    struct gen_list allow[GEN_MAX_SCOPES];
};

/* The contract's built-in baseline: only used to aim names at it. */
static const char *const gen_default_baseline[] = {
    "github.com", "api.github.com", "*.githubusercontent.com", "registry.npmjs.org", "*.npmjs.org",
    "pypi.org",   "*.pypi.org",     "files.pythonhosted.org",  "*.amazonaws.com"};

static const char *const gen_label_pool[] = {
    "a",
    "b",
    "c",
    "com",
    "net",
    "org",
    "example",
    "www",
    "api",
    "cdn",
    "xn--bcher-kva",
    "a-b",
    "-x",
    "0",
    "9z",
    "mail",
    "co",
    "uk",
    "io",
    "githubusercontent",
};
#define GEN_N_LABELS (sizeof gen_label_pool / sizeof gen_label_pool[0])

static const char gen_ldh[] = "abcdefghijklmnopqrstuvwxyz0123456789-";

/* One label in canonical form (lower-case LDH). */
GEN_FN void gen_label(struct gen_src *g, char *out)
{
    uint32_t r = gen_below(g, 40);
    size_t n;
    if (r < 32) {
        strcpy(out, gen_label_pool[gen_below(g, GEN_N_LABELS)]);
        return;
    }
    n = r < 39 ? gen_range(g, 1, 8) : gen_range(g, 60, 63);
    for (size_t i = 0; i < n; i++)
        out[i] = gen_ldh[gen_below(g, sizeof gen_ldh - 1)];
    out[n] = '\0';
}

/* Prepend label to the dotted name in out (size >= 256) if the result fits in max. */
GEN_FN void gen_prepend(char *out, const char *label, size_t max)
{
    size_t a = strlen(label), b = strlen(out);
    if (a + 1 + b > max)
        return;
    memmove(out + a + (b ? 1 : 0), out, b + 1);
    memcpy(out, label, a);
    if (b)
        out[a] = '.';
}

/* A canonical spec: "*", "*.name" or "name", built around the policy's zones. */
GEN_FN void gen_spec_canon(struct gen_src *g, const struct gen_policy *gp, char *out)
{
    uint32_t k = gen_below(g, 24);
    if (k == 0) {
        strcpy(out, "*");
        return;
    }
    char name[DNSFW_SPEC_MAX + 1];
    char label[64];
    strcpy(name, gp->zone[gen_below(g, (uint32_t)gp->n_zones)]);
    for (uint32_t d = gen_below(g, 4); d > 0; d--) {
        gen_label(g, label);
        gen_prepend(name, label, 253);
    }
    if (gen_chance(g, 1, 25)) /* a long spec: up to 253 characters */
        while (strlen(name) < 200) {
            gen_label(g, label);
            size_t before = strlen(name);
            gen_prepend(name, label, 253);
            if (strlen(name) == before)
                break;
        }
    size_t len = strlen(name); /* at most 253: gen_prepend() keeps it so */
    if (k < 11 && len <= 253) {
        memcpy(out, "*.", 2);
        memcpy(out + 2, name, len + 1);
    } else {
        memcpy(out, name, len + 1);
    }
}

/* The spec as written: letters in random case, sometimes a trailing dot, "*." for "*". */
GEN_FN void gen_spec_text(struct gen_src *g, const char *canon, char *out)
{
    size_t n = strlen(canon);
    bool upper = gen_chance(g, 1, 4);
    for (size_t i = 0; i <= n; i++) {
        char c = canon[i];
        if (upper && c >= 'a' && c <= 'z' && gen_chance(g, 1, 2))
            c = (char)(c - 'a' + 'A');
        out[i] = c;
    }
    if (n < DNSFW_SPEC_MAX && gen_chance(g, 1, 5)) {
        out[n] = '.';
        out[n + 1] = '\0';
    }
}

/* Fill a list with up to max specs; some repeat others (the list must store them once). */
GEN_FN void gen_fill_list(struct gen_src *g, const struct gen_policy *gp, struct gen_list *l,
                          size_t max, const struct gen_list *share)
{
    l->n = gen_below(g, (uint32_t)max + 1);
    for (size_t i = 0; i < l->n; i++) {
        struct gen_spec *s = &l->spec[i];
        if (i > 0 && gen_chance(g, 1, 8)) {
            strcpy(s->canon, l->spec[gen_below(g, (uint32_t)i)].canon); /* a duplicate */
        } else if (share && share->n && gen_chance(g, 1, 3)) {
            strcpy(s->canon, share->spec[gen_below(g, (uint32_t)share->n)].canon);
        } else {
            gen_spec_canon(g, gp, s->canon);
        }
        gen_spec_text(g, s->canon, s->text);
    }
}

/* A unique AWS-style name: a varied prefix (never all digits) and the index. */
GEN_FN void gen_aws_name(struct gen_src *g, const char *const *prefixes, size_t n_prefixes,
                         size_t index, char *out)
{
    snprintf(out, 65, "%s%zu", prefixes[gen_below(g, (uint32_t)n_prefixes)], index);
    if (gen_chance(g, 1, 10)) { /* the longest name AWS accepts */
        size_t l = strlen(out);
        while (l < 64)
            out[l++] = 'x';
        out[64] = '\0';
    }
}

static const struct {
    const char *name;
    uint16_t type;
} gen_aws_qtypes[] = {{"A", 1},    {"AAAA", 28},  {"CAA", 257}, {"CNAME", 5}, {"DS", 43},
                      {"MX", 15},  {"NAPTR", 35}, {"NS", 2},    {"PTR", 12},  {"SOA", 6},
                      {"SPF", 99}, {"SRV", 33},   {"TXT", 16}};
#define GEN_N_QTYPES (sizeof gen_aws_qtypes / sizeof gen_aws_qtypes[0])

/* A rule's qtype: AWS mnemonic in any case, or TYPEn (TYPE28 is AAAA). */
GEN_FN void gen_rule_qtype(struct gen_src *g, struct gen_rule *r)
{
    r->qtype = 0;
    r->qtype_text[0] = '\0';
    if (!gen_chance(g, 2, 5))
        return;
    uint32_t k = gen_below(g, 10);
    if (k < 6) {
        size_t i = gen_below(g, GEN_N_QTYPES);
        r->qtype = gen_aws_qtypes[i].type;
        snprintf(r->qtype_text, sizeof r->qtype_text, "%s", gen_aws_qtypes[i].name);
        uint32_t c = gen_below(g, 3); /* upper, lower or mixed case */
        for (char *p = r->qtype_text; c && *p; p++)
            if (c == 1 || gen_chance(g, 1, 2))
                *p = (char)(*p - 'A' + 'a');
    } else {
        static const uint16_t odd[] = {28, 1, 65, 65534, 255, 16, 64, 4096};
        r->qtype = k < 9 ? odd[gen_below(g, sizeof odd / sizeof odd[0])]
                         : (uint16_t)gen_range(g, 1, 65534);
        snprintf(r->qtype_text, sizeof r->qtype_text, "%s%u", gen_chance(g, 1, 4) ? "type" : "TYPE",
                 r->qtype);
    }
}

static const char *const gen_override_domains[] = {"sinkhole.example.", "Walled-Garden.example",
                                                   "x.", "blocked.invalid"};

GEN_FN void gen_override(struct gen_src *g, char *domain, uint32_t *ttl, bool *ttl_present)
{
    strcpy(domain, gen_override_domains[gen_below(g, 4)]);
    *ttl_present = gen_chance(g, 2, 3);
    static const uint32_t ttls[] = {0, 1, 60, 300, 604800};
    *ttl = !*ttl_present         ? 0
           : gen_chance(g, 1, 2) ? ttls[gen_below(g, 5)]
                                 : gen_range(g, 0, 604800);
}

/* A value in [lo, hi] not in used[0..n), found by probing upwards from a random pick. */
GEN_FN uint32_t gen_unique(struct gen_src *g, const uint32_t *used, size_t n, uint32_t lo,
                           uint32_t hi, const uint32_t *favourites, size_t n_fav)
{
    uint32_t v = gen_chance(g, 1, 3)   ? favourites[gen_below(g, (uint32_t)n_fav)]
                 : gen_chance(g, 1, 2) ? gen_range(g, lo, lo + 20)
                                       : gen_range(g, lo, hi);
    for (;;) {
        bool taken = false;
        for (size_t i = 0; i < n && !taken; i++)
            taken = used[i] == v;
        if (!taken)
            return v;
        v = v == hi ? lo : v + 1;
    }
}

GEN_FN void gen_zones(struct gen_src *g, struct gen_policy *gp)
{
    char label[64];
    gp->n_zones = gen_range(g, 1, GEN_MAX_ZONES);
    for (size_t z = 0; z < gp->n_zones; z++) {
        gp->zone[z][0] = '\0';
        for (uint32_t d = gen_range(g, 1, 3); d > 0; d--) {
            gen_label(g, label);
            gen_prepend(gp->zone[z], label, 120);
        }
        if (z > 0 && gen_chance(g, 1, 3)) { /* nest zones: "x.example.com" below "example.com" */
            char sub[128];
            gen_label(g, label);
            snprintf(sub, sizeof sub, "%s", gp->zone[gen_below(g, (uint32_t)z)]);
            gen_prepend(sub, label, 120);
            strcpy(gp->zone[z], sub);
        }
    }
}

GEN_FN void gen_general(struct gen_src *g, struct gen_policy *gp)
{
    static const char *const list_prefixes[] = {"L", "allow list ", "block_", "my-list'", "Z"};
    static const char *const group_prefixes[] = {"g", "Group ", "rule_group-", "o'g", "G_"};
    static const char *const rule_names[] = {"allow", "block-all", "r", "Rule 1", "x_y'z", "0a"};
    static const uint32_t group_fav[] = {1, 10000, 100, 101, 1000, 9999};
    static const uint32_t rule_fav[] = {1, 2147483647, 2147483646, 100, 200, 300};

    gp->n_lists = gen_below(g, GEN_MAX_LISTS + 1);
    for (size_t l = 0; l < gp->n_lists; l++) {
        gen_aws_name(g, list_prefixes, 5, l, gp->list[l].name);
        gen_fill_list(g, gp, &gp->list[l], GEN_MAX_SPECS,
                      l ? &gp->list[gen_below(g, (uint32_t)l)] : NULL);
    }
    gp->n_groups = gen_below(g, GEN_MAX_GROUPS + 1);
    uint32_t gprio[GEN_MAX_GROUPS];
    for (size_t i = 0; i < gp->n_groups; i++) {
        struct gen_group *gr = &gp->group[i];
        gen_aws_name(g, group_prefixes, 5, i, gr->name);
        gr->priority = gprio[i] = gen_unique(g, gprio, i, 1, 10000, group_fav, 6);
        gr->n = gp->n_lists ? gen_below(g, GEN_MAX_RULES + 1) : 0;
        uint32_t rprio[GEN_MAX_RULES];
        for (size_t j = 0; j < gr->n; j++) {
            struct gen_rule *r = &gr->rule[j];
            memset(r, 0, sizeof *r);
            snprintf(r->name, sizeof r->name, "%s", rule_names[gen_below(g, 6)]);
            r->priority = rprio[j] = gen_unique(g, rprio, j, 1, 2147483647u, rule_fav, 6);
            r->action = (dnsfw_action)gen_range(g, DNSFW_ACTION_ALLOW, DNSFW_ACTION_BLOCK);
            r->list = gen_below(g, (uint32_t)gp->n_lists);
            gen_rule_qtype(g, r);
            uint32_t red = gen_below(g, 20);
            r->redirection = red < 11   ? -1
                             : red < 14 ? DNSFW_REDIRECTION_INSPECT
                                        : DNSFW_REDIRECTION_TRUST;
            r->response = DNSFW_RESPONSE_NONE;
            if (r->action == DNSFW_ACTION_BLOCK) {
                r->response = (dnsfw_block_response)gen_range(g, DNSFW_RESPONSE_NODATA,
                                                              DNSFW_RESPONSE_OVERRIDE);
                if (r->response == DNSFW_RESPONSE_OVERRIDE)
                    gen_override(g, r->override_domain, &r->ttl, &r->ttl_present);
            }
        }
    }
}

GEN_FN void gen_tiered(struct gen_src *g, struct gen_policy *gp)
{
    gp->mode = (int)gen_below(g, 3) - 1;
    gp->response = (int)gen_below(g, 4) - 1;
    if (gp->response == 0)
        gp->response = -1;
    if (gp->response == DNSFW_RESPONSE_OVERRIDE)
        gen_override(g, gp->override_domain, &gp->ttl, &gp->ttl_present);
    uint32_t b = gen_below(g, 8);
    gp->baseline.absent = b < 2;
    if (b == 2)
        gp->baseline.n = 0; /* "baseline": [] */
    else if (!gp->baseline.absent)
        gen_fill_list(g, gp, &gp->baseline, 8, NULL);
    gp->n_scopes = gen_below(g, GEN_MAX_SCOPES + 1);
    gp->blueprints_absent = gp->n_scopes == 0 && gen_chance(g, 1, 2);
    static const char *const repo_prefix[] = {"org/repo-", "Org/Repo.", "a/", "team/x_"};
    for (size_t s = 0; s < gp->n_scopes; s++) {
        snprintf(gp->repo[s], sizeof gp->repo[s], "%s%zu", repo_prefix[gen_below(g, 4)], s);
        struct gen_list *l = &gp->allow[s];
        uint32_t k = gen_below(g, 10);
        l->absent = k == 0;
        if (k > 1)
            gen_fill_list(g, gp, l, 6, s ? &gp->allow[gen_below(g, (uint32_t)s)] : NULL);
    }
}

/* A whole random policy of the given form. */
GEN_FN void gen_policy(struct gen_src *g, struct gen_policy *gp, bool tiered)
{
    memset(gp, 0, sizeof *gp);
    gp->tiered = tiered;
    gp->fail_open = (int)gen_below(g, 3) - 1;
    gen_zones(g, gp);
    if (tiered)
        gen_tiered(g, gp);
    else
        gen_general(g, gp);
}

/* --- JSON ----------------------------------------------------------------------------- */

GEN_FN void gen_json_specs(struct gen_buf *b, const struct gen_list *l)
{
    gb_puts(b, "[");
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            gb_puts(b, ", ");
        gb_json_str(b, l->spec[i].text);
    }
    gb_puts(b, "]");
}

GEN_FN void gen_json_override(struct gen_buf *b, const char *domain, uint32_t ttl, bool ttl_present)
{
    gb_puts(b, ", \"block_override\": {\"domain\": ");
    gb_json_str(b, domain);
    if (ttl_present)
        gb_printf(b, ", \"ttl\": %u", ttl);
    gb_puts(b, "}");
}

GEN_FN void gen_json(const struct gen_policy *gp, struct gen_buf *b)
{
    static const char *const responses[] = {"", "NODATA", "NXDOMAIN", "OVERRIDE"};
    gb_puts(b, "{\"dnsfw\": 1");
    if (gp->fail_open >= 0)
        gb_printf(b, ", \"fail_open\": %s", gp->fail_open ? "true" : "false");
    if (gp->tiered) {
        if (gp->mode >= 0)
            gb_printf(b, ", \"mode\": \"%s\"",
                      gp->mode == DNSFW_MODE_ENFORCE ? "enforce" : "observe");
        if (gp->response > 0)
            gb_printf(b, ", \"block_response\": \"%s\"", responses[gp->response]);
        if (gp->response == DNSFW_RESPONSE_OVERRIDE)
            gen_json_override(b, gp->override_domain, gp->ttl, gp->ttl_present);
        if (!gp->baseline.absent) {
            gb_puts(b, ",\n \"baseline\": ");
            gen_json_specs(b, &gp->baseline);
        }
        if (!gp->blueprints_absent) {
            gb_puts(b, ",\n \"blueprints\": [");
            for (size_t s = 0; s < gp->n_scopes; s++) {
                gb_puts(b, s ? ",\n  {\"repo\": " : "\n  {\"repo\": ");
                gb_json_str(b, gp->repo[s]);
                if (!gp->allow[s].absent) {
                    gb_puts(b, ", \"egress_allowlist\": ");
                    gen_json_specs(b, &gp->allow[s]);
                }
                gb_puts(b, "}");
            }
            gb_puts(b, "]");
        }
        gb_puts(b, "}\n");
        return;
    }
    gb_puts(b, ",\n \"domain_lists\": {");
    for (size_t l = 0; l < gp->n_lists; l++) {
        gb_puts(b, l ? ",\n  " : "\n  ");
        gb_json_str(b, gp->list[l].name);
        gb_puts(b, ": ");
        gen_json_specs(b, &gp->list[l]);
    }
    gb_puts(b, "},\n \"rule_groups\": [");
    for (size_t i = 0; i < gp->n_groups; i++) {
        const struct gen_group *gr = &gp->group[i];
        gb_puts(b, i ? ",\n  {\"name\": " : "\n  {\"name\": ");
        gb_json_str(b, gr->name);
        gb_printf(b, ", \"priority\": %u, \"rules\": [", gr->priority);
        for (size_t j = 0; j < gr->n; j++) {
            const struct gen_rule *r = &gr->rule[j];
            gb_puts(b, j ? ",\n    {\"name\": " : "\n    {\"name\": ");
            gb_json_str(b, r->name);
            gb_printf(b, ", \"priority\": %u, \"action\": \"%s\", \"domain_list\": ", r->priority,
                      dnsfw_action_name(r->action));
            gb_json_str(b, gp->list[r->list].name);
            if (r->qtype) {
                gb_puts(b, ", \"qtype\": ");
                gb_json_str(b, r->qtype_text);
            }
            if (r->redirection >= 0)
                gb_printf(b, ", \"redirection\": \"%s\"",
                          dnsfw_redirection_name((dnsfw_redirection)r->redirection));
            if (r->response)
                gb_printf(b, ", \"block_response\": \"%s\"", responses[r->response]);
            if (r->response == DNSFW_RESPONSE_OVERRIDE)
                gen_json_override(b, r->override_domain, r->ttl, r->ttl_present);
            gb_puts(b, "}");
        }
        gb_puts(b, "]}");
    }
    gb_puts(b, "]}\n");
}

/* --- query names ------------------------------------------------------------------- */

#define GEN_NAME_LABELS 140

/* A name as labels of raw octets, before it is written in presentation form. */
struct gen_name {
    size_t n;
    size_t len[GEN_NAME_LABELS];
    uint8_t o[GEN_NAME_LABELS][72];
};

GEN_FN void gn_set(struct gen_name *nm, const char *dotted)
{
    nm->n = 0;
    if (!*dotted)
        return;
    nm->len[0] = 0;
    for (const char *p = dotted; *p && nm->n < GEN_NAME_LABELS; p++) {
        if (*p == '.') {
            nm->n++;
            if (nm->n < GEN_NAME_LABELS)
                nm->len[nm->n] = 0;
        } else if (nm->len[nm->n] < 70) {
            nm->o[nm->n][nm->len[nm->n]++] = (uint8_t)*p;
        }
    }
    if (nm->n < GEN_NAME_LABELS)
        nm->n++;
}

GEN_FN void gn_prepend(struct gen_name *nm, const uint8_t *o, size_t len)
{
    if (nm->n >= GEN_NAME_LABELS || len > 70)
        return;
    memmove(&nm->len[1], &nm->len[0], nm->n * sizeof nm->len[0]);
    memmove(&nm->o[1], &nm->o[0], nm->n * sizeof nm->o[0]);
    nm->len[0] = len;
    memcpy(nm->o[0], o, len);
    nm->n++;
}

GEN_FN void gn_drop_first(struct gen_name *nm)
{
    if (nm->n == 0)
        return;
    memmove(&nm->len[0], &nm->len[1], (nm->n - 1) * sizeof nm->len[0]);
    memmove(&nm->o[0], &nm->o[1], (nm->n - 1) * sizeof nm->o[0]);
    nm->n--;
}

GEN_FN size_t gn_wire(const struct gen_name *nm)
{
    size_t w = 1;
    for (size_t i = 0; i < nm->n; i++)
        w += 1 + nm->len[i];
    return w;
}

GEN_FN void gn_random_label(struct gen_src *g, struct gen_name *nm)
{
    char label[64];
    gen_label(g, label);
    gn_prepend(nm, (const uint8_t *)label, strlen(label));
}

/* Pick a canonical name the policy talks about (a spec's name, a zone, a baseline name). */
GEN_FN void gen_pick_base(struct gen_src *g, const struct gen_policy *gp, char *out)
{
    const struct gen_list *lists[GEN_MAX_LISTS + GEN_MAX_SCOPES + 1];
    size_t n = 0;
    if (gp->tiered) {
        if (!gp->baseline.absent)
            lists[n++] = &gp->baseline;
        for (size_t s = 0; s < gp->n_scopes; s++)
            lists[n++] = &gp->allow[s];
    } else {
        for (size_t l = 0; l < gp->n_lists; l++)
            lists[n++] = &gp->list[l];
    }
    uint32_t k = gen_below(g, 10);
    const char *spec = NULL;
    if (k < 7 && n > 0) {
        const struct gen_list *l = lists[gen_below(g, (uint32_t)n)];
        if (l->n)
            spec = l->spec[gen_below(g, (uint32_t)l->n)].canon;
    } else if (k == 7 && gp->tiered) {
        spec = gen_chance(g, 1, 3) ? "placeholder.invalid" : gen_default_baseline[gen_below(g, 9)];
    }
    if (!spec || strcmp(spec, "*") == 0)
        spec = gp->zone[gen_below(g, (uint32_t)gp->n_zones)];
    if (spec[0] == '*' && spec[1] == '.')
        spec += 2; /* the apex; "below" adds labels */
    snprintf(out, DNSFW_SPEC_MAX + 1, "%s", spec);
}

static const char *const gen_malformed[] = {
    "",       "..",   "a..b", ".a", "a.\\",  "\\25",  "\\256.a",
    "\\1x.a", "a\\0", "...",  "\\", "a.b..", "\\999", "x.\\12",
};

/* Write the octets of nm in presentation form, escaping some of them. */
GEN_FN size_t gen_render(struct gen_src *g, const struct gen_name *nm, char *out, size_t size)
{
    size_t o = 0;
    uint32_t esc = gen_chance(g, 1, 4) ? gen_range(g, 1, 6) : 0; /* escape 1 in esc octets */
    if (nm->n == 0) {
        out[0] = '.';
        out[1] = '\0';
        return 1;
    }
    for (size_t i = 0; i < nm->n; i++) {
        for (size_t j = 0; j < nm->len[i] && o + 8 < size; j++) {
            uint8_t c = nm->o[i][j];
            bool must = c == '.' || c == '\\';
            bool want = esc && gen_below(g, esc) == 0;
            if (!must && !want) {
                out[o++] = (char)c;
            } else if (c >= '0' && c <= '9') {
                o += (size_t)snprintf(out + o, size - o, "\\%03u", c); /* "\5" would be \DDD */
            } else if (c >= 0x21 && c <= 0x7e && gen_chance(g, 1, 2)) {
                out[o++] = '\\';
                out[o++] = (char)c;
            } else {
                uint8_t v = c;
                if (c >= 'a' && c <= 'z' && gen_chance(g, 1, 2))
                    v = (uint8_t)(c - 'a' + 'A'); /* \065 for an 'a' is still an 'a' */
                o += (size_t)snprintf(out + o, size - o, "\\%03u", v);
            }
        }
        if (o + 2 < size && (i + 1 < nm->n || gen_chance(g, 1, 3)))
            out[o++] = '.';
    }
    out[o] = '\0';
    return o;
}

/* Random octets with many dots, backslashes and digits: the name parser's corners. */
GEN_FN size_t gen_garbage(struct gen_src *g, char *out, size_t size)
{
    static const char alphabet[] = "..\\\\0129aAz-_ \x80\xff";
    size_t n = gen_below(g, 25);
    if (n + 1 > size)
        n = size - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = gen_chance(g, 1, 10) ? (char)gen_below(g, 256)
                                      : alphabet[gen_below(g, sizeof alphabet - 1)];
    out[n] = '\0';
    return n;
}

/*
 * A query name in presentation form aimed at the policy. out needs at least 2048 bytes
 * (escapes expand); returns the length (the name may contain NUL octets).
 */
GEN_FN size_t gen_name(struct gen_src *g, const struct gen_policy *gp, char *out, size_t size)
{
    static struct gen_name nm; /* large; the test is single-threaded per process */
    uint32_t kind = gen_below(g, 100);
    if (kind < 3) {
        const char *s = gen_malformed[gen_below(g, sizeof gen_malformed / sizeof *gen_malformed)];
        snprintf(out, size, "%s", s);
        return strlen(out);
    }
    if (kind < 6)
        return gen_garbage(g, out, size);

    char base[DNSFW_SPEC_MAX + 1];
    if (kind < 8)
        base[0] = '\0'; /* the root, or a name made of random labels */
    else
        gen_pick_base(g, gp, base);
    gn_set(&nm, base);

    uint32_t shape = gen_below(g, 12);
    if (shape >= 3 && shape <= 5) { /* below: depth 1-4 */
        for (uint32_t d = gen_range(g, 1, 4); d > 0; d--)
            gn_random_label(g, &nm);
    } else if (shape == 6 && nm.n > 0) { /* sibling */
        gn_drop_first(&nm);
        gn_random_label(g, &nm);
    } else if (shape == 7 && nm.n > 0) { /* parent */
        gn_drop_first(&nm);
    } else if (shape == 8) { /* at the length limit: 254..257 wire octets */
        size_t target = gen_range(g, 253, 258), w = gn_wire(&nm);
        while (w < target && nm.n < GEN_NAME_LABELS) {
            size_t r = target - w, l = r - 1 > 63 ? 63 : r - 1;
            if (l == 0)
                break;
            if (r - (l + 1) == 1 && l > 1)
                l--; /* leave room for one more label */
            uint8_t lab[63];
            for (size_t i = 0; i < l; i++)
                lab[i] = (uint8_t)gen_ldh[gen_below(g, 26)];
            gn_prepend(&nm, lab, l);
            w = gn_wire(&nm);
        }
    } else if (shape == 9 && kind < 8 && gen_chance(g, 1, 2)) {
        /* the root: nothing to add */
    } else if (shape >= 9 && nm.n == 0) {
        for (uint32_t d = gen_range(g, 1, 3); d > 0; d--)
            gn_random_label(g, &nm);
    }

    /* Octet-level changes: case, underscores, non-ASCII, a label with a dot inside. */
    if (gen_chance(g, 1, 4))
        for (size_t i = 0; i < nm.n; i++)
            for (size_t j = 0; j < nm.len[i]; j++)
                if (nm.o[i][j] >= 'a' && nm.o[i][j] <= 'z' && gen_chance(g, 1, 2))
                    nm.o[i][j] = (uint8_t)(nm.o[i][j] - 'a' + 'A');
    if (gen_chance(g, 1, 10)) {
        static const char *const u[] = {"_dmarc", "_tcp", "_", "a_b"};
        const char *s = u[gen_below(g, 4)];
        gn_prepend(&nm, (const uint8_t *)s, strlen(s));
    }
    if (gen_chance(g, 1, 10) && nm.n > 0) {
        size_t i = gen_below(g, (uint32_t)nm.n);
        if (nm.len[i] < 70) {
            size_t at = gen_below(g, (uint32_t)nm.len[i] + 1);
            memmove(&nm.o[i][at + 1], &nm.o[i][at], nm.len[i] - at);
            uint32_t k = gen_below(g, 4);
            nm.o[i][at] = k == 0   ? (uint8_t)gen_below(g, 0x21)
                          : k == 1 ? 0x7f
                                   : (uint8_t)gen_range(g, 0x80, 0xff);
            nm.len[i]++;
        }
    }
    if (gen_chance(g, 1, 12) && nm.n >= 2) { /* "a\.b": one label holding a dot */
        size_t i = gen_below(g, (uint32_t)nm.n - 1);
        if (nm.len[i] + 1 + nm.len[i + 1] <= 70) {
            nm.o[i][nm.len[i]] = '.';
            memcpy(&nm.o[i][nm.len[i] + 1], nm.o[i + 1], nm.len[i + 1]);
            nm.len[i] += 1 + nm.len[i + 1];
            memmove(&nm.len[i + 1], &nm.len[i + 2], (nm.n - i - 2) * sizeof nm.len[0]);
            memmove(&nm.o[i + 1], &nm.o[i + 2], (nm.n - i - 2) * sizeof nm.o[0]);
            nm.n--;
        }
    }
    if (gen_chance(g, 1, 30) && nm.n > 0) { /* a label of 63 or 64 octets */
        size_t i = gen_below(g, (uint32_t)nm.n);
        size_t l = gen_range(g, 63, 64);
        while (nm.len[i] < l)
            nm.o[i][nm.len[i]++] = 'q';
        nm.len[i] = l;
    }
    if (gen_chance(g, 1, 60)) { /* too many labels */
        while (nm.n < 130)
            gn_prepend(&nm, (const uint8_t *)"a", 1);
    }
    return gen_render(g, &nm, out, size);
}

/* A query type, often one that a rule of the policy asks for. */
GEN_FN uint16_t gen_query_type(struct gen_src *g, const struct gen_policy *gp)
{
    static const uint16_t common[] = {1, 1, 1, 28, 28, 15, 16, 5, 65, 255, 65534, 0, 2, 12, 257};
    if (!gp->tiered && gen_chance(g, 1, 2)) {
        for (size_t i = 0; i < gp->n_groups; i++)
            for (size_t j = 0; j < gp->group[i].n; j++)
                if (gp->group[i].rule[j].qtype && gen_chance(g, 1, 3))
                    return gp->group[i].rule[j].qtype;
    }
    return common[gen_below(g, sizeof common / sizeof common[0])];
}

#endif
