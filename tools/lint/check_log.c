/*
 * The checks that need observed traffic (--log): unused, narrow and chain-blocked, and
 * the hit counts per rule, list and entry. A record is attributed to what decides its
 * query name; each distinct name (and type, when a rule names one) is evaluated once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common.h"
#include "lint_log.h"
#include "strmap.h"

struct name_stat {
    uint64_t records;
    dnsfw_verdict verdict; /* the query name alone, the policy in its mode */
    uint16_t qtype;
    bool chain_checked; /* a chain that enforce mode blocks was found */
    char *blocked_hops; /* "a. b." the chain names enforce mode blocks, or NULL */
};

struct log_ctx {
    struct lint *l;
    struct strmap names; /* name (+ "/TYPE" when a rule names a type) -> name_stat */
    bool by_type;
    bool oom;
};

static bool on_record(void *ud, const struct lint_record *r)
{
    struct log_ctx *c = ud;
    char key[DNSFW_NAME_TEXT_MAX + 16];
    size_t klen = strlen(r->name);
    memcpy(key, r->name, klen + 1);
    if (c->by_type)
        klen += (size_t)snprintf(key + klen, sizeof key - klen, "/%u", r->qtype);
    bool created;
    struct name_stat *ns = strmap_block(&c->names, key, klen, sizeof *ns, &created);
    if (!ns) {
        c->oom = true;
        return true;
    }
    if (created) {
        ns->qtype = r->qtype;
        if (dnsfw_eval(c->l->matcher, r->name, strlen(r->name), r->qtype, c->l->scope,
                       &ns->verdict) != DNSFW_OK)
            ns->verdict.rule = DNSFW_NONE;
    }
    ns->records++;
    if (!r->n_chain || ns->chain_checked)
        return true;
    /* chain-blocked: the name alone is allowed in enforce mode, its chain is not */
    dnsfw_verdict alone, chain;
    size_t bad = 0;
    if (dnsfw_eval(c->l->enforce, r->name, strlen(r->name), r->qtype, c->l->scope, &alone) ||
        alone.action != DNSFW_ACTION_ALLOW)
        return true;
    if (dnsfw_eval_chain(c->l->enforce, r->name, strlen(r->name), r->chain, r->chain_len,
                         r->n_chain, r->qtype, c->l->scope, &chain, &bad) != DNSFW_OK)
        return false;
    if (chain.action != DNSFW_ACTION_BLOCK)
        return true;
    ns->chain_checked = true;
    char hops[DNSFW_LOG_CHAIN_MAX * (DNSFW_NAME_TEXT_MAX + 1)] = "";
    size_t o = 0;
    for (size_t i = 0; i < r->n_chain; i++) {
        dnsfw_verdict h;
        char norm[DNSFW_NAME_TEXT_MAX];
        if (dnsfw_eval(c->l->enforce, r->chain[i], r->chain_len[i], r->qtype, c->l->scope, &h) ||
            h.action != DNSFW_ACTION_BLOCK ||
            dnsfw_name_normalize(r->chain[i], r->chain_len[i], norm, sizeof norm, NULL))
            continue;
        o += (size_t)snprintf(hops + o, sizeof hops - o, "%s%s", o ? " " : "", norm);
    }
    ns->blocked_hops = strdup(hops);
    return true;
}

/* Per entry of the policy (its first occurrence): hits and a few of its names. */
struct entry_hits {
    uint64_t records, names;
    struct strlist some; /* up to narrow_max + 1 names */
};

static void free_stat(void *v)
{
    free(((struct name_stat *)v)->blocked_hops);
    free(v);
}

static char *bare(const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s", name);
    size_t n = strlen(out);
    if (n > 1 && out[n - 1] == '.')
        out[n - 1] = '\0';
    return out;
}

/* The narrower entries to write instead of a wildcard: "*.P" for names that share a
 * parent P below the wildcard's name that is no public suffix, exact names otherwise. */
static void narrower(const struct psl_rules *psl, const char *suffix, const struct strlist *names,
                     struct strlist *fixes)
{
    bool *done = calloc(names->n ? names->n : 1, sizeof *done);
    if (!done)
        return;
    for (size_t i = 0; i < names->n; i++) {
        if (done[i])
            continue;
        const char *parent = strchr(names->v[i], '.');
        size_t shared = 0;
        for (size_t j = i; parent && j < names->n; j++) {
            const char *pj = strchr(names->v[j], '.');
            shared += pj && !strcmp(pj, parent);
        }
        struct strlist below = {0};
        if (parent && shared >= 2 && strcmp(parent + 1, suffix) != 0) {
            psl_rules_below(psl, parent + 1, true, &below);
            psl_rules_below(psl, parent + 1, false, &below);
        }
        if (parent && shared >= 2 && strcmp(parent + 1, suffix) != 0 && !below.n &&
            !psl_is_icann(psl, parent + 1) && !psl_is_private(psl, parent + 1)) {
            char w[DNSFW_NAME_TEXT_MAX + 2];
            snprintf(w, sizeof w, "*%s", parent);
            strlist_add(fixes, w);
            for (size_t j = i; j < names->n; j++) {
                const char *pj = strchr(names->v[j], '.');
                if (pj && !strcmp(pj, parent))
                    done[j] = true;
            }
        } else {
            strlist_add(fixes, names->v[i]);
        }
        strlist_free(&below);
    }
    free(done);
}

static cJSON *hits_json(struct lint *l, const uint64_t *rule_hits, const uint64_t *list_hits,
                        const struct entry_hits *eh, uint64_t none, uint64_t records)
{
    cJSON *h = cJSON_CreateObject(), *rules = cJSON_CreateArray(), *lists = cJSON_CreateArray(),
          *entries = cJSON_CreateArray();
    cJSON_AddNumberToObject(h, "records", (double)records);
    cJSON_AddNumberToObject(h, "no_rule", (double)none);
    cJSON_AddItemToObject(h, "rules", rules);
    cJSON_AddItemToObject(h, "lists", lists);
    cJSON_AddItemToObject(h, "entries", entries);
    uint32_t n_rules = dnsfw_matcher_rule_count(l->matcher);
    for (uint32_t r = 0; r < n_rules; r++) {
        dnsfw_rule_info ri;
        if (dnsfw_matcher_rule(l->matcher, r, DNSFW_SCOPE_ALL, &ri) != DNSFW_OK)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "rule_group", ri.rule_group);
        cJSON_AddNumberToObject(o, "rule_priority", ri.rule_priority);
        if (ri.rule)
            cJSON_AddStringToObject(o, "rule", ri.rule);
        else
            cJSON_AddNullToObject(o, "rule");
        cJSON_AddStringToObject(o, "action", dnsfw_action_name(ri.action));
        if (ri.threat) { /* an Advanced rule: no list, and never a hit in replay */
            cJSON_AddNullToObject(o, "domain_list");
            cJSON_AddStringToObject(o, "dns_threat_protection", dnsfw_threat_name(ri.threat));
        } else {
            cJSON_AddStringToObject(o, "domain_list", ri.domain_list_name);
        }
        cJSON_AddNumberToObject(o, "hits", (double)rule_hits[r]);
        cJSON_AddItemToArray(rules, o);
    }
    for (uint32_t list = 0; list < l->info.n_lists; list++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "domain_list", dnsfw_policy_list_name(l->policy, list));
        cJSON_AddNumberToObject(o, "hits", (double)list_hits[list]);
        cJSON_AddItemToArray(lists, o);
    }
    for (size_t k = 0; k < l->n_occ; k++) {
        if (lint_find_spec(l, l->occ[k].list, l->occ[k].text) != k)
            continue; /* each entry once */
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "domain_list",
                                dnsfw_policy_list_name(l->policy, l->occ[k].list));
        cJSON_AddStringToObject(o, "entry", l->occ[k].text);
        cJSON_AddNumberToObject(o, "hits", (double)eh[k].records);
        cJSON_AddNumberToObject(o, "names", (double)eh[k].names);
        cJSON_AddItemToArray(entries, o);
    }
    return h;
}

static void chain_finding(struct lint *l, const char *name, const struct name_stat *ns)
{
    dnsfw_verdict alone;
    dnsfw_explanation why;
    if (dnsfw_eval(l->enforce, name, strlen(name), ns->qtype, l->scope, &alone) ||
        dnsfw_explain(l->enforce, &alone, l->scope, &why) || !why.rule_group)
        return;
    char b[DNSFW_NAME_TEXT_MAX], rule[160];
    if (why.rule)
        snprintf(rule, sizeof rule, "rule %s", why.rule);
    else
        snprintf(rule, sizeof rule, "rule %u", why.rule_priority);
    struct finding *f = finding_add(
        &l->findings, CHECK_CHAIN_BLOCKED,
        "%s is allowed by \"%s\" (%s), but its CNAME chain reaches %s, which enforce mode "
        "blocks: %s, or allow the exact name%s %s (never a wildcard over a CDN's shared "
        "names)",
        bare(name, b, sizeof b), why.entry, rule, ns->blocked_hops,
        l->tiered ? "the tiered form's rules inspect the chain (the platform sets no "
                    "redirection action)"
                  : "set \"redirection\": \"TRUST_REDIRECTION_DOMAIN\" on that rule",
        strchr(ns->blocked_hops, ' ') ? "s" : "", ns->blocked_hops);
    uint32_t list = alone.domain_list < l->info.n_lists ? alone.domain_list : 1;
    size_t k = lint_find_spec(l, list, why.entry);
    if (k != SIZE_MAX)
        lint_about_occurrence(l, f, &l->occ[k]);
    else
        lint_about_list(l, f, list);
    strlist_add(&f->names, b);
    if (!l->tiered) {
        char fix[200];
        snprintf(fix, sizeof fix, "TRUST_REDIRECTION_DOMAIN on %s", rule);
        strlist_add(&f->fixes, fix);
    }
    char hops[sizeof b * DNSFW_LOG_CHAIN_MAX];
    snprintf(hops, sizeof hops, "%s", ns->blocked_hops);
    for (char *t = strtok(hops, " "); t; t = strtok(NULL, " "))
        strlist_add(&f->fixes, bare(t, b, sizeof b));
}

int check_logs(struct lint *l, const struct log_options *o, const struct psl_rules *psl,
               cJSON **hits, struct log_result *res)
{
    struct log_ctx c = {.l = l};
    uint32_t n_rules = dnsfw_matcher_rule_count(l->matcher);
    for (uint32_t r = 0; r < n_rules; r++) {
        dnsfw_rule_info ri;
        c.by_type |= dnsfw_matcher_rule(l->matcher, r, 0, &ri) == DNSFW_OK && ri.qtype;
    }
    memset(res, 0, sizeof *res);
    int rc = lint_read_logs(o, on_record, &c, res);
    uint64_t *rule_hits = calloc(n_rules ? n_rules : 1, sizeof *rule_hits);
    uint64_t *list_hits = calloc(l->info.n_lists ? l->info.n_lists : 1, sizeof *list_hits);
    struct entry_hits *eh = calloc(l->n_occ ? l->n_occ : 1, sizeof *eh);
    uint64_t none = 0;
    if (!rc && (!rule_hits || !list_hits || !eh || c.oom)) {
        tool_warn("out of memory");
        rc = EXIT_SYSTEM;
    }
    for (size_t i = 0; !rc && i < c.names.cap; i++) {
        const struct strmap_entry *se = &c.names.slots[i];
        if (!se->key)
            continue;
        const struct name_stat *ns = se->value;
        char name[DNSFW_NAME_TEXT_MAX + 16];
        snprintf(name, sizeof name, "%.*s", (int)se->len, se->key);
        if (c.by_type)
            *strrchr(name, '/') = '\0';
        if (ns->blocked_hops)
            chain_finding(l, name, ns);
        if (ns->verdict.rule == DNSFW_NONE) {
            none += ns->records;
            continue;
        }
        dnsfw_explanation why;
        if (dnsfw_explain(l->matcher, &ns->verdict, l->scope, &why) != DNSFW_OK)
            continue;
        rule_hits[ns->verdict.rule] += ns->records;
        uint32_t list = ns->verdict.domain_list < l->info.n_lists ? ns->verdict.domain_list : 1;
        list_hits[list] += ns->records;
        size_t k = lint_find_spec(l, list, why.entry);
        if (k == SIZE_MAX)
            continue;
        eh[k].records += ns->records;
        eh[k].names++;
        if (eh[k].some.n <= o->narrow_max) {
            char b[DNSFW_NAME_TEXT_MAX];
            strlist_add(&eh[k].some, bare(name, b, sizeof b));
        }
    }
    if (!rc && res->records == 0)
        tool_warn("the logs hold no query record: unused and narrow are not checked");
    for (size_t k = 0; !rc && res->records && k < l->n_occ; k++) {
        const struct occurrence *oc = &l->occ[k];
        size_t first = lint_find_spec(l, oc->list, oc->text);
        if (!l->uses[oc->list].allow || first == SIZE_MAX)
            continue;
        const struct entry_hits *e = &eh[first];
        if (e->records == 0) {
            struct finding *f = finding_add(&l->findings, CHECK_UNUSED,
                                            "\"%s\" decided none of the %llu logged queries",
                                            oc->text, (unsigned long long)res->records);
            lint_about_occurrence(l, f, oc);
        } else if (!strncmp(oc->text, "*.", 2) && e->names <= o->narrow_max) {
            struct finding *f = finding_add(
                &l->findings, CHECK_NARROW,
                "\"%s\" was used for %llu name%s only (%llu queries): allow %s instead", oc->text,
                (unsigned long long)e->names, e->names == 1 ? "" : "s",
                (unsigned long long)e->records, e->names == 1 ? "that name" : "those names");
            lint_about_occurrence(l, f, oc);
            for (size_t i = 0; i < e->some.n; i++)
                strlist_add(&f->names, e->some.v[i]);
            narrower(psl, oc->text + 2, &e->some, &f->fixes);
        }
    }
    if (!rc)
        *hits = hits_json(l, rule_hits, list_hits, eh, none, res->records);
    for (size_t k = 0; eh && k < l->n_occ; k++)
        strlist_free(&eh[k].some);
    free(eh);
    free(rule_hits);
    free(list_hits);
    strmap_free(&c.names, free_stat);
    return rc;
}
