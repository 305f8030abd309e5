/*
 * A string table: strings appended to one arena, in insertion order, with an
 * open-addressing index so that a string is stored once. Used for domain lists (where
 * a spec is kept once per list) and for every name set the policy checks for
 * duplicates.
 */
#ifndef DNSFW_STRTAB_H
#define DNSFW_STRTAB_H

#include "util.h"

struct strtab {
    char *arena; /* NUL-terminated strings back to back */
    size_t arena_len, arena_cap;
    size_t *offset; /* offset of string i */
    size_t count, offset_cap;
    uint64_t *index;  /* hash tag << 32 | (string number + 1); 0 = empty */
    size_t index_cap; /* power of two */
};

DNSFW_HIDDEN void dnsfw__strtab_free(struct strtab *t);

/*
 * Add s (len bytes, no NUL inside) unless present. *pos (may be NULL) gets its number;
 * *added (may be NULL) tells whether it was new.
 */
DNSFW_HIDDEN int dnsfw__strtab_add(struct strtab *t, const char *s, size_t len, size_t *pos,
                                   bool *added);

/* Number of s, or SIZE_MAX when absent. */
DNSFW_HIDDEN size_t dnsfw__strtab_find(const struct strtab *t, const char *s, size_t len);

static inline const char *dnsfw__strtab_get(const struct strtab *t, size_t i)
{
    return t->arena + t->offset[i];
}

#endif
