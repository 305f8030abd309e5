#include "diff.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "strmap.h"

struct diff {
    const struct fw_model *want, *have;
    bool json;
    FILE *out;
    size_t count;
    size_t *lpair_w; /* want list -> have list, SIZE_MAX: none */
    size_t *lpair_h; /* have list -> want list */
};

/* --- output --------------------------------------------------------------------------- */

struct change {
    const char *kind;  /* "entry", "list", "group", "rule", "fail_open" */
    const char *what;  /* "missing" (policy only), "extra" (deployed only), "changed" */
    const char *list;  /* policy's list name */
    const char *group; /* group name */
    long priority;     /* rule priority, -1 when not a rule */
    const char *field;
    const char *entry;
    const char *policy, *deployed; /* values of field */
};

static void emit(struct diff *d, const struct change *c)
{
    FILE *f = d->out;
    d->count++;
    if (d->json) {
        fprintf(f, "{\"kind\":");
        tool_json_string(f, c->kind);
        fprintf(f, ",\"change\":");
        tool_json_string(f, c->what);
        if (c->group) {
            fprintf(f, ",\"rule_group\":");
            tool_json_string(f, c->group);
        }
        if (c->priority >= 0)
            fprintf(f, ",\"rule_priority\":%ld", c->priority);
        if (c->list) {
            fprintf(f, ",\"domain_list\":");
            tool_json_string(f, c->list);
        }
        if (c->entry) {
            fprintf(f, ",\"entry\":");
            tool_json_string(f, c->entry);
        }
        if (c->field) {
            fprintf(f, ",\"field\":");
            tool_json_string(f, c->field);
            fprintf(f, ",\"policy\":");
            tool_json_string_or_null(f, c->policy);
            fprintf(f, ",\"deployed\":");
            tool_json_string_or_null(f, c->deployed);
        }
        fputs("}\n", f);
        return;
    }
    if (strcmp(c->kind, "entry") == 0)
        fprintf(f, "domain list \"%s\": %s %s\n", c->list, strcmp(c->what, "missing") ? "+" : "-",
                c->entry);
    else if (strcmp(c->what, "unknown") == 0) {
        if (c->group)
            fprintf(f, "rule group \"%s\": ", c->group);
        fprintf(f, "%s: %s -> unknown (the deployed setting cannot be determined)\n", c->field,
                c->policy ? c->policy : "(none)");
    } else if (strcmp(c->kind, "fail_open") == 0 || strcmp(c->kind, "query_log") == 0)
        fprintf(f, "%s: %s -> %s\n", c->field, c->policy ? c->policy : "(none)",
                c->deployed ? c->deployed : "(none)");
    else {
        if (strcmp(c->kind, "list") == 0)
            fprintf(f, "domain list \"%s\"", c->list);
        else if (c->priority >= 0)
            fprintf(f, "rule group \"%s\", rule %ld", c->group, c->priority);
        else
            fprintf(f, "rule group \"%s\"", c->group);
        if (strcmp(c->what, "missing") == 0)
            fputs(": not deployed\n", f);
        else if (strcmp(c->what, "extra") == 0)
            fputs(": deployed, not in the policy\n", f);
        else
            fprintf(f, ": %s %s -> %s\n", c->field, c->policy ? c->policy : "(none)",
                    c->deployed ? c->deployed : "(none)");
    }
}

/* --- domain lists ---------------------------------------------------------------------- */

static void fill(struct strmap *s, const struct fw_list *l)
{
    for (size_t i = 0; i < l->n_specs; i++) {
        void **slot = strmap_slot(s, l->specs[i], strlen(l->specs[i]));
        if (slot)
            *slot = (void *)1;
    }
}

static void list_field(struct diff *d, const struct fw_list *w, const char *field, const char *pv,
                       const char *dv)
{
    if ((pv == NULL) != (dv == NULL) || (pv && strcmp(pv, dv) != 0))
        emit(d, &(struct change){.kind = "list",
                                 .what = "changed",
                                 .list = w->name,
                                 .priority = -1,
                                 .field = field,
                                 .policy = pv,
                                 .deployed = dv});
}

/* An AWS-managed list: what AWS holds is not the policy's, so no entries are compared;
 * which list it is (its name, its id in each Region both know) is. */
static void managed(struct diff *d, const struct fw_list *w, const struct fw_list *h)
{
    list_field(d, w, "managed", w->managed ? "yes" : "no", h->managed ? "yes" : "no");
    if (!w->managed || !h->managed)
        return;
    if (w->managed_name && h->managed_name)
        list_field(d, w, "managed_name", w->managed_name, h->managed_name);
    for (size_t i = 0; i < w->n_ids; i++) {
        const char *hid = fw_list_managed_id(h, w->ids[i].region);
        char field[80];
        snprintf(field, sizeof field, "managed_id %s", w->ids[i].region);
        if (hid)
            list_field(d, w, field, w->ids[i].id, hid);
    }
}

static void entries(struct diff *d, const struct fw_list *w, const struct fw_list *h)
{
    if (w->managed || h->managed) {
        managed(d, w, h);
        return;
    }
    struct strmap ws = {0}, hs = {0};
    fill(&ws, w);
    fill(&hs, h);
    char label[300];
    if (strcmp(w->name, h->name) == 0)
        snprintf(label, sizeof label, "%s", w->name);
    else
        snprintf(label, sizeof label, "%s\" (deployed as \"%s", w->name, h->name);
    for (size_t i = 0; i < w->n_specs; i++)
        if (strcmp(w->specs[i], FW_PLACEHOLDER) != 0 &&
            !strmap_get(&hs, w->specs[i], strlen(w->specs[i])))
            emit(d, &(struct change){.kind = "entry",
                                     .what = "missing",
                                     .list = d->json ? w->name : label,
                                     .priority = -1,
                                     .entry = w->specs[i]});
    for (size_t i = 0; i < h->n_specs; i++)
        if (strcmp(h->specs[i], FW_PLACEHOLDER) != 0 &&
            !strmap_get(&ws, h->specs[i], strlen(h->specs[i])))
            emit(d, &(struct change){.kind = "entry",
                                     .what = "extra",
                                     .list = d->json ? w->name : label,
                                     .priority = -1,
                                     .entry = h->specs[i]});
    strmap_free(&ws, NULL);
    strmap_free(&hs, NULL);
}

/* --- rules ----------------------------------------------------------------------------- */

static void field(struct diff *d, const struct fw_group *g, const struct fw_rule *w,
                  const char *name, const char *pv, const char *dv)
{
    if ((pv == NULL) != (dv == NULL) || (pv && strcmp(pv, dv) != 0))
        emit(d, &(struct change){.kind = "rule",
                                 .what = "changed",
                                 .group = g->name,
                                 .priority = w->priority,
                                 .field = name,
                                 .policy = pv,
                                 .deployed = dv});
}

/* lower case, without one trailing dot */
static void norm_domain(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (; s && s[n] && n + 1 < size; n++)
        out[n] = (char)tolower((unsigned char)s[n]);
    if (n && out[n - 1] == '.')
        n--;
    out[n] = '\0';
}

/* What two paired rules match: their domain lists, or their DNS Firewall Advanced
 * protections and thresholds (a list against a protection shows as both changed). */
static void compare_sources(struct diff *d, const struct fw_group *g, const struct fw_rule *w,
                            const struct fw_rule *h)
{
    if (w->threat || h->threat) {
        field(d, g, w, "dns_threat_protection", dnsfw_threat_name(w->threat),
              dnsfw_threat_name(h->threat));
        field(d, g, w, "confidence_threshold", dnsfw_confidence_name(w->confidence),
              dnsfw_confidence_name(h->confidence));
        field(d, g, w, "domain_list", w->threat ? NULL : d->want->lists[w->list].name,
              h->threat ? NULL : d->have->lists[h->list].name);
        return;
    }
    if (d->lpair_w[w->list] != h->list)
        field(d, g, w, "domain_list", d->want->lists[w->list].name, d->have->lists[h->list].name);
}

/* AWS's identity of a rule in its group: its domain list and query type, or for an
 * Advanced rule its protection and query type. */
static bool same_identity(const struct diff *d, const struct fw_rule *w, const struct fw_rule *h)
{
    if (w->threat || h->threat)
        return w->threat == h->threat && w->qtype == h->qtype;
    return d->lpair_w[w->list] == h->list && w->qtype == h->qtype;
}

static void compare_rules(struct diff *d, const struct fw_group *g, const struct fw_rule *w,
                          const struct fw_rule *h)
{
    char a[32], b[32];
    snprintf(a, sizeof a, "%u", w->priority);
    snprintf(b, sizeof b, "%u", h->priority);
    field(d, g, w, "priority", a, b);
    field(d, g, w, "action", dnsfw_action_name(w->action), dnsfw_action_name(h->action));
    field(d, g, w, "block_response", w->response ? dnsfw_block_response_name(w->response) : NULL,
          h->response ? dnsfw_block_response_name(h->response) : NULL);
    if (w->response == DNSFW_RESPONSE_OVERRIDE && h->response == DNSFW_RESPONSE_OVERRIDE) {
        char x[300], y[300];
        norm_domain(w->override_domain, x, sizeof x);
        norm_domain(h->override_domain, y, sizeof y);
        field(d, g, w, "block_override_domain", x, y);
        snprintf(a, sizeof a, "%u", w->override_ttl);
        snprintf(b, sizeof b, "%u", h->override_ttl);
        field(d, g, w, "block_override_ttl", a, b);
    }
    field(d, g, w, "redirection", dnsfw_redirection_name(w->redirection),
          dnsfw_redirection_name(h->redirection));
    if (w->qtype) {
        fw_qtype_text(w->qtype, a);
    }
    if (h->qtype) {
        fw_qtype_text(h->qtype, b);
    }
    field(d, g, w, "qtype", w->qtype ? a : NULL, h->qtype ? b : NULL);
    compare_sources(d, g, w, h);
}

/* pair[i]: the deployed rule paired with intended rule i, SIZE_MAX when none. */
static void pair_rules(struct diff *d, const struct fw_group *wg, const struct fw_group *hg,
                       size_t *pair, bool *taken, bool by_identity)
{
    for (size_t i = 0; i < wg->n_rules; i++) {
        const struct fw_rule *w = &wg->rules[i];
        for (size_t j = 0; pair[i] == SIZE_MAX && j < hg->n_rules; j++) {
            const struct fw_rule *h = &hg->rules[j];
            if (taken[j])
                continue;
            bool same = by_identity ? same_identity(d, w, h) : w->priority == h->priority;
            if (!same)
                continue;
            pair[i] = j;
            taken[j] = true;
            if (w->threat || h->threat)
                continue;
            /* a deployed list known by id only pairs through the rule that uses it */
            if (d->lpair_w[w->list] == SIZE_MAX && d->lpair_h[h->list] == SIZE_MAX) {
                d->lpair_w[w->list] = h->list;
                d->lpair_h[h->list] = w->list;
            }
        }
    }
}

static void query_log_field(struct diff *d, const char *field, const char *pv, const char *dv,
                            bool unknown)
{
    if (unknown || (pv == NULL) != (dv == NULL) || (pv && strcmp(pv, dv) != 0))
        emit(d, &(struct change){.kind = "query_log",
                                 .what = unknown ? "unknown" : "changed",
                                 .priority = -1,
                                 .field = field,
                                 .policy = pv,
                                 .deployed = unknown ? NULL : dv});
}

/* Resolver query logging: where the logs go, the log group's retention, the
 * configuration's name, its association with the VPC. */
static void query_log(struct diff *d, const struct fw_query_log *w, const struct fw_query_log *h)
{
    query_log_field(d, "query_log_destination", fw_query_log_dest_name(w->dest),
                    fw_query_log_dest_name(h->dest), h->dest == FW_QUERY_LOG_UNKNOWN);
    if (h->dest == FW_QUERY_LOG_UNKNOWN || w->dest != h->dest || w->dest == FW_QUERY_LOG_NONE)
        return;
    query_log_field(d, "query_log_associated", w->associated ? "yes" : "no",
                    h->associated ? "yes" : "no", false);
    if (h->name)
        query_log_field(d, "query_log_name", w->name, h->name, false);
    if (w->dest == FW_QUERY_LOG_CLOUDWATCH) {
        char a[16], b[16];
        snprintf(a, sizeof a, "%d", w->retention);
        snprintf(b, sizeof b, "%d", h->retention);
        query_log_field(d, "query_log_retention_days", a, b, h->retention < 0);
    } else if (w->arn && h->arn) {
        query_log_field(d, "query_log_arn", w->arn, h->arn, false);
    }
}

size_t fw_diff(const struct fw_model *want, const struct fw_model *have, bool json, FILE *out)
{
    struct diff d = {.want = want, .have = have, .json = json, .out = out};
    d.lpair_w = malloc((want->n_lists + 1) * sizeof *d.lpair_w);
    d.lpair_h = malloc((have->n_lists + 1) * sizeof *d.lpair_h);
    size_t *gpair = malloc((want->n_groups + 1) * sizeof *gpair);
    size_t **rpair = calloc(want->n_groups + 1, sizeof *rpair);
    bool **taken = calloc(want->n_groups + 1, sizeof *taken);
    bool *gtaken = calloc(have->n_groups + 1, sizeof *gtaken);
    if (!d.lpair_w || !d.lpair_h || !gpair || !rpair || !taken || !gtaken) {
        tool_warn("out of memory");
        d.count = SIZE_MAX;
        goto out;
    }
    for (size_t i = 0; i < want->n_lists; i++)
        d.lpair_w[i] = SIZE_MAX;
    for (size_t j = 0; j < have->n_lists; j++)
        d.lpair_h[j] = SIZE_MAX;
    for (size_t i = 0; i < want->n_lists; i++) {
        size_t j = fw_model_find_list(have, want->lists[i].name);
        if (j != SIZE_MAX && d.lpair_h[j] == SIZE_MAX) {
            d.lpair_w[i] = j;
            d.lpair_h[j] = i;
        }
    }
    for (size_t i = 0; i < want->n_groups; i++) {
        gpair[i] = fw_model_find_group(have, want->groups[i].name);
        if (gpair[i] != SIZE_MAX)
            gtaken[gpair[i]] = true;
    }
    /* rules: first by AWS's identity (list and type), then by priority */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < want->n_groups; i++) {
            if (gpair[i] == SIZE_MAX)
                continue;
            const struct fw_group *wg = &want->groups[i], *hg = &have->groups[gpair[i]];
            if (!rpair[i]) {
                rpair[i] = malloc((wg->n_rules + 1) * sizeof **rpair);
                taken[i] = calloc(hg->n_rules + 1, sizeof **taken);
                if (!rpair[i] || !taken[i]) {
                    tool_warn("out of memory");
                    d.count = SIZE_MAX;
                    goto out;
                }
                for (size_t k = 0; k < wg->n_rules; k++)
                    rpair[i][k] = SIZE_MAX;
            }
            pair_rules(&d, wg, hg, rpair[i], taken[i], pass == 0);
        }
    }

    for (size_t i = 0; i < want->n_lists; i++) {
        if (d.lpair_w[i] == SIZE_MAX)
            emit(&d, &(struct change){.kind = "list",
                                      .what = "missing",
                                      .list = want->lists[i].name,
                                      .priority = -1});
        else
            entries(&d, &want->lists[i], &have->lists[d.lpair_w[i]]);
    }
    for (size_t j = 0; j < have->n_lists; j++)
        if (d.lpair_h[j] == SIZE_MAX)
            emit(&d,
                 &(struct change){
                     .kind = "list", .what = "extra", .list = have->lists[j].name, .priority = -1});
    for (size_t i = 0; i < want->n_groups; i++) {
        const struct fw_group *wg = &want->groups[i];
        if (gpair[i] == SIZE_MAX) {
            emit(&d, &(struct change){
                         .kind = "group", .what = "missing", .group = wg->name, .priority = -1});
            continue;
        }
        const struct fw_group *hg = &have->groups[gpair[i]];
        char prio[16];
        snprintf(prio, sizeof prio, "%u", wg->priority);
        if (!hg->priority_known)
            emit(&d, &(struct change){.kind = "group",
                                      .what = "unknown",
                                      .group = wg->name,
                                      .priority = -1,
                                      .field = "association_priority",
                                      .policy = prio});
        if (wg->assoc_name && (!hg->assoc_name || strcmp(wg->assoc_name, hg->assoc_name) != 0) &&
            hg->priority_known)
            emit(&d, &(struct change){.kind = "group",
                                      .what = hg->assoc_name ? "changed" : "unknown",
                                      .group = wg->name,
                                      .priority = -1,
                                      .field = "association_name",
                                      .policy = wg->assoc_name,
                                      .deployed = hg->assoc_name});
        if (hg->priority_known && hg->priority != wg->priority) {
            char a[16], b[16];
            snprintf(a, sizeof a, "%u", wg->priority);
            snprintf(b, sizeof b, "%u", hg->priority);
            emit(&d, &(struct change){.kind = "group",
                                      .what = "changed",
                                      .group = wg->name,
                                      .priority = -1,
                                      .field = "association_priority",
                                      .policy = a,
                                      .deployed = b});
        }
        for (size_t k = 0; k < wg->n_rules; k++) {
            if (rpair[i][k] == SIZE_MAX)
                emit(&d, &(struct change){.kind = "rule",
                                          .what = "missing",
                                          .group = wg->name,
                                          .priority = wg->rules[k].priority});
            else
                compare_rules(&d, wg, &wg->rules[k], &hg->rules[rpair[i][k]]);
        }
        for (size_t k = 0; k < hg->n_rules; k++)
            if (!taken[i][k])
                emit(&d, &(struct change){.kind = "rule",
                                          .what = "extra",
                                          .group = hg->name,
                                          .priority = hg->rules[k].priority});
    }
    for (size_t j = 0; j < have->n_groups; j++)
        if (!gtaken[j])
            emit(&d, &(struct change){.kind = "group",
                                      .what = "extra",
                                      .group = have->groups[j].name,
                                      .priority = -1});
    if (have->fail_open != want->fail_open)
        emit(&d, &(struct change){.kind = "fail_open",
                                  .what = have->fail_open < 0 ? "unknown" : "changed",
                                  .priority = -1,
                                  .field = "fail_open",
                                  .policy = want->fail_open == 1 ? "ENABLED" : "DISABLED",
                                  .deployed = have->fail_open < 0    ? NULL
                                              : have->fail_open == 1 ? "ENABLED"
                                                                     : "DISABLED"});
    query_log(&d, &want->query_log, &have->query_log);
out:
    for (size_t i = 0; rpair && taken && i < want->n_groups; i++) {
        free(rpair[i]);
        free(taken[i]);
    }
    free(rpair), free(taken), free(gtaken), free(gpair), free(d.lpair_w), free(d.lpair_h);
    return d.count;
}
