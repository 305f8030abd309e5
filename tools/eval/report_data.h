/* What report.c collects, shared with the parts that turn it into text (report_*.c). */
#ifndef DNSFW_TOOLS_REPORT_DATA_H
#define DNSFW_TOOLS_REPORT_DATA_H

#include <cjson/cJSON.h>
#include <libpsl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <dnsfw/dnsfw.h>

#include "report.h"

#define SET_MAX 8

/* A few distinct values (clients, query types); later ones are only noted. */
struct small_set {
    const char *v[SET_MAX]; /* owned by the report */
    uint32_t n;
    bool more;
};

/* Everything known about one distinct query name. */
struct name_stat {
    uint64_t count;
    uint64_t now[4];          /* records by action of the policy in its mode */
    uint64_t own_blocked;     /* enforce mode: blocked by the name's own verdict */
    uint64_t chain_blocked;   /* enforce mode: the name is allowed, a chain hop is not */
    char *hop;                /* the first blocking hop */
    dnsfw_verdict allowed_by; /* what allowed the name alone, for the chain fixes */
    char first[40], last[40];
    struct small_set types, clients, instances;
    struct small_set blocked_hops; /* chain names blocked on their own (suggestions) */
    const char *domain;            /* registrable domain (report_registrable), interned */
    bool registrable;              /* the name has one (not a public suffix, not one label) */
    bool icann;                    /* and it sits right below an ICANN public suffix */
    struct exfil_domain *exfil;    /* the exfiltration measures of that domain, or NULL */
    uint64_t logged_block;         /* records AWS logged as BLOCK */
    struct small_set block_lists;  /* firewall_domain_list_id of those records */
    uint64_t nxdomain;             /* records answered NXDOMAIN */
    uint64_t other_class;          /* records of a class other than IN */
    struct {                       /* the verdicts of the last record without a chain */
        bool valid;
        uint16_t qtype; /* 0 when the policy has no rule for a query type */
        dnsfw_verdict now, enforce;
    } memo;
};

/* The registrable domain of a normalised name ("a.example.co.uk." -> "example.co.uk"), or
 * the name without its dot when it has none (a public suffix, a single label). */
void report_registrable(const psl_ctx_t *psl, const char *name, char *out, size_t size);

/* A map entry with a sort weight. */
struct named {
    const char *key;
    void *value;
    uint64_t weight;
};

/* Blocked records of a name in enforce mode. */
static inline uint64_t name_blocked(const void *p)
{
    const struct name_stat *n = p;
    return n->own_blocked + n->chain_blocked;
}

struct strmap;
struct exfil;

/* What the exfiltration part of every report says of itself. */
extern const char report_exfil_note[];

/* The exfiltration heuristics' flagged domains (report_exfil.c), each with example names
 * and the domain's verdict in enforce mode; sets *oom when out of memory. */
cJSON *report_exfiltration(const struct report_options *o, const struct strmap *names,
                           const struct exfil *x, bool *oom);
/* What each DNS Firewall Advanced rule of the policy would act on, per the heuristics. */
cJSON *report_advanced(const struct report_options *o, const struct strmap *names,
                       const struct exfil *x, bool *oom);

/* Allowlist suggestions (report_suggest.c). v: every name, heaviest-blocked first.
 * Sets *oom when out of memory (the result is then incomplete). */
cJSON *report_suggestions(const struct report_options *o, const psl_ctx_t *psl,
                          const struct named *v, size_t n, bool *oom);

/* Why a blocked name is not a suggestion, or NULL when it is one: AWS logged a BLOCK of
 * it by a list that is not a catch-all, every answer was NXDOMAIN, or every query was of
 * another class than IN. */
const char *report_not_suggested(const struct report_options *o, const struct name_stat *s);

/*
 * The would-block groups for the renderers, one at a time: get(ud, i) builds group i's
 * JSON object (as --json prints it under "would_block"), which the caller deletes.
 */
struct report_groups {
    size_t n;
    cJSON *(*get)(void *ud, size_t i);
    void *ud;
};

/* Renderers for people (report_render.c): root is the report without "would_block". */
void report_render_text(const cJSON *root, const struct report_groups *groups, FILE *out);
void report_render_markdown(const cJSON *root, const struct report_groups *groups, FILE *out);
/* The sections beyond the policy (report_render_egress.c), after the others; direct: the
 * direct-IP groups one at a time (with --flow-log), or NULL. */
void report_render_egress_text(const cJSON *root, const struct report_groups *direct, FILE *out);
void report_render_egress_markdown(const cJSON *root, const struct report_groups *direct,
                                   FILE *out);

/* The renderers read the report's JSON: a member's number (0), text ("") or value. */
static inline double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static inline const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static inline const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

#endif
