/*
 * Text query logs of the resolvers people run locally. The prefix of a line (stamp,
 * syslog host, program) is read by log_head.c; the program then says whose message it
 * is, and that format's PCRE2 pattern reads the message. A message of a known program
 * that is not a query (replies, forwards, notices, zone loads) records no query; so does
 * a message of any other program in a syslog file. Lines without a program (BIND's
 * channel file, a bare message) are matched against the format given, or each format in
 * turn with DNSFW_LOG_AUTO. Patterns are compiled once (the parser is immutable); match
 * data lives in the per-thread scratch.
 */
#include <stdlib.h>

#include "loghead.h"
#include "logparse.h"

/*
 * dnsmasq with log-queries; log-queries=extra adds a serial number and the client
 * address and port before the message:
 *   query[AAAA] example.com from 192.0.2.7
 *   17 192.0.2.7/41253 query[A] example.com from 192.0.2.7
 *   query[TXT] <name unprintable> from 192.0.2.7
 * Types dnsmasq has no name for are written "query[type=65]"; they become "TYPE65".
 * A name with bytes dnsmasq will not print is written "<name unprintable>".
 */
static const char dnsmasq_query[] =
    "^(?:[0-9]+ \\S+/[0-9]+ )?query\\[(?<qtype>[A-Za-z0-9]+|type=[0-9]+)\\] "
    "(?<qname><name unprintable>|\\S+) from (?<client>\\S+)\\s*$";

/*
 * BIND 9 (category queries), after the stamp of its channel or syslog's prefix, with or
 * without print-category and print-severity; BIND before 9.10 writes no "(name)":
 *   queries: info: client @0x7f1c2c0 192.0.2.7#41253 (example.com): query: example.com
 *       IN A +E(0)K (192.0.2.53)
 *   client 192.0.2.7#41253: view internal: query: example.com IN A +
 */
static const char bind_query[] =
    "^(?:queries: )?(?:info: )?client (?:@0x[0-9a-fA-F]+ )?(?<client>[0-9A-Fa-f:.]+(?:%\\S+)?)"
    "#[0-9]+(?: \\([^)]*\\))?: (?:view [^:]+: )?query: (?<qname>\\S+) (?<qclass>[A-Z0-9]+) "
    "(?<qtype>[A-Z0-9]+)(?: |$)";

/*
 * unbound with log-queries (verbosity 0 is enough); log-replies lines carry the rcode,
 * time and size after the class; with log-tag-queryreply the tag "query:" or "reply:"
 * replaces "info:". Through syslog unbound writes its "[pid:tid]" in the message:
 *   info: 192.0.2.7 example.com. A IN
 *   [812:0] query: 192.0.2.7 example.com. AAAA IN
 */
static const char unbound_query[] =
    "^(?:\\[[0-9]+:[0-9]+\\] )?(?:info|query): (?<client>[0-9A-Fa-f:.]+) (?<qname>\\S+) "
    "(?<qtype>[A-Z0-9]+) (?<qclass>[A-Z0-9]+)\\s*$";

static const char *const builtin_pattern[TEXT_BUILTINS] = {dnsmasq_query, bind_query,
                                                           unbound_query};

static int compile_one(const char *pattern, struct text_format *tf, dnsfw_error *err)
{
    int code;
    PCRE2_SIZE off;
    tf->query = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                              PCRE2_UTF | PCRE2_NO_UTF_CHECK, &code, &off, NULL);
    if (!tf->query) {
        if (code == PCRE2_ERROR_NOMEMORY || code == PCRE2_ERROR_HEAP_FAILED)
            return DNSFW_ENOMEM;
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        return dnsfw__fail(err, DNSFW_EPARSE, "<pattern>", 1, (uint32_t)off + 1,
                           "invalid log pattern: %s", (const char *)msg);
    }
    pcre2_jit_compile(tf->query, PCRE2_JIT_COMPLETE); /* faster when available; optional */
    static const char *const names[G_COUNT][2] = {
        [G_QNAME] = {"qname", NULL},   [G_QTYPE] = {"qtype", NULL},  [G_QCLASS] = {"qclass", NULL},
        [G_CLIENT] = {"client", NULL}, [G_TIME] = {"time", "time2"},
    };
    for (int g = 0; g < G_COUNT; g++)
        for (int alt = 0; alt < 2; alt++)
            if (names[g][alt]) {
                int n = pcre2_substring_number_from_name(tf->query, (PCRE2_SPTR)names[g][alt]);
                tf->group[g][alt] = n > 0 ? (uint32_t)n : 0;
            }
    if (!tf->group[G_QNAME][0])
        return dnsfw__fail(err, DNSFW_ESCHEMA, "<pattern>", 0, 0,
                           "the log pattern has no named group \"qname\"");
    return DNSFW_OK;
}

/* The text formats lp->format reads: its own, every built-in one for AUTO. */
int dnsfw__log_text_compile(dnsfw_logparser *lp, const char *pattern, dnsfw_error *err)
{
    int rc = DNSFW_OK;
    if (lp->format == DNSFW_LOG_CUSTOM) {
        if (!pattern)
            return dnsfw__fail(err, DNSFW_EINVAL, "<pattern>", 0, 0,
                               "a custom format needs a pattern");
        rc = compile_one(pattern, &lp->custom, err);
    }
    for (int t = 0; !rc && t < TEXT_BUILTINS; t++)
        if (lp->format == DNSFW_LOG_AUTO || lp->format == DNSFW_LOG_CW_EXPORT ||
            lp->format == DNSFW_LOG_CLOUDWATCH || (int)lp->format == t + DNSFW_LOG_DNSMASQ)
            rc = compile_one(builtin_pattern[t], &lp->builtin[t], err);
    if (rc)
        dnsfw__log_text_free(lp);
    return rc;
}

void dnsfw__log_text_free(dnsfw_logparser *lp)
{
    for (int t = 0; t < TEXT_BUILTINS; t++)
        pcre2_code_free(lp->builtin[t].query);
    pcre2_code_free(lp->custom.query);
    memset(lp->builtin, 0, sizeof lp->builtin);
    memset(&lp->custom, 0, sizeof lp->custom);
}

static dnsfw_text capture(const struct text_format *tf, const PCRE2_SIZE *ov, const char *line,
                          enum log_group g)
{
    for (int alt = 0; alt < 2; alt++) {
        uint32_t n = tf->group[g][alt];
        if (n && ov[2 * n] != PCRE2_UNSET)
            return (dnsfw_text){line + ov[2 * n], ov[2 * n + 1] - ov[2 * n]};
    }
    return (dnsfw_text){0};
}

/* The built-in format of a program name, or -1. */
static int format_of(dnsfw_text prog)
{
#define IS(lit)     (prog.len == sizeof lit - 1 && memcmp(prog.ptr, lit, prog.len) == 0)
#define STARTS(lit) (prog.len >= sizeof lit - 1 && memcmp(prog.ptr, lit, sizeof lit - 1) == 0)
    if (STARTS("dnsmasq"))
        return TEXT_DNSMASQ;
    if (STARTS("named") || IS("bind") || IS("bind9") || IS("queries"))
        return TEXT_BIND;
    if (IS("unbound"))
        return TEXT_UNBOUND;
#undef IS
#undef STARTS
    return -1;
}

/* Match tf against text; >0 on a match, PCRE2_ERROR_NOMATCH, or another PCRE2 error. */
static int match(const struct text_format *tf, dnsfw_logscratch *s, const char *text, size_t len)
{
    return pcre2_match(tf->query, (PCRE2_SPTR)text, len, 0, PCRE2_NO_UTF_CHECK, s->match, NULL);
}

/* Fill rec from a match of tf on text. */
static int fill(const struct text_format *tf, dnsfw_logscratch *s, const char *text,
                dnsfw_log_record *rec, const char **reason)
{
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->match);
    rec->query_name = capture(tf, ov, text, G_QNAME);
    rec->query_type = capture(tf, ov, text, G_QTYPE);
    rec->query_class = capture(tf, ov, text, G_QCLASS);
    rec->client = capture(tf, ov, text, G_CLIENT);
    dnsfw_text time = capture(tf, ov, text, G_TIME);
    if (time.ptr)
        rec->timestamp = time;
    if (rec->query_type.len > 5 && rec->query_type.len < 16 &&
        memcmp(rec->query_type.ptr, "type=", 5) == 0) { /* dnsmasq: "type=65" */
        if (dnsfw__reserve(&s->buf, &s->cap, 16) != DNSFW_OK) {
            *reason = "out of memory";
            return DNSFW_ENOMEM;
        }
        size_t digits = rec->query_type.len - 5;
        memcpy(s->buf, "TYPE", 4);
        memcpy(s->buf + 4, rec->query_type.ptr + 5, digits);
        rec->query_type = (dnsfw_text){s->buf, 4 + digits};
    }
    static const char unprintable[] = "<name unprintable>";
    if (rec->query_name.len == sizeof unprintable - 1 &&
        memcmp(rec->query_name.ptr, unprintable, sizeof unprintable - 1) == 0) {
        rec->query_name = (dnsfw_text){0};
        rec->flags |= DNSFW_LOG_NAME_UNPRINTABLE;
        return DNSFW_OK;
    }
    if (!rec->query_name.ptr || rec->query_name.len == 0) {
        *reason = "the pattern matched but captured no qname";
        return DNSFW_ESCHEMA;
    }
    return DNSFW_OK;
}

static bool starts(dnsfw_text t, const char *lit)
{
    size_t n = strlen(lit);
    return t.len >= n && memcmp(t.ptr, lit, n) == 0;
}

int dnsfw__log_text(const dnsfw_logparser *lp, dnsfw_logscratch *s,
                    const struct dnsfw__clock *clock, const char *line, size_t len,
                    dnsfw_log_record *rec, struct line_info *info, const char **reason)
{
    info->shape = DNSFW_SHAPE_TEXT;
    for (size_t i = 0; i < len;) { /* PCRE2 runs with NO_UTF_CHECK: check here, once */
        size_t n = dnsfw__utf8_seq((const uint8_t *)line + i, len - i);
        if (!n || line[i] == '\0') {
            *reason = line[i] ? "invalid UTF-8" : "NUL byte in the line";
            return DNSFW_EENCODING;
        }
        i += n;
    }
    if (!s->match) {
        *reason = "the scratch belongs to another parser";
        return DNSFW_EINVAL;
    }
    int rc;
    if (lp->format == DNSFW_LOG_CUSTOM) {
        rc = match(&lp->custom, s, line, len);
        if (rc > 0)
            return fill(&lp->custom, s, line, rec, reason);
        *reason = rc == PCRE2_ERROR_NOMATCH
                      ? "the line does not match the log format"
                      : "the pattern could not be matched (PCRE2 resource limit)";
        return DNSFW_EPARSE;
    }

    struct log_head h;
    int head = dnsfw__log_head(line, len, clock, &h);
    if (head == HEAD_BADTIME) {
        *reason = "the line's time stamp is not a valid time";
        return DNSFW_EPARSE;
    }
    if (h.syslog)
        info->shape = DNSFW_SHAPE_SYSLOG;
    if (h.wrapped)
        info->shape = DNSFW_SHAPE_CW_EXPORT;
    info->time = h.time_ms;
    rec->timestamp = h.stamp;
    int forced = lp->format >= DNSFW_LOG_DNSMASQ && lp->format <= DNSFW_LOG_UNBOUND
                     ? (int)lp->format - DNSFW_LOG_DNSMASQ
                     : -1;
    int fmt = h.prog.ptr ? format_of(h.prog) : -1;
    if (h.prog.ptr && (fmt < 0 || (forced >= 0 && fmt != forced)))
        return DNSFW_ENOTQUERY; /* another program's message in a syslog file */
    if (fmt < 0 && forced >= 0)
        fmt = forced;
    if (fmt >= 0) {
        rc = match(&lp->builtin[fmt], s, h.msg.ptr, h.msg.len);
        if (rc > 0)
            return fill(&lp->builtin[fmt], s, h.msg.ptr, rec, reason);
        if (rc != PCRE2_ERROR_NOMATCH) {
            *reason = "the pattern could not be matched (PCRE2 resource limit)";
            return DNSFW_EPARSE;
        }
        /* the program's other messages; BIND's channel lines name no program */
        if (h.prog.ptr ||
            (fmt == TEXT_BIND && (starts(h.msg, "client ") || starts(h.msg, "queries: "))))
            return DNSFW_ENOTQUERY;
        *reason = "the line does not match the log format";
        return DNSFW_EPARSE;
    }
    /* AUTO, a line naming no program: each format's query pattern in turn */
    for (int t = 0; t < TEXT_BUILTINS; t++) {
        rc = match(&lp->builtin[t], s, h.msg.ptr, h.msg.len);
        if (rc > 0)
            return fill(&lp->builtin[t], s, h.msg.ptr, rec, reason);
    }
    if (starts(h.msg, "client ") || starts(h.msg, "queries: "))
        return DNSFW_ENOTQUERY; /* BIND's channel file */
    *reason = head == HEAD_OK ? "a log line of no program this reader knows"
                              : "not a query log line of any shape this reader knows";
    return DNSFW_EPARSE;
}
