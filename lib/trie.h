/*
 * The compiled suffix trie.
 *
 * Every node is one label of a domain spec, below its parent label (the trie is keyed
 * on reversed labels: "com" -> "example" -> "www"). A node is found from the hash of its
 * whole path from the root (the key: the upper 32 bits of that hash), so a lookup can
 * compute where every level of a query name lives before touching memory, and fetch
 * them all at once.
 *
 * The nodes are packed records, sorted by key, in one byte array:
 *
 *   key      32 bits: the path hash's upper half (the sort key)
 *   parent   byte offset of the parent's record, or TRIE_ROOT for a top-level label
 *   payload  offset of the node's entry record in the payload array, 0 = none
 *   meta     label length (bits 0-5), "has children" (bit 7)
 *   label    the label's octets, in line: verifying a node costs no second access
 *
 * A directory of buckets (a node's bucket is key * n_buckets >> 32, so buckets follow
 * key order) gives the byte offset of each bucket's first record; it is small enough to
 * stay in cache (about one entry per three nodes), so a level costs one memory access
 * and the levels of a name are fetched in parallel. A record's byte offset is the
 * node's identity (verdict.entry_node, parents).
 *
 * A payload record is [n_exact, n_wild, exact lists..., wildcard lists...]: the domain
 * lists holding "name" (exact) or "*.name" (wildcard) for this node. The root's record
 * lists the match-all ("*") lists as exact entries.
 */
#ifndef DNSFW_TRIE_H
#define DNSFW_TRIE_H

#include "util.h"

#define TRIE_EMPTY     UINT32_MAX
#define TRIE_ROOT      (UINT32_MAX - 1)
#define TRIE_MAX_NODES (UINT32_MAX / 2)
#define TRIE_HEAD      13              /* bytes of a record before its label */
#define TRIE_LEN_MASK  0x3Fu           /* meta: label length */
#define TRIE_CHILDREN  0x80u           /* meta: the node has children */
#define TRIE_SLACK     (TRIE_HEAD + 8) /* zero bytes after the last record (reads ahead) */

struct trie {
    uint8_t *nodes; /* records in key order, then TRIE_SLACK zero bytes */
    size_t nodes_len;
    uint32_t *dir; /* [n_buckets + 1]: offset of each bucket's first record, then the end */
    uint32_t n_buckets;
    uint32_t n_nodes;
    uint32_t *payloads; /* entry records; offset 0 is the empty record */
    size_t payloads_len;
    uint32_t root_payload;
};

/* A record's fixed part. */
struct trie_head {
    uint32_t key, parent, payload;
    uint8_t meta;
};

static inline void trie_head_at(const struct trie *t, uint32_t off, struct trie_head *h)
{
    const uint8_t *p = t->nodes + off;
    memcpy(&h->key, p, 4);
    memcpy(&h->parent, p + 4, 4);
    memcpy(&h->payload, p + 8, 4);
    h->meta = p[12];
}

/* A record's payload offset and meta octet, without reading the rest of its head. */
static inline uint32_t trie_payload_at(const uint8_t *nodes, uint32_t off)
{
    uint32_t payload;
    memcpy(&payload, nodes + off + 8, 4);
    return payload;
}

static inline uint8_t trie_meta_at(const uint8_t *nodes, uint32_t off)
{
    return nodes[off + 12];
}

/* The key that orders the records: the upper half of a path hash. */
static inline uint32_t trie_key(uint64_t hash)
{
    return (uint32_t)(hash >> 32);
}

static inline uint32_t trie_bucket(uint32_t key, uint32_t n_buckets)
{
    return (uint32_t)(((uint64_t)key * n_buckets) >> 32);
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
    uint64_t x, y;
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    return ((x ^ y) & dnsfw__tail_mask(len)) == 0;
}

/*
 * The record of the node with this key, parent and label among the records [off, end)
 * of its bucket, or TRIE_EMPTY. A bucket's records are in key order, so the search
 * stops at the first greater key.
 */
static inline uint32_t trie_find(const uint8_t *nodes, uint32_t off, uint32_t end, uint32_t key,
                                 uint32_t parent, const uint8_t *label, size_t len)
{
    while (off < end) {
        const uint8_t *p = nodes + off;
        uint32_t k, par;
        memcpy(&k, p, 4);
        size_t l = p[12] & TRIE_LEN_MASK;
        if (k == key) {
            memcpy(&par, p + 4, 4);
            if (l == len && par == parent && trie_label_eq(p + TRIE_HEAD, label, len))
                return off;
        } else if (k > key) {
            break;
        }
        off += (uint32_t)(TRIE_HEAD + l);
    }
    return TRIE_EMPTY;
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
