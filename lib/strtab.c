#include "strtab.h"

#include <stdlib.h>

void dnsfw__strtab_free(struct strtab *t)
{
    free(t->arena);
    free(t->offset);
    free(t->index);
    memset(t, 0, sizeof *t);
}

/* Length of string i: the strings lie back to back, each with its NUL. */
static size_t length_of(const struct strtab *t, size_t i)
{
    size_t end = i + 1 < t->count ? t->offset[i + 1] : t->arena_len;
    return end - t->offset[i] - 1;
}

/*
 * The index keeps 32 bits of each string's hash beside its number. A probe compares
 * strings only when those bits agree, and growing the index moves entries without
 * reading a string: at a million specs both would otherwise be cache misses, in the
 * offsets and in the arena, on every probe.
 */
static uint32_t tag_of(const char *s, size_t len)
{
    return (uint32_t)(dnsfw__hash_bytes(s, len) >> 32);
}

static size_t slot_of(const struct strtab *t, uint32_t tag, const char *s, size_t len, bool *found)
{
    size_t mask = t->index_cap - 1;
    size_t i = tag & mask;
    for (;; i = (i + 1) & mask) {
        uint64_t e = t->index[i];
        if (!e) {
            *found = false;
            return i;
        }
        uint32_t n = (uint32_t)e - 1;
        if ((uint32_t)(e >> 32) == tag && length_of(t, n) == len &&
            memcmp(t->arena + t->offset[n], s, len) == 0) {
            *found = true;
            return i;
        }
    }
}

static int rehash(struct strtab *t)
{
    size_t ncap = t->index_cap ? t->index_cap * 2 : 16;
    uint64_t *index = calloc(ncap, sizeof *index);
    if (!index)
        return DNSFW_ENOMEM;
    dnsfw__advise_huge(index, ncap * sizeof *index);
    for (size_t i = 0; i < t->index_cap; i++) {
        uint64_t e = t->index[i];
        if (!e)
            continue;
        size_t pos = (size_t)(e >> 32) & (ncap - 1);
        while (index[pos])
            pos = (pos + 1) & (ncap - 1);
        index[pos] = e;
    }
    free(t->index);
    t->index = index;
    t->index_cap = ncap;
    return DNSFW_OK;
}

size_t dnsfw__strtab_find(const struct strtab *t, const char *s, size_t len)
{
    if (!t->index_cap)
        return SIZE_MAX;
    bool found;
    size_t i = slot_of(t, tag_of(s, len), s, len, &found);
    return found ? (uint32_t)t->index[i] - 1 : SIZE_MAX;
}

int dnsfw__strtab_add(struct strtab *t, const char *s, size_t len, size_t *pos, bool *added)
{
    if (t->count >= UINT32_MAX - 1)
        return DNSFW_ELIMIT;
    if ((t->count + 1) * 2 > t->index_cap && rehash(t) != DNSFW_OK)
        return DNSFW_ENOMEM;
    bool found;
    uint32_t tag = tag_of(s, len);
    size_t slot = slot_of(t, tag, s, len, &found);
    if (found) {
        if (pos)
            *pos = (uint32_t)t->index[slot] - 1;
        if (added)
            *added = false;
        return DNSFW_OK;
    }
    if (dnsfw__grow((void **)&t->arena, &t->arena_cap, t->arena_len + len + 1, 1) ||
        dnsfw__grow((void **)&t->offset, &t->offset_cap, t->count + 1, sizeof *t->offset))
        return DNSFW_ENOMEM;
    memcpy(t->arena + t->arena_len, s, len);
    t->arena[t->arena_len + len] = '\0';
    t->offset[t->count] = t->arena_len;
    t->arena_len += len + 1;
    t->index[slot] = (uint64_t)tag << 32 | (uint32_t)(t->count + 1);
    if (pos)
        *pos = t->count;
    if (added)
        *added = true;
    t->count++;
    return DNSFW_OK;
}
