/*
 * --query-log: one Route 53 Resolver query-log record (aws-dns-firewall.md §8.1) per
 * answered query, one JSON object a line, so that `dnsfw-eval --log` replays the file.
 *
 * The loop only copies what a record needs into one allocation and appends it to a
 * bounded queue; a writer thread parses the response (rcode, answers) with ldns, formats
 * the JSON and writes it. A full queue drops the record and counts it: the query path
 * never waits for the disk.
 *
 * The counts are honest: a record is written when write(2) took all of its octets.
 * Records of a write that failed (a full disk, an I/O error) are counted as failed; a
 * record cut in the middle is cut off the file again (a regular file) or ended with a
 * newline before the next record (a pipe), so that the file holds whole lines only.
 */
#define _GNU_SOURCE
#include <stdbool.h> /* before ldns, which would define bool otherwise */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ldns/ldns.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "serve.h"

/* Records formatted and written at a time. */
#define CHUNK 256

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
    int fd; /* -1: not open (a reopen failed) */
    bool regular;
    bool torn; /* the file ends in the middle of a record that could not be cut off */
    bool failing;
    struct qlog_fields fields;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct entry *head, *tail; /* guarded by lock */
    unsigned count, capacity;
    bool stop, waiting;
    atomic_bool reopen;
    atomic_uint_fast64_t dropped, written, failed;
    atomic_int last_errno;
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

static void write_entry(FILE *f, const struct qlog *q, const struct entry *e)
{
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

/* The log file for appending; -1 with errno set. */
static int open_log(struct qlog *q)
{
    if (strcmp(q->path, "-") == 0) {
        q->regular = false;
        return STDOUT_FILENO;
    }
    int fd = open(q->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0666);
    struct stat st;
    q->regular = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    return fd;
}

static void close_log(struct qlog *q)
{
    if (q->fd >= 0 && q->fd != STDOUT_FILENO && close(q->fd) != 0)
        tool_warn("%s: closing the query log: %s", q->path, strerror(errno));
    q->fd = -1;
}

/* A write error: counted, and said at once when writing stops working. */
static void write_failed(struct qlog *q, uint64_t records, int err)
{
    atomic_fetch_add(&q->failed, records);
    atomic_store(&q->last_errno, err);
    if (!q->failing)
        tool_warn("%s: cannot write the query log: %s; records are lost (and counted) until "
                  "writing works again",
                  q->path, strerror(err));
    q->failing = true;
}

static void write_worked(struct qlog *q)
{
    if (q->failing)
        tool_warn("%s: the query log is written again (%llu records lost so far)", q->path,
                  (unsigned long long)atomic_load(&q->failed));
    q->failing = false;
}

/* Write all of buf; returns the octets written (less than len after an error, errno set). */
static size_t write_all(int fd, const char *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, buf + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            break;
        }
        off += (size_t)w;
    }
    return off;
}

/*
 * Write n formatted records (ends[i]: where record i ends in buf) and count them: written
 * are the records whose every octet was written.
 */
static void write_records(struct qlog *q, const char *buf, const size_t *ends, size_t n)
{
    size_t len = n ? ends[n - 1] : 0;
    if (!len)
        return;
    if (q->fd < 0) {
        write_failed(q, n, EBADF);
        return;
    }
    if (q->torn) { /* end the cut record's line, so that the next record is a line of its own */
        if (write_all(q->fd, "\n", 1) != 1) {
            write_failed(q, n, errno);
            return;
        }
        q->torn = false;
    }
    off_t start = q->regular ? lseek(q->fd, 0, SEEK_END) : -1;
    size_t done = write_all(q->fd, buf, len);
    int err = errno;
    size_t whole = 0;
    while (whole < n && ends[whole] <= done)
        whole++;
    atomic_fetch_add(&q->written, whole);
    if (done == len) {
        write_worked(q);
        return;
    }
    size_t boundary = whole ? ends[whole - 1] : 0;
    if (done > boundary) { /* a record cut in the middle: cut it off, or end its line */
        if (start < 0 || ftruncate(q->fd, start + (off_t)boundary) != 0)
            q->torn = true;
    }
    write_failed(q, n - whole, err);
}

/* Format and write a batch of records, CHUNK at a time; frees them. */
static void write_batch(struct qlog *q, struct entry *batch)
{
    char *buf = NULL;
    size_t size = 0, ends[CHUNK];
    while (batch) {
        FILE *m = open_memstream(&buf, &size);
        size_t n = 0;
        for (; batch && n < CHUNK; n++) {
            struct entry *e = batch;
            batch = e->next;
            if (m) {
                write_entry(m, q, e);
                long end = ftell(m);
                ends[n] = end < 0 ? 0 : (size_t)end;
            }
            free(e);
        }
        if (!m || fclose(m) != 0) { /* out of memory: the records are lost */
            write_failed(q, n, ENOMEM);
        } else {
            write_records(q, buf, ends, n);
        }
        free(buf);
        buf = NULL;
        size = 0;
    }
}

static void *writer(void *arg)
{
    struct qlog *q = arg;
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

        if (atomic_exchange(&q->reopen, false) && strcmp(q->path, "-") != 0) {
            close_log(q);
            q->fd = open_log(q);
            q->torn = false;
            if (q->fd < 0)
                tool_warn("%s: cannot reopen the query log: %s", q->path, strerror(errno));
        }
        write_batch(q, batch);
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
    q->fd = open_log(q);
    if (q->fd < 0) {
        tool_warn("%s: cannot open the query log: %s", path, strerror(errno));
        free(q->path);
        free(q);
        return EXIT_SYSTEM;
    }
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->wake, NULL);
    int rc = pthread_create(&q->thread, NULL, writer, q);
    if (rc != 0) {
        tool_warn("cannot start the query-log writer: %s", strerror(rc));
        close_log(q);
        pthread_mutex_destroy(&q->lock);
        pthread_cond_destroy(&q->wake);
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

void qlog_get_counts(struct qlog *q, struct qlog_counts *out)
{
    out->written = atomic_load(&q->written);
    out->dropped = atomic_load(&q->dropped);
    out->failed = atomic_load(&q->failed);
    out->last_errno = atomic_load(&q->last_errno);
}

void qlog_close(struct qlog *q, struct qlog_counts *counts)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    q->stop = true;
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->thread, NULL);
    close_log(q);
    if (counts)
        qlog_get_counts(q, counts);
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->wake);
    free(q->path);
    free(q);
}
