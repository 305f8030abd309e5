/*
 * Query-log replay for dnsfw-eval --log: every record of the logs is evaluated with its
 * redirection chain against the candidate policy, and either printed (one verdict a
 * record, text or JSON) or handed to the report.
 */
#ifndef DNSFW_TOOLS_REPLAY_H
#define DNSFW_TOOLS_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include <dnsfw/dnsfw.h>

#include "log_input.h"
#include "scope_map.h"

struct report;
struct deployed;

/* One evaluated record, as the report sees it. Texts are NUL-terminated copies. */
struct record_eval {
    const char *name;                /* normalised query name, trailing dot */
    const char *type;                /* query type mnemonic */
    uint16_t qtype;                  /* and its number */
    const char *timestamp;           /* may be "" */
    const char *client;              /* srcaddr, may be "" */
    const char *instance;            /* srcids.instance, may be "" */
    const char *qclass;              /* query class as logged ("IN" when absent) */
    const char *rcode;               /* rcode as logged, "" when absent */
    const char *logged;              /* firewall_rule_action as logged, "" when absent */
    const char *logged_group;        /* firewall_rule_group_id as logged, "" when absent */
    const char *logged_list;         /* firewall_domain_list_id as logged, "" when absent */
    int64_t when;                    /* timestamp in Unix seconds, -1 when it has none */
    bool mixed_case;                 /* a label of the name as logged mixes upper and lower case */
    const char *repo;                /* from --scope-map, or NULL */
    dnsfw_verdict now;               /* the policy as given (its mode) */
    dnsfw_verdict enforce;           /* the policy in enforce mode, with the chain */
    dnsfw_verdict enforce_name_only; /* enforce mode, the query name alone */
    const char *enforce_hop;         /* chain name that decided `enforce`, or NULL */
    /* Chain names that enforce mode blocks on their own: allowing the query name (or
     * the first blocking hop) is not enough while any of them is still blocked. */
    const char *blocked_hops[DNSFW_LOG_CHAIN_MAX];
    size_t n_blocked_hops;
    bool scoped;                  /* repo has a blueprint: scoped_enforce is set */
    dnsfw_verdict scoped_enforce; /* enforce mode with the repo's own scope */
};

enum replay_output { OUT_TEXT, OUT_JSON, OUT_REPORT };

struct answers;

struct replay_config {
    struct log_read_options input; /* --log, --log-format, --since, --until... */
    const dnsfw_matcher *matcher;  /* the policy in its mode (or --mode) */
    const dnsfw_matcher *enforce;  /* the policy in enforce mode (== matcher if general) */
    uint32_t scope;                /* --scope, DNSFW_SCOPE_ALL when absent */
    const struct scope_map *map;   /* --scope-map, or NULL */
    enum replay_output output;
    struct report *report;   /* with OUT_REPORT */
    struct answers *answers; /* with --flow-log: the answered addresses go here */
    uint32_t answer_window;  /* --answer-window: records that long before --since are read
                                for their answers only */
};

struct replay_result {
    uint64_t records;     /* query records evaluated */
    uint64_t unprintable; /* queries whose name the resolver could not print */
    uint64_t not_query;   /* lines and events that record no query */
    uint64_t malformed;   /* malformed records and input problems */
    uint64_t outside;     /* records outside --since / --until */
    uint64_t blocked;     /* records BLOCKed by the policy in its mode */
    uint64_t answers;     /* answered addresses indexed for the egress join */
    uint64_t untimed;     /* answered addresses of records without a usable timestamp */
    bool io_failed;       /* an input could not be opened or read */
};

/* Replay every input of cfg->input. Returns an exit code (usage, system) or EXIT_CLEAN. */
int replay_logs(const struct replay_config *cfg, struct replay_result *res);

#endif
