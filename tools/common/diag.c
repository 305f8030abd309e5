#include "diag.h"

#include <stdarg.h>
#include <stdio.h>

#include "common.h"

static bool quiet;
static unsigned errors, warnings;

void diag_set_quiet(bool q)
{
    quiet = q;
}

__attribute__((format(printf, 4, 0))) static void emit(const char *kind, const char *file,
                                                       unsigned line, const char *fmt, va_list ap)
{
    if (quiet)
        return;
    fprintf(stderr, "%s: %s", tool_name(), kind);
    if (file && line)
        fprintf(stderr, "%s:%u: ", file, line);
    else if (file)
        fprintf(stderr, "%s: ", file);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void diag_error(const char *file, unsigned line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    errors++;
    emit("", file, line, fmt, ap);
    va_end(ap);
}

void diag_warning(const char *file, unsigned line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    warnings++;
    emit("warning: ", file, line, fmt, ap);
    va_end(ap);
}

unsigned diag_error_count(void)
{
    return errors;
}

unsigned diag_warning_count(void)
{
    return warnings;
}

void diag_reset(void)
{
    errors = warnings = 0;
}
