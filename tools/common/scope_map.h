/*
 * --scope-map FILE: which repository each client belongs to, so that a log can be split
 * (and evaluated) per repository. One mapping a line, "KEY REPO": KEY is an IPv4 or IPv6
 * address, a CIDR block, an instance id ("i-...") or a network interface id ("eni-...",
 * as flow logs name the interface); blank and '#' lines are skipped. The most specific
 * CIDR wins; ids are looked up before addresses.
 */
#ifndef DNSFW_TOOLS_SCOPE_MAP_H
#define DNSFW_TOOLS_SCOPE_MAP_H

#include <stddef.h>

struct scope_map;

/* Returns 0, or prints "FILE:LINE: reason" through tool_warn and returns an exit code. */
int scope_map_load(const char *path, struct scope_map **out);
void scope_map_free(struct scope_map *m);

/* The repository of a client (address and/or an instance or interface id, either may be
 * NULL), or NULL. */
const char *scope_map_lookup(const struct scope_map *m, const char *addr, size_t addr_len,
                             const char *instance, size_t instance_len);

/* The mappings in file order, for writers that carry the map elsewhere (SQL). */
struct scope_map_item {
    const char *instance;     /* an instance id, or NULL */
    int family;               /* AF_INET or AF_INET6 when not an instance id */
    const unsigned char *net; /* 4 or 16 octets */
    unsigned prefix;          /* bits */
    const char *repo;
};
size_t scope_map_count(const struct scope_map *m);
void scope_map_item(const struct scope_map *m, size_t i, struct scope_map_item *out);

#endif
