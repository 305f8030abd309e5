/* Query-log parsing: the compiled formats and the per-thread scratch. */
#ifndef DNSFW_LOGPARSE_H
#define DNSFW_LOGPARSE_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "util.h"

/* Capture groups a text format can fill. */
enum log_group { G_QNAME, G_QTYPE, G_QCLASS, G_CLIENT, G_TIME, G_COUNT };

struct text_format {
    pcre2_code *query;          /* a line recording a query */
    pcre2_code *other;          /* a line of the format that records something else; may be NULL */
    uint32_t group[G_COUNT][2]; /* group numbers of each field (0 = none); two alternatives */
};

struct dnsfw_logparser {
    dnsfw_log_format format;
    struct text_format text; /* every format but DNSFW_LOG_ROUTE53 */
};

struct dnsfw_logscratch {
    pcre2_match_data *match;
    char *buf; /* decoded JSON strings */
    size_t cap;
};

/* Route 53 JSON records (log_route53.c). */
DNSFW_HIDDEN int dnsfw__log_route53(dnsfw_logscratch *s, const char *line, size_t len,
                                    dnsfw_log_record *rec, const char **reason);

/* Text formats (log_text.c). */
DNSFW_HIDDEN int dnsfw__log_text_compile(struct text_format *tf, dnsfw_log_format format,
                                         const char *pattern, dnsfw_error *err);
DNSFW_HIDDEN void dnsfw__log_text_free(struct text_format *tf);
DNSFW_HIDDEN int dnsfw__log_text(const struct text_format *tf, dnsfw_logscratch *s,
                                 const char *line, size_t len, dnsfw_log_record *rec,
                                 const char **reason);

#endif
