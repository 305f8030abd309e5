/* Log times to milliseconds since 1970 UTC (log_time.c). */
#ifndef DNSFW_LOGTIME_H
#define DNSFW_LOGTIME_H

#include "util.h"

/* What times without a year or a zone are read against. */
struct dnsfw__clock {
    int64_t now_ms;       /* the year of an RFC 3164 stamp is the one before now (+1 month) */
    int32_t local_offset; /* seconds east of UTC of stamps written in local time */
};

/*
 * Each parser reads a stamp at the start of s: 1 with *ms and *used (bytes of the stamp),
 * 0 when s does not start with a stamp of that shape, -1 when it has the shape but not a
 * valid value (a 31st of November, a minute 61).
 */
DNSFW_HIDDEN int dnsfw__time_rfc3339(const char *s, size_t len, size_t *used, int64_t *ms);
DNSFW_HIDDEN int dnsfw__time_3164(const char *s, size_t len, const struct dnsfw__clock *clock,
                                  size_t *used, int64_t *ms);
DNSFW_HIDDEN int dnsfw__time_bind(const char *s, size_t len, const struct dnsfw__clock *clock,
                                  size_t *used, int64_t *ms);
DNSFW_HIDDEN int dnsfw__time_epoch(const char *s, size_t len, size_t *used, int64_t *ms);
/* The whole of s is one of the stamps above: 1, 0 or -1 as they. */
DNSFW_HIDDEN int dnsfw__time_any(const char *s, size_t len, const struct dnsfw__clock *clock,
                                 int64_t *ms);

#endif
