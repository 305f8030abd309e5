/*
 * --query-log: one Route 53 Resolver query-log record (aws-dns-firewall.md §8.1) per
 * answered query, one JSON object a line, so that `dnsfw-eval --log` replays the file.
 *
 * The loop only copies what a record needs into one allocation and appends it to a
 * bounded queue; a writer thread parses the response (rcode, answers) with ldns, formats
 * the JSON and writes it. A full queue drops the record and counts it: the query path
 * never waits for the disk.
 */
#define _GNU_SOURCE
#include <stdbool.h> /* before ldns, which would define bool otherwise */

#include <arpa/inet.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "serve.h"

struct entry {
    struct entry *next;
    struct timespec when;
    struct sockaddr_storage client;
    bool tcp;
    uint16_t qtype, qclass;
    dnsfw_action action;
    uint16_t rcode;
    size_t response_len;                          /* the message the answers come from */
    const char *qname, *rule_group, *domain_list; /* point into data */
    uint8_t data[];                               /* response, then the strings */
};

struct qlog {
    char *path;
    FILE *f;
    struct qlog_fields fields;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct entry *head, *tail; /* guarded by lock */
    unsigned count, capacity;
    bool stop, waiting;
    atomic_bool reopen;
    atomic_uint_fast64_t dropped, written;
};

static const char *class_name(uint16_t c, char *buf, size_t size)
{
    switch (c) {
    case 1:
        return "IN";
    case 3:
        return "CH";
    case 4:
        return "HS";
    case 254:
        return "NONE";
    case 255:
        return "ANY";
    default:
        snprintf(buf, size, "CLASS%u", c);
        return buf;
    }
}

static const char *rcode_name(unsigned rcode, char *buf, size_t size)
{
    static const char *const names[] = {
        "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
        "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE", "DSOTYPENI",
    };
    if (rcode < sizeof names / sizeof names[0])
        return names[rcode];
    if (rcode == 16)
        return "BADVERS";
    snprintf(buf, size, "RCODE%u", rcode);
    return buf;
}

/* "answers":[{"Rdata":"...","Type":"A","Class":"IN"},...] from the response. */
static void write_answers(FILE *f, const ldns_pkt *p)
{
    fputs("\"answers\":[", f);
    const ldns_rr_list *an = p ? ldns_pkt_answer(p) : NULL;
    size_t n = an ? ldns_rr_list_rr_count(an) : 0;
    for (size_t i = 0; i < n; i++) {
        const ldns_rr *rr = ldns_rr_list_rr(an, i);
        char type[32], cls[16];
        fputs(i ? ",{\"Rdata\":\"" : "{\"Rdata\":\"", f);
        for (size_t k = 0; k < ldns_rr_rd_count(rr); k++) {
            char *text = ldns_rdf2str(ldns_rr_rdf(rr, k));
            if (k)
                fputc(' ', f);
            if (text) {
                /* tool_json_string() writes the quotes; the pieces are joined here */
                for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
                    if (*c == '"' || *c == '\\')
                        fprintf(f, "\\%c", *c);
                    else if (*c < 0x20)
                        fprintf(f, "\\u%04x", *c);
                    else
                        fputc(*c, f);
                }
            }
            free(text);
        }
        if (dnsfw_qtype_format((uint16_t)ldns_rr_get_type(rr), type, sizeof type) != DNSFW_OK)
            snprintf(type, sizeof type, "TYPE%u", (unsigned)ldns_rr_get_type(rr));
        fprintf(f, "\",\"Type\":\"%s\",\"Class\":\"%s\"}", type,
                class_name((uint16_t)ldns_rr_get_class(rr), cls, sizeof cls));
    }
    fputc(']', f);
}

static void write_entry(struct qlog *q, const struct entry *e)
{
    FILE *f = q->f;
    ldns_pkt *p = NULL;
    if (ldns_wire2pkt(&p, e->data, e->response_len) != LDNS_STATUS_OK)
        p = NULL;
    char ts[32], type[32], cls[16], rc[16], addr[INET6_ADDRSTRLEN] = "";
    struct tm tm;
    gmtime_r(&e->when.tv_sec, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (dnsfw_qtype_format(e->qtype, type, sizeof type) != DNSFW_OK)
        snprintf(type, sizeof type, "TYPE%u", e->qtype);
    unsigned port;
    if (e->client.ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&e->client;
        inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof addr);
        port = ntohs(s6->sin6_port);
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)&e->client;
        inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof addr);
        port = ntohs(s4->sin_port);
    }
    fputs("{\"version\":\"1.100000\",\"account_id\":", f);
    tool_json_string(f, q->fields.account_id);
    fputs(",\"region\":", f);
    tool_json_string(f, q->fields.region);
    fputs(",\"vpc_id\":", f);
    tool_json_string(f, q->fields.vpc_id);
    fprintf(f, ",\"query_timestamp\":\"%s\",\"query_name\":", ts);
    tool_json_string(f, e->qname);
    fprintf(f, ",\"query_type\":\"%s\",\"query_class\":\"%s\",\"rcode\":\"%s\",", type,
            class_name(e->qclass, cls, sizeof cls), rcode_name(e->rcode, rc, sizeof rc));
    write_answers(f, p);
    fprintf(f, ",\"srcaddr\":\"%s\",\"srcport\":\"%u\",\"transport\":\"%s\",\"srcids\":{}", addr,
            port, e->tcp ? "TCP" : "UDP");
    if (e->action == DNSFW_ACTION_ALERT || e->action == DNSFW_ACTION_BLOCK) {
        fputs(",\"firewall_rule_group_id\":", f);
        tool_json_string(f, e->rule_group);
        fprintf(f, ",\"firewall_rule_action\":\"%s\",\"firewall_domain_list_id\":",
                dnsfw_action_name(e->action));
        tool_json_string(f, e->domain_list);
    }
    fputs("}\n", f);
    ldns_pkt_free(p);
}

static FILE *open_log(const char *path)
{
    if (strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "a");
    if (f)
        setvbuf(f, NULL, _IOFBF, 1 << 20);
    return f;
}

static void *writer(void *arg)
{
    struct qlog *q = arg;
    bool failed = false;
    for (;;) {
        pthread_mutex_lock(&q->lock);
        while (!q->head && !q->stop && !atomic_load(&q->reopen)) {
            q->waiting = true;
            pthread_cond_wait(&q->wake, &q->lock);
            q->waiting = false;
        }
        struct entry *batch = q->head;
        q->head = q->tail = NULL;
        q->count = 0;
        bool stop = q->stop;
        pthread_mutex_unlock(&q->lock);

        if (atomic_exchange(&q->reopen, false) && q->f != stdout) {
            if (q->f)
                fclose(q->f);
            q->f = open_log(q->path);
            if (!q->f)
                tool_warn("%s: cannot reopen the query log: %s", q->path, strerror(errno));
            failed = false;
        }
        for (struct entry *e = batch, *next; e; e = next) {
            next = e->next;
            if (q->f) {
                write_entry(q, e);
                atomic_fetch_add(&q->written, 1);
            }
            free(e);
        }
        if (q->f && fflush(q->f) != 0 && !failed) {
            tool_warn("%s: cannot write the query log: %s", q->path, strerror(errno));
            failed = true;
        }
        if (stop && !batch)
            return NULL;
    }
}

int qlog_open(const char *path, unsigned capacity, const struct qlog_fields *fields,
              struct qlog **out)
{
    struct qlog *q = calloc(1, sizeof *q);
    if (!q || !(q->path = strdup(path))) {
        free(q);
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    q->fields = *fields;
    q->capacity = capacity;
    q->f = open_log(path);
    if (!q->f) {
        tool_warn("%s: cannot open the query log: %s", path, strerror(errno));
        free(q->path);
        free(q);
        return EXIT_SYSTEM;
    }
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->wake, NULL);
    if (pthread_create(&q->thread, NULL, writer, q) != 0) {
        tool_warn("cannot start the query-log writer: %s", strerror(errno));
        if (q->f != stdout)
            fclose(q->f);
        free(q->path);
        free(q);
        return EXIT_SYSTEM;
    }
    *out = q;
    return EXIT_CLEAN;
}

void qlog_submit(struct qlog *q, const struct qlog_query *r)
{
    const char *g = r->rule_group ? r->rule_group : "", *l = r->domain_list ? r->domain_list : "";
    size_t nlen = strlen(r->info->qname) + 1, glen = strlen(g) + 1, llen = strlen(l) + 1;
    const uint8_t *msg = r->answers_from ? r->answers_from : r->response;
    size_t mlen = r->answers_from ? r->answers_len : r->response_len;
    struct entry *e = malloc(sizeof *e + mlen + nlen + glen + llen);
    if (!e) {
        atomic_fetch_add(&q->dropped, 1);
        return;
    }
    e->next = NULL;
    e->when = r->when;
    memset(&e->client, 0, sizeof e->client);
    memcpy(&e->client, r->client,
           r->client->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                            : sizeof(struct sockaddr_in));
    e->tcp = r->tcp;
    e->qtype = r->info->qtype;
    e->qclass = r->info->qclass;
    e->action = r->action;
    /* the header's RCODE: extended RCODEs (BADVERS) are never logged */
    e->rcode = r->response_len >= 4 ? r->response[3] & 0x0F : 2;
    e->response_len = mlen;
    uint8_t *p = e->data;
    memcpy(p, msg, mlen);
    p += mlen;
    e->qname = memcpy(p, r->info->qname, nlen);
    p += nlen;
    e->rule_group = memcpy(p, g, glen);
    p += glen;
    e->domain_list = memcpy(p, l, llen);

    pthread_mutex_lock(&q->lock);
    bool full = q->count >= q->capacity;
    if (!full) {
        if (q->tail)
            q->tail->next = e;
        else
            q->head = e;
        q->tail = e;
        q->count++;
        if (q->waiting)
            pthread_cond_signal(&q->wake);
    }
    pthread_mutex_unlock(&q->lock);
    if (full) {
        free(e);
        atomic_fetch_add(&q->dropped, 1);
    }
}

void qlog_reopen(struct qlog *q)
{
    atomic_store(&q->reopen, true);
    pthread_mutex_lock(&q->lock);
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
}

uint64_t qlog_dropped(struct qlog *q)
{
    return atomic_load(&q->dropped);
}

void qlog_close(struct qlog *q, uint64_t *written, uint64_t *dropped)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    q->stop = true;
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->thread, NULL);
    if (q->f && q->f != stdout && fclose(q->f) != 0)
        tool_warn("%s: cannot write the query log: %s", q->path, strerror(errno));
    else if (q->f == stdout)
        fflush(stdout);
    if (written)
        *written = atomic_load(&q->written);
    if (dropped)
        *dropped = atomic_load(&q->dropped);
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->wake);
    free(q->path);
    free(q);
}
