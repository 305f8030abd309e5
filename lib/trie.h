/*
 * The compiled suffix trie.
 *
 * Every node is one label of a domain spec, below its parent label (the trie is keyed
 * on reversed labels: "com" -> "example" -> "www"). Nodes live in one open-addressing
 * table: a node's home slot comes from the hash of its whole path from the root, so a
 * lookup can compute the slot of every level of a query name before touching memory
 * and prefetch them all at once.
 *
 * The table is ordered: the home slot grows with the hash key (the upper 32 bits of the
 * path hash), and the nodes are laid out in key order, each at its home slot or at the
 * first free slot after it. There is no wrap-around: the table has room for the last
 * nodes after the last home slot, plus TRIE_PAD empty slots that end every search. A
 * search stops at the first slot with a greater key (empty slots count as greatest),
 * so misses stay short at a load factor of 6/7. A slot is 16 bytes:
 *
 *   parent   slot of the parent node (TRIE_ROOT for a top-level label), or TRIE_EMPTY
 *   check    label length (bits 24-29), "has children" (bit 31), the key's upper 24 bits
 *            (CHECK_EMPTY in an empty slot)
 *   label    offset of the label's octets in the label pool (equal labels are stored once)
 *   payload  offset of the node's entry record in the matcher's payload array, 0 = none
 *
 * A payload record is [n_exact, n_wild, exact lists..., wildcard lists...]: the domain
 * lists holding "name" (exact) or "*.name" (wildcard) for this node. The root's record
 * lists the match-all ("*") lists as exact entries.
 */
#ifndef DNSFW_TRIE_H
#define DNSFW_TRIE_H

#include "util.h"

#define TRIE_EMPTY      UINT32_MAX
#define TRIE_ROOT       (UINT32_MAX - 1)
#define TRIE_MAX_NODES  (UINT32_MAX / 2)
#define CHECK_CHILDREN  0x80000000u
#define CHECK_HASH_MASK 0x00FFFFFFu
#define CHECK_EMPTY     CHECK_HASH_MASK /* greater than the check bits of every node */
#define TRIE_PAD        4 /* empty slots after the last node (lookups prefetch ahead) */

struct slot {
    uint32_t parent;
    uint32_t check;
    uint32_t label;
    uint32_t payload;
};

struct trie {
    struct slot *slots;
    uint32_t nslots; /* slots in the array: home slots, overflow, the final empty slot */
    uint32_t nhome;  /* home slots: the range of trie_home() */
    uint8_t *pool;   /* label octets, with 8 bytes of zeroed slack at the end */
    size_t pool_len;
    uint32_t *payloads; /* entry records; offset 0 is the empty record */
    size_t payloads_len;
    uint32_t root_payload;
};

/* The key that orders the table: the upper half of a path hash. */
static inline uint32_t trie_key(uint64_t hash)
{
    return (uint32_t)(hash >> 32);
}

static inline uint32_t trie_home(uint32_t key, uint32_t nhome)
{
    return (uint32_t)(((uint64_t)key * nhome) >> 32);
}

/*
 * The check of a node: its length and the key's upper 24 bits, capped below the value
 * that empty slots carry so that an empty slot ends every search.
 */
static inline uint32_t trie_check(uint32_t key, size_t len)
{
    uint32_t bits = key >> 8;
    return (bits < CHECK_HASH_MASK ? bits : CHECK_HASH_MASK - 1) | ((uint32_t)len << 24);
}

/* Do two labels of len (1..63) octets match? Both have 8 readable bytes past their end. */
static inline bool trie_label_eq(const uint8_t *a, const uint8_t *b, size_t len)
{
    while (len > 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y)
            return false;
        a += 8;
        b += 8;
        len -= 8;
    }
    return dnsfw__load_tail(a, len) == dnsfw__load_tail(b, len);
}

/*
 * The slot of the node with this parent and label, or TRIE_EMPTY. pos is the home slot
 * and check the node's check (without CHECK_CHILDREN).
 */
static inline uint32_t trie_find(const struct trie *t, uint32_t pos, uint32_t check,
                                 uint32_t parent, const uint8_t *label, size_t len)
{
    uint32_t want = check & CHECK_HASH_MASK;
    for (;; pos++) {
        const struct slot *s = &t->slots[pos];
        uint32_t have = s->check & CHECK_HASH_MASK;
        if (have < want) /* a node that sorts before this one */
            continue;
        if (have > want) /* this one would be here by now; empty slots sort last */
            return TRIE_EMPTY;
        if ((s->check & ~CHECK_CHILDREN) == check && s->parent == parent &&
            trie_label_eq(t->pool + s->label, label, len))
            return pos;
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
