/* What every dnsfw tool shares: exit codes, policy loading, diagnostics, JSON strings. */
#ifndef DNSFW_TOOLS_COMMON_H
#define DNSFW_TOOLS_COMMON_H

#include <stdbool.h>
#include <stdio.h>

#include <dnsfw/dnsfw.h>

/* Exit status of every tool (contract §2). */
enum {
    EXIT_CLEAN = 0,   /* success, nothing (would be) blocked */
    EXIT_BLOCKED = 1, /* success, at least one query (would be) blocked */
    EXIT_USAGE = 2,   /* bad option, unknown scope */
    EXIT_INVALID = 3, /* invalid policy or input data; outranks EXIT_BLOCKED */
    EXIT_SYSTEM = 4,  /* I/O or system error */
};

/* Set the name used as the prefix of diagnostics ("dnsfw-eval"). */
void tool_set_name(const char *name);
const char *tool_name(void);

/* "dnsfw-eval: message" on stderr. */
void tool_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "NAME VERSION (libdnsfw VERSION)" on stdout. */
void tool_print_version(void);

/*
 * Flush stdout after --help or --version: EXIT_CLEAN, or EXIT_SYSTEM with a message when
 * it could not be written (a full disk, a closed pipe).
 */
int tool_finish_stdout(void);

/*
 * Load the policy named by path ("-" = stdin, NULL = the embedded default) within limits
 * (NULL: the library's defaults; stdin is read within limits->max_bytes too), apply a
 * mode override (NULL = keep), and report failures on stderr. Returns EXIT_CLEAN,
 * EXIT_INVALID (also a policy over the size limit), EXIT_USAGE or EXIT_SYSTEM (also one
 * that does not deliver in time).
 */
int tool_load_policy_limited(const char *path, const char *mode, const dnsfw_load_limits *limits,
                             dnsfw_policy **out);

/*
 * --max-policy-bytes and the like: a whole number of bytes, or with a K, M or G suffix
 * (KiB, MiB, GiB), from 1 to 2^40. Reports a bad value under opt and returns false.
 */
bool tool_parse_size(const char *arg, const char *opt, size_t *out);

/* For the tools that evaluate: say on stderr which lists are AWS-managed, whose contents
 * are AWS's (evaluated with their local stand-in, or matching nothing). */
void tool_note_managed_lists(const dnsfw_policy *p);

/*
 * Report what getopt_long() (run with opterr = 0 and an optstring starting with ':')
 * refused — an unknown option (opt '?') or a missing argument (opt ':') — under the
 * tool's own name, with a pointer to --help. Returns EXIT_USAGE.
 */
int tool_option_error(int opt, char **argv);

/* Map a library status to the exit code it stands for. */
int tool_exit_for_status(int status);

/* Write s as a JSON string (quotes included). */
void tool_json_string(FILE *f, const char *s);

/* Write s, or null when s is NULL. */
void tool_json_string_or_null(FILE *f, const char *s);

#endif
