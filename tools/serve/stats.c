/*
 * Statistics (stats.h): every counter of struct serve_stats and of the query log, as
 * lines on stderr and in the Prometheus text format. The HTTP side is the least that
 * Prometheus and curl need: one request per connection, answered and closed; a request
 * that does not arrive whole within STATS_DEADLINE_MS, or is longer than
 * STATS_REQUEST_MAX, gets its connection closed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "common.h"
#include "stats.h"

#define STATS_CONNS       8
#define STATS_DEADLINE_MS 2000
#define STATS_REQUEST_MAX 2048

struct stats_conn {
    struct ev ev; /* EV_STATS_CONN */
    int fd;       /* -1: free */
    uint64_t deadline;
    size_t rlen;
    char req[STATS_REQUEST_MAX];
    char *resp;
    size_t resp_len, resp_off;
};

struct stats_server {
    struct ev ev; /* EV_STATS_LISTEN */
    int fd;
    struct stats_conn conns[STATS_CONNS];
};

static const char *const rcode_names[16] = {
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",  "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
    "NXRRSET", "NOTAUTH", "NOTZONE",  "DSOTYPENI", "RCODE12", "RCODE13", "RCODE14",  "RCODE15",
};

static const char *const action_names[4] = {"NONE", "ALLOW", "ALERT", "BLOCK"};

/* --- stderr --------------------------------------------------------------------------- */

/* The bound (ms) below which at least 95% of the upstream's answers came. */
static double latency_p95_ms(const struct serve_stats *t)
{
    uint64_t want = t->latency_count - t->latency_count / 20, seen = 0;
    for (unsigned b = 0; b < LATENCY_BUCKETS; b++) {
        seen += t->latency[b];
        if (seen >= want)
            return serve_latency_bounds_us[b] / 1000.0;
    }
    return -1; /* beyond the last bound */
}

void stats_log(const struct server *s)
{
    const struct serve_stats *t = &s->st;
    tool_warn("queries %llu: blocked %llu (by a CNAME chain %llu), forwarded %llu, "
              "answered by the upstream %llu, SERVFAIL %llu (timeouts %llu), FORMERR %llu, "
              "NOTIMP %llu, dropped %llu, overload %llu, no policy %llu, stray answers %llu, "
              "TCP retries %llu, TCP connections %llu (refused %llu)",
              (unsigned long long)t->queries, (unsigned long long)t->blocked,
              (unsigned long long)t->chain_blocked, (unsigned long long)t->forwarded,
              (unsigned long long)t->answered, (unsigned long long)t->servfail,
              (unsigned long long)t->timeouts, (unsigned long long)t->formerr,
              (unsigned long long)t->notimp, (unsigned long long)t->dropped,
              (unsigned long long)t->overload, (unsigned long long)t->no_policy,
              (unsigned long long)t->stray, (unsigned long long)t->tcp_retries,
              (unsigned long long)t->tcp_accepted, (unsigned long long)t->tcp_refused);
    tool_warn("clients: refused (outside --allow) %llu, rate-limited %llu (sent TC %llu), over "
              "their share of forwarding %llu, TCP connections over their share %llu, TCP "
              "timeouts %llu; answers truncated to fit UDP %llu",
              (unsigned long long)t->refused, (unsigned long long)t->rate_limited,
              (unsigned long long)t->slipped, (unsigned long long)t->client_share,
              (unsigned long long)t->tcp_client_refused, (unsigned long long)t->tcp_timeouts,
              (unsigned long long)t->truncated);
    char rc[256] = "", act[128] = "";
    size_t n = 0;
    for (unsigned i = 0; i < 16; i++)
        if (t->rcodes[i] && n < sizeof rc)
            n += (size_t)snprintf(rc + n, sizeof rc - n, "%s%s %llu", n ? ", " : "", rcode_names[i],
                                  (unsigned long long)t->rcodes[i]);
    n = 0;
    for (unsigned i = 0; i < 4; i++)
        n += (size_t)snprintf(act + n, sizeof act - n, "%s%s %llu", i ? ", " : "",
                              action_names[(i + 1) % 4],
                              (unsigned long long)t->actions[(i + 1) % 4]);
    double p95 = latency_p95_ms(t);
    char lat[128];
    if (!t->latency_count)
        snprintf(lat, sizeof lat, "no answers yet");
    else if (p95 < 0)
        snprintf(lat, sizeof lat, "mean %.3f ms, 95%% over 5 s",
                 t->latency_sum_us / 1000.0 / t->latency_count);
    else
        snprintf(lat, sizeof lat, "mean %.3f ms, 95%% within %g ms",
                 t->latency_sum_us / 1000.0 / t->latency_count, p95);
    tool_warn("responses: %s; verdicts: %s; upstream latency: %s", rc[0] ? rc : "none", act, lat);
    if (s->log && !s->stopping) { /* at shutdown, the final counts follow the last write */
        struct qlog_counts q;
        qlog_get_counts(s->log, &q);
        tool_warn("query log so far: %llu records written, %llu dropped (queue full), %llu "
                  "failed (write errors)",
                  (unsigned long long)q.written, (unsigned long long)q.dropped,
                  (unsigned long long)q.failed);
    }
}

/* --- Prometheus ------------------------------------------------------------------------ */

static void metric(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void counter(FILE *f, const char *name, const char *help, uint64_t v)
{
    metric(f, name, "counter", help);
    fprintf(f, "%s %llu\n", name, (unsigned long long)v);
}

static void gauge(FILE *f, const char *name, const char *help, uint64_t v)
{
    metric(f, name, "gauge", help);
    fprintf(f, "%s %llu\n", name, (unsigned long long)v);
}

void stats_write_prometheus(FILE *f, const struct server *s)
{
    const struct serve_stats *t = &s->st;
    counter(f, "dnsfw_queries_total", "DNS messages received (UDP datagrams, TCP messages).",
            t->queries);
    metric(f, "dnsfw_responses_total", "counter", "Responses sent, by RCODE.");
    for (unsigned i = 0; i < 16; i++)
        if (i <= 5 || t->rcodes[i])
            fprintf(f, "dnsfw_responses_total{rcode=\"%s\"} %llu\n", rcode_names[i],
                    (unsigned long long)t->rcodes[i]);
    metric(f, "dnsfw_verdicts_total", "counter", "Answered queries by the firewall's action.");
    for (unsigned i = 0; i < 4; i++)
        fprintf(f, "dnsfw_verdicts_total{action=\"%s\"} %llu\n", action_names[i],
                (unsigned long long)t->actions[i]);
    counter(f, "dnsfw_blocked_total", "Queries answered with a block response.", t->blocked);
    counter(f, "dnsfw_chain_blocked_total", "Blocks decided by a CNAME or DNAME chain.",
            t->chain_blocked);
    counter(f, "dnsfw_forwarded_total", "Queries forwarded to the upstream.", t->forwarded);
    counter(f, "dnsfw_upstream_answers_total", "Upstream answers relayed or inspected.",
            t->answered);
    counter(f, "dnsfw_upstream_timeouts_total", "Queries the upstream did not answer in time.",
            t->timeouts);
    counter(f, "dnsfw_upstream_refused_total", "ICMP errors from the upstream.",
            t->upstream_refused);
    counter(f, "dnsfw_upstream_tcp_retries_total", "Truncated answers asked again over TCP.",
            t->tcp_retries);
    counter(f, "dnsfw_stray_answers_total", "Upstream messages that answer no query.", t->stray);
    counter(f, "dnsfw_servfail_total", "SERVFAIL responses (upstream failure, fail closed).",
            t->servfail);
    counter(f, "dnsfw_no_policy_total", "Queries no policy could be applied to.", t->no_policy);
    counter(f, "dnsfw_malformed_dropped_total", "Messages dropped: short, or not a query.",
            t->dropped);
    counter(f, "dnsfw_formerr_total", "FORMERR responses.", t->formerr);
    counter(f, "dnsfw_notimp_total", "NOTIMP and BADVERS responses.", t->notimp);
    counter(f, "dnsfw_overload_total", "Queries beyond --max-inflight.", t->overload);
    counter(f, "dnsfw_client_share_total", "Queries beyond their client's --client-inflight.",
            t->client_share);
    counter(f, "dnsfw_refused_total", "Queries and TCP connections of clients outside --allow.",
            t->refused);
    counter(f, "dnsfw_rate_limited_total", "UDP queries over --rate-limit, dropped.",
            t->rate_limited);
    counter(f, "dnsfw_rate_limit_slipped_total", "UDP queries over --rate-limit, sent TC.",
            t->slipped);
    counter(f, "dnsfw_truncated_total", "Upstream answers too large for UDP, sent truncated.",
            t->truncated);
    counter(f, "dnsfw_tcp_connections_total", "TCP connections accepted.", t->tcp_accepted);
    metric(f, "dnsfw_tcp_refused_total", "counter", "TCP connections closed at once.");
    fprintf(f, "dnsfw_tcp_refused_total{reason=\"full\"} %llu\n",
            (unsigned long long)t->tcp_refused);
    fprintf(f, "dnsfw_tcp_refused_total{reason=\"client_share\"} %llu\n",
            (unsigned long long)t->tcp_client_refused);
    counter(f, "dnsfw_tcp_timeouts_total",
            "TCP connections closed: a query or its answers took too long.", t->tcp_timeouts);
    gauge(f, "dnsfw_inflight", "Queries waiting for the upstream.", s->n_pending);
    gauge(f, "dnsfw_tcp_open", "Open TCP client connections.", s->n_conns);
    gauge(f, "dnsfw_policy_generation", "The policy generation in force.", s->gen->serial);
    metric(f, "dnsfw_reloads_total", "counter", "Policy reloads.");
    fprintf(f, "dnsfw_reloads_total{result=\"ok\"} %llu\n", (unsigned long long)t->reloads);
    fprintf(f, "dnsfw_reloads_total{result=\"failed\"} %llu\n",
            (unsigned long long)t->reload_failures);
    metric(f, "dnsfw_upstream_latency_seconds", "histogram",
           "Time from forwarding a query to the upstream's first answer.");
    uint64_t cumulative = 0;
    for (unsigned b = 0; b < LATENCY_BUCKETS; b++) {
        cumulative += t->latency[b];
        fprintf(f, "dnsfw_upstream_latency_seconds_bucket{le=\"%g\"} %llu\n",
                serve_latency_bounds_us[b] / 1e6, (unsigned long long)cumulative);
    }
    fprintf(f, "dnsfw_upstream_latency_seconds_bucket{le=\"+Inf\"} %llu\n",
            (unsigned long long)t->latency_count);
    fprintf(f, "dnsfw_upstream_latency_seconds_sum %.6f\n", t->latency_sum_us / 1e6);
    fprintf(f, "dnsfw_upstream_latency_seconds_count %llu\n", (unsigned long long)t->latency_count);
    if (s->log) {
        struct qlog_counts q;
        qlog_get_counts(s->log, &q);
        metric(f, "dnsfw_query_log_records_total", "counter",
               "Query-log records: written whole, dropped (queue full), failed (write errors).");
        fprintf(f, "dnsfw_query_log_records_total{result=\"written\"} %llu\n",
                (unsigned long long)q.written);
        fprintf(f, "dnsfw_query_log_records_total{result=\"dropped\"} %llu\n",
                (unsigned long long)q.dropped);
        fprintf(f, "dnsfw_query_log_records_total{result=\"failed\"} %llu\n",
                (unsigned long long)q.failed);
    }
}

/* --- HTTP ------------------------------------------------------------------------------- */

int stats_open(struct server *s)
{
    const struct serve_addr *a = &s->cfg->stats;
    char text[80];
    serve_addr_format((const struct sockaddr *)&a->ss, text, sizeof text);
    struct stats_server *st = calloc(1, sizeof *st);
    if (!st) {
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    s->stats = st;
    st->ev.kind = EV_STATS_LISTEN;
    for (unsigned i = 0; i < STATS_CONNS; i++) {
        st->conns[i].fd = -1;
        st->conns[i].ev.kind = EV_STATS_CONN;
    }
    st->fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_storage bound = a->ss;
    socklen_t blen = a->len;
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = &st->ev};
    if (st->fd < 0 || setsockopt(st->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        (a->ss.ss_family == AF_INET6 &&
         setsockopt(st->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ||
        bind(st->fd, (const struct sockaddr *)&a->ss, a->len) != 0 || listen(st->fd, 16) != 0 ||
        getsockname(st->fd, (struct sockaddr *)&bound, &blen) != 0 ||
        epoll_ctl(s->ep, EPOLL_CTL_ADD, st->fd, &e) != 0) {
        tool_warn("cannot serve statistics on %s: %s", text, strerror(errno));
        return EXIT_SYSTEM;
    }
    serve_addr_format((const struct sockaddr *)&bound, text, sizeof text);
    tool_warn("statistics on http://%s/metrics", text);
    return EXIT_CLEAN;
}

static void conn_end(struct server *s, struct stats_conn *c)
{
    epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->resp);
    c->fd = -1;
    c->resp = NULL;
}

void stats_close(struct server *s)
{
    struct stats_server *st = s->stats;
    if (!st)
        return;
    for (unsigned i = 0; i < STATS_CONNS; i++)
        if (st->conns[i].fd >= 0)
            conn_end(s, &st->conns[i]);
    if (st->fd >= 0)
        close(st->fd);
    free(st);
    s->stats = NULL;
}

void stats_on_accept(struct server *s)
{
    struct stats_server *st = s->stats;
    for (;;) {
        int fd = accept4(st->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        struct stats_conn *c = NULL;
        for (unsigned i = 0; i < STATS_CONNS && !c; i++)
            if (st->conns[i].fd < 0)
                c = &st->conns[i];
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = c ? &c->ev : NULL};
        if (!c || epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &e) != 0) {
            close(fd); /* busy: the scraper tries again */
            continue;
        }
        c->fd = fd;
        c->rlen = 0;
        c->deadline = s->now + STATS_DEADLINE_MS;
    }
}

/* The response to the request in c->req (its head ends at c->req + head). */
static void respond(const struct server *s, struct stats_conn *c)
{
    bool head = strncmp(c->req, "HEAD ", 5) == 0;
    const char *path = head ? c->req + 5 : strncmp(c->req, "GET ", 4) == 0 ? c->req + 4 : NULL;
    size_t plen = path ? strcspn(path, " ?\r\n") : 0;
    char *body = NULL;
    size_t blen = 0;
    const char *status = "200 OK", *type = "text/plain; version=0.0.4; charset=utf-8";
    FILE *m = open_memstream(&body, &blen);
    if (!m) {
        status = "500 Internal Server Error";
    } else if (!path) {
        status = "405 Method Not Allowed";
        fputs("GET /metrics\n", m);
    } else if (plen != 8 || strncmp(path, "/metrics", 8) != 0) {
        status = "404 Not Found";
        fputs("the statistics are at /metrics\n", m);
    } else {
        stats_write_prometheus(m, s);
    }
    if (m && fclose(m) != 0)
        status = "500 Internal Server Error";
    FILE *r = open_memstream(&c->resp, &c->resp_len);
    if (r) {
        fprintf(r,
                "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: "
                "close\r\n\r\n",
                status, type, body ? blen : 0);
        if (body && !head)
            fwrite(body, 1, blen, r);
        if (fclose(r) != 0) {
            free(c->resp);
            c->resp = NULL;
        }
    }
    free(body);
    c->resp_off = 0;
}

void stats_on_conn(struct server *s, struct ev *e, uint32_t events)
{
    struct stats_conn *c = (struct stats_conn *)e;
    if (c->fd < 0)
        return;
    if (!c->resp) { /* reading the request */
        ssize_t n = recv(c->fd, c->req + c->rlen, sizeof c->req - 1 - c->rlen, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0 || (events & EPOLLERR)) {
            conn_end(s, c);
            return;
        }
        c->rlen += (size_t)n;
        c->req[c->rlen] = '\0';
        if (!strstr(c->req, "\r\n\r\n") && !strstr(c->req, "\n\n")) {
            if (c->rlen == sizeof c->req - 1)
                conn_end(s, c); /* a request head longer than any scraper's */
            return;
        }
        respond(s, c);
        struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = &c->ev};
        if (!c->resp || epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
            conn_end(s, c);
            return;
        }
    }
    while (c->resp_off < c->resp_len) {
        ssize_t n = send(c->fd, c->resp + c->resp_off, c->resp_len - c->resp_off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0)
            break;
        c->resp_off += (size_t)n;
    }
    conn_end(s, c);
}

void stats_sweep(struct server *s)
{
    struct stats_server *st = s->stats;
    for (unsigned i = 0; st && i < STATS_CONNS; i++)
        if (st->conns[i].fd >= 0 && s->now >= st->conns[i].deadline)
            conn_end(s, &st->conns[i]);
}
