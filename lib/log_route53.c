/*
 * Route 53 Resolver query-log records: one JSON object a line (aws-dns-firewall.md §8).
 *
 * A single pass over the line that validates the JSON as it goes and keeps pointers to
 * the fields a record has, instead of building a tree: replay has to read millions of
 * records a second, and cJSON's allocation per value costs several times that budget.
 * Key order is free, unknown members (of any JSON type) are skipped, strings without
 * escapes are returned in place and escaped ones are decoded into the scratch.
 */
#include <stddef.h>
#include <stdlib.h>

#include "logparse.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define MAX_DEPTH 64

struct scan {
    const uint8_t *p, *end;
    char *out; /* decoded strings go here; room for the whole line was reserved */
    int status;
    const char *reason;
};

static bool fail(struct scan *sc, int status, const char *reason)
{
    if (!sc->status) {
        sc->status = status;
        sc->reason = reason;
    }
    return false;
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
        return fail(sc, DNSFW_EPARSE, "the record is truncated");
    if (*sc->p != c)
        return fail(sc, DNSFW_EPARSE, reason);
    sc->p++;
    return true;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool hex4(struct scan *sc, const uint8_t *q, uint32_t *v)
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

static char *put_utf8(char *o, uint32_t cp)
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
static bool decode(struct scan *sc, const uint8_t *q, const uint8_t *stop, dnsfw_text *out)
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
        if (q >= sc->end)
            return fail(sc, DNSFW_EPARSE, "the record is truncated inside a string");
        uint8_t c = *q;
        if (c == '"')
            break;
        if (c == '\\') {
            escaped = true;
            q += 2;
        } else if (c < 0x20) {
            return fail(sc, DNSFW_EPARSE, "control character in a string");
        } else if (c < 0x80) {
            q++;
        } else {
            size_t n = dnsfw__utf8_seq(q, (size_t)(sc->end - q));
            if (!n)
                return fail(sc, DNSFW_EENCODING, "invalid UTF-8 in a string");
            q += n;
        }
    }
    sc->p = q + 1;
    if (!escaped) {
        out->ptr = (const char *)start;
        out->len = (size_t)(q - start);
        return true;
    }
    return decode(sc, start, q, out);
}

static bool literal(struct scan *sc, const char *word, size_t n)
{
    if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, word, n) != 0)
        return fail(sc, DNSFW_EPARSE, "invalid JSON value");
    sc->p += n;
    return true;
}

static bool digits(struct scan *sc)
{
    const uint8_t *s = sc->p;
    while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9')
        sc->p++;
    return sc->p > s || fail(sc, DNSFW_EPARSE, "invalid number");
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? ; *out is its text. */
static bool number(struct scan *sc, dnsfw_text *out)
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

static bool skip_value(struct scan *sc, int depth);

/* Members of an object or elements of an array, after the opening bracket. */
static bool skip_container(struct scan *sc, bool object, int depth)
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
                return fail(sc, DNSFW_EPARSE,
                            sc->p >= sc->end ? "the record is truncated" : "expected a key");
            if (!string(sc, &key) || !expect(sc, ':', "expected ':' after a key"))
                return false;
        }
        if (!skip_value(sc, depth + 1))
            return false;
        skip_ws(sc);
        if (sc->p >= sc->end)
            return fail(sc, DNSFW_EPARSE, "the record is truncated");
        uint8_t c = *sc->p++;
        if (c == (object ? '}' : ']'))
            return true;
        if (c != ',')
            return fail(sc, DNSFW_EPARSE, "expected ',' or the end of a container");
    }
}

static bool skip_value(struct scan *sc, int depth)
{
    dnsfw_text t;
    if (depth > MAX_DEPTH)
        return fail(sc, DNSFW_EPARSE, "JSON nested too deeply");
    skip_ws(sc);
    if (sc->p >= sc->end)
        return fail(sc, DNSFW_EPARSE, "the record is truncated");
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
static bool text_value(struct scan *sc, dnsfw_text *out, bool numbers_ok, const char *not_string)
{
    skip_ws(sc);
    if (sc->p >= sc->end)
        return fail(sc, DNSFW_EPARSE, "the record is truncated");
    uint8_t c = *sc->p;
    if (c == '"')
        return string(sc, out);
    if (c == 'n')
        return literal(sc, "null", 4);
    if (numbers_ok && (c == '-' || (c >= '0' && c <= '9')))
        return number(sc, out);
    return skip_value(sc, 1) && fail(sc, DNSFW_ESCHEMA, not_string);
}

static bool is_key(const dnsfw_text *k, const char *name, size_t n)
{
    return k->len == n && memcmp(k->ptr, name, n) == 0;
}
#define KEY(k, lit) is_key(k, lit, sizeof lit - 1)

/*
 * The value of a member that must be a container: 1 when it opens with `open` (consumed),
 * 0 for null (absent, as for the string fields), -1 on error. A well-formed value of
 * another type is a schema error, as a mistyped string field is.
 */
static int container(struct scan *sc, uint8_t open, const char *mistyped)
{
    skip_ws(sc);
    if (sc->p >= sc->end) {
        fail(sc, DNSFW_EPARSE, "the record is truncated");
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

/* answers: [{"Rdata": ..., "Type": ..., "Class": ...}, ...]; CNAME/DNAME targets and
 * A/AAAA addresses kept. */
static bool answers(struct scan *sc, dnsfw_log_record *rec)
{
    int open = container(sc, '[', "answers is not an array");
    if (open <= 0)
        return open == 0;
    skip_ws(sc);
    if (sc->p < sc->end && *sc->p == ']') {
        sc->p++;
        return true;
    }
    for (;;) {
        skip_ws(sc);
        if (sc->p < sc->end && *sc->p != '{') {
            if (skip_value(sc, 2))
                fail(sc, DNSFW_ESCHEMA, "an answers element is not an object");
            return false;
        }
        if (!expect(sc, '{', "an answers element is not an object"))
            return false;
        dnsfw_text rdata = {0}, type = {0}, key;
        skip_ws(sc);
        if (sc->p < sc->end && *sc->p == '}') {
            sc->p++;
        } else {
            for (;;) {
                skip_ws(sc);
                if (sc->p >= sc->end || *sc->p != '"')
                    return fail(sc, DNSFW_EPARSE, "expected a key in an answer");
                if (!string(sc, &key) || !expect(sc, ':', "expected ':' after a key"))
                    return false;
                bool ok;
                if (KEY(&key, "Rdata"))
                    ok = text_value(sc, &rdata, false, "answers[].Rdata is not a string");
                else if (KEY(&key, "Type"))
                    ok = text_value(sc, &type, false, "answers[].Type is not a string");
                else
                    ok = skip_value(sc, 2);
                if (!ok)
                    return false;
                skip_ws(sc);
                if (sc->p >= sc->end)
                    return fail(sc, DNSFW_EPARSE, "the record is truncated");
                uint8_t c = *sc->p++;
                if (c == '}')
                    break;
                if (c != ',')
                    return fail(sc, DNSFW_EPARSE, "expected ',' or '}' in an answer");
            }
        }
        if (rdata.ptr && type.ptr && (KEY(&type, "CNAME") || KEY(&type, "DNAME"))) {
            if (rec->n_chain < DNSFW_LOG_CHAIN_MAX)
                rec->chain[rec->n_chain++] = rdata;
            else
                rec->chain_truncated = 1;
        } else if (rdata.ptr && type.ptr && (KEY(&type, "A") || KEY(&type, "AAAA"))) {
            /* what the egress join (docs/egress.md) matches flows against */
            if (rec->n_addresses < DNSFW_LOG_ADDR_MAX)
                rec->addresses[rec->n_addresses++] = rdata;
            else
                rec->addresses_truncated = 1;
        }
        skip_ws(sc);
        if (sc->p >= sc->end)
            return fail(sc, DNSFW_EPARSE, "the record is truncated");
        uint8_t c = *sc->p++;
        if (c == ']')
            return true;
        if (c != ',')
            return fail(sc, DNSFW_EPARSE, "expected ',' or ']' in answers");
    }
}

/* srcids: {"instance": ..., "resolver_endpoint": ..., ...}. */
static bool srcids(struct scan *sc, dnsfw_log_record *rec)
{
    int open = container(sc, '{', "srcids is not an object");
    if (open <= 0)
        return open == 0;
    dnsfw_text instance = {0}, endpoint = {0}, key;
    skip_ws(sc);
    if (sc->p < sc->end && *sc->p == '}') {
        sc->p++;
        return true;
    }
    for (;;) {
        skip_ws(sc);
        if (sc->p >= sc->end || *sc->p != '"')
            return fail(sc, DNSFW_EPARSE, "expected a key in srcids");
        if (!string(sc, &key) || !expect(sc, ':', "expected ':' after a key"))
            return false;
        bool ok;
        if (KEY(&key, "instance"))
            ok = text_value(sc, &instance, false, "srcids.instance is not a string");
        else if (KEY(&key, "resolver_endpoint"))
            ok = text_value(sc, &endpoint, false, "srcids.resolver_endpoint is not a string");
        else
            ok = skip_value(sc, 2);
        if (!ok)
            return false;
        skip_ws(sc);
        if (sc->p >= sc->end)
            return fail(sc, DNSFW_EPARSE, "the record is truncated");
        uint8_t c = *sc->p++;
        if (c == '}')
            break;
        if (c != ',')
            return fail(sc, DNSFW_EPARSE, "expected ',' or '}' in srcids");
    }
    rec->instance = instance.ptr ? instance : endpoint;
    return true;
}

/* The top-level text fields, in the order of the F_ numbers below. */
static const struct field {
    bool numbers_ok;
    size_t offset;
    const char *not_string;
} fields[] = {
#define F(k, member, num)                                                                          \
    {                                                                                              \
        num, offsetof(dnsfw_log_record, member), k " is not a string"                              \
    }
    F("query_name", query_name, false),
    F("query_type", query_type, false),
    F("query_class", query_class, false),
    F("query_timestamp", timestamp, false),
    F("srcaddr", client, false),
    F("srcport", client_port, true),
    F("vpc_id", vpc_id, false),
    F("account_id", account_id, true),
    F("region", region, false),
    F("rcode", rcode, false),
    F("transport", transport, false),
    F("version", version, true),
    F("firewall_rule_action", firewall_action, false),
    F("firewall_rule_group_id", firewall_rule_group_id, false),
    F("firewall_domain_list_id", firewall_domain_list_id, false),
#undef F
};

enum {
    F_QUERY_NAME,
    F_QUERY_TYPE,
    F_QUERY_CLASS,
    F_TIMESTAMP,
    F_SRCADDR,
    F_SRCPORT,
    F_VPC_ID,
    F_ACCOUNT_ID,
    F_REGION,
    F_RCODE,
    F_TRANSPORT,
    F_VERSION,
    F_FW_ACTION,
    F_FW_GROUP,
    F_FW_LIST,
    F_ANSWERS, /* not in fields[]: parsed by answers() */
    F_SRCIDS,  /* not in fields[]: parsed by srcids() */
};

/* The field a key names, or -1: the length leaves one to three memcmps. */
static int field_of(const dnsfw_text *k)
{
#define IS(lit, f)                                                                                 \
    if (memcmp(k->ptr, lit, sizeof lit - 1) == 0)                                                  \
    return f
    switch (k->len) {
    case 5:
        IS("rcode", F_RCODE);
        break;
    case 6:
        IS("vpc_id", F_VPC_ID);
        IS("region", F_REGION);
        IS("srcids", F_SRCIDS);
        break;
    case 7:
        IS("srcaddr", F_SRCADDR);
        IS("srcport", F_SRCPORT);
        IS("version", F_VERSION);
        IS("answers", F_ANSWERS);
        break;
    case 9:
        IS("transport", F_TRANSPORT);
        break;
    case 10:
        IS("query_name", F_QUERY_NAME);
        IS("query_type", F_QUERY_TYPE);
        IS("account_id", F_ACCOUNT_ID);
        break;
    case 11:
        IS("query_class", F_QUERY_CLASS);
        break;
    case 15:
        IS("query_timestamp", F_TIMESTAMP);
        break;
    case 20:
        IS("firewall_rule_action", F_FW_ACTION);
        break;
    case 22:
        IS("firewall_rule_group_id", F_FW_GROUP);
        break;
    case 23:
        IS("firewall_domain_list_id", F_FW_LIST);
        break;
    default:
        break;
    }
#undef IS
    return -1;
}

static bool member(struct scan *sc, const dnsfw_text *key, dnsfw_log_record *rec, uint32_t *seen)
{
    int f = field_of(key);
    if (f < 0)
        return skip_value(sc, 1); /* a field this version of the format did not have */
    if (*seen & (1u << f))
        return fail(sc, DNSFW_ESCHEMA, "a key appears twice in the record");
    *seen |= 1u << f;
    if (f == F_ANSWERS)
        return answers(sc, rec);
    if (f == F_SRCIDS)
        return srcids(sc, rec);
    const struct field *fd = &fields[f];
    return text_value(sc, (dnsfw_text *)((char *)rec + fd->offset), fd->numbers_ok, fd->not_string);
}

int dnsfw__log_route53(dnsfw_logscratch *s, const char *line, size_t len, dnsfw_log_record *rec,
                       const char **reason)
{
    memset(rec, 0, sizeof *rec);
    /* Decoded strings never outgrow their source, so the line's length is enough room. */
    if (len + 1 > s->cap) {
        char *nb = realloc(s->buf, len + 1);
        if (!nb) {
            *reason = "out of memory";
            return DNSFW_ENOMEM;
        }
        s->buf = nb;
        s->cap = len + 1;
    }
    struct scan sc = {
        .p = (const uint8_t *)line, .end = (const uint8_t *)line + len, .out = s->buf};
    uint32_t seen = 0;
    bool ok = expect(&sc, '{', "the line is not a JSON object");
    skip_ws(&sc);
    if (ok && sc.p < sc.end && *sc.p == '}') {
        sc.p++;
    } else {
        while (ok) {
            dnsfw_text key;
            skip_ws(&sc);
            if (sc.p >= sc.end) {
                ok = fail(&sc, DNSFW_EPARSE, "the record is truncated");
                break;
            }
            if (*sc.p != '"') {
                ok = fail(&sc, DNSFW_EPARSE, "expected a key");
                break;
            }
            ok = string(&sc, &key) && expect(&sc, ':', "expected ':' after a key") &&
                 member(&sc, &key, rec, &seen);
            if (!ok)
                break;
            skip_ws(&sc);
            if (sc.p >= sc.end) {
                ok = fail(&sc, DNSFW_EPARSE, "the record is truncated");
                break;
            }
            uint8_t c = *sc.p++;
            if (c == '}')
                break;
            if (c != ',')
                ok = fail(&sc, DNSFW_EPARSE, "expected ',' or '}' after a value");
        }
    }
    if (ok) {
        skip_ws(&sc);
        if (sc.p != sc.end)
            ok = fail(&sc, DNSFW_EPARSE, "characters after the JSON object");
    }
    if (ok && !rec->query_name.ptr)
        ok = fail(&sc, DNSFW_ESCHEMA, "the record has no query_name");
    if (ok && !rec->query_name.len) /* as the text formats: a record names its query */
        ok = fail(&sc, DNSFW_ESCHEMA, "query_name is empty");
    if (ok && !rec->query_type.ptr)
        ok = fail(&sc, DNSFW_ESCHEMA, "the record has no query_type");
    if (!ok) {
        *reason = sc.reason;
        return sc.status;
    }
    return DNSFW_OK;
}
