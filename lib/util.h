/* Small helpers shared by the library: overflow-checked growth and hashing. */
#ifndef DNSFW_UTIL_H
#define DNSFW_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dnsfw/dnsfw.h"

#define DNSFW_HIDDEN __attribute__((visibility("hidden")))

/*
 * Make room for `need` elements of `elem` bytes in *ptr (capacity *cap, in elements),
 * growing geometrically. Returns DNSFW_OK or DNSFW_ENOMEM; *ptr is unchanged on failure.
 */
DNSFW_HIDDEN int dnsfw__grow(void **ptr, size_t *cap, size_t need, size_t elem);

/*
 * Ask for transparent huge pages for the whole 2 MiB pages inside a large block that is
 * still mostly untouched (Linux; elsewhere nothing). Filling a policy of a million specs
 * touches some hundred megabytes: in 4 KiB pages their first-touch faults cost more, on
 * a virtual machine, than the work itself. A hint only.
 */
DNSFW_HIDDEN void dnsfw__advise_huge(void *p, size_t size);

/* strdup that returns NULL on failure (and for NULL input). */
DNSFW_HIDDEN char *dnsfw__strdup(const char *s);

/* snprintf into a dnsfw_error, when err is not NULL; returns status. */
DNSFW_HIDDEN int dnsfw__fail(dnsfw_error *err, int status, const char *file, uint32_t line,
                             uint32_t column, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

DNSFW_HIDDEN int dnsfw__vfail(dnsfw_error *err, int status, const char *file, uint32_t line,
                              uint32_t column, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

/* What reading the files of one policy load may still take. */
struct dnsfw__read_budget {
    size_t bytes_left;
    uint64_t deadline_ms; /* CLOCK_MONOTONIC; 0: none */
    bool regular_only;
};

/* CLOCK_MONOTONIC in milliseconds. */
DNSFW_HIDDEN uint64_t dnsfw__now_ms(void);

/*
 * Read a whole file into a NUL-terminated heap buffer within the budget (which is
 * charged what was read). Returns DNSFW_OK; DNSFW_EIO with errno set, or with *why set
 * to a static reason ("not a regular file (a FIFO)") and errno 0; DNSFW_ELIMIT when the
 * file holds more than the bytes left; DNSFW_ETIMEDOUT at the deadline; DNSFW_ENOMEM.
 */
DNSFW_HIDDEN int dnsfw__read_file(const char *path, struct dnsfw__read_budget *budget, char **data,
                                  size_t *len, const char **why);

/*
 * Length of the UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates, nothing
 * above U+10FFFF), or 0 when it is not one. avail >= 1.
 */
static inline size_t dnsfw__utf8_seq(const uint8_t *p, size_t avail)
{
    uint8_t c = p[0];
    if (c < 0x80)
        return 1;
    size_t n;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (avail < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return n;
}

/* Lower-case one ASCII letter; every other octet is returned as is. */
static inline uint8_t dnsfw__lower(uint8_t c)
{
    return (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/* --- eight octets at a time ------------------------------------------------------ */

#define DNSFW_ONES  0x0101010101010101ull
#define DNSFW_HIGHS 0x8080808080808080ull

/* 0x80 in every byte of v that equals c, 0 in the others (no carry crosses a byte). */
static inline uint64_t dnsfw__bytes_eq(uint64_t v, uint8_t c)
{
    uint64_t x = v ^ (DNSFW_ONES * c);
    return ~(((x & ~DNSFW_HIGHS) + ~DNSFW_HIGHS) | x | ~DNSFW_HIGHS);
}

/* v with its bytes 'A'..'Z' turned into 'a'..'z'; every other byte as it is. */
static inline uint64_t dnsfw__lower8(uint64_t v)
{
    uint64_t low7 = v & ~DNSFW_HIGHS;
    uint64_t ge_a = low7 + DNSFW_ONES * (0x80 - 'A');     /* high bit: low 7 bits >= 'A' */
    uint64_t gt_z = low7 + DNSFW_ONES * (0x80 - 'Z' - 1); /* high bit: low 7 bits > 'Z' */
    uint64_t upper = (ge_a ^ gt_z) & ~v & DNSFW_HIGHS;
    return v | (upper >> 2); /* 0x80 >> 2 is the 0x20 that lower-cases */
}

/* A mask from dnsfw__bytes_eq() with the byte at the lowest address in the lowest bits. */
static inline uint64_t dnsfw__in_address_order(uint64_t mask)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return __builtin_bswap64(mask);
#else
    return mask;
#endif
}

/* --- hashing ---------------------------------------------------------------------- */

#define DNSFW_HASH_SEED 0x243F6A8885A308D3ull

static inline uint64_t dnsfw__fmix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

/* The mask that keeps the first n (0..8) bytes of a word loaded from memory. */
static inline uint64_t dnsfw__tail_mask(size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return n >= 8 ? UINT64_MAX : n == 0 ? 0 : ~(UINT64_MAX >> (8 * n));
#else
    /* A table: one load instead of the shifts (this runs for every label of a lookup). */
    static const uint64_t masks[9] = {0,
                                      0xFFull,
                                      0xFFFFull,
                                      0xFFFFFFull,
                                      0xFFFFFFFFull,
                                      0xFFFFFFFFFFull,
                                      0xFFFFFFFFFFFFull,
                                      0xFFFFFFFFFFFFFFull,
                                      UINT64_MAX};
    return masks[n];
#endif
}

/* Load the first n (1..8) bytes at p into the low-order end, as memcpy would place them. */
static inline uint64_t dnsfw__load_tail(const uint8_t *p, size_t n)
{
    uint64_t v;
    memcpy(&v, p, 8); /* callers guarantee 8 readable bytes */
    return v & dnsfw__tail_mask(n);
}

/*
 * Extend hash h (of the labels above) with one label of 1..255 octets. The caller
 * guarantees that 8 bytes past the label's last byte are readable (names and the label
 * pool keep that slack), so the tail is loaded in one go and masked. A label shorter
 * than 8 octets costs one multiply. The trie takes the slot and the check from the
 * upper half, which the final multiply mixes well; the upper half is folded into the
 * lower one for the next label.
 */
static inline uint64_t dnsfw__hash_label(uint64_t h, const uint8_t *p, size_t len)
{
    size_t n = len;
    h ^= len;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        h = (h ^ v) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    if (n)
        h ^= dnsfw__load_tail(p, n);
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 32);
}

/* Hash of a byte string of any length (no slack needed). */
static inline uint64_t dnsfw__hash_bytes(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t h = DNSFW_HASH_SEED ^ len;
    while (len >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        h = (h ^ v) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
        p += 8;
        len -= 8;
    }
    uint64_t v = 0;
    memcpy(&v, p, len);
    return dnsfw__fmix64(h ^ v);
}

#endif
