/*
 * The agent platform's tiered form (contract §1.1) as Route 53 objects: lists
 * platform-baseline, blueprint-additional and block-all, and the rule group
 * agent-egress-policy (association priority 101) with rules 100 ALLOW, 200 ALLOW and
 * 300 ALERT (observe) or BLOCK (enforce).
 *
 * Each blueprint also keeps its own hidden list, so that a scope can evaluate the
 * baseline plus one repository's allowlist: the union list's rule then looks at that
 * list instead (compile.c).
 */
#include "policy.h"

#include <stdlib.h>

#include "spec.h"

const char *const dnsfw__default_baseline[] = {
    "github.com", "api.github.com", "*.githubusercontent.com", "registry.npmjs.org", "*.npmjs.org",
    "pypi.org",   "*.pypi.org",     "files.pythonhosted.org",  "*.amazonaws.com",
};
const size_t dnsfw__default_baseline_len =
    sizeof dnsfw__default_baseline / sizeof dnsfw__default_baseline[0];

static const char *const list_names[] = {"platform-baseline", "blueprint-additional", "block-all"};

int dnsfw__tiered_init(dnsfw_policy *p)
{
    int rc;
    p->is_tiered = true;
    p->fail_open = 1;
    p->tier.mode = DNSFW_MODE_OBSERVE;
    p->tier.enforce_response = DNSFW_RESPONSE_NODATA;
    for (uint32_t i = 0; i < 3; i++)
        if ((rc = dnsfw__policy_add_list_raw(p, list_names[i], false, NULL)))
            return rc;
    if ((rc = dnsfw__policy_add_normalized(p, TIER_CATCHALL_LIST, "*", 1)))
        return rc;

    /* The public builder refuses tiered policies; the group is made directly. */
    if (dnsfw__grow((void **)&p->groups, &p->cap_groups, 1, sizeof *p->groups))
        return DNSFW_ENOMEM;
    struct group *g = &p->groups[0];
    memset(g, 0, sizeof *g);
    p->n_groups = 1;
    if (!(g->name = dnsfw__strdup("agent-egress-policy")))
        return DNSFW_ENOMEM;
    g->priority = 101;
    if (dnsfw__grow((void **)&g->rules, &g->cap_rules, 3, sizeof *g->rules))
        return DNSFW_ENOMEM;
    memset(g->rules, 0, 3 * sizeof *g->rules);
    for (uint32_t i = 0; i < 3; i++) {
        g->rules[i].priority = 100 * (i + 1);
        g->rules[i].action = DNSFW_ACTION_ALLOW;
        g->rules[i].list = i;
    }
    g->rules[2].action = DNSFW_ACTION_ALERT;
    g->n_rules = 3;
    return DNSFW_OK;
}

int dnsfw__tiered_add_scope(dnsfw_policy *p, const char *repo, uint32_t *list)
{
    for (size_t i = 0; i < p->n_scopes; i++)
        if (strcmp(p->scopes[i].repo, repo) == 0)
            return DNSFW_EDUPLICATE;
    if (dnsfw__grow((void **)&p->scopes, &p->cap_scopes, p->n_scopes + 1, sizeof *p->scopes))
        return DNSFW_ENOMEM;
    struct scope *s = &p->scopes[p->n_scopes];
    if (!(s->repo = dnsfw__strdup(repo)))
        return DNSFW_ENOMEM;
    int rc = dnsfw__policy_add_list_raw(p, list_names[TIER_UNION_LIST], true, &s->list);
    if (rc) {
        free(s->repo);
        return rc;
    }
    p->n_scopes++;
    *list = s->list;
    return DNSFW_OK;
}

int dnsfw__tiered_add_allow(dnsfw_policy *p, uint32_t list, const char *spec, size_t len,
                            const char **reason, size_t *pos, size_t *union_pos)
{
    char norm[DNSFW_SPEC_MAX + 1];
    size_t nlen;
    dnsfw_entry_kind kind;
    int rc = dnsfw__spec_parse(spec, len, norm, sizeof norm, &nlen, &kind, reason);
    if (!rc)
        rc = dnsfw__strtab_add(&p->lists[list].specs, norm, nlen, pos, NULL);
    if (!rc) /* the union keeps each spec once, after normalisation */
        rc = dnsfw__strtab_add(&p->lists[TIER_UNION_LIST].specs, norm, nlen, union_pos, NULL);
    return rc;
}

int dnsfw__tiered_finish(dnsfw_policy *p)
{
    int rc;
    /* CloudFormation rejects an empty list: the platform deploys a placeholder. */
    if (p->lists[TIER_UNION_LIST].specs.count == 0 &&
        (rc = dnsfw__policy_add_normalized(p, TIER_UNION_LIST, TIER_PLACEHOLDER,
                                           strlen(TIER_PLACEHOLDER))))
        return rc;
    /* A scope evaluates as if its blueprint were the only one, placeholder included. */
    for (size_t i = 0; i < p->n_scopes; i++) {
        uint32_t l = p->scopes[i].list;
        if (p->lists[l].specs.count > 0)
            continue;
        if ((rc = dnsfw__policy_add_normalized(p, l, TIER_PLACEHOLDER, strlen(TIER_PLACEHOLDER))))
            return rc;
        /* Dumped as an empty allowlist; one the user wrote out stays in the dump. */
        p->lists[l].placeholder = true;
    }
    return dnsfw_policy_set_mode(p, p->tier.mode);
}

int dnsfw_policy_set_mode(dnsfw_policy *p, dnsfw_mode mode)
{
    if (!p || !p->is_tiered || (mode != DNSFW_MODE_OBSERVE && mode != DNSFW_MODE_ENFORCE))
        return DNSFW_EINVAL;
    struct rule *r = &p->groups[0].rules[2];
    p->tier.mode = mode;
    free(r->override_domain);
    r->override_domain = NULL;
    r->override_ttl = 0;
    if (mode == DNSFW_MODE_OBSERVE) {
        r->action = DNSFW_ACTION_ALERT;
        r->block_response = DNSFW_RESPONSE_NONE;
        return DNSFW_OK;
    }
    r->action = DNSFW_ACTION_BLOCK;
    r->block_response = p->tier.enforce_response;
    if (p->tier.enforce_response == DNSFW_RESPONSE_OVERRIDE) {
        if (!(r->override_domain = dnsfw__strdup(p->tier.override_domain)))
            return DNSFW_ENOMEM;
        r->override_ttl = p->tier.override_ttl;
    }
    return DNSFW_OK;
}

int dnsfw_policy_new_default(dnsfw_policy **out)
{
    if (!out)
        return DNSFW_EINVAL;
    *out = NULL;
    dnsfw_policy *p;
    int rc = dnsfw_policy_new(&p);
    if (rc)
        return rc;
    rc = dnsfw__tiered_init(p);
    p->tier.default_baseline = true;
    for (size_t i = 0; !rc && i < dnsfw__default_baseline_len; i++) {
        const char *s = dnsfw__default_baseline[i];
        rc = dnsfw__policy_add_spec(p, TIER_BASELINE_LIST, s, strlen(s), NULL, NULL);
    }
    if (!rc)
        rc = dnsfw__tiered_finish(p);
    if (rc) {
        dnsfw_policy_free(p);
        p = NULL;
    }
    *out = p;
    return rc;
}
