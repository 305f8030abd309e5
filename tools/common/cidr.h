/*
 * Address prefixes ("192.0.2.0/24", "2001:db8::/32", or an address alone) as the tools
 * take them: dnsfw-serve --allow, --scope-map blocks, dnsfw-eval --trusted-cidr. One
 * parser, so that every tool accepts and refuses the same text.
 */
#ifndef DNSFW_TOOLS_COMMON_CIDR_H
#define DNSFW_TOOLS_COMMON_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cidr {
    int family;       /* AF_INET or AF_INET6 */
    uint8_t addr[16]; /* 4 or 16 octets */
    unsigned prefix;  /* bits */
};

/* The octets of an address of this family: 4 (AF_INET) or 16. */
unsigned cidr_addr_len(int family);

/*
 * An address with an optional "/bits" (an address alone is the whole address). The bits
 * after the prefix must be zero: "10.0.1.5/24" is refused as a likely typing error. false
 * with *why set to a reason.
 */
bool cidr_parse(const char *text, struct cidr *out, const char **why);

/* "192.0.2.0/24" */
void cidr_format(const struct cidr *c, char *out, size_t size);

/* Whether the first bits of a equal those of net. */
bool cidr_prefix_match(const uint8_t *net, unsigned bits, const uint8_t *a);

/* Clear the bits of a (len octets) after its first bits. */
void cidr_mask(uint8_t *a, unsigned len, unsigned bits);

/* Whether the address a (cidr_addr_len(family) octets) is inside c. */
bool cidr_contains(const struct cidr *c, int family, const uint8_t *a);

#endif
