/*
 * Reading query logs line by line: plain files, gzip files (as Resolver delivers them
 * to S3; zlib reads both transparently), directory trees in name order, and stdin.
 */
#ifndef DNSFW_TOOLS_LOG_INPUT_H
#define DNSFW_TOOLS_LOG_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest line handed over; longer ones are reported and skipped whole. */
#define LOG_LINE_MAX (1024 * 1024)

struct log_reader {
    /* A complete line without its newline (a final line without one included). */
    void (*line)(void *ud, const char *file, uint64_t lineno, const char *text, size_t len);
    /* Something wrong at a place in the input: a line too long, a truncated gzip
     * stream, a partial last line (the input's fault), or a file that could not be opened
     * (lineno 0) or read on, for lack of memory or an I/O error (system: the machine's
     * fault, not the input's). The run goes on. */
    void (*problem)(void *ud, const char *file, uint64_t lineno, const char *what, bool system);
    void *ud;
    bool progress; /* a progress line on stderr */
};

struct log_input_stats {
    uint64_t files;
    uint64_t lines;
    uint64_t bytes;    /* uncompressed bytes read */
    uint64_t problems; /* calls of problem() */
};

/*
 * Read every path ("-" = stdin; directories recursively). Returns 0, or -1 when some
 * input could not be opened or read at all (already reported through problem()).
 */
int log_read_paths(const struct log_reader *r, const char *const *paths, size_t n,
                   struct log_input_stats *stats);

#endif
