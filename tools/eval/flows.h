/*
 * Reading VPC Flow Logs for the egress join: plain or gzip files, directory trees (the
 * S3 delivery tree AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/), stdin. Each
 * file's header line names its format; files without one use --flow-format, or the
 * default format (version 2). Every record goes to egress_flow(); malformed ones are
 * counted and located, and the run goes on.
 */
#ifndef DNSFW_TOOLS_FLOWS_H
#define DNSFW_TOOLS_FLOWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dnsfw/dnsfw.h>

#include "egress.h"

struct flow_read_result {
    uint64_t lines, records, headers, malformed;
    bool io_failed; /* an input could not be opened or read */
};

/* format: --flow-format, or NULL. Returns 0, or -1 when out of memory. */
int flow_read_paths(struct egress *e, const dnsfw_flowformat *format, const char *const *paths,
                    size_t n, bool progress, struct flow_read_result *res);

#endif
