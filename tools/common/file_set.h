/*
 * The files and directories a walk has met, by device and inode, so that a tree with
 * symbolic links is read once: a link loop would replay a file again and again, and two
 * loops make the walk exponential.
 */
#ifndef DNSFW_TOOLS_FILE_SET_H
#define DNSFW_TOOLS_FILE_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct file_set {
    struct file_id *slots;
    size_t cap, count;
};

/*
 * Add st's file. Returns 1 when it was new, 0 when the set had it already, -1 when out
 * of memory (the caller reads it anyway: better twice than not at all).
 */
int file_set_add(struct file_set *s, const struct stat *st);
void file_set_free(struct file_set *s);

#endif
