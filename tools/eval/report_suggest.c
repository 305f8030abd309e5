/*
 * Allowlist suggestions: entries that make the observed traffic pass in enforce mode.
 *
 * The names to allow are the query names blocked by their own verdict and the chain
 * hops that blocked allowlisted names, each seen at least --min-count times. Within one
 * registrable domain, a parent with at least --wildcard-min distinct names below it gets
 * "*.parent" (the deepest such parent first, so wildcards stay narrow); a wildcard never
 * sits above the registrable domain, so it never covers a public suffix. Every other
 * name gets an exact entry. A name that is not a valid spec (an underscore label, say)
 * can only be covered by a wildcard on its nearest valid parent.
 *
 * Kept apart, never suggested: names AWS already BLOCKed in the logs by a list that is
 * not a catch-all (a threat list: nobody should allowlist what it blocked; without
 * --deployed every logged BLOCK counts as such), names whose every answer was NXDOMAIN
 * (they need no entry), and names queried only in another class than IN. An entry's
 * counts are the query names it covers and their queries; the CNAME hops it covers are
 * counted apart (their queries are the query names' own).
 */
#include <stdlib.h>
#include <string.h>

#include "deployed.h"
#include "report_data.h"
#include "strmap.h"

struct cand {
    const char *name;   /* without the trailing dot: the key in the candidates' map */
    const char *domain; /* registrable domain, a suffix of name; "" when none */
    uint64_t queries;   /* of the query name (0 for a name seen only as a hop) */
    bool is_name;       /* a query name, not only a CNAME hop */
    bool valid;         /* usable as an exact spec */
    bool covered;       /* by a wildcard already chosen */
};

struct suggestion {
    const char *base; /* the entry, or for a wildcard the parent below "*." */
    bool wildcard;
    uint64_t names, hops, queries;
    const char *examples[3];
    uint32_t n_examples;
};

static size_t labels(const char *s)
{
    size_t n = 1;
    for (; *s; s++)
        n += *s == '.';
    return n;
}

/* Is a a proper ancestor of n (n ends with "." a)? */
static bool below(const char *n, const char *a)
{
    size_t ln = strlen(n), la = strlen(a);
    return ln > la + 1 && n[ln - la - 1] == '.' && strcmp(n + ln - la, a) == 0;
}

static bool spec_ok(const char *name);

/* The registrable domain of bare as a suffix of it, "" when it has none (a public suffix
 * or a single label). known: the one the report computed for the name, or NULL. */
static const char *domain_of(const psl_ctx_t *psl, const char *bare, const char *known)
{
    size_t len = strlen(bare);
    if (known) {
        size_t kl = strlen(known);
        if (kl <= len && strcmp(bare + len - kl, known) == 0 &&
            (kl == len || bare[len - kl - 1] == '.'))
            return kl == len && !psl_registrable_domain(psl, bare) ? "" : bare + len - kl;
    }
    const char *rd = psl_registrable_domain(psl, bare); /* points into bare */
    return rd ? rd : "";
}

static void add_candidate(struct strmap *m, const psl_ctx_t *psl, const char *name,
                          const char *domain, uint64_t q, bool is_name, bool *oom)
{
    size_t len = strlen(name);
    if (len > 1 && name[len - 1] == '.')
        len--;
    void **slot = strmap_slot(m, name, len);
    if (!slot || (!*slot && !(*slot = calloc(1, sizeof(struct cand))))) {
        *oom = true;
        return;
    }
    struct cand *c = *slot;
    if (!c->name) {
        c->name = strmap_key(slot);
        c->domain = domain_of(psl, c->name, domain);
        c->valid = spec_ok(c->name);
    }
    if (is_name) {
        c->is_name = true;
        c->queries += q;
    }
}

static int cmp_cand(const void *a, const void *b)
{
    const struct cand *x = *(struct cand *const *)a, *y = *(struct cand *const *)b;
    int c = strcmp(x->domain, y->domain);
    return c ? c : strcmp(x->name, y->name);
}

/* In the order of the entries as text: "*." sorts before every name's first character. */
static int cmp_suggestion(const void *a, const void *b)
{
    const struct suggestion *x = a, *y = b;
    if (x->wildcard != y->wildcard)
        return x->wildcard ? -1 : 1;
    return strcmp(x->base, y->base);
}

static void entry_text(const struct suggestion *s, char *out, size_t size)
{
    snprintf(out, size, "%s%s", s->wildcard ? "*." : "", s->base);
}

static void note(struct suggestion *s, const struct cand *c)
{
    if (c->is_name)
        s->names++;
    else
        s->hops++;
    s->queries += c->queries;
    if (s->n_examples < 3)
        s->examples[s->n_examples++] = c->name;
}

static bool spec_ok(const char *name)
{
    char norm[DNSFW_SPEC_MAX + 1];
    return name[0] != '*' &&
           dnsfw_spec_normalize(name, strlen(name), norm, sizeof norm, NULL) == DNSFW_OK;
}

/* The ancestor of name with depth labels. */
static const char *ancestor(const char *name, size_t depth)
{
    for (size_t k = labels(name); k > depth; k--)
        name = strchr(name, '.') + 1;
    return name;
}

struct parent {
    const char *name; /* points into a candidate's name */
    size_t depth;
    size_t count; /* uncovered candidates below it */
    bool forced;  /* the nearest valid parent of a candidate that is not a valid spec */
};

static int cmp_parent(const void *a, const void *b)
{
    const struct parent *x = *(struct parent *const *)a, *y = *(struct parent *const *)b;
    if (x->depth != y->depth)
        return x->depth < y->depth ? 1 : -1;
    return strcmp(x->name, y->name);
}

/*
 * Wildcards are chosen deepest first; a shallower one chosen afterwards for the names
 * left over makes the deeper ones below it redundant: fold them into it.
 */
static void merge_nested(struct suggestion *w, size_t *n_out, size_t first)
{
    size_t n = *n_out - first;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            if (i == j || !(w[i].names + w[i].hops) || !(w[j].names + w[j].hops) ||
                !below(w[i].base, w[j].base))
                continue;
            w[j].names += w[i].names;
            w[j].hops += w[i].hops;
            w[j].queries += w[i].queries;
            for (uint32_t k = 0; k < w[i].n_examples && w[j].n_examples < 3; k++)
                w[j].examples[w[j].n_examples++] = w[i].examples[k];
            w[i].names = w[i].hops = 0; /* dropped */
            break;
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (w[i].names + w[i].hops)
            w[kept++] = w[i];
    *n_out = first + kept;
}

/* Choose the wildcards among one registrable domain's candidates c[0..n). */
static void wildcards(struct cand **c, size_t n, unsigned min, struct suggestion *out,
                      size_t *n_out, bool *oom)
{
    size_t first = *n_out;
    const char *domain = c[0]->domain;
    if (!*domain)
        return; /* no registrable domain: a public suffix or a single label; exact only */
    size_t top = labels(domain);
    struct strmap index = {0}; /* parent name -> struct parent * */
    struct parent *p = NULL;
    size_t np = 0, cap = 0;
    for (size_t i = 0; i < n; i++) {
        bool need = !c[i]->valid;
        for (size_t d = labels(c[i]->name) - 1; d >= top && d > 0; d--) {
            const char *a = ancestor(c[i]->name, d);
            void **slot = strmap_slot(&index, a, strlen(a));
            if (!slot)
                goto oom;
            if (!*slot) {
                if (np == cap) {
                    size_t ncap = cap ? cap * 2 : 16;
                    struct parent *np2 = realloc(p, ncap * sizeof *p);
                    if (!np2)
                        goto oom;
                    p = np2;
                    cap = ncap;
                }
                p[np] = (struct parent){.name = a, .depth = d};
                *slot = (void *)(uintptr_t)(np + 1);
                np++;
            }
            struct parent *pa = &p[(uintptr_t)*slot - 1];
            pa->count++;
            if (need && spec_ok(a)) {
                pa->forced = true;
                need = false;
            }
        }
    }
    struct parent **order = malloc((np ? np : 1) * sizeof *order);
    if (!order)
        goto oom;
    for (size_t k = 0; k < np; k++)
        order[k] = &p[k];
    qsort(order, np, sizeof *order, cmp_parent);
    for (size_t k = 0; k < np; k++) {
        struct parent *pk = order[k];
        if ((pk->count < min && !pk->forced) || !spec_ok(pk->name))
            continue;
        struct suggestion *s = &out[(*n_out)++];
        memset(s, 0, sizeof *s);
        s->base = pk->name;
        s->wildcard = true;
        for (size_t j = 0; j < n; j++) {
            if (c[j]->covered || !below(c[j]->name, pk->name))
                continue;
            c[j]->covered = true;
            note(s, c[j]);
            for (size_t d = pk->depth - 1; d >= top && d > 0; d--) { /* shallower parents */
                const char *a = ancestor(c[j]->name, d);
                void *v = strmap_get(&index, a, strlen(a));
                if (v)
                    p[(uintptr_t)v - 1].count--;
            }
        }
        if (!s->names && !s->hops)
            (*n_out)--; /* everything below was covered by deeper wildcards already */
    }
    free(order);
    merge_nested(out + first, n_out, first);
    goto done;
oom:
    *oom = true;
done:
    strmap_free(&index, NULL);
    free(p);
}

/* An entry's JSON object; NULL when out of memory. */
static cJSON *entry_object(const struct suggestion *sg, const char *entry)
{
    cJSON *e = cJSON_CreateObject(), *ex = cJSON_CreateArray();
    bool ok = e && ex;
    for (uint32_t k = 0; ok && k < sg->n_examples; k++)
        ok = cJSON_AddItemToArray(ex, cJSON_CreateString(sg->examples[k]));
    ok = ok && cJSON_AddStringToObject(e, "entry", entry) &&
         cJSON_AddNumberToObject(e, "names", (double)sg->names) &&
         cJSON_AddNumberToObject(e, "hops", (double)sg->hops) &&
         cJSON_AddNumberToObject(e, "queries", (double)sg->queries);
    if (ok && cJSON_AddItemToObject(e, "examples", ex))
        return e;
    cJSON_Delete(e);
    cJSON_Delete(ex); /* not attached to e */
    return NULL;
}

const char *report_not_suggested(const struct report_options *o, const struct name_stat *s)
{
    for (uint32_t i = 0; s->logged_block && i < s->block_lists.n; i++)
        if (!deployed_list_is_catch_all(o->deployed, s->block_lists.v[i]))
            return "logged_block";
    if (s->logged_block && !s->block_lists.n)
        return "logged_block"; /* a BLOCK without a list id: not the policy's catch-all */
    if (s->count && s->nxdomain == s->count)
        return "nxdomain";
    if (s->count && s->other_class == s->count)
        return "other_class";
    return NULL;
}

/* A name kept out of the suggestions, with why (and the lists that BLOCKed it). */
static bool not_suggested(cJSON *apart, const struct report_options *o, const char *name,
                          const struct name_stat *s, const char *why)
{
    cJSON *x = cJSON_CreateObject();
    if (!x || !cJSON_AddItemToArray(apart, x))
        return cJSON_Delete(x), false;
    bool ok = cJSON_AddStringToObject(x, "name", name) &&
              cJSON_AddStringToObject(x, "reason", why) &&
              cJSON_AddNumberToObject(x, "queries", (double)(s->own_blocked + s->chain_blocked));
    if (ok && !strcmp(why, "logged_block")) {
        cJSON *lists = cJSON_AddArrayToObject(x, "blocked_by");
        for (uint32_t i = 0; ok && lists && i < s->block_lists.n; i++) {
            cJSON *l = cJSON_CreateObject();
            const char *lname = deployed_list_name(o->deployed, s->block_lists.v[i]);
            ok = l && cJSON_AddItemToArray(lists, l) &&
                 cJSON_AddStringToObject(l, "firewall_domain_list_id", s->block_lists.v[i]) &&
                 (lname ? cJSON_AddStringToObject(l, "domain_list", lname)
                        : cJSON_AddNullToObject(l, "domain_list"));
        }
        ok = ok && lists;
    }
    return ok;
}

cJSON *report_suggestions(const struct report_options *o, const psl_ctx_t *psl,
                          const struct named *v, size_t n, bool *oom)
{
    unsigned min = o->min_count ? o->min_count : 1;
    unsigned wmin = o->wildcard_min ? o->wildcard_min : 3;
    struct strmap cands = {0};
    cJSON *apart = cJSON_CreateArray();
    for (size_t i = 0; i < n && !*oom; i++) {
        const struct name_stat *s = v[i].value;
        uint64_t blocked = s->own_blocked + s->chain_blocked;
        const char *why = blocked ? report_not_suggested(o, s) : NULL;
        if (why) {
            if (blocked >= min && !not_suggested(apart, o, v[i].key, s, why))
                *oom = true;
            continue;
        }
        if (s->own_blocked >= min)
            add_candidate(&cands, psl, v[i].key, s->domain, s->own_blocked, true, oom);
        for (uint32_t k = 0; blocked >= min && k < s->blocked_hops.n; k++)
            add_candidate(&cands, psl, s->blocked_hops.v[k], NULL, blocked, false, oom);
    }
    struct cand **c = calloc(cands.count ? cands.count : 1, sizeof *c);
    struct suggestion *out = calloc(cands.count + 1, sizeof *out); /* + a discarded one */
    size_t nc = 0, n_out = 0;
    cJSON *root = cJSON_CreateObject();
    cJSON *entries = cJSON_CreateArray(), *allow = cJSON_CreateArray();
    cJSON *unlistable = cJSON_CreateArray();
    if (*oom || !c || !out || !root || !entries || !allow || !unlistable || !apart)
        goto fail;
    for (size_t i = 0; i < cands.cap; i++)
        if (cands.slots[i].key)
            c[nc++] = cands.slots[i].value;
    qsort(c, nc, sizeof *c, cmp_cand);
    for (size_t i = 0; i < nc && !*oom;) {
        size_t j = i;
        while (j < nc && strcmp(c[j]->domain, c[i]->domain) == 0)
            j++;
        wildcards(c + i, j - i, wmin, out, &n_out, oom);
        i = j;
    }
    if (*oom)
        goto fail;
    for (size_t i = 0; i < nc; i++) {
        if (c[i]->covered)
            continue;
        if (!c[i]->valid) { /* no valid parent below a public suffix could take it */
            if (!cJSON_AddItemToArray(unlistable, cJSON_CreateString(c[i]->name)))
                goto fail;
            continue;
        }
        struct suggestion *s = &out[n_out++];
        memset(s, 0, sizeof *s);
        s->base = c[i]->name;
        note(s, c[i]);
    }
    qsort(out, n_out, sizeof *out, cmp_suggestion);
    for (size_t i = 0; i < n_out; i++) {
        char entry[DNSFW_NAME_TEXT_MAX + 2];
        entry_text(&out[i], entry, sizeof entry);
        cJSON *e = entry_object(&out[i], entry);
        if (e && !cJSON_AddItemToArray(entries, e)) {
            cJSON_Delete(e);
            e = NULL;
        }
        if (!e || !cJSON_AddItemToArray(allow, cJSON_CreateString(entry)))
            goto fail;
    }
    if (!cJSON_AddNumberToObject(root, "min_count", min) ||
        !cJSON_AddNumberToObject(root, "wildcard_min", wmin))
        goto fail;
    /* Each array belongs to root once added: only the ones not added are freed below. */
    if (!cJSON_AddItemToObject(root, "entries", entries))
        goto fail;
    entries = NULL;
    if (!cJSON_AddItemToObject(root, "egress_allowlist", allow))
        goto fail;
    allow = NULL;
    if (!cJSON_AddItemToObject(root, "cannot_be_listed", unlistable))
        goto fail;
    unlistable = NULL;
    if (!cJSON_AddItemToObject(root, "not_suggested", apart))
        goto fail;
    goto done;
fail:
    *oom = true;
    cJSON_Delete(entries);
    cJSON_Delete(allow);
    cJSON_Delete(unlistable);
    cJSON_Delete(apart);
done:
    free(c);
    free(out);
    strmap_free(&cands, free);
    return root;
}
