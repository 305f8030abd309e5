/*
 * LD_PRELOAD module for test_alloc_fail.sh: makes the Nth malloc, calloc or realloc of
 * a process fail (DNSFW_FAIL_ALLOC=N), or counts them (DNSFW_COUNT_ALLOC=FILE: the
 * count is written there at exit), so that a tool can be run once per allocation with
 * that allocation refused. Not built with sanitizers, which interpose malloc themselves.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

static long fail_at = -1; /* -1: not read yet */
static long count;
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);

static int refuse(void)
{
    if (fail_at < 0) {
        const char *e = getenv("DNSFW_FAIL_ALLOC");
        fail_at = e ? atol(e) : 0;
    }
    return ++count == fail_at;
}

void *malloc(size_t size)
{
    if (!real_malloc)
        *(void **)&real_malloc = dlsym(RTLD_NEXT, "malloc"); /* POSIX's way to get a function */
    return refuse() ? NULL : real_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    static int resolving;
    static char early[4096]; /* dlsym() itself may call calloc before it is resolved */
    if (!real_calloc) {
        if (resolving)
            return early;
        resolving = 1;
        *(void **)&real_calloc = dlsym(RTLD_NEXT, "calloc");
        resolving = 0;
    }
    return refuse() ? NULL : real_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    if (!real_realloc)
        *(void **)&real_realloc = dlsym(RTLD_NEXT, "realloc");
    return refuse() ? NULL : real_realloc(p, size);
}

__attribute__((destructor)) static void report_count(void)
{
    const char *path = getenv("DNSFW_COUNT_ALLOC");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (f) {
        fprintf(f, "%ld\n", count);
        fclose(f);
    }
}
