/*
 * The Public Suffix List for the wildcard checks. libpsl classifies a name (ICANN or
 * private section, with its wildcard and exception rules); to list the suffixes that lie
 * under a wildcard's name — what "*.amazonaws.com" lets anyone register inside it — the
 * same file's rules are read and indexed by every name at or above them. Debian's list
 * (the publicsuffix package) by default, --psl FILE for a newer one. Rules outside ASCII
 * are skipped: no domain spec can lie above them.
 */
#include <errno.h>
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "lint.h"
#include "strmap.h"

#define DEBIAN_PSL "/usr/share/publicsuffix/public_suffix_list.dat"

struct rule_ref {
    uint32_t rule;
    uint32_t next; /* UINT32_MAX ends the chain */
};

struct psl_rules {
    psl_ctx_t *psl;
    char **rules; /* as written */
    bool *private_section;
    size_t n, cap;
    struct strmap at_or_above; /* name -> first ref + 1 */
    struct rule_ref *refs;
    size_t n_refs, cap_refs;
};

static int add_ref(struct psl_rules *p, const char *name, size_t len, uint32_t rule)
{
    void **slot = strmap_slot(&p->at_or_above, name, len);
    if (!slot)
        return -1;
    if (p->n_refs == p->cap_refs) {
        size_t ncap = p->cap_refs ? p->cap_refs * 2 : 1024;
        struct rule_ref *nr = realloc(p->refs, ncap * sizeof *nr);
        if (!nr)
            return -1;
        p->refs = nr;
        p->cap_refs = ncap;
    }
    uint32_t head = *slot ? (uint32_t)((uintptr_t)*slot - 1) : UINT32_MAX;
    p->refs[p->n_refs] = (struct rule_ref){.rule = rule, .next = head};
    *slot = (void *)(uintptr_t)(++p->n_refs);
    return 0;
}

static int add_rule(struct psl_rules *p, const char *text, size_t len, bool private_section)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] >= 0x80)
            return 0;
    if (p->n == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 1024;
        char **nr = realloc(p->rules, ncap * sizeof *nr);
        bool *np = realloc(p->private_section, ncap * sizeof *np);
        if (nr)
            p->rules = nr;
        if (np)
            p->private_section = np;
        if (!nr || !np)
            return -1;
        p->cap = ncap;
    }
    char *r = strndup(text, len);
    if (!r)
        return -1;
    for (char *c = r; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    uint32_t id = (uint32_t)p->n;
    p->rules[p->n] = r;
    p->private_section[p->n++] = private_section;
    const char *base = r[0] == '!' ? r + 1 : strncmp(r, "*.", 2) == 0 ? r + 2 : r;
    for (const char *n = base; n; n = strchr(n, '.') ? strchr(n, '.') + 1 : NULL)
        if (add_ref(p, n, strlen(n), id))
            return -1;
    return 0;
}

static int read_rules(struct psl_rules *p, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    bool private_section = false;
    int rc = 0;
    for (ssize_t n; !rc && (n = getline(&line, &cap, f)) >= 0;) {
        if (strstr(line, "===BEGIN PRIVATE DOMAINS==="))
            private_section = true;
        else if (strstr(line, "===BEGIN ICANN DOMAINS==="))
            private_section = false;
        if (line[0] == '/' || line[0] == '\n' || line[0] == '\r' || line[0] == ' ')
            continue;
        size_t len = strcspn(line, " \t\r\n");
        if (len)
            rc = add_rule(p, line, len, private_section);
    }
    free(line);
    if (ferror(f))
        rc = -1;
    fclose(f);
    return rc;
}

int psl_rules_load(const char *path, struct psl_rules **out)
{
    const char *file = path ? path : DEBIAN_PSL;
    struct psl_rules *p = calloc(1, sizeof *p);
    if (!p) {
        tool_warn("out of memory");
        return -1;
    }
    p->psl = psl_load_file(file);
    if (!p->psl || read_rules(p, file) != 0 || p->n == 0) {
        tool_warn("cannot read the public suffix list %s%s%s", file, errno ? ": " : "",
                  errno ? strerror(errno) : "");
        if (!path)
            tool_warn("install Debian's publicsuffix package or pass --psl FILE");
        psl_rules_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

void psl_rules_free(struct psl_rules *p)
{
    if (!p)
        return;
    psl_free(p->psl);
    for (size_t i = 0; i < p->n; i++)
        free(p->rules[i]);
    free(p->rules);
    free(p->private_section);
    free(p->refs);
    strmap_free(&p->at_or_above, NULL);
    free(p);
}

bool psl_is_icann(const struct psl_rules *p, const char *name)
{
    return psl_is_public_suffix2(p->psl, name, PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE) != 0;
}

bool psl_is_private(const struct psl_rules *p, const char *name)
{
    return psl_is_public_suffix2(p->psl, name, PSL_TYPE_PRIVATE | PSL_TYPE_NO_STAR_RULE) != 0;
}

static size_t labels(const char *s)
{
    size_t n = 1;
    for (; *s; s++)
        n += *s == '.';
    return n;
}

/* The suffixes closest to the name first ("s3.amazonaws.com" before the regional ones). */
static int cmp_rules(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    size_t lx = labels(x), ly = labels(y);
    return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x, y);
}

void psl_rules_below(const struct psl_rules *p, const char *name, bool private_section,
                     struct strlist *out)
{
    void *v = strmap_get(&p->at_or_above, name, strlen(name));
    size_t first = out->n;
    for (uint32_t r = v ? (uint32_t)((uintptr_t)v - 1) : UINT32_MAX; r != UINT32_MAX;
         r = p->refs[r].next) {
        uint32_t id = p->refs[r].rule;
        if (p->private_section[id] == private_section && p->rules[id][0] != '!')
            strlist_add(out, p->rules[id]);
    }
    if (out->n - first > 1)
        qsort(out->v + first, out->n - first, sizeof *out->v, cmp_rules);
}
