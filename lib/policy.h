/* The policy object: Route 53's model (lists, groups, rules) plus the tiered form's extras. */
#ifndef DNSFW_POLICY_H
#define DNSFW_POLICY_H

#include "strtab.h"

/* Where an AWS-managed list lives in one Region ("*": the same id everywhere). */
struct managed_id {
    char *region;
    char *id;
};

/* Where something was written: a file of the policy (index into files, + 1; 0 = not
 * known: built in, or added through the API), a 1-based line and byte column. */
struct where {
    uint32_t file, line, column;
};

/*
 * One time a spec was written into a list, repeats included, in the order loaded: which
 * spec it became, where, as written (NULL when that is the normal form), and what brought
 * it: a preset (index + 1, 0 = none) and, in the tiered form, a blueprint (scope + 1).
 */
struct spec_origin {
    size_t spec;
    struct where where;
    char *written;
    uint32_t preset;
    uint32_t scope;
};

struct spec_list {
    char *name;
    struct strtab specs;         /* normalised, each once, in insertion order */
    bool hidden;                 /* a blueprint's own list: used by scopes, never deployed */
    bool placeholder;            /* holds only the placeholder dnsfw__tiered_finish() put there */
    struct spec_origin *origins; /* only the JSON loader records them */
    size_t n_origins, cap_origins;
    uint32_t *presets; /* presets applied to the list (indexes), in order */
    size_t n_presets, cap_presets;
    struct where where; /* where the list is defined */
    /* AWS-managed (AWSManagedDomains...): the contents are AWS's; specs, if any, are a
     * local stand-in for evaluation */
    bool managed;
    char *managed_name; /* NULL when not known */
    struct managed_id *ids;
    size_t n_ids;
};

struct rule {
    char *name; /* NULL in the tiered form */
    uint32_t priority;
    dnsfw_action action;
    uint32_t list;
    uint16_t qtype;
    dnsfw_redirection redirection;
    dnsfw_block_response block_response;
    char *override_domain;
    uint32_t override_ttl;
    dnsfw_threat threat; /* an Advanced rule: list is DNSFW_NONE */
    dnsfw_confidence confidence;
    struct where where;
};

struct group {
    char *name;
    uint32_t priority;
    struct rule *rules; /* kept sorted by priority */
    size_t n_rules, cap_rules;
    struct where where;
};

struct scope {
    char *repo;
    uint32_t list; /* the blueprint's own list (hidden) */
};

/* The tiered form (contract §1.1): lists 0..2 and one group with rules 100/200/300. */
struct tiered {
    dnsfw_mode mode;
    dnsfw_block_response enforce_response;
    char *override_domain; /* with OVERRIDE */
    uint32_t override_ttl;
    bool default_baseline; /* "baseline" absent: written back absent */
};

enum { TIER_BASELINE_LIST = 0, TIER_UNION_LIST = 1, TIER_CATCHALL_LIST = 2 };

#define TIER_PLACEHOLDER "placeholder.invalid"

struct dnsfw_policy {
    struct spec_list *lists;
    size_t n_lists, cap_lists;
    struct group *groups;
    size_t n_groups, cap_groups;
    struct scope *scopes;
    size_t n_scopes, cap_scopes;
    int fail_open;
    bool is_tiered;
    struct tiered tier;
    char **files; /* the files struct where refers to: the policy, list files */
    size_t n_files;
};

/* A list or group name AWS accepts: 1-64 of [A-Za-z0-9-_ '], not all digits. */
DNSFW_HIDDEN bool dnsfw__aws_name_ok(const char *name);

/* Add a list without the name check (hidden lists share the union list's name). */
DNSFW_HIDDEN int dnsfw__policy_add_list_raw(dnsfw_policy *p, const char *name, bool hidden,
                                            uint32_t *list);

/* Add an already normalised spec (internal callers that copy from another list). */
DNSFW_HIDDEN int dnsfw__policy_add_normalized(dnsfw_policy *p, uint32_t list, const char *spec,
                                              size_t len);

/* dnsfw_policy_add_spec() for any list of any form; *pos (may be NULL) gets the spec's
 * index in the list. */
DNSFW_HIDDEN int dnsfw__policy_add_spec(dnsfw_policy *p, uint32_t list, const char *spec,
                                        size_t len, const char **reason, size_t *pos);

/* Record that spec number pos of list was written as text (len bytes) at where, brought by
 * preset (+ 1, 0 = none) and blueprint scope (+ 1, 0 = none). */
DNSFW_HIDDEN int dnsfw__policy_note_origin(dnsfw_policy *p, uint32_t list, size_t pos,
                                           const char *text, size_t len, struct where where,
                                           uint32_t preset, uint32_t scope);

/* The number (+ 1) of file name in p->files, added when new; 0 when out of memory. */
DNSFW_HIDDEN uint32_t dnsfw__policy_file(dnsfw_policy *p, const char *name);

/* Validate a rule definition; *reason explains a DNSFW_ESCHEMA. */
DNSFW_HIDDEN int dnsfw__rule_check(const dnsfw_policy *p, const dnsfw_rule_def *def,
                                   const char **reason);

/* Build the tiered form's lists and rule group; the caller then fills the lists. */
DNSFW_HIDDEN int dnsfw__tiered_init(dnsfw_policy *p);
/* Add a blueprint (scope) with its own hidden list; DNSFW_EDUPLICATE for a repeated repo. */
DNSFW_HIDDEN int dnsfw__tiered_add_scope(dnsfw_policy *p, const char *repo, uint32_t *list);
/* Add one egress_allowlist entry to a blueprint's list and to the union list; *pos
 * (may be NULL) gets its index in the blueprint's list, *union_pos in the union list. */
DNSFW_HIDDEN int dnsfw__tiered_add_allow(dnsfw_policy *p, uint32_t list, const char *spec,
                                         size_t len, const char **reason, size_t *pos,
                                         size_t *union_pos);
/* After every list is filled: the placeholder entries, the catch-all rule for the mode. */
DNSFW_HIDDEN int dnsfw__tiered_finish(dnsfw_policy *p);

/* The query type mnemonics AWS accepts in a rule (NULL-terminated); others are TYPEn. */
DNSFW_HIDDEN extern const char *const dnsfw__aws_qtypes[];

DNSFW_HIDDEN extern const char *const dnsfw__default_baseline[];
DNSFW_HIDDEN extern const size_t dnsfw__default_baseline_len;

#endif
