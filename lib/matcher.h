/* The compiled matcher: the trie plus the rules in evaluation order. Immutable. */
#ifndef DNSFW_MATCHER_H
#define DNSFW_MATCHER_H

#include "strtab.h"
#include "trie.h"

struct m_rule {
    uint32_t group; /* index into groups */
    char *name;
    uint32_t priority;
    dnsfw_action action;
    dnsfw_block_response response;
    dnsfw_redirection redirection;
    uint16_t qtype;
    uint32_t list;
    char *override_domain;
    uint32_t override_ttl;
    dnsfw_threat threat; /* an Advanced rule: list is DNSFW_NONE, the trie never offers it */
    dnsfw_confidence confidence;
};

struct m_group {
    char *name;
    uint32_t priority;
};

/* The rules (by evaluation rank, ascending) that look at a list, for one scope. */
struct list_rules {
    uint32_t off;
    uint32_t n;
};

/* The entries of a list that a preset brought (their first origin), for explanations. */
struct list_presets {
    struct strtab specs;
    uint32_t *preset; /* [specs.count] preset index */
};

struct dnsfw_matcher {
    struct trie trie;
    struct m_rule *rules; /* rank order: group priority, then rule priority */
    size_t n_rules;
    struct m_group *groups;
    size_t n_groups;
    char **list_names;
    size_t n_lists;
    char **scope_names; /* scope s (1-based) is scope_names[s - 1] */
    size_t n_scopes;
    struct list_rules *list_rules; /* [(n_scopes + 1) * n_lists] */
    uint32_t *rule_refs;
    uint32_t n_threat_rules;      /* Advanced rules among rules */
    struct list_presets *presets; /* [n_lists]; empty tables for most */
    int fail_open;
};

#endif
