/* Unix seconds as RFC 3339 text, for the egress and exfiltration parts of the report. */
#ifndef DNSFW_TOOLS_TIMESTAMP_H
#define DNSFW_TOOLS_TIMESTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Write Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" (buf of at least 21 bytes). */
void timestamp_format(int64_t seconds, char *buf, size_t size);

#endif
