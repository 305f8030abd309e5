/*
 * Round trip on the differential test set: random policies of both forms from the
 * model tests' generator (tests/model/gen.h), each written as a CloudFormation template
 * (tools/export/export_cfn.c) and read back (tools/export/import_cfn.c), must give every generated
 * query (name, type, redirection chain) the same verdict as the original: action, block
 * response, rule group, rule priority, domain list, matching entry and deciding hop.
 * fw_diff() between the policy and the template must find nothing, and the template of
 * the re-imported policy must be the same bytes (the exporter is deterministic).
 *
 * Environment: DNSFW_MODEL_SEED (decimal or 0x hex), DNSFW_EXPORT_POLICIES (per form,
 * default 300), DNSFW_TEST_QUICK (a tenth). A failure prints the seed and the policy.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "diff.h"
#include "export.h"
#include "gen.h"
#include "import.h"

#define NAMES     80
#define MAX_CHAIN 3
#define NAME_BUF  1100

static uint64_t seed = 0x5eed0e4907;
static unsigned policies = 300;

static struct buf template_of(const struct fw_model *m)
{
    struct outset out = {0};
    struct export_opts o = {.max_domains = AWS_DOMAINS_QUOTA, .max_rules = AWS_RULES_QUOTA};
    ck_assert_int_eq(export_cloudformation(m, &o, &out), 0);
    ck_assert(!outset_failed(&out));
    struct buf b = out.files[0]->content;
    out.files[0]->content = (struct buf){0}; /* keep the text, free the rest */
    outset_free(&out);
    return b;
}

/* What a verdict says, in words that survive the round trip (not indexes). */
static void describe(const dnsfw_matcher *m, int rc, const dnsfw_verdict *v, char *out, size_t size)
{
    dnsfw_explanation e;
    if (rc != DNSFW_OK) {
        snprintf(out, size, "error %d", rc);
        return;
    }
    ck_assert_int_eq(dnsfw_explain(m, v, DNSFW_SCOPE_ALL, &e), DNSFW_OK);
    snprintf(out, size, "%s/%s group=%s prio=%u list=%s entry=%s hop=%u",
             dnsfw_action_name(v->action), dnsfw_block_response_name(v->block_response),
             e.rule_group ? e.rule_group : "-", e.rule_priority,
             e.domain_list ? e.domain_list : "-", e.entry, v->hop);
}

static void one_policy(bool tiered, unsigned index)
{
    static struct gen_policy gp;
    struct gen_src g;
    struct gen_buf json = {0};
    uint64_t s = seed ^ ((uint64_t)index * 0x9e3779b97f4a7c15ull) ^ (tiered ? 0xabcdef : 0);
    gen_seed(&g, s);
    gen_policy(&g, &gp, tiered);
    gen_json(&gp, &json);

    dnsfw_policy *p = NULL, *p2 = NULL;
    dnsfw_error err;
    int rc = dnsfw_policy_from_json(&p, json.p, json.len, "gen.json", NULL, &err);
    ck_assert_msg(rc == DNSFW_OK, "seed %#" PRIx64 ": %s\n%s", s, err.message, json.p);

    struct fw_model m, back;
    ck_assert_int_eq(fw_model_from_policy(p, &m), DNSFW_OK);
    struct buf t = template_of(&m);
    rc = import_cfn("export.json", t.data, t.len, NULL, &back);
    ck_assert_msg(rc == 0, "seed %#" PRIx64 ": the template does not import\n%s\n%s", s, json.p,
                  t.data);
    FILE *null = fopen("/dev/null", "w");
    ck_assert_ptr_nonnull(null);
    size_t diffs = fw_diff(&m, &back, false, null);
    fclose(null);
    ck_assert_msg(diffs == 0, "seed %#" PRIx64 ": %zu differences after the round trip\n%s", s,
                  diffs, json.p);
    ck_assert_int_eq(fw_model_to_policy(&back, &p2), DNSFW_OK);

    /* the re-imported policy exports to the same bytes */
    struct fw_model m2;
    ck_assert_int_eq(fw_model_from_policy(p2, &m2), DNSFW_OK);
    struct buf t2 = template_of(&m2);
    if (!m.tiered) /* a tiered rule's name is not in the template: it comes back rule-N */
        ck_assert_msg(t.len == t2.len && memcmp(t.data, t2.data, t.len) == 0,
                      "seed %#" PRIx64 ": the template changed on the way back", s);

    dnsfw_matcher *a = NULL, *b = NULL;
    ck_assert_int_eq(dnsfw_compile(p, &a), DNSFW_OK);
    ck_assert_int_eq(dnsfw_compile(p2, &b), DNSFW_OK);
    static char names[1 + MAX_CHAIN][NAME_BUF];
    size_t lens[1 + MAX_CHAIN];
    for (unsigned i = 0; i < NAMES; i++) {
        lens[0] = gen_name(&g, &gp, names[0], NAME_BUF);
        size_t n_chain = gen_chance(&g, 1, 4) ? gen_range(&g, 1, MAX_CHAIN) : 0;
        const char *chain[MAX_CHAIN];
        for (size_t h = 0; h < n_chain; h++) {
            lens[1 + h] = gen_name(&g, &gp, names[1 + h], NAME_BUF);
            chain[h] = names[1 + h];
        }
        uint16_t qtype = gen_query_type(&g, &gp);
        dnsfw_verdict va, vb;
        int ra = dnsfw_eval_chain(a, names[0], lens[0], chain, lens + 1, n_chain, qtype,
                                  DNSFW_SCOPE_ALL, &va, NULL);
        int rb = dnsfw_eval_chain(b, names[0], lens[0], chain, lens + 1, n_chain, qtype,
                                  DNSFW_SCOPE_ALL, &vb, NULL);
        char da[700], db[700];
        describe(a, ra, &va, da, sizeof da);
        describe(b, rb, &vb, db, sizeof db);
        ck_assert_msg(strcmp(da, db) == 0,
                      "seed %#" PRIx64 ": \"%.*s\" type %u (chain %zu): %s before, %s after\n%s", s,
                      (int)lens[0], names[0], qtype, n_chain, da, db, json.p);
    }
    dnsfw_matcher_free(a);
    dnsfw_matcher_free(b);
    fw_model_free(&m);
    fw_model_free(&m2);
    fw_model_free(&back);
    buf_free(&t);
    buf_free(&t2);
    dnsfw_policy_free(p);
    dnsfw_policy_free(p2);
    gb_free(&json);
}

START_TEST(general_round_trip)
{
    for (unsigned i = 0; i < policies; i++)
        one_policy(false, (unsigned)_i * policies + i);
}
END_TEST

START_TEST(tiered_round_trip)
{
    for (unsigned i = 0; i < policies; i++)
        one_policy(true, (unsigned)_i * policies + i);
}
END_TEST

int main(void)
{
    const char *e = getenv("DNSFW_MODEL_SEED");
    if (e && *e)
        seed = strtoull(e, NULL, 0);
    if ((e = getenv("DNSFW_EXPORT_POLICIES")) && *e)
        policies = (unsigned)strtoul(e, NULL, 10);
    if (getenv("DNSFW_TEST_QUICK") || getenv("CK_FORK")) /* CK_FORK=no: under valgrind */
        policies = policies / 10 ? policies / 10 : 1;
    diag_set_quiet(true);
    fprintf(stderr, "seed %#" PRIx64 ", %u policies per form and run\n", seed, policies);

    Suite *s = suite_create("export_model");
    TCase *tc = tcase_create("round trip");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, general_round_trip, 0, 2);
    tcase_add_loop_test(tc, tiered_round_trip, 0, 2);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
