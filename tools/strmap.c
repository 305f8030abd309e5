#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a: keys are short names */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

static size_t find(const struct strmap *m, const char *key, size_t len, uint64_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        const char *k = m->slots[i].key;
        if (!k || (strncmp(k, key, len) == 0 && k[len] == '\0'))
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
        if (!old.slots[i].key)
            continue;
        const char *k = old.slots[i].key;
        size_t len = strlen(k);
        m->slots[find(m, k, len, hash(k, len))] = old.slots[i];
    }
    free(old.slots);
    return 0;
}

void **strmap_slot(struct strmap *m, const char *key, size_t len)
{
    if ((m->count + 1) * 2 > m->cap && grow(m) != 0)
        return NULL;
    size_t i = find(m, key, len, hash(key, len));
    if (!m->slots[i].key) {
        char *k = malloc(len + 1);
        if (!k)
            return NULL;
        memcpy(k, key, len);
        k[len] = '\0';
        m->slots[i].key = k;
        m->slots[i].value = NULL;
        m->count++;
    }
    return &m->slots[i].value;
}

void *strmap_get(const struct strmap *m, const char *key, size_t len)
{
    if (!m->cap)
        return NULL;
    size_t i = find(m, key, len, hash(key, len));
    return m->slots[i].key ? m->slots[i].value : NULL;
}

void strmap_free(struct strmap *m, void (*free_value)(void *))
{
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key)
            continue;
        free(m->slots[i].key);
        if (free_value)
            free_value(m->slots[i].value);
    }
    free(m->slots);
    memset(m, 0, sizeof *m);
}
