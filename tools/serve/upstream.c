/*
 * Forwarding to the upstream resolver. Queries go out over a few connected UDP sockets
 * with a fresh random ID each (the client's ID is put back on the answer); an answer is
 * accepted only from the upstream's address (connected socket), with a mapped ID and
 * with the query's question (dnsfw_inspect_answer()). A truncated answer is asked again
 * over TCP. A query with no usable answer within --timeout gets SERVFAIL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "clients.h"
#include "server.h"
#include "upstream.h"

/* Upper bounds of the latency buckets (µs): 1 ms to 5 s. */
const uint64_t serve_latency_bounds_us[LATENCY_BUCKETS] = {
    1000, 2000, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
};

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* --- the timeout list: every query gets the same timeout, so appending keeps it sorted */

static void timer_remove(struct server *s, struct pending *p)
{
    if (p->tprev)
        p->tprev->tnext = p->tnext;
    else if (s->timer_head == p)
        s->timer_head = p->tnext;
    if (p->tnext)
        p->tnext->tprev = p->tprev;
    else if (s->timer_tail == p)
        s->timer_tail = p->tprev;
    p->tprev = p->tnext = NULL;
}

static void timer_append(struct server *s, struct pending *p)
{
    p->deadline = s->now + s->cfg->timeout_ms;
    p->tprev = s->timer_tail;
    p->tnext = NULL;
    if (s->timer_tail)
        s->timer_tail->tnext = p;
    else
        s->timer_head = p;
    s->timer_tail = p;
}

/* --- setup ------------------------------------------------------------------------ */

int upstream_init(struct server *s)
{
    const struct serve_config *cfg = s->cfg;
    s->pend = calloc(cfg->max_inflight, sizeof *s->pend);
    s->ups = calloc(cfg->upstream_sockets, sizeof *s->ups);
    s->up_rx = malloc(UPSTREAM_RX * sizeof *s->up_rx);
    if (!s->pend || !s->ups || !s->up_rx) {
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    for (uint32_t i = 0; i < cfg->max_inflight; i++) {
        s->pend[i].index = i;
        s->pend[i].next_free = i + 1 < cfg->max_inflight ? i + 1 : UINT32_MAX;
        s->pend[i].tfd = -1;
        s->pend[i].usock = -1;
    }
    s->pend_free = 0;
    for (unsigned i = 0; i < cfg->upstream_sockets; i++) {
        struct upsock *u = &s->ups[i];
        u->ev.kind = EV_UPSTREAM;
        u->fd = socket(cfg->upstream.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        u->ids = calloc(65536, sizeof *u->ids);
        if (u->fd < 0 || !u->ids ||
            connect(u->fd, (const struct sockaddr *)&cfg->upstream.ss, cfg->upstream.len) != 0) {
            tool_warn("cannot open a socket to the upstream: %s", strerror(errno));
            s->n_ups = i + 1;
            return EXIT_SYSTEM;
        }
        int big = 1 << 21; /* room for bursts of answers */
        setsockopt(u->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = &u->ev};
        if (epoll_ctl(s->ep, EPOLL_CTL_ADD, u->fd, &e) != 0) {
            tool_warn("epoll: %s", strerror(errno));
            s->n_ups = i + 1;
            return EXIT_SYSTEM;
        }
    }
    s->n_ups = cfg->upstream_sockets;
    return EXIT_CLEAN;
}

static void complete(struct server *s, struct pending *p);

void upstream_free(struct server *s)
{
    if (s->pend)
        for (unsigned i = 0; i < s->cfg->max_inflight; i++)
            if (s->pend[i].used)
                complete(s, &s->pend[i]);
    for (unsigned i = 0; s->ups && i < s->n_ups; i++) {
        if (s->ups[i].fd >= 0)
            close(s->ups[i].fd);
        free(s->ups[i].ids);
    }
    free(s->ups);
    free(s->pend);
    free(s->up_rx);
}

/* --- a query's life ------------------------------------------------------------------ */

static void unmap_id(struct server *s, struct pending *p)
{
    if (p->usock >= 0) {
        s->ups[p->usock].ids[p->uid] = 0;
        p->usock = -1;
    }
}

static void close_tcp(struct server *s, struct pending *p)
{
    if (p->tfd >= 0) {
        epoll_ctl(s->ep, EPOLL_CTL_DEL, p->tfd, NULL);
        close(p->tfd);
        p->tfd = -1;
    }
    free(p->tbuf);
    p->tbuf = NULL;
}

/* The query has been answered (or given up): release everything it holds. */
static void complete(struct server *s, struct pending *p)
{
    timer_remove(s, p);
    unmap_id(s, p);
    close_tcp(s, p);
    free(p->query);
    free(p->tc);
    p->query = p->tc = NULL;
    if (p->client.tcp)
        client_done(s, &p->client);
    climits_release(s->climits, p->climit, CLIMITS_INFLIGHT);
    p->climit = CLIMITS_NONE;
    policy_gen_unref(p->gen);
    p->gen = NULL;
    p->used = false;
    p->next_free = s->pend_free;
    s->pend_free = p->index;
    s->n_pending--;
}

/*
 * Send the response, log it and finish. A block caused by the chain of the upstream's
 * answer logs that answer's records (chain), so that a replay sees the chain too.
 */
static void finish_chain(struct server *s, struct pending *p, const uint8_t *resp, size_t len,
                         const dnsfw_verdict *v, const uint8_t *chain, size_t chain_len)
{
    client_send(s, &p->client, resp, len);
    client_log(s, &p->client, &p->info, v, p->gen, p->scope, resp, len, chain, chain_len);
    complete(s, p);
}

static void finish(struct server *s, struct pending *p, const uint8_t *resp, size_t len,
                   const dnsfw_verdict *v)
{
    finish_chain(s, p, resp, len, v, NULL, 0);
}

static void fail(struct server *s, struct pending *p);

/*
 * Relay the upstream's answer. Over UDP, one larger than the client takes (at most our
 * --edns-size) goes out truncated, so that the client asks again over TCP: the server
 * never sends more than it advertises, whatever the client claims (no amplification).
 */
static void relay(struct server *s, struct pending *p, const uint8_t *answer, size_t len,
                  const dnsfw_verdict *v)
{
    if (!p->client.tcp && len > p->info.udp_size) {
        size_t outlen;
        if (dnsfw_respond_truncated(p->query, p->qlen, answer, len, &s->opts, s->out, sizeof s->out,
                                    &outlen) != DNSFW_OK) {
            fail(s, p);
            return;
        }
        s->st.truncated++;
        answer = s->out;
        len = outlen;
    }
    finish(s, p, answer, len, v);
}

static void fail(struct server *s, struct pending *p)
{
    s->st.servfail++;
    client_servfail(s, &p->client, &p->info, p->query, p->qlen, &p->info.verdict, p->gen, p->scope);
    complete(s, p);
}

/* A random ID that is free on some socket. */
static bool map_id(struct server *s, struct pending *p)
{
    for (unsigned tries = 0; tries < 4 * s->n_ups; tries++) {
        unsigned k = s->next_up;
        s->next_up = (s->next_up + 1) % s->n_ups;
        uint16_t id = (uint16_t)arc4random_uniform(65536);
        if (!s->ups[k].ids[id]) {
            s->ups[k].ids[id] = p->index + 1;
            p->usock = (int)k;
            p->uid = id;
            return true;
        }
    }
    return false;
}

void upstream_forward(struct server *s, const struct client *c, struct policy_gen *g,
                      uint32_t scope, bool inspect, const uint8_t *query, size_t len,
                      const dnsfw_query_info *info)
{
    /*
     * Overload, of the server or of the client's share: a UDP client will ask again; a
     * TCP client is told. A client may go beyond its share while more than a quarter of
     * the slots are free: one client alone (a host's own resolver) can use most of them,
     * and the last quarter stays for the clients within their shares.
     */
    uint32_t climit = CLIMITS_NONE;
    bool spare = s->cfg->max_inflight - s->n_pending > s->cfg->max_inflight / 4;
    if (s->pend_free == UINT32_MAX)
        s->st.overload++;
    else if ((climit = climits_acquire(s->climits, (const struct sockaddr *)&c->addr,
                                       CLIMITS_INFLIGHT, spare)) == CLIMITS_NONE)
        s->st.client_share++;
    if (climit == CLIMITS_NONE) {
        if (c->tcp)
            client_servfail(s, c, info, query, len, &info->verdict, g, scope);
        return;
    }
    struct pending *p = &s->pend[s->pend_free];
    uint8_t *copy = malloc(len);
    if (!copy) {
        climits_release(s->climits, climit, CLIMITS_INFLIGHT);
        s->st.overload++;
        client_servfail(s, c, info, query, len, &info->verdict, g, scope);
        return;
    }
    memcpy(copy, query, len);
    s->pend_free = p->next_free;
    s->n_pending++;
    p->used = true;
    p->inspect = inspect;
    p->client = *c;
    p->gen = g;
    g->refs++;
    p->scope = scope;
    p->info = *info;
    p->query = copy;
    p->qlen = len;
    p->state = UP_UDP;
    p->usock = -1;
    p->tfd = -1;
    p->tc = NULL;
    p->tc_len = 0;
    p->climit = climit;
    p->sent_us = now_us();
    if (c->tcp)
        s->conns[c->conn].pending++;
    timer_append(s, p);
    s->st.forwarded++;
    if (!map_id(s, p)) {
        fail(s, p);
        return;
    }
    /* Queued and sent with the others of this round (upstream_flush()). */
    struct upsock *u = &s->ups[p->usock];
    if (u->txn == UPSTREAM_BATCH)
        upstream_flush(s);
    p->uid_wire[0] = (uint8_t)(p->uid >> 8);
    p->uid_wire[1] = (uint8_t)p->uid;
    struct iovec *iov = u->txiov[u->txn];
    iov[0] = (struct iovec){p->uid_wire, 2};
    iov[1] = (struct iovec){copy + 2, len - 2};
    u->tx[u->txn++] = (struct mmsghdr){.msg_hdr = {.msg_iov = iov, .msg_iovlen = 2}};
}

void upstream_flush(struct server *s)
{
    for (unsigned i = 0; i < s->n_ups; i++) {
        struct upsock *u = &s->ups[i];
        unsigned done = 0, errors = 0;
        while (done < u->txn) {
            int k = sendmmsg(u->fd, u->tx + done, u->txn - done, MSG_DONTWAIT);
            if (k < 0 && errno == ECONNREFUSED)
                s->st.upstream_refused++;
            if (k < 0 && (errno == EINTR || (errno == ECONNREFUSED && ++errors < 2)))
                continue; /* an earlier ICMP error is reported (and cleared) first */
            if (k <= 0)
                break; /* what cannot be sent now is lost like a packet: its timeout answers */
            done += (unsigned)k;
        }
        u->txn = 0;
    }
}

/* --- answers ------------------------------------------------------------------------- */

static void start_tcp(struct server *s, struct pending *p);

/*
 * An answer from the upstream (ID already put back). Over UDP, a malformed answer or one
 * that does not match the query is ignored: the real one may still come.
 */
static void on_answer(struct server *s, struct pending *p, uint8_t *buf, size_t len, bool tcp)
{
    dnsfw_respond_options o = s->opts;
    o.scope = p->scope;
    o.flags |= p->client.tcp ? DNSFW_RESPOND_TCP : 0;
    dnsfw_query_info ai;
    size_t outlen = 0;
    int rc = dnsfw_inspect_answer(p->gen->matcher, p->query, p->qlen, buf, len, &o, s->out,
                                  sizeof s->out, &outlen, &ai);
    if (rc == DNSFW_EBADPACKET) {
        s->st.stray++;
        if (tcp) {
            close_tcp(s, p);
            if (p->tc)
                relay(s, p, p->tc, p->tc_len, &p->info.verdict);
            else
                fail(s, p);
        }
        return;
    }
    unmap_id(s, p);
    if (!tcp || !p->tc) { /* the first answer: the upstream's latency */
        uint64_t us = now_us() - p->sent_us;
        unsigned b = 0;
        while (b < LATENCY_BUCKETS && us > serve_latency_bounds_us[b])
            b++;
        s->st.latency[b]++;
        s->st.latency_sum_us += us;
        s->st.latency_count++;
    }
    if (rc != DNSFW_OK) {
        /* The chain could not be inspected: fail open relays, fail closed refuses. */
        s->st.no_policy++;
        if (p->gen->fail_open)
            relay(s, p, buf, len, &p->info.verdict);
        else
            fail(s, p);
        return;
    }
    if (!p->inspect) {
        ai.verdict = p->info.verdict;
        ai.disposition = DNSFW_PASS;
    }
    if (ai.disposition == DNSFW_REPLY) {
        s->st.blocked++;
        s->st.chain_blocked++;
        finish_chain(s, p, s->out, outlen, &ai.verdict, buf, len);
        return;
    }
    if (!tcp && (buf[2] & 0x02)) { /* TC: ask again over TCP */
        free(p->tc);
        p->tc = malloc(len);
        if (p->tc) {
            memcpy(p->tc, buf, len);
            p->tc_len = len;
            p->info.verdict = ai.verdict;
            start_tcp(s, p);
            return;
        }
    }
    s->st.answered++;
    relay(s, p, buf, len, &ai.verdict);
}

void upstream_on_udp(struct server *s, struct upsock *u)
{
    uint8_t(*bufs)[65536] = s->up_rx;
    struct mmsghdr msgs[UPSTREAM_RX];
    struct iovec iov[UPSTREAM_RX];
    for (int round = 0; round < 8; round++) {
        for (int i = 0; i < UPSTREAM_RX; i++) {
            iov[i] = (struct iovec){bufs[i], sizeof bufs[i]};
            msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
        }
        int n = recvmmsg(u->fd, msgs, UPSTREAM_RX, MSG_DONTWAIT, NULL);
        if (n < 0 && errno == ECONNREFUSED) {
            s->st.upstream_refused++; /* nothing listens there: the timeouts answer */
            continue;
        }
        if (n <= 0)
            return;
        for (int i = 0; i < n; i++) {
            size_t len = msgs[i].msg_len;
            uint8_t *b = bufs[i];
            uint32_t idx = len >= 12 ? u->ids[b[0] << 8 | b[1]] : 0;
            if (!idx) {
                s->st.stray++;
                continue;
            }
            struct pending *p = &s->pend[idx - 1];
            b[0] = (uint8_t)(p->info.id >> 8);
            b[1] = (uint8_t)p->info.id;
            on_answer(s, p, b, len, false);
        }
        if (n < UPSTREAM_RX)
            return;
    }
}

/* --- TCP retries ----------------------------------------------------------------------- */

static void tcp_failed(struct server *s, struct pending *p)
{
    close_tcp(s, p);
    if (p->tc) /* the truncated answer is still an answer; the client may retry over TCP */
        relay(s, p, p->tc, p->tc_len, &p->info.verdict);
    else
        fail(s, p);
}

static void start_tcp(struct server *s, struct pending *p)
{
    const struct serve_config *cfg = s->cfg;
    s->st.tcp_retries++;
    timer_remove(s, p);
    timer_append(s, p); /* a fresh timeout for the retry */
    p->tbuf = malloc(p->qlen + 2);
    p->tfd = socket(cfg->upstream.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (!p->tbuf || p->tfd < 0) {
        tcp_failed(s, p);
        return;
    }
    p->tbuf[0] = (uint8_t)(p->qlen >> 8);
    p->tbuf[1] = (uint8_t)p->qlen;
    memcpy(p->tbuf + 2, p->query, p->qlen);
    p->tlen = p->qlen + 2;
    p->toff = 0;
    p->state = UP_TCP_WRITE;
    p->ev.kind = EV_UPSTREAM_TCP;
    struct epoll_event e = {.events = EPOLLOUT, .data.ptr = &p->ev};
    if ((connect(p->tfd, (const struct sockaddr *)&cfg->upstream.ss, cfg->upstream.len) != 0 &&
         errno != EINPROGRESS) ||
        epoll_ctl(s->ep, EPOLL_CTL_ADD, p->tfd, &e) != 0)
        tcp_failed(s, p);
}

void upstream_on_tcp(struct server *s, struct pending *p, uint32_t events)
{
    if (p->state == UP_TCP_WRITE) {
        if (events & (EPOLLERR | EPOLLHUP)) {
            tcp_failed(s, p);
            return;
        }
        ssize_t n = send(p->tfd, p->tbuf + p->toff, p->tlen - p->toff, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            tcp_failed(s, p);
            return;
        }
        p->toff += (size_t)n;
        if (p->toff < p->tlen)
            return;
        free(p->tbuf);
        p->tbuf = NULL;
        p->tlen = p->toff = 0;
        p->state = UP_TCP_READ;
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = &p->ev};
        if (epoll_ctl(s->ep, EPOLL_CTL_MOD, p->tfd, &e) != 0)
            tcp_failed(s, p);
        return;
    }
    /* reading: two length octets, then the message */
    for (;;) {
        uint8_t *dst;
        size_t want;
        if (p->toff < 2) {
            dst = p->tlen_buf + p->toff;
            want = 2 - p->toff;
        } else {
            dst = p->tbuf + (p->toff - 2);
            want = p->tlen - (p->toff - 2);
        }
        ssize_t n = recv(p->tfd, dst, want, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            tcp_failed(s, p);
            return;
        }
        p->toff += (size_t)n;
        if (p->toff == 2) {
            p->tlen = (size_t)p->tlen_buf[0] << 8 | p->tlen_buf[1];
            if (p->tlen < 12 || !(p->tbuf = malloc(p->tlen))) {
                tcp_failed(s, p);
                return;
            }
        }
        if (p->toff >= 2 && p->toff - 2 == p->tlen) {
            uint8_t *answer = p->tbuf;
            size_t len = p->tlen;
            p->tbuf = NULL;
            close_tcp(s, p);
            answer[0] = (uint8_t)(p->info.id >> 8);
            answer[1] = (uint8_t)p->info.id;
            on_answer(s, p, answer, len, true);
            free(answer);
            return;
        }
    }
}

void upstream_expire(struct server *s)
{
    while (s->timer_head && s->timer_head->deadline <= s->now) {
        struct pending *p = s->timer_head;
        s->st.timeouts++;
        if (p->state != UP_UDP)
            tcp_failed(s, p);
        else
            fail(s, p);
    }
}
