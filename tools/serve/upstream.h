/* Forwarding to the upstream resolver and relaying its answers (upstream.c). Answers,
 * SERVFAILs and log records go out through clients.h; nothing here calls the loop. */
#ifndef DNSFW_TOOLS_SERVE_UPSTREAM_H
#define DNSFW_TOOLS_SERVE_UPSTREAM_H

#include "server.h"

int upstream_init(struct server *s);
void upstream_free(struct server *s);
void upstream_forward(struct server *s, const struct client *c, struct policy_gen *g,
                      uint32_t scope, bool inspect, const uint8_t *query, size_t len,
                      const dnsfw_query_info *info);
void upstream_on_udp(struct server *s, struct upsock *u);
void upstream_on_tcp(struct server *s, struct pending *p, uint32_t events);
void upstream_expire(struct server *s); /* answer the queries whose time is up */
void upstream_flush(struct server *s);  /* send the queries queued by upstream_forward() */

#endif
