/* A string-keyed hash map (open addressing) owning copies of its keys. */
#ifndef DNSFW_TOOLS_STRMAP_H
#define DNSFW_TOOLS_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_entry {
    char *key;
    void *value;
    uint32_t len, tag; /* the key's length, and the high half of its hash */
};

struct strmap {
    struct strmap_entry *slots;
    size_t cap, count;
};

/* The value slot for key (len bytes), created with value NULL when absent; NULL if out of memory.
 */
void **strmap_slot(struct strmap *m, const char *key, size_t len);
/* The map's own copy of the key of a slot strmap_slot() returned; it lives as long as the map. */
const char *strmap_key(void **slot);
/* The value for key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key, size_t len);
/* Free the keys (and each value with free_value, when not NULL). */
void strmap_free(struct strmap *m, void (*free_value)(void *));

#endif
