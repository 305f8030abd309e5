/*
 * Intended (a policy) against deployed (an import): what differs after normalisation.
 * Specs are compared as sets in libdnsfw's normal form (so case, one trailing dot, "*"
 * against "*." and order never count) and the platform's placeholder entry
 * (placeholder.invalid) is ignored. Rule groups pair by name; rules pair by what AWS
 * identifies them with (domain list and query type), then by priority; lists pair by
 * name, then through the rules that use them (a deployed list may be known by id only).
 * A deployed setting the import could not determine (fail-open, an association priority
 * or name, the query logging) is reported as "unknown", never taken as equal.
 */
#ifndef DNSFW_TOOLS_DIFF_H
#define DNSFW_TOOLS_DIFF_H

#include <stdbool.h>
#include <stdio.h>

#include "fwmodel.h"

/* Print every difference to out (text lines, or one JSON object a line); the count. */
size_t fw_diff(const struct fw_model *want, const struct fw_model *have, bool json, FILE *out);

#endif
