/*
 * A Route 53 DNS Firewall configuration as AWS holds it: domain lists, rule groups with
 * their rules and association priority, and the fail-open setting. The exporters write
 * it, the importers read a deployed configuration back into it, and the diff compares
 * two of them. It is separate from libdnsfw's policy object because a deployed
 * configuration has things a policy has not (AWS ids, unknown priorities, unknown
 * fail-open) and lacks things a policy has (the tiered form's per-repository lists).
 */
#ifndef DNSFW_TOOLS_FWMODEL_H
#define DNSFW_TOOLS_FWMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dnsfw/dnsfw.h>

#include "strmap.h"

/* Where an object came from, for messages: a file name owned by the model, a line. */
struct fw_where {
    const char *file;
    unsigned line;
};

/* An AWS-managed list's id in one Region ("*": wherever it is deployed). */
struct fw_managed_id {
    char *region, *id;
};

struct fw_list {
    char *name; /* AWS name; a deployed list whose name is unknown is named by its id */
    char *id;   /* AWS id (rslvr-fdl-...) or template logical id; NULL for a policy */
    /* AWS-managed: referenced by id, never created; its specs (a policy's stand-in) are
     * for evaluation only and no AWS writer or the diff looks at them */
    bool managed;
    char *managed_name; /* "AWSManagedDomains...", NULL when not known */
    struct fw_managed_id *ids;
    size_t n_ids;
    char **specs; /* normalised the way dnsfw_spec_normalize() does, each once, in order */
    size_t n_specs, cap_specs;
    struct strmap seen; /* the specs, for fw_list_add_spec()'s "each once" */
    struct fw_where where;
};

/* fw_rule.list of a DNS Firewall Advanced rule, which matches no domain list. */
#define FW_NO_LIST SIZE_MAX

struct fw_rule {
    char *name; /* NULL when unknown (CloudFormation rules have no name) */
    uint32_t priority;
    dnsfw_action action;
    size_t list;    /* index into fw_model.lists, or FW_NO_LIST for an Advanced rule */
    uint16_t qtype; /* 0 = every type */
    dnsfw_redirection redirection;
    dnsfw_block_response response; /* NONE unless BLOCK */
    char *override_domain;         /* OVERRIDE only */
    uint32_t override_ttl;
    dnsfw_threat threat;         /* an Advanced rule: DnsThreatProtection, else NONE */
    dnsfw_confidence confidence; /* and its ConfidenceThreshold */
    struct fw_where where;
};

struct fw_group {
    char *name;
    char *id;
    uint32_t priority; /* association priority */
    bool priority_known;
    char *assoc_name;      /* the association's Name; NULL when not known */
    struct fw_rule *rules; /* sorted by priority after fw_model_sort() */
    size_t n_rules, cap_rules;
    struct fw_where where;
};

/* Resolver query logging for the VPC (the logs dnsfw-eval --log replays). */
enum fw_query_log_dest {
    FW_QUERY_LOG_UNKNOWN = 0, /* an import that could not tell */
    FW_QUERY_LOG_NONE,
    FW_QUERY_LOG_CLOUDWATCH,
    FW_QUERY_LOG_S3,
    FW_QUERY_LOG_FIREHOSE,
};

struct fw_query_log {
    enum fw_query_log_dest dest;
    char *name;      /* the ResolverQueryLogConfig's Name; NULL when not known */
    char *arn;       /* the destination's ARN, when given or known literally */
    int retention;   /* CloudWatch Logs retention in days; 0 never expires, -1 unknown */
    bool associated; /* associated with the VPC */
};

/* The platform's construct: retention of its log group, names of its objects. */
#define FW_QUERY_LOG_RETENTION 30
#define FW_TIERED_ASSOCIATION  "agent-vpc-dns-firewall"
#define FW_TIERED_QUERY_LOG    "agent-dns-query-log"
#define FW_QUERY_LOG_NAME      "dnsfw-query-log"
/* The CloudFormation Mappings table of AWS-managed lists' ids (Region -> list -> id),
 * written by the exporter and read by the importer. */
#define FW_MANAGED_MAP "DnsfwManagedDomainLists"

struct fw_model {
    struct fw_list *lists;
    size_t n_lists, cap_lists;
    struct fw_group *groups; /* by association priority after fw_model_sort() */
    size_t n_groups, cap_groups;
    int fail_open; /* 1 ENABLED, 0 DISABLED, -1 not known */
    struct fw_query_log query_log;
    bool tiered;  /* came from a tiered policy */
    char **files; /* the file names fw_where points to */
    size_t n_files;
};

/* The entry the platform puts in an empty allowlist; the diff ignores it. */
#define FW_PLACEHOLDER "placeholder.invalid"

void fw_model_init(struct fw_model *m);
void fw_model_free(struct fw_model *m);

/* A copy of name kept as long as the model, for fw_where.file; NULL if out of memory. */
const char *fw_model_file(struct fw_model *m, const char *name);

/* Append an empty list / group; the index, or SIZE_MAX when out of memory. */
size_t fw_model_add_list(struct fw_model *m, const char *name, const char *id);
size_t fw_model_add_group(struct fw_model *m, const char *name, const char *id);
/* Append a rule (its strings are copied); NULL when out of memory. */
struct fw_rule *fw_group_add_rule(struct fw_group *g, const struct fw_rule *r);

/*
 * Add a spec to a list after normalising it with dnsfw_spec_normalize(); an entry already
 * there is not added twice. Returns DNSFW_OK, DNSFW_EBADSPEC (with *reason) or
 * DNSFW_ENOMEM.
 */
int fw_list_add_spec(struct fw_list *l, const char *spec, size_t len, const char **reason);

/* Record a managed list's id in a Region (a copy); false when out of memory. An id for a
 * Region it has already is ignored. */
bool fw_list_add_managed_id(struct fw_list *l, const char *region, const char *id);
/* The id for a Region, or for "*"; NULL when the list has none. */
const char *fw_list_managed_id(const struct fw_list *l, const char *region);

/* Index of the list / group with this name, or SIZE_MAX. */
size_t fw_model_find_list(const struct fw_model *m, const char *name);
size_t fw_model_find_group(const struct fw_model *m, const char *name);

/* Sort groups by association priority (unknown last, in their order) and rules by priority. */
void fw_model_sort(struct fw_model *m);

/*
 * The policy as AWS would hold it: only the lists AWS gets (never the tiered form's
 * per-repository lists), every group and rule; tiered rules are named after their list
 * (AWS requires a rule name). Returns DNSFW_OK or DNSFW_ENOMEM.
 */
int fw_model_from_policy(const dnsfw_policy *p, struct fw_model *m);

/*
 * Build a general-form policy with the public builder. Rules without a name get
 * "rule-PRIORITY"; groups whose priority is not known get priorities after the known
 * ones. Failures are reported with the object's file and line; returns DNSFW_OK or the
 * builder's status.
 */
int fw_model_to_policy(const struct fw_model *m, dnsfw_policy **out);

/* The query type as AWS writes it in a rule: its mnemonic, or TYPEn. */
void fw_qtype_text(uint16_t qtype, char buf[16]);

/* An AWS resource name: 1-64 of A-Z a-z 0-9 - _ space apostrophe, not all digits. */
bool fw_aws_name_ok(const char *name);

/* The query-log destination's name ("cloudwatch", "s3", "firehose", "none", "unknown"),
 * and back (-1 when not one of them). */
const char *fw_query_log_dest_name(enum fw_query_log_dest d);
int fw_parse_query_log_dest(const char *s);

/* Replace *field with a copy of value (NULL allowed); false when out of memory. */
bool fw_set_string(char **field, const char *value);

/* Parse AWS's enumerations; -1 when unknown. */
int fw_parse_action(const char *s);
int fw_parse_response(const char *s);
int fw_parse_redirection(const char *s);
int fw_parse_threat(const char *s);     /* DnsThreatProtection */
int fw_parse_confidence(const char *s); /* ConfidenceThreshold */

#endif
