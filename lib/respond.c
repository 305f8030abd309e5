/*
 * DNS messages in, firewall decisions and block responses out (docs/serve.md).
 *
 * Every message is first walked here, within its length: the header, every name
 * (compression pointers must point backwards, into the message body, so that no loop is
 * possible) and every record's bounds. The question of a query that passes is then read
 * in place (its name cannot be compressed: nothing precedes it) and evaluated with
 * dnsfw_eval_wire().
 *
 * Responses are built with ldns (an ldns_pkt written by ldns_pkt2wire()). The shapes
 * that need no record of their own — NODATA and NXDOMAIN without SOA, SERVFAIL, FORMERR,
 * NOTIMP, BADVERS: a header, the question copied, an OPT record — are the hot path of a
 * blocking server and are also written directly; DNSFW_RESPOND_LDNS forces ldns for
 * everything, and the unit tests and the fuzz target check that both give the same
 * octets. The CNAME and DNAME records of the upstream's answer are read with ldns
 * (ldns_wire2rr()); the redirection chain they form is evaluated with dnsfw_eval_chain().
 */
/*
 * <stdbool.h> before <ldns/ldns.h>: without it, ldns/common.h defines _Bool as signed char
 * and a bool holding 0x10 stays 0x10 (ldns then shifts it out of the header flags).
 */
#include <stdbool.h>

#include <ldns/ldns.h>
#include <stdlib.h>

#include "matcher.h"
#include "name.h"

#define HEADER         12
#define UDP_MIN        512
#define TCP_MAX        65535
#define OPT_LEN        11 /* an OPT record without options */
#define CHAIN_MAX      32 /* redirections followed; resolvers give up far earlier */
#define REDIRECT_MAX   64 /* CNAME and DNAME records of an answer that are looked at */
#define TYPE_CNAME     5
#define TYPE_DNAME     39
#define TYPE_OPT       41
#define RCODE_FORMERR  1
#define RCODE_NXDOMAIN 3
#define RCODE_NOTIMP   4
#define RCODE_BADVERS  16
#define FLAGS_KNOWN    (DNSFW_RESPOND_TCP | DNSFW_RESPOND_SOA | DNSFW_RESPOND_LDNS)

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* The header fields a response copies, and the section counts. */
struct head {
    uint16_t id;
    uint8_t opcode;
    bool qr, rd, cd;
    uint16_t qd, an, ns, ar;
};

static void read_head(const uint8_t *m, struct head *h)
{
    *h = (struct head){
        .id = get16(m),
        .qr = m[2] & 0x80,
        .opcode = (uint8_t)((m[2] >> 3) & 0x0F),
        .rd = m[2] & 0x01,
        .cd = m[3] & 0x10,
        .qd = get16(m + 4),
        .an = get16(m + 6),
        .ns = get16(m + 8),
        .ar = get16(m + 10),
    };
}

/*
 * Step over the name at *pos. Labels are of type 0 (length) or 3 (pointer); a pointer must
 * point into the body and before the name (and each further pointer before the previous
 * target), so that every name ends; the uncompressed name has at most 255 octets.
 */
static bool skip_name(const uint8_t *m, size_t len, size_t *pos)
{
    size_t p = *pos, end = 0, limit = *pos, total = 1;
    bool jumped = false;
    for (;;) {
        if (p >= len)
            return false;
        uint8_t l = m[p];
        if (l == 0)
            break;
        if ((l & 0xC0) == 0xC0) {
            if (p + 1 >= len)
                return false;
            size_t target = (size_t)(l & 0x3F) << 8 | m[p + 1];
            if (!jumped) {
                end = p + 2;
                jumped = true;
            }
            if (target < HEADER || target >= limit)
                return false;
            limit = target;
            p = target;
            continue;
        }
        if (l & 0xC0) /* the extended label types 1 and 2 */
            return false;
        total += 1 + (size_t)l;
        if (total > DNSFW_WIRE_MAX || p + 1 + l >= len)
            return false;
        p += 1 + (size_t)l;
    }
    *pos = jumped ? end : p + 1;
    return true;
}

/* EDNS options: code, length, data, back to back, filling the RDATA exactly. */
static bool opt_options_ok(const uint8_t *d, size_t n)
{
    size_t p = 0;
    while (p < n) {
        if (n - p < 4 || n - p - 4 < get16(d + p + 2))
            return false;
        p += 4 + (size_t)get16(d + p + 2);
    }
    return true;
}

struct shape {
    size_t qname_len; /* the first question's name, octets in place */
    unsigned n_opt;
    size_t opt;         /* offset of the first OPT record's TYPE field */
    bool opt_bad;       /* an OPT record outside the additional section, not at the root, bad */
    bool names_bad;     /* a CNAME or DNAME whose RDATA is not exactly one name */
    unsigned redirects; /* CNAME and DNAME records in the answer section */
    size_t redirect_at[REDIRECT_MAX]; /* where the first of them start */
};

/* Walk every record of the message; false when anything lies outside [m, m + len). */
static bool walk(const uint8_t *m, size_t len, const struct head *h, struct shape *s)
{
    size_t pos = HEADER;
    s->qname_len = 0;
    s->n_opt = 0;
    s->opt = 0;
    s->opt_bad = s->names_bad = false;
    s->redirects = 0;
    for (unsigned i = 0; i < h->qd; i++) {
        size_t start = pos;
        if (!skip_name(m, len, &pos) || len - pos < 4)
            return false;
        if (i == 0)
            s->qname_len = pos - start;
        pos += 4;
    }
    unsigned n = (unsigned)h->an + h->ns + h->ar;
    for (unsigned i = 0; i < n; i++) {
        size_t owner = pos;
        if (!skip_name(m, len, &pos) || len - pos < 10)
            return false;
        uint16_t type = get16(m + pos), rdlen = get16(m + pos + 8);
        size_t fixed = pos;
        pos += 10;
        if (len - pos < rdlen)
            return false;
        if (type == TYPE_OPT) {
            if (s->n_opt++ == 0)
                s->opt = fixed;
            if (i < (unsigned)h->an + h->ns || m[owner] != 0 || !opt_options_ok(m + pos, rdlen))
                s->opt_bad = true;
        } else if (type == TYPE_CNAME || type == TYPE_DNAME) {
            size_t p = pos;
            if (!skip_name(m, len, &p) || p != pos + rdlen)
                s->names_bad = true;
            if (i < h->an && s->redirects < REDIRECT_MAX)
                s->redirect_at[s->redirects++] = owner;
        }
        pos += rdlen;
    }
    return true; /* octets after the last record are ignored, as servers do */
}

/* --- reading a query ---------------------------------------------------------------- */

struct query {
    struct head h;
    const uint8_t *m;
    bool question;    /* the question was read: the fields below are set */
    size_t qname_len; /* the name at m + HEADER, uncompressed, the client's case */
    uint16_t qtype, qclass;
    bool edns, dnssec_ok;
    uint8_t edns_version;
    uint16_t edns_size;
};

static void info_init(dnsfw_query_info *info)
{
    memset(info, 0, offsetof(dnsfw_query_info, qname));
    info->qname[0] = '\0';
    info->verdict = (dnsfw_verdict){.action = DNSFW_ACTION_NONE,
                                    .rule = DNSFW_NONE,
                                    .domain_list = DNSFW_NONE,
                                    .entry_node = DNSFW_NONE};
    info->udp_size = UDP_MIN;
}

/*
 * Read a query into q. Returns DNSFW_OK, DNSFW_EBADPACKET (info->disposition says DROP or
 * REPLY: a FORMERR is due) or DNSFW_ENOTIMPL (an opcode other than QUERY, or an EDNS
 * version above 0).
 */
static int read_query(const uint8_t *m, size_t len, struct query *q, dnsfw_query_info *info)
{
    memset(q, 0, sizeof *q);
    q->m = m;
    if (len < HEADER) {
        info->disposition = DNSFW_DROP;
        return DNSFW_EBADPACKET;
    }
    read_head(m, &q->h);
    info->id = q->h.id;
    if (q->h.qr || len > TCP_MAX) {
        info->disposition = DNSFW_DROP;
        return DNSFW_EBADPACKET;
    }
    info->disposition = DNSFW_REPLY;
    if (q->h.opcode != LDNS_PACKET_QUERY)
        return DNSFW_ENOTIMPL;
    struct shape s;
    if (!walk(m, len, &q->h, &s) || q->h.qd != 1 || q->h.an || q->h.ns || s.n_opt > 1 || s.opt_bad)
        return DNSFW_EBADPACKET;
    /* walk() let no pointer into the question name: nothing precedes it to point to */
    struct dnsfw_name n;
    if (dnsfw__name_from_wire(&n, m + HEADER, s.qname_len) != DNSFW_OK ||
        dnsfw__name_to_text(&n, 0, info->qname, sizeof info->qname) < 0)
        return DNSFW_EBADPACKET; /* cannot happen after walk(); kept as a guard */
    q->question = true;
    q->qname_len = s.qname_len;
    q->qtype = info->qtype = get16(m + HEADER + s.qname_len);
    q->qclass = info->qclass = get16(m + HEADER + s.qname_len + 2);
    q->edns = s.n_opt == 1;
    info->edns = q->edns;
    if (q->edns) {
        const uint8_t *opt = m + s.opt; /* TYPE, CLASS = payload size, TTL = ext, version, flags */
        q->edns_size = get16(opt + 2);
        q->edns_version = opt[5];
        q->dnssec_ok = opt[6] & 0x80;
        info->udp_size = q->edns_size < UDP_MIN ? UDP_MIN : q->edns_size;
        if (q->edns_version != 0)
            return DNSFW_ENOTIMPL;
    }
    return DNSFW_OK;
}

/* --- building responses ------------------------------------------------------------- */

struct opts {
    uint32_t scope, flags, soa_ttl;
    uint16_t edns_size;
};

static int read_opts(const dnsfw_respond_options *o, struct opts *out)
{
    *out = (struct opts){.edns_size = DNSFW_EDNS_SIZE_DEFAULT};
    if (!o)
        return DNSFW_OK;
    if (o->flags & ~FLAGS_KNOWN)
        return DNSFW_EINVAL;
    out->scope = o->scope;
    out->flags = o->flags;
    out->soa_ttl = o->soa_ttl;
    if (o->edns_size)
        out->edns_size = o->edns_size < UDP_MIN ? UDP_MIN : o->edns_size;
    return DNSFW_OK;
}

/*
 * Every response to q: ID, opcode, RD and CD copied, QR and RA set, AA, AD, TC and Z
 * clear. With the question: the question as asked and, if the query had one, an OPT
 * record: our payload size, the upper bits of rcode, version 0, the DO bit copied
 * (RFC 3225), no options.
 */

/* The response without records of its own, written directly (the same octets as ldns). */
static int direct_reply(const struct query *q, unsigned rcode, bool question, const struct opts *o,
                        uint8_t *out, size_t size, size_t *outlen)
{
    question = question && q->question;
    size_t qlen = question ? q->qname_len + 4 : 0;
    bool opt = question && q->edns;
    size_t n = HEADER + qlen + (opt ? OPT_LEN : 0); /* at most 282: fits any UDP size */
    if (n > size)
        return DNSFW_ENOSPC;
    put16(out, q->h.id);
    out[2] = (uint8_t)(0x80 | q->h.opcode << 3 | (q->h.rd ? 0x01 : 0));
    out[3] = (uint8_t)(0x80 | (q->h.cd ? 0x10 : 0) | (rcode & 0x0F));
    put16(out + 4, question);
    put16(out + 6, 0);
    put16(out + 8, 0);
    put16(out + 10, opt);
    memcpy(out + HEADER, q->m + HEADER, qlen);
    if (opt) {
        uint8_t *r = out + HEADER + qlen;
        r[0] = 0; /* the root */
        put16(r + 1, TYPE_OPT);
        put16(r + 3, o->edns_size);
        r[5] = (uint8_t)(rcode >> 4);
        r[6] = 0; /* version */
        put16(r + 7, q->dnssec_ok ? 0x8000 : 0);
        put16(r + 9, 0);
    }
    *outlen = n;
    return DNSFW_OK;
}

/* The same response as an ldns packet, to add records to. */
static ldns_pkt *reply_new(const struct query *q, unsigned rcode, bool question,
                           const struct opts *o)
{
    ldns_pkt *r = ldns_pkt_new();
    if (!r)
        return NULL;
    ldns_pkt_set_id(r, q->h.id);
    ldns_pkt_set_qr(r, true);
    ldns_pkt_set_opcode(r, (ldns_pkt_opcode)q->h.opcode);
    ldns_pkt_set_rd(r, q->h.rd);
    ldns_pkt_set_cd(r, q->h.cd);
    ldns_pkt_set_ra(r, true);
    ldns_pkt_set_rcode(r, (uint8_t)(rcode & 0x0F));
    if (!question || !q->question)
        return r;
    ldns_rr *qr = ldns_rr_new();
    ldns_rdf *owner = ldns_dname_new_frm_data((uint16_t)q->qname_len, q->m + HEADER);
    if (!qr || !owner || !ldns_pkt_push_rr(r, LDNS_SECTION_QUESTION, qr)) {
        ldns_rr_free(qr);
        ldns_rdf_deep_free(owner);
        ldns_pkt_free(r);
        return NULL;
    }
    ldns_rr_set_owner(qr, owner);
    ldns_rr_set_type(qr, (ldns_rr_type)q->qtype);
    ldns_rr_set_class(qr, (ldns_rr_class)q->qclass);
    ldns_rr_set_question(qr, true);
    if (q->edns) {
        ldns_pkt_set_edns_udp_size(r, o->edns_size);
        ldns_pkt_set_edns_version(r, 0);
        ldns_pkt_set_edns_extended_rcode(r, (uint8_t)(rcode >> 4));
        ldns_pkt_set_edns_do(r, q->dnssec_ok);
    }
    return r;
}

/* Drop the answer and authority sections and set TC: what no longer fits over UDP. */
static bool truncate_reply(ldns_pkt *r)
{
    ldns_rr_list *an = ldns_rr_list_new(), *ns = ldns_rr_list_new();
    if (!an || !ns) {
        ldns_rr_list_free(an);
        ldns_rr_list_free(ns);
        return false;
    }
    ldns_rr_list_deep_free(ldns_pkt_answer(r));
    ldns_rr_list_deep_free(ldns_pkt_authority(r));
    ldns_pkt_set_answer(r, an);
    ldns_pkt_set_authority(r, ns);
    ldns_pkt_set_ancount(r, 0);
    ldns_pkt_set_nscount(r, 0);
    ldns_pkt_set_tc(r, true);
    return true;
}

/* Write r to out; over limit octets it is truncated first. Frees r. */
static int emit(ldns_pkt *r, size_t limit, uint8_t *out, size_t size, size_t *outlen,
                dnsfw_query_info *info)
{
    uint8_t *wire = NULL;
    size_t n = 0;
    int rc = DNSFW_OK;
    if (!r)
        return DNSFW_ENOMEM;
    if (ldns_pkt2wire(&wire, r, &n) != LDNS_STATUS_OK) {
        rc = DNSFW_ENOMEM;
    } else if (n > limit) {
        free(wire);
        wire = NULL;
        if (!truncate_reply(r) || ldns_pkt2wire(&wire, r, &n) != LDNS_STATUS_OK)
            rc = DNSFW_ENOMEM;
        else if (info)
            info->truncated = 1;
    }
    if (!rc && n > size)
        rc = DNSFW_ENOSPC;
    if (!rc) {
        memcpy(out, wire, n);
        *outlen = n;
    }
    free(wire);
    ldns_pkt_free(r);
    return rc;
}

/*
 * The largest UDP response for the query: what the client takes (512 without EDNS), and
 * never more than the payload size we advertise ourselves (RFC 6891 §6.2.5), so that
 * the server never sends more than it says it handles, whatever the client claims.
 */
static void limit_udp(dnsfw_query_info *info, const struct opts *o)
{
    if (info->udp_size > o->edns_size)
        info->udp_size = o->edns_size;
}

static size_t reply_limit(const struct opts *o, const dnsfw_query_info *info)
{
    return (o->flags & DNSFW_RESPOND_TCP) ? TCP_MAX : info->udp_size;
}

/* A response with no records of its own: directly, or with ldns when asked to. */
static int plain_reply(const struct query *q, unsigned rcode, bool question, const struct opts *o,
                       uint8_t *out, size_t size, size_t *outlen, dnsfw_query_info *info)
{
    if (info)
        info->rcode = (uint16_t)rcode;
    if (!(o->flags & DNSFW_RESPOND_LDNS))
        return direct_reply(q, rcode, question, o, out, size, outlen);
    size_t limit = (o->flags & DNSFW_RESPOND_TCP) ? TCP_MAX : UDP_MIN; /* 282 octets at most */
    return emit(reply_new(q, rcode, question, o), limit, out, size, outlen, NULL);
}

/* A record owned by the query name (client's case), in the query's class. */
static ldns_rr *synth_rr(const struct query *q, ldns_rr_type type, uint32_t ttl)
{
    ldns_rr *rr = ldns_rr_new();
    ldns_rdf *owner = ldns_dname_new_frm_data((uint16_t)q->qname_len, q->m + HEADER);
    if (!rr || !owner) {
        ldns_rr_free(rr);
        ldns_rdf_deep_free(owner);
        return NULL;
    }
    ldns_rr_set_owner(rr, owner);
    ldns_rr_set_type(rr, type);
    ldns_rr_set_class(rr, (ldns_rr_class)q->qclass);
    ldns_rr_set_ttl(rr, ttl);
    return rr;
}

static bool push_rdf(ldns_rr *rr, ldns_rdf *f)
{
    if (f && ldns_rr_push_rdf(rr, f))
        return true;
    ldns_rdf_deep_free(f);
    return false;
}

/*
 * The synthetic SOA of negative responses: the blocked name as its own zone apex, so
 * that RFC 2308 caches hold the answer for min(TTL, MINIMUM) = soa_ttl seconds.
 */
static ldns_rr *synth_soa(const struct query *q, uint32_t ttl)
{
    ldns_rr *rr = synth_rr(q, LDNS_RR_TYPE_SOA, ttl);
    if (!rr)
        return NULL;
    bool ok = push_rdf(rr, ldns_dname_new_frm_str("dnsfw.invalid.")) &&
              push_rdf(rr, ldns_dname_new_frm_str("hostmaster.dnsfw.invalid."));
    static const uint32_t numbers[] = {1, 3600, 600, 86400}; /* serial refresh retry expire */
    for (size_t i = 0; ok && i < 4; i++)
        ok = push_rdf(rr, ldns_native2rdf_int32(LDNS_RDF_TYPE_INT32, numbers[i]));
    ok = ok && push_rdf(rr, ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, ttl));
    if (!ok) {
        ldns_rr_free(rr);
        return NULL;
    }
    return rr;
}

/* The block response of the verdict's rule to q. */
static int block_reply(const dnsfw_matcher *m, const dnsfw_verdict *v, const struct query *q,
                       const struct opts *o, uint8_t *out, size_t size, size_t *outlen,
                       dnsfw_query_info *info)
{
    unsigned rcode = v->block_response == DNSFW_RESPONSE_NXDOMAIN ? RCODE_NXDOMAIN : 0;
    info->disposition = DNSFW_REPLY;
    bool override = v->block_response == DNSFW_RESPONSE_OVERRIDE;
    if (!override && !(o->flags & DNSFW_RESPOND_SOA))
        return plain_reply(q, rcode, true, o, out, size, outlen, info);
    info->rcode = (uint16_t)rcode;
    ldns_rr *rr = NULL;
    if (override) {
        dnsfw_explanation ex;
        int rc = dnsfw_explain(m, v, o->scope, &ex);
        if (rc)
            return rc;
        rr = synth_rr(q, LDNS_RR_TYPE_CNAME, ex.override_ttl);
        if (rr &&
            !push_rdf(rr, ldns_dname_new_frm_str(ex.override_domain ? ex.override_domain : "."))) {
            ldns_rr_free(rr);
            rr = NULL;
        }
    } else {
        rr = synth_soa(q, o->soa_ttl);
    }
    ldns_pkt *r = rr ? reply_new(q, rcode, true, o) : NULL;
    if (!r || !ldns_pkt_push_rr(r, override ? LDNS_SECTION_ANSWER : LDNS_SECTION_AUTHORITY, rr)) {
        ldns_rr_free(rr);
        ldns_pkt_free(r);
        return DNSFW_ENOMEM;
    }
    return emit(r, reply_limit(o, info), out, size, outlen, info);
}

/* The answer to a query that is not evaluated (FORMERR, NOTIMP, BADVERS). */
static int problem_reply(const struct query *q, int problem, const struct opts *o, uint8_t *out,
                         size_t size, size_t *outlen, dnsfw_query_info *info)
{
    info->problem = problem;
    if (info->disposition == DNSFW_DROP)
        return DNSFW_OK;
    unsigned rcode = problem == DNSFW_EBADPACKET ? RCODE_FORMERR
                     : q->question               ? RCODE_BADVERS
                                                 : RCODE_NOTIMP;
    /* FORMERR and NOTIMP are the header alone: the rest of the query is not trusted. */
    return plain_reply(q, rcode, rcode == RCODE_BADVERS, o, out, size, outlen, info);
}

int dnsfw_respond(const dnsfw_matcher *m, const uint8_t *query, size_t len,
                  const dnsfw_respond_options *options, uint8_t *out, size_t size, size_t *outlen,
                  dnsfw_query_info *info)
{
    struct opts o;
    if (!m || !query || !out || !outlen || !info || read_opts(options, &o) || o.scope > m->n_scopes)
        return DNSFW_EINVAL;
    info_init(info);
    *outlen = 0;
    struct query q;
    int rc = read_query(query, len, &q, info);
    limit_udp(info, &o);
    if (rc != DNSFW_OK)
        return problem_reply(&q, rc, &o, out, size, outlen, info);
    rc = dnsfw_eval_wire(m, query + HEADER, q.qname_len, q.qtype, o.scope, &info->verdict);
    if (rc != DNSFW_OK)
        return rc;
    if (info->verdict.action == DNSFW_ACTION_BLOCK)
        return block_reply(m, &info->verdict, &q, &o, out, size, outlen, info);
    info->disposition = DNSFW_PASS;
    return DNSFW_OK;
}

int dnsfw_respond_error(const uint8_t *query, size_t len, unsigned rcode,
                        const dnsfw_respond_options *options, uint8_t *out, size_t size,
                        size_t *outlen)
{
    struct opts o;
    if (!query || !out || !outlen || rcode > 15 || read_opts(options, &o))
        return DNSFW_EINVAL;
    dnsfw_query_info info;
    info_init(&info);
    struct query q;
    if (read_query(query, len, &q, &info) != DNSFW_OK)
        return DNSFW_EBADPACKET;
    return plain_reply(&q, rcode, true, &o, out, size, outlen, NULL);
}

int dnsfw_respond_truncated(const uint8_t *query, size_t len, const uint8_t *answer,
                            size_t answer_len, const dnsfw_respond_options *options, uint8_t *out,
                            size_t size, size_t *outlen)
{
    struct opts o;
    if (!query || !out || !outlen || (!answer && answer_len) || (answer && answer_len < HEADER) ||
        read_opts(options, &o))
        return DNSFW_EINVAL;
    dnsfw_query_info info;
    info_init(&info);
    struct query q;
    if (read_query(query, len, &q, &info) != DNSFW_OK)
        return DNSFW_EBADPACKET;
    unsigned rcode = answer ? answer[3] & 0x0F : 0;
    bool aa = answer && (answer[2] & 0x04);
    int rc;
    if (o.flags & DNSFW_RESPOND_LDNS) {
        ldns_pkt *r = reply_new(&q, rcode, true, &o);
        if (r) {
            ldns_pkt_set_tc(r, true);
            ldns_pkt_set_aa(r, aa);
        }
        rc = emit(r, TCP_MAX, out, size, outlen, NULL);
    } else {
        rc = direct_reply(&q, rcode, true, &o, out, size, outlen);
        if (rc == DNSFW_OK)
            out[2] |= (uint8_t)(0x02 | (aa ? 0x04 : 0));
    }
    return rc;
}

/* --- redirection chains ------------------------------------------------------------- */

static bool same_name(const ldns_rdf *a, const struct dnsfw_name *b)
{
    const uint8_t *w = ldns_rdf_data(a);
    size_t n = ldns_rdf_size(a);
    if (n != b->len)
        return false;
    for (size_t i = 0; i < n; i++)
        if (dnsfw__lower(w[i]) != b->wire[i])
            return false;
    return true;
}

/*
 * The next name of the chain after cur: the target of a CNAME owned by cur, or cur
 * rewritten by a DNAME owned by one of its ancestors (RFC 6672). false at the end.
 */
static bool next_hop(const ldns_rr_list *answer, uint16_t qclass, const struct dnsfw_name *cur,
                     struct dnsfw_name *next)
{
    size_t n = ldns_rr_list_rr_count(answer);
    for (size_t i = 0; i < n; i++) {
        const ldns_rr *rr = ldns_rr_list_rr(answer, i);
        const ldns_rdf *target = ldns_rr_rdf(rr, 0);
        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_CNAME || ldns_rr_get_class(rr) != qclass ||
            !target || !same_name(ldns_rr_owner(rr), cur))
            continue;
        return dnsfw__name_from_wire(next, ldns_rdf_data(target), ldns_rdf_size(target)) ==
               DNSFW_OK;
    }
    for (size_t i = 0; i < n; i++) {
        const ldns_rr *rr = ldns_rr_list_rr(answer, i);
        const ldns_rdf *target = ldns_rr_rdf(rr, 0);
        struct dnsfw_name owner, t;
        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_DNAME || ldns_rr_get_class(rr) != qclass ||
            !target ||
            dnsfw__name_from_wire(&owner, ldns_rdf_data(ldns_rr_owner(rr)),
                                  ldns_rdf_size(ldns_rr_owner(rr))) != DNSFW_OK ||
            dnsfw__name_from_wire(&t, ldns_rdf_data(target), ldns_rdf_size(target)) != DNSFW_OK ||
            owner.nlabels >= cur->nlabels)
            continue;
        /* where the owner would start in cur: a label offset, or the root label */
        size_t cut = owner.nlabels ? cur->off[cur->nlabels - owner.nlabels] : cur->len - 1u;
        if (cur->len - cut != owner.len || memcmp(cur->wire + cut, owner.wire, owner.len) != 0)
            continue;
        uint8_t wire[2 * DNSFW_WIRE_MAX];
        memcpy(wire, cur->wire, cut);
        memcpy(wire + cut, t.wire, t.len);
        return cut + t.len <= DNSFW_WIRE_MAX &&
               dnsfw__name_from_wire(next, wire, cut + t.len) == DNSFW_OK;
    }
    return false;
}

/* The text of each name of the chain, for dnsfw_eval_chain(). */
struct chain {
    size_t n;
    struct dnsfw_name names[CHAIN_MAX + 1]; /* [0] is the query name */
    char text[CHAIN_MAX][DNSFW_NAME_TEXT_MAX];
    const char *ptr[CHAIN_MAX];
    size_t len[CHAIN_MAX];
};

static void collect_chain(const ldns_rr_list *answer, uint16_t qclass, struct chain *c)
{
    c->n = 0;
    while (c->n < CHAIN_MAX) {
        struct dnsfw_name *next = &c->names[c->n + 1];
        if (!next_hop(answer, qclass, &c->names[c->n], next))
            break;
        bool seen = false; /* a loop ends the chain */
        for (size_t i = 0; i <= c->n && !seen; i++)
            seen = c->names[i].len == next->len &&
                   memcmp(c->names[i].wire, next->wire, next->len) == 0;
        long l = seen ? -1 : dnsfw__name_to_text(next, 0, c->text[c->n], DNSFW_NAME_TEXT_MAX);
        if (l < 0)
            break;
        c->ptr[c->n] = c->text[c->n];
        c->len[c->n] = (size_t)l;
        c->n++;
    }
}

/* The answer's question (at HEADER, uncompressed after walk()) is the query's. */
static bool same_question(const struct query *q, const uint8_t *a, const struct shape *s)
{
    if (s->qname_len != q->qname_len)
        return false;
    for (size_t i = 0; i < q->qname_len; i++)
        if (dnsfw__lower(a[HEADER + i]) != dnsfw__lower(q->m[HEADER + i]))
            return false;
    return memcmp(a + HEADER + q->qname_len, q->m + HEADER + q->qname_len, 4) == 0;
}

/*
 * Decide the chain of the answer into info->verdict. Its CNAME and DNAME records are read
 * with ldns (other records, which the chain does not need, are not parsed).
 */
static int inspect_chain(const dnsfw_matcher *m, const struct query *q, const uint8_t *answer,
                         size_t answer_len, const struct shape *s, const struct opts *o,
                         dnsfw_query_info *info)
{
    ldns_rr_list *list = ldns_rr_list_new();
    struct chain *c = malloc(sizeof *c);
    int rc = list && c ? DNSFW_OK : DNSFW_ENOMEM;
    for (unsigned i = 0; rc == DNSFW_OK && i < s->redirects; i++) {
        size_t pos = s->redirect_at[i];
        ldns_rr *rr = NULL;
        ldns_status st = ldns_wire2rr(&rr, answer, answer_len, &pos, LDNS_SECTION_ANSWER);
        if (st != LDNS_STATUS_OK)
            rc = st == LDNS_STATUS_MEM_ERR ? DNSFW_ENOMEM : DNSFW_EBADPACKET;
        else if (!ldns_rr_list_push_rr(list, rr)) {
            ldns_rr_free(rr);
            rc = DNSFW_ENOMEM;
        }
    }
    if (rc == DNSFW_OK)
        rc = dnsfw__name_from_wire(&c->names[0], q->m + HEADER, q->qname_len);
    if (rc == DNSFW_OK) {
        collect_chain(list, q->qclass, c);
        info->chain_len = (uint32_t)c->n;
        rc = dnsfw_eval_chain(m, info->qname, strlen(info->qname), c->ptr, c->len, c->n, q->qtype,
                              o->scope, &info->verdict, NULL);
    }
    free(c);
    ldns_rr_list_deep_free(list);
    return rc;
}

int dnsfw_inspect_answer(const dnsfw_matcher *m, const uint8_t *query, size_t query_len,
                         const uint8_t *answer, size_t answer_len,
                         const dnsfw_respond_options *options, uint8_t *out, size_t size,
                         size_t *outlen, dnsfw_query_info *info)
{
    struct opts o;
    if (!m || !query || !answer || !out || !outlen || !info || read_opts(options, &o) ||
        o.scope > m->n_scopes)
        return DNSFW_EINVAL;
    info_init(info);
    *outlen = 0;
    struct query q;
    if (read_query(query, query_len, &q, info) != DNSFW_OK || answer_len < HEADER ||
        answer_len > TCP_MAX)
        return DNSFW_EBADPACKET;
    limit_udp(info, &o);
    struct head ah;
    read_head(answer, &ah);
    if (!ah.qr || ah.id != q.h.id || ah.opcode != q.h.opcode)
        return DNSFW_EBADPACKET;
    int rc;
    struct shape s;
    if (ah.qd == 0 && (answer[3] & 0x0F) != 0) {
        /* An error without the question (RFC 1035 allows it): nothing to inspect. */
        rc = dnsfw_eval_wire(m, query + HEADER, q.qname_len, q.qtype, o.scope, &info->verdict);
    } else if (ah.qd != 1 || !walk(answer, answer_len, &ah, &s) || s.n_opt > 1 || s.opt_bad ||
               s.names_bad || !same_question(&q, answer, &s)) {
        return DNSFW_EBADPACKET;
    } else if (s.redirects == 0) {
        /* no CNAME or DNAME in the answer: the chain is the query name alone */
        rc = dnsfw_eval_wire(m, query + HEADER, q.qname_len, q.qtype, o.scope, &info->verdict);
    } else {
        rc = inspect_chain(m, &q, answer, answer_len, &s, &o, info);
    }
    if (rc != DNSFW_OK)
        return rc;
    if (info->verdict.action == DNSFW_ACTION_BLOCK)
        return block_reply(m, &info->verdict, &q, &o, out, size, outlen, info);
    info->disposition = DNSFW_PASS;
    return DNSFW_OK;
}
