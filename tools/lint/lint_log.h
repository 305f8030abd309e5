/* dnsfw-lint --log's reader (lint_log.c): one call per query record. */
#ifndef DNSFW_TOOLS_LINT_LOG_H
#define DNSFW_TOOLS_LINT_LOG_H

#include "lint.h"

struct lint_record {
    const char *name; /* normalised, with the trailing dot */
    uint16_t qtype;
    size_t n_chain;
    const char *chain[DNSFW_LOG_CHAIN_MAX]; /* CNAME / DNAME targets as logged */
    size_t chain_len[DNSFW_LOG_CHAIN_MAX];
};

/* Return false when the record turned out malformed (a bad chain name). */
typedef bool (*lint_record_fn)(void *ud, const struct lint_record *r);

/* Read every --log path. Returns 0, or an exit code for a usage or system error. */
int lint_read_logs(const struct log_options *o, lint_record_fn fn, void *ud,
                   struct log_result *res);

#endif
