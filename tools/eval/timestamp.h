/* Query-log timestamps as Unix seconds, for the egress join and the exfiltration rates. */
#ifndef DNSFW_TOOLS_TIMESTAMP_H
#define DNSFW_TOOLS_TIMESTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * An RFC 3339 / ISO 8601 time as Route 53 writes query_timestamp
 * ("2021-02-04T17:51:55Z", "2017-03-16T19:20:25.177Z", "+hh:mm" offsets too):
 * *out gets Unix seconds (fractions dropped). false when the text is not such a time.
 */
bool timestamp_seconds(const char *text, size_t len, int64_t *out);

/* Write Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" (buf of at least 21 bytes). */
void timestamp_format(int64_t seconds, char *buf, size_t size);

#endif
