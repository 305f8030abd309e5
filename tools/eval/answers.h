/*
 * The answered addresses of the query logs, for the egress join (docs/egress.md): every
 * A/AAAA address with the times an answer gave it. Memory grows with the number of
 * distinct addresses (and their separate bursts of answers), not with the records.
 */
#ifndef DNSFW_TOOLS_ANSWERS_H
#define DNSFW_TOOLS_ANSWERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dnsfw/dnsfw.h>

struct answers;

/* window: the --answer-window in seconds; answers of one address closer than that are
 * kept as one interval. NULL when out of memory. */
struct answers *answers_new(int64_t window);
void answers_free(struct answers *a);

/* An answer gave ip at time t (Unix seconds). false when out of memory, or t is outside
 * 1970-2106 (then nothing is kept). */
bool answers_add(struct answers *a, const dnsfw_ip *ip, int64_t t);

/* Start loading ip's place in the index, ahead of answers_add() or answers_cover(). */
void answers_prefetch(const struct answers *a, const dnsfw_ip *ip);

/* Was ip given by an answer at some time in [from, to]? */
bool answers_cover(const struct answers *a, const dnsfw_ip *ip, int64_t from, int64_t to);

/* The latest time ip was given at or before t, or -1 when never. */
int64_t answers_last_before(const struct answers *a, const dnsfw_ip *ip, int64_t t);

size_t answers_count(const struct answers *a);  /* distinct addresses */
size_t answers_memory(const struct answers *a); /* bytes held */

#endif
