/*
 * Per-client accounting of dnsfw-serve: response rate limiting (a token bucket per
 * client, RRL-style slip to TC) and each client's share of the forwarding slots and of
 * the TCP connections, so that one client cannot starve the others.
 *
 * A client is its address cut to a prefix (--client-prefix: /32 and /64 by default: one
 * IPv4 address, one IPv6 subnet). The table has a fixed size; clients that hold nothing
 * are forgotten least recently used first when it is full, and a client that holds a
 * slot or a connection is never forgotten. One table per server (struct server): with
 * several server threads, each keeps its own.
 */
#ifndef DNSFW_TOOLS_SERVE_CLIENT_LIMITS_H
#define DNSFW_TOOLS_SERVE_CLIENT_LIMITS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct client_limits_config {
    unsigned rate;         /* UDP queries a second per client; 0: no rate limit */
    unsigned slip;         /* every slip-th limited query gets a TC response; 0: none */
    unsigned max_inflight; /* queries of one client waiting for the upstream */
    unsigned max_conns;    /* TCP connections of one client */
    unsigned prefix4;      /* 1-32 */
    unsigned prefix6;      /* 1-64 */
    unsigned capacity;     /* clients remembered; more than max_inflight + TCP connections */
};

struct client_limits;

int climits_new(const struct client_limits_config *cfg, struct client_limits **out);
void climits_free(struct client_limits *cl);

enum climits_rate { CLIMITS_PASS, CLIMITS_DROP, CLIMITS_SLIP };

/* A UDP query from client at now_ms: answer it, drop it, or send it a TC response. */
enum climits_rate climits_rate(struct client_limits *cl, const struct sockaddr *client,
                               uint64_t now_ms);

enum climits_kind { CLIMITS_INFLIGHT, CLIMITS_CONN };

#define CLIMITS_NONE UINT32_MAX

/*
 * Take one forwarding slot or one connection for client: a handle for
 * climits_release(), or CLIMITS_NONE when the client's share is used up. With spare
 * (the caller has room to spare for everybody), the share does not apply, but what the
 * client holds is counted all the same.
 */
uint32_t climits_acquire(struct client_limits *cl, const struct sockaddr *client,
                         enum climits_kind kind, bool spare);
void climits_release(struct client_limits *cl, uint32_t handle, enum climits_kind kind);

#endif
