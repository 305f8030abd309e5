/* Writing a policy back as JSON, in the form it was loaded, deterministically. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "policy.h"
#include "preset.h"

/*
 * The specs of a list. With only_written, the tiered form leaves out the specs that only
 * its presets brought (the "presets" key brings them back); general lists are written out
 * in full, so that a dump needs no preset to evaluate the same.
 */
static cJSON *spec_array(const struct spec_list *l, bool drop_placeholder, bool only_written)
{
    cJSON *a = cJSON_CreateArray();
    if (!a)
        return NULL;
    if (drop_placeholder && l->placeholder)
        return a; /* the placeholder stands for an empty allowlist */
    bool *written = NULL;
    if (only_written && l->n_presets) {
        if (!(written = calloc(l->specs.count ? l->specs.count : 1, sizeof *written))) {
            cJSON_Delete(a);
            return NULL;
        }
        for (size_t k = 0; k < l->n_origins; k++)
            if (!l->origins[k].preset)
                written[l->origins[k].spec] = true;
    }
    for (size_t i = 0; i < l->specs.count; i++) {
        if (written && !written[i])
            continue;
        cJSON *s = cJSON_CreateString(dnsfw__strtab_get(&l->specs, i));
        if (!s || !cJSON_AddItemToArray(a, s)) {
            cJSON_Delete(s);
            cJSON_Delete(a);
            free(written);
            return NULL;
        }
    }
    free(written);
    return a;
}

static cJSON *preset_array(const struct spec_list *l)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < l->n_presets; i++) {
        cJSON *s = cJSON_CreateString(dnsfw__preset_name(l->presets[i]));
        if (!s || !cJSON_AddItemToArray(a, s)) {
            cJSON_Delete(s);
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

/* Add a member, taking ownership of item; false (and item freed) when out of memory. */
static bool put(cJSON *obj, const char *key, cJSON *item)
{
    if (!item)
        return false;
    if (!cJSON_AddItemToObject(obj, key, item)) {
        cJSON_Delete(item);
        return false;
    }
    return true;
}

static bool put_override(cJSON *obj, const char *domain, uint32_t ttl)
{
    cJSON *o = cJSON_CreateObject();
    return put(obj, "block_override", o) && put(o, "domain", cJSON_CreateString(domain)) &&
           put(o, "ttl", cJSON_CreateNumber(ttl));
}

/* A rule's type as the loader takes it back: AWS's mnemonic, else TYPEn (never "HTTPS"). */
static void aws_qtype(uint16_t qtype, char *buf, size_t size)
{
    if (dnsfw_qtype_format(qtype, buf, size) == DNSFW_OK)
        for (size_t i = 0; dnsfw__aws_qtypes[i]; i++)
            if (strcmp(buf, dnsfw__aws_qtypes[i]) == 0)
                return;
    snprintf(buf, size, "TYPE%u", (unsigned)qtype);
}

static cJSON *dump_rule(const dnsfw_policy *p, const struct rule *r)
{
    cJSON *o = cJSON_CreateObject();
    char qt[16];
    bool ok = o && put(o, "name", cJSON_CreateString(r->name)) &&
              put(o, "priority", cJSON_CreateNumber(r->priority)) &&
              put(o, "action", cJSON_CreateString(dnsfw_action_name(r->action)));
    if (ok && r->threat) /* an Advanced rule: its protection instead of a list */
        ok = put(o, "dns_threat_protection", cJSON_CreateString(dnsfw_threat_name(r->threat))) &&
             put(o, "confidence_threshold",
                 cJSON_CreateString(dnsfw_confidence_name(r->confidence)));
    else if (ok)
        ok = put(o, "domain_list", cJSON_CreateString(p->lists[r->list].name));
    if (ok && r->qtype) {
        aws_qtype(r->qtype, qt, sizeof qt);
        ok = put(o, "qtype", cJSON_CreateString(qt));
    }
    if (ok && r->redirection == DNSFW_REDIRECTION_TRUST)
        ok = put(o, "redirection", cJSON_CreateString(dnsfw_redirection_name(r->redirection)));
    if (ok && r->block_response)
        ok = put(o, "block_response",
                 cJSON_CreateString(dnsfw_block_response_name(r->block_response)));
    if (ok && r->override_domain)
        ok = put_override(o, r->override_domain, r->override_ttl);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* { "managed": NAME | true, "ids": {...}, "stand_in": [...] } */
static cJSON *managed_list(const struct spec_list *l)
{
    cJSON *o = cJSON_CreateObject(), *ids = NULL;
    bool ok = o && put(o, "managed",
                       l->managed_name ? cJSON_CreateString(l->managed_name) : cJSON_CreateTrue());
    if (ok && l->n_ids)
        ok = put(o, "ids", ids = cJSON_CreateObject());
    for (size_t i = 0; ok && i < l->n_ids; i++)
        ok = put(ids, l->ids[i].region, cJSON_CreateString(l->ids[i].id));
    if (ok && l->specs.count)
        ok = put(o, "stand_in", spec_array(l, false, false));
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static bool dump_general(const dnsfw_policy *p, cJSON *root)
{
    cJSON *lists = cJSON_CreateObject(), *groups = cJSON_CreateArray();
    if (!put(root, "domain_lists", lists)) {
        cJSON_Delete(groups);
        return false;
    }
    if (!put(root, "rule_groups", groups)) /* put() has freed groups */
        return false;
    for (size_t i = 0; i < p->n_lists; i++)
        if (!put(lists, p->lists[i].name,
                 p->lists[i].managed ? managed_list(&p->lists[i])
                                     : spec_array(&p->lists[i], false, false)))
            return false;
    for (size_t i = 0; i < p->n_groups; i++) {
        const struct group *g = &p->groups[i];
        cJSON *go = cJSON_CreateObject(), *rules = cJSON_CreateArray();
        if (!go || !cJSON_AddItemToArray(groups, go)) {
            cJSON_Delete(go);
            cJSON_Delete(rules);
            return false;
        }
        if (!put(go, "name", cJSON_CreateString(g->name)) ||
            !put(go, "priority", cJSON_CreateNumber(g->priority))) {
            cJSON_Delete(rules); /* not in the tree yet */
            return false;
        }
        if (!put(go, "rules", rules))
            return false;
        for (size_t j = 0; j < g->n_rules; j++) {
            cJSON *r = dump_rule(p, &g->rules[j]);
            if (!r || !cJSON_AddItemToArray(rules, r)) {
                cJSON_Delete(r);
                return false;
            }
        }
    }
    return true;
}

static bool dump_tiered(const dnsfw_policy *p, cJSON *root)
{
    const struct tiered *t = &p->tier;
    if (!put(root, "mode",
             cJSON_CreateString(t->mode == DNSFW_MODE_ENFORCE ? "enforce" : "observe")) ||
        !put(root, "block_response",
             cJSON_CreateString(dnsfw_block_response_name(t->enforce_response))))
        return false;
    if (t->override_domain && !put_override(root, t->override_domain, t->override_ttl))
        return false;
    const struct spec_list *base = &p->lists[TIER_BASELINE_LIST];
    if (!t->default_baseline && !put(root, "baseline", spec_array(base, false, true)))
        return false;
    if (base->n_presets && !put(root, "presets", preset_array(base)))
        return false;
    cJSON *bps = cJSON_CreateArray();
    if (!put(root, "blueprints", bps))
        return false;
    for (size_t i = 0; i < p->n_scopes; i++) {
        cJSON *b = cJSON_CreateObject();
        if (!b || !cJSON_AddItemToArray(bps, b)) {
            cJSON_Delete(b);
            return false;
        }
        const struct spec_list *own = &p->lists[p->scopes[i].list];
        if (!put(b, "repo", cJSON_CreateString(p->scopes[i].repo)) ||
            !put(b, "egress_allowlist", spec_array(own, true, true)))
            return false;
        if (own->n_presets && !put(b, "presets", preset_array(own)))
            return false;
    }
    return true;
}

int dnsfw_policy_dump_json(const dnsfw_policy *p, dnsfw_write_fn write, void *userdata)
{
    if (!p || !write)
        return DNSFW_EINVAL;
    cJSON *root = cJSON_CreateObject();
    bool ok = root && put(root, "dnsfw", cJSON_CreateNumber(1)) &&
              put(root, "fail_open", cJSON_CreateBool(p->fail_open));
    ok = ok && (p->is_tiered ? dump_tiered(p, root) : dump_general(p, root));
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text)
        return DNSFW_ENOMEM;
    int rc = DNSFW_OK;
    if (write(userdata, text, strlen(text)) < 0 || write(userdata, "\n", 1) < 0)
        rc = DNSFW_EIO;
    cJSON_free(text);
    return rc;
}
