/* --expect FILE: each line that does not hold is an expect-failed finding at its line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "expect.h"
#include "lint.h"

static void check_line(struct lint *l, const char *path, uint32_t lineno,
                       const struct expectation *e, bool *invalid)
{
    dnsfw_verdict v;
    int rc = dnsfw_eval(l->matcher, e->name, strlen(e->name), e->qtype, l->scope, &v);
    if (rc) {
        tool_warn("%s:%u:%u: %s: \"%s\"", path, lineno, e->column, dnsfw_strerror(rc), e->name);
        *invalid = true;
        return;
    }
    dnsfw_explanation why;
    if (dnsfw_explain(l->matcher, &v, l->scope, &why) != DNSFW_OK)
        return;
    bool list_ok = !e->list[0] || (why.domain_list && !strcmp(why.domain_list, e->list));
    if (v.action == e->action && list_ok)
        return;
    char type[16] = "A", got[700];
    (void)dnsfw_qtype_format(e->qtype, type, sizeof type);
    if (why.rule_group)
        snprintf(got, sizeof got, "%s (rule_group=%s rule_priority=%u domain_list=%s entry=%s%s%s)",
                 dnsfw_action_name(v.action), why.rule_group, why.rule_priority, why.domain_list,
                 why.entry, why.preset ? " preset=" : "", why.preset ? why.preset : "");
    else
        snprintf(got, sizeof got, "NONE (no rule matched)");
    struct finding *f =
        finding_add(&l->findings, CHECK_EXPECT_FAILED, "%s/%s: expected %s%s%s, got %s", e->name,
                    type, dnsfw_action_name(e->action), e->list[0] ? " from " : "", e->list, got);
    finding_set(&f->file, path);
    f->line = lineno;
    f->column = e->column;
    if (why.rule_group) {
        finding_set(&f->rule_group, why.rule_group);
        f->has_rule = true;
        f->rule_priority = why.rule_priority;
        finding_set(&f->rule, why.rule);
        finding_set(&f->domain_list, why.domain_list);
        finding_set(&f->entry, why.entry);
        finding_set(&f->preset, why.preset);
    }
    strlist_add(&f->names, e->name);
}

int check_expect(struct lint *l, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        tool_warn("%s: %s", path, strerror(errno));
        return EXIT_SYSTEM;
    }
    char *line = NULL;
    size_t cap = 0;
    uint32_t lineno = 0;
    bool invalid = false;
    for (ssize_t n; (n = getline(&line, &cap, f)) >= 0;) {
        lineno++;
        size_t len = (size_t)n;
        if (len && line[len - 1] == '\n')
            len--;
        struct expectation e;
        const char *reason = NULL;
        uint32_t col;
        switch (expect_parse_line(line, len, &e, &reason, &col)) {
        case EXPECT_BLANK:
            break;
        case EXPECT_BAD:
            tool_warn("%s:%u:%u: %s", path, lineno, col, reason);
            invalid = true;
            break;
        case EXPECT_OK:
            check_line(l, path, lineno, &e, &invalid);
            break;
        }
    }
    bool failed = ferror(f);
    free(line);
    if (f != stdin)
        fclose(f);
    if (failed) {
        tool_warn("%s: read error", path);
        return EXIT_SYSTEM;
    }
    return invalid ? EXIT_INVALID : 0;
}
