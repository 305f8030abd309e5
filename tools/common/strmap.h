/* A string-keyed hash map (open addressing) owning copies of its keys. */
#ifndef DNSFW_TOOLS_STRMAP_H
#define DNSFW_TOOLS_STRMAP_H

#include <stdbool.h>
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
    bool blocks; /* values made by strmap_block(): each key lives in its value's block */
};

/* The value slot for key (len bytes), created with value NULL when absent; NULL if out of memory.
 */
void **strmap_slot(struct strmap *m, const char *key, size_t len);
/*
 * For maps of records: the record for key, a block of size bytes (zeroed when created,
 * *created then set) followed by a copy of the key, in one allocation, so that finding a
 * key and using its record touch the same memory. NULL if out of memory. Such a map
 * takes only strmap_block() insertions, and strmap_free()'s free_value frees the block.
 */
void *strmap_block(struct strmap *m, const char *key, size_t len, size_t size, bool *created);
/* The key of a record strmap_block() made with this size: it lives as long as the map. */
const char *strmap_block_key(const void *block, size_t size);
/* Start loading the slot of key into the cache, ahead of a strmap_block() or strmap_get(). */
void strmap_prefetch(const struct strmap *m, const char *key, size_t len);
/* The map's own copy of the key of a slot strmap_slot() returned; it lives as long as the map. */
const char *strmap_key(void **slot);
/* The value for key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key, size_t len);
/* Free the keys (and each value with free_value, when not NULL). */
void strmap_free(struct strmap *m, void (*free_value)(void *));

#endif
