/*
 * A deliberately naive reference evaluator for libdnsfw, used by the model-based tests
 * (tests/model/test_differential.c) and the differential fuzz target
 * (fuzz/fuzz_differential.c).
 *
 * It shares no code with the library's name parser, spec parser, trie or hashes: it
 * parses query names itself, splits every stored spec into labels itself, and decides a
 * query by brute force — every rule in evaluation order, every spec of the rule's list.
 * It reads the policy through the internal struct (lib/policy.h) only because the
 * tiered form's per-blueprint lists are not public. Correctness over speed throughout.
 *
 * Semantics (docs/matching.md, /work/brief.md "Semantics decided so far"):
 *   - "name" matches exactly that name; "*.suffix" every name strictly below suffix;
 *     "*" every name, the root included. ASCII letters compare case-insensitively,
 *     every other octet as it is.
 *   - groups by ascending priority, rules by ascending priority; a rule with a qtype only
 *     sees queries of that type; the first match wins; no match is NONE.
 *   - the entry reported is the most specific one of the winning rule's list that
 *     matches: exact > deepest "*.suffix" > "*".
 *   - tiered form with a scope: the tiered group's rule 200 looks at the scope's own
 *     list instead of the union list.
 *   - redirection chains as dnsfw_eval_chain() documents them.
 */
#ifndef DNSFW_TEST_REFERENCE_H
#define DNSFW_TEST_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsfw/dnsfw.h"

/* Name errors, as a set: a malformed name may have several defects at once, and which
 * one a left-to-right parser meets first is not part of the semantics. */
#define REF_ERR_EMPTYLABEL 1u /* DNSFW_EEMPTYLABEL */
#define REF_ERR_LABELLEN   2u /* DNSFW_ELABELLEN */
#define REF_ERR_NAMELEN    4u /* DNSFW_ENAMELEN */
#define REF_ERR_ESCAPE     8u /* DNSFW_EESCAPE */

/* 255 wire octets hold at most 127 labels; one more slot lets an overlong name be seen. */
#define REF_LABELS_MAX 128

/* A parsed query name: labels left to right, decoded, as written and lower-cased. */
struct ref_name {
    size_t n;                        /* labels, the root excluded */
    size_t len[REF_LABELS_MAX];      /* octets of each label */
    uint8_t raw[REF_LABELS_MAX][63]; /* as written (escapes decoded) */
    uint8_t low[REF_LABELS_MAX][63]; /* ASCII letters lower-cased */
};

/*
 * Parse a presentation-form name. Returns 0 and fills *out, or the set of defects
 * (REF_ERR_*) found before parsing had to stop (it stops at a malformed escape).
 */
unsigned ref_name_parse(const char *text, size_t len, struct ref_name *out);

/* Whether status is the library's code for one of the defects in errs. */
bool ref_status_allowed(unsigned errs, int status);

/* A policy prepared for brute-force evaluation: rules in evaluation order, specs split
 * into labels. It keeps pointers into the policy, which must outlive it. */
struct ref_policy;

struct ref_policy *ref_policy_new(const dnsfw_policy *policy);
void ref_policy_free(struct ref_policy *rp);

/* The reference's decision for one query, in the words dnsfw_explain() uses. */
struct ref_verdict {
    dnsfw_action action;                 /* NONE when no rule matched */
    dnsfw_block_response block_response; /* set when BLOCK */
    uint32_t rule;                       /* index in evaluation order, or DNSFW_NONE */
    uint32_t list;                       /* policy list index looked at, or DNSFW_NONE */
    const char *group_name;
    uint32_t group_priority;
    const char *rule_name;
    uint32_t rule_priority;
    const char *list_name;
    uint16_t qtype;
    dnsfw_redirection redirection;
    const char *override_domain;
    uint32_t override_ttl;
    dnsfw_entry_kind entry_kind;
    const char *entry; /* the spec as stored in the list; "" when none */
    uint32_t hop;      /* 0: the query name decided; i: chain[i-1] */
};

/* Evaluate one name. Returns 0, or the defect set of a malformed name. */
unsigned ref_eval(const struct ref_policy *rp, const char *name, size_t len, uint16_t qtype,
                  uint32_t scope, struct ref_verdict *v);

/* Evaluate a name and its redirection chain. On a malformed name returns its defect set
 * and *bad_hop = 0 (the query name) or the 1-based index of the hop. */
unsigned ref_eval_chain(const struct ref_policy *rp, const char *qname, size_t qname_len,
                        const char *const *chain, const size_t *chain_len, size_t n_chain,
                        uint16_t qtype, uint32_t scope, struct ref_verdict *v, size_t *bad_hop);

/* One query for ref_compare(). */
struct ref_query {
    const char *name;
    size_t len;
    const char *const *chain;
    const size_t *chain_len;
    size_t n_chain;
    uint16_t qtype;
    uint32_t scope;
};

/*
 * Evaluate q with the reference and with the matcher (dnsfw_eval, dnsfw_eval_batch of
 * one query, dnsfw_eval_wire for well-formed names, dnsfw_eval_chain, dnsfw_explain) and compare
 * everything: status, action, block response, rule, list, entry, hop and every explanation field.
 * Returns true when they agree; otherwise writes the first difference into why.
 */
bool ref_compare(const struct ref_policy *rp, const dnsfw_matcher *m, const struct ref_query *q,
                 char *why, size_t why_size);

/* Printable form of a name for failure reports: C-style escapes for odd octets. */
void ref_quote(const char *s, size_t len, char *out, size_t size);

#endif
