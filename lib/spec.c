/*
 * Domain specs as AWS documents them: "name", "*.suffix", "*" (or "*."); letters,
 * digits and hyphens in labels; 1-255 characters as written. See docs/matching.md.
 */
#include "spec.h"

static bool ldh(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

int dnsfw__spec_parse(const char *spec, size_t len, char *out, size_t size, size_t *outlen,
                      dnsfw_entry_kind *kind, const char **reason)
{
    const char *why = NULL;
    const uint8_t *p = (const uint8_t *)spec;

    if (len == 0) {
        why = "the spec is empty";
        goto bad;
    }
    if (len > DNSFW_SPEC_MAX) {
        why = "the spec is longer than 255 characters";
        goto bad;
    }
    if (p[len - 1] == '.')
        len--; /* one trailing dot is how AWS stores every entry */
    if (len == 0) {
        why = "the spec is only a dot";
        goto bad;
    }
    if (size < len + 1)
        return DNSFW_ENOSPC;

    size_t start = 0;
    *kind = DNSFW_ENTRY_EXACT;
    if (p[0] == '*') {
        if (len == 1) {
            out[0] = '*';
            out[1] = '\0';
            *outlen = 1;
            *kind = DNSFW_ENTRY_ALL;
            return DNSFW_OK;
        }
        if (p[1] != '.') {
            why = "'*' must be the whole first label (\"*.example.com\")";
            goto bad;
        }
        out[0] = '*';
        out[1] = '.';
        start = 2;
        *kind = DNSFW_ENTRY_WILDCARD;
    }

    size_t label = 0;
    for (size_t i = start; i < len; i++) {
        uint8_t c = p[i];
        if (c == '.') {
            if (label == 0) {
                why = "the spec has an empty label";
                goto bad;
            }
            label = 0;
        } else if (ldh(c)) {
            if (++label > 63) {
                why = "a label is longer than 63 characters";
                goto bad;
            }
        } else if (c == '*') {
            why = "'*' is only allowed as the whole first label";
            goto bad;
        } else {
            why = c >= 0x80 ? "non-ASCII characters are not allowed (use the xn-- A-label)"
                            : "only letters, digits, '-' and '.' are allowed";
            goto bad;
        }
        out[i] = (char)dnsfw__lower(c);
    }
    if (label == 0) {
        why = "the spec has an empty label";
        goto bad;
    }
    out[len] = '\0';
    *outlen = len;
    return DNSFW_OK;
bad:
    if (reason)
        *reason = why;
    return DNSFW_EBADSPEC;
}

int dnsfw_spec_normalize(const char *spec, size_t len, char *out, size_t size, const char **reason)
{
    if (!spec || !out)
        return DNSFW_EINVAL;
    size_t outlen;
    dnsfw_entry_kind kind;
    return dnsfw__spec_parse(spec, len, out, size, &outlen, &kind, reason);
}
