/* The client side of dnsfw-serve (clients.c): answers, SERVFAIL, the query log, and the
 * life of TCP client connections. Calls nothing in loop.c or upstream.c. */
#ifndef DNSFW_TOOLS_SERVE_CLIENTS_H
#define DNSFW_TOOLS_SERVE_CLIENTS_H

#include "server.h"

int clients_init(struct server *s); /* 0, or -1 out of memory */
void clients_free(struct server *s);

/* Queue msg for the client (UDP: sent by client_flush(); TCP: into its connection). */
void client_send(struct server *s, const struct client *c, const uint8_t *msg, size_t len);
/* Send the UDP answers queued by client_send(). */
void client_flush(struct server *s);
/* A forwarded query of this client ended: its TCP connection has room again. */
void client_done(struct server *s, const struct client *c);
/* SERVFAIL to the query (dropped if even that cannot be built); logged with v (may be NULL). */
void client_servfail(struct server *s, const struct client *c, const dnsfw_query_info *info,
                     const uint8_t *query, size_t len, const dnsfw_verdict *v, struct policy_gen *g,
                     uint32_t scope);
/* REFUSED (a client outside --allow) and a bare TC response (rate limiting's slip):
 * nothing for a malformed query; neither is logged. */
void client_refused(struct server *s, const struct client *c, const uint8_t *query, size_t len);
void client_truncated(struct server *s, const struct client *c, const uint8_t *query, size_t len);
/* The query-log record of an answered query (with --query-log); counts its action. */
void client_log(struct server *s, const struct client *c, const dnsfw_query_info *info,
                const dnsfw_verdict *v, struct policy_gen *g, uint32_t scope, const uint8_t *resp,
                size_t len, const uint8_t *answers, size_t alen);

/* TCP client connections. */
void conn_flush(struct server *s, struct conn *k);  /* write what the socket takes */
void conn_update(struct server *s, struct conn *k); /* what epoll watches */
/* Close a connection that is dead, or finished (EOF, stopping) with nothing in flight. */
void conn_check(struct server *s, struct conn *k);
void conn_close(struct server *s, struct conn *k);

#endif
