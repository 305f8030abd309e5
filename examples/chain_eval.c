/*
 * chain_eval: build a policy in code and evaluate a CNAME chain with it.
 *
 *   chain_eval
 *
 * The allow-list design of docs/matching.md, "Redirection chains": rule 100 ALLOWs
 * cdn.vendor.com, rule 300 BLOCKs everything else. cdn.vendor.com is a CNAME for
 * x.akamaiedge.net, which is not listed. With the default INSPECT_REDIRECTION_DOMAIN
 * the chain's target is evaluated too and the query is blocked; with
 * TRUST_REDIRECTION_DOMAIN on the ALLOW rule the chain is trusted and the query is
 * allowed (spec vectors E15 and E16).
 */
#include <stdio.h>
#include <string.h>

#include <dnsfw/dnsfw.h>

/* The policy, built with the dnsfw_policy_add_*() functions instead of JSON. */
static int build(dnsfw_redirection redirection, dnsfw_matcher **out)
{
    dnsfw_policy *p;
    uint32_t allowed, all, group;
    const char *reason = NULL;
    int rc = dnsfw_policy_new(&p);
    if (rc != DNSFW_OK)
        return rc;
    if ((rc = dnsfw_policy_add_list(p, "allowed", &allowed)) ||
        (rc = dnsfw_policy_add_spec(p, allowed, "cdn.vendor.com", 14, &reason)) ||
        (rc = dnsfw_policy_add_list(p, "all", &all)) ||
        (rc = dnsfw_policy_add_spec(p, all, "*", 1, &reason)) ||
        (rc = dnsfw_policy_add_group(p, "egress", 1000, &group)))
        goto done;

    dnsfw_rule_def allow = {.name = "allow",
                            .priority = 100,
                            .action = DNSFW_ACTION_ALLOW,
                            .domain_list = allowed,
                            .redirection = redirection};
    dnsfw_rule_def rest = {.name = "rest",
                           .priority = 300,
                           .action = DNSFW_ACTION_BLOCK,
                           .domain_list = all,
                           .block_response = DNSFW_RESPONSE_NODATA};
    if ((rc = dnsfw_policy_add_rule(p, group, &allow, &reason)) ||
        (rc = dnsfw_policy_add_rule(p, group, &rest, &reason)))
        goto done;
    rc = dnsfw_compile(p, out);
done:
    if (rc != DNSFW_OK)
        fprintf(stderr, "chain_eval: %s%s%s\n", dnsfw_strerror(rc), reason ? ": " : "",
                reason ? reason : "");
    dnsfw_policy_free(p);
    return rc;
}

int main(void)
{
    static const dnsfw_redirection modes[] = {DNSFW_REDIRECTION_INSPECT, DNSFW_REDIRECTION_TRUST};
    const char *qname = "cdn.vendor.com";
    const char *const chain[] = {"x.akamaiedge.net"};
    const size_t chain_len[] = {strlen(chain[0])};

    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        dnsfw_matcher *m;
        if (build(modes[i], &m) != DNSFW_OK)
            return 1;
        dnsfw_verdict v;
        dnsfw_explanation why;
        size_t bad_hop;
        int rc = dnsfw_eval_chain(m, qname, strlen(qname), chain, chain_len, 1, 1 /* A */,
                                  DNSFW_SCOPE_ALL, &v, &bad_hop);
        if (rc == DNSFW_OK)
            rc = dnsfw_explain(m, &v, DNSFW_SCOPE_ALL, &why);
        if (rc != DNSFW_OK) {
            fprintf(stderr, "chain_eval: %s\n", dnsfw_strerror(rc));
            dnsfw_matcher_free(m);
            return 1;
        }
        /* v.hop: 0 when the query name decided, i when chain[i - 1] did. */
        printf("%s: %s -> %s: %s", dnsfw_redirection_name(modes[i]), qname, chain[0],
               dnsfw_action_name(v.action));
        if (v.action == DNSFW_ACTION_BLOCK)
            printf("/%s", dnsfw_block_response_name(v.block_response));
        printf(" decided by %s (rule \"%s\", list %s, entry %s)\n",
               v.hop ? chain[v.hop - 1] : qname, why.rule, why.domain_list, why.entry);
        dnsfw_matcher_free(m);
    }
    return 0;
}
