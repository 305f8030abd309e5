/* The stamp and program in front of a text log line (log_head.c). */
#ifndef DNSFW_LOGHEAD_H
#define DNSFW_LOGHEAD_H

#include "logtime.h"

enum { HEAD_NONE, HEAD_OK, HEAD_BADTIME };
enum { STAMP_NONE, STAMP_3339, STAMP_3164, STAMP_BIND, STAMP_EPOCH };

struct log_head {
    dnsfw_text stamp; /* the time as written (absent when none) */
    int64_t time_ms;  /* DNSFW_TIME_NONE when none */
    int kind;         /* STAMP_* */
    dnsfw_text host;  /* syslog host name, when given */
    dnsfw_text prog;  /* the program (syslog tag without pid), when given */
    dnsfw_text msg;   /* the program's message */
    bool syslog;      /* the prefix is a syslog or journald one */
    bool wrapped;     /* inside a CloudWatch export line */
};

/*
 * HEAD_OK: a stamp, a program, or both, and the message after them; HEAD_NONE: no such
 * prefix (msg is the whole line); HEAD_BADTIME: the line starts with a stamp whose value
 * is not a time (h->stamp says which).
 */
DNSFW_HIDDEN int dnsfw__log_head(const char *line, size_t len, const struct dnsfw__clock *clock,
                                 struct log_head *h);

#endif
