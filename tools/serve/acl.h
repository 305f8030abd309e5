/*
 * Which clients dnsfw-serve answers (--allow): a list of address prefixes. Without
 * --allow, loopback and the networks of the interfaces it listens on (all interfaces for
 * a wildcard address). Others get REFUSED over UDP; their TCP connections are closed.
 */
#ifndef DNSFW_TOOLS_SERVE_ACL_H
#define DNSFW_TOOLS_SERVE_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "cidr.h"

/* 0.0.0.0 or :: (any port). */
bool addr_is_wildcard(const struct sockaddr *sa);

struct acl {
    struct cidr *v;
    size_t n;
};

/*
 * The list: allow[0, n) when n > 0, else the default for the listening addresses
 * listen[0, n_listen) (loopback, the interfaces' networks). Returns 0 or -1 (out of
 * memory, or the interfaces cannot be read: reported).
 */
int acl_build(const struct cidr *allow, size_t n, const struct sockaddr_storage *listen,
              size_t n_listen, struct acl *out);
void acl_free(struct acl *a);

bool acl_allows(const struct acl *a, const struct sockaddr *client);

/*
 * Whether the list lets in more than local networks: an entry wider than /16 (IPv4) or
 * /32 (IPv6) that is not inside a private, loopback or link-local range. The first such
 * entry goes to *wide.
 */
bool acl_is_wide(const struct acl *a, const struct cidr **wide);

#endif
