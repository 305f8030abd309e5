#define _DEFAULT_SOURCE /* madvise() */
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

void dnsfw__advise_huge(void *p, size_t size)
{
#if defined(MADV_HUGEPAGE)
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (!p || size < 2 * huge)
        return;
    uintptr_t from = ((uintptr_t)p + huge - 1) & ~(huge - 1),
              to = ((uintptr_t)p + size) & ~(huge - 1);
    if (to > from)
        madvise((void *)from, to - from, MADV_HUGEPAGE); /* a hint: failing is harmless */
#else
    (void)p;
    (void)size;
#endif
}

int dnsfw__grow(void **ptr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return DNSFW_OK;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return DNSFW_ENOMEM;
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / elem)
        return DNSFW_ENOMEM;
    void *p = realloc(*ptr, ncap * elem);
    if (!p)
        return DNSFW_ENOMEM;
    dnsfw__advise_huge(p, ncap * elem);
    *ptr = p;
    *cap = ncap;
    return DNSFW_OK;
}

char *dnsfw__strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int dnsfw__vfail(dnsfw_error *err, int status, const char *file, uint32_t line, uint32_t column,
                 const char *fmt, va_list ap)
{
    if (!err)
        return status;
    err->status = status;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->column = column;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    return status;
}

int dnsfw__fail(dnsfw_error *err, int status, const char *file, uint32_t line, uint32_t column,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dnsfw__vfail(err, status, file, line, column, fmt, ap);
    va_end(ap);
    return status;
}

int dnsfw__read_file(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return DNSFW_EIO;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (dnsfw__grow((void **)&buf, &cap, n + 65536 + 1, 1)) {
            free(buf);
            fclose(f);
            return DNSFW_ENOMEM;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return DNSFW_EIO;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return DNSFW_OK;
}
