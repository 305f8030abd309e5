/*
 * The event loop: UDP and TCP listeners, TCP client connections, signals, reloads and
 * timeouts, all in one thread with epoll. A UDP query first passes the rate limit and
 * the allow-list (admit_udp()), a TCP connection the allow-list and its client's share
 * of connections (on_accept()); then every query goes through serve_query():
 * dnsfw_respond() decides it; a local answer goes out through clients.c at once, a query
 * to forward goes to upstream.c.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "common.h"
#include "clients.h"
#include "privs.h"
#include "server.h"
#include "stats.h"
#include "upstream.h"

#define SWEEP_MS 1000 /* at most; shorter with short TCP deadlines */

uint64_t serve_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void serve_addr_format(const struct sockaddr *sa, char *out, size_t size)
{
    char host[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
        snprintf(out, size, "[%s]:%u", host, ntohs(s6->sin6_port));
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
        snprintf(out, size, "%s:%u", host, ntohs(s4->sin_port));
    }
}

/* --- queries ------------------------------------------------------------------------------ */

/* No policy can be applied to this query: fail open forwards it, fail closed refuses. */
static void no_policy(struct server *s, const struct client *c, struct policy_gen *g,
                      const uint8_t *msg, size_t len, dnsfw_query_info *info)
{
    s->st.no_policy++;
    info->verdict = (dnsfw_verdict){.action = DNSFW_ACTION_NONE,
                                    .rule = DNSFW_NONE,
                                    .domain_list = DNSFW_NONE,
                                    .entry_node = DNSFW_NONE};
    if (g->fail_open) {
        upstream_forward(s, c, g, DNSFW_SCOPE_ALL, false, msg, len, info);
    } else {
        s->st.servfail++;
        client_servfail(s, c, info, msg, len, NULL, g, DNSFW_SCOPE_ALL);
    }
}

static void serve_query(struct server *s, const struct client *c, const uint8_t *msg, size_t len)
{
    struct policy_gen *g = s->gen;
    s->st.queries++;
    dnsfw_respond_options o = s->opts;
    o.flags |= c->tcp ? DNSFW_RESPOND_TCP : 0;
    bool applicable = policy_gen_scope(g, (const struct sockaddr *)&c->addr, &o.scope);
    dnsfw_query_info info;
    size_t outlen = 0;
    int rc = dnsfw_respond(g->matcher, msg, len, &o, s->out, sizeof s->out, &outlen, &info);
    if (rc != DNSFW_OK) {
        no_policy(s, c, g, msg, len, &info);
        return;
    }
    switch (info.disposition) {
    case DNSFW_DROP:
        s->st.dropped++;
        return;
    case DNSFW_REPLY:
        if (info.problem) {
            if (info.problem == DNSFW_ENOTIMPL)
                s->st.notimp++;
            else
                s->st.formerr++;
            client_send(s, c, s->out, outlen);
            return;
        }
        if (!applicable) {
            no_policy(s, c, g, msg, len, &info);
            return;
        }
        s->st.blocked++;
        client_send(s, c, s->out, outlen);
        client_log(s, c, &info, &info.verdict, g, o.scope, s->out, outlen, NULL, 0);
        return;
    case DNSFW_PASS:
        if (!applicable)
            no_policy(s, c, g, msg, len, &info);
        else
            upstream_forward(s, c, g, o.scope, true, msg, len, &info);
        return;
    }
}

/* --- UDP ------------------------------------------------------------------------------------- */

/*
 * Rate limiting, then the allow-list: false when the query has been dealt with (dropped,
 * sent a TC response, refused). The limit comes first so that REFUSED cannot be used
 * to reflect a flood at a forged address either.
 */
static bool admit_udp(struct server *s, const struct client *c, const uint8_t *msg, size_t len)
{
    const struct sockaddr *sa = (const struct sockaddr *)&c->addr;
    enum climits_rate r = climits_rate(s->climits, sa, s->now);
    if (r != CLIMITS_PASS) {
        s->st.queries++;
        if (r == CLIMITS_SLIP) {
            s->st.slipped++;
            client_truncated(s, c, msg, len);
        } else {
            s->st.rate_limited++;
        }
        return false;
    }
    if (acl_allows(&s->acl, sa))
        return true;
    s->st.queries++;
    s->st.refused++;
    serve_addr_format(sa, s->refused_last, sizeof s->refused_last);
    client_refused(s, c, msg, len);
    return false;
}

static void read_pktinfo(struct msghdr *m, struct pktinfo *pi)
{
    pi->family = 0;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(m); cm; cm = CMSG_NXTHDR(m, cm)) {
        if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
            memcpy(&pi->u.v4, CMSG_DATA(cm), sizeof pi->u.v4);
            pi->family = AF_INET;
        } else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
            memcpy(&pi->u.v6, CMSG_DATA(cm), sizeof pi->u.v6);
            pi->family = AF_INET6;
        }
    }
}

static void on_udp(struct server *s, struct listener *l)
{
    uint8_t(*bufs)[UDP_BUF] = s->rx.bufs;
    struct sockaddr_storage *addrs = s->rx.addrs;
    struct mmsghdr msgs[UDP_BATCH];
    struct iovec iov[UDP_BATCH];
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < UDP_BATCH; i++) {
            iov[i] = (struct iovec){bufs[i], UDP_BUF};
            msgs[i] = (struct mmsghdr){
                .msg_hdr = {.msg_name = &addrs[i],
                            .msg_namelen = sizeof addrs[i],
                            .msg_iov = &iov[i],
                            .msg_iovlen = 1,
                            .msg_control = l->pktinfo ? s->rx.ctls[i].buf : NULL,
                            .msg_controllen = l->pktinfo ? sizeof s->rx.ctls[i].buf : 0}};
        }
        int n = recvmmsg(l->fd, msgs, UDP_BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0)
            return;
        struct client c = {.udp = l};
        clock_gettime(CLOCK_REALTIME, &c.when);
        for (int i = 0; i < n; i++) {
            if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
                s->st.queries++;
                s->st.dropped++;
                continue;
            }
            memcpy(&c.addr, &addrs[i], sizeof c.addr);
            c.addr_len = msgs[i].msg_hdr.msg_namelen;
            if (l->pktinfo)
                read_pktinfo(&msgs[i].msg_hdr, &c.pi);
            if (admit_udp(s, &c, bufs[i], msgs[i].msg_len))
                serve_query(s, &c, bufs[i], msgs[i].msg_len);
        }
        if (n < UDP_BATCH)
            return;
    }
}

/* --- TCP ------------------------------------------------------------------------------------- */

static void on_accept(struct server *s, struct listener *l)
{
    for (;;) {
        struct sockaddr_storage addr;
        socklen_t alen = sizeof addr;
        int fd = accept4(l->fd, (struct sockaddr *)&addr, &alen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        const struct sockaddr *sa = (const struct sockaddr *)&addr;
        uint32_t climit = CLIMITS_NONE;
        if (s->conn_free == UINT32_MAX || s->stopping) {
            s->st.tcp_refused++;
        } else if (!acl_allows(&s->acl, sa)) { /* closed: no REFUSED over TCP */
            s->st.refused++;
            serve_addr_format(sa, s->refused_last, sizeof s->refused_last);
        } else if ((climit = climits_acquire(s->climits, sa, CLIMITS_CONN, false)) ==
                   CLIMITS_NONE) {
            s->st.tcp_client_refused++;
        }
        if (climit == CLIMITS_NONE) {
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        uint32_t index = s->conn_free;
        struct conn *k = &s->conns[index];
        s->conn_free = k->next_free;
        *k = (struct conn){.ev.kind = EV_CONN,
                           .fd = fd,
                           .used = true,
                           .serial = ++s->conn_serial,
                           .addr_len = alen,
                           .last_active = s->now,
                           .climit = climit,
                           .events = EPOLLIN};
        memcpy(&k->addr, &addr, sizeof addr);
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = &k->ev};
        s->n_conns++;
        s->st.tcp_accepted++;
        if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &e) != 0)
            conn_close(s, k);
    }
}

/* Serve the complete messages in the buffer, as long as the pipeline has room. */
static void conn_drain(struct server *s, struct conn *k)
{
    struct client c = {.tcp = true,
                       .conn = (uint32_t)(k - s->conns),
                       .conn_serial = k->serial,
                       .addr_len = k->addr_len};
    memcpy(&c.addr, &k->addr, sizeof c.addr);
    clock_gettime(CLOCK_REALTIME, &c.when);
    size_t off = 0;
    k->busy = true;
    while (k->rlen - off >= 2 && !k->dead && k->pending < s->cfg->max_tcp_pipeline &&
           !s->stopping) {
        size_t mlen = (size_t)k->rbuf[off] << 8 | k->rbuf[off + 1];
        if (k->rlen - off - 2 < mlen)
            break;
        serve_query(s, &c, k->rbuf + off + 2, mlen);
        off += 2 + mlen;
    }
    k->busy = false;
    memmove(k->rbuf, k->rbuf + off, k->rlen - off);
    k->rlen -= off;
    if (off) { /* whole queries: the connection is active; what is left starts now */
        k->last_active = s->now;
        k->msg_start = s->now;
    }
}

/* The buffer holds a whole query (waiting for pipeline room), not only part of one. */
static bool conn_has_query(const struct conn *k)
{
    return k->rlen >= 2 && k->rlen - 2 >= ((size_t)k->rbuf[0] << 8 | k->rbuf[1]);
}

/* Read what is there and serve every complete message. */
static void conn_read(struct server *s, struct conn *k)
{
    while (!k->dead && !k->eof && k->pending < s->cfg->max_tcp_pipeline) {
        size_t need = k->rlen < 2 ? 2 : 2 + ((size_t)k->rbuf[0] << 8 | k->rbuf[1]);
        if (k->rcap < need || k->rcap - k->rlen < 512) {
            size_t cap = k->rcap ? k->rcap : 1024;
            while (cap < need || cap - k->rlen < 512)
                cap *= 2;
            uint8_t *nb = realloc(k->rbuf, cap);
            if (!nb) {
                k->dead = true;
                return;
            }
            k->rbuf = nb;
            k->rcap = cap;
        }
        ssize_t n = recv(k->fd, k->rbuf + k->rlen, k->rcap - k->rlen, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            if (n < 0)
                k->dead = true;
            k->eof = true;
            return;
        }
        if (k->rlen == 0)
            k->msg_start = s->now; /* a query begins: it has --tcp-query-timeout to arrive */
        k->rlen += (size_t)n;      /* octets alone do not make the connection active */
        conn_drain(s, k);
    }
}

static void on_conn(struct server *s, struct conn *k, uint32_t events)
{
    if (!k->used)
        return; /* closed by an earlier event of the batch */
    if (events & EPOLLIN)
        conn_read(s, k);
    if (events & EPOLLOUT)
        conn_flush(s, k);
    if ((events & (EPOLLERR | EPOLLHUP)) && !(events & EPOLLIN))
        k->dead = true;
    conn_check(s, k);
}

/*
 * Close the connections whose time is up. Deadlines that trickled octets do not reset:
 * a query must arrive whole within --tcp-query-timeout of its first octet, answers must
 * be read whole within --tcp-idle, and a connection with nothing in flight is idle
 * --tcp-idle after its last whole query or answer.
 */
static void sweep(struct server *s)
{
    const struct serve_config *cfg = s->cfg;
    for (unsigned i = 0; i < cfg->max_tcp; i++) {
        struct conn *k = &s->conns[i];
        if (!k->used || k->busy)
            continue;
        bool slow_query =
            k->rlen && !conn_has_query(k) && s->now - k->msg_start >= cfg->tcp_query_ms;
        bool slow_reader = k->wlen > k->woff && s->now - k->write_since >= cfg->tcp_idle_ms;
        bool idle = k->pending == 0 && k->wlen == k->woff && k->rlen == 0 &&
                    s->now - k->last_active >= cfg->tcp_idle_ms;
        if (slow_query || slow_reader)
            s->st.tcp_timeouts++;
        if (slow_query || slow_reader || idle)
            conn_close(s, k);
    }
}

/* Serve the queries that waited in connection buffers for pipeline room. */
static void serve_backlog(struct server *s)
{
    s->backlog = false;
    for (unsigned i = 0; i < s->cfg->max_tcp; i++) {
        struct conn *k = &s->conns[i];
        if (k->used && k->rlen >= 2 && k->pending < s->cfg->max_tcp_pipeline) {
            conn_drain(s, k);
            conn_check(s, k);
        }
    }
}

/* --- signals, reloads, the loop --------------------------------------------------------- */

static void swap_gen(struct server *s, struct policy_gen *g)
{
    struct policy_gen *old = s->gen;
    s->gen = g;
    tool_warn("policy reloaded (generation %lu); %u queries in flight keep the previous one",
              g->serial, s->n_pending);
    policy_gen_unref(old);
}

static void on_signal(struct server *s)
{
    struct signalfd_siginfo si;
    while (read(s->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGHUP) {
            tool_warn("SIGHUP: reloading the policy%s",
                      s->log ? " and reopening the query log" : "");
            if (s->log)
                qlog_reopen(s->log);
            reloader_start(s->reloader, s->now);
        } else if (si.ssi_signo == SIGUSR1) {
            stats_log(s);
        } else if (!s->stopping) {
            tool_warn("%s: shutting down", si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
            s->stopping = true;
            s->stop_deadline = s->now + s->cfg->timeout_ms + 1000;
            for (size_t i = 0; i < s->n_listeners; i++) {
                epoll_ctl(s->ep, EPOLL_CTL_DEL, s->listeners[i].fd, NULL);
                close(s->listeners[i].fd);
                s->listeners[i].fd = -1;
            }
            for (unsigned i = 0; i < s->cfg->max_tcp; i++)
                conn_check(s, &s->conns[i]);
        }
    }
}

/* Whether a warning is due: the count grew, and the last one is WARN_EVERY_MS old. */
static bool warn_due(struct server *s, struct warn_gate *w, uint64_t count)
{
    if (count == w->count || s->now < w->next_ms)
        return false;
    w->next_ms = s->now + WARN_EVERY_MS;
    return true;
}

/*
 * What goes wrong is said on stderr at once, then at most every 10 s while it goes on:
 * an upstream that does not answer, refused clients, query-log records lost.
 */
static void report_trouble(struct server *s)
{
    const struct serve_stats *t = &s->st;
    if (warn_due(s, &s->warn_timeouts, t->timeouts)) {
        char up[80];
        serve_addr_format((const struct sockaddr *)&s->cfg->upstream.ss, up, sizeof up);
        tool_warn("upstream %s: %llu queries not answered within --timeout (%.3g s) and "
                  "given SERVFAIL%s (%llu in all)",
                  up, (unsigned long long)(t->timeouts - s->warn_timeouts.count),
                  s->cfg->timeout_ms / 1000.0,
                  t->upstream_refused ? "; it refuses them (ICMP: nothing listens there?)" : "",
                  (unsigned long long)t->timeouts);
        s->warn_timeouts.count = t->timeouts;
    }
    if (warn_due(s, &s->warn_refused, t->refused)) {
        tool_warn("refused %llu queries or connections of clients outside --allow (the last "
                  "from %s; %llu in all)",
                  (unsigned long long)(t->refused - s->warn_refused.count), s->refused_last,
                  (unsigned long long)t->refused);
        s->warn_refused.count = t->refused;
    }
    if (!s->log)
        return;
    struct qlog_counts n;
    qlog_get_counts(s->log, &n);
    if (warn_due(s, &s->warn_log_dropped, n.dropped)) {
        tool_warn("query log: %llu records dropped so far (the writer falls behind)",
                  (unsigned long long)n.dropped);
        s->warn_log_dropped.count = n.dropped;
    }
    if (warn_due(s, &s->warn_log_failed, n.failed)) {
        tool_warn("query log: %llu records lost to write errors so far (the last: %s)",
                  (unsigned long long)n.failed, strerror(n.last_errno));
        s->warn_log_failed.count = n.failed;
    }
}

static int wait_ms(const struct server *s, uint64_t next_sweep)
{
    uint64_t until = next_sweep;
    if (s->timer_head && s->timer_head->deadline < until)
        until = s->timer_head->deadline;
    if (s->stopping && s->stop_deadline < until)
        until = s->stop_deadline;
    return until <= s->now ? 0 : (int)(until - s->now);
}

/*
 * One socket of a listen address, bound to *ss (for UDP on port 0 *ss gets the port the
 * system chose) and watched. EXIT_CLEAN; EXIT_SYSTEM when it failed (said on stderr
 * unless quiet_inuse and the address was in use, with *inuse set).
 */
static int open_listener(struct server *s, struct sockaddr_storage *ss, socklen_t len, bool tcp,
                         bool wildcard, bool quiet_inuse, bool *inuse)
{
    int family = ss->ss_family;
    struct listener *l = &s->listeners[s->n_listeners];
    l->fd = socket(family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    l->family = family;
    l->ev.kind = tcp ? EV_TCP_LISTEN : EV_UDP;
    char text[80];
    serve_addr_format((struct sockaddr *)ss, text, sizeof text);
    if (l->fd < 0) {
        tool_warn("%s: socket: %s", text, strerror(errno));
        return EXIT_SYSTEM;
    }
    s->n_listeners++;
    int one = 1;
    if (family == AF_INET6)
        setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (tcp)
        setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (!tcp && wildcard) {
        l->pktinfo = true;
        if (family == AF_INET)
            setsockopt(l->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
        else
            setsockopt(l->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
    }
    if (!tcp) {
        int big = 1 << 21;
        setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    }
    if (bind(l->fd, (struct sockaddr *)ss, len) != 0 || (tcp && listen(l->fd, 256) != 0)) {
        *inuse = errno == EADDRINUSE;
        if (!(quiet_inuse && *inuse))
            tool_warn("cannot listen on %s (%s): %s", text, tcp ? "TCP" : "UDP", strerror(errno));
        return EXIT_SYSTEM;
    }
    if (!tcp) { /* port 0: TCP takes the port UDP was given */
        socklen_t sl = len;
        getsockname(l->fd, (struct sockaddr *)ss, &sl);
    }
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = &l->ev};
    if (epoll_ctl(s->ep, EPOLL_CTL_ADD, l->fd, &e) != 0) {
        tool_warn("epoll: %s", strerror(errno));
        return EXIT_SYSTEM;
    }
    if (tcp)
        tool_warn("listening on %s (UDP and TCP)", text);
    return EXIT_CLEAN;
}

/* Close the last listeners opened, down to n. */
static void close_listeners_from(struct server *s, size_t n)
{
    while (s->n_listeners > n) {
        struct listener *l = &s->listeners[--s->n_listeners];
        if (l->fd >= 0) {
            epoll_ctl(s->ep, EPOLL_CTL_DEL, l->fd, NULL);
            close(l->fd);
        }
        memset(l, 0, sizeof *l);
    }
}

static int open_listeners(struct server *s)
{
    const struct serve_config *cfg = s->cfg;
    s->listeners = calloc(2 * cfg->n_listen, sizeof *s->listeners);
    if (!s->listeners)
        return EXIT_SYSTEM;
    for (size_t i = 0; i < cfg->n_listen; i++) {
        const struct sockaddr_storage *want = &cfg->listen[i].ss;
        socklen_t len = cfg->listen[i].len;
        bool v4 = want->ss_family == AF_INET;
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)want;
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)want;
        bool wildcard = addr_is_wildcard((const struct sockaddr *)want);
        /* Port 0: UDP gets a free port and TCP takes the same one, which another program
         * may hold over TCP; then both try again with another port. */
        bool any_port = (v4 ? in4->sin_port : in6->sin6_port) == 0;
        for (int attempt = 1;; attempt++) {
            struct sockaddr_storage ss = *want;
            size_t first = s->n_listeners;
            bool inuse = false, retry = any_port && attempt < 20;
            if (open_listener(s, &ss, len, false, wildcard, false, &inuse) != EXIT_CLEAN)
                return EXIT_SYSTEM;
            if (open_listener(s, &ss, len, true, wildcard, retry, &inuse) == EXIT_CLEAN)
                break;
            if (!(retry && inuse))
                return EXIT_SYSTEM;
            close_listeners_from(s, first);
        }
    }
    return EXIT_CLEAN;
}

/* The allow-list, said at start; a warning when it opens a wildcard listener wide. */
static int setup_acl(struct server *s)
{
    const struct serve_config *cfg = s->cfg;
    struct sockaddr_storage *listen = calloc(cfg->n_listen, sizeof *listen);
    if (!listen) {
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    bool wildcard = false;
    for (size_t i = 0; i < cfg->n_listen; i++) {
        listen[i] = cfg->listen[i].ss;
        wildcard |= addr_is_wildcard((const struct sockaddr *)&listen[i]);
    }
    int rc = acl_build(cfg->allow, cfg->n_allow, listen, cfg->n_listen, &s->acl);
    free(listen);
    if (rc)
        return EXIT_SYSTEM;
    char text[1024] = "";
    size_t len = 0;
    for (size_t i = 0; i < s->acl.n && len + 64 < sizeof text; i++) {
        char one[64];
        cidr_format(&s->acl.v[i], one, sizeof one);
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", i ? " " : "", one);
    }
    tool_warn("answering clients in %s%s; others get REFUSED", text,
              cfg->n_allow ? ""
                           : " (the default: loopback and the listening interfaces' networks)");
    const struct cidr *wide;
    if (wildcard && acl_is_wide(&s->acl, &wide)) {
        char one[64];
        cidr_format(wide, one, sizeof one);
        tool_warn("warning: listening on a wildcard address and answering %s, beyond local "
                  "networks: an open resolver if the address is reachable; narrow --allow, "
                  "and consider --rate-limit",
                  one);
    }
    return EXIT_CLEAN;
}

static int setup(struct server *s)
{
    const struct serve_config *cfg = s->cfg;
    s->ep = epoll_create1(EPOLL_CLOEXEC);
    if (s->ep < 0) {
        tool_warn("epoll: %s", strerror(errno));
        return EXIT_SYSTEM;
    }
    s->conns = calloc(cfg->max_tcp, sizeof *s->conns);
    if (!s->conns)
        return EXIT_SYSTEM;
    for (uint32_t i = 0; i < cfg->max_tcp; i++) {
        s->conns[i].fd = -1;
        s->conns[i].next_free = i + 1 < cfg->max_tcp ? i + 1 : UINT32_MAX;
    }
    s->conn_free = cfg->max_tcp ? 0 : UINT32_MAX;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR1);
    s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    s->sig_ev.kind = EV_SIGNAL;
    s->reload_ev.kind = EV_RELOAD;
    struct epoll_event es = {.events = EPOLLIN, .data.ptr = &s->sig_ev};
    struct epoll_event er = {.events = EPOLLIN, .data.ptr = &s->reload_ev};
    if (s->sigfd < 0 || reloader_new(cfg, &s->reloader) != 0 ||
        epoll_ctl(s->ep, EPOLL_CTL_ADD, s->sigfd, &es) != 0 ||
        epoll_ctl(s->ep, EPOLL_CTL_ADD, reloader_fd(s->reloader), &er) != 0) {
        tool_warn("cannot set up signals: %s", strerror(errno));
        return EXIT_SYSTEM;
    }
    struct client_limits_config cl = {
        .rate = cfg->rate_limit,
        .slip = cfg->slip,
        .max_inflight = cfg->client_inflight,
        .max_conns = cfg->tcp_per_client,
        .prefix4 = cfg->prefix4,
        .prefix6 = cfg->prefix6,
        /* room for every client that holds a slot or a connection, and as many idle */
        .capacity = 2 * (cfg->max_inflight + cfg->max_tcp),
    };
    if (clients_init(s) != 0 || climits_new(&cl, &s->climits) != 0) {
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    int rc = upstream_init(s);
    if (!rc)
        rc = open_listeners(s);
    if (!rc)
        rc = setup_acl(s);
    if (!rc && cfg->stats.ss.ss_family)
        rc = stats_open(s);
    if (!rc && (cfg->user || cfg->group))
        rc = privs_drop(cfg->user, cfg->group);
    /* the sweep checks the TCP deadlines: often enough for the shortest */
    uint64_t shortest = cfg->tcp_query_ms < cfg->tcp_idle_ms ? cfg->tcp_query_ms : cfg->tcp_idle_ms;
    s->sweep_ms = shortest / 4 < 50 ? 50 : shortest / 4 > SWEEP_MS ? SWEEP_MS : shortest / 4;
    return rc;
}

static void teardown(struct server *s)
{
    for (unsigned i = 0; s->conns && i < s->cfg->max_tcp; i++)
        if (s->conns[i].used)
            conn_close(s, &s->conns[i]);
    upstream_free(s);
    clients_free(s);
    stats_close(s);
    climits_free(s->climits);
    acl_free(&s->acl);
    for (size_t i = 0; i < s->n_listeners; i++)
        if (s->listeners[i].fd >= 0)
            close(s->listeners[i].fd);
    free(s->listeners);
    free(s->conns);
    reloader_free(s->reloader);
    if (s->sigfd >= 0)
        close(s->sigfd);
    if (s->ep >= 0)
        close(s->ep);
}

int serve_run(const struct serve_config *cfg, struct policy_gen *gen, struct qlog *log)
{
    struct server *s = calloc(1, sizeof *s);
    if (!s) {
        tool_warn("out of memory");
        policy_gen_unref(gen);
        return EXIT_SYSTEM;
    }
    s->cfg = cfg;
    s->gen = gen;
    s->log = log;
    s->ep = s->sigfd = -1;
    s->opts.edns_size = cfg->edns_size;
    s->opts.flags = cfg->soa ? DNSFW_RESPOND_SOA : 0;
    s->opts.soa_ttl = cfg->soa_ttl;
    s->now = serve_now_ms();
    int rc = setup(s);
    uint64_t next_sweep = s->now + s->sweep_ms;
    struct epoll_event evs[64];
    while (rc == EXIT_CLEAN) {
        if (s->stopping && ((s->n_pending == 0 && s->n_conns == 0) || s->now >= s->stop_deadline))
            break;
        int n = epoll_wait(s->ep, evs, 64, wait_ms(s, next_sweep));
        s->now = serve_now_ms();
        if (n < 0 && errno != EINTR) {
            tool_warn("epoll_wait: %s", strerror(errno));
            rc = EXIT_SYSTEM;
            break;
        }
        for (int i = 0; i < n; i++) {
            struct ev *e = evs[i].data.ptr;
            switch (e->kind) {
            case EV_UDP:
                on_udp(s, (struct listener *)e);
                break;
            case EV_TCP_LISTEN:
                on_accept(s, (struct listener *)e);
                break;
            case EV_CONN:
                on_conn(s, (struct conn *)e, evs[i].events);
                break;
            case EV_UPSTREAM:
                upstream_on_udp(s, (struct upsock *)e);
                break;
            case EV_UPSTREAM_TCP: {
                /* the retry may have ended in an earlier event of this batch */
                struct pending *p = (struct pending *)e;
                if (p->used && p->tfd >= 0)
                    upstream_on_tcp(s, p, evs[i].events);
                break;
            }
            case EV_SIGNAL:
                on_signal(s);
                break;
            case EV_RELOAD: {
                bool failed;
                struct policy_gen *g = reloader_collect(s->reloader, &failed);
                if (g) {
                    s->st.reloads++;
                    swap_gen(s, g);
                } else if (failed) {
                    s->st.reload_failures++;
                    tool_warn("reload failed: the previous policy (generation %lu) stays in "
                              "force",
                              s->gen->serial);
                }
                break;
            }
            case EV_STATS_LISTEN:
                stats_on_accept(s);
                break;
            case EV_STATS_CONN:
                stats_on_conn(s, e, evs[i].events);
                break;
            }
        }
        upstream_expire(s);
        if (s->backlog)
            serve_backlog(s);
        upstream_flush(s);
        client_flush(s);
        if (s->now >= next_sweep) {
            next_sweep = s->now + s->sweep_ms;
            sweep(s);
            stats_sweep(s);
            if (reloader_check_deadline(s->reloader, s->now)) {
                s->st.reload_failures++;
                tool_warn("reload failed: the previous policy (generation %lu) stays in force",
                          s->gen->serial);
            }
            report_trouble(s);
        }
    }
    if (rc == EXIT_CLEAN)
        stats_log(s);
    teardown(s);
    policy_gen_unref(s->gen);
    free(s);
    return rc;
}
