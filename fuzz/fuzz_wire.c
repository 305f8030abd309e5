/*
 * Fuzz target: DNS messages in wire format, the path of dnsfw-serve.
 *
 * The input is read three ways:
 *   - as a query: dnsfw_respond() with UDP and with TCP options must decide it; every
 *     response must parse with ldns, carry the query's ID, have QR set, fit the size the
 *     client takes, and be what the disposition and verdict say (FORMERR or NOTIMP as a
 *     bare header, BADVERS, or the rule's block response with the question as asked);
 *   - as the upstream's answer to the query made of its own question:
 *     dnsfw_inspect_answer() must return OK or EBADPACKET, and a replacement response
 *     must parse and answer the query;
 *   - as a query to refuse: dnsfw_respond_error() builds a SERVFAIL that parses;
 *   - as a query whose answer is too large for UDP: dnsfw_respond_truncated() builds a
 *     TC response that parses.
 * Each call is made twice, the second time with DNSFW_RESPOND_LDNS: the direct writer and
 * ldns's packet writer must give the same decision and the same octets.
 * Nothing may be read outside the input (the sanitizers see the exact-size buffer).
 */
#include <stdarg.h>
#include <stdbool.h> /* before ldns, which would define bool otherwise */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dnsfw/dnsfw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

__attribute__((noreturn, format(printf, 3, 4))) static void die(int line, const char *expr,
                                                                const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "fuzz_wire.c:%d: check failed: %s\n  ", line, expr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

#define CHECK(cond, ...) ((cond) ? (void)0 : die(__LINE__, #cond, __VA_ARGS__))

/* Short names ("a", "b", "*.o") so that mutated inputs hit every rule. */
static const char *const POLICY =
    "{\"dnsfw\": 1, \"domain_lists\": {"
    " \"allowed\": [\"allowed.test\", \"*.allowed.test\", \"a\", \"*.a\"],"
    " \"trusted\": [\"trusted.test\", \"t\"], \"alerted\": [\"alert.test\", \"l\"],"
    " \"bad\": [\"blocked.test\", \"*.blocked.test\", \"b\"],"
    " \"over\": [\"override.test\", \"*.o\"], \"all\": [\"*\"]},"
    " \"rule_groups\": [{\"name\": \"g\", \"priority\": 1, \"rules\": ["
    "  {\"name\": \"bad\", \"priority\": 1, \"action\": \"BLOCK\", \"domain_list\": \"bad\","
    "   \"block_response\": \"NXDOMAIN\"},"
    "  {\"name\": \"allow\", \"priority\": 2, \"action\": \"ALLOW\", \"domain_list\": "
    "\"allowed\"},"
    "  {\"name\": \"trust\", \"priority\": 3, \"action\": \"ALLOW\", \"domain_list\": "
    "\"trusted\", \"redirection\": \"TRUST_REDIRECTION_DOMAIN\"},"
    "  {\"name\": \"alert\", \"priority\": 4, \"action\": \"ALERT\", \"domain_list\": "
    "\"alerted\"},"
    "  {\"name\": \"over\", \"priority\": 5, \"action\": \"BLOCK\", \"domain_list\": \"over\","
    "   \"block_response\": \"OVERRIDE\", \"block_override\": {\"domain\": "
    "\"sinkhole.test\", \"ttl\": 30}},"
    "  {\"name\": \"rest\", \"priority\": 9, \"action\": \"BLOCK\", \"domain_list\": \"all\","
    "   \"qtype\": \"AAAA\", \"block_response\": \"NODATA\"}]}]}";

static dnsfw_matcher *matcher;

static void init(void)
{
    dnsfw_policy *p = NULL;
    dnsfw_error err;
    CHECK(dnsfw_policy_from_json(&p, POLICY, strlen(POLICY), "<fuzz>", NULL, &err) == DNSFW_OK,
          "%s", err.message);
    CHECK(dnsfw_compile(p, &matcher) == DNSFW_OK, "compile");
    dnsfw_policy_free(p);
}

static unsigned get16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static uint8_t out[65536], ref[65536];
static size_t outlen, reflen;

/* out[0, outlen) and ref[0, reflen) are the same response. */
static void same_octets(const char *what)
{
    CHECK(outlen == reflen && memcmp(out, ref, outlen) == 0,
          "%s: %zu octets, %zu with ldns's writer", what, outlen, reflen);
}

/* A response in out: parses, carries id, QR set, AA/Z/AD clear, at most limit octets. */
static ldns_pkt *check_response(unsigned id, size_t limit, const char *what)
{
    CHECK(outlen >= 12 && outlen <= limit, "%s: %zu octets, limit %zu", what, outlen, limit);
    CHECK(get16(out) == id, "%s: ID %04x, query %04x", what, get16(out), id);
    CHECK(out[2] & 0x80, "%s: QR clear", what);
    CHECK(!(out[2] & 0x04) && !(out[3] & 0x60), "%s: AA, Z or AD set", what);
    CHECK(out[3] & 0x80, "%s: RA clear", what);
    ldns_pkt *p = NULL;
    CHECK(ldns_wire2pkt(&p, out, outlen) == LDNS_STATUS_OK, "%s: does not parse with ldns", what);
    return p;
}

/*
 * Octets of the question (name, type, class) at q + 12; 0 when the name is compressed,
 * longer than 255 octets or cut short.
 */
static size_t question_len(const uint8_t *q, size_t len)
{
    size_t n = 12;
    while (n < len && q[n] && q[n] < 64 && n - 12 < 255)
        n += 1u + q[n];
    if (n >= len || q[n] != 0 || n + 1 - 12 > 255 || len - n - 1 < 4)
        return 0;
    return n + 1 + 4 - 12;
}

/* The rule's block response to the query q (already checked by check_response()). */
static void check_block(const uint8_t *q, size_t qlen, const dnsfw_query_info *info, uint32_t flags,
                        const char *what)
{
    CHECK(info->verdict.action == DNSFW_ACTION_BLOCK, "%s: a reply without a BLOCK", what);
    size_t ql = question_len(q, qlen);
    CHECK(ql && get16(out + 4) == 1 && outlen >= 12 + ql && memcmp(out + 12, q + 12, ql) == 0,
          "%s: the question is not the query's", what);
    CHECK((out[2] & 0x01) == (q[2] & 0x01) && (out[3] & 0x10) == (q[3] & 0x10),
          "%s: RD or CD not copied", what);
    unsigned rcode = info->verdict.block_response == DNSFW_RESPONSE_NXDOMAIN ? 3 : 0;
    CHECK((out[3] & 0x0F) == rcode && info->rcode == rcode, "%s: rcode %u for response %d", what,
          out[3] & 0x0F, (int)info->verdict.block_response);
    bool tc = out[2] & 0x02;
    CHECK(tc == (info->truncated != 0), "%s: TC and info->truncated differ", what);
    bool override = info->verdict.block_response == DNSFW_RESPONSE_OVERRIDE;
    unsigned an = override && !tc ? 1 : 0;
    unsigned ns = (flags & DNSFW_RESPOND_SOA) && !override && !tc ? 1 : 0;
    CHECK(get16(out + 6) == an && get16(out + 8) == ns, "%s: %u answers, %u authority", what,
          get16(out + 6), get16(out + 8));
    CHECK(get16(out + 10) == info->edns, "%s: ARCOUNT %u, query EDNS %u", what, get16(out + 10),
          info->edns);
}

static void as_query(const uint8_t *data, size_t size, uint32_t flags)
{
    dnsfw_respond_options o = {.flags = flags, .soa_ttl = 5, .edns_size = flags ? 4096 : 0};
    dnsfw_respond_options lo = o;
    lo.flags |= DNSFW_RESPOND_LDNS;
    dnsfw_query_info info, refinfo;
    const char *what = flags ? "query over TCP" : "query over UDP";
    int refrc = dnsfw_respond(matcher, data, size, &lo, ref, sizeof ref, &reflen, &refinfo);
    int rc = dnsfw_respond(matcher, data, size, &o, out, sizeof out, &outlen, &info);
    CHECK(rc == DNSFW_OK && refrc == DNSFW_OK, "%s: status %d, %d with ldns", what, rc, refrc);
    CHECK(info.disposition == refinfo.disposition && info.problem == refinfo.problem &&
              info.verdict.action == refinfo.verdict.action && info.rcode == refinfo.rcode &&
              strcmp(info.qname, refinfo.qname) == 0,
          "%s: the decision differs with ldns's writer", what);
    same_octets(what);
    switch (info.disposition) {
    case DNSFW_DROP:
        CHECK(size < 12 || (data[2] & 0x80), "%s: a query dropped", what);
        CHECK(info.problem == DNSFW_EBADPACKET, "%s: dropped, problem %d", what, info.problem);
        return;
    case DNSFW_PASS:
        CHECK(
            info.problem == DNSFW_OK && info.verdict.action != DNSFW_ACTION_BLOCK && info.qname[0],
            "%s: passed with problem %d, action %d", what, info.problem, (int)info.verdict.action);
        return;
    case DNSFW_REPLY:
        break;
    }
    size_t limit = (flags & DNSFW_RESPOND_TCP) ? 65535 : info.udp_size;
    ldns_pkt *p = check_response(get16(data), limit, what);
    if (info.problem == DNSFW_OK) {
        check_block(data, size, &info, flags, what);
        if (get16(out + 8)) {
            ldns_rr *soa = ldns_rr_list_rr(ldns_pkt_authority(p), 0);
            CHECK(soa && ldns_rr_get_type(soa) == LDNS_RR_TYPE_SOA && ldns_rr_ttl(soa) == 5,
                  "%s: no SOA", what);
        }
    } else if (info.problem == DNSFW_EBADPACKET) {
        CHECK(outlen == 12 && (out[3] & 0x0F) == 1 && info.rcode == 1, "%s: FORMERR", what);
    } else {
        CHECK(info.problem == DNSFW_ENOTIMPL, "%s: problem %d", what, info.problem);
        if (((data[2] >> 3) & 0x0F) != 0)
            CHECK(outlen == 12 && (out[3] & 0x0F) == 4, "%s: NOTIMP", what);
        else
            CHECK(info.rcode == 16 && ldns_pkt_edns(p) && ldns_pkt_edns_extended_rcode(p) == 1,
                  "%s: BADVERS", what);
    }
    ldns_pkt_free(p);
}

/* The input as the upstream's answer to the query that asks its question. */
static void as_answer(const uint8_t *data, size_t size)
{
    size_t ql = size >= 12 ? question_len(data, size) : 0;
    if (!ql)
        return;
    uint8_t query[12 + 260];
    memcpy(query, data, 2);
    query[2] = data[2] & 0x79; /* opcode and RD as in the answer */
    query[3] = data[3] & 0x10;
    memcpy(query + 4, "\0\1\0\0\0\0\0\0", 8);
    memcpy(query + 12, data + 12, ql);
    uint8_t *answer = malloc(size);
    memcpy(answer, data, size);
    answer[2] |= 0x80;
    dnsfw_query_info info, refinfo;
    dnsfw_respond_options lo = {.flags = DNSFW_RESPOND_LDNS};
    int refrc = dnsfw_inspect_answer(matcher, query, 12 + ql, answer, size, &lo, ref, sizeof ref,
                                     &reflen, &refinfo);
    int rc = dnsfw_inspect_answer(matcher, query, 12 + ql, answer, size, NULL, out, sizeof out,
                                  &outlen, &info);
    free(answer);
    CHECK(rc == DNSFW_OK || rc == DNSFW_EBADPACKET, "answer: status %d", rc);
    CHECK(rc == refrc, "answer: status %d, %d with ldns", rc, refrc);
    if (rc == DNSFW_OK) {
        CHECK(info.disposition == refinfo.disposition &&
                  info.verdict.action == refinfo.verdict.action &&
                  info.verdict.hop == refinfo.verdict.hop,
              "answer: the decision differs with ldns");
        same_octets("answer");
    }
    if (rc != DNSFW_OK || info.disposition == DNSFW_PASS)
        return;
    CHECK(info.disposition == DNSFW_REPLY, "answer: disposition %d", info.disposition);
    ldns_pkt_free(check_response(get16(query), 512, "answer"));
    check_block(query, 12 + ql, &info, 0, "answer");
}

static void as_error(const uint8_t *data, size_t size)
{
    dnsfw_respond_options lo = {.flags = DNSFW_RESPOND_LDNS};
    int refrc = dnsfw_respond_error(data, size, 2, &lo, ref, sizeof ref, &reflen);
    int rc = dnsfw_respond_error(data, size, 2, NULL, out, sizeof out, &outlen);
    CHECK(rc == DNSFW_OK || rc == DNSFW_EBADPACKET, "SERVFAIL: status %d", rc);
    CHECK(rc == refrc, "SERVFAIL: status %d, %d with ldns", rc, refrc);
    if (rc == DNSFW_OK)
        same_octets("SERVFAIL");
    if (rc == DNSFW_OK) {
        ldns_pkt *p = check_response(get16(data), 65535, "SERVFAIL");
        CHECK(ldns_pkt_get_rcode(p) == 2, "SERVFAIL: rcode %d", ldns_pkt_get_rcode(p));
        ldns_pkt_free(p);
    }
}

/* The input as a query whose answer is too large for UDP: a TC response that parses. */
static void as_truncated(const uint8_t *data, size_t size)
{
    static const uint8_t answer[12] = {0, 0, 0x84, 0x03}; /* AA, NXDOMAIN */
    dnsfw_respond_options lo = {.flags = DNSFW_RESPOND_LDNS};
    int refrc = dnsfw_respond_truncated(data, size, answer, 12, &lo, ref, sizeof ref, &reflen);
    int rc = dnsfw_respond_truncated(data, size, answer, 12, NULL, out, sizeof out, &outlen);
    CHECK(rc == DNSFW_OK || rc == DNSFW_EBADPACKET, "TC: status %d", rc);
    CHECK(rc == refrc, "TC: status %d, %d with ldns", rc, refrc);
    if (rc != DNSFW_OK)
        return;
    same_octets("TC");
    /* the query's header is at least 12 octets here; AA is the answer's */
    CHECK(outlen >= 12 && outlen <= 512 && get16(out) == get16(data) && (out[2] & 0x86) == 0x86 &&
              (out[3] & 0x0F) == 3 && get16(out + 4) == 1 && get16(out + 6) == 0 &&
              get16(out + 8) == 0,
          "TC: %zu octets, flags %02x%02x", outlen, out[2], out[3]);
    ldns_pkt *p = NULL;
    CHECK(ldns_wire2pkt(&p, out, outlen) == LDNS_STATUS_OK, "TC: does not parse with ldns");
    ldns_pkt_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65535)
        return 0;
    if (!matcher)
        init();
    as_query(data, size, 0);
    as_query(data, size, DNSFW_RESPOND_TCP | DNSFW_RESPOND_SOA);
    as_answer(data, size);
    as_error(data, size);
    as_truncated(data, size);
    return 0;
}
