/*
 * The egress join (dnsfw-eval --flow-log, docs/egress.md): accepted outbound flows to
 * public addresses that no DNS answer of the query logs gave within the answer window
 * are connections made around the DNS firewall. Flows are classified one at a time and
 * the bypasses grouped by source, destination, port and protocol.
 */
#ifndef DNSFW_TOOLS_EGRESS_H
#define DNSFW_TOOLS_EGRESS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include <dnsfw/dnsfw.h>

#include "answers.h"
#include "scope_map.h"

/* What a flow record was, in the order the join decides it. */
enum flow_outcome {
    FLOW_NODATA,     /* log-status NODATA: no traffic in the interval */
    FLOW_SKIPDATA,   /* log-status SKIPDATA: records were lost */
    FLOW_MALFORMED,  /* did not parse, or lacks a field the join needs */
    FLOW_REJECTED,   /* action REJECT: no connection was made */
    FLOW_INBOUND,    /* flow-direction ingress */
    FLOW_NOT_PUBLIC, /* to a private, shared, link-local, loopback, multicast or reserved address */
    FLOW_TRUSTED,    /* to a --trusted-cidr */
    FLOW_REPLY,      /* the answering half of a connection made to this interface */
    FLOW_RESOLVED,   /* an answer gave the address within the window */
    FLOW_CONTINUED,  /* a TCP connection older than the record, to an address once answered */
    FLOW_DIRECT,     /* no answer gave the address: a direct-IP connection */
    FLOW_OUTCOMES
};

struct egress;

/* NULL when out of memory. map may be NULL; answers belongs to the caller. */
struct egress *egress_new(const struct answers *answers, int64_t window,
                          const struct scope_map *map);
void egress_free(struct egress *e);

/* --trusted-cidr: false (nothing added, *why says why) when text is not an address or a
 * CIDR block (host bits after the prefix refused, as cidr_parse() does), or too many. */
bool egress_trust(struct egress *e, const char *text, const char **why);

/* Classify one parsed record found at w, carried by shape (and, for FLOW_DIRECT, count it
 * in its group; a record that lacks a field the join needs is counted as malformed). */
enum flow_outcome egress_flow(struct egress *e, const dnsfw_flow_record *r,
                              const dnsfw_log_location *w, dnsfw_log_shape shape);

/* A record that did not parse or lacks what the join needs, with where it is. */
void egress_malformed(struct egress *e, const dnsfw_log_location *w, const char *reason);
/* What the flow-log reader read: files, bytes after gzip, header lines and CloudWatch
 * control messages, records outside --since / --until. */
void egress_set_input(struct egress *e, uint64_t files, uint64_t bytes, uint64_t not_flow,
                      uint64_t outside_window);
/* How many answered addresses the query logs gave, and how many had no usable time. */
void egress_set_answers(struct egress *e, uint64_t indexed, uint64_t untimed);

/* Out of memory at some point: the results are incomplete. */
bool egress_failed(const struct egress *e);

/* The report's "direct_ip" groups, built one at a time so that a report of many does not
 * hold them all (docs/egress.md): sort them (their number), then item i of them (NULL
 * when out of memory: egress_failed() then says so). */
size_t egress_direct_ip_sort(struct egress *e);
cJSON *egress_direct_ip_item(struct egress *e, size_t i);
/* The report's "egress" object: the window, the inputs, every outcome's count. */
cJSON *egress_totals_json(const struct egress *e);

#endif
