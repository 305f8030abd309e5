/*
 * DNS wire responses: dnsfw_respond(), dnsfw_inspect_answer(), dnsfw_respond_error().
 *
 * Queries are written here octet by octet (not with ldns), so that the expected bytes
 * are known independently of the code under test; responses are read both as raw bytes
 * (the header) and with ldns (every response must parse). Expected behaviour: the
 * briefing ("Semantics"), aws-dns-firewall.md §3.2 and docs/serve.md.
 */
#include <stdbool.h> /* before ldns, which would define bool otherwise */

#include <ldns/ldns.h>

#include "../unit/unit.h"

/* BLOCK NXDOMAIN *.blocked.test; ALLOW allowed.test, *.allowed.test, cdn.test, a.test,
 * b.test, dname.test; ALLOW+TRUST trusted.test; ALERT alert.test; OVERRIDE override.test
 * and a 63+63+63+40 octet name; NODATA for AAAA of aaaa.test only; NODATA for the rest. */
static const char *const POLICY =
    "{\"dnsfw\": 1, \"domain_lists\": {"
    "  \"allowed\": [\"allowed.test\", \"*.allowed.test\", \"cdn.test\", \"a.test\", "
    "                \"b.test\", \"dname.test\", \"*.dname.test\"],"
    "  \"trusted\": [\"trusted.test\"], \"alerted\": [\"alert.test\"],"
    "  \"bad\": [\"blocked.test\", \"*.blocked.test\"], \"over\": [\"override.test\"],"
    "  \"six\": [\"aaaa.test\"], \"all\": [\"*\"]},"
    " \"rule_groups\": [{\"name\": \"egress\", \"priority\": 100, \"rules\": ["
    "  {\"name\": \"bad\", \"priority\": 10, \"action\": \"BLOCK\", \"domain_list\": \"bad\","
    "   \"block_response\": \"NXDOMAIN\"},"
    "  {\"name\": \"six\", \"priority\": 15, \"action\": \"BLOCK\", \"domain_list\": \"six\","
    "   \"qtype\": \"AAAA\", \"block_response\": \"NXDOMAIN\"},"
    "  {\"name\": \"allow\", \"priority\": 20, \"action\": \"ALLOW\", \"domain_list\": "
    "\"allowed\"},"
    "  {\"name\": \"trust\", \"priority\": 30, \"action\": \"ALLOW\", \"domain_list\": "
    "\"trusted\", \"redirection\": \"TRUST_REDIRECTION_DOMAIN\"},"
    "  {\"name\": \"alert\", \"priority\": 40, \"action\": \"ALERT\", \"domain_list\": "
    "\"alerted\"},"
    "  {\"name\": \"over\", \"priority\": 50, \"action\": \"BLOCK\", \"domain_list\": \"over\","
    "   \"block_response\": \"OVERRIDE\", \"block_override\": {\"domain\": "
    "\"Sinkhole.Example.\", \"ttl\": 60}},"
    "  {\"name\": \"rest\", \"priority\": 100, \"action\": \"BLOCK\", \"domain_list\": \"all\","
    "   \"block_response\": \"NODATA\"}]}]}";

static dnsfw_matcher *m;

static void setup(void)
{
    m = unit_matcher(POLICY);
}

static void teardown(void)
{
    dnsfw_matcher_free(m);
}

/* --- writing queries ----------------------------------------------------------------- */

struct q {
    uint8_t b[4096];
    size_t n;
};

static void put8(struct q *q, unsigned v)
{
    q->b[q->n++] = (uint8_t)v;
}

static void put16(struct q *q, unsigned v)
{
    put8(q, v >> 8);
    put8(q, v & 0xFF);
}

/* "a.b.c" as labels, root last; "." is the root alone. */
static void put_name(struct q *q, const char *name)
{
    while (*name && strcmp(name, ".") != 0) {
        const char *dot = strchr(name, '.');
        size_t l = dot ? (size_t)(dot - name) : strlen(name);
        put8(q, (unsigned)l);
        memcpy(q->b + q->n, name, l);
        q->n += l;
        name += l + (dot ? 1 : 0);
    }
    put8(q, 0);
}

static void put_header(struct q *q, unsigned id, unsigned f2, unsigned f3, unsigned qd, unsigned an,
                       unsigned ns, unsigned ar)
{
    q->n = 0;
    put16(q, id);
    put8(q, f2);
    put8(q, f3);
    put16(q, qd);
    put16(q, an);
    put16(q, ns);
    put16(q, ar);
}

/* An OPT record: payload size, extended flags (DO = 0x8000), version. */
static void put_opt(struct q *q, unsigned size, unsigned version, unsigned flags)
{
    put8(q, 0);
    put16(q, 41);
    put16(q, size);
    put8(q, 0); /* extended RCODE */
    put8(q, version);
    put16(q, flags);
    put16(q, 0);
}

#define RD      0x01
#define CD      0x10
#define NO_EDNS 0

/* A standard query: RD and CD as given, EDNS payload size (0: no OPT), DO. */
static void make_query(struct q *q, unsigned id, const char *name, unsigned qtype, unsigned f2,
                       unsigned f3, unsigned edns, bool dnssec_ok)
{
    put_header(q, id, f2, f3, 1, 0, 0, edns ? 1 : 0);
    put_name(q, name);
    put16(q, qtype);
    put16(q, 1);
    if (edns)
        put_opt(q, edns, 0, dnssec_ok ? 0x8000 : 0);
}

/* --- reading responses -------------------------------------------------------------- */

static uint8_t out[4096];
static size_t outlen;
static dnsfw_query_info info;

static unsigned get16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/*
 * dnsfw_respond(), and again with DNSFW_RESPOND_LDNS: ldns's packet writer must give the
 * same decision and the same octets as the direct writer.
 */
static int respond_with(const dnsfw_matcher *with, const uint8_t *b, size_t n,
                        const dnsfw_respond_options *o)
{
    dnsfw_respond_options lo = o ? *o : (dnsfw_respond_options){0};
    lo.flags |= DNSFW_RESPOND_LDNS;
    static uint8_t ref[4096];
    size_t reflen = 0;
    dnsfw_query_info refinfo;
    int refrc = dnsfw_respond(with, b, n, &lo, ref, sizeof ref, &reflen, &refinfo);
    int rc = dnsfw_respond(with, b, n, o, out, sizeof out, &outlen, &info);
    ck_assert_int_eq(rc, refrc);
    if (rc == DNSFW_OK) {
        ck_assert_int_eq(info.disposition, refinfo.disposition);
        ck_assert_int_eq(info.problem, refinfo.problem);
        ck_assert_uint_eq(info.rcode, refinfo.rcode);
        ck_assert_uint_eq(outlen, reflen);
        ck_assert_mem_eq(out, ref, outlen);
    }
    return rc;
}

static int respond(const struct q *q, const dnsfw_respond_options *o)
{
    return respond_with(m, q->b, q->n, o);
}

/* The response parses with ldns; the caller frees it. */
static ldns_pkt *parsed(void)
{
    ldns_pkt *p = NULL;
    ck_assert_msg(ldns_wire2pkt(&p, out, outlen) == LDNS_STATUS_OK,
                  "the response does not parse with ldns");
    return p;
}

/* Header octets: ID, QR=1, opcode, AA=0, TC, RD, RA=1, Z=0, AD=0, CD, RCODE, counts. */
static void check_header(const struct q *q, unsigned rcode, bool tc, unsigned qd, unsigned an,
                         unsigned ns, unsigned ar)
{
    ck_assert_uint_ge(outlen, 12);
    ck_assert_uint_eq(get16(out), get16(q->b));
    ck_assert_uint_eq(out[2] & 0x80, 0x80);           /* QR */
    ck_assert_uint_eq(out[2] & 0x78, q->b[2] & 0x78); /* opcode */
    ck_assert_uint_eq(out[2] & 0x04, 0);              /* AA */
    ck_assert_uint_eq(out[2] & 0x02, tc ? 0x02 : 0);  /* TC */
    ck_assert_uint_eq(out[2] & 0x01, q->b[2] & 0x01); /* RD */
    ck_assert_uint_eq(out[3] & 0x80, 0x80);           /* RA */
    ck_assert_uint_eq(out[3] & 0x60, 0);              /* Z, AD */
    ck_assert_uint_eq(out[3] & 0x10, q->b[3] & 0x10); /* CD */
    ck_assert_uint_eq(out[3] & 0x0F, rcode & 0x0F);
    ck_assert_uint_eq(get16(out + 4), qd);
    ck_assert_uint_eq(get16(out + 6), an);
    ck_assert_uint_eq(get16(out + 8), ns);
    ck_assert_uint_eq(get16(out + 10), ar);
}

/* The question is the query's, octet for octet (the client's case included). */
static void check_question(const struct q *q)
{
    size_t qlen = 0;
    while (q->b[12 + qlen])
        qlen += 1 + q->b[12 + qlen];
    qlen += 1 + 4;
    ck_assert_uint_ge(outlen, 12 + qlen);
    ck_assert_mem_eq(out + 12, q->b + 12, qlen);
}

/* --- every response type --------------------------------------------------------------- */

static const struct {
    const char *name;
    unsigned qtype;
    dnsfw_disposition disposition;
    dnsfw_action action;
    unsigned rcode;
    unsigned ancount;
} types[] = {
    {"x.blocked.test", 1, DNSFW_REPLY, DNSFW_ACTION_BLOCK, 3, 0},
    {"BLOCKED.test", 28, DNSFW_REPLY, DNSFW_ACTION_BLOCK, 3, 0},
    {"nothing.test", 1, DNSFW_REPLY, DNSFW_ACTION_BLOCK, 0, 0},
    {"_dmarc.Example.COM", 16, DNSFW_REPLY, DNSFW_ACTION_BLOCK, 0, 0},
    {".", 2, DNSFW_REPLY, DNSFW_ACTION_BLOCK, 0, 0},
    {"override.test", 1, DNSFW_REPLY, DNSFW_ACTION_BLOCK, 0, 1},
    {"aaaa.test", 28, DNSFW_REPLY, DNSFW_ACTION_BLOCK, 3, 0},
    {"aaaa.test", 1, DNSFW_REPLY, DNSFW_ACTION_BLOCK, 0, 0}, /* the qtype rule does not match */
    {"allowed.test", 1, DNSFW_PASS, DNSFW_ACTION_ALLOW, 0, 0},
    {"Www.Allowed.TEST", 28, DNSFW_PASS, DNSFW_ACTION_ALLOW, 0, 0},
    {"alert.test", 1, DNSFW_PASS, DNSFW_ACTION_ALERT, 0, 0},
    {"trusted.test", 255, DNSFW_PASS, DNSFW_ACTION_ALLOW, 0, 0},
};

START_TEST(response_types)
{
    struct q q;
    make_query(&q, 0x1234, types[_i].name, types[_i].qtype, RD, 0, NO_EDNS, false);
    ck_assert_int_eq(respond(&q, NULL), DNSFW_OK);
    ck_assert_msg(info.disposition == types[_i].disposition, "%s: disposition %d", types[_i].name,
                  info.disposition);
    ck_assert_int_eq(info.problem, DNSFW_OK);
    ck_assert_int_eq(info.verdict.action, types[_i].action);
    ck_assert_uint_eq(info.id, 0x1234);
    ck_assert_uint_eq(info.qtype, types[_i].qtype);
    ck_assert_uint_eq(info.qclass, 1);
    ck_assert_uint_eq(info.edns, 0);
    ck_assert_uint_eq(info.udp_size, 512);
    /* the name as Route 53 logs write it */
    char want[300];
    ck_assert_int_eq(
        dnsfw_name_normalize(types[_i].name, strlen(types[_i].name), want, sizeof want, NULL),
        DNSFW_OK);
    ck_assert_str_eq(info.qname, want);
    if (types[_i].disposition == DNSFW_PASS) {
        ck_assert_uint_eq(outlen, 0);
        return;
    }
    ck_assert_uint_eq(info.rcode, types[_i].rcode);
    check_header(&q, types[_i].rcode, false, 1, types[_i].ancount, 0, 0);
    check_question(&q);
    ldns_pkt *p = parsed();
    ck_assert_uint_eq(ldns_pkt_get_rcode(p), types[_i].rcode);
    ck_assert(!ldns_pkt_edns(p));
    ldns_pkt_free(p);
}
END_TEST

/* OVERRIDE: one CNAME, owned by the query name as asked, to the override domain. */
START_TEST(override_cname)
{
    struct q q;
    make_query(&q, 7, "OverRide.TEST", 1, 0, 0, NO_EDNS, false);
    ck_assert_int_eq(respond(&q, NULL), DNSFW_OK);
    check_header(&q, 0, false, 1, 1, 0, 0);
    check_question(&q);
    ldns_pkt *p = parsed();
    ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(p), 0);
    ck_assert_int_eq(ldns_rr_get_type(rr), LDNS_RR_TYPE_CNAME);
    ck_assert_int_eq(ldns_rr_get_class(rr), LDNS_RR_CLASS_IN);
    ck_assert_uint_eq(ldns_rr_ttl(rr), 60);
    char *owner = ldns_rdf2str(ldns_rr_owner(rr)), *target = ldns_rdf2str(ldns_rr_rdf(rr, 0));
    ck_assert_str_eq(owner, "OverRide.TEST.");
    ck_assert_str_eq(target, "Sinkhole.Example.");
    free(owner);
    free(target);
    ldns_pkt_free(p);
}
END_TEST

/* --- flags ------------------------------------------------------------------------------- */

static const struct {
    unsigned f2, f3;
} flag_cases[] = {
    {0, 0},
    {RD, 0},
    {0, CD},
    {RD, CD},
    {RD | 0x02, 0},           /* TC in a query is ignored */
    {RD | 0x04, 0x20 | 0x40}, /* AA, AD and Z in a query are not copied */
};

START_TEST(flags)
{
    struct q q;
    make_query(&q, 0xBEEF, "nothing.test", 1, flag_cases[_i].f2, flag_cases[_i].f3, NO_EDNS, false);
    ck_assert_int_eq(respond(&q, NULL), DNSFW_OK);
    ck_assert_int_eq(info.disposition, DNSFW_REPLY);
    ck_assert_uint_eq(out[0], 0xBE);
    ck_assert_uint_eq(out[1], 0xEF);
    /* QR | RD as asked; RA | CD as asked; everything else clear */
    ck_assert_uint_eq(out[2], 0x80 | (flag_cases[_i].f2 & RD));
    ck_assert_uint_eq(out[3], 0x80 | (flag_cases[_i].f3 & CD));
}
END_TEST

/* --- EDNS ------------------------------------------------------------------------------ */

static const struct {
    unsigned size; /* the client's payload size */
    bool dnssec_ok;
    uint16_t ours;   /* options.edns_size */
    unsigned expect; /* our OPT's payload size */
    unsigned udp;    /* info.udp_size: the client's, at most ours */
} edns_cases[] = {
    {4096, false, 0, DNSFW_EDNS_SIZE_DEFAULT, DNSFW_EDNS_SIZE_DEFAULT},
    {4096, false, 4096, 4096, 4096},
    {1232, true, 0, DNSFW_EDNS_SIZE_DEFAULT, 1232},
    {512, true, 1400, 1400, 512},
    {100, false, 4096, 4096, 512}, /* below 512 counts as 512 (RFC 6891) */
    {65535, false, 100, 512, 512},
    {65535, false, 0, DNSFW_EDNS_SIZE_DEFAULT, DNSFW_EDNS_SIZE_DEFAULT},
};

START_TEST(opt_echo)
{
    struct q q;
    make_query(&q, 1, "nothing.test", 1, RD, 0, edns_cases[_i].size, edns_cases[_i].dnssec_ok);
    dnsfw_respond_options o = {.edns_size = edns_cases[_i].ours};
    ck_assert_int_eq(respond(&q, &o), DNSFW_OK);
    ck_assert_uint_eq(info.edns, 1);
    ck_assert_uint_eq(info.udp_size, edns_cases[_i].udp);
    check_header(&q, 0, false, 1, 0, 0, 1);
    check_question(&q);
    /* the OPT record, octet by octet: root, type 41, size, ext-rcode 0, version 0, flags, no
     * options */
    ck_assert_uint_eq(outlen, q.n);
    const uint8_t *opt = out + outlen - 11;
    ck_assert_uint_eq(opt[0], 0);
    ck_assert_uint_eq(get16(opt + 1), 41);
    ck_assert_uint_eq(get16(opt + 3), edns_cases[_i].expect);
    ck_assert_uint_eq(opt[5], 0);
    ck_assert_uint_eq(opt[6], 0);
    ck_assert_uint_eq(get16(opt + 7), edns_cases[_i].dnssec_ok ? 0x8000 : 0);
    ck_assert_uint_eq(get16(opt + 9), 0);
    ldns_pkt *p = parsed();
    ck_assert(ldns_pkt_edns(p));
    ck_assert_uint_eq(ldns_pkt_edns_udp_size(p), edns_cases[_i].expect);
    ck_assert_int_eq(ldns_pkt_edns_do(p), edns_cases[_i].dnssec_ok);
    ldns_pkt_free(p);
}
END_TEST

/* Options in the query's OPT (a cookie, NSID) are not echoed. */
START_TEST(opt_options_not_echoed)
{
    struct q q;
    put_header(&q, 9, RD, 0, 1, 0, 0, 1);
    put_name(&q, "nothing.test");
    put16(&q, 1);
    put16(&q, 1);
    put8(&q, 0);
    put16(&q, 41);
    put16(&q, 1232);
    put16(&q, 0);
    put16(&q, 0);
    put16(&q, 4 + 8 + 4); /* RDLENGTH */
    put16(&q, 10);        /* COOKIE, client part */
    put16(&q, 8);
    for (int i = 0; i < 8; i++)
        put8(&q, i);
    put16(&q, 3); /* NSID, empty */
    put16(&q, 0);
    ck_assert_int_eq(respond(&q, NULL), DNSFW_OK);
    ck_assert_int_eq(info.disposition, DNSFW_REPLY);
    check_header(&q, 0, false, 1, 0, 0, 1);
    ck_assert_uint_eq(get16(out + outlen - 2), 0); /* RDLENGTH 0 */
}
END_TEST

/* EDNS version 1: BADVERS (16 = extended RCODE 1, RCODE 0) with our OPT, version 0. */
START_TEST(badvers)
{
    struct q q;
    put_header(&q, 3, RD, 0, 1, 0, 0, 1);
    put_name(&q, "allowed.test");
    put16(&q, 1);
    put16(&q, 1);
    put_opt(&q, 1232, 1, 0);
    ck_assert_int_eq(respond(&q, NULL), DNSFW_OK);
    ck_assert_int_eq(info.disposition, DNSFW_REPLY);
    ck_assert_int_eq(info.problem, DNSFW_ENOTIMPL);
    ck_assert_uint_eq(info.rcode, 16);
    check_header(&q, 0, false, 1, 0, 0, 1);
    const uint8_t *opt = out + outlen - 11;
    ck_assert_uint_eq(opt[5], 1); /* extended RCODE */
    ck_assert_uint_eq(opt[6], 0); /* version */
    ldns_pkt_free(parsed());
}
END_TEST

/* --- the synthetic SOA ------------------------------------------------------------------- */

static const struct {
    const char *name;
    unsigned rcode;
    unsigned ns;
} soa_cases[] = {
    {"Nothing.Test", 0, 1},
    {"x.blocked.test", 3, 1},
    {"override.test", 0, 0}, /* OVERRIDE answers with its CNAME, no SOA */
};

START_TEST(soa)
{
    struct q q;
    make_query(&q, 5, soa_cases[_i].name, 1, RD, 0, 1232, false);
    dnsfw_respond_options o = {.flags = DNSFW_RESPOND_SOA, .soa_ttl = 30};
    ck_assert_int_eq(respond(&q, &o), DNSFW_OK);
    check_header(&q, soa_cases[_i].rcode, false, 1, soa_cases[_i].ns ? 0 : 1, soa_cases[_i].ns, 1);
    check_question(&q);
    ldns_pkt *p = parsed();
    if (soa_cases[_i].ns) {
        ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_authority(p), 0);
        ck_assert_int_eq(ldns_rr_get_type(rr), LDNS_RR_TYPE_SOA);
        ck_assert_uint_eq(ldns_rr_ttl(rr), 30);
        char *owner = ldns_rdf2str(ldns_rr_owner(rr));
        char want[64];
        snprintf(want, sizeof want, "%s.", soa_cases[_i].name);
        ck_assert_str_eq(owner, want);
        free(owner);
        ck_assert_uint_eq(ldns_rdf2native_int32(ldns_rr_rdf(rr, 6)), 30); /* MINIMUM */
    }
    ldns_pkt_free(p);
    /* without the flag, no SOA */
    ck_assert_int_eq(respond(&q, NULL), DNSFW_OK);
    ck_assert_uint_eq(get16(out + 8), 0);
}
END_TEST

/* --- malformed messages ---------------------------------------------------------------- */

enum shape_kind {
    EMPTY,
    SHORT,
    QR_SET,
    NO_QUESTION,
    TWO_QUESTIONS,
    ANSWER_RR,
    AUTHORITY_RR,
    LABEL_PAST_END,
    NO_TYPE_CLASS,
    POINTER_LOOP,
    POINTER_FORWARD,
    POINTER_HEADER,
    POINTER_PAST_END,
    LABEL_TYPE_1,
    LABEL_TYPE_2,
    NAME_TOO_LONG,
    TWO_OPTS,
    OPT_NOT_ROOT,
    OPT_BAD_OPTION,
    OPT_IN_ANSWER,
    RDLEN_PAST_END,
    TRUNCATED_RR,
    HUGE_COUNTS,
};

static const struct {
    enum shape_kind kind;
    dnsfw_disposition disposition; /* DROP, or REPLY with FORMERR */
} malformed[] = {
    {EMPTY, DNSFW_DROP},
    {SHORT, DNSFW_DROP},
    {QR_SET, DNSFW_DROP},
    {NO_QUESTION, DNSFW_REPLY},
    {TWO_QUESTIONS, DNSFW_REPLY},
    {ANSWER_RR, DNSFW_REPLY},
    {AUTHORITY_RR, DNSFW_REPLY},
    {LABEL_PAST_END, DNSFW_REPLY},
    {NO_TYPE_CLASS, DNSFW_REPLY},
    {POINTER_LOOP, DNSFW_REPLY},
    {POINTER_FORWARD, DNSFW_REPLY},
    {POINTER_HEADER, DNSFW_REPLY},
    {POINTER_PAST_END, DNSFW_REPLY},
    {LABEL_TYPE_1, DNSFW_REPLY},
    {LABEL_TYPE_2, DNSFW_REPLY},
    {NAME_TOO_LONG, DNSFW_REPLY},
    {TWO_OPTS, DNSFW_REPLY},
    {OPT_NOT_ROOT, DNSFW_REPLY},
    {OPT_BAD_OPTION, DNSFW_REPLY},
    {OPT_IN_ANSWER, DNSFW_REPLY},
    {RDLEN_PAST_END, DNSFW_REPLY},
    {TRUNCATED_RR, DNSFW_REPLY},
    {HUGE_COUNTS, DNSFW_REPLY},
};

static void make_malformed(struct q *q, enum shape_kind kind)
{
    switch (kind) {
    case EMPTY:
        q->n = 0;
        return;
    case SHORT:
        put_header(q, 0xAB, RD, 0, 1, 0, 0, 0);
        q->n = 11;
        return;
    case QR_SET:
        make_query(q, 0xAB, "nothing.test", 1, 0x80 | RD, 0, NO_EDNS, false);
        return;
    case NO_QUESTION:
        put_header(q, 0xAB, RD, 0, 0, 0, 0, 0);
        return;
    case TWO_QUESTIONS:
        put_header(q, 0xAB, RD, 0, 2, 0, 0, 0);
        for (int i = 0; i < 2; i++) {
            put_name(q, "nothing.test");
            put16(q, 1);
            put16(q, 1);
        }
        return;
    case ANSWER_RR:
    case AUTHORITY_RR:
        put_header(q, 0xAB, RD, 0, 1, kind == ANSWER_RR, kind == AUTHORITY_RR, 0);
        put_name(q, "nothing.test");
        put16(q, 1);
        put16(q, 1);
        put16(q, 0xC00C); /* owner: the question name */
        put16(q, 1);
        put16(q, 1);
        put16(q, 0);
        put16(q, 60);
        put16(q, 4);
        put16(q, 0x0102);
        put16(q, 0x0304);
        return;
    case LABEL_PAST_END:
        put_header(q, 0xAB, RD, 0, 1, 0, 0, 0);
        put8(q, 20);
        memcpy(q->b + q->n, "short", 5);
        q->n += 5;
        return;
    case NO_TYPE_CLASS:
        put_header(q, 0xAB, RD, 0, 1, 0, 0, 0);
        put_name(q, "nothing.test");
        put16(q, 1);
        return;
    case POINTER_LOOP: /* a name that points at itself */
        put_header(q, 0xAB, RD, 0, 1, 0, 0, 0);
        put16(q, 0xC00C);
        put16(q, 1);
        put16(q, 1);
        return;
    case POINTER_FORWARD: /* points after itself (a loop through a second pointer back) */
        put_header(q, 0xAB, RD, 0, 1, 0, 0, 0);
        put8(q, 1);
        put8(q, 'a');
        put16(q, 0xC000 | 16); /* -> offset 16: the pointer below */
        put16(q, 0xC00C);      /* offset 16 -> back to offset 12 */
        put16(q, 1);
        put16(q, 1);
        return;
    case POINTER_HEADER:
        put_header(q, 0xAB, RD, 0, 1, 0, 0, 0);
        put16(q, 0xC004);
        put16(q, 1);
        put16(q, 1);
        return;
    case POINTER_PAST_END:
        put_header(q, 0xAB, RD, 0, 1, 0, 0, 0);
        put8(q, 0xC0);
        return;
    case LABEL_TYPE_1:
    case LABEL_TYPE_2:
        put_header(q, 0xAB, RD, 0, 1, 0, 0, 0);
        put8(q, kind == LABEL_TYPE_1 ? 0x41 : 0x81);
        for (int i = 0; i < 10; i++)
            put8(q, 'x');
        put8(q, 0);
        put16(q, 1);
        put16(q, 1);
        return;
    case NAME_TOO_LONG: /* 4 labels of 63 + 1: 257 octets */
        put_header(q, 0xAB, RD, 0, 1, 0, 0, 0);
        for (int l = 0; l < 4; l++) {
            put8(q, 63);
            memset(q->b + q->n, 'a', 63);
            q->n += 63;
        }
        put8(q, 0);
        put16(q, 1);
        put16(q, 1);
        return;
    case TWO_OPTS:
        put_header(q, 0xAB, RD, 0, 1, 0, 0, 2);
        put_name(q, "nothing.test");
        put16(q, 1);
        put16(q, 1);
        put_opt(q, 1232, 0, 0);
        put_opt(q, 4096, 0, 0);
        return;
    case OPT_NOT_ROOT:
        put_header(q, 0xAB, RD, 0, 1, 0, 0, 1);
        put_name(q, "nothing.test");
        put16(q, 1);
        put16(q, 1);
        put16(q, 0xC00C);
        put16(q, 41);
        put16(q, 1232);
        put16(q, 0);
        put16(q, 0);
        put16(q, 0);
        return;
    case OPT_BAD_OPTION: /* an option longer than the RDATA */
        put_header(q, 0xAB, RD, 0, 1, 0, 0, 1);
        put_name(q, "nothing.test");
        put16(q, 1);
        put16(q, 1);
        put8(q, 0);
        put16(q, 41);
        put16(q, 1232);
        put16(q, 0);
        put16(q, 0);
        put16(q, 6);
        put16(q, 10);
        put16(q, 8);
        put16(q, 0);
        return;
    case OPT_IN_ANSWER:
        put_header(q, 0xAB, RD, 0, 1, 1, 0, 0);
        put_name(q, "nothing.test");
        put16(q, 1);
        put16(q, 1);
        put_opt(q, 1232, 0, 0);
        return;
    case RDLEN_PAST_END:
        put_header(q, 0xAB, RD, 0, 1, 0, 0, 1);
        put_name(q, "nothing.test");
        put16(q, 1);
        put16(q, 1);
        put8(q, 0);
        put16(q, 41);
        put16(q, 1232);
        put16(q, 0);
        put16(q, 0);
        put16(q, 200);
        return;
    case TRUNCATED_RR:
        put_header(q, 0xAB, RD, 0, 1, 0, 0, 1);
        put_name(q, "nothing.test");
        put16(q, 1);
        put16(q, 1);
        put8(q, 0);
        put16(q, 41);
        put16(q, 1232);
        return;
    case HUGE_COUNTS:
        put_header(q, 0xAB, RD, 0, 1, 0, 0, 0xFFFF);
        put_name(q, "nothing.test");
        put16(q, 1);
        put16(q, 1);
        return;
    }
}

START_TEST(malformed_queries)
{
    struct q q = {.n = 0};
    make_malformed(&q, malformed[_i].kind);
    /* Read from an exact-size heap copy, so that ASan and valgrind see any overread. */
    uint8_t *exact = malloc(q.n ? q.n : 1);
    memcpy(exact, q.b, q.n);
    memset(out, 0xEE, sizeof out);
    int rc = respond_with(m, exact, q.n, NULL);
    free(exact);
    ck_assert_int_eq(rc, DNSFW_OK);
    ck_assert_msg(info.disposition == malformed[_i].disposition, "case %d: disposition %d", _i,
                  info.disposition);
    ck_assert_int_eq(info.problem, DNSFW_EBADPACKET);
    ck_assert_int_eq(info.verdict.action, DNSFW_ACTION_NONE);
    if (info.disposition == DNSFW_DROP) {
        ck_assert_uint_eq(outlen, 0);
        return;
    }
    /* FORMERR is the header alone: ID, opcode, RD and CD copied */
    ck_assert_uint_eq(info.rcode, 1);
    ck_assert_uint_eq(outlen, 12);
    check_header(&q, 1, false, 0, 0, 0, 0);
    ldns_pkt_free(parsed());
}
END_TEST

/* Opcodes other than QUERY: NOTIMP, header only, opcode copied. */
static const unsigned opcodes[] = {1, 2, 3, 4, 5, 6, 15};

START_TEST(notimp)
{
    struct q q;
    make_query(&q, 0x4242, "nothing.test", 1, (opcodes[_i] << 3) | RD, CD, 1232, false);
    ck_assert_int_eq(respond(&q, NULL), DNSFW_OK);
    ck_assert_int_eq(info.disposition, DNSFW_REPLY);
    ck_assert_int_eq(info.problem, DNSFW_ENOTIMPL);
    ck_assert_uint_eq(info.rcode, 4);
    ck_assert_uint_eq(outlen, 12);
    check_header(&q, 4, false, 0, 0, 0, 0);
    ck_assert_uint_eq((out[2] >> 3) & 0x0F, opcodes[_i]);
    ldns_pkt_free(parsed());
}
END_TEST

/* Trailing octets after the last record are ignored, as servers do. */
START_TEST(trailing_octets)
{
    struct q q;
    make_query(&q, 1, "nothing.test", 1, RD, 0, NO_EDNS, false);
    put16(&q, 0xDEAD);
    ck_assert_int_eq(respond(&q, NULL), DNSFW_OK);
    ck_assert_int_eq(info.disposition, DNSFW_REPLY);
    ck_assert_int_eq(info.problem, DNSFW_OK);
}
END_TEST

/* The longest legal name (253 characters, 255 octets in wire form) is evaluated. */
START_TEST(longest_names)
{
    /* 253 characters: 3 labels of 63 + one of 61 = the longest legal name */
    char name[300];
    size_t o = 0;
    for (int l = 0; l < 4; l++) {
        size_t n = l < 3 ? 63 : 61;
        memset(name + o, l < 3 ? 'a' + l : 'z', n);
        o += n;
        name[o++] = '.';
    }
    name[o - 1] = '\0';
    ck_assert_uint_eq(strlen(name), 253);
    struct q q;
    make_query(&q, 1, name, 1, RD, 0, NO_EDNS, false);
    ck_assert_int_eq(respond(&q, NULL), DNSFW_OK);
    ck_assert_int_eq(info.disposition, DNSFW_REPLY);
    ck_assert_int_eq(info.problem, DNSFW_OK);
    ck_assert_uint_eq(strlen(info.qname), 254);
}
END_TEST

/* --- sizes -------------------------------------------------------------------------------- */

START_TEST(buffer_too_small)
{
    struct q q;
    make_query(&q, 1, "nothing.test", 1, RD, 0, 1232, false);
    uint8_t small[64];
    size_t need;
    ck_assert_int_eq(dnsfw_respond(m, q.b, q.n, NULL, small, sizeof small, &need, &info), DNSFW_OK);
    ck_assert_uint_eq(need, q.n);
    for (size_t size = 0; size < need; size++)
        ck_assert_int_eq(dnsfw_respond(m, q.b, q.n, NULL, small, size, &outlen, &info),
                         DNSFW_ENOSPC);
    ck_assert_int_eq(dnsfw_respond(m, q.b, q.n, NULL, small, need, &outlen, &info), DNSFW_OK);
    ck_assert_uint_eq(outlen, need);
    /* FORMERR needs 12 */
    put_header(&q, 1, RD, 0, 0, 0, 0, 0);
    ck_assert_int_eq(dnsfw_respond(m, q.b, q.n, NULL, small, 11, &outlen, &info), DNSFW_ENOSPC);
    ck_assert_int_eq(dnsfw_respond(m, q.b, q.n, NULL, small, 12, &outlen, &info), DNSFW_OK);
}
END_TEST

/*
 * An OVERRIDE answer that does not fit 512 octets over UDP: the answer section goes and
 * TC is set. A 253-character query name and a 253-character override target: header 12,
 * question 259, CNAME 2 + 10 + 255 = 538 octets.
 */
START_TEST(truncation)
{
    char target[300], json[2048];
    size_t o = 0;
    for (int l = 0; l < 4; l++) {
        size_t n = l < 3 ? 63 : 61;
        memset(target + o, 'a' + l, n);
        o += n;
        target[o++] = '.';
    }
    target[o] = '\0';
    snprintf(json, sizeof json,
             "{\"dnsfw\": 1, \"domain_lists\": {\"all\": [\"*\"]}, \"rule_groups\": [{\"name\": "
             "\"g\", \"priority\": 1, \"rules\": [{\"name\": \"r\", \"priority\": 1, \"action\": "
             "\"BLOCK\", \"domain_list\": \"all\", \"block_response\": \"OVERRIDE\", "
             "\"block_override\": {\"domain\": \"%s\"}}]}]}",
             target);
    dnsfw_matcher *big = unit_matcher(json);
    char name[300]; /* no label in common with the target: nothing to compress */
    for (size_t i = 0; i < o; i++)
        name[i] = target[i] == '.' ? '.' : (char)(target[i] + 4);
    name[o - 1] = '\0';
    struct q q;
    make_query(&q, 77, name, 1, RD, 0, NO_EDNS, false);
    /* UDP without EDNS: 12 + 259 + 2 + 10 + 255 > 512 */
    ck_assert_int_eq(respond_with(big, q.b, q.n, NULL), DNSFW_OK);
    ck_assert_uint_eq(info.truncated, 1);
    check_header(&q, 0, true, 1, 0, 0, 0);
    ck_assert_uint_le(outlen, 512);
    /* EDNS 1232: fits */
    make_query(&q, 77, name, 1, RD, 0, 1232, false);
    ck_assert_int_eq(dnsfw_respond(big, q.b, q.n, NULL, out, sizeof out, &outlen, &info), DNSFW_OK);
    ck_assert_uint_eq(info.truncated, 0);
    check_header(&q, 0, false, 1, 1, 0, 1);
    ck_assert_uint_gt(outlen, 512);
    /* The client's payload size counts up to ours: 4096 asked, 512 advertised by us */
    make_query(&q, 77, name, 1, RD, 0, 4096, false);
    dnsfw_respond_options small = {.edns_size = 512};
    ck_assert_int_eq(respond_with(big, q.b, q.n, &small), DNSFW_OK);
    ck_assert_uint_eq(info.udp_size, 512);
    ck_assert_uint_eq(info.truncated, 1);
    check_header(&q, 0, true, 1, 0, 0, 1);
    ck_assert_uint_le(outlen, 512);
    /* ... and ours up to the client's; the default (1232) when the options say nothing */
    make_query(&q, 77, name, 1, RD, 0, 600, false);
    ck_assert_int_eq(respond_with(big, q.b, q.n, NULL), DNSFW_OK);
    ck_assert_uint_eq(info.udp_size, 600);
    make_query(&q, 77, name, 1, RD, 0, 65535, false);
    ck_assert_int_eq(respond_with(big, q.b, q.n, NULL), DNSFW_OK);
    ck_assert_uint_eq(info.udp_size, DNSFW_EDNS_SIZE_DEFAULT);
    make_query(&q, 77, name, 1, RD, 0, NO_EDNS, false);
    dnsfw_respond_options big_ours = {.edns_size = 4096};
    ck_assert_int_eq(respond_with(big, q.b, q.n, &big_ours), DNSFW_OK);
    ck_assert_uint_eq(info.udp_size, 512); /* without EDNS, 512 whatever we advertise */
    /* TCP: fits */
    make_query(&q, 77, name, 1, RD, 0, NO_EDNS, false);
    dnsfw_respond_options tcp = {.flags = DNSFW_RESPOND_TCP};
    ck_assert_int_eq(dnsfw_respond(big, q.b, q.n, &tcp, out, sizeof out, &outlen, &info), DNSFW_OK);
    check_header(&q, 0, false, 1, 1, 0, 0);
    ldns_pkt_free(parsed());
    dnsfw_matcher_free(big);
}
END_TEST

/* --- arguments ----------------------------------------------------------------------------- */

START_TEST(invalid_arguments)
{
    struct q q;
    make_query(&q, 1, "nothing.test", 1, RD, 0, NO_EDNS, false);
    dnsfw_respond_options bad_scope = {.scope = 1}, bad_flags = {.flags = 0x80};
    ck_assert_uint_eq(DNSFW_RESPOND_TCP | DNSFW_RESPOND_SOA | DNSFW_RESPOND_LDNS, 0x7);
    ck_assert_int_eq(dnsfw_respond(NULL, q.b, q.n, NULL, out, sizeof out, &outlen, &info),
                     DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_respond(m, NULL, q.n, NULL, out, sizeof out, &outlen, &info),
                     DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_respond(m, q.b, q.n, NULL, NULL, sizeof out, &outlen, &info),
                     DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_respond(m, q.b, q.n, NULL, out, sizeof out, NULL, &info), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_respond(m, q.b, q.n, NULL, out, sizeof out, &outlen, NULL),
                     DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_respond(m, q.b, q.n, &bad_scope, out, sizeof out, &outlen, &info),
                     DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_respond(m, q.b, q.n, &bad_flags, out, sizeof out, &outlen, &info),
                     DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_respond_error(q.b, q.n, 16, NULL, out, sizeof out, &outlen),
                     DNSFW_EINVAL);
    ck_assert_int_eq(
        dnsfw_inspect_answer(m, q.b, q.n, NULL, 0, NULL, out, sizeof out, &outlen, &info),
        DNSFW_EINVAL);
}
END_TEST

/* --- scopes -------------------------------------------------------------------------------- */

START_TEST(scopes)
{
    dnsfw_matcher *t = unit_matcher(
        "{\"dnsfw\": 1, \"mode\": \"enforce\", \"baseline\": [\"base.test\"], \"blueprints\": ["
        "{\"repo\": \"org/a\", \"egress_allowlist\": [\"a.test\"]},"
        "{\"repo\": \"org/b\", \"egress_allowlist\": [\"b.test\"]}]}");
    uint32_t sa, sb;
    ck_assert_int_eq(dnsfw_matcher_find_scope(t, "org/a", &sa), DNSFW_OK);
    ck_assert_int_eq(dnsfw_matcher_find_scope(t, "org/b", &sb), DNSFW_OK);
    static const struct {
        const char *name;
        int scope; /* 0 all, 1 org/a, 2 org/b */
        dnsfw_disposition want;
    } c[] = {
        {"a.test", 0, DNSFW_PASS},  {"b.test", 0, DNSFW_PASS},  {"base.test", 0, DNSFW_PASS},
        {"a.test", 1, DNSFW_PASS},  {"b.test", 1, DNSFW_REPLY}, {"base.test", 1, DNSFW_PASS},
        {"a.test", 2, DNSFW_REPLY}, {"b.test", 2, DNSFW_PASS},  {"c.test", 2, DNSFW_REPLY},
    };
    for (size_t i = 0; i < N_ELEMS(c); i++) {
        struct q q;
        make_query(&q, 1, c[i].name, 1, RD, 0, NO_EDNS, false);
        dnsfw_respond_options o = {.scope = c[i].scope == 0 ? 0 : c[i].scope == 1 ? sa : sb};
        ck_assert_int_eq(respond_with(t, q.b, q.n, &o), DNSFW_OK);
        ck_assert_msg(info.disposition == c[i].want, "%s in scope %d: %d", c[i].name, c[i].scope,
                      info.disposition);
    }
    dnsfw_matcher_free(t);
}
END_TEST

/* --- SERVFAIL ------------------------------------------------------------------------------ */

/* dnsfw_respond_error() with both writers: the same octets. */
static int respond_error(const struct q *q, unsigned rcode)
{
    static uint8_t ref[4096];
    size_t reflen = 0;
    dnsfw_respond_options lo = {.flags = DNSFW_RESPOND_LDNS};
    int refrc = dnsfw_respond_error(q->b, q->n, rcode, &lo, ref, sizeof ref, &reflen);
    int rc = dnsfw_respond_error(q->b, q->n, rcode, NULL, out, sizeof out, &outlen);
    ck_assert_int_eq(rc, refrc);
    if (rc == DNSFW_OK) {
        ck_assert_uint_eq(outlen, reflen);
        ck_assert_mem_eq(out, ref, outlen);
    }
    return rc;
}

START_TEST(respond_error_test)
{
    struct q q;
    make_query(&q, 0x0102, "Allowed.Test", 28, RD, CD, 4096, true);
    ck_assert_int_eq(respond_error(&q, 2), DNSFW_OK);
    check_header(&q, 2, false, 1, 0, 0, 1);
    check_question(&q);
    ldns_pkt *p = parsed();
    ck_assert(ldns_pkt_edns_do(p));
    ldns_pkt_free(p);
    make_query(&q, 0x0102, "allowed.test", 1, RD, 0, NO_EDNS, false);
    ck_assert_int_eq(respond_error(&q, 5), DNSFW_OK);
    check_header(&q, 5, false, 1, 0, 0, 0);
    make_malformed(&q, TWO_QUESTIONS);
    ck_assert_int_eq(respond_error(&q, 2), DNSFW_EBADPACKET);
}
END_TEST

/* --- truncated responses ------------------------------------------------------------------- */

/* dnsfw_respond_truncated() with both writers: the same octets. */
static int respond_truncated(const struct q *q, const uint8_t *answer, size_t alen,
                             const dnsfw_respond_options *o)
{
    static uint8_t ref[4096];
    size_t reflen = 0;
    dnsfw_respond_options lo = o ? *o : (dnsfw_respond_options){0};
    lo.flags |= DNSFW_RESPOND_LDNS;
    int refrc = dnsfw_respond_truncated(q->b, q->n, answer, alen, &lo, ref, sizeof ref, &reflen);
    int rc = dnsfw_respond_truncated(q->b, q->n, answer, alen, o, out, sizeof out, &outlen);
    ck_assert_int_eq(rc, refrc);
    if (rc == DNSFW_OK) {
        ck_assert_uint_eq(outlen, reflen);
        ck_assert_mem_eq(out, ref, outlen);
    }
    return rc;
}

START_TEST(respond_truncated_test)
{
    struct q q;
    /* no answer: NOERROR, TC, the question, our OPT with DO copied */
    make_query(&q, 0x0A0B, "Big.Test", 16, RD, CD, 65535, true);
    dnsfw_respond_options o = {.edns_size = 1232};
    ck_assert_int_eq(respond_truncated(&q, NULL, 0, &o), DNSFW_OK);
    check_header(&q, 0, true, 1, 0, 0, 1);
    check_question(&q);
    ldns_pkt *p = parsed();
    ck_assert(ldns_pkt_edns_do(p));
    ck_assert_uint_eq(ldns_pkt_edns_udp_size(p), 1232);
    ldns_pkt_free(p);
    /* the upstream's RCODE and AA are kept; nothing else of the answer */
    uint8_t answer[12] = {0x0A, 0x0B, 0x84, 0x83, 0, 1, 0, 9, 0, 0, 0, 0};
    make_query(&q, 0x0A0B, "big.test", 16, RD, 0, NO_EDNS, false);
    ck_assert_int_eq(respond_truncated(&q, answer, sizeof answer, NULL), DNSFW_OK);
    ck_assert_uint_eq(outlen, 12 + 10 + 4);
    ck_assert_uint_eq(out[2] & 0x06, 0x06); /* AA and TC */
    ck_assert_uint_eq(out[3] & 0x0F, 3);
    ck_assert_uint_eq(get16(out + 6), 0);
    ck_assert_uint_eq(get16(out + 10), 0);
    /* errors */
    ck_assert_int_eq(respond_truncated(&q, answer, 5, NULL), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_respond_truncated(q.b, q.n, NULL, 0, NULL, out, 20, &outlen),
                     DNSFW_ENOSPC);
    make_malformed(&q, TWO_QUESTIONS);
    ck_assert_int_eq(respond_truncated(&q, NULL, 0, NULL), DNSFW_EBADPACKET);
}
END_TEST

/* --- CNAME inspection ------------------------------------------------------------------------ */

/* An answer to q: the question copied, QR set, then the given records. */
struct rec {
    const char *owner;
    unsigned type;
    const char *target; /* CNAME / DNAME target; NULL: an A record 192.0.2.1 */
};

static void make_answer(struct q *a, const struct q *q, unsigned rcode, const struct rec *r,
                        size_t n)
{
    memcpy(a->b, q->b, q->n);
    a->n = q->n;
    if (q->b[11]) { /* drop the OPT: the answers go before it */
        a->n -= 11;
        a->b[11] = 0;
    }
    a->b[2] |= 0x80;
    a->b[3] = (uint8_t)(0x80 | rcode);
    a->b[6] = 0;
    a->b[7] = (uint8_t)n;
    for (size_t i = 0; i < n; i++) {
        put_name(a, r[i].owner);
        put16(a, r[i].type);
        put16(a, 1);
        put16(a, 0);
        put16(a, 300);
        if (r[i].target) {
            size_t at = a->n;
            put16(a, 0);
            put_name(a, r[i].target);
            a->b[at] = (uint8_t)((a->n - at - 2) >> 8);
            a->b[at + 1] = (uint8_t)(a->n - at - 2);
        } else {
            put16(a, 4);
            put16(a, 0xC000);
            put16(a, 0x0201);
        }
    }
}

static const struct {
    const char *qname;
    struct rec recs[4];
    size_t n;
    dnsfw_disposition want;
    dnsfw_action action;
    unsigned rcode; /* of the block response */
    uint32_t hop;
} chains[] = {
    /* an allowed name whose target is blocked (*.blocked.test: NXDOMAIN) */
    {"cdn.test",
     {{"cdn.test", 5, "edge.blocked.test"}, {"edge.blocked.test", 1, NULL}},
     2,
     DNSFW_REPLY,
     DNSFW_ACTION_BLOCK,
     3,
     1},
    /* target under the catch-all: NODATA */
    {"cdn.test",
     {{"CDN.TEST", 5, "cdn.elsewhere.example"}},
     1,
     DNSFW_REPLY,
     DNSFW_ACTION_BLOCK,
     0,
     1},
    /* a chain of allowed names */
    {"a.test",
     {{"a.test", 5, "b.test"}, {"b.test", 5, "x.allowed.test"}, {"x.allowed.test", 1, NULL}},
     3,
     DNSFW_PASS,
     DNSFW_ACTION_ALLOW,
     0,
     0},
    /* the second hop is blocked */
    {"a.test",
     {{"a.test", 5, "b.test"}, {"b.test", 5, "nope.test"}, {"nope.test", 1, NULL}},
     3,
     DNSFW_REPLY,
     DNSFW_ACTION_BLOCK,
     0,
     2},
    /* TRUST on the deciding rule: the chain is not looked at */
    {"trusted.test",
     {{"trusted.test", 5, "x.blocked.test"}},
     1,
     DNSFW_PASS,
     DNSFW_ACTION_ALLOW,
     0,
     0},
    /* an ALERT target: passes, the verdict says ALERT at hop 1 */
    {"a.test",
     {{"a.test", 5, "alert.test"}, {"alert.test", 1, NULL}},
     2,
     DNSFW_PASS,
     DNSFW_ACTION_ALERT,
     0,
     1},
    /* a DNAME rewrites x.dname.test to x.blocked.test */
    {"x.dname.test",
     {{"dname.test", 39, "blocked.test"}},
     1,
     DNSFW_REPLY,
     DNSFW_ACTION_BLOCK,
     3,
     1},
    /* a CNAME loop ends the chain */
    {"a.test",
     {{"a.test", 5, "b.test"}, {"b.test", 5, "a.test"}},
     2,
     DNSFW_PASS,
     DNSFW_ACTION_ALLOW,
     0,
     0},
    /* records of other names do not belong to the chain */
    {"a.test",
     {{"other.test", 5, "x.blocked.test"}, {"a.test", 1, NULL}},
     2,
     DNSFW_PASS,
     DNSFW_ACTION_ALLOW,
     0,
     0},
    /* NXDOMAIN from the upstream with a chain still counts */
    {"cdn.test", {{"cdn.test", 5, "gone.blocked.test"}}, 1, DNSFW_REPLY, DNSFW_ACTION_BLOCK, 3, 1},
};

START_TEST(inspect_chains)
{
    struct q q, a;
    make_query(&q, 0x5151, chains[_i].qname, 1, RD, 0, 1232, false);
    make_answer(&a, &q, 0, chains[_i].recs, chains[_i].n);
    static uint8_t ref[4096];
    size_t reflen = 0;
    dnsfw_query_info refinfo;
    dnsfw_respond_options lo = {.flags = DNSFW_RESPOND_LDNS};
    ck_assert_int_eq(
        dnsfw_inspect_answer(m, q.b, q.n, a.b, a.n, &lo, ref, sizeof ref, &reflen, &refinfo),
        DNSFW_OK);
    int rc = dnsfw_inspect_answer(m, q.b, q.n, a.b, a.n, NULL, out, sizeof out, &outlen, &info);
    ck_assert_int_eq(rc, DNSFW_OK);
    ck_assert_uint_eq(outlen, reflen);
    ck_assert_mem_eq(out, ref, outlen);
    ck_assert_int_eq(info.verdict.hop, refinfo.verdict.hop);
    ck_assert_msg(info.disposition == chains[_i].want, "case %d: disposition %d", _i,
                  info.disposition);
    ck_assert_msg(info.verdict.action == chains[_i].action, "case %d: action %s", _i,
                  dnsfw_action_name(info.verdict.action));
    ck_assert_uint_eq(info.verdict.hop, chains[_i].hop);
    if (chains[_i].want == DNSFW_REPLY) {
        /* the block response to the original query, with its OPT */
        check_header(&q, chains[_i].rcode, false, 1, 0, 0, 1);
        check_question(&q);
        ldns_pkt_free(parsed());
    }
}
END_TEST

START_TEST(inspect_mismatch)
{
    struct q q, a;
    struct rec r[] = {{"cdn.test", 5, "edge.blocked.test"}};
    make_query(&q, 0x5151, "cdn.test", 1, RD, 0, NO_EDNS, false);
    make_answer(&a, &q, 0, r, 1);
    ck_assert_int_eq(
        dnsfw_inspect_answer(m, q.b, q.n, a.b, a.n, NULL, out, sizeof out, &outlen, &info),
        DNSFW_OK);
    struct q b = a;
    b.b[1] ^= 1; /* another ID */
    ck_assert_int_eq(
        dnsfw_inspect_answer(m, q.b, q.n, b.b, b.n, NULL, out, sizeof out, &outlen, &info),
        DNSFW_EBADPACKET);
    b = a;
    b.b[2] &= 0x7F; /* not a response */
    ck_assert_int_eq(
        dnsfw_inspect_answer(m, q.b, q.n, b.b, b.n, NULL, out, sizeof out, &outlen, &info),
        DNSFW_EBADPACKET);
    b = a;
    b.b[13] = 'x'; /* another question name */
    ck_assert_int_eq(
        dnsfw_inspect_answer(m, q.b, q.n, b.b, b.n, NULL, out, sizeof out, &outlen, &info),
        DNSFW_EBADPACKET);
    b = a;
    b.b[12 + 10 + 1] = 28; /* another question type (A -> AAAA) */
    ck_assert_int_eq(
        dnsfw_inspect_answer(m, q.b, q.n, b.b, b.n, NULL, out, sizeof out, &outlen, &info),
        DNSFW_EBADPACKET);
    b = a;
    b.n -= 3; /* truncated record */
    ck_assert_int_eq(
        dnsfw_inspect_answer(m, q.b, q.n, b.b, b.n, NULL, out, sizeof out, &outlen, &info),
        DNSFW_EBADPACKET);
    /* case does not matter in the question */
    b = a;
    b.b[13] = 'C';
    ck_assert_int_eq(
        dnsfw_inspect_answer(m, q.b, q.n, b.b, b.n, NULL, out, sizeof out, &outlen, &info),
        DNSFW_OK);
    ck_assert_int_eq(info.disposition, DNSFW_REPLY);
    /* a malformed query */
    ck_assert_int_eq(
        dnsfw_inspect_answer(m, q.b, 11, a.b, a.n, NULL, out, sizeof out, &outlen, &info),
        DNSFW_EBADPACKET);
}
END_TEST

/* An error answer without a question (RFC 1035 allows it): relayed, nothing to inspect. */
START_TEST(inspect_error_without_question)
{
    struct q q, a;
    make_query(&q, 0x6161, "cdn.test", 1, RD, 0, NO_EDNS, false);
    put_header(&a, 0x6161, 0x80 | RD, 0x80 | 5, 0, 0, 0, 0);
    ck_assert_int_eq(
        dnsfw_inspect_answer(m, q.b, q.n, a.b, a.n, NULL, out, sizeof out, &outlen, &info),
        DNSFW_OK);
    ck_assert_int_eq(info.disposition, DNSFW_PASS);
    ck_assert_int_eq(info.verdict.action, DNSFW_ACTION_ALLOW);
    /* NOERROR without a question is not an answer to the query */
    put_header(&a, 0x6161, 0x80 | RD, 0x80, 0, 0, 0, 0);
    ck_assert_int_eq(
        dnsfw_inspect_answer(m, q.b, q.n, a.b, a.n, NULL, out, sizeof out, &outlen, &info),
        DNSFW_EBADPACKET);
}
END_TEST

/* Thirty-three CNAMEs: the chain stops at 32 hops, and a block beyond is not seen. */
START_TEST(inspect_long_chain)
{
    struct q q, a;
    static char names[40][32];
    make_query(&q, 1, "a.test", 1, RD, 0, NO_EDNS, false);
    memcpy(a.b, q.b, q.n);
    a.n = q.n;
    a.b[2] |= 0x80;
    a.b[3] = 0x80;
    unsigned n = 34;
    a.b[6] = 0;
    a.b[7] = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], i == 0 ? "a.test" : "h%u.allowed.test", i);
        snprintf(names[i + 1], sizeof names[i + 1],
                 i + 1 == n ? "x.blocked.test" : "h%u.allowed.test", i + 1);
        put_name(&a, names[i]);
        put16(&a, 5);
        put16(&a, 1);
        put16(&a, 0);
        put16(&a, 300);
        size_t at = a.n;
        put16(&a, 0);
        put_name(&a, names[i + 1]);
        a.b[at + 1] = (uint8_t)(a.n - at - 2);
    }
    ck_assert_int_eq(
        dnsfw_inspect_answer(m, q.b, q.n, a.b, a.n, NULL, out, sizeof out, &outlen, &info),
        DNSFW_OK);
    ck_assert_uint_eq(info.chain_len, 32);
    ck_assert_int_eq(info.disposition, DNSFW_PASS);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("respond");
    TCase *t = tcase_create("respond");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_loop_test(t, response_types, 0, N_ELEMS(types));
    tcase_add_test(t, override_cname);
    tcase_add_loop_test(t, flags, 0, N_ELEMS(flag_cases));
    tcase_add_loop_test(t, opt_echo, 0, N_ELEMS(edns_cases));
    tcase_add_test(t, opt_options_not_echoed);
    tcase_add_test(t, badvers);
    tcase_add_loop_test(t, soa, 0, N_ELEMS(soa_cases));
    tcase_add_loop_test(t, malformed_queries, 0, N_ELEMS(malformed));
    tcase_add_loop_test(t, notimp, 0, N_ELEMS(opcodes));
    tcase_add_test(t, trailing_octets);
    tcase_add_test(t, longest_names);
    tcase_add_test(t, buffer_too_small);
    tcase_add_test(t, truncation);
    tcase_add_test(t, invalid_arguments);
    tcase_add_test(t, scopes);
    tcase_add_test(t, respond_error_test);
    tcase_add_test(t, respond_truncated_test);
    tcase_add_loop_test(t, inspect_chains, 0, N_ELEMS(chains));
    tcase_add_test(t, inspect_mismatch);
    tcase_add_test(t, inspect_error_without_question);
    tcase_add_test(t, inspect_long_chain);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return unit_run(suite());
}
