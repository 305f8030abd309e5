/*
 * AWS's quotas and format limits for DNS Firewall resources, checked one resource at a
 * time so that every problem is reported (dnsfw-export refuses the policy with all of
 * them; dnsfw-lint lists them as aws-limit findings). Format-specific limits (a
 * Terraform update, an import file) stay with the exporter.
 */
#ifndef DNSFW_TOOLS_AWS_LIMITS_H
#define DNSFW_TOOLS_AWS_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dnsfw/dnsfw.h>

#define AWS_DOMAINS_QUOTA     100000ul /* domains over all lists, per account and Region */
#define AWS_RULES_QUOTA       100ul    /* rules per rule group */
#define AWS_LISTS_QUOTA       1000ul   /* domain lists per account and Region */
#define AWS_GROUPS_PER_VPC    5        /* rule groups associated with one VPC; fixed */
#define AWS_UPDATE_BATCH      1000     /* domains per UpdateFirewallDomains request */
#define AWS_IMPORT_FILE_LINES 250000ul /* domains per ImportFirewallDomains file */
#define AWS_SPEC_MAX          255      /* characters of one domain spec */

enum aws_limit_level { AWS_LIMIT_ERROR, AWS_LIMIT_WARNING };

/* The resource a problem is about: any may be NULL / SIZE_MAX / 0 when not applicable. */
struct aws_limit_where {
    const char *list;
    size_t spec; /* index in the list */
    const char *group;
    uint32_t rule_priority; /* 0: the group itself */
    void *ctx;              /* the caller's own pointer, handed back */
};

struct aws_limits {
    unsigned long max_domains; /* account quota: domains over all lists */
    unsigned long max_rules;   /* account quota: rules per rule group */
    bool fqdn;                 /* specs are written with a trailing dot */
    void (*report)(void *ud, enum aws_limit_level level, const struct aws_limit_where *w,
                   const char *message);
    void *ud;
    unsigned errors; /* counted by the checks */
};

/* A rule as the checks see it. */
struct aws_limit_rule {
    const char *name; /* may be NULL */
    bool check_name;  /* CloudFormation rules have no name: no check there */
    uint32_t priority;
    uint16_t qtype;
    dnsfw_block_response response;
    const char *override_domain;
    uint32_t override_ttl;
};

/* An AWS resource name: 1-64 of A-Z a-z 0-9 - _ space apostrophe, not all digits. */
bool aws_name_ok(const char *name);

void aws_limits_name(struct aws_limits *c, const char *kind, const char *name,
                     const struct aws_limit_where *w);
void aws_limits_list_count(struct aws_limits *c, size_t n_lists);
void aws_limits_spec(struct aws_limits *c, const char *spec, const struct aws_limit_where *w);
void aws_limits_total_domains(struct aws_limits *c, unsigned long total);
void aws_limits_group_count(struct aws_limits *c, size_t n_groups);
void aws_limits_group(struct aws_limits *c, const char *name, uint32_t priority, size_t n_rules,
                      const struct aws_limit_where *w);
void aws_limits_rule(struct aws_limits *c, const char *group, const struct aws_limit_rule *r,
                     const struct aws_limit_where *w);

#endif
