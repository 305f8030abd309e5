/*
 * What an export produces, held in memory until every check has passed: one buffer for
 * a single-file format, or named files for a directory. Nothing reaches the disk before
 * outset_write(), so a failed check never leaves half an export behind.
 */
#ifndef DNSFW_TOOLS_OUTSET_H
#define DNSFW_TOOLS_OUTSET_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
    char *data;
    size_t len, cap;
    bool failed; /* an allocation failed; the content is incomplete */
};

void buf_put(struct buf *b, const char *s, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);

struct outfile {
    char *name; /* relative to the output directory */
    struct buf content;
    bool executable;
};

struct outset {
    struct outfile **files; /* each file allocated alone: its buffer never moves */
    size_t n, cap;
    bool failed;
};

/* A new file of the set (its buffer to fill, valid until outset_free()); NULL when out of
 * memory. */
struct buf *outset_add(struct outset *o, const char *name, bool executable);
void outset_free(struct outset *o);
/* Out of memory anywhere in the set. */
bool outset_failed(const struct outset *o);

/*
 * Write the set. dir_format: the format writes a directory, path names it (required);
 * else the set has one file, written to path, or stdout when path is NULL or "-".
 * A directory that exists must be empty unless force. Reports errors; returns an exit
 * code (EXIT_CLEAN, EXIT_USAGE, EXIT_SYSTEM).
 */
int outset_write(const struct outset *o, bool dir_format, const char *path, bool force);

#endif
