/*
 * Query names in the form the matcher walks: lower-cased wire format (length-prefixed
 * labels, then the root label) plus the offset of every label, so that labels can be
 * visited from the top-level domain down.
 */
#ifndef DNSFW_NAME_H
#define DNSFW_NAME_H

#include "util.h"

#define DNSFW_LABEL_MAX  63
#define DNSFW_WIRE_MAX   255
#define DNSFW_LABELS_MAX 127 /* 255 octets hold at most 127 non-root labels */

struct dnsfw_name {
    uint8_t len;     /* wire length including the root label */
    uint8_t nlabels; /* labels, the root excluded */
    uint8_t off[DNSFW_LABELS_MAX];
    uint8_t wire[DNSFW_WIRE_MAX + 8]; /* 8 bytes of zeroed slack for the hash's tail loads */
};

/* Parse a presentation-form name. Returns DNSFW_OK or a name error. */
DNSFW_HIDDEN int dnsfw__name_from_text(struct dnsfw_name *n, const char *s, size_t len);

/* Parse an uncompressed wire-form name from a buffer of len bytes. */
DNSFW_HIDDEN int dnsfw__name_from_wire(struct dnsfw_name *n, const uint8_t *w, size_t len);

/*
 * Write labels [first, nlabels) of n in presentation form with a trailing dot, escaping
 * what needs escaping. Returns the length, or -1 if size is too small.
 */
DNSFW_HIDDEN long dnsfw__name_to_text(const struct dnsfw_name *n, unsigned first, char *out,
                                      size_t size);

static inline const uint8_t *dnsfw__name_label(const struct dnsfw_name *n, unsigned i, size_t *len)
{
    *len = n->wire[n->off[i]];
    return n->wire + n->off[i] + 1;
}

#endif
