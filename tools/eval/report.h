/*
 * The replay report (dnsfw-eval --log ... --report): what enforcement would break,
 * chain-caused blocks, drift between the logged and the computed action, allowlist
 * suggestions, and a per-repository split. Memory grows with the number of distinct
 * names, not with the number of records.
 */
#ifndef DNSFW_TOOLS_REPORT_H
#define DNSFW_TOOLS_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include <dnsfw/dnsfw.h>

#include "replay.h"

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_MARKDOWN };

/* A DNS Firewall Advanced rule of the policy (enforce view), for the report's
 * "advanced_rules": what the heuristics say it would act on. */
struct advanced_rule {
    const char *group;
    uint32_t group_priority;
    const char *name;
    uint32_t priority;
    dnsfw_action action;
    dnsfw_block_response response;
    dnsfw_threat threat;
    dnsfw_confidence confidence;
};

struct report_options {
    const dnsfw_matcher *matcher;    /* the policy in its mode */
    const dnsfw_matcher *enforce;    /* the policy in enforce mode */
    uint32_t scope;                  /* --scope */
    const char *scope_name;          /* --scope REPO, or NULL */
    const char *mode;                /* "observe", "enforce", or NULL for the general form */
    bool has_map;                    /* --scope-map given */
    unsigned min_count;              /* suggestions: names seen fewer times are left out */
    unsigned wildcard_min;           /* suggestions: distinct names below a parent for "*.parent" */
    bool qtype_blind;                /* no rule of the policy names a query type */
    const struct deployed *deployed; /* --deployed, or NULL */
    const struct advanced_rule *advanced; /* the policy's Advanced rules, in evaluation order */
    size_t n_advanced;
};

struct report;

int report_new(const struct report_options *opts, struct report **out);
void report_free(struct report *r);

/* Start fetching what report_find() will need for this (normalised) name: called before
 * the record is handled further, the memory access overlaps with that work. */
void report_prefetch(const struct report *r, const char *name);
/* The report's entry for a normalised name: NULL until its first record is counted. */
struct name_stat *report_find(const struct report *r, const char *name);
/* The same, created when absent (for a record about to be counted); NULL if out of memory. */
struct name_stat *report_name(struct report *r, const char *name);

/*
 * Logs repeat the same names: a name's verdicts (the policy's mode and enforce mode, the
 * query name alone, without a chain) are remembered for its last query type, and
 * recalled for the next record of that name and type without a chain, instead of being
 * evaluated again. A verdict is a function of the name, the type and the (fixed) policy
 * and scope, so this changes no result. When no rule of the policy names a query type
 * (report_options.qtype_blind), the type does not matter either.
 */
bool report_recall(const struct report *r, const struct name_stat *n, uint16_t qtype,
                   dnsfw_verdict *now, dnsfw_verdict *enforce);
void report_remember(const struct report *r, struct name_stat *n, uint16_t qtype,
                     const dnsfw_verdict *now, const dnsfw_verdict *enforce);

/* Count a record of name n (from report_name()). */
void report_add(struct report *r, struct name_stat *n, const struct record_eval *e);
void report_note_malformed(struct report *r, const dnsfw_log_location *w, const char *reason);
void report_note_not_query(struct report *r);
/* A query whose name the resolver could not print (a sign of tunnelling). */
void report_note_unprintable(struct report *r, const char *type, const char *client,
                             const char *timestamp, const dnsfw_log_location *w);
/* The shape that carried an evaluated record. */
void report_note_shape(struct report *r, dnsfw_log_shape shape);
void report_set_input(struct report *r, uint64_t files, uint64_t bytes, uint64_t outside_window,
                      uint64_t unknown_version);

struct egress;
/* With --flow-log: the join's results go into the report ("direct_ip", "egress"). */
void report_set_egress(struct report *r, struct egress *e);

/* Write the report; returns 0 or -1 (out of memory, write error). */
int report_print(struct report *r, enum report_format format, FILE *out);

#endif
