#include "outset.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"

static bool grow(struct buf *b, size_t more)
{
    if (b->failed)
        return false;
    if (b->len + more + 1 <= b->cap)
        return true;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < b->len + more + 1)
        ncap *= 2;
    char *nd = realloc(b->data, ncap);
    if (!nd) {
        b->failed = true;
        return false;
    }
    b->data = nd;
    b->cap = ncap;
    return true;
}

void buf_put(struct buf *b, const char *s, size_t len)
{
    if (!grow(b, len))
        return;
    memcpy(b->data + b->len, s, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !grow(b, (size_t)n)) {
        b->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void buf_free(struct buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

struct buf *outset_add(struct outset *o, const char *name, bool executable)
{
    if (o->n == o->cap) {
        size_t ncap = o->cap ? o->cap * 2 : 16;
        struct outfile **nf = realloc(o->files, ncap * sizeof *nf);
        if (!nf) {
            o->failed = true;
            return NULL;
        }
        o->files = nf;
        o->cap = ncap;
    }
    struct outfile *f = calloc(1, sizeof *f);
    if (!f || !(f->name = strdup(name))) {
        free(f);
        o->failed = true;
        return NULL;
    }
    f->executable = executable;
    o->files[o->n++] = f;
    return &f->content;
}

void outset_free(struct outset *o)
{
    for (size_t i = 0; i < o->n; i++) {
        free(o->files[i]->name);
        buf_free(&o->files[i]->content);
        free(o->files[i]);
    }
    free(o->files);
    memset(o, 0, sizeof *o);
}

bool outset_failed(const struct outset *o)
{
    if (o->failed)
        return true;
    for (size_t i = 0; i < o->n; i++)
        if (o->files[i]->content.failed)
            return true;
    return false;
}

static int write_file(const char *path, const struct outfile *f)
{
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        tool_warn("cannot write %s: %s", path, strerror(errno));
        return EXIT_SYSTEM;
    }
    bool ok =
        fwrite(f->content.data ? f->content.data : "", 1, f->content.len, fp) == f->content.len;
    ok &= fclose(fp) == 0;
    if (!ok) {
        tool_warn("cannot write %s: %s", path, strerror(errno));
        return EXIT_SYSTEM;
    }
    if (f->executable && chmod(path, 0755) != 0) {
        tool_warn("cannot make %s executable: %s", path, strerror(errno));
        return EXIT_SYSTEM;
    }
    return EXIT_CLEAN;
}

static bool dir_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return false;
    bool empty = true;
    for (struct dirent *e; empty && (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = false;
    closedir(d);
    return empty;
}

int outset_write(const struct outset *o, bool dir_format, const char *path, bool force)
{
    if (!dir_format) {
        const struct outfile *f = o->files[0];
        if (path && strcmp(path, "-") != 0)
            return write_file(path, f);
        if (fwrite(f->content.data ? f->content.data : "", 1, f->content.len, stdout) !=
                f->content.len ||
            fflush(stdout) != 0) {
            tool_warn("cannot write to stdout: %s", strerror(errno));
            return EXIT_SYSTEM;
        }
        return EXIT_CLEAN;
    }
    if (!path || strcmp(path, "-") == 0) {
        tool_warn("this format writes several files: name a directory with -o DIR");
        return EXIT_USAGE;
    }
    struct stat st;
    if (stat(path, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            tool_warn("%s exists and is not a directory", path);
            return EXIT_USAGE;
        }
        if (!force && !dir_empty(path)) {
            tool_warn("%s is not empty (use --force to write into it)", path);
            return EXIT_USAGE;
        }
    } else if (mkdir(path, 0777) != 0) {
        tool_warn("cannot create %s: %s", path, strerror(errno));
        return EXIT_SYSTEM;
    }
    for (size_t i = 0; i < o->n; i++) {
        size_t n = strlen(path) + strlen(o->files[i]->name) + 2;
        char *full = malloc(n);
        if (!full) {
            tool_warn("out of memory");
            return EXIT_SYSTEM;
        }
        snprintf(full, n, "%s/%s", path, o->files[i]->name);
        /* a file in a subfolder ("data/entries/entries.tsv"): make its folders */
        int rc = EXIT_CLEAN;
        for (char *slash = full + strlen(path) + 1; !rc && (slash = strchr(slash, '/')); slash++) {
            *slash = '\0';
            if (mkdir(full, 0777) != 0 && errno != EEXIST) {
                tool_warn("cannot create %s: %s", full, strerror(errno));
                rc = EXIT_SYSTEM;
            }
            *slash = '/';
        }
        if (!rc)
            rc = write_file(full, o->files[i]);
        free(full);
        if (rc)
            return rc;
    }
    return EXIT_CLEAN;
}
