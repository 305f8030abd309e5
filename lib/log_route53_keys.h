/*
 * The top-level keys of a Route 53 Resolver query-log record, shared by the general
 * parser (log_route53.c) and the fast path (log_route53_fast.c): both read the same keys
 * into the same members, with the same rules.
 */
#ifndef DNSFW_LIB_LOG_ROUTE53_KEYS_H
#define DNSFW_LIB_LOG_ROUTE53_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "dnsfw/dnsfw.h"

enum {
    F_QUERY_NAME,
    F_QUERY_TYPE,
    F_QUERY_CLASS,
    F_TIMESTAMP,
    F_SRCADDR,
    F_SRCPORT,
    F_VPC_ID,
    F_ACCOUNT_ID,
    F_REGION,
    F_RCODE,
    F_TRANSPORT,
    F_VERSION,
    F_FW_ACTION,
    F_FW_GROUP,
    F_FW_LIST,
    F_TEXTS,             /* the keys above are texts, in r53_texts[] */
    F_ANSWERS = F_TEXTS, /* parsed on their own */
    F_SRCIDS,
    F_UNKNOWN, /* a key this version of the format did not have */
};

/* The text keys, in the order of the F_ numbers. */
static const struct r53_text {
    bool numbers_ok; /* Resolver has written it as a number */
    size_t offset;
    const char *not_string;
} r53_texts[F_TEXTS] = {
#define F(k, member, num)                                                                          \
    {                                                                                              \
        num, offsetof(dnsfw_log_record, member), k " is not a string"                              \
    }
    F("query_name", query_name, false),
    F("query_type", query_type, false),
    F("query_class", query_class, false),
    F("query_timestamp", timestamp, false),
    F("srcaddr", client, false),
    F("srcport", client_port, true),
    F("vpc_id", vpc_id, false),
    F("account_id", account_id, true),
    F("region", region, false),
    F("rcode", rcode, false),
    F("transport", transport, false),
    F("version", version, true),
    F("firewall_rule_action", firewall_action, false),
    F("firewall_rule_group_id", firewall_rule_group_id, false),
    F("firewall_domain_list_id", firewall_domain_list_id, false),
#undef F
};

/* The F_ number of a key: its length leaves one to three memcmps. */
static inline int r53_key(const dnsfw_text *k)
{
#define IS(lit, f)                                                                                 \
    if (memcmp(k->ptr, lit, sizeof lit - 1) == 0)                                                  \
    return f
    switch (k->len) {
    case 5:
        IS("rcode", F_RCODE);
        break;
    case 6:
        IS("vpc_id", F_VPC_ID);
        IS("region", F_REGION);
        IS("srcids", F_SRCIDS);
        break;
    case 7:
        IS("srcaddr", F_SRCADDR);
        IS("srcport", F_SRCPORT);
        IS("version", F_VERSION);
        IS("answers", F_ANSWERS);
        break;
    case 9:
        IS("transport", F_TRANSPORT);
        break;
    case 10:
        IS("query_name", F_QUERY_NAME);
        IS("query_type", F_QUERY_TYPE);
        IS("account_id", F_ACCOUNT_ID);
        break;
    case 11:
        IS("query_class", F_QUERY_CLASS);
        break;
    case 15:
        IS("query_timestamp", F_TIMESTAMP);
        break;
    case 20:
        IS("firewall_rule_action", F_FW_ACTION);
        break;
    case 22:
        IS("firewall_rule_group_id", F_FW_GROUP);
        break;
    case 23:
        IS("firewall_domain_list_id", F_FW_LIST);
        break;
    default:
        break;
    }
#undef IS
    return F_UNKNOWN;
}

static inline bool r53_type_is(const dnsfw_text *t, const char *lit, size_t n)
{
    return t->len == n && memcmp(t->ptr, lit, n) == 0;
}

/* One answer of "answers": a CNAME or DNAME target joins the chain, an A or AAAA address
 * the addresses the egress join (docs/egress.md) matches flows against. */
static inline void r53_answer(dnsfw_log_record *rec, const dnsfw_text *rdata,
                              const dnsfw_text *type)
{
    if (!rdata->ptr || !type->ptr)
        return;
    if (r53_type_is(type, "CNAME", 5) || r53_type_is(type, "DNAME", 5)) {
        if (rec->n_chain < DNSFW_LOG_CHAIN_MAX)
            rec->chain[rec->n_chain++] = *rdata;
        else
            rec->chain_truncated = 1;
    } else if (r53_type_is(type, "A", 1) || r53_type_is(type, "AAAA", 4)) {
        if (rec->n_addresses < DNSFW_LOG_ADDR_MAX)
            rec->addresses[rec->n_addresses++] = *rdata;
        else
            rec->addresses_truncated = 1;
    }
}

#endif
