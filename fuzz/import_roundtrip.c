#include "import_roundtrip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "export.h"
#include "import.h"

__attribute__((noreturn)) static void die(const char *what)
{
    fprintf(stderr, "import round trip: %s\n", what);
    abort();
}

static int put(void *ud, const char *data, size_t len)
{
    buf_put(ud, data, len);
    return 0;
}

static void invariants(const struct fw_model *m)
{
    char norm[DNSFW_SPEC_MAX + 2];
    for (size_t i = 0; i < m->n_lists; i++)
        for (size_t j = 0; j < m->lists[i].n_specs; j++) {
            const char *s = m->lists[i].specs[j];
            if (dnsfw_spec_normalize(s, strlen(s), norm, sizeof norm, NULL) != DNSFW_OK ||
                strcmp(norm, s) != 0)
                die("a spec in the model is not in normal form");
            for (size_t k = 0; k < j; k++)
                if (strcmp(m->lists[i].specs[k], s) == 0)
                    die("a spec is in a list twice");
        }
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct fw_group *g = &m->groups[i];
        if (i && g->priority_known && m->groups[i - 1].priority_known &&
            m->groups[i - 1].priority > g->priority)
            die("groups are not sorted by priority");
        for (size_t j = 0; j < g->n_rules; j++) {
            /* an Advanced rule matches no list; every other rule matches one */
            if (g->rules[j].threat ? g->rules[j].list != FW_NO_LIST
                                   : g->rules[j].list >= m->n_lists)
                die("a rule refers to a list that does not exist");
            if (g->rules[j].threat && (g->rules[j].confidence < DNSFW_CONFIDENCE_LOW ||
                                       g->rules[j].confidence > DNSFW_CONFIDENCE_HIGH))
                die("an Advanced rule without a confidence threshold");
            if (j && g->rules[j - 1].priority > g->rules[j].priority)
                die("rules are not sorted by priority");
            if ((g->rules[j].action == DNSFW_ACTION_BLOCK) != (g->rules[j].response != 0))
                die("a block response without BLOCK, or BLOCK without one");
        }
    }
}

void import_roundtrip(const struct fw_model *m)
{
    invariants(m);
    dnsfw_policy *p1 = NULL, *p2 = NULL;
    if (fw_model_to_policy(m, &p1) != DNSFW_OK)
        return; /* e.g. two groups with one priority: reported, not a bug */
    struct fw_model a, b;
    struct outset out = {0};
    struct buf d1 = {0}, d2 = {0};
    struct export_opts o = {.max_domains = AWS_DOMAINS_QUOTA, .max_rules = AWS_RULES_QUOTA};
    if (fw_model_from_policy(p1, &a) || export_cloudformation(&a, &o, &out) || outset_failed(&out))
        die("exporting an imported policy failed");
    const struct buf *t = &out.files[0]->content;
    if (import_cfn("roundtrip.json", t->data, t->len, NULL, &b) != 0)
        die("the exported template does not import");
    FILE *null = fopen("/dev/null", "w");
    if (!null || fw_diff(&a, &b, false, null) != 0)
        die("the re-imported template differs from the policy");
    fclose(null);
    if (fw_model_to_policy(&b, &p2) != DNSFW_OK)
        die("the re-imported template makes no policy");
    if (dnsfw_policy_dump_json(p1, put, &d1) || dnsfw_policy_dump_json(p2, put, &d2) ||
        d1.len != d2.len || memcmp(d1.data, d2.data, d1.len) != 0)
        die("the policy changed on the way through a template");
    buf_free(&d1);
    buf_free(&d2);
    outset_free(&out);
    fw_model_free(&a);
    fw_model_free(&b);
    dnsfw_policy_free(p1);
    dnsfw_policy_free(p2);
}
