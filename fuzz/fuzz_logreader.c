/*
 * Fuzz target: whole inputs through dnsfw_logreader (every shape: gzip layers, lines,
 * export lines, CloudWatch documents, subscription payloads, EventBridge events,
 * syslog), fed twice: in one piece, and in pieces whose sizes the input picks.
 *
 * Input: byte 0 picks the format (auto most of the time) or a flow-log reader
 * (DNSFW_RECORDS_FLOW), byte 1 the piece size (1 to 256, or 64 KiB), the rest is the
 * input. Checks:
 *   - the items and the counts are the same however the input is cut into pieces: the
 *     reader's result may not depend on where read() happened to stop;
 *   - every item has a documented kind and status, a reason unless it is a record, a
 *     location with this source, and a line of at least 1 unless the input is empty;
 *   - a record has a non-empty query name, valid UTF-8 without NUL (or the unprintable
 *     flag and no name), and a query type for Route 53 shapes;
 *   - a flow record comes only from a flow-log reader, as a line of a text file or the
 *     message of a CloudWatch shape, with the texts the same in both runs;
 *   - the stats add up to the items handed over;
 * with max_record small (4 KiB) so that the limits and the streaming paths are reached.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsfw/dnsfw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT  (256 * 1024)
#define MAX_ITEMS  4096
#define MAX_RECORD 4096

__attribute__((noreturn, format(printf, 3, 4))) static void die(int line, const char *expr,
                                                                const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "fuzz_logreader.c:%d: check failed: %s\n  ", line, expr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

#define CHECK(cond, ...) ((cond) ? (void)0 : die(__LINE__, #cond, __VA_ARGS__))

/* What one item said, in a form two runs can compare. */
struct seen {
    int kind, status, shape;
    uint64_t line, document, index;
    bool array;
    uint64_t name_hash; /* of the query name, for records */
};

struct run {
    struct seen items[MAX_ITEMS];
    size_t n, dropped;
    bool flows;
};

static uint64_t hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)p[i]) * 1099511628211ull;
    return h;
}

static bool utf8_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (!c)
            return false;
        size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
        if (c >= 0xF8 || (c & 0xC0) == 0x80 || i + k > n)
            return false;
        for (size_t j = 1; j < k; j++)
            if (((unsigned char)s[i + j] & 0xC0) != 0x80)
                return false;
        i += k;
    }
    return true;
}

static int on_item(void *ud, const dnsfw_log_item *it)
{
    struct run *r = ud;
    CHECK(it->kind >= DNSFW_ITEM_RECORD && it->kind <= DNSFW_ITEM_FLOW, "kind %d", it->kind);
    CHECK(it->where.source && strcmp(it->where.source, "fuzz") == 0, "source");
    CHECK(it->where.line >= 1, "line %llu", (unsigned long long)it->where.line);
    CHECK(it->shape >= DNSFW_SHAPE_NONE && it->shape <= DNSFW_SHAPE_FLOW, "shape %d", it->shape);
    CHECK(dnsfw_log_shape_name(it->shape) != NULL, "shape name");
    uint64_t h = 0;
    switch (it->kind) {
    case DNSFW_ITEM_FLOW: {
        const dnsfw_flow_record *f = it->flow;
        CHECK(r->flows && f && !it->record && it->status == DNSFW_OK, "a flow from a flow reader");
        CHECK(it->shape == DNSFW_SHAPE_FLOW || it->shape == DNSFW_SHAPE_CW_EXPORT ||
                  it->shape == DNSFW_SHAPE_CW_EVENTS || it->shape == DNSFW_SHAPE_CW_PAYLOAD,
              "flow shape %d", it->shape);
        for (int k = 0; k < DNSFW_FLOW_FIELD_COUNT; k++)
            if (f->text[k].ptr)
                h = h * 31 + hash(f->text[k].ptr, f->text[k].len);
        h ^= f->present;
        break;
    }
    case DNSFW_ITEM_RECORD: {
        const dnsfw_log_record *rec = it->record;
        CHECK(!r->flows, "a query record from a flow reader");
        CHECK(it->status == DNSFW_OK && rec, "record status %d", it->status);
        if (rec->flags & DNSFW_LOG_NAME_UNPRINTABLE) {
            CHECK(!rec->query_name.ptr, "an unprintable name has no text");
        } else {
            CHECK(rec->query_name.ptr && rec->query_name.len, "a record names its query");
            CHECK(utf8_ok(rec->query_name.ptr, rec->query_name.len), "query name UTF-8");
            h = hash(rec->query_name.ptr, rec->query_name.len);
        }
        if (it->shape == DNSFW_SHAPE_ROUTE53 || it->shape == DNSFW_SHAPE_EVENTBRIDGE)
            CHECK(rec->query_type.ptr, "a Route 53 record has a type");
        CHECK(rec->n_chain <= DNSFW_LOG_CHAIN_MAX, "chain");
        break;
    }
    case DNSFW_ITEM_NOT_QUERY:
        CHECK(it->status == DNSFW_OK, "not-query status %d", it->status);
        break;
    case DNSFW_ITEM_MALFORMED:
        CHECK(it->status < 0 && it->status != DNSFW_ENOMEM, "malformed status %d", it->status);
        CHECK(it->reason && *it->reason, "a malformed item says why");
        CHECK(strcmp(dnsfw_strerror(it->status), "unknown error") != 0, "status");
        break;
    case DNSFW_ITEM_NOTICE:
        CHECK(it->reason && *it->reason, "a notice says what");
        break;
    }
    if (it->where.array)
        CHECK(!strcmp(it->where.array, "events") || !strcmp(it->where.array, "logEvents") ||
                  !strcmp(it->where.array, "array"),
              "array name %s", it->where.array);
    if (r->n < MAX_ITEMS)
        r->items[r->n++] = (struct seen){it->kind,
                                         it->status,
                                         it->shape,
                                         it->where.line,
                                         it->where.document,
                                         it->where.index,
                                         it->where.array != NULL,
                                         h};
    else
        r->dropped++;
    return 0;
}

static void read_all(dnsfw_log_format format, bool flows, const uint8_t *in, size_t len,
                     size_t piece, struct run *r, dnsfw_logreader_stats *st)
{
    r->flows = flows;
    dnsfw_logreader_options o = {.format = format,
                                 .records = flows ? DNSFW_RECORDS_FLOW : DNSFW_RECORDS_QUERY,
                                 .flags = flows ? 0 : DNSFW_LOGREADER_TIMES,
                                 .on_item = on_item,
                                 .userdata = r,
                                 .now = 1795795200000LL, /* 2026-11-27 */
                                 .max_record = MAX_RECORD};
    dnsfw_logreader *rd;
    dnsfw_error err;
    CHECK(dnsfw_logreader_new(&rd, &o, &err) == DNSFW_OK, "new: %s", err.message);
    CHECK(dnsfw_logreader_begin(rd, "fuzz") == DNSFW_OK, "begin");
    for (size_t off = 0; off < len; off += piece) {
        size_t n = len - off < piece ? len - off : piece;
        CHECK(dnsfw_logreader_feed(rd, in + off, n) == DNSFW_OK, "feed");
    }
    CHECK(dnsfw_logreader_end(rd) == DNSFW_OK, "end");
    dnsfw_logreader_get_stats(rd, st);
    dnsfw_logreader_free(rd);
}

static struct run a, b;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > MAX_INPUT)
        return 0;
    static const dnsfw_log_format formats[] = {
        DNSFW_LOG_AUTO,    DNSFW_LOG_AUTO,      DNSFW_LOG_AUTO,       DNSFW_LOG_AUTO,
        DNSFW_LOG_ROUTE53, DNSFW_LOG_CW_EXPORT, DNSFW_LOG_CLOUDWATCH, DNSFW_LOG_EVENTBRIDGE,
        DNSFW_LOG_DNSMASQ, DNSFW_LOG_BIND,      DNSFW_LOG_UNBOUND,    DNSFW_LOG_AUTO};
    /* 12 and 13: a flow-log reader (DNSFW_LOG_AUTO) */
    size_t pick = data[0] % (sizeof formats / sizeof formats[0] + 2);
    bool flows = pick >= sizeof formats / sizeof formats[0];
    dnsfw_log_format format = flows ? DNSFW_LOG_AUTO : formats[pick];
    size_t piece = data[1] == 255 ? 65536 : (size_t)data[1] + 1;
    data += 2;
    size -= 2;
    dnsfw_logreader_stats sa, sb;
    a.n = a.dropped = b.n = b.dropped = 0;
    read_all(format, flows, data, size, size ? size : 1, &a, &sa);
    read_all(format, flows, data, size, piece, &b, &sb);
    CHECK(a.n == b.n && a.dropped == b.dropped, "%zu items whole, %zu in pieces of %zu", a.n, b.n,
          piece);
    for (size_t i = 0; i < a.n; i++) {
        const struct seen *x = &a.items[i], *y = &b.items[i];
        CHECK(x->kind == y->kind && x->status == y->status && x->shape == y->shape &&
                  x->line == y->line && x->document == y->document && x->index == y->index &&
                  x->array == y->array && x->name_hash == y->name_hash,
              "item %zu differs (pieces of %zu): kind %d/%d status %d/%d line %llu/%llu", i, piece,
              x->kind, y->kind, x->status, y->status, (unsigned long long)x->line,
              (unsigned long long)y->line);
    }
    CHECK(memcmp(&sa, &sb, sizeof sa) == 0, "stats differ with pieces of %zu", piece);
    CHECK(sa.records + sa.not_query + sa.malformed <= a.n + a.dropped, "stats vs items");
    return 0;
}
