#include "log_input.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define BUF_SIZE  (LOG_LINE_MAX + 4 * 1024 * 1024)
#define MAX_DEPTH 64

struct reading {
    const struct log_reader *r;
    struct log_input_stats *st;
    char *buf;
    uint64_t total_size; /* on-disk bytes of every file, when known, for the percentage */
    uint64_t done_size;  /* on-disk bytes of the files finished */
    struct timespec start, last_progress;
    int failed;
};

static double now_since(const struct timespec *t)
{
    struct timespec n;
    clock_gettime(CLOCK_MONOTONIC, &n);
    return (double)(n.tv_sec - t->tv_sec) + (double)(n.tv_nsec - t->tv_nsec) / 1e9;
}

static void progress(struct reading *rd, gzFile gz, bool final)
{
    if (!rd->r->progress)
        return;
    if (!final && now_since(&rd->last_progress) < 0.5)
        return;
    clock_gettime(CLOCK_MONOTONIC, &rd->last_progress);
    double secs = now_since(&rd->start);
    double rate = secs > 0 ? (double)rd->st->lines / secs : 0;
    fprintf(stderr, "\r%llu lines, %.1f MB, %.0f lines/s", (unsigned long long)rd->st->lines,
            (double)rd->st->bytes / 1e6, rate);
    if (rd->total_size) {
        uint64_t pos = rd->done_size + (gz ? (uint64_t)gzoffset(gz) : 0);
        fprintf(stderr, ", %.0f%%", 100.0 * (double)pos / (double)rd->total_size);
    }
    fputs(final ? "\n" : "   ", stderr);
}

static void problem_of(struct reading *rd, const char *file, uint64_t lineno, const char *what,
                       bool system)
{
    rd->st->problems++;
    rd->r->problem(rd->r->ud, file, lineno, what, system);
}

/* A problem of the input itself, or (lineno 0) an input that cannot be opened. */
static void problem(struct reading *rd, const char *file, uint64_t lineno, const char *what)
{
    problem_of(rd, file, lineno, what, lineno == 0);
}

static void emit(struct reading *rd, const char *file, uint64_t lineno, char *text, size_t len)
{
    if (len && text[len - 1] == '\r')
        len--;
    rd->st->lines++;
    rd->r->line(rd->r->ud, file, lineno, text, len);
}

/* Split one (possibly gzip) stream into lines. */
static void read_stream(struct reading *rd, gzFile gz, const char *name)
{
    char *buf = rd->buf;
    size_t have = 0;       /* bytes in buf */
    uint64_t lineno = 0;   /* lines seen so far */
    bool skipping = false; /* inside a line longer than LOG_LINE_MAX */
    bool broken = false;
    uint64_t got = 0; /* uncompressed bytes of this stream */
    gzbuffer(gz, 256 * 1024);
    for (;;) {
        int n = gzread(gz, buf + have, (unsigned)(BUF_SIZE - have));
        if (n < 0) {
            int errnum;
            const char *msg = gzerror(gz, &errnum);
            char what[256];
            snprintf(what, sizeof what, "read error (%s); the rest of the file is skipped",
                     errnum == Z_ERRNO ? strerror(errno) : msg);
            /* A corrupt gzip stream is the input's fault; I/O and memory are not. */
            problem_of(rd, name, lineno + 1, what, errnum == Z_ERRNO || errnum == Z_MEM_ERROR);
            broken = true;
            break;
        }
        if (n == 0)
            break;
        rd->st->bytes += (uint64_t)n;
        got += (uint64_t)n;
        size_t end = have + (size_t)n, start = 0;
        for (;;) {
            char *nl = memchr(buf + start, '\n', end - start);
            if (!nl)
                break;
            size_t len = (size_t)(nl - (buf + start));
            lineno++;
            if (skipping)
                skipping = false; /* the tail of an over-long line */
            else if (len > LOG_LINE_MAX)
                problem(rd, name, lineno, "line longer than 1 MiB, skipped");
            else
                emit(rd, name, lineno, buf + start, len);
            start += len + 1;
        }
        have = end - start;
        if (skipping) {
            have = 0;
        } else if (have >= LOG_LINE_MAX) {
            problem(rd, name, lineno + 1, "line longer than 1 MiB, skipped");
            skipping = true;
            have = 0;
        } else if (start) {
            memmove(buf, buf + start, have);
        }
        progress(rd, gz, false);
    }
    int errnum = Z_OK;
    gzerror(gz, &errnum);
    bool truncated = !broken && errnum == Z_BUF_ERROR;
    if (truncated)
        problem(rd, name, lineno + 1,
                have ? "the gzip stream is truncated; its partial last line is skipped"
                     : "the gzip stream is truncated (unexpected end of file)");
    else if (have && !skipping && !broken)
        emit(rd, name, lineno + 1, buf, have); /* a last line without a newline */
    else if (!got && !broken)
        problem(rd, name, 1, "the input is empty"); /* a log with no record is suspect */
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void read_path(struct reading *rd, const char *path, int depth);

static void read_dir(struct reading *rd, const char *path, int depth)
{
    DIR *d = opendir(path);
    if (!d) {
        problem(rd, path, 0, strerror(errno));
        rd->failed = 1;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue; /* hidden files, . and .. */
        if (n == cap) {
            char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
            if (!nn)
                break;
            names = nn;
        }
        if ((names[n] = strdup(e->d_name)))
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(path) + strlen(names[i]) + 2;
        char *child = malloc(len);
        if (child) {
            snprintf(child, len, "%s/%s", path, names[i]);
            read_path(rd, child, depth + 1);
            free(child);
        }
        free(names[i]);
    }
    free(names);
}

static void read_path(struct reading *rd, const char *path, int depth)
{
    if (strcmp(path, "-") == 0) {
        int fd = dup(STDIN_FILENO);
        gzFile gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
        if (!gz) {
            problem(rd, "<stdin>", 0, "cannot read stdin");
            rd->failed = 1;
            return;
        }
        rd->st->files++;
        read_stream(rd, gz, "<stdin>");
        gzclose(gz);
        return;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        problem(rd, path, 0, strerror(errno));
        rd->failed = 1;
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        if (depth >= MAX_DEPTH) {
            problem(rd, path, 0, "directories nested too deeply, skipped");
            return;
        }
        read_dir(rd, path, depth);
        return;
    }
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        problem(rd, path, 0, errno ? strerror(errno) : "cannot open");
        rd->failed = 1;
        return;
    }
    rd->st->files++;
    read_stream(rd, gz, path);
    gzclose(gz);
    rd->done_size += (uint64_t)st.st_size;
}

/* Sum of the on-disk sizes, for the progress percentage (0 when stdin is among them). */
static uint64_t size_of(const char *path, int depth)
{
    struct stat st;
    if (strcmp(path, "-") == 0 || stat(path, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode))
        return (uint64_t)st.st_size;
    DIR *d = depth < MAX_DEPTH ? opendir(path) : NULL;
    uint64_t total = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        total += size_of(child, depth + 1);
    }
    if (d)
        closedir(d);
    return total;
}

int log_read_paths(const struct log_reader *r, const char *const *paths, size_t n,
                   struct log_input_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    struct reading rd = {.r = r, .st = stats};
    rd.buf = malloc(BUF_SIZE);
    if (!rd.buf) {
        r->problem(r->ud, "<input>", 0, "out of memory", true);
        return -1;
    }
    clock_gettime(CLOCK_MONOTONIC, &rd.start);
    rd.last_progress = rd.start;
    if (r->progress) {
        for (size_t i = 0; i < n; i++) {
            uint64_t s = size_of(paths[i], 0);
            if (!s && strcmp(paths[i], "-") == 0) {
                rd.total_size = 0;
                break;
            }
            rd.total_size += s;
        }
    }
    for (size_t i = 0; i < n; i++)
        read_path(&rd, paths[i], 0);
    progress(&rd, NULL, true);
    free(rd.buf);
    return rd.failed ? -1 : 0;
}
