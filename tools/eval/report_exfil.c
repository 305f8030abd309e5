/*
 * The report's view of the exfiltration heuristics (exfil.c): the flagged domains with
 * example names and their verdict in enforce mode, and what each DNS Firewall Advanced
 * rule of the policy would act on if AWS's detectors agreed with the heuristics. Both
 * walk the names once; only the names of flagged domains or flagged clients are looked
 * at further.
 */
#include <stdlib.h>
#include <string.h>

#include "exfil.h"
#include "report_data.h"
#include "strmap.h"

#define NAME_EXAMPLES 3

const char report_exfil_note[] =
    "Exfiltration and DGA findings come from dnsfw-eval's heuristics (docs/egress.md), "
    "measured per registrable domain and per client; DNS Firewall Advanced rules are "
    "evaluated with them as an approximation of AWS's detectors, which are not published.";

static uint16_t first_type(const struct name_stat *n)
{
    uint16_t t = 1;
    if (n->types.n && dnsfw_qtype_parse(n->types.v[0], strlen(n->types.v[0]), &t) != DNSFW_OK)
        t = 1;
    return t;
}

static cJSON *verdict_json(const struct report_options *o, const char *name, uint16_t qtype)
{
    cJSON *v = cJSON_CreateObject();
    dnsfw_verdict vd;
    dnsfw_explanation why;
    if (!v || dnsfw_eval(o->enforce, name, strlen(name), qtype, o->scope, &vd) != DNSFW_OK ||
        dnsfw_explain(o->enforce, &vd, o->scope, &why) != DNSFW_OK)
        return v;
    cJSON_AddStringToObject(v, "name", name);
    cJSON_AddStringToObject(v, "action", dnsfw_action_name(vd.action));
    if (why.rule_group) {
        cJSON_AddStringToObject(v, "rule_group", why.rule_group);
        cJSON_AddNumberToObject(v, "rule_priority", why.rule_priority);
        cJSON_AddStringToObject(v, "domain_list", why.domain_list ? why.domain_list : "");
        cJSON_AddStringToObject(v, "entry", why.entry);
    }
    return v;
}

/* Per flagged domain, while the names are walked. */
struct flagged {
    cJSON *item;
    const char *examples[NAME_EXAMPLES]; /* the smallest names, for a stable choice */
    const struct name_stat *example_stat;
    uint32_t n;
    uint64_t blocked;
};

static void keep_example(struct flagged *f, const char *name, const struct name_stat *n)
{
    uint32_t at = f->n;
    while (at > 0 && strcmp(name, f->examples[at - 1]) < 0)
        at--;
    if (at >= NAME_EXAMPLES)
        return;
    uint32_t last = f->n < NAME_EXAMPLES ? f->n : NAME_EXAMPLES - 1;
    memmove(&f->examples[at + 1], &f->examples[at], (last - at) * sizeof *f->examples);
    f->examples[at] = name;
    if (at == 0)
        f->example_stat = n;
    if (f->n < NAME_EXAMPLES)
        f->n++;
}

cJSON *report_exfiltration(const struct report_options *o, const struct strmap *names,
                           const struct exfil *x, bool *oom)
{
    cJSON *a = exfil_domains_json(x);
    int n = a ? cJSON_GetArraySize(a) : 0;
    struct flagged *fl = calloc(n ? (size_t)n : 1, sizeof *fl);
    struct strmap index = {0}; /* domain -> struct flagged */
    bool ok = a && fl;
    int i = 0;
    for (cJSON *it = a ? a->child : NULL; ok && it; it = it->next, i++) {
        const char *d = cJSON_GetObjectItem(it, "domain")->valuestring;
        void **slot = strmap_slot(&index, d, strlen(d));
        ok = slot != NULL;
        if (ok) {
            fl[i].item = it;
            *slot = &fl[i];
        }
    }
    for (size_t k = 0; ok && n && k < names->cap; k++) {
        const struct name_stat *ns = names->slots[k].value;
        if (!names->slots[k].key || !ns->registrable || !ns->domain)
            continue;
        struct flagged *f = strmap_get(&index, ns->domain, strlen(ns->domain));
        if (!f)
            continue;
        keep_example(f, names->slots[k].key, ns);
        f->blocked += name_blocked(ns);
    }
    for (i = 0; ok && i < n; i++) {
        cJSON *ex = cJSON_AddArrayToObject(fl[i].item, "examples");
        for (uint32_t j = 0; ex && j < fl[i].n; j++)
            cJSON_AddItemToArray(ex, cJSON_CreateString(fl[i].examples[j]));
        cJSON_AddNumberToObject(fl[i].item, "enforce_blocked_records", (double)fl[i].blocked);
        if (fl[i].n)
            cJSON_AddItemToObject(
                fl[i].item, "verdict",
                verdict_json(o, fl[i].examples[0], first_type(fl[i].example_stat)));
        else
            cJSON_AddNullToObject(fl[i].item, "verdict");
    }
    strmap_free(&index, NULL);
    free(fl);
    if (!ok) {
        cJSON_Delete(a);
        *oom = true;
        return cJSON_CreateArray();
    }
    return a;
}

/* --- DNS Firewall Advanced rules ----------------------------------------------------------- */

struct rule_stat {
    uint64_t names, records, newly_blocked;
    struct strmap domains; /* domain -> records (uintptr_t) */
};

/* What the heuristics detect for a name: each protection's confidence. */
static void detect(const struct exfil *x, const struct name_stat *n,
                   dnsfw_confidence det[DNSFW_THREAT_COUNT])
{
    memset(det, 0, DNSFW_THREAT_COUNT * sizeof *det);
    if (!n->registrable || !n->domain)
        return;
    det[DNSFW_THREAT_DNS_TUNNELING] = exfil_confidence(exfil_tunnel_score(x, n->domain));
    static const dnsfw_threat dga[] = {DNSFW_THREAT_DGA, DNSFW_THREAT_DICTIONARY_DGA};
    for (size_t k = 0; k < 2; k++) {
        double best = 0;
        for (uint32_t c = 0; c < n->clients.n; c++) {
            double s = exfil_dga_score(x, dga[k], n->clients.v[c], n->domain);
            if (s > best)
                best = s;
        }
        det[dga[k]] = exfil_confidence(best);
    }
}

static size_t rule_of(const struct report_options *o, const dnsfw_explanation *why)
{
    for (size_t i = 0; i < o->n_advanced; i++)
        if (why->rule_group && strcmp(o->advanced[i].group, why->rule_group) == 0 &&
            o->advanced[i].priority == why->rule_priority)
            return i;
    return SIZE_MAX;
}

static int cmp_count(const void *a, const void *b)
{
    const struct strmap_entry *x = a, *y = b;
    uintptr_t cx = (uintptr_t)x->value, cy = (uintptr_t)y->value;
    if (cx != cy)
        return cx < cy ? 1 : -1;
    return strcmp(x->key, y->key);
}

static cJSON *rule_json(const struct advanced_rule *ar, struct rule_stat *st)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "rule_group", ar->group);
    cJSON_AddStringToObject(o, "rule", ar->name);
    cJSON_AddNumberToObject(o, "rule_priority", ar->priority);
    cJSON_AddStringToObject(o, "action", dnsfw_action_name(ar->action));
    if (ar->response)
        cJSON_AddStringToObject(o, "block_response", dnsfw_block_response_name(ar->response));
    cJSON_AddStringToObject(o, "dns_threat_protection", dnsfw_threat_name(ar->threat));
    cJSON_AddStringToObject(o, "confidence_threshold", dnsfw_confidence_name(ar->confidence));
    cJSON_AddStringToObject(o, "evaluated_with",
                            "dnsfw-eval heuristics, an approximation of AWS's detector");
    cJSON_AddNumberToObject(o, "names", (double)st->names);
    cJSON_AddNumberToObject(o, "records", (double)st->records);
    /* what a BLOCK rule would break: records the domain-list rules alone let through */
    cJSON_AddNumberToObject(o, "newly_blocked_records", (double)st->newly_blocked);
    cJSON *d = cJSON_AddArrayToObject(o, "domains");
    size_t n = 0;
    struct strmap_entry *v = calloc(st->domains.count ? st->domains.count : 1, sizeof *v);
    for (size_t i = 0; v && i < st->domains.cap; i++)
        if (st->domains.slots[i].key)
            v[n++] = st->domains.slots[i];
    if (v)
        qsort(v, n, sizeof *v, cmp_count);
    for (size_t i = 0; v && i < n; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "domain", v[i].key);
        cJSON_AddNumberToObject(e, "records", (double)(uintptr_t)v[i].value);
        cJSON_AddItemToArray(d, e);
    }
    free(v);
    return o;
}

cJSON *report_advanced(const struct report_options *o, const struct strmap *names,
                       const struct exfil *x, bool *oom)
{
    struct rule_stat *st = calloc(o->n_advanced, sizeof *st);
    cJSON *a = cJSON_CreateArray();
    if (!st || !a) {
        free(st);
        *oom = true;
        return a;
    }
    for (size_t k = 0; k < names->cap; k++) {
        const struct name_stat *ns = names->slots[k].value;
        if (!names->slots[k].key)
            continue;
        dnsfw_confidence det[DNSFW_THREAT_COUNT];
        detect(x, ns, det);
        if (!det[DNSFW_THREAT_DGA] && !det[DNSFW_THREAT_DNS_TUNNELING] &&
            !det[DNSFW_THREAT_DICTIONARY_DGA])
            continue;
        const char *name = names->slots[k].key;
        uint16_t qtype = first_type(ns);
        dnsfw_verdict before, after;
        dnsfw_explanation why;
        if (dnsfw_eval(o->enforce, name, strlen(name), qtype, o->scope, &before) != DNSFW_OK)
            continue;
        after = before;
        if (dnsfw_eval_threats(o->enforce, qtype, det, &after) != DNSFW_OK ||
            after.rule == before.rule ||
            dnsfw_explain(o->enforce, &after, o->scope, &why) != DNSFW_OK)
            continue;
        size_t i = rule_of(o, &why);
        if (i == SIZE_MAX)
            continue;
        st[i].names++;
        st[i].records += ns->count;
        if (after.action == DNSFW_ACTION_BLOCK && before.action != DNSFW_ACTION_BLOCK)
            st[i].newly_blocked += ns->count;
        void **slot = strmap_slot(&st[i].domains, ns->domain, strlen(ns->domain));
        if (!slot)
            *oom = true;
        else
            *slot = (void *)((uintptr_t)*slot + ns->count);
    }
    for (size_t i = 0; i < o->n_advanced; i++) {
        cJSON_AddItemToArray(a, rule_json(&o->advanced[i], &st[i]));
        strmap_free(&st[i].domains, NULL);
    }
    free(st);
    return a;
}
