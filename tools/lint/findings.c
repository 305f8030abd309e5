/* The checks' table and the list of findings. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint.h"

const struct check_info lint_checks[CHECK_COUNT] = {
    [CHECK_ALLOW_ALL] = {"allow-all", SEV_ERROR, "an ALLOW entry that matches every name"},
    [CHECK_PUBLIC_SUFFIX_WILDCARD] =
        {"public-suffix-wildcard", SEV_ERROR,
         "ALLOW *.S where S is (or lies above) an ICANN public suffix"},
    [CHECK_OPEN_REGISTRATION] = {"open-registration", SEV_WARNING,
                                 "ALLOW *.S over names anyone can obtain (private-section public "
                                 "suffixes)"},
    [CHECK_SHADOWED] = {"shadowed", SEV_WARNING,
                        "an entry or a rule that can never decide: an earlier rule matches every "
                        "name it matches"},
    [CHECK_REDUNDANT] = {"redundant", SEV_NOTE,
                         "an entry that a broader entry of the same list already covers"},
    [CHECK_DUPLICATE] = {"duplicate", SEV_NOTE, "the same entry twice"},
    [CHECK_PLATFORM_REJECTS] = {"platform-rejects", SEV_WARNING,
                                "an entry the platform's construct rejects at synth time"},
    [CHECK_AWS_LIMIT] = {"aws-limit", SEV_ERROR, "over an AWS quota or format limit"},
    [CHECK_UNUSED] = {"unused", SEV_NOTE, "an ALLOW entry that decided no logged query"},
    [CHECK_NARROW] = {"narrow", SEV_WARNING, "a wildcard whose logged matches were a few names"},
    [CHECK_CHAIN_BLOCKED] = {"chain-blocked", SEV_WARNING,
                             "an allowed name whose CNAME chain enforce mode blocks"},
    [CHECK_EXPECT_FAILED] = {"expect-failed", SEV_ERROR, "a policy test that does not hold"},
};

const char *severity_name(enum severity s)
{
    return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "note";
}

void strlist_add(struct strlist *l, const char *s)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 4;
        char **nv = realloc(l->v, ncap * sizeof *nv);
        if (!nv)
            return;
        l->v = nv;
        l->cap = ncap;
    }
    if ((l->v[l->n] = strdup(s)))
        l->n++;
}

void strlist_free(struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

void finding_set(char **field, const char *value)
{
    free(*field);
    *field = value ? strdup(value) : NULL;
}

struct finding *finding_add(struct findings *f, enum check check, const char *fmt, ...)
{
    static struct finding sink; /* where findings go when memory runs out */
    if (f->n == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 64;
        struct finding *nv = realloc(f->v, ncap * sizeof *nv);
        if (!nv) {
            f->oom = true;
            memset(&sink, 0, sizeof sink);
            return &sink;
        }
        f->v = nv;
        f->cap = ncap;
    }
    struct finding *x = &f->v[f->n++];
    memset(x, 0, sizeof *x);
    x->check = check;
    x->severity = lint_checks[check].severity;
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    x->message = strdup(buf);
    if (!x->message)
        f->oom = true;
    return x;
}

static int cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

/* File order, then line and column, then the most severe first: a reader walks the file. */
static int cmp_finding(const void *pa, const void *pb)
{
    const struct finding *a = pa, *b = pb;
    int c = (a->file == NULL) - (b->file == NULL);
    if (c)
        return c;
    if ((c = cmp_str(a->file, b->file)))
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->column != b->column)
        return a->column < b->column ? -1 : 1;
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    if (a->check != b->check)
        return a->check < b->check ? -1 : 1;
    if ((c = cmp_str(a->entry, b->entry)))
        return c;
    return cmp_str(a->message, b->message);
}

void findings_sort(struct findings *f)
{
    if (f->n > 1)
        qsort(f->v, f->n, sizeof *f->v, cmp_finding);
}

void findings_free(struct findings *f)
{
    for (size_t i = 0; i < f->n; i++) {
        struct finding *x = &f->v[i];
        free(x->message);
        free(x->rule_group);
        free(x->rule);
        free(x->domain_list);
        free(x->entry);
        free(x->repo);
        free(x->preset);
        free(x->file);
        strlist_free(&x->names);
        strlist_free(&x->suffixes);
        strlist_free(&x->fixes);
    }
    free(f->v);
    memset(f, 0, sizeof *f);
}
