/*
 * --expect FILE: policy tests, a line each (contract §6):
 *
 *     NAME[/TYPE] ACTION [DOMAIN_LIST]    # comment
 *
 * ACTION is ALLOW, ALERT, BLOCK or NONE (no rule matches); TYPE a query type (default
 * A); DOMAIN_LIST the list whose entry must decide (its name may contain spaces and
 * apostrophes, as AWS allows: the rest of the line). Blank lines and '#' comments are
 * skipped. The parser is a pure function (fuzz/fuzz_expect.c).
 */
#ifndef DNSFW_TOOLS_EXPECT_H
#define DNSFW_TOOLS_EXPECT_H

#include <stddef.h>
#include <stdint.h>

#include <dnsfw/dnsfw.h>

struct expectation {
    char name[DNSFW_NAME_TEXT_MAX]; /* as written */
    uint16_t qtype;
    dnsfw_action action;
    char list[72];   /* "" when not given */
    uint32_t column; /* 1-based column of the name */
};

enum expect_parse { EXPECT_OK, EXPECT_BLANK, EXPECT_BAD };

/* Parse one line (without its newline). EXPECT_BAD sets *reason (static) and *column. */
enum expect_parse expect_parse_line(const char *line, size_t len, struct expectation *out,
                                    const char **reason, uint32_t *column);

#endif
