/* The policy as the checks see it: every entry with where it was written, and which rule
 * looks at each list. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint.h"
#include "strmap.h"

/* The key of a spec in a list: the list's number, then the spec (no text formatting: this
 * runs once or twice per entry). */
static size_t spec_key(uint32_t list, const char *spec, char *key)
{
    size_t n = strlen(spec);
    memcpy(key, &list, sizeof list);
    memcpy(key + sizeof list, spec, n);
    return n + sizeof list;
}

static int add_occ(struct lint *l, size_t *cap, const struct occurrence *o)
{
    if (l->n_occ == *cap) {
        size_t ncap = *cap ? *cap * 2 : 256;
        struct occurrence *nv = realloc(l->occ, ncap * sizeof *nv);
        if (!nv)
            return -1;
        l->occ = nv;
        *cap = ncap;
    }
    l->occ[l->n_occ++] = *o;
    return 0;
}

int lint_index(struct lint *l)
{
    const dnsfw_policy *p = l->policy;
    uint32_t n_lists = l->info.n_lists;
    size_t cap = 0;
    l->occ_of_list = calloc((size_t)n_lists + 1, sizeof *l->occ_of_list);
    l->uses = calloc(n_lists ? n_lists : 1, sizeof *l->uses);
    if (!l->occ_of_list || !l->uses)
        return -1;
    for (uint32_t list = 0; list < n_lists; list++) {
        l->occ_of_list[list] = l->n_occ;
        if (l->tiered && list == 2)
            continue; /* block-all's "*" is the platform's catch-all, nobody's entry */
        size_t n = dnsfw_policy_list_origins(p, list);
        if (n == 0) { /* built with the API, or the built-in default: one per spec */
            dnsfw_location none = {0};
            dnsfw_policy_list_location(p, list, &none);
            size_t size = dnsfw_policy_list_size(p, list);
            for (size_t i = 0; i < size; i++) {
                const char *s = dnsfw_policy_list_spec(p, list, i);
                if (l->tiered && list == 1 && !strcmp(s, "placeholder.invalid"))
                    continue; /* the construct's stand-in for an empty union */
                struct occurrence o = {.list = list, .spec = i, .text = s, .written = s};
                if (add_occ(l, &cap, &o))
                    return -1;
            }
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            dnsfw_spec_origin so;
            if (dnsfw_policy_list_origin(p, list, k, &so) != DNSFW_OK)
                continue;
            struct occurrence o = {.list = list,
                                   .spec = so.spec,
                                   .text = dnsfw_policy_list_spec(p, list, so.spec),
                                   .written = so.written,
                                   .where = so.where,
                                   .repo = so.repo,
                                   .preset = so.preset};
            if (add_occ(l, &cap, &o))
                return -1;
        }
    }
    l->occ_of_list[n_lists] = l->n_occ;
    if (!(l->by_spec = calloc(1, sizeof *l->by_spec)) ||
        !(l->occ_next = malloc((l->n_occ ? l->n_occ : 1) * sizeof *l->occ_next)))
        return -1;
    size_t *last = malloc((l->n_occ ? l->n_occ : 1) * sizeof *last); /* by first occurrence */
    if (!last)
        return -1;
    for (size_t k = 0; k < l->n_occ; k++) {
        char key[DNSFW_SPEC_MAX + 16];
        size_t n = spec_key(l->occ[k].list, l->occ[k].text, key);
        void **slot = strmap_slot(l->by_spec, key, n);
        l->occ_next[k] = SIZE_MAX;
        if (!slot) {
            free(last);
            return -1;
        }
        if (!*slot) {
            *slot = (void *)(uintptr_t)(k + 1);
            last[k] = k;
        } else {
            size_t first = (uintptr_t)*slot - 1;
            l->occ_next[last[first]] = k;
            last[first] = k;
        }
    }
    free(last);

    /* Which rule looks at each list: the first one in evaluation order. */
    uint32_t n_rules = dnsfw_matcher_rule_count(l->matcher);
    for (uint32_t r = 0; r < n_rules; r++) {
        dnsfw_rule_info ri;
        if (dnsfw_matcher_rule(l->matcher, r, DNSFW_SCOPE_ALL, &ri) != DNSFW_OK ||
            ri.domain_list >= n_lists)
            continue;
        struct list_use *u = &l->uses[ri.domain_list];
        if (ri.action == DNSFW_ACTION_ALLOW)
            u->allow = true;
        if (u->used)
            continue;
        u->used = true;
        u->group = ri.rule_group;
        u->priority = ri.rule_priority;
        u->rule = ri.rule;
    }
    for (uint32_t list = 0; list < n_lists; list++)
        dnsfw_policy_list_location(p, list, &l->uses[list].where);
    return 0;
}

void lint_index_free(struct lint *l)
{
    if (l->by_spec)
        strmap_free(l->by_spec, NULL);
    free(l->by_spec);
    free(l->occ_next);
    free(l->occ);
    free(l->occ_of_list);
    free(l->uses);
}

size_t lint_find_spec(const struct lint *l, uint32_t list, const char *spec)
{
    char key[DNSFW_SPEC_MAX + 16];
    size_t n = spec_key(list, spec, key);
    void *v = strmap_get(l->by_spec, key, n);
    return v ? (uintptr_t)v - 1 : SIZE_MAX;
}

static void set_location(const struct lint *l, struct finding *f, const dnsfw_location *w)
{
    if (w->file) {
        finding_set(&f->file, w->file);
        f->line = w->line;
        f->column = w->column;
    } else {
        finding_set(&f->file, l->policy_file);
    }
}

void lint_about_list(const struct lint *l, struct finding *f, uint32_t list)
{
    const struct list_use *u = &l->uses[list];
    finding_set(&f->domain_list, dnsfw_policy_list_name(l->policy, list));
    if (u->used) {
        finding_set(&f->rule_group, u->group);
        f->has_rule = true;
        f->rule_priority = u->priority;
        finding_set(&f->rule, u->rule);
    }
    set_location(l, f, &u->where);
}

void lint_about_occurrence(const struct lint *l, struct finding *f, const struct occurrence *o)
{
    lint_about_list(l, f, o->list);
    finding_set(&f->entry, o->text);
    finding_set(&f->repo, o->repo);
    finding_set(&f->preset, o->preset);
    if (o->where.file)
        set_location(l, f, &o->where);
}
