/*
 * dnsfw-lint's shared state: the policy's entries with where they were written, the
 * findings, and the checks that add to them (docs/lint.md describes every check).
 */
#ifndef DNSFW_TOOLS_LINT_H
#define DNSFW_TOOLS_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dnsfw/dnsfw.h>

enum severity { SEV_NOTE = 0, SEV_WARNING = 1, SEV_ERROR = 2 };

/* The checks, in the order docs/lint.md lists them (the SARIF rule index). */
enum check {
    CHECK_ALLOW_ALL,
    CHECK_PUBLIC_SUFFIX_WILDCARD,
    CHECK_OPEN_REGISTRATION,
    CHECK_SHADOWED,
    CHECK_REDUNDANT,
    CHECK_DUPLICATE,
    CHECK_PLATFORM_REJECTS,
    CHECK_AWS_LIMIT,
    CHECK_UNUSED,
    CHECK_NARROW,
    CHECK_CHAIN_BLOCKED,
    CHECK_EXPECT_FAILED,
    CHECK_COUNT
};

struct check_info {
    const char *id;
    enum severity severity;
    const char *summary; /* one line: what it finds */
};

extern const struct check_info lint_checks[CHECK_COUNT];

const char *severity_name(enum severity s);

/* A list of strings owned by its holder. */
struct strlist {
    char **v;
    size_t n, cap;
};

void strlist_add(struct strlist *l, const char *s);
void strlist_free(struct strlist *l);

struct finding {
    enum check check;
    enum severity severity;
    char *message;
    /* what it is about; NULL / has_rule false when not applicable */
    char *rule_group;
    bool has_rule;
    uint32_t rule_priority;
    char *rule;
    char *domain_list;
    char *entry;
    char *repo;
    char *preset;
    struct strlist names;    /* observed names */
    struct strlist suffixes; /* open-registration, public-suffix-wildcard */
    struct strlist fixes;    /* chain-blocked, narrow: what to write instead */
    /* where: file NULL when not known */
    char *file;
    uint32_t line, column;
};

struct findings {
    struct finding *v;
    size_t n, cap;
    bool oom;
};

/* A new finding with the check's default severity and a formatted message; the caller
 * fills the rest (lint_set* copy strings). Never NULL: on no memory a static sink. */
struct finding *finding_add(struct findings *f, enum check check, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void finding_set(char **field, const char *value);
void findings_sort(struct findings *f);
void findings_free(struct findings *f);

/* One time an entry was written (dnsfw_spec_origin), with its list. */
struct occurrence {
    uint32_t list;
    size_t spec;
    const char *text;    /* normalised */
    const char *written; /* as written */
    dnsfw_location where;
    const char *repo;
    const char *preset;
};

/* The rule a list is looked at by (the first, in evaluation order). */
struct list_use {
    bool used;
    bool allow; /* some ALLOW rule looks at it */
    const char *group;
    uint32_t priority;
    const char *rule;
    dnsfw_location where;
};

struct lint {
    dnsfw_policy *policy;
    dnsfw_matcher *matcher;  /* the policy in its mode (or --mode) */
    dnsfw_matcher *enforce;  /* enforce mode (== matcher when not tiered or already) */
    const char *policy_file; /* as given, "<built-in policy>" without -p */
    bool tiered;
    uint32_t scope; /* --scope, for --expect and --log */
    dnsfw_policy_info info;
    struct occurrence *occ; /* every entry of every deployed list */
    size_t n_occ;
    size_t *occ_of_list;    /* [n_lists + 1]: first occurrence of each list */
    size_t *occ_next;       /* [n_occ]: next occurrence of the same spec, or SIZE_MAX */
    struct strmap *by_spec; /* "LIST SPEC" -> first occurrence + 1 */
    struct list_use *uses;  /* [n_lists] */
    struct findings findings;
    unsigned long max_domains, max_rules;
};

/* Fill occ, occ_of_list and uses from the policy. 0, or -1 when out of memory. */
int lint_index(struct lint *l);
void lint_index_free(struct lint *l);
/* Fill a finding's rule, list and location from the first rule that looks at list. */
void lint_about_list(const struct lint *l, struct finding *f, uint32_t list);
/* ... and the entry and its origin. */
void lint_about_occurrence(const struct lint *l, struct finding *f, const struct occurrence *o);
/* The first occurrence of spec (normalised text) in list, or SIZE_MAX; the next ones
 * follow l->occ_next. */
size_t lint_find_spec(const struct lint *l, uint32_t list, const char *spec);

/* --- the checks --------------------------------------------------------------------- */

struct psl_rules;
struct strmap;

/* The public suffix list: libpsl for the classification, the same file's rules for the
 * suffixes under a name. path NULL: Debian's list. Returns 0, or prints why and -1. */
int psl_rules_load(const char *path, struct psl_rules **out);
void psl_rules_free(struct psl_rules *p);
/* Is name (no trailing dot) a public suffix of the ICANN / private section? */
bool psl_is_icann(const struct psl_rules *p, const char *name);
bool psl_is_private(const struct psl_rules *p, const char *name);
/* The rules of one section at or below name, as written in the list ("*.compute.amazonaws.com"). */
void psl_rules_below(const struct psl_rules *p, const char *name, bool private_section,
                     struct strlist *out);

void check_entries(struct lint *l, const struct psl_rules *psl);
void check_shadows(struct lint *l);
void check_limits(struct lint *l);
int check_expect(struct lint *l, const char *path); /* exit code, 0 = fine */

struct log_options {
    const char *const *paths;
    size_t n_paths;
    const char *format;  /* --log-format, NULL = auto */
    const char *pattern; /* --log-pattern */
    const char *since;   /* --since TIME, or NULL */
    const char *until;   /* --until TIME, or NULL */
    unsigned narrow_max;
};

struct log_result {
    uint64_t records, malformed, not_query;
    bool io_failed;
};

/* --log: read the logs, then unused, narrow, chain-blocked and the hit counts (as cJSON in
 * *hits). Returns an exit code for usage and system errors, 0 otherwise. */
struct cJSON;
int check_logs(struct lint *l, const struct log_options *o, const struct psl_rules *psl,
               struct cJSON **hits, struct log_result *res);

/* --- output -------------------------------------------------------------------------- */

enum output_format { OUT_TEXT, OUT_JSON, OUT_MARKDOWN, OUT_SARIF };

/* Write the findings; 0 or -1 when the output failed. */
int output_findings(const struct lint *l, enum output_format fmt, bool colour, struct cJSON *hits,
                    const struct log_result *logs);

/* --presets: list the presets. */
int output_presets(enum output_format fmt);

#endif
