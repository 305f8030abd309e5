/*
 * Route 53 records as Resolver writes them, read in a fraction of the general parser's
 * instructions: compact JSON (no whitespace between tokens), printable ASCII, no
 * escapes. One SIMD pass over the record proves there is nothing to decode and lists
 * where every quote is; the walk then takes each string from that list, and checks the
 * bytes between strings one by one. It reads a copy of the record followed by zeros, so
 * that it needs no bounds check: a zero matches no token.
 *
 * The same walk reads a record still inside a CloudWatch event's "message" string, in
 * its escaped form (`{\"version\":\"1.1\",...}`), without decoding it first: when the
 * only escapes are `\"`, each one is a quote of the record and the text between them is
 * the record's text, byte for byte.
 *
 * This is only a fast path. It accepts a record only when the general parser
 * (log_route53.c) would accept it with the same fields; anything else (whitespace
 * between tokens, escapes, non-ASCII text, deep nesting, a record longer than FAST_MAX,
 * a malformed or incomplete record) makes it give up, and the general parser reads the
 * record and says what is wrong.
 */
#include <stddef.h>

#include "log_route53_keys.h"
#include "logparse.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1
#endif

/* Nesting of values in members the reader does not know, for the fast path. */
#define MAX_NEST 8

/* --- the index pass ------------------------------------------------------------------ */

/*
 * A block of 32 bytes at s: bit i of *q is set when s[i] is a quote, of *b a backslash,
 * of *c a control or non-ASCII byte.
 */
static inline void classify_sse2(const char *s, uint32_t *q, uint32_t *b, uint32_t *c)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    __m128i lo = _mm_loadu_si128((const __m128i *)s);
    __m128i hi = _mm_loadu_si128((const __m128i *)(s + 16));
    /* signed compare: bytes >= 0x80 are negative, below 0x20 */
    *q = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(lo, quote)) |
         (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(hi, quote)) << 16;
    *b = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(lo, bslash)) |
         (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(hi, bslash)) << 16;
    *c = (uint32_t)_mm_movemask_epi8(_mm_cmplt_epi8(lo, space)) |
         (uint32_t)_mm_movemask_epi8(_mm_cmplt_epi8(hi, space)) << 16;
#else
    *q = *b = *c = 0;
    for (int i = 0; i < 32; i++) {
        uint8_t x = (uint8_t)s[i];
        *q |= (uint32_t)(x == '"') << i;
        *b |= (uint32_t)(x == '\\') << i;
        *c |= (uint32_t)(x < 0x20 || x >= 0x80) << i;
    }
#endif
}

#ifdef HAVE_AVX2_PATH
__attribute__((target("avx2"))) static inline void classify_avx2(const char *s, uint32_t *q,
                                                                 uint32_t *b, uint32_t *c)
{
    __m256i v = _mm256_loadu_si256((const __m256i *)s);
    *q = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')));
    *b = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\')));
    /* signed compare: bytes >= 0x80 are negative, below 0x20 */
    *c = (uint32_t)_mm256_movemask_epi8(_mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), v));
}
#endif

/*
 * The offsets of the bits of m, plus base, from out on; the new end. Four at a time,
 * without a branch per bit: the slots past the end get junk, which the next block's
 * offsets overwrite (the array has room for it).
 */
#define PUT_MARKS(out, base, m, TZCNT)                                                             \
    do {                                                                                           \
        uint32_t *next_ = (out) + __builtin_popcount(m);                                           \
        for (uint32_t m_ = (m); m_;) {                                                             \
            (out)[0] = (base) + TZCNT(m_);                                                         \
            m_ &= m_ - 1;                                                                          \
            (out)[1] = (base) + TZCNT(m_);                                                         \
            m_ &= m_ - 1;                                                                          \
            (out)[2] = (base) + TZCNT(m_);                                                         \
            m_ &= m_ - 1;                                                                          \
            (out)[3] = (base) + TZCNT(m_);                                                         \
            m_ &= m_ - 1;                                                                          \
            (out) += 4;                                                                            \
        }                                                                                          \
        (out) = next_;                                                                             \
    } while (0)

/* Trailing zeros of a 32-bit word, 32 for 0 (as the TZCNT instruction). */
static inline uint32_t tz32(uint32_t m)
{
    return m ? (uint32_t)__builtin_ctz(m) : 32;
}

/*
 * The index pass over s[0, len), written once for each way of classifying a block (AVX2
 * where the CPU has it). Plain: s is the padded copy (the zeros after len are read with
 * the last block, and ignored); the offsets of the quotes go to marks; false when a byte
 * cannot be read as it is. Escaped (a JSON string body, in the input's buffer): the last
 * short block is read from a copy; the offsets of the backslashes, each of which must
 * begin a `\"`, up to the closing quote, whose offset goes to *close; false for any
 * other escape, a control or non-ASCII byte, or no closing quote in len bytes.
 */
#define INDEX_FUNCTION(SUFFIX, CLASSIFY, TZCNT, ATTR)                                              \
    ATTR static bool index_##SUFFIX(const char *s, size_t len, bool esc, uint32_t *marks,          \
                                    uint32_t *n_marks, size_t *close)                              \
    {                                                                                              \
        uint32_t *out = marks, carry = 0; /* carry: the byte before is a backslash */              \
        for (size_t i = 0; i < len; i += 32) {                                                     \
            uint32_t q, b, c, m;                                                                   \
            if (!esc) {                                                                            \
                CLASSIFY(s + i, &q, &b, &c);                                                       \
                if (i + 32 > len)                                                                  \
                    c &= (1u << (len - i)) - 1; /* the padding's zeros */                          \
                if (b | c)                                                                         \
                    return false;                                                                  \
                m = q;                                                                             \
            } else {                                                                               \
                if (i + 32 <= len) {                                                               \
                    CLASSIFY(s + i, &q, &b, &c);                                                   \
                } else {                                                                           \
                    char pad[32];                                                                  \
                    memset(pad, ' ', sizeof pad);                                                  \
                    memcpy(pad, s + i, len - i);                                                   \
                    CLASSIFY(pad, &q, &b, &c);                                                     \
                }                                                                                  \
                uint32_t after = b << 1 | carry; /* bytes that follow a backslash */               \
                carry = b >> 31;                                                                   \
                uint32_t end = q & ~after;                                                         \
                uint32_t before = end ? (end & (0u - end)) - 1 : ~0u;                              \
                if ((c | (after & ~q)) & before)                                                   \
                    return false;                                                                  \
                m = b & before;                                                                    \
                if (end) {                                                                         \
                    *close = i + (size_t)__builtin_ctz(end);                                       \
                    len = 0; /* this block is the last */                                          \
                }                                                                                  \
            }                                                                                      \
            PUT_MARKS(out, (uint32_t)i, m, TZCNT);                                                 \
        }                                                                                          \
        *n_marks = (uint32_t)(out - marks);                                                        \
        return !esc || len == 0;                                                                   \
    }

INDEX_FUNCTION(sse2, classify_sse2, tz32, )
#ifdef HAVE_AVX2_PATH
INDEX_FUNCTION(avx2, classify_avx2, _tzcnt_u32, __attribute__((target("avx2,bmi"))))
#endif

static bool index_record(const char *s, size_t len, bool esc, uint32_t *marks, uint32_t *n,
                         size_t *close)
{
#ifdef HAVE_AVX2_PATH
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi"))
        return index_avx2(s, len, esc, marks, n, close);
#endif
    return index_sse2(s, len, esc, marks, n, close);
}

/* --- the walk ------------------------------------------------------------------------ */

/* The copy and its index; the walk's position in the marks. */
struct walk {
    const char *base;
    const uint32_t *m;
    uint32_t n, j; /* marks, and the next one */
    int esc;       /* 1: escaped form (a quote is `\"`), 0: plain */
};

/* A string token at p: its text; the position after it, or NULL. In the escaped form a
 * token is \"text\", and the text has no escape of its own (the index said so). */
static inline const char *str(struct walk *w, const char *p, dnsfw_text *out)
{
    if (w->j + 1 >= w->n || w->base + w->m[w->j] != p)
        return NULL;
    const char *close = w->base + w->m[w->j + 1];
    out->ptr = p + 1 + w->esc;
    out->len = (size_t)(close - out->ptr);
    w->j += 2;
    return close + 1 + w->esc;
}

static inline bool is_str(const struct walk *w, const char *p)
{
    return w->j < w->n && w->base + w->m[w->j] == p;
}

static inline const char *digits(const char *p)
{
    while (*p >= '0' && *p <= '9')
        p++;
    return p;
}

/* A number: its text, and the position after it (NULL if it is not one). */
static const char *num(const char *p, dnsfw_text *out)
{
    const char *s = p, *d;
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if ((d = digits(p)) == p)
        return NULL;
    else
        p = d;
    if (*p == '.') {
        p++;
        if ((d = digits(p)) == p)
            return NULL;
        p = d;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if ((d = digits(p)) == p)
            return NULL;
        p = d;
    }
    out->ptr = s;
    out->len = (size_t)(p - s);
    return p;
}

static inline bool is_num(char c)
{
    return c == '-' || (c >= '0' && c <= '9');
}

static inline const char *lit(const char *p, const char *word, size_t n)
{
    return memcmp(p, word, n) == 0 ? p + n : NULL;
}

/* Any value: the position after it, or NULL. */
static const char *skip(struct walk *w, const char *p, int depth)
{
    dnsfw_text t;
    switch (*p) {
    case '{':
    case '[': {
        char close = *p++ == '{' ? '}' : ']';
        if (depth >= MAX_NEST)
            return NULL;
        if (*p == close)
            return p + 1;
        for (;;) {
            if (close == '}' && (!(p = str(w, p, &t)) || *p++ != ':'))
                return NULL;
            if (!(p = skip(w, p, depth + 1)))
                return NULL;
            char c = *p++;
            if (c == close)
                return p;
            if (c != ',')
                return NULL;
        }
    }
    case 't':
        return lit(p, "true", 4);
    case 'f':
        return lit(p, "false", 5);
    case 'n':
        return lit(p, "null", 4);
    default:
        if (is_str(w, p))
            return str(w, p, &t);
        return is_num(*p) ? num(p, &t) : NULL;
    }
}

/* A text field: a string, null (absent), or a number where numbers_ok. */
static inline const char *text(struct walk *w, const char *p, dnsfw_text *out, bool numbers_ok)
{
    if (is_str(w, p))
        return str(w, p, out);
    if (*p == 'n')
        return lit(p, "null", 4);
    if (numbers_ok && is_num(*p))
        return num(p, out);
    return NULL;
}

/* A key and its ':': the position of the value. */
static inline const char *key(struct walk *w, const char *p, dnsfw_text *k)
{
    if (!(p = str(w, p, k)) || *p != ':')
        return NULL;
    return p + 1;
}

static inline bool key_is(const dnsfw_text *k, const char *lit, size_t n)
{
    return k->len == n && memcmp(k->ptr, lit, n) == 0;
}
#define KEY_IS(k, lit) key_is(k, lit, sizeof lit - 1)

static const char *answers(struct walk *w, const char *p, dnsfw_log_record *rec)
{
    if (*p == 'n')
        return lit(p, "null", 4);
    if (*p++ != '[')
        return NULL;
    if (*p == ']')
        return p + 1;
    for (;;) {
        if (*p++ != '{')
            return NULL;
        dnsfw_text rdata = {0}, type = {0}, k;
        if (*p == '}') {
            p++;
        } else {
            for (;;) {
                if (!(p = key(w, p, &k)))
                    return NULL;
                p = KEY_IS(&k, "Rdata")  ? text(w, p, &rdata, false)
                    : KEY_IS(&k, "Type") ? text(w, p, &type, false)
                                         : skip(w, p, 2);
                if (!p)
                    return NULL;
                char c = *p++;
                if (c == '}')
                    break;
                if (c != ',')
                    return NULL;
            }
        }
        r53_answer(rec, &rdata, &type);
        char c = *p++;
        if (c == ']')
            return p;
        if (c != ',')
            return NULL;
    }
}

static const char *srcids(struct walk *w, const char *p, dnsfw_log_record *rec)
{
    if (*p == 'n')
        return lit(p, "null", 4);
    if (*p++ != '{')
        return NULL;
    if (*p == '}')
        return p + 1;
    dnsfw_text instance = {0}, endpoint = {0}, k;
    for (;;) {
        if (!(p = key(w, p, &k)))
            return NULL;
        p = KEY_IS(&k, "instance")            ? text(w, p, &instance, false)
            : KEY_IS(&k, "resolver_endpoint") ? text(w, p, &endpoint, false)
                                              : skip(w, p, 2);
        if (!p)
            return NULL;
        char c = *p++;
        if (c == '}')
            break;
        if (c != ',')
            return NULL;
    }
    rec->instance = instance.ptr ? instance : endpoint;
    return p;
}

/* The record: the copy holds it whole, and nothing may follow it. */
static bool record(struct walk *w, size_t len, dnsfw_log_record *rec)
{
    memset(rec, 0, sizeof *rec);
    rec->time = DNSFW_TIME_NONE;
    const char *p = w->base;
    if (*p++ != '{')
        return false;
    uint32_t seen = 0;
    for (;;) {
        dnsfw_text k;
        if (!(p = key(w, p, &k)))
            return false;
        int f = r53_key(&k);
        if (f == F_UNKNOWN) {
            p = skip(w, p, 1);
        } else {
            if (seen & (1u << f))
                return false; /* a key twice: the general parser says so */
            seen |= 1u << f;
            if (f == F_ANSWERS)
                p = answers(w, p, rec);
            else if (f == F_SRCIDS)
                p = srcids(w, p, rec);
            else
                p = text(w, p, (dnsfw_text *)((char *)rec + r53_texts[f].offset),
                         r53_texts[f].numbers_ok);
        }
        if (!p)
            return false;
        char c = *p++;
        if (c == '}')
            break;
        if (c != ',')
            return false;
    }
    return p == w->base + len && rec->query_name.len && rec->query_type.ptr;
}

/* A text of the copy made to point at the same bytes of the original. */
static inline void rebase(dnsfw_text *t, const char *copy, const char *orig)
{
    if (t->ptr)
        t->ptr = orig + (t->ptr - copy);
}

/*
 * The record's texts moved from the copy to the original, which holds the same bytes:
 * as from the general parser, unescaped strings point into the line (or the event), and
 * the copy is only the walk's scratch.
 */
static void point_into(dnsfw_log_record *rec, const char *copy, const char *orig)
{
    for (size_t f = 0; f < F_TEXTS; f++)
        rebase((dnsfw_text *)((char *)rec + r53_texts[f].offset), copy, orig);
    rebase(&rec->instance, copy, orig);
    for (size_t i = 0; i < rec->n_chain; i++)
        rebase(&rec->chain[i], copy, orig);
    for (size_t i = 0; i < rec->n_addresses; i++)
        rebase(&rec->addresses[i], copy, orig);
}

/* The copy the walk reads: the record, then zeros (no token matches them). */
static const char *copy_of(dnsfw_logscratch *s, const char *text, size_t len)
{
    memcpy(s->fast, text, len);
    memset(s->fast + len, 0, FAST_PAD);
    return s->fast;
}

bool dnsfw__route53_fast(dnsfw_logscratch *s, const char *line, size_t len, dnsfw_log_record *rec)
{
    uint32_t n;
    size_t close;
    if (len > FAST_MAX)
        return false;
    const char *c = copy_of(s, line, len);
    if (!index_record(c, len, false, s->marks, &n, &close))
        return false;
    struct walk w = {.base = c, .m = s->marks, .n = n, .esc = 0};
    if (!record(&w, len, rec))
        return false;
    point_into(rec, c, line);
    return true;
}

bool dnsfw__route53_escaped(dnsfw_logscratch *s, const char *body, size_t avail,
                            dnsfw_log_record *rec, size_t *used)
{
    uint32_t n;
    size_t close = 0;
    if (avail > FAST_MAX)
        avail = FAST_MAX;
    if (!index_record(body, avail, true, s->marks, &n, &close))
        return false;
    struct walk w = {.base = copy_of(s, body, close), .m = s->marks, .n = n, .esc = 1};
    if (!record(&w, close, rec))
        return false;
    point_into(rec, w.base, body);
    *used = close + 1;
    return true;
}
