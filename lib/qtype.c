/* Query types: mnemonics (through ldns's table) and the RFC 3597 "TYPEn" form. */
#include "util.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <strings.h>

/* The types seen in nearly every log, tried before ldns's linear table. */
static const struct {
    const char *name;
    uint16_t type;
} common[] = {{"A", 1},    {"AAAA", 28}, {"CNAME", 5}, {"HTTPS", 65}, {"PTR", 12}, {"MX", 15},
              {"TXT", 16}, {"NS", 2},    {"SOA", 6},   {"SRV", 33},   {"ANY", 255}};

/* QTYPE-only values ldns has no descriptor name for (RFC 1035 §3.2.3, RFC 1995). */
static const char *meta_name(uint16_t t)
{
    switch (t) {
    case 251:
        return "IXFR";
    case 252:
        return "AXFR";
    case 253:
        return "MAILB";
    case 254:
        return "MAILA";
    case 255:
        return "ANY";
    default:
        return NULL;
    }
}

int dnsfw_qtype_parse(const char *text, size_t len, uint16_t *qtype)
{
    /* A NUL inside the length would end the text early for the string compares below. */
    if (!text || !qtype || len == 0 || len > 16 || memchr(text, '\0', len))
        return DNSFW_EQTYPE;
    /* Most queries of any log are A or AAAA: settle them before the table. */
    if (len == 1 && (text[0] == 'A' || text[0] == 'a')) {
        *qtype = 1;
        return DNSFW_OK;
    }
    if (len == 4 && strncasecmp(text, "AAAA", 4) == 0) {
        *qtype = 28;
        return DNSFW_OK;
    }
    char buf[17];
    memcpy(buf, text, len);
    buf[len] = '\0';

    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++) {
        if (strcasecmp(buf, common[i].name) == 0) {
            *qtype = common[i].type;
            return DNSFW_OK;
        }
    }
    if (len > 4 && strncasecmp(buf, "TYPE", 4) == 0) {
        unsigned long v = 0;
        for (size_t i = 4; i < len; i++) {
            if (buf[i] < '0' || buf[i] > '9' || (i == 4 && buf[i] == '0'))
                return DNSFW_EQTYPE;
            v = v * 10 + (unsigned long)(buf[i] - '0');
            if (v > 65535)
                return DNSFW_EQTYPE;
        }
        *qtype = (uint16_t)v;
        return DNSFW_OK;
    }
    for (size_t i = 0; i < len; i++) /* ldns would also take "TYPE12x"-like junk */
        if (!((buf[i] >= 'A' && buf[i] <= 'Z') || (buf[i] >= 'a' && buf[i] <= 'z') ||
              (buf[i] >= '0' && buf[i] <= '9') || buf[i] == '-'))
            return DNSFW_EQTYPE;
    ldns_rr_type t = ldns_get_rr_type_by_name(buf);
    if (t == 0)
        return DNSFW_EQTYPE;
    *qtype = (uint16_t)t;
    return DNSFW_OK;
}

int dnsfw_qtype_format(uint16_t qtype, char *buf, size_t size)
{
    if (!buf)
        return DNSFW_EINVAL;
    const char *name = NULL;
    for (size_t i = 0; i < sizeof common / sizeof common[0] && !name; i++)
        if (common[i].type == qtype)
            name = common[i].name;
    if (name && strlen(name) < size) { /* the everyday types, without snprintf */
        strcpy(buf, name);
        return DNSFW_OK;
    }
    if (!name)
        name = meta_name(qtype);
    if (!name && qtype != 0) {
        const ldns_rr_descriptor *d = ldns_rr_descript(qtype);
        if (d && d->_name && strncmp(d->_name, "TYPE", 4) != 0)
            name = d->_name;
    }
    int n = name ? snprintf(buf, size, "%s", name) : snprintf(buf, size, "TYPE%u", qtype);
    return n < 0 || (size_t)n >= size ? DNSFW_ENOSPC : DNSFW_OK;
}
