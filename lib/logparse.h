/* Query-log parsing: the compiled formats and the per-thread scratch. */
#ifndef DNSFW_LOGPARSE_H
#define DNSFW_LOGPARSE_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "logtime.h"
#include "util.h"

/* Capture groups a text format can fill. */
enum log_group { G_QNAME, G_QTYPE, G_QCLASS, G_CLIENT, G_TIME, G_COUNT };

/* The built-in text formats, by program: dnsmasq, BIND, unbound. */
enum { TEXT_DNSMASQ, TEXT_BIND, TEXT_UNBOUND, TEXT_BUILTINS };

struct text_format {
    pcre2_code *query;          /* a message (or, custom: a line) recording a query */
    uint32_t group[G_COUNT][2]; /* group numbers of each field (0 = none); two alternatives */
};

struct dnsfw_logparser {
    dnsfw_log_format format;
    struct text_format builtin[TEXT_BUILTINS]; /* compiled for their format, and for AUTO */
    struct text_format custom;                 /* DNSFW_LOG_CUSTOM */
};

/* The longest record the fast path reads (log_route53_fast.c; Resolver's are about 500
 * bytes), and the zeros after its copy. */
#define FAST_MAX 4096
#define FAST_PAD 64

struct dnsfw_logscratch {
    pcre2_match_data *match;
    char fast[FAST_MAX + FAST_PAD];    /* the fast path's copy of a record */
    uint32_t marks[FAST_MAX + 32 + 4]; /* and where its quotes are */
    char *buf;                         /* decoded JSON strings of a record */
    size_t cap;
    char *msg; /* a CloudWatch event's decoded message, which holds a record */
    size_t msg_cap;
};

/* What a line parser learnt besides the record. */
struct line_info {
    dnsfw_log_shape shape;
    int64_t time; /* the envelope's or prefix's time, DNSFW_TIME_NONE if none */
};

/* Room for n bytes in *buf (capacity *cap). */
DNSFW_HIDDEN int dnsfw__reserve(char **buf, size_t *cap, size_t n);

/* Route 53 JSON records (log_route53.c): the fast path, then the general parser; and the
 * general parser alone. */
DNSFW_HIDDEN int dnsfw__log_route53(dnsfw_logscratch *s, const char *line, size_t len,
                                    dnsfw_log_record *rec, const char **reason);
DNSFW_HIDDEN int dnsfw__log_route53_general(dnsfw_logscratch *s, const char *line, size_t len,
                                            dnsfw_log_record *rec, const char **reason);

/*
 * The fast path for records as Resolver writes them (log_route53_fast.c): true when the
 * record was read, with the fields the general parser would give it (they point into
 * the line, or into the escaped body); false when the general parser must read it (and
 * say what is wrong, if anything is). _escaped reads a record inside a JSON string, body
 * being the string after its opening quote; *used is the body's length with its quote.
 */
DNSFW_HIDDEN bool dnsfw__route53_fast(dnsfw_logscratch *s, const char *line, size_t len,
                                      dnsfw_log_record *rec);
DNSFW_HIDDEN bool dnsfw__route53_escaped(dnsfw_logscratch *s, const char *body, size_t avail,
                                         dnsfw_log_record *rec, size_t *used);

/* EventBridge events and CloudWatch Logs events standing alone (log_event.c). */
enum json_kind { JSON_RECORD, JSON_EVENTBRIDGE, JSON_CW_EVENT, JSON_DOCUMENT };
DNSFW_HIDDEN enum json_kind dnsfw__json_kind(dnsfw_logscratch *s, const char *text, size_t len);
DNSFW_HIDDEN int dnsfw__log_eventbridge(dnsfw_logscratch *s, const char *text, size_t len,
                                        dnsfw_log_record *rec, struct line_info *info,
                                        const char **reason);
/* A CloudWatch event object: its message decoded into s->msg, its timestamp (ms). */
/* The same at the start of a buffer: *used is the event's length (or where it went wrong),
 * *eof says it goes on past len. When the message is a Route 53 record the fast path can
 * read where it lies, it is read into *rec and *parsed is set (message is then its
 * escaped text). */
DNSFW_HIDDEN int dnsfw__cw_event_at(dnsfw_logscratch *s, const char *text, size_t len,
                                    dnsfw_text *message, int64_t *time, const char **reason,
                                    size_t *used, bool *eof, dnsfw_log_record *rec, bool *parsed);
DNSFW_HIDDEN int dnsfw__cw_event(dnsfw_logscratch *s, const char *text, size_t len,
                                 dnsfw_text *message, int64_t *time, const char **reason);

/* Text formats (log_text.c). */
DNSFW_HIDDEN int dnsfw__log_text_compile(dnsfw_logparser *lp, const char *pattern,
                                         dnsfw_error *err);
DNSFW_HIDDEN void dnsfw__log_text_free(dnsfw_logparser *lp);
DNSFW_HIDDEN int dnsfw__log_text(const dnsfw_logparser *lp, dnsfw_logscratch *s,
                                 const struct dnsfw__clock *clock, const char *line, size_t len,
                                 dnsfw_log_record *rec, struct line_info *info,
                                 const char **reason);

/*
 * One line (or one standalone JSON value) of any line shape the parser's format
 * allows: a Route 53 record, an EventBridge event, a CloudWatch event object, an export
 * line, a text line (log_line.c).
 */
DNSFW_HIDDEN int dnsfw__log_line(const dnsfw_logparser *lp, dnsfw_logscratch *s,
                                 const struct dnsfw__clock *clock, const char *line, size_t len,
                                 dnsfw_log_record *rec, struct line_info *info,
                                 const char **reason);
/* A message of a CloudWatch event (a record, or a text line). */
DNSFW_HIDDEN int dnsfw__log_message(const dnsfw_logparser *lp, dnsfw_logscratch *s,
                                    const struct dnsfw__clock *clock, const char *msg, size_t len,
                                    dnsfw_log_record *rec, struct line_info *info,
                                    const char **reason);

#endif
