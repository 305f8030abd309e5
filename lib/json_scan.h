/*
 * The JSON scanner shared by the query-log readers: a single validating pass over a
 * buffer that keeps pointers to the strings it finds instead of building a tree
 * (log_route53.c reads millions of records a second with it; log_doc.c walks the
 * CloudWatch and EventBridge documents around them). Strings without escapes are
 * returned in place, escaped ones are decoded into sc->out, which the caller sized.
 *
 * sc->eof is set when a failure, or the end of a number or literal, happened at the end
 * of the buffer: more input could change the outcome. A streaming caller then waits for
 * more bytes instead of reporting the value.
 */
#ifndef DNSFW_JSON_SCAN_H
#define DNSFW_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Not inline: the compiler decides, as it did when these lived in log_route53.c (the
 * replay's speed depends on which ones it inlines). Unused ones are fine. */
#define JSON_SCAN_FN static __attribute__((unused))
#define MAX_DEPTH    64

struct scan {
    const uint8_t *p, *end;
    char *out; /* decoded strings go here; room for the whole line was reserved */
    int status;
    const char *reason;
    bool eof; /* the end of the buffer was reached where more input could continue */
    bool raw; /* strings are checked, not decoded: out is their text with its escapes */
};

JSON_SCAN_FN bool fail(struct scan *sc, int status, const char *reason)
{
    if (!sc->status) {
        sc->status = status;
        sc->reason = reason;
    }
    return false;
}

/* The value goes on past the end of the buffer. */
static inline bool fail_end(struct scan *sc)
{
    sc->eof = true;
    return fail(sc, DNSFW_EPARSE, "the record is truncated");
}

static inline void skip_ws(struct scan *sc)
{
    /* Resolver writes no whitespace between tokens: one compare settles the usual case. */
    while (sc->p < sc->end && *sc->p <= ' ' &&
           (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\r' || *sc->p == '\n'))
        sc->p++;
}

static inline bool expect(struct scan *sc, uint8_t c, const char *reason)
{
    skip_ws(sc);
    if (sc->p >= sc->end)
        return fail_end(sc);
    if (*sc->p != c)
        return fail(sc, DNSFW_EPARSE, reason);
    sc->p++;
    return true;
}

JSON_SCAN_FN int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

JSON_SCAN_FN bool hex4(struct scan *sc, const uint8_t *q, uint32_t *v)
{
    if (sc->end - q < 4)
        return fail(sc, DNSFW_EPARSE, "truncated \\u escape");
    *v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(q[i]);
        if (h < 0)
            return fail(sc, DNSFW_EPARSE, "bad \\u escape");
        *v = *v << 4 | (uint32_t)h;
    }
    return true;
}

JSON_SCAN_FN char *put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | cp >> 12);
        *o++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | cp >> 18);
        *o++ = (char)(0x80 | (cp >> 12 & 0x3F));
        *o++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* Decode the escaped string body [q, stop) into the scratch. */
JSON_SCAN_FN bool decode(struct scan *sc, const uint8_t *q, const uint8_t *stop, dnsfw_text *out)
{
    char *o = sc->out, *start = o;
    while (q < stop) {
        if (*q != '\\') {
            *o++ = (char)*q++;
            continue;
        }
        q++;
        uint32_t cp;
        switch (*q++) {
        case '"':
            *o++ = '"';
            break;
        case '\\':
            *o++ = '\\';
            break;
        case '/':
            *o++ = '/';
            break;
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u':
            if (!hex4(sc, q, &cp))
                return false;
            q += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo;
                if (stop - q < 6 || q[0] != '\\' || q[1] != 'u' || !hex4(sc, q + 2, &lo) ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return fail(sc, DNSFW_EENCODING, "unpaired UTF-16 surrogate in \\u escape");
                q += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return fail(sc, DNSFW_EENCODING, "unpaired UTF-16 surrogate in \\u escape");
            }
            if (cp == 0)
                return fail(sc, DNSFW_EENCODING, "\\u0000 in a string");
            o = put_utf8(o, cp);
            break;
        default:
            return fail(sc, DNSFW_EPARSE, "bad escape in a string");
        }
    }
    out->ptr = start;
    out->len = (size_t)(o - start);
    sc->out = o;
    return true;
}

/* Bytes a string can hold as they are: printable ASCII but '"' and '\\'. */
static const uint8_t plain[256] = {
#define R8(x) x, x, x, x, x, x, x, x
    R8(0), R8(0), R8(0), R8(0), /* 0x00-0x1f: control */
    1,     1,     0,     1,     1,     1,     1,     1,     R8(1), R8(1), R8(1), /* 0x20-0x3f; 0x22
                                                                                    is '"' */
    R8(1), R8(1), R8(1), 1,     1,     1,     1,     0,     1,     1,     1, /* 0x40-0x5f; 0x5c is
                                                                                '\\' */
    R8(1), R8(1), R8(1), R8(1),                                              /* 0x60-0x7f */
    R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
    R8(0), R8(0), R8(0), R8(0), /* 0x80-0xff: UTF-8 */
#undef R8
};

/* Skip plain bytes: 16 at a time where SSE2 is there, so that most strings end in one step. */
static inline const uint8_t *skip_plain(const uint8_t *q, const uint8_t *end)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end - q >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)q);
        /* Signed: bytes >= 0x80 are negative, so "less than 0x20" catches them too. */
        __m128i hit =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                         _mm_cmplt_epi8(v, space));
        unsigned mask = (unsigned)_mm_movemask_epi8(hit);
        if (mask)
            return q + __builtin_ctz(mask);
        q += 16;
    }
#endif
    while (q < end && plain[*q])
        q++;
    return q;
}

/* A string at sc->p (the opening quote). */
static inline bool string(struct scan *sc, dnsfw_text *out)
{
    const uint8_t *start = ++sc->p, *q = start;
    bool escaped = false;
    for (;;) {
        q = skip_plain(q, sc->end);
        if (q >= sc->end) {
            sc->eof = true;
            return fail(sc, DNSFW_EPARSE, "the record is truncated inside a string");
        }
        uint8_t c = *q;
        if (c == '"')
            break;
        if (c == '\\') {
            escaped = true;
            q += 2;
        } else if (c < 0x20) {
            sc->p = q; /* where it went wrong, as a reader fed in pieces would find it */
            return fail(sc, DNSFW_EPARSE, "control character in a string");
        } else if (c < 0x80) {
            q++;
        } else {
            size_t n = dnsfw__utf8_seq(q, (size_t)(sc->end - q));
            if (!n) {
                sc->p = q;
                sc->eof = sc->end - q < 4; /* perhaps a sequence the next bytes complete */
                return fail(sc, DNSFW_EENCODING, "invalid UTF-8 in a string");
            }
            q += n;
        }
    }
    sc->p = q + 1;
    if (!escaped || sc->raw) {
        out->ptr = (const char *)start;
        out->len = (size_t)(q - start);
        return true;
    }
    return decode(sc, start, q, out);
}

JSON_SCAN_FN bool literal(struct scan *sc, const char *word, size_t n)
{
    size_t have = (size_t)(sc->end - sc->p);
    if (have < n || memcmp(sc->p, word, n) != 0) {
        sc->eof = have < n && memcmp(sc->p, word, have) == 0;
        return fail(sc, DNSFW_EPARSE, "invalid JSON value");
    }
    sc->p += n;
    return true;
}

JSON_SCAN_FN bool digits(struct scan *sc)
{
    const uint8_t *s = sc->p;
    while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9')
        sc->p++;
    sc->eof |= sc->p >= sc->end; /* the number may go on */
    return sc->p > s || fail(sc, DNSFW_EPARSE, "invalid number");
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? ; *out is its text. */
JSON_SCAN_FN bool number(struct scan *sc, dnsfw_text *out)
{
    const uint8_t *s = sc->p;
    if (*sc->p == '-')
        sc->p++;
    if (sc->p < sc->end && *sc->p == '0')
        sc->p++;
    else if (!digits(sc))
        return false;
    if (sc->p < sc->end && *sc->p == '.') {
        sc->p++;
        if (!digits(sc))
            return false;
    }
    if (sc->p < sc->end && (*sc->p == 'e' || *sc->p == 'E')) {
        sc->p++;
        if (sc->p < sc->end && (*sc->p == '+' || *sc->p == '-'))
            sc->p++;
        if (!digits(sc))
            return false;
    }
    out->ptr = (const char *)s;
    out->len = (size_t)(sc->p - s);
    return true;
}

JSON_SCAN_FN bool skip_value(struct scan *sc, int depth);

/* Members of an object or elements of an array, after the opening bracket. */
JSON_SCAN_FN bool skip_container(struct scan *sc, bool object, int depth)
{
    skip_ws(sc);
    if (sc->p < sc->end && *sc->p == (object ? '}' : ']')) {
        sc->p++;
        return true;
    }
    for (;;) {
        if (object) {
            dnsfw_text key;
            skip_ws(sc);
            if (sc->p >= sc->end || *sc->p != '"')
                return sc->p >= sc->end ? fail_end(sc) : fail(sc, DNSFW_EPARSE, "expected a key");
            if (!string(sc, &key) || !expect(sc, ':', "expected ':' after a key"))
                return false;
        }
        if (!skip_value(sc, depth + 1))
            return false;
        skip_ws(sc);
        if (sc->p >= sc->end)
            return fail_end(sc);
        uint8_t c = *sc->p++;
        if (c == (object ? '}' : ']'))
            return true;
        if (c != ',')
            return fail(sc, DNSFW_EPARSE, "expected ',' or the end of a container");
    }
}

JSON_SCAN_FN bool skip_value(struct scan *sc, int depth)
{
    dnsfw_text t;
    if (depth > MAX_DEPTH)
        return fail(sc, DNSFW_EPARSE, "JSON nested too deeply");
    skip_ws(sc);
    if (sc->p >= sc->end)
        return fail_end(sc);
    switch (*sc->p) {
    case '"':
        return string(sc, &t);
    case '{':
    case '[': {
        bool object = *sc->p++ == '{';
        return skip_container(sc, object, depth);
    }
    case 't':
        return literal(sc, "true", 4);
    case 'f':
        return literal(sc, "false", 5);
    case 'n':
        return literal(sc, "null", 4);
    default:
        if (*sc->p == '-' || (*sc->p >= '0' && *sc->p <= '9'))
            return number(sc, &t);
        return fail(sc, DNSFW_EPARSE, "invalid JSON value");
    }
}

/* A value that must be a string (or a number when numbers_ok); null leaves it absent. */
JSON_SCAN_FN bool text_value(struct scan *sc, dnsfw_text *out, bool numbers_ok,
                             const char *not_string)
{
    skip_ws(sc);
    if (sc->p >= sc->end)
        return fail_end(sc);
    uint8_t c = *sc->p;
    if (c == '"')
        return string(sc, out);
    if (c == 'n')
        return literal(sc, "null", 4);
    if (numbers_ok && (c == '-' || (c >= '0' && c <= '9')))
        return number(sc, out);
    return skip_value(sc, 1) && fail(sc, DNSFW_ESCHEMA, not_string);
}

JSON_SCAN_FN bool is_key(const dnsfw_text *k, const char *name, size_t n)
{
    return k->len == n && memcmp(k->ptr, name, n) == 0;
}
#define KEY(k, lit) is_key(k, lit, sizeof lit - 1)

/*
 * The value of a member that must be a container: 1 when it opens with `open` (consumed),
 * 0 for null (absent, as for the string fields), -1 on error. A well-formed value of
 * another type is a schema error, as a mistyped string field is.
 */
JSON_SCAN_FN int container(struct scan *sc, uint8_t open, const char *mistyped)
{
    skip_ws(sc);
    if (sc->p >= sc->end) {
        fail_end(sc);
        return -1;
    }
    if (*sc->p == open) {
        sc->p++;
        return 1;
    }
    if (*sc->p == 'n')
        return literal(sc, "null", 4) ? 0 : -1;
    if (skip_value(sc, 2))
        fail(sc, DNSFW_ESCHEMA, mistyped);
    return -1;
}

#endif
