/*
 * Reading VPC Flow Logs for the egress join, through the same reader as the query logs
 * (log_read: files, gzip, directory trees such as the S3 delivery tree
 * AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/, stdin; text files with their
 * header line, and the CloudWatch Logs shapes). Files without a header line use
 * --flow-format, or the default format (version 2). Every record goes to egress_flow();
 * malformed ones are counted and located, and the run goes on.
 */
#ifndef DNSFW_TOOLS_FLOWS_H
#define DNSFW_TOOLS_FLOWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dnsfw/dnsfw.h>

#include "egress.h"
#include "log_input.h"

struct flow_read_result {
    uint64_t records, not_flow, malformed, outside;
    bool io_failed; /* an input could not be opened or read */
};

/* in: the paths, --flow-format (flow_format), --since / --until and progress; flows is
 * set here. Returns an exit code: EXIT_CLEAN, EXIT_USAGE (a bad time) or EXIT_SYSTEM. */
int flow_read(struct egress *e, const struct log_read_options *in, struct flow_read_result *res);

#endif
