/* Domain specs: AWS's domain-list entry syntax, checked and normalised. */
#ifndef DNSFW_SPEC_H
#define DNSFW_SPEC_H

#include "util.h"

/*
 * Check spec and write its normal form into out (size >= DNSFW_SPEC_MAX + 1 always
 * suffices). On success *kind is EXACT, WILDCARD or ALL and *outlen the length.
 */
DNSFW_HIDDEN int dnsfw__spec_parse(const char *spec, size_t len, char *out, size_t size,
                                   size_t *outlen, dnsfw_entry_kind *kind, const char **reason);

/* The kind of an already normalised spec. */
static inline dnsfw_entry_kind dnsfw__spec_kind(const char *norm)
{
    if (norm[0] == '*')
        return norm[1] ? DNSFW_ENTRY_WILDCARD : DNSFW_ENTRY_ALL;
    return DNSFW_ENTRY_EXACT;
}

#endif
