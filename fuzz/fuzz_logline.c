/*
 * Fuzz target: one query-log line through dnsfw_log_parse(), then its verdict.
 *
 * The first input byte picks the format (modulo 5: Route 53 JSON, dnsmasq, BIND, unbound,
 * a custom pattern fixed here); the rest is the line. Whatever the status, it must be
 * one the API documents, with a reason when the line is malformed. For a record:
 *   - every text lies inside the line or inside the scratch's decoding buffer, is
 *     valid UTF-8 and holds no NUL byte; absent texts have length 0;
 *   - query_name is non-empty (and query_type present for Route 53 records);
 *   - n_chain <= DNSFW_LOG_CHAIN_MAX, chain_truncated only when the chain is full; the
 *     same for the answered addresses (n_addresses, DNSFW_LOG_ADDR_MAX), which parse as
 *     addresses or are rejected with DNSFW_EPARSE;
 *   - parsing the line again with another scratch gives the same record;
 *   - the fast path for Resolver's records (log_route53_fast.c) accepts a line only when
 *     the general parser does, with the same fields; and the same for the line
 *     JSON-escaped inside a string, as a CloudWatch event carries it;
 * then the query name and its chain are evaluated on a small fixed matcher with
 * dnsfw_eval_chain() (name errors are fine): the deciding hop exists, a chain never
 * changes the verdict of a query without one, and a hop decides only with ALERT or BLOCK.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsfw/dnsfw.h"
#include "logparse.h" /* the scratch's buffer, to check where decoded texts live */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LINE_INPUT (64 * 1024)
#define N_FORMATS      5

__attribute__((noreturn, format(printf, 3, 4))) static void die(int line, const char *expr,
                                                                const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "fuzz_logline.c:%d: check failed: %s\n  ", line, expr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

#define CHECK(cond, ...) ((cond) ? (void)0 : die(__LINE__, #cond, __VA_ARGS__))

/* Named groups in an order unlike the built-in formats', two of them optional. */
static const char custom_pattern[] =
    "^(?<time>\\S+) (?<client>[^ ]*) (?:(?<qclass>IN|CH) )?(?<qname>\\S+)(?: (?<qtype>\\w+))?$";

/* A small policy that exercises every outcome of a chain: BLOCK first, a TRUST rule, an
 * INSPECT rule, an ALERT catch-all. */
static const char policy_json[] =
    "{\"dnsfw\":1,\"domain_lists\":{"
    "\"bad\":[\"*.bad.test\",\"evil.example\"],"
    "\"trusted\":[\"*.cdn.test\",\"trusted.example\"],"
    "\"ok\":[\"example.com\",\"*.example.net\",\"a.example\"],"
    "\"all\":[\"*\"]},"
    "\"rule_groups\":[{\"name\":\"g\",\"priority\":100,\"rules\":["
    "{\"name\":\"block\",\"priority\":10,\"action\":\"BLOCK\",\"domain_list\":\"bad\","
    "\"block_response\":\"NXDOMAIN\"},"
    "{\"name\":\"trust\",\"priority\":20,\"action\":\"ALLOW\",\"domain_list\":\"trusted\","
    "\"redirection\":\"TRUST_REDIRECTION_DOMAIN\"},"
    "{\"name\":\"aaaa\",\"priority\":25,\"action\":\"BLOCK\",\"domain_list\":\"ok\","
    "\"qtype\":\"AAAA\",\"block_response\":\"NODATA\"},"
    "{\"name\":\"allow\",\"priority\":30,\"action\":\"ALLOW\",\"domain_list\":\"ok\"},"
    "{\"name\":\"alert\",\"priority\":40,\"action\":\"ALERT\",\"domain_list\":\"all\"}]}]}";

static struct {
    dnsfw_logparser *parser[N_FORMATS];
    dnsfw_logscratch *scratch[N_FORMATS][2];
    dnsfw_matcher *matcher;
} g;

/* Everything is built once and kept for the life of the process. */
static void init(void)
{
    if (g.matcher)
        return;
    for (int f = 0; f < N_FORMATS; f++) {
        dnsfw_error err;
        int rc = dnsfw_logparser_new(&g.parser[f], (dnsfw_log_format)f,
                                     f == DNSFW_LOG_CUSTOM ? custom_pattern : NULL, &err);
        CHECK(rc == DNSFW_OK, "format %d: %d %s", f, rc, err.message);
        for (int k = 0; k < 2; k++)
            CHECK(dnsfw_logscratch_new(g.parser[f], &g.scratch[f][k]) == DNSFW_OK, "scratch");
    }
    dnsfw_policy *p;
    dnsfw_error err;
    int rc = dnsfw_policy_from_json(&p, policy_json, sizeof policy_json - 1, "<fuzz>", NULL, &err);
    CHECK(rc == DNSFW_OK, "policy: %d %s", rc, err.message);
    CHECK(dnsfw_compile(p, &g.matcher) == DNSFW_OK, "compile");
    dnsfw_policy_free(p);
}

/* A well-formed UTF-8 sequence at p (at most avail bytes), or 0. */
static size_t utf8_seq(const uint8_t *p, size_t avail)
{
    uint8_t c = p[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    /* overlong forms, surrogates, beyond U+10FFFF */
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static void check_text(dnsfw_text t, const char *what, const uint8_t *line, size_t len,
                       const dnsfw_logscratch *s)
{
    if (!t.ptr) {
        CHECK(t.len == 0, "%s: absent with length %zu", what, t.len);
        return;
    }
    const char *l = (const char *)line;
    bool in_line = t.ptr >= l && t.len <= len && t.ptr <= l + len - t.len;
    bool in_scratch =
        s->buf && t.ptr >= s->buf && t.len <= s->cap && t.ptr <= s->buf + s->cap - t.len;
    CHECK(in_line || in_scratch, "%s: text outside the line and the scratch", what);
    const uint8_t *p = (const uint8_t *)t.ptr;
    for (size_t i = 0; i < t.len;) {
        CHECK(p[i] != 0, "%s: NUL byte at %zu", what, i);
        size_t n = utf8_seq(p + i, t.len - i);
        CHECK(n > 0, "%s: invalid UTF-8 at %zu", what, i);
        i += n;
    }
}

static bool text_same(dnsfw_text a, dnsfw_text b)
{
    return (a.ptr == NULL) == (b.ptr == NULL) && a.len == b.len &&
           (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static const dnsfw_text *fields(const dnsfw_log_record *r, size_t *n)
{
    static dnsfw_text f[16];
    const dnsfw_text v[] = {r->query_name,
                            r->query_type,
                            r->query_class,
                            r->timestamp,
                            r->client,
                            r->client_port,
                            r->instance,
                            r->vpc_id,
                            r->account_id,
                            r->region,
                            r->rcode,
                            r->transport,
                            r->version,
                            r->firewall_action,
                            r->firewall_rule_group_id,
                            r->firewall_domain_list_id};
    memcpy(f, v, sizeof v);
    *n = sizeof v / sizeof v[0];
    return f;
}

/* Two records with the same fields (what a reader hands over). */
static void same_record(const dnsfw_log_record *a, const dnsfw_log_record *b, const char *what)
{
    size_t n, n2;
    dnsfw_text fa[16];
    memcpy(fa, fields(a, &n), sizeof fa);
    const dnsfw_text *fb = fields(b, &n2);
    for (size_t i = 0; i < n; i++)
        CHECK(text_same(fa[i], fb[i]), "%s: field %zu differs", what, i);
    CHECK(a->n_chain == b->n_chain && a->chain_truncated == b->chain_truncated &&
              a->flags == b->flags && a->time == b->time,
          "%s: chain or flags differ", what);
    for (size_t i = 0; i < a->n_chain; i++)
        CHECK(text_same(a->chain[i], b->chain[i]), "%s: chain[%zu] differs", what, i);
    CHECK(a->n_addresses == b->n_addresses && a->addresses_truncated == b->addresses_truncated,
          "%s: addresses differ", what);
    for (size_t i = 0; i < a->n_addresses; i++)
        CHECK(text_same(a->addresses[i], b->addresses[i]), "%s: addresses[%zu] differs", what, i);
}

/* Every text of a record lies in [lo, hi): the fast path points into its input. */
static void inside(const dnsfw_log_record *r, const char *lo, const char *hi, const char *what)
{
    size_t n;
    const dnsfw_text *f = fields(r, &n);
    for (size_t i = 0; i < n + r->n_chain + r->n_addresses; i++) {
        dnsfw_text t = i < n                ? f[i]
                       : i < n + r->n_chain ? r->chain[i - n]
                                            : r->addresses[i - n - r->n_chain];
        CHECK(!t.ptr || (t.ptr >= lo && t.len <= (size_t)(hi - t.ptr)),
              "%s: text %zu outside its input", what, i);
    }
}

/*
 * The fast path against the general parser: whatever it accepts, plain or escaped
 * inside a JSON string (as a CloudWatch event's message, followed by the rest of an
 * event), the general parser accepts with the same fields.
 */
static void fast_path(const uint8_t *line, size_t len)
{
    dnsfw_logscratch *sf = g.scratch[0][0], *sg = g.scratch[0][1];
    dnsfw_log_record fast, general;
    const char *reason = NULL;
    if (dnsfw__route53_fast(sf, (const char *)line, len, &fast)) {
        int rc = dnsfw__log_route53_general(sg, (const char *)line, len, &general, &reason);
        CHECK(rc == DNSFW_OK, "the fast path read a line the general parser rejects: %s", reason);
        inside(&fast, (const char *)line, (const char *)line + len, "fast path");
        same_record(&fast, &general, "fast path");
    }
    /* the line as a JSON string's body: every byte escaped as JSON requires */
    static const char tail[] = "\",\"timestamp\":1}";
    size_t cap = len * 6 + sizeof tail;
    char *esc = malloc(cap), *o = esc;
    CHECK(esc != NULL, "malloc");
    for (size_t i = 0; i < len; i++) {
        uint8_t c = line[i];
        if (c == '"' || c == '\\')
            *o++ = '\\', *o++ = (char)c;
        else if (c < 0x20)
            o += sprintf(o, "\\u%04x", c);
        else
            *o++ = (char)c;
    }
    memcpy(o, tail, sizeof tail - 1);
    o += sizeof tail - 1;
    size_t used = 0;
    if (dnsfw__route53_escaped(sf, esc, (size_t)(o - esc), &fast, &used)) {
        CHECK(esc + used == o - (sizeof tail - 2), "the escaped record ends at its quote");
        int rc = dnsfw__log_route53_general(sg, (const char *)line, len, &general, &reason);
        CHECK(rc == DNSFW_OK, "the escaped fast path read a record the general parser rejects: %s",
              reason);
        inside(&fast, esc, esc + used, "escaped fast path");
        same_record(&fast, &general, "escaped fast path");
    }
    free(esc);
}

static bool verdict_same(const dnsfw_verdict *a, const dnsfw_verdict *b)
{
    return a->action == b->action && a->block_response == b->block_response && a->rule == b->rule &&
           a->domain_list == b->domain_list && a->entry_kind == b->entry_kind &&
           a->entry_node == b->entry_node;
}

static void evaluate(const dnsfw_log_record *r)
{
    uint16_t qtype = 1;
    if (r->query_type.ptr &&
        dnsfw_qtype_parse(r->query_type.ptr, r->query_type.len, &qtype) != DNSFW_OK)
        qtype = 1;
    const char *chain[DNSFW_LOG_CHAIN_MAX];
    size_t chain_len[DNSFW_LOG_CHAIN_MAX];
    for (size_t i = 0; i < r->n_chain; i++) {
        chain[i] = r->chain[i].ptr;
        chain_len[i] = r->chain[i].len;
    }
    dnsfw_verdict v, alone;
    size_t bad_hop = 0;
    int rc = dnsfw_eval_chain(g.matcher, r->query_name.ptr, r->query_name.len, chain, chain_len,
                              r->n_chain, qtype, DNSFW_SCOPE_ALL, &v, &bad_hop);
    int rc_alone =
        dnsfw_eval(g.matcher, r->query_name.ptr, r->query_name.len, qtype, DNSFW_SCOPE_ALL, &alone);
    if (rc != DNSFW_OK) {
        CHECK(rc == DNSFW_EEMPTYLABEL || rc == DNSFW_ELABELLEN || rc == DNSFW_ENAMELEN ||
                  rc == DNSFW_EESCAPE,
              "eval_chain: status %d", rc);
        CHECK(rc_alone != DNSFW_OK || (bad_hop >= 1 && bad_hop <= r->n_chain),
              "eval_chain failed (%d) on a good name without a bad hop (%zu)", rc, bad_hop);
        return;
    }
    CHECK(rc_alone == DNSFW_OK, "the name alone fails (%d) where the chain passes", rc_alone);
    CHECK(v.hop <= r->n_chain, "hop %u of a chain of %zu", v.hop, r->n_chain);
    if (v.hop) {
        CHECK(v.action == DNSFW_ACTION_BLOCK || v.action == DNSFW_ACTION_ALERT,
              "hop %u decided with action %d", v.hop, v.action);
        /* the deciding hop's verdict is that name's own */
        dnsfw_verdict hop;
        CHECK(dnsfw_eval(g.matcher, chain[v.hop - 1], chain_len[v.hop - 1], qtype, DNSFW_SCOPE_ALL,
                         &hop) == DNSFW_OK &&
                  verdict_same(&hop, &v),
              "hop %u: its own verdict differs", v.hop);
    } else {
        CHECK(verdict_same(&alone, &v), "the name decided, with another verdict than alone");
    }
    if (r->n_chain == 0 || alone.action == DNSFW_ACTION_BLOCK)
        CHECK(v.hop == 0 && verdict_same(&alone, &v), "no chain to follow, yet hop %u", v.hop);
    dnsfw_explanation why;
    CHECK(dnsfw_explain(g.matcher, &v, DNSFW_SCOPE_ALL, &why) == DNSFW_OK, "explain");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > MAX_LINE_INPUT)
        return 0;
    init();
    int f = data[0] % N_FORMATS;
    /* An exact-size copy, so that a read past the end is caught. */
    size_t len = size - 1;
    uint8_t *line = malloc(len ? len : 1);
    CHECK(line != NULL, "malloc");
    memcpy(line, data + 1, len);

    dnsfw_log_record rec, again;
    const char *reason = NULL, *reason2 = NULL;
    dnsfw_logscratch *s = g.scratch[f][0];
    int rc = dnsfw_log_parse(g.parser[f], s, (const char *)line, len, &rec, &reason);
    CHECK(rc == DNSFW_OK || rc == DNSFW_ENOTQUERY || rc == DNSFW_EPARSE || rc == DNSFW_ESCHEMA ||
              rc == DNSFW_EENCODING,
          "format %d: status %d", f, rc);
    CHECK(rc != DNSFW_ENOTQUERY || f != DNSFW_LOG_ROUTE53, "ENOTQUERY from a Route 53 line");
    CHECK(rc != DNSFW_ENOTQUERY || f != DNSFW_LOG_CUSTOM, "ENOTQUERY from a custom format");
    if (rc != DNSFW_OK && rc != DNSFW_ENOTQUERY)
        CHECK(reason && *reason, "status %d without a reason", rc);

    /* The same line, another scratch: the same answer. */
    int rc2 =
        dnsfw_log_parse(g.parser[f], g.scratch[f][1], (const char *)line, len, &again, &reason2);
    CHECK(rc2 == rc, "parsed twice: %d then %d", rc, rc2);

    if (rc == DNSFW_OK) {
        size_t n, n2;
        const dnsfw_text *t = fields(&rec, &n);
        static const char *const names[] = {"query_name",
                                            "query_type",
                                            "query_class",
                                            "timestamp",
                                            "client",
                                            "client_port",
                                            "instance",
                                            "vpc_id",
                                            "account_id",
                                            "region",
                                            "rcode",
                                            "transport",
                                            "version",
                                            "firewall_action",
                                            "firewall_rule_group_id",
                                            "firewall_domain_list_id"};
        dnsfw_text mine[16];
        memcpy(mine, t, n * sizeof *t);
        for (size_t i = 0; i < n; i++)
            check_text(mine[i], names[i], line, len, s);
        CHECK(rec.query_name.ptr && rec.query_name.len > 0, "empty query_name");
        CHECK(f != DNSFW_LOG_ROUTE53 || rec.query_type.ptr, "Route 53 record without query_type");
        CHECK(rec.n_chain <= DNSFW_LOG_CHAIN_MAX, "n_chain %zu", rec.n_chain);
        CHECK(rec.chain_truncated == 0 || rec.chain_truncated == 1, "chain_truncated %d",
              rec.chain_truncated);
        CHECK(!rec.chain_truncated || rec.n_chain == DNSFW_LOG_CHAIN_MAX,
              "truncated with %zu targets", rec.n_chain);
        CHECK(f == DNSFW_LOG_ROUTE53 || rec.n_chain == 0, "a text format with a chain");
        for (size_t i = 0; i < rec.n_chain; i++) {
            CHECK(rec.chain[i].ptr != NULL, "chain[%zu] absent", i);
            check_text(rec.chain[i], "chain target", line, len, s);
        }
        const dnsfw_text *t2 = fields(&again, &n2);
        for (size_t i = 0; i < n; i++)
            CHECK(text_same(mine[i], t2[i]), "%s differs when parsed again", names[i]);
        CHECK(again.n_chain == rec.n_chain && again.chain_truncated == rec.chain_truncated,
              "chain differs when parsed again");
        for (size_t i = 0; i < rec.n_chain; i++)
            CHECK(text_same(rec.chain[i], again.chain[i]), "chain[%zu] differs", i);
        /* the answers' A/AAAA Rdata: as the chain, kept in order up to the maximum */
        CHECK(rec.n_addresses <= DNSFW_LOG_ADDR_MAX, "n_addresses %zu", rec.n_addresses);
        CHECK(!rec.addresses_truncated || rec.n_addresses == DNSFW_LOG_ADDR_MAX,
              "addresses truncated with %zu", rec.n_addresses);
        CHECK(f == DNSFW_LOG_ROUTE53 || rec.n_addresses == 0, "a text format with addresses");
        CHECK(again.n_addresses == rec.n_addresses, "addresses differ when parsed again");
        for (size_t i = 0; i < rec.n_addresses; i++) {
            CHECK(rec.addresses[i].ptr != NULL, "addresses[%zu] absent", i);
            check_text(rec.addresses[i], "answered address", line, len, s);
            CHECK(text_same(rec.addresses[i], again.addresses[i]), "addresses[%zu] differs", i);
            dnsfw_ip ip;
            int prc = dnsfw_ip_parse(rec.addresses[i].ptr, rec.addresses[i].len, &ip);
            CHECK(prc == DNSFW_OK || prc == DNSFW_EPARSE, "ip_parse status %d", prc);
        }
        evaluate(&rec);
    }
    fast_path(line, len);
    free(line);
    return 0;
}
