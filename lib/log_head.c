/*
 * The prefix of a text log line: when it was written and by which program, before the
 * program's own message. Resolvers' lines reach us as they wrote them or through
 * syslog and journald, so the prefix takes these forms:
 *
 *   <30>Nov 28 10:00:00 host dnsmasq[812]: MSG        RFC 3164 (PRI and host optional)
 *   <30>1 2026-11-28T10:00:00.1Z host dnsmasq 812 - - MSG          RFC 5424
 *   2026-11-28T10:00:00+00:00 host named[9]: MSG       RFC 3339 stamps (rsyslog, journald
 *   2026-11-28T10:00:00+0000 host named[9]: MSG        short-iso)
 *   Nov 28 10:00:00.123456 host unbound[7]: MSG        journald short-precise
 *   28-Nov-2026 10:00:00.123 queries: info: MSG        BIND's own channel file
 *   [1701163200] unbound[812:0] info: MSG             unbound's own log file
 *   dnsmasq[812]: MSG                                  no stamp (journalctl -o cat, a test)
 *
 * A CloudWatch export line ("<RFC 3339> <the event's message>") that wraps such a line is
 * read through to the inner stamp.
 */
#include "loghead.h"

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '/' || c == '@';
}

/*
 * A syslog tag at p: "prog", "prog[pid]", "prog[pid:tid]", then ':' or not, then a
 * space or the end. needs_mark: the tag must have a bracket or a colon (to tell it from
 * a host name). Sets the program (without a path) and returns the tag's length, or 0.
 */
static size_t tag(const char *p, const char *end, bool needs_mark, dnsfw_text *prog)
{
    const char *q = p;
    while (q < end && name_char(*q))
        q++;
    if (q == p)
        return 0;
    const char *name_end = q;
    bool mark = false;
    if (q < end && *q == '[') {
        const char *b = ++q;
        while (q < end && ((*q >= '0' && *q <= '9') || (*q == ':' && q > b)))
            q++;
        if (q == b || q >= end || *q != ']')
            return 0;
        q++;
        mark = true;
    }
    if (q < end && *q == ':') {
        q++;
        mark = true;
    }
    if ((needs_mark && !mark) || (q < end && *q != ' '))
        return 0;
    const char *base = p;
    for (const char *s = p; s < name_end; s++)
        if (*s == '/')
            base = s + 1;
    if (base == name_end)
        return 0;
    *prog = (dnsfw_text){base, (size_t)(name_end - base)};
    return (size_t)(q - p);
}

static const char *skip_spaces(const char *p, const char *end)
{
    while (p < end && *p == ' ')
        p++;
    return p;
}

static const char *token_end(const char *p, const char *end)
{
    while (p < end && *p != ' ')
        p++;
    return p;
}

/* RFC 5424 after "<PRI>1 ": STAMP HOST APP PROCID MSGID SD [MSG]. */
static int rfc5424(const char *p, const char *end, const struct dnsfw__clock *clock,
                   struct log_head *h)
{
    size_t used;
    if (p < end && *p == '-') {
        used = 1;
    } else {
        int rc = dnsfw__time_rfc3339(p, (size_t)(end - p), &used, &h->time_ms);
        if (rc <= 0) {
            h->stamp = (dnsfw_text){p, (size_t)(token_end(p, end) - p)};
            return HEAD_BADTIME;
        }
        h->stamp = (dnsfw_text){p, used};
        h->kind = STAMP_3339;
    }
    (void)clock;
    p += used;
    const char *field[4];
    size_t flen[4];
    for (int i = 0; i < 4; i++) { /* HOST APP PROCID MSGID */
        if (p >= end || *p != ' ')
            return HEAD_NONE;
        field[i] = ++p;
        p = token_end(p, end);
        flen[i] = (size_t)(p - field[i]);
        if (!flen[i])
            return HEAD_NONE;
    }
    if (p >= end || *p != ' ')
        return HEAD_NONE;
    p++;
    if (p < end && *p == '-') {
        p++;
    } else {
        while (p < end && *p == '[') { /* SD-ELEMENTs; ']' may be escaped inside quotes */
            bool quoted = false;
            for (p++; p < end && (quoted || *p != ']'); p++) {
                if (*p == '\\' && p + 1 < end)
                    p++;
                else if (*p == '"')
                    quoted = !quoted;
            }
            if (p >= end)
                return HEAD_NONE;
            p++;
        }
    }
    if (p < end && *p == ' ')
        p++;
    if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* the BOM RFC 5424 puts before a UTF-8 MSG */
    if (!(flen[1] == 1 && field[1][0] == '-'))
        h->prog = (dnsfw_text){field[1], flen[1]};
    h->msg = (dnsfw_text){p, (size_t)(end - p)};
    h->syslog = true;
    return HEAD_OK;
}

/* A stamp at p: its kind, or STAMP_NONE; -1 when it has a stamp's shape and a bad value. */
static int stamp(const char *p, const char *end, const struct dnsfw__clock *clock,
                 struct log_head *h, size_t *used)
{
    size_t len = (size_t)(end - p);
    int rc;
    if ((rc = dnsfw__time_rfc3339(p, len, used, &h->time_ms)) != 0)
        return rc < 0 ? -1 : STAMP_3339;
    if ((rc = dnsfw__time_3164(p, len, clock, used, &h->time_ms)) != 0)
        return rc < 0 ? -1 : STAMP_3164;
    if ((rc = dnsfw__time_bind(p, len, clock, used, &h->time_ms)) != 0)
        return rc < 0 ? -1 : STAMP_BIND;
    return STAMP_NONE;
}

int dnsfw__log_head(const char *line, size_t len, const struct dnsfw__clock *clock,
                    struct log_head *h)
{
    const char *p = line, *end = line + len;
    memset(h, 0, sizeof *h);
    h->time_ms = DNSFW_TIME_NONE;
    h->msg = (dnsfw_text){line, len};
    bool pri = false;
    if (p < end && *p == '<') { /* <PRI>: 0 to 191 */
        const char *q = p + 1;
        unsigned v = 0;
        while (q < end && q - p <= 3 && *q >= '0' && *q <= '9')
            v = v * 10 + (unsigned)(*q++ - '0');
        if (q > p + 1 && q < end && *q == '>' && v <= 191) {
            pri = true;
            p = q + 1;
            if (end - p >= 2 && p[0] == '1' && p[1] == ' ')
                return rfc5424(p + 2, end, clock, h);
        }
    }
    size_t used = 0;
    int kind = STAMP_NONE;
    if (p < end && *p == '[') { /* unbound's own file: "[1701163200] unbound[812:0] " */
        const char *q = p + 1;
        if (dnsfw__time_epoch(q, (size_t)(end - q), &used, &h->time_ms) == 1 && q + used < end &&
            q[used] == ']') {
            h->stamp = (dnsfw_text){q, used};
            h->kind = STAMP_EPOCH;
            p = q + used + 1;
            kind = STAMP_EPOCH;
        }
    } else {
        kind = stamp(p, end, clock, h, &used);
        if (kind < 0) {
            h->stamp = (dnsfw_text){p, (size_t)(token_end(p, end) - p)};
            return HEAD_BADTIME;
        }
        if (kind != STAMP_NONE) {
            h->stamp = (dnsfw_text){p, used};
            h->kind = kind;
            p += used;
            if (kind == STAMP_3339 && p < end && *p == ' ') {
                /* a CloudWatch export line around a line with a stamp of its own */
                const char *inner = p + 1;
                struct log_head in = *h;
                int ik = stamp(inner, end, clock, &in, &used);
                if (ik > 0) {
                    *h = in;
                    h->stamp = (dnsfw_text){inner, used};
                    h->kind = ik;
                    h->wrapped = true;
                    p = inner + used;
                    kind = ik;
                } else if (ik < 0) {
                    h->stamp = (dnsfw_text){inner, (size_t)(token_end(inner, end) - inner)};
                    return HEAD_BADTIME;
                }
            }
        }
    }
    if (kind == STAMP_NONE && !pri) {
        /* no stamp: only "prog[pid]:" or "prog[pid:tid]" marks a syslog-style line */
        size_t n = tag(p, end, true, &h->prog);
        if (!n || memchr(p, '[', n) == NULL)
            return HEAD_NONE;
        h->msg.ptr = skip_spaces(p + n, end);
        h->msg.len = (size_t)(end - h->msg.ptr);
        h->syslog = true;
        return HEAD_OK;
    }
    if (p < end && *p != ' ')
        return HEAD_NONE; /* "2026-11-28T10:00:00Zfoo": not a stamp followed by a message */
    p = skip_spaces(p, end);
    if (kind == STAMP_BIND) { /* BIND's channel: the message follows the stamp */
        static const char named[] = "named";
        h->prog = (dnsfw_text){named, sizeof named - 1};
        h->msg = (dnsfw_text){p, (size_t)(end - p)};
        return HEAD_OK;
    }
    size_t n = tag(p, end, true, &h->prog);
    if (!n && kind != STAMP_EPOCH) { /* a host name first */
        const char *host_end = token_end(p, end);
        if (host_end < end) {
            const char *t = host_end + 1;
            size_t m = tag(t, end, true, &h->prog);
            if (m) {
                h->host = (dnsfw_text){p, (size_t)(host_end - p)};
                p = t;
                n = m;
            }
        }
    }
    h->syslog = kind != STAMP_EPOCH;
    if (n)
        p += n;
    h->msg.ptr = skip_spaces(p, end);
    h->msg.len = (size_t)(end - h->msg.ptr);
    return HEAD_OK;
}
