/* Printing verdicts: the contract's JSON keys (one object a line) or an aligned text line. */
#ifndef DNSFW_TOOLS_VERDICT_OUT_H
#define DNSFW_TOOLS_VERDICT_OUT_H

#include <stdio.h>

#include <dnsfw/dnsfw.h>

struct verdict_line {
    const char *query_name; /* normalised, trailing dot */
    const char *query_type; /* mnemonic */
    const dnsfw_verdict *verdict;
    const dnsfw_explanation *why;
    const char *hop_name; /* the chain name that decided, when verdict->hop > 0 */
    const char *suffix;   /* text output: appended before the newline, may be NULL */
};

/*
 * Write the JSON object's members without the closing brace, so that a caller can add
 * its own members before calling verdict_json_end().
 */
void verdict_json_begin(FILE *f, const struct verdict_line *l);
void verdict_json_end(FILE *f);

/* One aligned text line, newline included. */
void verdict_text(FILE *f, const struct verdict_line *l);

/* A short aligned line (--brief): action, name, type, entry, domain list; under 100
 * columns for names up to 32 characters. */
void verdict_brief(FILE *f, const struct verdict_line *l);

#endif
