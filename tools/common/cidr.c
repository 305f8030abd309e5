/* Address prefixes (cidr.h). */
#include "cidr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned cidr_addr_len(int family)
{
    return family == AF_INET ? 4 : 16;
}

bool cidr_prefix_match(const uint8_t *p, unsigned bits, const uint8_t *a)
{
    unsigned whole = bits / 8, rest = bits % 8;
    if (memcmp(p, a, whole) != 0)
        return false;
    if (!rest)
        return true;
    uint8_t mask = (uint8_t)(0xFF << (8 - rest));
    return (p[whole] & mask) == (a[whole] & mask);
}

void cidr_mask(uint8_t *a, unsigned len, unsigned bits)
{
    for (unsigned i = 0; i < len; i++) {
        unsigned keep = bits >= 8 * (i + 1) ? 8 : bits > 8 * i ? bits - 8 * i : 0;
        a[i] &= (uint8_t)(keep ? 0xFF << (8 - keep) : 0);
    }
}

bool cidr_parse(const char *text, struct cidr *out, const char **why)
{
    char host[INET6_ADDRSTRLEN + 1];
    const char *slash = strchr(text, '/');
    size_t n = slash ? (size_t)(slash - text) : strlen(text);
    *why = "not an IPv4 or IPv6 address";
    if (n == 0 || n >= sizeof host)
        return false;
    memcpy(host, text, n);
    host[n] = '\0';
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, host, out->addr) == 1)
        out->family = AF_INET;
    else if (inet_pton(AF_INET6, host, out->addr) == 1)
        out->family = AF_INET6;
    else
        return false;
    unsigned max = 8 * cidr_addr_len(out->family);
    out->prefix = max;
    if (slash) {
        char *end;
        unsigned long p = strtoul(slash + 1, &end, 10);
        if (!isdigit((unsigned char)slash[1]) || *end || p > max) {
            *why = out->family == AF_INET ? "the prefix length must be 0 to 32"
                                          : "the prefix length must be 0 to 128";
            return false;
        }
        out->prefix = (unsigned)p;
    }
    uint8_t masked[16];
    memcpy(masked, out->addr, sizeof masked);
    cidr_mask(masked, cidr_addr_len(out->family), out->prefix);
    if (memcmp(masked, out->addr, cidr_addr_len(out->family)) != 0) {
        *why = "bits set after the prefix (write the network address)";
        return false;
    }
    return true;
}

void cidr_format(const struct cidr *c, char *out, size_t size)
{
    char host[INET6_ADDRSTRLEN] = "?";
    inet_ntop(c->family, c->addr, host, sizeof host);
    snprintf(out, size, "%s/%u", host, c->prefix);
}

bool cidr_contains(const struct cidr *c, int family, const uint8_t *a)
{
    return c->family == family && cidr_prefix_match(c->addr, c->prefix, a);
}
