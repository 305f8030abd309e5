/*
 * The compiled suffix trie.
 *
 * Every node is one label of a domain spec, below its parent label (the trie is keyed
 * on reversed labels: "com" -> "example" -> "www"). Nodes live in one open-addressing
 * table: a node's slot is found from the hash of its whole path from the root, so a
 * lookup can compute the slot of every level of a query name before touching memory
 * and prefetch them all at once. A slot is 16 bytes:
 *
 *   parent   slot of the parent node (TRIE_ROOT for a top-level label), or TRIE_EMPTY
 *   check    label length (bits 24-29), "has children" (bit 31), 24 bits of the hash
 *   label    offset of the label's octets in the label pool
 *   payload  offset of the node's entry record in the matcher's payload array, 0 = none
 *
 * A payload record is [n_exact, n_wild, exact lists..., wildcard lists...]: the domain
 * lists holding "name" (exact) or "*.name" (wildcard) for this node. The root's record
 * lists the match-all ("*") lists as exact entries.
 */
#ifndef DNSFW_TRIE_H
#define DNSFW_TRIE_H

#include "util.h"

#define TRIE_EMPTY UINT32_MAX
#define TRIE_ROOT (UINT32_MAX - 1)
#define TRIE_MAX_NODES (UINT32_MAX - 16)
#define CHECK_CHILDREN 0x80000000u
#define CHECK_HASH_MASK 0x00FFFFFFu

struct slot {
    uint32_t parent;
    uint32_t check;
    uint32_t label;
    uint32_t payload;
};

struct trie {
    struct slot *slots;
    uint32_t nslots;
    uint8_t *pool; /* label octets, with 8 bytes of zeroed slack at the end */
    size_t pool_len;
    uint32_t *payloads; /* entry records; offset 0 is the empty record */
    size_t payloads_len;
    uint32_t root_payload;
};

static inline uint32_t trie_check(uint64_t hash, size_t len)
{
    return ((uint32_t)hash & CHECK_HASH_MASK) | ((uint32_t)len << 24);
}

/* The slot of the node with this parent and label, or TRIE_EMPTY. */
static inline uint32_t trie_find(const struct trie *t, uint32_t pos, uint32_t check,
                                 uint32_t parent, const uint8_t *label, size_t len)
{
    for (;;) {
        const struct slot *s = &t->slots[pos];
        if (s->parent == TRIE_EMPTY)
            return TRIE_EMPTY;
        if ((s->check & ~CHECK_CHILDREN) == check && s->parent == parent &&
            memcmp(t->pool + s->label, label, len) == 0)
            return pos;
        if (++pos == t->nslots)
            pos = 0;
    }
}

/* --- building ----------------------------------------------------------------------- */

struct trie_builder;

DNSFW_HIDDEN int dnsfw__trie_builder_new(struct trie_builder **out, size_t expected_specs);
DNSFW_HIDDEN void dnsfw__trie_builder_free(struct trie_builder *b);

/* Add a normalised spec ("name", "*.suffix" or "*") as an entry of list. */
DNSFW_HIDDEN int dnsfw__trie_add(struct trie_builder *b, const char *spec, size_t len,
                                 uint32_t list);

/* Lay the nodes out in their final table. The builder is spent afterwards. */
DNSFW_HIDDEN int dnsfw__trie_finish(struct trie_builder *b, struct trie *out);

DNSFW_HIDDEN void dnsfw__trie_free(struct trie *t);

/* Presentation form of a node's name ("www.example.com"); returns the length or -1. */
DNSFW_HIDDEN long dnsfw__trie_node_name(const struct trie *t, uint32_t node, char *out,
                                        size_t size);

#endif
