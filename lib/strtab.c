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

static size_t slot_of(const struct strtab *t, const char *s, size_t len, bool *found)
{
    size_t mask = t->index_cap - 1;
    size_t i = (size_t)dnsfw__hash_bytes(s, len) & mask;
    for (;; i = (i + 1) & mask) {
        uint32_t e = t->index[i];
        if (!e) {
            *found = false;
            return i;
        }
        if (length_of(t, e - 1) == len && memcmp(t->arena + t->offset[e - 1], s, len) == 0) {
            *found = true;
            return i;
        }
    }
}

static int rehash(struct strtab *t)
{
    size_t ncap = t->index_cap ? t->index_cap * 2 : 16;
    uint32_t *index = calloc(ncap, sizeof *index);
    if (!index)
        return DNSFW_ENOMEM;
    free(t->index);
    t->index = index;
    t->index_cap = ncap;
    /* In insertion order, so that the arena is read front to back. */
    for (size_t i = 0; i < t->count; i++) {
        bool found;
        t->index[slot_of(t, dnsfw__strtab_get(t, i), length_of(t, i), &found)] = (uint32_t)i + 1;
    }
    return DNSFW_OK;
}

size_t dnsfw__strtab_find(const struct strtab *t, const char *s, size_t len)
{
    if (!t->index_cap)
        return SIZE_MAX;
    bool found;
    size_t i = slot_of(t, s, len, &found);
    return found ? t->index[i] - 1 : SIZE_MAX;
}

int dnsfw__strtab_add(struct strtab *t, const char *s, size_t len, size_t *pos, bool *added)
{
    if (t->count >= UINT32_MAX - 1)
        return DNSFW_ELIMIT;
    if ((t->count + 1) * 2 > t->index_cap && rehash(t) != DNSFW_OK)
        return DNSFW_ENOMEM;
    bool found;
    size_t slot = slot_of(t, s, len, &found);
    if (found) {
        if (pos)
            *pos = t->index[slot] - 1;
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
    t->index[slot] = (uint32_t)(t->count + 1);
    if (pos)
        *pos = t->count;
    if (added)
        *added = true;
    t->count++;
    return DNSFW_OK;
}
