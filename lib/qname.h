/*
 * A query name prepared for the trie: where each of its levels (the top-level label
 * first) lives in the trie, found in one right-to-left pass over the presentation form.
 *
 * The pass reads the text a block of 16 octets at a time (8 without SSE2) from its end:
 * it lower-cases the block, finds its dots and any backslash, checks each label's
 * length as the dot before it is found, hashes the label into the path hash and asks
 * for that level's bucket of the directory at once. By the time the first label is
 * reached, the fetches of every level are under way. Anything unusual (an escape, an
 * empty or long label, a name that is too long, the root) is left to the general parser
 * of name.c, which decides from scratch and names the error; its wire form then gets
 * the same treatment.
 */
#ifndef DNSFW_QNAME_H
#define DNSFW_QNAME_H

#include <stddef.h>

#include "name.h"
#include "trie.h"

struct qname {
    const uint8_t *base; /* the labels' octets, lower-cased: text + QNAME_PAD */
    unsigned nlabels;
    uint8_t start[DNSFW_LABELS_MAX]; /* level i: offset of its first octet in base */
    uint8_t len[DNSFW_LABELS_MAX];
    uint32_t key[DNSFW_LABELS_MAX]; /* trie_key() of the path hash down to level i */
    /* Its bucket's records: [first, end) in the trie's records. Until qname_records(),
     * first holds the bucket's number when the name was prepared with prefetch_only. */
    uint32_t first[DNSFW_LABELS_MAX];
    uint32_t end[DNSFW_LABELS_MAX];
    uint8_t text[16 + DNSFW_WIRE_MAX + 8]; /* QNAME_PAD, then the name and 8 octets of slack */
};

/*
 * Add level i (the next one down): hash it into the path hash *h, note its key and find
 * its bucket. One lookup reads the bucket's bounds at once and asks for its records;
 * a batch (prefetch_only) only asks for the directory entry here, so that preparing
 * names never waits on memory, and reads it later in qname_records().
 */
static inline void qname_level(struct qname *q, const struct trie *t, bool prefetch_only,
                               unsigned i, uint64_t *h, size_t start, size_t len)
{
    *h = dnsfw__hash_label(*h, q->base + start, len);
    q->start[i] = (uint8_t)start;
    q->len[i] = (uint8_t)len;
    uint32_t key = trie_key(*h), b = trie_bucket(key, t->n_buckets);
    q->key[i] = key;
    if (prefetch_only) {
        q->first[i] = b;
        __builtin_prefetch(&t->dir[b]);
    } else {
        q->first[i] = t->dir[b];
        q->end[i] = t->dir[b + 1];
        __builtin_prefetch(t->nodes + q->first[i]);
    }
}

/* After a prefetch_only preparation: read the directory entries, ask for the records. */
static inline void qname_records(struct qname *q, const struct trie *t)
{
    for (unsigned i = 0; i < q->nlabels; i++) {
        uint32_t b = q->first[i];
        q->first[i] = t->dir[b];
        q->end[i] = t->dir[b + 1];
        __builtin_prefetch(t->nodes + q->first[i]);
    }
}

#if defined(__SSE2__)
#include <emmintrin.h>
#define QNAME_BLOCK 16
typedef uint32_t qname_mask; /* one bit a octet of a block, the lowest for the lowest address */

/* Lower-case the block at p in place; say where its dots and backslashes are. */
static inline qname_mask qname_block(uint8_t *p, qname_mask *escapes)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    qname_mask dots = (qname_mask)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
    *escapes |= (qname_mask)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    /* Signed compares: octets over 0x7f are negative, so never letters. */
    __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
    v = _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
    _mm_storeu_si128((__m128i *)(void *)p, v);
    return dots;
}
#else
#define QNAME_BLOCK 8
typedef uint64_t qname_mask; /* 0x80 in the byte of each octet found, in address order */

static inline qname_mask qname_block(uint8_t *p, qname_mask *escapes)
{
    uint64_t v;
    memcpy(&v, p, 8);
    *escapes |= dnsfw__bytes_eq(v, '\\');
    qname_mask dots = dnsfw__in_address_order(dnsfw__bytes_eq(v, '.'));
    v = dnsfw__lower8(v);
    memcpy(p, &v, 8);
    return dots;
}
#endif

#define QNAME_PAD QNAME_BLOCK /* zero octets before the text: the last block may start there */

/*
 * The pass. False when the name needs the general parser (then nothing in q is valid).
 * A label that is empty or over 63 octets is caught when the dot before it is found.
 */
static inline bool qname_scan(struct qname *q, const struct trie *t, bool prefetch_only,
                              const char *s, size_t len)
{
    if (len > 0 && s[len - 1] == '.')
        len--; /* the optional trailing dot */
    if (len == 0 || len > DNSFW_WIRE_MAX - 2)
        return false; /* the root, or too long (or, for the general parser, escaped) */
    uint8_t *text = q->text + QNAME_PAD;
    memset(q->text, 0, QNAME_PAD);
    memcpy(text, s, len);
    memset(text + len, 0, 8); /* slack: label tails are loaded eight octets at a time */
    q->base = text;
    unsigned n = 0;
    uint64_t h = DNSFW_HASH_SEED;
    qname_mask escapes = 0;
    size_t end = len; /* one past the label the next dot closes */
    for (ptrdiff_t w = (ptrdiff_t)len - QNAME_BLOCK;; w -= QNAME_BLOCK) {
        qname_mask dots = qname_block(text + w, &escapes); /* w > -QNAME_BLOCK: the pad */
        while (dots) {                                     /* the rightmost dot first */
            unsigned bit = (unsigned)(8 * sizeof dots) - 1 -
                           (unsigned)(sizeof dots == 8 ? __builtin_clzll(dots)
                                                       : __builtin_clz((unsigned)dots));
            dots ^= (qname_mask)1 << bit;
            size_t dot = (size_t)(w + (ptrdiff_t)(QNAME_BLOCK == 8 ? bit >> 3 : bit));
            size_t l = end - dot - 1;
            if (l - 1 >= DNSFW_LABEL_MAX) /* 0 or over 63 */
                return false;
            qname_level(q, t, prefetch_only, n++, &h, dot + 1, l);
            end = dot;
        }
        if (w <= 0)
            break;
    }
    if (escapes || end - 1 >= DNSFW_LABEL_MAX)
        return false;
    qname_level(q, t, prefetch_only, n++, &h, 0, end);
    q->nlabels = n;
    return true;
}

/* The same for a name the general parser made (lower-cased wire form). */
static inline void qname_from_wire(struct qname *q, const struct trie *t, bool prefetch_only,
                                   const struct dnsfw_name *n)
{
    uint8_t *wire = q->text + QNAME_PAD;
    memcpy(wire, n->wire, (size_t)n->len + 8); /* the wire form has 8 zeroed octets of slack */
    q->base = wire;
    q->nlabels = 0;
    q->nlabels = n->nlabels;
    uint64_t h = DNSFW_HASH_SEED;
    for (unsigned i = 0; i < n->nlabels; i++) {
        size_t at = n->off[n->nlabels - 1 - i];
        qname_level(q, t, prefetch_only, i, &h, at + 1, n->wire[at]);
    }
}

#endif
