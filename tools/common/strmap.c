#include "strmap.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Keys are names, most of them 10-40 bytes: hash a word at a time. */
static uint64_t hash(const char *s, size_t len)
{
    const uint64_t k = 0x9e3779b97f4a7c15ull;
    uint64_t h = len * k;
    for (; len >= 8; s += 8, len -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * k;
        h ^= h >> 32;
    }
    if (len) {
        uint64_t w = 0;
        memcpy(&w, s, len);
        h = (h ^ w) * k;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

/* The slot holding key, or the empty slot where it belongs. */
static size_t find(const struct strmap *m, const char *key, size_t len, uint64_t h)
{
    size_t mask = m->cap - 1;
    uint32_t tag = (uint32_t)(h >> 32);
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        const struct strmap_entry *e = &m->slots[i];
        if (!e->key || (e->tag == tag && e->len == len && memcmp(e->key, key, len) == 0))
            return i;
    }
}

static int grow(struct strmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    struct strmap_entry *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    struct strmap old = *m;
    m->slots = ns;
    m->cap = ncap;
    for (size_t i = 0; i < old.cap; i++) {
        const struct strmap_entry *e = &old.slots[i];
        if (e->key)
            m->slots[find(m, e->key, e->len, hash(e->key, e->len))] = *e;
    }
    free(old.slots);
    return 0;
}

void **strmap_slot(struct strmap *m, const char *key, size_t len)
{
    if (len > UINT32_MAX || ((m->count + 1) * 2 > m->cap && grow(m) != 0))
        return NULL;
    uint64_t h = hash(key, len);
    struct strmap_entry *e = &m->slots[find(m, key, len, h)];
    if (!e->key) {
        char *k = malloc(len + 1);
        if (!k)
            return NULL;
        memcpy(k, key, len);
        k[len] = '\0';
        *e = (struct strmap_entry){.key = k, .len = (uint32_t)len, .tag = (uint32_t)(h >> 32)};
        m->count++;
    }
    return &e->value;
}

void *strmap_block(struct strmap *m, const char *key, size_t len, size_t size, bool *created)
{
    *created = false;
    if (len > UINT32_MAX || ((m->count + 1) * 2 > m->cap && grow(m) != 0))
        return NULL;
    uint64_t h = hash(key, len);
    struct strmap_entry *e = &m->slots[find(m, key, len, h)];
    if (!e->key) {
        size = (size + 7) & ~(size_t)7;
        char *block = calloc(1, size + len + 1);
        if (!block)
            return NULL;
        memcpy(block + size, key, len);
        *e = (struct strmap_entry){
            .key = block + size, .value = block, .len = (uint32_t)len, .tag = (uint32_t)(h >> 32)};
        m->count++;
        m->blocks = true;
        *created = true;
    }
    return e->value;
}

const char *strmap_block_key(const void *block, size_t size)
{
    return (const char *)block + ((size + 7) & ~(size_t)7); /* as strmap_block() lays it out */
}

void strmap_prefetch(const struct strmap *m, const char *key, size_t len)
{
    if (m->cap)
        __builtin_prefetch(&m->slots[(size_t)hash(key, len) & (m->cap - 1)]);
}

const char *strmap_key(void **slot)
{
    const struct strmap_entry *e =
        (const struct strmap_entry *)((char *)slot - offsetof(struct strmap_entry, value));
    return e->key;
}

void *strmap_get(const struct strmap *m, const char *key, size_t len)
{
    if (!m->cap)
        return NULL;
    const struct strmap_entry *e = &m->slots[find(m, key, len, hash(key, len))];
    return e->key ? e->value : NULL;
}

void strmap_free(struct strmap *m, void (*free_value)(void *))
{
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key)
            continue;
        if (!m->blocks)
            free(m->slots[i].key);
        if (free_value)
            free_value(m->slots[i].value);
    }
    free(m->slots);
    memset(m, 0, sizeof *m);
}
