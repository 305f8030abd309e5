/*
 * Response Policy Zones (draft-vixie-dns-rpz), for unbound, BIND, Knot Resolver...
 *
 * A zone's QNAME triggers do not read like a domain list: a resolver answers a name from
 * the trigger with that exact owner, and otherwise from "*.CE" where CE is the closest
 * enclosing name that exists in the zone (unbound) or the longest matching wildcard
 * (BIND). So "allowed names with rpz-passthru, then * -> NODATA" in one zone lets
 * x.github.com through when github.com is listed, and "a.example.com" hides
 * "*.example.com" from x.a.example.com. Two ways around it, both exact for every name
 * (but the root name, which a zone cannot hold, and query types, see resolver.h):
 *
 *  - rpz: one zone for the whole policy. Every name the lists mention, and every
 *    ancestor of one, gets the decision the rules give that name, and "*.NAME" the
 *    decision for the names under it (name_tree.h); undecided names get rpz-passthru.
 *
 *  - unbound: one zone per run of consecutive rules with the same answer (the tiered
 *    form: the allowlists, then "*"), in rule order. Unbound stops at the first zone that
 *    matches, as the rules stop at the first match. Inside a zone, entries that a
 *    wildcard of the zone already covers are dropped, so no name exists under a
 *    wildcard; and "\000.SUFFIX" (the lowest possible label) anchors the wildcard's
 *    subtree, because unbound finds the closest encloser through the nearest smaller
 *    name, and a one-letter label that sorts before "*" would otherwise miss it.
 */
#include <stdio.h>
#include <string.h>

#include "export.h"
#include "resolver.h"

static const char zone_head[] = "$TTL 60\n"
                                "@ SOA localhost. hostmaster.localhost. 1 3600 600 86400 60\n"
                                "@ NS localhost.\n";

static void record(struct buf *b, const char *owner, const struct fw_rule *r)
{
    if (!r || resolver_passes(r)) {
        buf_printf(b, "%s CNAME rpz-passthru.\n", owner);
        return;
    }
    switch (r->response) {
    case DNSFW_RESPONSE_NXDOMAIN:
        buf_printf(b, "%s CNAME .\n", owner);
        break;
    case DNSFW_RESPONSE_OVERRIDE: {
        /* presentation form with escapes: a policy's target may hold any octet */
        char target[DNSFW_NAME_TEXT_MAX];
        if (dnsfw_name_normalize(r->override_domain, strlen(r->override_domain), target,
                                 sizeof target, NULL) != DNSFW_OK)
            snprintf(target, sizeof target, "%s", "."); /* the policy checked it: unreachable */
        buf_printf(b, "%s %u CNAME %s\n", owner, r->override_ttl, target);
        break;
    }
    case DNSFW_RESPONSE_NODATA:
    case DNSFW_RESPONSE_NONE:
        buf_printf(b, "%s CNAME *.\n", owner);
        break;
    }
}

/* "*.NAME", "\000.NAME" and "*.\000.NAME" (NAME "" is the zone apex). */
static void wildcard(struct buf *b, const char *name, const struct fw_rule *r)
{
    char owner[320];
    snprintf(owner, sizeof owner, "*%s%s", *name ? "." : "", name);
    record(b, owner, r);
    snprintf(owner, sizeof owner, "\\000%s%s", *name ? "." : "", name);
    record(b, owner, r);
    snprintf(owner, sizeof owner, "*.\\000%s%s", *name ? "." : "", name);
    record(b, owner, r);
}

/* --- one zone for the whole policy ---------------------------------------------------- */

struct single {
    struct buf *b;
    const struct resolver_rules *rr;
};

static const struct fw_rule *rule_at(const struct resolver_rules *rr, int i)
{
    return i == NT_NONE ? NULL : rr->rules[i];
}

static void single_node(void *ud, const struct nt_node *n, const char *name)
{
    struct single *s = ud;
    if (n->exact == NT_NONE && n->below == NT_NONE)
        return; /* nothing above decides it either: leave it to the wildcards' absence */
    record(s->b, name, rule_at(s->rr, n->exact));
    if (n->below != NT_NONE) {
        char owner[320];
        snprintf(owner, sizeof owner, "*.%s", name);
        record(s->b, owner, rule_at(s->rr, n->below));
    }
}

static void rules_comment(struct buf *b, const struct fw_model *m, const struct resolver_rules *rr,
                          size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        const struct fw_rule *r = rr->rules[i];
        buf_printf(b, "; rule group \"%s\", rule %u: %s", rr->groups[i]->name, r->priority,
                   dnsfw_action_name(r->action));
        if (r->action == DNSFW_ACTION_BLOCK)
            buf_printf(b, " %s", dnsfw_block_response_name(r->response));
        buf_printf(b, ", domain list \"%s\"\n", m->lists[r->list].name);
    }
}

int export_rpz(const struct fw_model *m, const struct export_opts *o, struct outset *out)
{
    (void)o;
    struct resolver_rules rr;
    struct name_tree t;
    if (resolver_rules_get(m, "an RPZ zone", &rr))
        return -1;
    if (resolver_tree(m, &rr, 0, rr.n, &t)) {
        nt_free(&t);
        resolver_rules_free(&rr);
        return -1;
    }
    struct buf *b = outset_add(out, "policy.rpz", false);
    if (b) {
        buf_puts(b, "; Response policy zone written by dnsfw-export: the Route 53 Resolver DNS\n"
                    "; Firewall policy below, as one zone. Load it as an RPZ (unbound: an rpz:\n"
                    "; clause with zonefile:; BIND: response-policy). The owner names are\n"
                    "; relative to the zone's name.\n");
        rules_comment(b, m, &rr, 0, rr.n);
        buf_puts(b, zone_head);
        if (t.root.below != NT_NONE)
            wildcard(b, "", rule_at(&rr, t.root.below));
        struct single s = {b, &rr};
        nt_walk(&t, single_node, &s);
    }
    nt_free(&t);
    resolver_rules_free(&rr);
    return b ? 0 : -1;
}

/* --- unbound: one zone per run of rules ----------------------------------------------- */

struct run_zone {
    struct buf *b;
    const struct fw_rule *r;
};

static void run_node(void *ud, const struct nt_node *n, const char *name)
{
    struct run_zone *z = ud;
    if (n->parent->below != NT_NONE)
        return; /* a wildcard of this zone covers it */
    if (n->exact_rule != NT_NONE)
        record(z->b, name, z->r);
    if (n->wild_rule != NT_NONE)
        wildcard(z->b, name, z->r);
}

static const char *run_kind(const struct fw_rule *r)
{
    switch (r->action) {
    case DNSFW_ACTION_ALLOW:
        return "allow";
    case DNSFW_ACTION_ALERT:
        return "alert";
    case DNSFW_ACTION_BLOCK:
    case DNSFW_ACTION_NONE:
        break;
    }
    return "block";
}

int export_unbound(const struct fw_model *m, const struct export_opts *o, struct outset *out)
{
    (void)o;
    struct resolver_rules rr;
    if (resolver_rules_get(m, "unbound's RPZ", &rr))
        return -1;
    struct buf *conf = outset_add(out, "unbound.conf", false);
    if (!conf) {
        resolver_rules_free(&rr);
        return -1;
    }
    buf_puts(conf,
             "# The Route 53 Resolver DNS Firewall policy as unbound response policy zones,\n"
             "# written by dnsfw-export. Include this file in unbound.conf. The zone files are\n"
             "# named relative to unbound's \"directory:\". Unbound consults the zones in this\n"
             "# order and the first that matches decides, as the first matching rule does.\n"
             "server:\n"
             "    module-config: \"respip validator iterator\"\n");
    int rc = 0;
    unsigned zone = 0;
    for (size_t from = 0; !rc && from < rr.n;) {
        size_t to = from + 1;
        while (to < rr.n && resolver_same_outcome(rr.rules[from], rr.rules[to]))
            to++;
        const struct fw_rule *r = rr.rules[from];
        char file[64];
        snprintf(file, sizeof file, "rpz-%u-%s.zone", ++zone, run_kind(r));
        buf_printf(conf, "\nrpz:\n    name: \"%u.%s.dnsfw.rpz.\"\n    zonefile: \"%s\"\n", zone,
                   run_kind(r), file);
        if (r->action != DNSFW_ACTION_ALLOW)
            buf_printf(conf, "    rpz-log: yes\n    rpz-log-name: \"dnsfw-%s\"\n", run_kind(r));
        struct buf *b = outset_add(out, file, false);
        struct name_tree t;
        if (!b || resolver_tree(m, &rr, from, to, &t)) {
            rc = -1;
            if (b)
                nt_free(&t);
            break;
        }
        buf_puts(b, "; written by dnsfw-export\n");
        rules_comment(b, m, &rr, from, to);
        buf_puts(b, zone_head);
        if (t.root.wild_rule != NT_NONE) {
            wildcard(b, "", r); /* "*" covers everything else the zone would hold */
        } else {
            struct run_zone z = {b, r};
            nt_walk(&t, run_node, &z);
        }
        nt_free(&t);
        from = to;
    }
    resolver_rules_free(&rr);
    return rc;
}
