/*
 * Fuzz target: dnsfw-lint's --expect parser (tools/lint/expect_parse.c).
 *
 * Each input line is parsed; besides not crashing, the result must hold together: a
 * parsed line has a non-empty name that is a prefix of the line's first field, a known
 * action, a list only with an action other than NONE, and a column inside the line; a
 * bad line has a reason and a column at most one past its end. Writing a parsed line
 * back in the canonical form ("NAME/TYPE ACTION LIST") and parsing it again gives the
 * same expectation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz_expect: check failed: %s (line %d)\n", #c, __LINE__);            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static void one_line(const char *line, size_t len)
{
    struct expectation e;
    const char *reason = NULL;
    uint32_t col = 0;
    enum expect_parse r = expect_parse_line(line, len, &e, &reason, &col);
    if (r == EXPECT_BAD) {
        CHECK(reason && reason[0]);
        CHECK(col >= 1 && col <= len + 1);
        return;
    }
    if (r == EXPECT_BLANK)
        return;
    CHECK(r == EXPECT_OK);
    size_t nl = strlen(e.name);
    CHECK(nl > 0 && e.column >= 1 && e.column + nl - 1 <= len);
    CHECK(memcmp(line + e.column - 1, e.name, nl) == 0);
    CHECK(e.action == DNSFW_ACTION_ALLOW || e.action == DNSFW_ACTION_ALERT ||
          e.action == DNSFW_ACTION_BLOCK || e.action == DNSFW_ACTION_NONE);
    CHECK(!e.list[0] || e.action != DNSFW_ACTION_NONE);
    CHECK(!strchr(e.name, ' ') && !strchr(e.name, '#'));

    /* The canonical form parses back to the same expectation. */
    char type[32], again[DNSFW_NAME_TEXT_MAX + 200];
    if (dnsfw_qtype_format(e.qtype, type, sizeof type) != DNSFW_OK)
        snprintf(type, sizeof type, "TYPE%u", e.qtype);
    static const char *const names[] = {"NONE", "ALLOW", "ALERT", "BLOCK"};
    int n = snprintf(again, sizeof again, "%s/%s %s %s", e.name, type, names[e.action], e.list);
    CHECK(n > 0 && (size_t)n < sizeof again);
    struct expectation f;
    CHECK(expect_parse_line(again, (size_t)n, &f, &reason, &col) == EXPECT_OK);
    CHECK(!strcmp(f.name, e.name) && f.qtype == e.qtype && f.action == e.action &&
          !strcmp(f.list, e.list));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    while (p <= end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        one_line(p, len);
        if (!nl)
            break;
        p = nl + 1;
    }
    return 0;
}
