/*
 * Fuzz target: VPC Flow Logs records through dnsfw_flow_parse().
 *
 * The input is text. Its first line is tried as a format (a header line or a LogFormat
 * string, dnsfw_flowformat_new()); when it is not one, the default format is used and
 * the first line is a record too. Every further line is a record. Checks:
 *   - a rejected format returns a documented status with a message and no format;
 *   - dnsfw_flow_is_header() says yes only for lines that compile as a format;
 *   - a record parses with DNSFW_OK or DNSFW_EPARSE and a reason, nothing else;
 *   - for a record: each text lies inside the line, is printable ASCII and not "-";
 *     present has exactly the bits of the texts, and only of fields the format has;
 *     each typed member agrees with its text (an address formats and parses back to
 *     the same address; the enumerations are in range; end >= start when both exist);
 *   - parsing the same line again gives the same record.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsfw/dnsfw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT (64 * 1024)

__attribute__((noreturn, format(printf, 3, 4))) static void die(int line, const char *expr,
                                                                const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "fuzz_flowlog.c:%d: check failed: %s\n  ", line, expr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

#define CHECK(cond, ...) ((cond) ? (void)0 : die(__LINE__, #cond, __VA_ARGS__))

static void check_ip(const dnsfw_ip *ip, dnsfw_text t, const char *what)
{
    CHECK(ip->family == 4 || ip->family == 6, "%s: family %d", what, ip->family);
    char buf[64];
    CHECK(dnsfw_ip_format(ip, buf, sizeof buf) == DNSFW_OK, "%s: does not format", what);
    dnsfw_ip back;
    CHECK(dnsfw_ip_parse(buf, strlen(buf), &back) == DNSFW_OK, "%s: %s does not parse back", what,
          buf);
    CHECK(back.family == ip->family && memcmp(back.addr, ip->addr, 16) == 0,
          "%s: %.*s -> %s changes", what, (int)t.len, t.ptr, buf);
}

static void check_record(const dnsfw_flowformat *f, const char *line, size_t len,
                         const dnsfw_flow_record *r)
{
    for (int fd = 0; fd < DNSFW_FLOW_FIELD_COUNT; fd++) {
        dnsfw_text t = r->text[fd];
        bool has = DNSFW_FLOW_HAS(r, fd);
        CHECK(has == (t.ptr != NULL), "field %d: present bit %d, text %p", fd, has,
              (const void *)t.ptr);
        if (!has)
            continue;
        CHECK(dnsfw_flowformat_has(f, (dnsfw_flow_field)fd), "field %d not in the format", fd);
        CHECK(t.ptr >= line && t.len > 0 && t.ptr + t.len <= line + len,
              "field %d: text outside the line", fd);
        CHECK(!(t.len == 1 && t.ptr[0] == '-'), "field %d: \"-\" kept as a value", fd);
        for (size_t i = 0; i < t.len; i++)
            CHECK((uint8_t)t.ptr[i] > 0x20 && (uint8_t)t.ptr[i] < 0x7f, "field %d: byte 0x%02x", fd,
                  (uint8_t)t.ptr[i]);
    }
    CHECK((r->present >> DNSFW_FLOW_FIELD_COUNT) == 0, "present has unknown bits");
    struct {
        dnsfw_flow_field f;
        const dnsfw_ip *ip;
    } ips[] = {{DNSFW_FLOW_SRCADDR, &r->srcaddr},
               {DNSFW_FLOW_DSTADDR, &r->dstaddr},
               {DNSFW_FLOW_PKT_SRCADDR, &r->pkt_srcaddr},
               {DNSFW_FLOW_PKT_DSTADDR, &r->pkt_dstaddr}};
    for (size_t i = 0; i < sizeof ips / sizeof ips[0]; i++) {
        if (DNSFW_FLOW_HAS(r, ips[i].f))
            check_ip(ips[i].ip, r->text[ips[i].f], dnsfw_flow_field_name(ips[i].f));
        else
            CHECK(ips[i].ip->family == 0, "absent %s has a family",
                  dnsfw_flow_field_name(ips[i].f));
    }
    CHECK(DNSFW_FLOW_HAS(r, DNSFW_FLOW_LOG_STATUS) == (r->log_status != DNSFW_FLOW_STATUS_NONE),
          "log_status %d", r->log_status);
    CHECK(r->log_status <= DNSFW_FLOW_SKIPDATA, "log_status %d", r->log_status);
    CHECK(DNSFW_FLOW_HAS(r, DNSFW_FLOW_ACTION) == (r->action != DNSFW_FLOW_ACTION_NONE),
          "action %d", r->action);
    CHECK(r->action <= DNSFW_FLOW_REJECT, "action %d", r->action);
    CHECK(DNSFW_FLOW_HAS(r, DNSFW_FLOW_FLOW_DIRECTION) ==
              (r->direction != DNSFW_FLOW_DIRECTION_NONE),
          "direction %d", r->direction);
    CHECK(DNSFW_FLOW_HAS(r, DNSFW_FLOW_TCP_FLAGS) ? r->tcp_flags >= 0 && r->tcp_flags <= 255
                                                  : r->tcp_flags == -1,
          "tcp_flags %d", r->tcp_flags);
    if (DNSFW_FLOW_HAS(r, DNSFW_FLOW_START) && DNSFW_FLOW_HAS(r, DNSFW_FLOW_END))
        CHECK(r->end >= r->start, "end %lld before start %lld", (long long)r->end,
              (long long)r->start);
    CHECK(r->start >= 0 && r->end >= 0, "negative time");
    if (DNSFW_FLOW_HAS(r, DNSFW_FLOW_DSTPORT)) {
        char buf[8];
        snprintf(buf, sizeof buf, "%u", r->dstport);
        dnsfw_text t = r->text[DNSFW_FLOW_DSTPORT];
        /* leading zeros are the only other spelling */
        size_t z = 0;
        while (z + 1 < t.len && t.ptr[z] == '0')
            z++;
        CHECK(t.len - z == strlen(buf) && memcmp(t.ptr + z, buf, strlen(buf)) == 0,
              "dstport %.*s read as %u", (int)t.len, t.ptr, r->dstport);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    /* an exact-size copy: any read past the input is an ASan report */
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    const char *end = text + size;
    const char *nl = memchr(text, '\n', size);
    size_t first_len = nl ? (size_t)(nl - text) : size;

    dnsfw_flowformat *f = NULL;
    dnsfw_error err;
    int rc = dnsfw_flowformat_new(&f, text, first_len, &err);
    bool header = dnsfw_flow_is_header(text, first_len);
    const char *records = nl ? nl + 1 : end;
    if (rc == DNSFW_OK) {
        CHECK(f != NULL, "no format");
    } else {
        CHECK(rc == DNSFW_ESCHEMA || rc == DNSFW_EDUPLICATE || rc == DNSFW_EPARSE ||
                  rc == DNSFW_ENOMEM || (rc == DNSFW_EINVAL && first_len == 0),
              "format status %d", rc);
        CHECK(f == NULL, "a format with status %d", rc);
        CHECK(rc == DNSFW_EINVAL || (err.status == rc && err.message[0]),
              "format error without a message");
        CHECK(!header || rc == DNSFW_EDUPLICATE || rc == DNSFW_ENOMEM,
              "a header line that does not compile: %s", err.message);
        if (dnsfw_flowformat_new(&f, NULL, 0, NULL) != DNSFW_OK) {
            free(text);
            return 0;
        }
        records = text; /* the first line is a record of the default format */
    }
    for (const char *p = records; p < end;) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        size_t len = e ? (size_t)(e - p) : (size_t)(end - p);
        dnsfw_flow_record r, again;
        const char *why = NULL;
        rc = dnsfw_flow_parse(f, p, len, &r, &why);
        if (rc == DNSFW_OK) {
            CHECK(why == NULL, "a reason for a good record: %s", why);
            check_record(f, p, len, &r);
            CHECK(dnsfw_flow_parse(f, p, len, &again, NULL) == DNSFW_OK, "second parse fails");
            CHECK(memcmp(&r, &again, sizeof r) == 0, "second parse differs");
        } else {
            CHECK(rc == DNSFW_EPARSE, "record status %d", rc);
            CHECK(why && why[0], "no reason");
        }
        p += len + 1;
    }
    dnsfw_flowformat_free(f);
    free(text);
    return 0;
}
