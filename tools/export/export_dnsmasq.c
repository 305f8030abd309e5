/*
 * dnsmasq. dnsmasq matches a domain with everything under it (the pattern example.com),
 * or only what is under it (the pattern *.example.com, which wins over example.com for
 * those names), and the longest matching domain decides; # matches every name. So every
 * name the lists mention, and every ancestor of one, gets two lines: NAME with the
 * decision for NAME itself, *.NAME with the decision for the names under it
 * (name_tree.h). A name that
 * resolves is sent to the upstream server named with --upstream; a blocked name gets
 * NXDOMAIN.
 *
 * Where dnsmasq cannot be exact: it has no NODATA answer and its CNAME records must
 * point at names dnsmasq itself knows, so BLOCK with NODATA or OVERRIDE answers NXDOMAIN
 * (warned); rules limited to a query type are left out (resolver.h); ALERT resolves but
 * is not logged apart from other queries.
 */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "export.h"
#include "resolver.h"

struct dm {
    struct buf *b;
    const struct resolver_rules *rr;
    const char *upstream;
};

static void line(struct dm *d, const char *pattern, int rule)
{
    const struct fw_rule *r = rule == NT_NONE ? NULL : d->rr->rules[rule];
    if (!r || resolver_passes(r))
        buf_printf(d->b, "server=/%s/%s\n", pattern, d->upstream);
    else
        buf_printf(d->b, "address=/%s/\n", pattern);
}

static void node(void *ud, const struct nt_node *n, const char *name)
{
    struct dm *d = ud;
    if (n->exact == NT_NONE && n->below == NT_NONE)
        return; /* nothing decides it or anything under it: the default server does */
    char pattern[320];
    line(d, name, n->exact);
    snprintf(pattern, sizeof pattern, "*.%s", name);
    line(d, pattern, n->below);
}

int export_dnsmasq(const struct fw_model *m, const struct export_opts *o, struct outset *out)
{
    struct resolver_rules rr;
    struct name_tree t;
    if (resolver_rules_get(m, "dnsmasq", &rr))
        return -1;
    for (size_t i = 0; i < rr.n; i++) {
        const struct fw_rule *r = rr.rules[i];
        if (r->action == DNSFW_ACTION_BLOCK && r->response != DNSFW_RESPONSE_NXDOMAIN)
            diag_warning(NULL, 0,
                         "rule group \"%s\", rule %u: dnsmasq cannot answer %s; blocked names "
                         "get NXDOMAIN",
                         rr.groups[i]->name, r->priority, dnsfw_block_response_name(r->response));
    }
    if (resolver_tree(m, &rr, 0, rr.n, &t)) {
        nt_free(&t);
        resolver_rules_free(&rr);
        return -1;
    }
    struct buf *b = outset_add(out, "dnsmasq.conf", false);
    if (b) {
        struct dm d = {b, &rr, o->upstream};
        buf_puts(b, "# The Route 53 Resolver DNS Firewall policy for dnsmasq, written by\n"
                    "# dnsfw-export. For each name: /NAME/ decides NAME itself, /*.NAME/ the\n"
                    "# names under it; the longest match wins. Names that resolve go to the\n"
                    "# upstream below; blocked names get NXDOMAIN.\n");
        for (size_t i = 0; i < rr.n; i++) {
            const struct fw_rule *r = rr.rules[i];
            buf_printf(b, "# rule group \"%s\", rule %u: %s, domain list \"%s\"\n",
                       rr.groups[i]->name, r->priority, dnsfw_action_name(r->action),
                       m->lists[r->list].name);
        }
        /* With a server for every name, /#/ would never apply: it must be absent then. */
        buf_puts(b, "no-resolv\n");
        if (t.root.below != NT_NONE && !resolver_passes(rr.rules[t.root.below]))
            buf_puts(b, "address=/#/\n");
        else
            buf_printf(b, "server=%s\n", o->upstream);
        nt_walk(&t, node, &d);
    }
    nt_free(&t);
    resolver_rules_free(&rr);
    return b ? 0 : -1;
}
