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

/* Load the first n (1..8) bytes at p into the low-order end, as memcpy would place them. */
static inline uint64_t dnsfw__load_tail(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    memcpy(&v, p, 8); /* callers guarantee 8 readable bytes */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return n == 8 ? v : v & ~(UINT64_MAX >> (8 * n));
#else
    return v & (UINT64_MAX >> (64 - 8 * n));
#endif
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
