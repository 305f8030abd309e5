/*
 * gzip members inflated a buffer at a time, for the log reader. With Intel's ISA-L
 * (libisal, built in where the build found it) inflating takes a fifth of zlib's time;
 * zlib does it otherwise, and stays the reference the tests compare ISA-L with. Both
 * stream: memory stays a few tens of KiB however large a member is.
 */
#ifndef DNSFW_INFLATE_H
#define DNSFW_INFLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum dnsfw__inflater_kind { INFLATER_ZLIB, INFLATER_ISAL };

/* What one step did. */
enum dnsfw__inflate_result {
    INFLATE_OK,        /* go on: more input is needed, or more output is ready */
    INFLATE_END,       /* the member ended (its checksum and length are right) */
    INFLATE_BAD,       /* the data is not gzip, or is corrupt */
    INFLATE_NO_MEMORY, /* out of memory */
};

struct dnsfw__inflater {
    enum dnsfw__inflater_kind kind;
    void *state;       /* a z_stream or an ISA-L inflate_state */
    void *saved;       /* ISA-L: the state before the last step (inflate.c says why) */
    const uint8_t *in; /* input not consumed yet */
    size_t in_len;
    uint64_t member_out; /* bytes the current member produced */
    /* ISA-L: the member's gzip header, read here as it comes (inflate.c says why) */
    uint8_t hstage, hflags;
    uint32_t hcount, hlen, hcrc;
    bool fresh; /* ISA-L: no step since the member began */
    /* ISA-L: the member's input so far, up to MEMBER_KEEP bytes (inflate.c says why) */
    uint8_t *member_in;
    size_t member_in_len, member_in_cap;
    bool member_in_lost; /* longer than that, or no memory for it */
};

/* The best kind this build has. */
DNSFW_HIDDEN enum dnsfw__inflater_kind dnsfw__inflater_best(void);

/* Ready for a first member; DNSFW_OK or DNSFW_ENOMEM. */
DNSFW_HIDDEN int dnsfw__inflater_init(struct dnsfw__inflater *z, enum dnsfw__inflater_kind kind);
DNSFW_HIDDEN void dnsfw__inflater_free(struct dnsfw__inflater *z);
/* Ready for the next member (after INFLATE_END, or for a new input). */
DNSFW_HIDDEN int dnsfw__inflater_reset(struct dnsfw__inflater *z);

/* Input for the next steps: the inflater reads [p, p+n) and points into it. */
static inline void dnsfw__inflater_input(struct dnsfw__inflater *z, const uint8_t *p, size_t n)
{
    z->in = p;
    z->in_len = n;
}

/*
 * One step: up to cap bytes into out (*produced), reading from the input. *consumed
 * says whether it read any input. INFLATE_OK with *produced < cap and no input left
 * means it needs more input.
 */
DNSFW_HIDDEN enum dnsfw__inflate_result dnsfw__inflate(struct dnsfw__inflater *z, uint8_t *out,
                                                       size_t cap, size_t *produced,
                                                       bool *consumed);

/*
 * The input ended inside a member: the bytes of it that zlib gives beyond what the
 * steps produced (ISA-L may leave the last symbol of a member cut short undecoded, and
 * how much depends on how the input came in pieces). *extra is malloc'd, or NULL with
 * *n_extra 0; DNSFW_OK or DNSFW_ENOMEM.
 */
DNSFW_HIDDEN int dnsfw__inflater_cut(struct dnsfw__inflater *z, uint8_t **extra, size_t *n_extra);

#endif
