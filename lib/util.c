#define _DEFAULT_SOURCE /* madvise() */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
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

uint64_t dnsfw__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char *file_kind(mode_t mode)
{
    if (S_ISFIFO(mode))
        return "not a regular file (a FIFO)";
    if (S_ISCHR(mode))
        return "not a regular file (a character device)";
    if (S_ISBLK(mode))
        return "not a regular file (a block device)";
    if (S_ISSOCK(mode))
        return "not a regular file (a socket)";
    return "not a regular file";
}

/* Wait until fd has data, or the deadline passes (false, errno ETIMEDOUT). */
static bool wait_readable(int fd, uint64_t deadline_ms)
{
    for (;;) {
        int timeout = -1;
        if (deadline_ms) {
            uint64_t now = dnsfw__now_ms();
            if (now >= deadline_ms) {
                errno = ETIMEDOUT;
                return false;
            }
            uint64_t left = deadline_ms - now;
            timeout = left > INT_MAX ? INT_MAX : (int)left;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int n = poll(&p, 1, timeout);
        if (n > 0)
            return true;
        if (n < 0 && errno != EINTR)
            return false;
    }
}

static int read_fd(int fd, const struct stat *st, struct dnsfw__read_budget *b, char **data,
                   size_t *len)
{
    size_t limit = b->bytes_left; /* one byte more than that proves the file too long */
    if (S_ISREG(st->st_mode) && (uint64_t)st->st_size > limit)
        return DNSFW_ELIMIT;
    size_t cap = 0, n = 0;
    char *buf = NULL;
    /* a regular file in one read (and one more to see its end); else doubling, but never
     * beyond room for limit + 1 octets and the NUL */
    size_t first = S_ISREG(st->st_mode) ? (size_t)st->st_size + 2 : 65536;
    for (;;) {
        if (cap - n < 2) {
            size_t ncap = cap ? 2 * cap : first;
            if (ncap > limit + 2)
                ncap = limit + 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                return DNSFW_ENOMEM;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN) {
            if (wait_readable(fd, b->deadline_ms))
                continue;
            free(buf);
            return errno == ETIMEDOUT ? DNSFW_ETIMEDOUT : DNSFW_EIO;
        }
        if (r < 0) {
            free(buf);
            return DNSFW_EIO;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > limit) {
            free(buf);
            return DNSFW_ELIMIT;
        }
        if (b->deadline_ms && dnsfw__now_ms() >= b->deadline_ms) {
            free(buf);
            return DNSFW_ETIMEDOUT;
        }
    }
    buf[n] = '\0';
    b->bytes_left -= n;
    *data = buf;
    *len = n;
    return DNSFW_OK;
}

int dnsfw__read_file(const char *path, struct dnsfw__read_budget *b, char **data, size_t *len,
                     const char **why)
{
    *why = NULL;
    /* Non-blocking: opening a FIFO without a writer must not wait for one. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return DNSFW_EIO;
    struct stat st;
    int rc = DNSFW_OK;
    if (fstat(fd, &st) != 0) {
        rc = DNSFW_EIO;
    } else if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        rc = DNSFW_EIO;
    } else if (b->regular_only && !S_ISREG(st.st_mode)) {
        *why = file_kind(st.st_mode);
        errno = 0;
        rc = DNSFW_EIO;
    } else {
        rc = read_fd(fd, &st, b, data, len);
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}
