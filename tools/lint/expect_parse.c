#include <string.h>

#include "expect.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* The next field at *pos: its start and length; 0 at the end of the line or a comment. */
static size_t field(const char *line, size_t len, size_t *pos, size_t *start)
{
    while (*pos < len && is_blank(line[*pos]))
        (*pos)++;
    *start = *pos;
    if (*pos >= len || line[*pos] == '#')
        return 0;
    while (*pos < len && !is_blank(line[*pos]) && line[*pos] != '#')
        (*pos)++;
    return *pos - *start;
}

static const struct {
    const char *name;
    dnsfw_action action;
} actions[] = {{"ALLOW", DNSFW_ACTION_ALLOW},
               {"ALERT", DNSFW_ACTION_ALERT},
               {"BLOCK", DNSFW_ACTION_BLOCK},
               {"NONE", DNSFW_ACTION_NONE}};

enum expect_parse expect_parse_line(const char *line, size_t len, struct expectation *out,
                                    const char **reason, uint32_t *column)
{
    size_t pos = 0, s;
    memset(out, 0, sizeof *out);
    *column = 1;
    if (memchr(line, '\0', len)) {
        *reason = "a NUL byte in the line";
        return EXPECT_BAD;
    }
    size_t n = field(line, len, &pos, &s);
    if (n == 0)
        return EXPECT_BLANK;
    *column = (uint32_t)s + 1;
    out->column = *column;
    /* "NAME/TYPE": the last '/' splits (a label may hold a '/', rare as it is). */
    const char *slash = NULL;
    for (size_t k = n; k-- > 0 && !slash;)
        if (line[s + k] == '/')
            slash = line + s + k;
    size_t name_len = slash ? (size_t)(slash - (line + s)) : n;
    if (name_len == 0 || name_len >= sizeof out->name) {
        *reason = name_len ? "the name is too long" : "the name is empty";
        return EXPECT_BAD;
    }
    memcpy(out->name, line + s, name_len);
    out->qtype = 1;
    if (slash) {
        size_t tl = n - name_len - 1;
        if (dnsfw_qtype_parse(slash + 1, tl, &out->qtype) != DNSFW_OK) {
            *column = (uint32_t)(slash + 1 - line) + 1;
            *reason = "unknown query type after '/'";
            return EXPECT_BAD;
        }
    }
    n = field(line, len, &pos, &s);
    if (n == 0) {
        *column = (uint32_t)s + 1;
        *reason = "expected \"NAME[/TYPE] ACTION [DOMAIN_LIST]\": the action is missing";
        return EXPECT_BAD;
    }
    size_t i = 0;
    for (; i < sizeof actions / sizeof actions[0]; i++)
        if (strlen(actions[i].name) == n && memcmp(actions[i].name, line + s, n) == 0)
            break;
    if (i == sizeof actions / sizeof actions[0]) {
        *column = (uint32_t)s + 1;
        *reason = "the action must be ALLOW, ALERT, BLOCK or NONE";
        return EXPECT_BAD;
    }
    out->action = actions[i].action;
    /* The list: the rest of the line up to a comment, blanks trimmed. */
    while (pos < len && is_blank(line[pos]))
        pos++;
    size_t end = pos;
    while (end < len && line[end] != '#')
        end++;
    while (end > pos && is_blank(line[end - 1]))
        end--;
    if (end > pos) {
        if (out->action == DNSFW_ACTION_NONE) {
            *column = (uint32_t)pos + 1;
            *reason = "NONE means no rule matched: it takes no domain list";
            return EXPECT_BAD;
        }
        if (end - pos >= sizeof out->list) {
            *column = (uint32_t)pos + 1;
            *reason = "the domain list name is longer than 64 characters";
            return EXPECT_BAD;
        }
        memcpy(out->list, line + pos, end - pos);
    }
    return EXPECT_OK;
}
