/*
 * The client side of dnsfw-serve: everything that goes back to a client. UDP answers
 * are batched (sendmmsg); TCP answers are framed into their connection's write buffer;
 * a connection whose queries are all answered is closed or watched for more. The loop
 * (loop.c) and the upstream (upstream.c) both answer through here, and this file calls
 * neither of them, so data flows one way: loop -> upstream -> clients.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clients.h"

#define CONN_WBUF_MAX (1u << 20) /* a client that reads nothing is dropped beyond this */

/* --- the query log -------------------------------------------------------------------- */

void client_log(struct server *s, const struct client *c, const dnsfw_query_info *info,
                const dnsfw_verdict *v, struct policy_gen *g, uint32_t scope, const uint8_t *resp,
                size_t len, const uint8_t *answers, size_t alen)
{
    if (!info->qname[0])
        return;
    s->st.actions[v->action & 3]++;
    if (!s->log)
        return;
    dnsfw_explanation ex = {0};
    if (v->action == DNSFW_ACTION_ALERT || v->action == DNSFW_ACTION_BLOCK)
        (void)dnsfw_explain(g->matcher, v, scope, &ex);
    struct qlog_query r = {
        .when = c->when,
        .client = (const struct sockaddr *)&c->addr,
        .tcp = c->tcp,
        .info = info,
        .response = resp,
        .response_len = len,
        .answers_from = answers,
        .answers_len = alen,
        .action = v->action,
        .rule_group = ex.rule_group,
        .domain_list = ex.domain_list,
    };
    qlog_submit(s->log, &r);
}

/* --- sending to clients
 * ----------------------------------------------------------------------------- */

/*
 * UDP answers are queued and sent in batches (sendmmsg), at the latest when the event
 * that produced them has been handled (client_flush()).
 */
struct udp_tx {
    int fd;
    unsigned n;
    struct mmsghdr msgs[UDP_BATCH];
    struct iovec iov[UDP_BATCH];
    struct sockaddr_storage addr[UDP_BATCH];
    struct {
        _Alignas(struct cmsghdr) char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
    } ctl[UDP_BATCH];
    uint8_t buf[UDP_BATCH][UDP_BUF];
};

void client_flush(struct server *s)
{
    struct udp_tx *tx = s->tx;
    unsigned done = 0;
    while (done < tx->n) {
        /* A full socket buffer loses answers as the network would; the client retries. */
        int k = sendmmsg(tx->fd, tx->msgs + done, tx->n - done, MSG_DONTWAIT);
        if (k <= 0)
            break;
        done += (unsigned)k;
    }
    tx->n = 0;
}

/* Fill m's control data: answer from the address the query was sent to (wildcards). */
static void set_pktinfo(struct msghdr *m, char *buf, const struct pktinfo *pi)
{
    m->msg_control = buf;
    struct cmsghdr *cm;
    if (pi->family == AF_INET) {
        m->msg_controllen = CMSG_SPACE(sizeof(struct in_pktinfo));
        memset(buf, 0, m->msg_controllen);
        cm = CMSG_FIRSTHDR(m);
        cm->cmsg_level = IPPROTO_IP;
        cm->cmsg_type = IP_PKTINFO;
        cm->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
        struct in_pktinfo v4 = {.ipi_spec_dst = pi->u.v4.ipi_addr};
        memcpy(CMSG_DATA(cm), &v4, sizeof v4);
    } else {
        m->msg_controllen = CMSG_SPACE(sizeof(struct in6_pktinfo));
        memset(buf, 0, m->msg_controllen);
        cm = CMSG_FIRSTHDR(m);
        cm->cmsg_level = IPPROTO_IPV6;
        cm->cmsg_type = IPV6_PKTINFO;
        cm->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
        memcpy(CMSG_DATA(cm), &pi->u.v6, sizeof pi->u.v6);
    }
}

static void udp_send(struct server *s, const struct client *c, const uint8_t *msg, size_t len)
{
    struct udp_tx *tx = s->tx;
    if (tx->n && (tx->fd != c->udp->fd || tx->n == UDP_BATCH))
        client_flush(s);
    if (len > UDP_BUF) { /* a big relayed answer: at once, from its own buffer */
        struct iovec iov = {(void *)msg, len};
        struct {
            _Alignas(struct cmsghdr) char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
        } ctl;
        struct msghdr m = {.msg_name = (void *)&c->addr,
                           .msg_namelen = c->addr_len,
                           .msg_iov = &iov,
                           .msg_iovlen = 1};
        if (c->pi.family)
            set_pktinfo(&m, ctl.buf, &c->pi);
        (void)sendmsg(c->udp->fd, &m, MSG_DONTWAIT);
        return;
    }
    unsigned i = tx->n++;
    tx->fd = c->udp->fd;
    memcpy(tx->buf[i], msg, len);
    memcpy(&tx->addr[i], &c->addr, c->addr_len);
    tx->iov[i] = (struct iovec){tx->buf[i], len};
    tx->msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &tx->addr[i],
                                               .msg_namelen = c->addr_len,
                                               .msg_iov = &tx->iov[i],
                                               .msg_iovlen = 1}};
    if (c->pi.family)
        set_pktinfo(&tx->msgs[i].msg_hdr, tx->ctl[i].buf, &c->pi);
}

void conn_flush(struct server *s, struct conn *k)
{
    while (k->woff < k->wlen) {
        ssize_t n = send(k->fd, k->wbuf + k->woff, k->wlen - k->woff, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n <= 0) {
            k->dead = true;
            return;
        }
        k->woff += (size_t)n; /* a trickle read does not make the connection active */
    }
    if (k->woff == k->wlen) {
        k->woff = k->wlen = 0;
        k->write_since = 0;
        k->last_active = s->now;
    }
}

/* Close a connection that is dead, or finished (EOF, stopping) with nothing in flight. */
void conn_check(struct server *s, struct conn *k)
{
    if (!k->used)
        return;
    bool idle = k->pending == 0 && k->wlen == k->woff;
    if (k->busy)
        return; /* the reader checks again when it is done */
    if (k->dead || (idle && (k->eof || s->stopping)))
        conn_close(s, k);
    else
        conn_update(s, k);
}

static void conn_send(struct server *s, struct conn *k, const uint8_t *msg, size_t len)
{
    if (k->dead)
        return;
    size_t need = k->wlen + 2 + len;
    if (need - k->woff > CONN_WBUF_MAX) {
        k->dead = true;
        return;
    }
    if (need > k->wcap) {
        if (k->woff) { /* make room at the front first */
            memmove(k->wbuf, k->wbuf + k->woff, k->wlen - k->woff);
            k->wlen -= k->woff;
            k->woff = 0;
            need = k->wlen + 2 + len;
        }
        size_t cap = k->wcap ? k->wcap : 4096;
        while (cap < need)
            cap *= 2;
        uint8_t *nb = cap > k->wcap ? realloc(k->wbuf, cap) : k->wbuf;
        if (!nb) {
            k->dead = true;
            return;
        }
        k->wbuf = nb;
        k->wcap = cap;
    }
    if (k->wlen == k->woff)
        k->write_since = s->now;
    k->wbuf[k->wlen] = (uint8_t)(len >> 8);
    k->wbuf[k->wlen + 1] = (uint8_t)len;
    memcpy(k->wbuf + k->wlen + 2, msg, len);
    k->wlen += 2 + len;
    conn_flush(s, k);
}

static struct conn *client_conn(struct server *s, const struct client *c)
{
    struct conn *k = &s->conns[c->conn];
    return k->used && k->serial == c->conn_serial ? k : NULL;
}

void client_send(struct server *s, const struct client *c, const uint8_t *msg, size_t len)
{
    if (len >= 4)
        s->st.rcodes[msg[3] & 0x0F]++;
    if (!c->tcp) {
        udp_send(s, c, msg, len);
        return;
    }
    struct conn *k = client_conn(s, c);
    if (k) /* the client may have gone meanwhile */
        conn_send(s, k, msg, len);
}

void client_done(struct server *s, const struct client *c)
{
    struct conn *k = client_conn(s, c);
    if (!k)
        return;
    k->pending--;
    if (k->rlen >= 2)
        s->backlog = true; /* queries that waited for pipeline room: served after the events */
    conn_check(s, k);
}

void client_servfail(struct server *s, const struct client *c, const dnsfw_query_info *info,
                     const uint8_t *query, size_t len, const dnsfw_verdict *v, struct policy_gen *g,
                     uint32_t scope)
{
    dnsfw_respond_options o = s->opts;
    o.flags |= c->tcp ? DNSFW_RESPOND_TCP : 0;
    size_t outlen;
    uint8_t buf[1024];
    /* The question is at most 259 octets: a SERVFAIL always fits. */
    if (dnsfw_respond_error(query, len, 2, &o, buf, sizeof buf, &outlen) != DNSFW_OK) {
        s->st.dropped++;
        return;
    }
    client_send(s, c, buf, outlen);
    dnsfw_verdict none = {.action = DNSFW_ACTION_NONE, .rule = DNSFW_NONE};
    client_log(s, c, info, v ? v : &none, g ? g : s->gen, scope, buf, outlen, NULL, 0);
}

void client_refused(struct server *s, const struct client *c, const uint8_t *query, size_t len)
{
    size_t outlen;
    uint8_t buf[1024]; /* a question and an OPT record fit */
    if (dnsfw_respond_error(query, len, 5, &s->opts, buf, sizeof buf, &outlen) == DNSFW_OK)
        client_send(s, c, buf, outlen);
}

void client_truncated(struct server *s, const struct client *c, const uint8_t *query, size_t len)
{
    size_t outlen;
    uint8_t buf[1024];
    if (dnsfw_respond_truncated(query, len, NULL, 0, &s->opts, buf, sizeof buf, &outlen) ==
        DNSFW_OK)
        client_send(s, c, buf, outlen);
}

void conn_update(struct server *s, struct conn *k)
{
    uint32_t want = 0;
    if (!k->eof && !s->stopping && k->pending < s->cfg->max_tcp_pipeline)
        want |= EPOLLIN;
    if (k->wlen > k->woff)
        want |= EPOLLOUT;
    if (want == k->events)
        return;
    struct epoll_event e = {.events = want, .data.ptr = &k->ev};
    if (epoll_ctl(s->ep, EPOLL_CTL_MOD, k->fd, &e) == 0)
        k->events = want;
}

void conn_close(struct server *s, struct conn *k)
{
    epoll_ctl(s->ep, EPOLL_CTL_DEL, k->fd, NULL);
    close(k->fd);
    climits_release(s->climits, k->climit, CLIMITS_CONN);
    free(k->rbuf);
    free(k->wbuf);
    uint32_t index = (uint32_t)(k - s->conns);
    memset(k, 0, sizeof *k);
    k->fd = -1;
    k->next_free = s->conn_free;
    s->conn_free = index;
    s->n_conns--;
}

int clients_init(struct server *s)
{
    s->tx = calloc(1, sizeof *s->tx);
    if (!s->tx)
        return -1;
    s->tx->fd = -1;
    return 0;
}

void clients_free(struct server *s)
{
    free(s->tx);
    s->tx = NULL;
}
