#include "egress.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "log_input.h"
#include "strmap.h"
#include "timestamp.h"

#define MALFORMED_KEPT   10
#define TRUSTED_MAX      256
#define TRUSTED_MAX_TEXT "256"

/* TCP flags as flow logs record them (OR-ed over the interval). */
#define TCP_SYN     0x02
#define TCP_SYN_ACK 0x10 /* logged as 18: SYN-ACK, the answering side of a handshake */

/* The lowest port of the ephemeral ranges in use (Linux 32768-60999, IANA 49152-65535). */
#define EPHEMERAL_MIN 32768

/* One group of direct-IP flows: source, destination, port, protocol. */
struct group {
    dnsfw_ip src, dst;
    uint16_t dstport;
    uint8_t protocol;
    uint64_t flows, packets, bytes;
    int64_t first, last;
    char *interface_id, *instance_id; /* the first seen; more_* when another differs */
    bool more_interfaces, more_instances;
};

struct egress {
    const struct answers *answers;
    int64_t window;
    const struct scope_map *map;
    struct cidr trusted[TRUSTED_MAX];
    size_t n_trusted;
    struct strmap groups;  /* binary key -> struct group */
    struct group **sorted; /* the groups, biggest first (egress_direct_ip_sort) */
    uint64_t outcome[FLOW_OUTCOMES];
    uint64_t files, bytes, not_flow, outside_window;
    uint64_t shapes[DNSFW_SHAPE_FLOW + 1]; /* records by what carried them */
    uint64_t answers_indexed, answers_untimed;
    struct {
        char *file, *where, *reason;
        uint64_t line;
    } bad[MALFORMED_KEPT];
    uint32_t n_bad;
    bool failed;
};

struct egress *egress_new(const struct answers *answers, int64_t window,
                          const struct scope_map *map)
{
    struct egress *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->answers = answers;
    e->window = window;
    e->map = map;
    return e;
}

static void free_group(void *p)
{
    struct group *g = p;
    if (!g)
        return;
    free(g->interface_id);
    free(g->instance_id);
    free(g);
}

void egress_free(struct egress *e)
{
    if (!e)
        return;
    strmap_free(&e->groups, free_group);
    free(e->sorted);
    for (uint32_t i = 0; i < e->n_bad; i++) {
        free(e->bad[i].file);
        free(e->bad[i].where);
        free(e->bad[i].reason);
    }
    free(e);
}

/* --- address ranges ------------------------------------------------------------------ */

bool egress_trust(struct egress *e, const char *text, const char **why)
{
    *why = "at most " TRUSTED_MAX_TEXT " blocks";
    if (e->n_trusted == TRUSTED_MAX || !cidr_parse(text, &e->trusted[e->n_trusted], why))
        return false;
    e->n_trusted++;
    return true;
}

static bool is_mapped_v4(const uint8_t *a)
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(a, prefix, 12) == 0;
}

/*
 * Addresses a connection out of the VPC cannot go to, or that stay inside it: RFC 1918,
 * shared address space (RFC 6598), loopback, link-local (the instance metadata service,
 * the Amazon DNS server), multicast, "this network", the reserved 240/4 and broadcast;
 * for IPv6 the unspecified address, loopback, link-local, unique local (fc00::/7) and
 * multicast. IPv4-mapped IPv6 addresses are judged as IPv4. The documentation ranges
 * (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32) count as public, as they do in
 * AWS's examples.
 */
static bool not_public(const dnsfw_ip *ip)
{
    const uint8_t *a = ip->addr;
    if (is_mapped_v4(a)) {
        const uint8_t *v = a + 12;
        return v[0] == 0 || v[0] == 10 || v[0] == 127 || (v[0] == 100 && (v[1] & 0xC0) == 64) ||
               (v[0] == 169 && v[1] == 254) || (v[0] == 172 && (v[1] & 0xF0) == 16) ||
               (v[0] == 192 && v[1] == 168) || v[0] >= 224;
    }
    static const uint8_t zero[16] = {0};
    if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
        return true;                                  /* :: and ::1 */
    return (a[0] == 0xfe && (a[1] & 0xC0) == 0x80) || /* fe80::/10 */
           (a[0] & 0xFE) == 0xfc ||                   /* fc00::/7 */
           a[0] == 0xff;                              /* ff00::/8 */
}

static bool trusted(const struct egress *e, const dnsfw_ip *ip)
{
    /* an IPv4-mapped IPv6 address is judged as IPv4, as not_public() does */
    bool v4 = is_mapped_v4(ip->addr);
    for (size_t i = 0; i < e->n_trusted; i++)
        if (cidr_contains(&e->trusted[i], v4 ? AF_INET : AF_INET6, v4 ? ip->addr + 12 : ip->addr))
            return true;
    return false;
}

/*
 * The answering half of a connection this interface did not make: with TCP flags, a
 * SYN-ACK in the interval; without them (or mid-connection), the ports say it, as the
 * local side listens on a service port and the remote one uses an ephemeral port: the
 * source port is below the destination port, below the ephemeral ranges, and the
 * destination port is not a well-known one.
 */
static bool is_reply(const dnsfw_flow_record *r)
{
    if (r->tcp_flags >= 0 && r->protocol == 6) {
        if (r->tcp_flags & TCP_SYN_ACK)
            return true;
        if (r->tcp_flags & TCP_SYN)
            return false; /* this side opened the connection */
    }
    if (!DNSFW_FLOW_HAS(r, DNSFW_FLOW_SRCPORT) || !DNSFW_FLOW_HAS(r, DNSFW_FLOW_DSTPORT))
        return false;
    return r->srcport < r->dstport && r->srcport < EPHEMERAL_MIN && r->dstport >= 1024;
}

/* --- flows ---------------------------------------------------------------------------- */

void egress_malformed(struct egress *e, const dnsfw_log_location *w, const char *reason)
{
    e->outcome[FLOW_MALFORMED]++;
    if (e->n_bad < MALFORMED_KEPT) {
        char where[1200];
        log_location_text(w, where, sizeof where);
        e->bad[e->n_bad].file = strdup(w->source ? w->source : "");
        e->bad[e->n_bad].where = w->array ? strdup(where) : NULL;
        e->bad[e->n_bad].reason = strdup(reason);
        e->bad[e->n_bad].line = w->line;
        if (!e->bad[e->n_bad].file || !e->bad[e->n_bad].reason ||
            (w->array && !e->bad[e->n_bad].where))
            e->failed = true;
        e->n_bad++;
    }
}

void egress_set_input(struct egress *e, uint64_t files, uint64_t bytes, uint64_t not_flow,
                      uint64_t outside_window)
{
    e->files += files;
    e->bytes += bytes;
    e->not_flow += not_flow;
    e->outside_window += outside_window;
}

void egress_set_answers(struct egress *e, uint64_t indexed, uint64_t untimed)
{
    e->answers_indexed = indexed;
    e->answers_untimed = untimed;
}

bool egress_failed(const struct egress *e)
{
    return e->failed;
}

/* Keep the first id seen; note that there were others. */
static void keep_id(struct egress *e, char **slot, bool *more, dnsfw_text t)
{
    if (!t.ptr)
        return;
    if (!*slot) {
        if (!(*slot = strndup(t.ptr, t.len)))
            e->failed = true;
    } else if (strlen(*slot) != t.len || memcmp(*slot, t.ptr, t.len) != 0) {
        *more = true;
    }
}

static void count_direct(struct egress *e, const dnsfw_flow_record *r, const dnsfw_ip *src,
                         const dnsfw_ip *dst)
{
    char key[35];
    memcpy(key, src->addr, 16);
    memcpy(key + 16, dst->addr, 16);
    key[32] = (char)(r->dstport >> 8);
    key[33] = (char)(r->dstport & 0xFF);
    key[34] = (char)r->protocol;
    void **slot = strmap_slot(&e->groups, key, sizeof key);
    if (!slot || (!*slot && !(*slot = calloc(1, sizeof(struct group))))) {
        e->failed = true;
        return;
    }
    struct group *g = *slot;
    if (!g->flows) {
        g->src = *src;
        g->dst = *dst;
        g->dstport = r->dstport;
        g->protocol = r->protocol;
        g->first = r->start;
        g->last = r->end;
    }
    g->flows++;
    g->packets += r->packets;
    g->bytes += r->bytes;
    if (r->start < g->first)
        g->first = r->start;
    if (r->end > g->last)
        g->last = r->end;
    keep_id(e, &g->interface_id, &g->more_interfaces, r->text[DNSFW_FLOW_INTERFACE_ID]);
    keep_id(e, &g->instance_id, &g->more_instances, r->text[DNSFW_FLOW_INSTANCE_ID]);
}

static enum flow_outcome decide(struct egress *e, const dnsfw_flow_record *r)
{
    if (r->log_status == DNSFW_FLOW_NODATA)
        return FLOW_NODATA;
    if (r->log_status == DNSFW_FLOW_SKIPDATA)
        return FLOW_SKIPDATA;
    if (r->action == DNSFW_FLOW_REJECT)
        return FLOW_REJECTED;
    if (r->direction == DNSFW_FLOW_INGRESS)
        return FLOW_INBOUND;
    /* the packet-level addresses, where logged, are the ends of the connection (behind a
     * NAT gateway, the instance and the remote address) */
    const dnsfw_ip *src = r->pkt_srcaddr.family ? &r->pkt_srcaddr : &r->srcaddr;
    const dnsfw_ip *dst = r->pkt_dstaddr.family ? &r->pkt_dstaddr : &r->dstaddr;
    if (not_public(dst))
        return FLOW_NOT_PUBLIC;
    if (trusted(e, dst))
        return FLOW_TRUSTED;
    if (is_reply(r))
        return FLOW_REPLY;
    if (answers_cover(e->answers, dst, r->start - e->window, r->end))
        return FLOW_RESOLVED;
    /* A TCP record without SYN belongs to a connection opened before it: the address
     * was in use before this interval, so any earlier answer accounts for it. */
    if (r->protocol == 6 && r->tcp_flags >= 0 && !(r->tcp_flags & TCP_SYN) &&
        answers_last_before(e->answers, dst, r->end) >= 0)
        return FLOW_CONTINUED;
    count_direct(e, r, src, dst);
    return FLOW_DIRECT;
}

/* What a record must have for the join; NULL when it has it. */
static const char *lacks(const dnsfw_flow_record *r)
{
    if (r->log_status == DNSFW_FLOW_NODATA || r->log_status == DNSFW_FLOW_SKIPDATA)
        return NULL;
    if (r->action == DNSFW_FLOW_ACTION_NONE)
        return "the record has no action (ACCEPT or REJECT)";
    if (!r->dstaddr.family && !r->pkt_dstaddr.family)
        return "the record has no dstaddr";
    if (!r->srcaddr.family && !r->pkt_srcaddr.family)
        return "the record has no srcaddr";
    if (!DNSFW_FLOW_HAS(r, DNSFW_FLOW_START) || !DNSFW_FLOW_HAS(r, DNSFW_FLOW_END))
        return "the record has no start or end time";
    return NULL;
}

enum flow_outcome egress_flow(struct egress *e, const dnsfw_flow_record *r,
                              const dnsfw_log_location *w, dnsfw_log_shape shape)
{
    const char *missing = lacks(r);
    if (missing) {
        egress_malformed(e, w, missing);
        return FLOW_MALFORMED;
    }
    if ((unsigned)shape <= DNSFW_SHAPE_FLOW)
        e->shapes[shape]++;
    enum flow_outcome o = decide(e, r);
    e->outcome[o]++;
    return o;
}

/* --- the report ----------------------------------------------------------------------- */

static const char *protocol_name(uint8_t p)
{
    switch (p) {
    case 1:
        return "ICMP";
    case 6:
        return "TCP";
    case 17:
        return "UDP";
    case 58:
        return "ICMPv6";
    case 132:
        return "SCTP";
    default:
        return NULL;
    }
}

static int cmp_group(const void *a, const void *b)
{
    const struct group *x = *(const struct group *const *)a, *y = *(const struct group *const *)b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    if (x->flows != y->flows)
        return x->flows < y->flows ? 1 : -1;
    int c = memcmp(x->src.addr, y->src.addr, 16);
    if (!c)
        c = memcmp(x->dst.addr, y->dst.addr, 16);
    if (!c)
        c = (int)x->dstport - (int)y->dstport;
    if (!c)
        c = (int)x->protocol - (int)y->protocol;
    return c;
}

static void add_time(cJSON *o, const char *key, int64_t t)
{
    char buf[32];
    timestamp_format(t, buf, sizeof buf);
    cJSON_AddStringToObject(o, key, buf);
}

static void add_id(cJSON *o, const char *key, const char *id)
{
    if (id)
        cJSON_AddStringToObject(o, key, id);
    else
        cJSON_AddNullToObject(o, key);
}

static cJSON *group_json(const struct egress *e, const struct group *g)
{
    cJSON *o = cJSON_CreateObject();
    char src[64], dst[64];
    if (!o || dnsfw_ip_format(&g->src, src, sizeof src) != DNSFW_OK ||
        dnsfw_ip_format(&g->dst, dst, sizeof dst) != DNSFW_OK) {
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_AddStringToObject(o, "srcaddr", src);
    cJSON_AddStringToObject(o, "dstaddr", dst);
    cJSON_AddNumberToObject(o, "dstport", g->dstport);
    cJSON_AddNumberToObject(o, "protocol", g->protocol);
    const char *pn = protocol_name(g->protocol);
    if (pn)
        cJSON_AddStringToObject(o, "protocol_name", pn);
    else
        cJSON_AddNullToObject(o, "protocol_name");
    cJSON_AddNumberToObject(o, "flows", (double)g->flows);
    cJSON_AddNumberToObject(o, "packets", (double)g->packets);
    cJSON_AddNumberToObject(o, "bytes", (double)g->bytes);
    add_time(o, "first_seen", g->first);
    add_time(o, "last_seen", g->last);
    add_id(o, "interface_id", g->interface_id);
    if (g->more_interfaces)
        cJSON_AddBoolToObject(o, "more_interfaces", true);
    add_id(o, "instance_id", g->instance_id);
    if (g->more_instances)
        cJSON_AddBoolToObject(o, "more_instances", true);
    const char *repo = NULL;
    if (e->map) {
        if (g->instance_id)
            repo = scope_map_lookup(e->map, NULL, 0, g->instance_id, strlen(g->instance_id));
        if (!repo && g->interface_id)
            repo = scope_map_lookup(e->map, NULL, 0, g->interface_id, strlen(g->interface_id));
        if (!repo)
            repo = scope_map_lookup(e->map, src, strlen(src), NULL, 0);
    }
    add_id(o, "repo", repo);
    /* an answer long before: a connection older than the window, or an address reused */
    int64_t before = answers_last_before(e->answers, &g->dst, g->first);
    if (before >= 0)
        add_time(o, "answered_before", before);
    else
        cJSON_AddNullToObject(o, "answered_before");
    return o;
}

size_t egress_direct_ip_sort(struct egress *e)
{
    free(e->sorted);
    e->sorted = calloc(e->groups.count ? e->groups.count : 1, sizeof *e->sorted);
    if (!e->sorted) {
        e->failed = true;
        return 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < e->groups.cap; i++)
        if (e->groups.slots[i].key)
            e->sorted[n++] = e->groups.slots[i].value;
    qsort(e->sorted, n, sizeof *e->sorted, cmp_group);
    return n;
}

cJSON *egress_direct_ip_item(struct egress *e, size_t i)
{
    cJSON *o = e->sorted && i < e->groups.count ? group_json(e, e->sorted[i]) : NULL;
    if (!o)
        e->failed = true;
    return o;
}

cJSON *egress_totals_json(const struct egress *e)
{
    static const char *const names[FLOW_OUTCOMES] = {
        [FLOW_NODATA] = "nodata",       [FLOW_SKIPDATA] = "skipdata",
        [FLOW_MALFORMED] = "malformed", [FLOW_REJECTED] = "rejected",
        [FLOW_INBOUND] = "inbound",     [FLOW_NOT_PUBLIC] = "not_public",
        [FLOW_TRUSTED] = "trusted",     [FLOW_REPLY] = "replies",
        [FLOW_RESOLVED] = "resolved",   [FLOW_CONTINUED] = "continued",
        [FLOW_DIRECT] = "direct_ip",
    };
    cJSON *t = cJSON_CreateObject();
    uint64_t records = 0;
    for (int i = 0; i < FLOW_OUTCOMES; i++)
        records += e->outcome[i];
    cJSON_AddNumberToObject(t, "answer_window_seconds", (double)e->window);
    cJSON_AddNumberToObject(t, "answered_addresses", (double)answers_count(e->answers));
    cJSON_AddNumberToObject(t, "answer_index_bytes", (double)answers_memory(e->answers));
    cJSON_AddNumberToObject(t, "answers_indexed", (double)e->answers_indexed);
    cJSON_AddNumberToObject(t, "answers_untimed", (double)e->answers_untimed);
    cJSON_AddNumberToObject(t, "flow_files", (double)e->files);
    cJSON_AddNumberToObject(t, "flow_bytes", (double)e->bytes);
    cJSON_AddNumberToObject(t, "flow_records", (double)records);
    cJSON_AddNumberToObject(t, "not_flow", (double)e->not_flow);
    cJSON_AddNumberToObject(t, "outside_window", (double)e->outside_window);
    cJSON *shapes = cJSON_AddObjectToObject(t, "shapes");
    for (int k = DNSFW_SHAPE_ROUTE53; shapes && k <= DNSFW_SHAPE_FLOW; k++)
        if (e->shapes[k])
            cJSON_AddNumberToObject(shapes, dnsfw_log_shape_name((dnsfw_log_shape)k),
                                    (double)e->shapes[k]);
    cJSON *by = cJSON_AddObjectToObject(t, "by_outcome");
    for (int i = 0; i < FLOW_OUTCOMES; i++)
        cJSON_AddNumberToObject(by, names[i], (double)e->outcome[i]);
    cJSON_AddNumberToObject(t, "direct_ip_groups", (double)e->groups.count);
    cJSON *tr = cJSON_AddArrayToObject(t, "trusted_cidrs");
    for (size_t i = 0; tr && i < e->n_trusted; i++) {
        char buf[80];
        cidr_format(&e->trusted[i], buf, sizeof buf);
        cJSON_AddItemToArray(tr, cJSON_CreateString(buf));
    }
    cJSON *bad = cJSON_AddArrayToObject(t, "malformed_examples");
    for (uint32_t i = 0; bad && i < e->n_bad; i++) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "file", e->bad[i].file ? e->bad[i].file : "");
        cJSON_AddNumberToObject(b, "line", (double)e->bad[i].line);
        if (e->bad[i].where)
            cJSON_AddStringToObject(b, "where", e->bad[i].where);
        cJSON_AddStringToObject(b, "reason", e->bad[i].reason ? e->bad[i].reason : "");
        cJSON_AddItemToArray(bad, b);
    }
    return t;
}
