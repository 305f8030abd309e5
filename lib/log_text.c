/*
 * Text query logs of the resolvers people run locally, matched with PCRE2. Each format
 * has a pattern for lines that record a query and, where the format writes other lines
 * too (replies, forwards, notices), a pattern that recognises those so they are counted
 * as "not a query" rather than as malformed. Patterns are compiled once (the parser is
 * immutable); match data lives in the per-thread scratch.
 */
#include <stdlib.h>

#include "logparse.h"

struct builtin {
    const char *query;
    const char *other;
};

/*
 * dnsmasq with log-queries, through syslog or log-facility=FILE; log-queries=extra adds
 * a serial number and the client address and port before the message:
 *   Nov 28 10:00:00 dnsmasq[812]: query[AAAA] example.com from 192.0.2.7
 *   Nov 28 10:00:00 dnsmasq[812]: 17 192.0.2.7/41253 query[A] example.com from 192.0.2.7
 * Types dnsmasq has no name for are written "query[type=65]"; they become "TYPE65".
 */
static const struct builtin dnsmasq = {
    "^(?:(?<time>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8}) )?(?:\\S+ )?dnsmasq(?:-dhcp)?\\[[0-9]+\\]: "
    "(?:[0-9]+ \\S+/[0-9]+ )?query\\[(?<qtype>[A-Za-z0-9]+|type=[0-9]+)\\] (?<qname>\\S+) from "
    "(?<client>\\S+)\\s*$",
    "^(?:[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} )?(?:\\S+ )?dnsmasq(?:-dhcp)?\\[[0-9]+\\]: ",
};

/*
 * BIND 9 query log (category queries): its own channel file, with or without
 * print-time / print-category, or syslog (BIND's default destination):
 *   28-Nov-2026 10:00:00.123 queries: info: client @0x7f1c2c0 192.0.2.7#41253
 *       (example.com): query: example.com IN A +E(0)K (192.0.2.53)
 *   client 192.0.2.7#41253 (example.com): view internal: query: example.com IN A +
 *   Nov 28 10:00:00 ns1 named[812]: client @0x7f1c2c0 192.0.2.7#41253 (example.com): ...
 */
#define BIND_SYSLOG "[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} \\S+ named\\[[0-9]+\\]: "
static const struct builtin bind9 = {
    "^(?:(?<time>[0-9]{2}-[A-Za-z]{3}-[0-9]{4} [0-9:.]+) |(?<time2>[A-Z][a-z]{2} [ 0-9][0-9] "
    "[0-9:]{8}) \\S+ named\\[[0-9]+\\]: )?(?:\\S+ )?(?:queries: )?(?:info: )?"
    "client (?:@0x[0-9a-fA-F]+ )?(?<client>[0-9A-Fa-f:.]+)#[0-9]+ (?:\\([^)]*\\))?: "
    "(?:view [^:]+: )?query: (?<qname>\\S+) (?<qclass>[A-Z0-9]+) (?<qtype>[A-Z0-9]+) ",
    "^(?:[0-9]{2}-[A-Za-z]{3}-[0-9]{4} [0-9:.]+ |" BIND_SYSLOG ")?(?:\\S+ )?(?:queries: |client )",
};

/*
 * unbound with log-queries (verbosity 0 is enough); log-time-ascii or the default
 * epoch stamp. log-replies lines carry the rcode, time and size after the class; with
 * log-tag-queryreply the tag "query:" or "reply:" replaces "info:".
 *   [1701163200] unbound[812:0] info: 192.0.2.7 example.com. A IN
 *   Nov 28 10:00:00 unbound[812:0] info: 192.0.2.7 example.com. AAAA IN
 *   [1701163200] unbound[812:0] query: 192.0.2.7 example.com. A IN
 */
static const struct builtin unbound = {
    "^(?:\\[(?<time>[0-9]+)\\] |(?<time2>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8}) (?:\\S+ )?)?"
    "unbound\\[[0-9]+:[0-9]+\\] (?:info|query): (?<client>[0-9A-Fa-f:.]+) (?<qname>\\S+) "
    "(?<qtype>[A-Z0-9]+) (?<qclass>[A-Z0-9]+)\\s*$",
    "^(?:\\[[0-9]+\\] |[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} (?:\\S+ )?)?unbound\\[[0-9]+:[0-9]+\\] ",
};

static int compile_one(const char *pattern, pcre2_code **out, dnsfw_error *err)
{
    int code;
    PCRE2_SIZE off;
    *out = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_NO_UTF_CHECK,
                         &code, &off, NULL);
    if (*out) {
        pcre2_jit_compile(*out, PCRE2_JIT_COMPLETE); /* faster when available; optional */
        return DNSFW_OK;
    }
    if (code == PCRE2_ERROR_NOMEMORY)
        return DNSFW_ENOMEM;
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(code, msg, sizeof msg);
    return dnsfw__fail(err, DNSFW_EPARSE, "<pattern>", 1, (uint32_t)off + 1,
                       "invalid log pattern: %s", (const char *)msg);
}

static uint32_t group(const pcre2_code *re, const char *name)
{
    int n = pcre2_substring_number_from_name(re, (PCRE2_SPTR)name);
    return n > 0 ? (uint32_t)n : 0;
}

int dnsfw__log_text_compile(struct text_format *tf, dnsfw_log_format format, const char *pattern,
                            dnsfw_error *err)
{
    const struct builtin *b = format == DNSFW_LOG_DNSMASQ   ? &dnsmasq
                              : format == DNSFW_LOG_BIND    ? &bind9
                              : format == DNSFW_LOG_UNBOUND ? &unbound
                                                            : NULL;
    memset(tf, 0, sizeof *tf);
    const char *query = b ? b->query : pattern;
    if (!query)
        return dnsfw__fail(err, DNSFW_EINVAL, "<pattern>", 0, 0, "a custom format needs a pattern");
    int rc = compile_one(query, &tf->query, err);
    if (!rc && b && b->other)
        rc = compile_one(b->other, &tf->other, err);
    if (rc) {
        dnsfw__log_text_free(tf);
        return rc;
    }
    static const char *const names[G_COUNT][2] = {
        [G_QNAME] = {"qname", NULL},   [G_QTYPE] = {"qtype", NULL},  [G_QCLASS] = {"qclass", NULL},
        [G_CLIENT] = {"client", NULL}, [G_TIME] = {"time", "time2"},
    };
    for (int g = 0; g < G_COUNT; g++)
        for (int alt = 0; alt < 2; alt++)
            if (names[g][alt])
                tf->group[g][alt] = group(tf->query, names[g][alt]);
    if (!tf->group[G_QNAME][0]) {
        dnsfw__log_text_free(tf);
        return dnsfw__fail(err, DNSFW_ESCHEMA, "<pattern>", 0, 0,
                           "the log pattern has no named group \"qname\"");
    }
    return DNSFW_OK;
}

void dnsfw__log_text_free(struct text_format *tf)
{
    pcre2_code_free(tf->query);
    pcre2_code_free(tf->other);
    memset(tf, 0, sizeof *tf);
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

int dnsfw__log_text(const struct text_format *tf, dnsfw_logscratch *s, const char *line, size_t len,
                    dnsfw_log_record *rec, const char **reason)
{
    memset(rec, 0, sizeof *rec);
    for (size_t i = 0; i < len;) { /* PCRE2 runs with NO_UTF_CHECK: check here, once */
        size_t n = dnsfw__utf8_seq((const uint8_t *)line + i, len - i);
        if (!n || line[i] == '\0') {
            *reason = line[i] ? "invalid UTF-8" : "NUL byte in the line";
            return DNSFW_EENCODING;
        }
        i += n;
    }
    int rc = pcre2_match(tf->query, (PCRE2_SPTR)line, len, 0, PCRE2_NO_UTF_CHECK, s->match, NULL);
    if (rc > 0) {
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->match);
        rec->query_name = capture(tf, ov, line, G_QNAME);
        rec->query_type = capture(tf, ov, line, G_QTYPE);
        if (rec->query_type.len > 5 && rec->query_type.len < 16 &&
            memcmp(rec->query_type.ptr, "type=", 5) == 0) { /* dnsmasq: "type=65" */
            if (s->cap < 16) {
                char *nb = realloc(s->buf, 16);
                if (!nb) {
                    *reason = "out of memory";
                    return DNSFW_ENOMEM;
                }
                s->buf = nb;
                s->cap = 16;
            }
            size_t digits = rec->query_type.len - 5;
            memcpy(s->buf, "TYPE", 4);
            memcpy(s->buf + 4, rec->query_type.ptr + 5, digits);
            rec->query_type = (dnsfw_text){s->buf, 4 + digits};
        }
        rec->query_class = capture(tf, ov, line, G_QCLASS);
        rec->client = capture(tf, ov, line, G_CLIENT);
        rec->timestamp = capture(tf, ov, line, G_TIME);
        if (!rec->query_name.ptr || rec->query_name.len == 0) {
            *reason = "the pattern matched but captured no qname";
            return DNSFW_ESCHEMA;
        }
        return DNSFW_OK;
    }
    if (rc == PCRE2_ERROR_NOMATCH && tf->other &&
        pcre2_match(tf->other, (PCRE2_SPTR)line, len, 0, PCRE2_NO_UTF_CHECK, s->match, NULL) >= 0)
        return DNSFW_ENOTQUERY;
    if (rc == PCRE2_ERROR_NOMATCH) {
        *reason = "the line does not match the log format";
        return DNSFW_EPARSE;
    }
    *reason = "the pattern could not be matched (PCRE2 resource limit)";
    return DNSFW_EPARSE;
}
