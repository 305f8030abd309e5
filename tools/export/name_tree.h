/*
 * The names a set of rules mentions, as a tree of labels, with what the rules decide for
 * each: the base of the exporters for resolvers that match names by suffix (RPZ zones,
 * dnsmasq). A node X records the first rule (in evaluation order) whose list holds X
 * exactly, and the first whose list holds "*.X"; the root holds "*".
 *
 * From these, for every node X:
 *   exact(X) = the rule that decides the query X itself: the first of "X" and every
 *              "*.A" with A a proper ancestor of X (the root's "*" included);
 *   below(X) = the rule that decides a name under X that is not itself in the tree:
 *              the first "*.A" with A = X or an ancestor.
 * A resolver that answers a name in the tree with exact(X), and any other name with
 * below(closest ancestor in the tree), decides every name as the rules do.
 */
#ifndef DNSFW_TOOLS_NAME_TREE_H
#define DNSFW_TOOLS_NAME_TREE_H

#include <stddef.h>

#include "strmap.h"

#define NT_NONE (-1)

struct nt_node {
    char *label; /* "" for the root */
    struct nt_node *parent;
    struct nt_node **kids; /* sorted by label after nt_finish() */
    size_t n_kids, cap_kids;
    int exact_rule, wild_rule; /* first rule with "X" / "*.X" in its list, or NT_NONE */
    int exact, below;          /* the decisions above, after nt_finish() */
};

struct name_tree {
    struct nt_node root;
    struct strmap index; /* name -> node */
};

void nt_init(struct name_tree *t);
void nt_free(struct name_tree *t);

/* Record that rule (its position in evaluation order) lists spec (normalised). 0 / -1. */
int nt_add(struct name_tree *t, const char *spec, int rule);

/* Sort the children and compute exact / below. */
void nt_finish(struct name_tree *t);

/* Visit every node but the root, parents before children, children in label order;
 * name is the node's name without a trailing dot ("www.example.com"). */
typedef void (*nt_visit_fn)(void *userdata, const struct nt_node *node, const char *name);
void nt_walk(const struct name_tree *t, nt_visit_fn fn, void *userdata);

#endif
