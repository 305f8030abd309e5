/*
 * Query logs for every tool that reads them (dnsfw-eval --log, dnsfw-lint --log, the
 * egress analysis): one call takes the --log paths (files, gzip, directory trees in
 * name order, "-" for stdin), --log-format (auto by default), --log-pattern and
 * --since / --until, and hands each record, and each line or event that is not one,
 * to a callback with its location. The shapes and their reading are the library's
 * (dnsfw_logreader); this file opens the inputs and feeds it.
 */
#ifndef DNSFW_TOOLS_LOG_INPUT_H
#define DNSFW_TOOLS_LOG_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dnsfw/dnsfw.h>

struct log_read_options {
    const char *const *paths;
    size_t n_paths;
    const char *format;  /* --log-format NAME; NULL: auto (or custom with a pattern) */
    const char *pattern; /* --log-pattern */
    const char *since;   /* --since TIME, or NULL */
    const char *until;   /* --until TIME, or NULL */
    bool progress;       /* a progress line on stderr */
    bool times;          /* every record's time, window or not (DNSFW_LOGREADER_TIMES) */
    /* VPC Flow Logs instead of query logs (dnsfw-eval --flow-log): DNSFW_ITEM_FLOW items;
     * format and pattern must be NULL. flow_format: for inputs without a header line. */
    bool flows;
    const dnsfw_flowformat *flow_format;
    /* With --since: the records of the lead_ms before it are read too, and handed to
     * early() instead of the callback (the answers the egress join needs). */
    int64_t lead_ms;
    int (*early)(void *ud, const dnsfw_log_item *item);
};

/* The --log-format names, for usage messages. */
#define LOG_FORMAT_NAMES                                                                           \
    "auto, route53, cloudwatch-export, cloudwatch, eventbridge, dnsmasq, bind, unbound or custom"

struct log_read_stats {
    uint64_t files;
    uint64_t early; /* records handed to early() */
    dnsfw_logreader_stats reader;
};

/*
 * Called for each item, in input order. An input that cannot be opened or read comes as
 * a DNSFW_ITEM_MALFORMED item whose status is DNSFW_EIO (or DNSFW_ENOMEM): the machine's
 * fault, not the input's; where.line is 0 when the input could not be opened at all.
 * Return 0 to go on.
 */
typedef int (*log_item_fn)(void *ud, const dnsfw_log_item *item);

/*
 * Read every input. Returns EXIT_CLEAN when every input was read (items tell what was
 * wrong in them), EXIT_USAGE for a bad --log-format, --log-pattern or time (reported on
 * stderr), EXIT_SYSTEM when out of memory. An input that could not be read is an item,
 * and *io_failed is set.
 */
int log_read(const struct log_read_options *o, log_item_fn fn, void *ud,
             struct log_read_stats *stats, bool *io_failed);

/* "FILE:LINE", "FILE:LINE: events[12]" (an event of a document), or "FILE" (line 0). */
void log_location_text(const dnsfw_log_location *w, char *buf, size_t size);

/*
 * A --since / --until value: RFC 3339 ("2026-11-14T00:00:00Z"), a date ("2026-11-14",
 * midnight UTC), or a time before now: "14d", "36h", "90m", "2w". Returns 0 or -1.
 */
int log_parse_time(const char *text, int64_t now_ms, int64_t *ms);

#endif
