#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "export.h"

const char *export_format_name(enum export_format f)
{
    switch (f) {
    case FMT_CLOUDFORMATION:
        return "cloudformation";
    case FMT_CLI:
        return "cli";
    case FMT_TERRAFORM:
        return "terraform";
    case FMT_DOMAINS:
        return "domains";
    case FMT_UNBOUND:
        return "unbound";
    case FMT_RPZ:
        return "rpz";
    case FMT_DNSMASQ:
        return "dnsmasq";
    case FMT_ATHENA:
        return "athena";
    case FMT_DUCKDB:
        return "duckdb";
    }
    return "?";
}

bool export_format_is_dir(enum export_format f)
{
    return f == FMT_CLI || f == FMT_DOMAINS || f == FMT_UNBOUND || f == FMT_ATHENA ||
           f == FMT_DUCKDB;
}

void export_spec(const char *spec, bool fqdn, char *out)
{
    size_t n = strlen(spec);
    memcpy(out, spec, n + 1);
    if (fqdn)
        memcpy(out + n, ".", 2); /* "*" becomes "*.", as AWS stores it */
}

static bool ident_char(enum ident_style style, char c)
{
    if ((unsigned char)c < 0x80 && isalnum((unsigned char)c))
        return true;
    return (style == IDENT_TF && (c == '_' || c == '-')) ||
           (style == IDENT_FILE && (c == '_' || c == '-' || c == '.'));
}

void export_ident(struct strmap *seen, enum ident_style style, const char *prefix, const char *name,
                  char *out, size_t size)
{
    char base[160];
    size_t n = 0;
    bool upper = true; /* CamelCase: capitalise after a separator */
    for (const char *p = prefix; *p && n + 1 < sizeof base; p++)
        base[n++] = *p;
    for (const char *p = name; *p && n + 1 < 120; p++) {
        if (ident_char(style, *p)) {
            base[n++] = style == IDENT_CFN && upper ? (char)toupper((unsigned char)*p) : *p;
            upper = false;
        } else if (style == IDENT_CFN) {
            upper = true;
        } else {
            base[n++] = '_';
        }
    }
    base[n] = '\0';
    if (n == 0 || (style == IDENT_TF && isdigit((unsigned char)base[0]))) {
        memmove(base + 1, base, n + 1);
        base[0] = style == IDENT_CFN ? 'X' : '_';
    }
    snprintf(out, size, "%s", base);
    for (unsigned k = 2; strmap_get(seen, out, strlen(out)); k++)
        snprintf(out, size, "%s%s%u", base, style == IDENT_CFN ? "" : "_", k);
    void **slot = strmap_slot(seen, out, strlen(out));
    if (slot)
        *slot = (void *)1;
}

uint64_t export_hash(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

void export_request_id(const struct export_opts *o, const char *kind, const char *name,
                       uint32_t number, char out[40])
{
    /* Text, not bytes of integers: the same ids on every byte order. */
    char key[64];
    snprintf(key, sizeof key, "%016llx/%u/", (unsigned long long)o->policy_hash, number);
    uint64_t h = export_hash(EXPORT_HASH_INIT, key, strlen(key));
    h = export_hash(h, kind, strlen(kind) + 1);
    h = export_hash(h, name, strlen(name) + 1);
    snprintf(out, 40, "dnsfw-%016llx", (unsigned long long)h);
}
