#include "name_tree.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void nt_init(struct name_tree *t)
{
    memset(t, 0, sizeof *t);
    t->root.label = "";
    t->root.exact_rule = t->root.wild_rule = NT_NONE;
}

static void free_node(struct nt_node *n)
{
    for (size_t i = 0; i < n->n_kids; i++) {
        free_node(n->kids[i]);
        free(n->kids[i]->label);
        free(n->kids[i]);
    }
    free(n->kids);
}

void nt_free(struct name_tree *t)
{
    free_node(&t->root);
    strmap_free(&t->index, NULL);
    nt_init(t);
}

static int first(int a, int b)
{
    if (a == NT_NONE)
        return b;
    if (b == NT_NONE)
        return a;
    return a < b ? a : b;
}

/* The node for name (the last len bytes of a spec, a suffix on a label boundary). */
static struct nt_node *node_for(struct name_tree *t, const char *name, size_t len)
{
    if (len == 0)
        return &t->root;
    void **slot = strmap_slot(&t->index, name, len);
    if (!slot)
        return NULL;
    if (*slot)
        return *slot;
    const char *dot = memchr(name, '.', len);
    size_t label_len = dot ? (size_t)(dot - name) : len;
    struct nt_node *parent = dot ? node_for(t, dot + 1, len - label_len - 1) : &t->root;
    if (!parent)
        return NULL;
    /* the parent's insertion may have moved the slot */
    slot = strmap_slot(&t->index, name, len);
    struct nt_node *n = calloc(1, sizeof *n);
    if (!slot || !n || !(n->label = strndup(name, label_len))) {
        free(n);
        return NULL;
    }
    n->parent = parent;
    n->exact_rule = n->wild_rule = NT_NONE;
    if (parent->n_kids == parent->cap_kids) {
        size_t ncap = parent->cap_kids ? parent->cap_kids * 2 : 4;
        struct nt_node **nk = realloc(parent->kids, ncap * sizeof *nk);
        if (!nk) {
            free(n->label);
            free(n);
            return NULL;
        }
        parent->kids = nk;
        parent->cap_kids = ncap;
    }
    parent->kids[parent->n_kids++] = n;
    *slot = n;
    return n;
}

int nt_add(struct name_tree *t, const char *spec, int rule)
{
    size_t len = strlen(spec);
    bool wild = spec[0] == '*';
    const char *name = wild ? spec + (len > 1 ? 2 : 1) : spec;
    struct nt_node *n = node_for(t, name, strlen(name));
    if (!n)
        return -1;
    if (wild)
        n->wild_rule = first(n->wild_rule, rule);
    else
        n->exact_rule = first(n->exact_rule, rule);
    return 0;
}

static int cmp_kid(const void *a, const void *b)
{
    return strcmp((*(struct nt_node *const *)a)->label, (*(struct nt_node *const *)b)->label);
}

static void finish(struct nt_node *n, int parent_below)
{
    n->exact = first(n->exact_rule, parent_below);
    n->below = first(n->wild_rule, parent_below);
    if (n->n_kids > 1)
        qsort(n->kids, n->n_kids, sizeof *n->kids, cmp_kid);
    for (size_t i = 0; i < n->n_kids; i++)
        finish(n->kids[i], n->below);
}

void nt_finish(struct name_tree *t)
{
    /* the root name itself is matched by "*" only */
    finish(&t->root, NT_NONE);
}

static void walk(const struct nt_node *n, char *name, size_t len, nt_visit_fn fn, void *ud)
{
    for (size_t i = 0; i < n->n_kids; i++) {
        const struct nt_node *k = n->kids[i];
        size_t kl = strlen(k->label);
        /* names are built right to left: the child's label goes in front */
        char buf[300];
        if (kl + 1 + len + 1 > sizeof buf)
            continue; /* cannot happen: specs are at most 255 characters */
        memcpy(buf, k->label, kl);
        if (len) {
            buf[kl] = '.';
            memcpy(buf + kl + 1, name, len);
            buf[kl + 1 + len] = '\0';
        } else {
            buf[kl] = '\0';
        }
        fn(ud, k, buf);
        walk(k, buf, strlen(buf), fn, ud);
    }
}

void nt_walk(const struct name_tree *t, nt_visit_fn fn, void *userdata)
{
    walk(&t->root, "", 0, fn, userdata);
}
