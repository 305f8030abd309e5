/*
 * The server's state, one thread's: the loop (loop.c) owns it; the upstream (upstream.c)
 * and the client side (clients.c) work on it. Calls go one way: loop -> upstream ->
 * clients, and loop -> clients.
 */
#ifndef DNSFW_TOOLS_SERVE_SERVER_H
#define DNSFW_TOOLS_SERVE_SERVER_H

#include <netinet/in.h>

#include "client_limits.h"
#include "serve.h"

enum ev_kind {
    EV_UDP,
    EV_TCP_LISTEN,
    EV_CONN,
    EV_UPSTREAM,
    EV_UPSTREAM_TCP,
    EV_SIGNAL,
    EV_RELOAD,
    EV_STATS_LISTEN,
    EV_STATS_CONN,
};

/* The first member of everything registered with epoll: data.ptr points to it. */
struct ev {
    enum ev_kind kind;
};

struct listener {
    struct ev ev;
    int fd;
    int family;
    bool pktinfo; /* bound to a wildcard address: answer from the address asked */
};

/* The local address a UDP query arrived at (IP_PKTINFO / IPV6_PKTINFO). */
struct pktinfo {
    int family; /* 0: none */
    union {
        struct in_pktinfo v4;
        struct in6_pktinfo v6;
    } u;
};

/* Where a response goes. */
struct client {
    bool tcp;
    struct listener *udp;
    struct sockaddr_storage addr;
    socklen_t addr_len;
    struct pktinfo pi;
    uint32_t conn; /* TCP: connection slot and its serial (the slot may be reused) */
    uint64_t conn_serial;
    struct timespec when; /* CLOCK_REALTIME at arrival, for the query log */
};

struct conn {
    struct ev ev;
    int fd;
    bool used, eof, dead;
    bool busy;       /* being read: closing waits */
    uint32_t events; /* what epoll watches now */
    uint64_t serial;
    struct sockaddr_storage addr;
    socklen_t addr_len;
    uint8_t *rbuf;
    size_t rlen, rcap;
    uint8_t *wbuf;
    size_t wlen, woff, wcap;
    unsigned pending;     /* queries waiting for the upstream */
    uint64_t last_active; /* a whole query read, or every answer written */
    uint64_t msg_start;   /* the first octet of the incomplete query in rbuf arrived */
    uint64_t write_since; /* answers have waited in wbuf since (0: none wait) */
    uint32_t climit;      /* the client's connection (client_limits.h) */
    uint32_t next_free;
};

enum tcp_state { UP_UDP = 0, UP_TCP_WRITE, UP_TCP_READ };

/* A query waiting for the upstream. */
struct pending {
    struct ev ev; /* EV_UPSTREAM_TCP: the TCP retry's socket */
    bool used;
    bool inspect; /* false when forwarded without a policy (fail open) */
    uint32_t index, next_free;
    struct pending *tprev, *tnext; /* timeout list, ordered by deadline */
    uint64_t deadline;
    struct client client;
    struct policy_gen *gen;
    uint32_t scope;
    dnsfw_query_info info;
    uint8_t *query;
    size_t qlen;
    /* upstream */
    int usock; /* index of the UDP socket, -1 when no ID is mapped */
    uint16_t uid;
    uint8_t uid_wire[2]; /* uid in network order, what the sent query starts with */
    enum tcp_state state;
    int tfd;
    uint8_t *tbuf; /* TCP retry: the framed query, then the answer */
    size_t tlen, toff;
    uint8_t tlen_buf[2];
    uint8_t *tc; /* the truncated UDP answer, sent when the TCP answer cannot be */
    size_t tc_len;
    uint32_t climit;  /* the client's forwarding slot (client_limits.h) */
    uint64_t sent_us; /* forwarded at (CLOCK_MONOTONIC, µs): the upstream's latency */
};

#define UPSTREAM_BATCH 64

struct upsock {
    struct ev ev;
    int fd;
    uint32_t *ids; /* [65536]: pending index + 1, 0 = free */
    /* queries waiting to be sent (sendmmsg), pointing into their pending entries */
    unsigned txn;
    struct mmsghdr tx[UPSTREAM_BATCH];
    struct iovec txiov[UPSTREAM_BATCH][2];
};

struct udp_tx;

/* Upper bounds of the upstream latency histogram, in µs; one more bucket beyond. */
#define LATENCY_BUCKETS 12
extern const uint64_t serve_latency_bounds_us[LATENCY_BUCKETS];

struct serve_stats {
    uint64_t queries, blocked, chain_blocked, forwarded, answered, formerr, notimp, dropped,
        servfail, timeouts, overload, stray, no_policy, tcp_accepted, tcp_refused, tcp_retries;
    uint64_t refused;            /* clients outside --allow (UDP queries and TCP connections) */
    uint64_t rate_limited;       /* UDP queries over --rate-limit, dropped */
    uint64_t slipped;            /* ... answered with TC instead */
    uint64_t client_share;       /* queries beyond the client's --client-inflight */
    uint64_t tcp_client_refused; /* connections beyond --tcp-per-client */
    uint64_t tcp_timeouts;       /* connections closed: a query or an answer took too long */
    uint64_t truncated;          /* upstream answers too large for UDP, sent truncated */
    uint64_t upstream_refused;   /* ICMP errors from the upstream (nothing listens?) */
    uint64_t reloads, reload_failures;
    uint64_t rcodes[16]; /* responses sent, by RCODE */
    uint64_t actions[4]; /* logged queries by dnsfw_action */
    uint64_t latency[LATENCY_BUCKETS + 1];
    uint64_t latency_sum_us, latency_count;
};

/* A warning said at once, then at most every WARN_EVERY_MS while its count grows. */
#define WARN_EVERY_MS 10000
struct warn_gate {
    uint64_t next_ms;
    uint64_t count; /* the count last reported */
};

struct stats_server;

#define UDP_BATCH 32
#define UDP_BUF   4096 /* larger UDP queries are dropped */

/* Where a batch of UDP queries is received (recvmmsg). */
struct udp_rx {
    uint8_t bufs[UDP_BATCH][UDP_BUF];
    struct sockaddr_storage addrs[UDP_BATCH];
    struct {
        _Alignas(struct cmsghdr) char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + 64];
    } ctls[UDP_BATCH];
};

#define UPSTREAM_RX 8 /* upstream answers received at a time */

struct server {
    const struct serve_config *cfg;
    int ep;
    struct listener *listeners;
    size_t n_listeners;
    struct conn *conns;
    uint32_t conn_free; /* UINT32_MAX: none */
    unsigned n_conns;
    uint64_t conn_serial;
    struct pending *pend;
    uint32_t pend_free;
    unsigned n_pending;
    struct pending *timer_head, *timer_tail;
    struct upsock *ups;
    unsigned n_ups, next_up;
    struct policy_gen *gen;
    struct reloader *reloader;
    struct qlog *log;
    struct ev sig_ev, reload_ev;
    int sigfd;
    uint64_t now; /* CLOCK_MONOTONIC, ms */
    bool stopping;
    bool backlog; /* a connection has queries buffered that waited for pipeline room */
    uint64_t stop_deadline;
    struct serve_stats st;
    struct acl acl;                /* clients answered (acl.c) */
    struct client_limits *climits; /* per-client shares and rates (client_limits.c) */
    struct stats_server *stats;    /* --stats (stats.c) */
    uint64_t sweep_ms;
    struct warn_gate warn_timeouts, warn_refused, warn_log_dropped, warn_log_failed;
    char refused_last[64];      /* the last client refused, for the warning */
    struct udp_tx *tx;          /* UDP answers waiting for sendmmsg (clients.c) */
    struct udp_rx rx;           /* UDP queries being read (loop.c) */
    uint8_t (*up_rx)[65536];    /* [UPSTREAM_RX]: upstream answers being read (upstream.c) */
    dnsfw_respond_options opts; /* the flags every query gets */
    uint8_t out[65536];         /* responses are built here */
};

#endif
