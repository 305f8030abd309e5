/*
 * The statistics of dnsfw-serve (stats.c): lines on stderr (SIGUSR1, shutdown), and the
 * Prometheus text format over HTTP on --stats ADDR:PORT, served by the loop itself: a
 * few connections at a time, each with a deadline, GET /metrics only.
 */
#ifndef DNSFW_TOOLS_SERVE_STATS_H
#define DNSFW_TOOLS_SERVE_STATS_H

#include <stdio.h>

#include "server.h"

/* Listen on cfg->stats (before privileges are dropped). Returns an exit code. */
int stats_open(struct server *s);
void stats_close(struct server *s);
void stats_on_accept(struct server *s);
void stats_on_conn(struct server *s, struct ev *e, uint32_t events);
/* Close the HTTP connections whose deadline passed. */
void stats_sweep(struct server *s);

/* The statistics on stderr. */
void stats_log(const struct server *s);

/* The statistics in the Prometheus text format (version 0.0.4). */
void stats_write_prometheus(FILE *f, const struct server *s);

#endif
