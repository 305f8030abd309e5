/*
 * What the exporters for self-run resolvers (RPZ, unbound, dnsmasq) share: the rules in
 * evaluation order, minus those a resolver cannot express (a rule limited to one query
 * type: neither RPZ nor dnsmasq can match on the type), reported as warnings.
 */
#ifndef DNSFW_TOOLS_RESOLVER_H
#define DNSFW_TOOLS_RESOLVER_H

#include <stdbool.h>

#include "fwmodel.h"
#include "name_tree.h"

struct resolver_rules {
    const struct fw_rule **rules; /* evaluation order */
    const struct fw_group **groups;
    size_t n;
};

/* 0, or -1 when out of memory. format names the output in warnings. */
int resolver_rules_get(const struct fw_model *m, const char *format, struct resolver_rules *rr);
void resolver_rules_free(struct resolver_rules *rr);

/* The query resolves normally (ALLOW, ALERT). */
bool resolver_passes(const struct fw_rule *r);

/* Two rules give the same answer (ALLOW and ALERT differ: ALERT is logged). */
bool resolver_same_outcome(const struct fw_rule *a, const struct fw_rule *b);

/* The name tree of rr's rules [from, to), each numbered by its position in rr. 0 or -1. */
int resolver_tree(const struct fw_model *m, const struct resolver_rules *rr, size_t from, size_t to,
                  struct name_tree *t);

#endif
