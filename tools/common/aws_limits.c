/*
 * What AWS refuses whatever the output format: names, spec lengths, domain and rule
 * quotas, association priorities, query types, OVERRIDE settings. Each check reports
 * every problem it finds (with the resource and the limit) and goes on, so dnsfw-export
 * can refuse a policy with all of its reasons and dnsfw-lint can list them as findings.
 */
#include "aws_limits.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 4, 5))) static void report(struct aws_limits *c,
                                                         enum aws_limit_level level,
                                                         const struct aws_limit_where *w,
                                                         const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (level == AWS_LIMIT_ERROR)
        c->errors++;
    c->report(c->ud, level, w, msg);
}

bool aws_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64)
        return false;
    bool all_digits = true;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        bool digit = ch >= '0' && ch <= '9';
        if (!digit && !(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z') && ch != '-' &&
            ch != '_' && ch != ' ' && ch != '\'')
            return false;
        all_digits &= digit;
    }
    return !all_digits;
}

void aws_limits_name(struct aws_limits *c, const char *kind, const char *name,
                     const struct aws_limit_where *w)
{
    if (!aws_name_ok(name))
        report(c, AWS_LIMIT_ERROR, w,
               "%s \"%s\": not a name AWS accepts (1 to 64 of A-Z a-z 0-9 - _ space and "
               "apostrophe, not all digits)",
               kind, name);
}

void aws_limits_list_count(struct aws_limits *c, size_t n_lists)
{
    if (n_lists > AWS_LISTS_QUOTA)
        report(c, AWS_LIMIT_ERROR, NULL, "%zu domain lists: AWS allows %lu per account and Region",
               n_lists, AWS_LISTS_QUOTA);
}

void aws_limits_spec(struct aws_limits *c, const char *spec, const struct aws_limit_where *w)
{
    size_t len = strlen(spec) + (c->fqdn ? 1 : 0);
    if (len > AWS_SPEC_MAX)
        report(c, AWS_LIMIT_ERROR, w,
               "domain list \"%s\": \"%.40s...\" is %zu characters%s; AWS allows %d",
               w && w->list ? w->list : "?", spec, len, c->fqdn ? " with the trailing dot" : "",
               AWS_SPEC_MAX);
}

void aws_limits_total_domains(struct aws_limits *c, unsigned long total)
{
    if (total > c->max_domains)
        report(c, AWS_LIMIT_ERROR, NULL,
               "the domain lists hold %lu domains: the account quota is %lu over all lists (if "
               "AWS raised yours, pass --max-domains)",
               total, c->max_domains);
}

void aws_limits_group_count(struct aws_limits *c, size_t n_groups)
{
    if (n_groups > AWS_GROUPS_PER_VPC)
        report(c, AWS_LIMIT_ERROR, NULL, "%zu rule groups: AWS associates at most %d with one VPC",
               n_groups, AWS_GROUPS_PER_VPC);
}

void aws_limits_group(struct aws_limits *c, const char *name, uint32_t priority, size_t n_rules,
                      const struct aws_limit_where *w)
{
    aws_limits_name(c, "rule group", name, w);
    if (priority < 100 || priority > 9900)
        report(c, AWS_LIMIT_ERROR, w,
               "rule group \"%s\": association priority %u: AWS accepts 100 to 9900 (Firewall "
               "Manager reserves the rest); use 101 to 8999",
               name, priority);
    else if (priority == 100 || priority >= 9000)
        report(c, AWS_LIMIT_WARNING, w,
               "rule group \"%s\": association priority %u: the API accepts it, but "
               "CloudFormation excludes 100 and 9900 and the CDK accepts only 101 to 8999",
               name, priority);
    if (n_rules > c->max_rules)
        report(c, AWS_LIMIT_ERROR, w,
               "rule group \"%s\" has %zu rules: the quota is %lu a rule group (if AWS raised "
               "yours, pass --max-rules)",
               name, n_rules, c->max_rules);
}

void aws_limits_rule(struct aws_limits *c, const char *group, const struct aws_limit_rule *r,
                     const struct aws_limit_where *w)
{
    if (r->name && r->check_name)
        aws_limits_name(c, "rule", r->name, w);
    if (r->qtype == 65535)
        report(c, AWS_LIMIT_ERROR, w,
               "rule group \"%s\", rule %u: query type TYPE65535: AWS accepts TYPE1 to TYPE65534",
               group, r->priority);
    if (r->response == DNSFW_RESPONSE_OVERRIDE) {
        size_t n = r->override_domain ? strlen(r->override_domain) : 0;
        if (n < 1 || n > 255 || r->override_ttl > 604800)
            report(c, AWS_LIMIT_ERROR, w,
                   "rule group \"%s\", rule %u: OVERRIDE needs a domain of 1 to 255 characters "
                   "and a TTL from 0 to 604800",
                   group, r->priority);
    }
}
