/*
 * Diagnostics of dnsfw-export's modules: "dnsfw-export: FILE:LINE: message" on stderr,
 * counted. The fuzz targets switch them off.
 */
#ifndef DNSFW_TOOLS_DIAG_H
#define DNSFW_TOOLS_DIAG_H

#include <stdbool.h>

void diag_set_quiet(bool quiet);

/* file may be NULL; line 0 means "no line". */
void diag_error(const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_warning(const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

unsigned diag_error_count(void);
unsigned diag_warning_count(void);
void diag_reset(void);

#endif
