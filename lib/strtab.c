#include "strtab.h"

#include <stdlib.h>

void dnsfw__strtab_free(struct strtab *t)
{
    free(t->arena);
    free(t->offset);
    free(t->index);
    memset(t, 0, sizeof *t);
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
        const char *o = t->arena + t->offset[e - 1];
        if (strncmp(o, s, len) == 0 && o[len] == '\0') {
            *found = true;
            return i;
        }
    }
}

static int rehash(struct strtab *t)
{
    size_t ncap = t->index_cap ? t->index_cap * 2 : 16;
    uint32_t *old = t->index;
    size_t oldcap = t->index_cap;
    t->index = calloc(ncap, sizeof *t->index);
    if (!t->index) {
        t->index = old;
        return DNSFW_ENOMEM;
    }
    t->index_cap = ncap;
    for (size_t i = 0; i < oldcap; i++) {
        if (!old[i])
            continue;
        const char *s = t->arena + t->offset[old[i] - 1];
        bool found;
        t->index[slot_of(t, s, strlen(s), &found)] = old[i];
    }
    free(old);
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
