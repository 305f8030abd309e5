/* Query-name parsing (presentation and wire form) and printing. */
#include "name.h"

#include <stdio.h>

static void finish(struct dnsfw_name *n, size_t pos)
{
    n->wire[pos] = 0; /* root label */
    n->len = (uint8_t)(pos + 1);
    memset(n->wire + pos + 1, 0, 8);
}

/*
 * The common case: no backslash, no empty or long label, a short name. The text and the
 * wire form line up (wire[i + 1] is text[i]; the dots' places take the length octets),
 * so the text is copied and lower-cased 8 octets at a time and only the dots are looked
 * at one by one. Returns false for anything else, which the general parser then decides
 * from scratch.
 */
static bool from_text_fast(struct dnsfw_name *n, const uint8_t *s, size_t len)
{
    if (len > 0 && s[len - 1] == '.')
        len--; /* the optional trailing dot */
    if (len == 0 || len > DNSFW_WIRE_MAX - 8)
        return false;
    uint8_t *text = n->wire + 1;
    memcpy(text, s, len);
    memset(text + len, 0, 8);
    size_t start = 0; /* of the current label, in text */
    unsigned nlabels = 0;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t v;
        memcpy(&v, text + i, 8);
        if (dnsfw__bytes_eq(v, '\\'))
            return false;
        uint64_t dots = dnsfw__in_address_order(dnsfw__bytes_eq(v, '.'));
        uint64_t lower = dnsfw__lower8(v); /* stored before the dots' places get their lengths */
        memcpy(text + i, &lower, 8);
        for (; dots; dots &= dots - 1) {
            size_t dot = i + (size_t)__builtin_ctzll(dots) / 8;
            if (dot == start || dot - start > DNSFW_LABEL_MAX)
                return false;
            n->wire[start] = (uint8_t)(dot - start);
            n->off[nlabels++] = (uint8_t)start;
            start = dot + 1;
        }
    }
    if (len == start || len - start > DNSFW_LABEL_MAX)
        return false;
    n->wire[start] = (uint8_t)(len - start);
    n->off[nlabels++] = (uint8_t)start;
    n->nlabels = (uint8_t)nlabels;
    finish(n, len + 1);
    return true;
}

int dnsfw__name_from_text(struct dnsfw_name *n, const char *s, size_t len)
{
    if (from_text_fast(n, (const uint8_t *)s, len))
        return DNSFW_OK;

    const uint8_t *p = (const uint8_t *)s, *end = p + len;
    size_t pos = 0; /* next free byte in wire; wire[lenpos] is the open label's length */
    n->nlabels = 0;

    if (len == 0)
        return DNSFW_EEMPTYLABEL;
    if (len == 1 && p[0] == '.') {
        finish(n, 0);
        return DNSFW_OK;
    }
    while (p < end) {
        /* One label per iteration; room for its length byte must stay below 255. */
        size_t lenpos = pos++;
        size_t llen = 0;
        while (p < end && *p != '.') {
            uint8_t c = *p++;
            if (c == '\\') {
                if (p == end)
                    return DNSFW_EESCAPE;
                if (*p >= '0' && *p <= '9') {
                    if (end - p < 3 || p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9')
                        return DNSFW_EESCAPE;
                    unsigned v = (unsigned)(p[0] - '0') * 100 + (unsigned)(p[1] - '0') * 10 +
                                 (unsigned)(p[2] - '0');
                    if (v > 255)
                        return DNSFW_EESCAPE;
                    c = (uint8_t)v;
                    p += 3;
                } else {
                    c = *p++;
                }
            }
            if (++llen > DNSFW_LABEL_MAX)
                return DNSFW_ELABELLEN;
            if (pos >= DNSFW_WIRE_MAX) /* the root label still needs one octet */
                return DNSFW_ENAMELEN;
            n->wire[pos++] = dnsfw__lower(c);
        }
        if (llen == 0)
            return DNSFW_EEMPTYLABEL;
        n->wire[lenpos] = (uint8_t)llen;
        n->off[n->nlabels++] = (uint8_t)lenpos;
        if (p < end)
            p++; /* the dot; a dot at the very end is the optional trailing dot */
    }
    if (pos >= DNSFW_WIRE_MAX)
        return DNSFW_ENAMELEN;
    finish(n, pos);
    return DNSFW_OK;
}

int dnsfw__name_from_wire(struct dnsfw_name *n, const uint8_t *w, size_t len)
{
    size_t pos = 0;
    n->nlabels = 0;
    for (;;) {
        if (pos >= len)
            return DNSFW_EINVAL; /* truncated */
        uint8_t l = w[pos];
        if (l == 0)
            break;
        if (l > DNSFW_LABEL_MAX)
            return (l & 0xC0) ? DNSFW_EINVAL : DNSFW_ELABELLEN; /* compression, ext. labels */
        if (pos + 1 + l >= DNSFW_WIRE_MAX)
            return DNSFW_ENAMELEN;
        if (pos + 1 + l >= len)
            return DNSFW_EINVAL;
        n->off[n->nlabels++] = (uint8_t)pos;
        n->wire[pos] = l;
        for (size_t i = 1; i <= l; i++)
            n->wire[pos + i] = dnsfw__lower(w[pos + i]);
        pos += 1 + (size_t)l;
    }
    finish(n, pos);
    return DNSFW_OK;
}

/* Octets printed with a backslash before them; everything outside 0x21..0x7e as \DDD. */
static bool needs_backslash(uint8_t c)
{
    return c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' ||
           c == '$';
}

long dnsfw__name_to_text(const struct dnsfw_name *n, unsigned first, char *out, size_t size)
{
    size_t o = 0;
    if (first >= n->nlabels) {
        if (size < 2)
            return -1;
        out[0] = '.';
        out[1] = '\0';
        return 1;
    }
    for (unsigned i = first; i < n->nlabels; i++) {
        size_t llen;
        const uint8_t *l = dnsfw__name_label(n, i, &llen);
        for (size_t j = 0; j < llen; j++) {
            uint8_t c = l[j];
            /* Exact room: this octet's text plus the NUL (the dot is checked below). */
            size_t need = c < 0x21 || c > 0x7e ? 4 : needs_backslash(c) ? 2 : 1;
            if (size - o < need + 1)
                return -1;
            if (c < 0x21 || c > 0x7e) {
                o += (size_t)snprintf(out + o, size - o, "\\%03u", c);
            } else {
                if (needs_backslash(c))
                    out[o++] = '\\';
                out[o++] = (char)c;
            }
        }
        if (size - o < 2)
            return -1;
        out[o++] = '.';
    }
    out[o] = '\0';
    return (long)o;
}

int dnsfw_name_normalize(const char *name, size_t len, char *out, size_t size, size_t *outlen)
{
    if (!name || !out)
        return DNSFW_EINVAL;
    struct dnsfw_name n;
    int rc = dnsfw__name_from_text(&n, name, len);
    if (rc)
        return rc;
    long l = dnsfw__name_to_text(&n, 0, out, size);
    if (l < 0)
        return DNSFW_ENOSPC;
    if (outlen)
        *outlen = (size_t)l;
    return DNSFW_OK;
}
