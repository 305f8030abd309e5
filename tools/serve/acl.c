/* The allow-list of clients (acl.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "common.h"

static int add(struct acl *a, size_t *cap, const struct cidr *c)
{
    for (size_t i = 0; i < a->n; i++) /* already covered by a wider entry, or the same */
        if (a->v[i].family == c->family && a->v[i].prefix <= c->prefix &&
            cidr_prefix_match(a->v[i].addr, a->v[i].prefix, c->addr))
            return 0;
    if (a->n == *cap) {
        size_t ncap = *cap ? 2 * *cap : 8;
        struct cidr *nv = realloc(a->v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        a->v = nv;
        *cap = ncap;
    }
    a->v[a->n++] = *c;
    return 0;
}

static unsigned mask_bits(const uint8_t *m, unsigned len)
{
    unsigned bits = 0;
    for (unsigned i = 0; i < len && m[i] == 0xFF; i++)
        bits += 8;
    if (bits < 8 * len)
        for (uint8_t b = m[bits / 8]; b & 0x80; b = (uint8_t)(b << 1))
            bits++;
    return bits;
}

static const uint8_t *sa_addr(const struct sockaddr *sa)
{
    return sa->sa_family == AF_INET6 ? ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr
                                     : (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
}

bool addr_is_wildcard(const struct sockaddr *sa)
{
    static const uint8_t zero[16];
    return memcmp(sa_addr(sa), zero, cidr_addr_len(sa->sa_family)) == 0;
}

/* The networks of the interfaces that hold a listening address (any, for a wildcard). */
static int add_interfaces(struct acl *a, size_t *cap, const struct sockaddr_storage *listen,
                          size_t n_listen)
{
    struct ifaddrs *ifs;
    if (getifaddrs(&ifs) != 0) {
        tool_warn("cannot read the network interfaces for the default --allow: %s",
                  strerror(errno));
        return -1;
    }
    int rc = 0;
    for (struct ifaddrs *i = ifs; i && !rc; i = i->ifa_next) {
        if (!i->ifa_addr || !i->ifa_netmask ||
            (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
            continue;
        int family = i->ifa_addr->sa_family;
        unsigned len = cidr_addr_len(family);
        bool listened = false;
        for (size_t k = 0; k < n_listen && !listened; k++)
            listened = listen[k].ss_family == family &&
                       (addr_is_wildcard((const struct sockaddr *)&listen[k]) ||
                        memcmp(sa_addr((const struct sockaddr *)&listen[k]), sa_addr(i->ifa_addr),
                               len) == 0);
        if (!listened)
            continue;
        struct cidr c = {.family = family, .prefix = mask_bits(sa_addr(i->ifa_netmask), len)};
        memcpy(c.addr, sa_addr(i->ifa_addr), len);
        cidr_mask(c.addr, len, c.prefix);
        rc = add(a, cap, &c);
    }
    freeifaddrs(ifs);
    return rc;
}

int acl_build(const struct cidr *allow, size_t n, const struct sockaddr_storage *listen,
              size_t n_listen, struct acl *out)
{
    *out = (struct acl){0};
    size_t cap = 0;
    int rc = 0;
    if (n) {
        for (size_t i = 0; i < n && !rc; i++)
            rc = add(out, &cap, &allow[i]);
    } else {
        struct cidr lo4 = {.family = AF_INET, .addr = {127}, .prefix = 8};
        struct cidr lo6 = {.family = AF_INET6, .addr = {[15] = 1}, .prefix = 128};
        rc = add(out, &cap, &lo4) || add(out, &cap, &lo6) ||
             add_interfaces(out, &cap, listen, n_listen);
    }
    if (rc) {
        if (errno == ENOMEM)
            tool_warn("out of memory");
        acl_free(out);
        return -1;
    }
    return 0;
}

void acl_free(struct acl *a)
{
    free(a->v);
    *a = (struct acl){0};
}

bool acl_allows(const struct acl *a, const struct sockaddr *client)
{
    const uint8_t *addr = sa_addr(client);
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].family == client->sa_family &&
            cidr_prefix_match(a->v[i].addr, a->v[i].prefix, addr))
            return true;
    return false;
}

/* Ranges that never reach the Internet: RFC 1918, shared (RFC 6598), loopback,
 * link-local, unique local (RFC 4193). */
static const struct cidr local_ranges[] = {
    {AF_INET, {10}, 8},          {AF_INET, {172, 16}, 12}, {AF_INET, {192, 168}, 16},
    {AF_INET, {100, 64}, 10},    {AF_INET, {127}, 8},      {AF_INET, {169, 254}, 16},
    {AF_INET6, {[15] = 1}, 128}, {AF_INET6, {0xfc}, 7},    {AF_INET6, {0xfe, 0x80}, 10},
};

bool acl_is_wide(const struct acl *a, const struct cidr **wide)
{
    for (size_t i = 0; i < a->n; i++) {
        const struct cidr *c = &a->v[i];
        if (c->prefix >= (c->family == AF_INET ? 16u : 32u))
            continue;
        bool local = false;
        for (size_t k = 0; k < sizeof local_ranges / sizeof local_ranges[0] && !local; k++)
            local = local_ranges[k].family == c->family && local_ranges[k].prefix <= c->prefix &&
                    cidr_prefix_match(local_ranges[k].addr, local_ranges[k].prefix, c->addr);
        if (!local) {
            *wide = c;
            return true;
        }
    }
    return false;
}
