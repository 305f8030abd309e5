/*
 * DNS Firewall Advanced rules (DnsThreatProtection with ConfidenceThreshold): built with
 * the API and from JSON, read back, compiled in evaluation order, passed over by
 * dnsfw_eval(), and applied by dnsfw_eval_threats() to a verdict given what detectors
 * found (aws-dns-firewall.md §4.3: ALERT or BLOCK only; the first matching rule decides,
 * whatever its kind). A table of cases, then random policies and detections against a
 * naive model of the same rule.
 */
#include <stdbool.h>

#include "unit.h"

/*
 * One rule group "g" (priority 10) and one "h" (priority 20):
 *   g 10  BLOCK  DNS_TUNNELING  HIGH    NXDOMAIN
 *   g 20  ALLOW  list allow (github.com, *.github.com)
 *   g 30  ALERT  DGA            LOW     qtype A
 *   g 40  BLOCK  DICTIONARY_DGA MEDIUM  NODATA
 *   h 10  ALERT  DNS_TUNNELING  LOW
 *   h 20  BLOCK  list all (*)   NODATA
 */
static const char policy[] =
    "{'dnsfw':1,'domain_lists':{'allow':['github.com','*.github.com'],'all':['*']},"
    "'rule_groups':[{'name':'h','priority':20,'rules':["
    "{'name':'tun-low','priority':10,'action':'ALERT','dns_threat_protection':'DNS_TUNNELING',"
    "'confidence_threshold':'LOW'},"
    "{'name':'rest','priority':20,'action':'BLOCK','domain_list':'all','block_response':'NODATA'}"
    "]},{'name':'g','priority':10,'rules':["
    "{'name':'tun-high','priority':10,'action':'BLOCK','dns_threat_protection':'DNS_TUNNELING',"
    "'confidence_threshold':'HIGH','block_response':'NXDOMAIN'},"
    "{'name':'allow','priority':20,'action':'ALLOW','domain_list':'allow'},"
    "{'name':'dga','priority':30,'action':'ALERT','dns_threat_protection':'DGA',"
    "'confidence_threshold':'LOW','qtype':'A'},"
    "{'name':'dict','priority':40,'action':'BLOCK','dns_threat_protection':'DICTIONARY_DGA',"
    "'confidence_threshold':'MEDIUM','block_response':'NODATA'}]}]}";

static dnsfw_matcher *load(void)
{
    static char buf[2048];
    size_t n = strlen(policy);
    ck_assert_uint_lt(n, sizeof buf);
    for (size_t i = 0; i <= n; i++)
        buf[i] = policy[i] == '\'' ? '"' : policy[i];
    return unit_matcher(buf);
}

#define N DNSFW_CONFIDENCE_NONE
#define L DNSFW_CONFIDENCE_LOW
#define M DNSFW_CONFIDENCE_MEDIUM
#define H DNSFW_CONFIDENCE_HIGH

static const struct {
    const char *name;
    uint16_t qtype;
    dnsfw_confidence dga, tunnel, dict; /* what the detectors found */
    const char *group, *rule;           /* the deciding rule, NULL: none */
    dnsfw_action action;
    dnsfw_block_response response;
} cases[] = {
    /* nothing detected: the domain-list rules decide */
    {"x.github.com", 1, N, N, N, "g", "allow", DNSFW_ACTION_ALLOW, DNSFW_RESPONSE_NONE},
    {"evil.example", 1, N, N, N, "h", "rest", DNSFW_ACTION_BLOCK, DNSFW_RESPONSE_NODATA},
    /* tunnelling at HIGH: the first rule blocks, even an allowlisted name */
    {"x.github.com", 16, N, H, N, "g", "tun-high", DNSFW_ACTION_BLOCK, DNSFW_RESPONSE_NXDOMAIN},
    /* tunnelling below HIGH: the HIGH rule does not act, the ALLOW rule decides */
    {"x.github.com", 16, N, M, N, "g", "allow", DNSFW_ACTION_ALLOW, DNSFW_RESPONSE_NONE},
    /* ... and for a name no list allows, h's LOW rule comes before its catch-all */
    {"t.evil.example", 16, N, M, N, "h", "tun-low", DNSFW_ACTION_ALERT, DNSFW_RESPONSE_NONE},
    {"t.evil.example", 16, N, L, N, "h", "tun-low", DNSFW_ACTION_ALERT, DNSFW_RESPONSE_NONE},
    /* DGA: after the ALLOW rule, A queries only */
    {"x.github.com", 1, H, N, N, "g", "allow", DNSFW_ACTION_ALLOW, DNSFW_RESPONSE_NONE},
    {"qxkzvw.example", 1, L, N, N, "g", "dga", DNSFW_ACTION_ALERT, DNSFW_RESPONSE_NONE},
    {"qxkzvw.example", 28, H, N, N, "h", "rest", DNSFW_ACTION_BLOCK, DNSFW_RESPONSE_NODATA},
    /* dictionary DGA at MEDIUM and above */
    {"applegardenriver.example", 28, N, N, M, "g", "dict", DNSFW_ACTION_BLOCK,
     DNSFW_RESPONSE_NODATA},
    {"applegardenriver.example", 28, N, N, L, "h", "rest", DNSFW_ACTION_BLOCK,
     DNSFW_RESPONSE_NODATA},
    /* several detections: the first rule in evaluation order wins */
    {"both.example", 1, H, H, H, "g", "tun-high", DNSFW_ACTION_BLOCK, DNSFW_RESPONSE_NXDOMAIN},
    {"both.example", 1, H, M, H, "g", "dga", DNSFW_ACTION_ALERT, DNSFW_RESPONSE_NONE},
};

START_TEST(table)
{
    dnsfw_matcher *m = load();
    ck_assert_uint_eq(dnsfw_matcher_threat_rules(m), 4);
    dnsfw_verdict v;
    const char *n = cases[_i].name;
    ck_assert_int_eq(dnsfw_eval(m, n, strlen(n), cases[_i].qtype, 0, &v), DNSFW_OK);
    /* dnsfw_eval() itself never decides with an Advanced rule */
    dnsfw_explanation e;
    ck_assert_int_eq(dnsfw_explain(m, &v, 0, &e), DNSFW_OK);
    ck_assert_int_eq(e.threat, DNSFW_THREAT_NONE);
    dnsfw_confidence det[DNSFW_THREAT_COUNT] = {0};
    det[DNSFW_THREAT_DGA] = cases[_i].dga;
    det[DNSFW_THREAT_DNS_TUNNELING] = cases[_i].tunnel;
    det[DNSFW_THREAT_DICTIONARY_DGA] = cases[_i].dict;
    ck_assert_int_eq(dnsfw_eval_threats(m, cases[_i].qtype, det, &v), DNSFW_OK);
    ck_assert_int_eq(v.action, cases[_i].action);
    ck_assert_int_eq(v.block_response, cases[_i].response);
    ck_assert_int_eq(dnsfw_explain(m, &v, 0, &e), DNSFW_OK);
    ck_assert_str_eq(unit_str(e.rule_group), cases[_i].group);
    ck_assert_str_eq(unit_str(e.rule), cases[_i].rule);
    bool advanced = strstr(cases[_i].rule, "tun") || !strcmp(cases[_i].rule, "dga") ||
                    !strcmp(cases[_i].rule, "dict");
    if (advanced) {
        ck_assert_ptr_null(e.domain_list);
        ck_assert_str_eq(e.entry, "");
        ck_assert_int_ne(e.threat, DNSFW_THREAT_NONE);
        ck_assert_int_ne(e.confidence, DNSFW_CONFIDENCE_NONE);
        ck_assert_uint_eq(v.domain_list, DNSFW_NONE);
    } else {
        ck_assert_ptr_nonnull(e.domain_list);
        ck_assert_int_eq(e.threat, DNSFW_THREAT_NONE);
    }
    dnsfw_matcher_free(m);
}
END_TEST

/* Random detections on the policy above against a naive model: the rules in evaluation
 * order, the first that matches decides. */
struct model_rule {
    dnsfw_threat threat;
    dnsfw_confidence level;
    uint16_t qtype;
    const char *list; /* "allow", "all" */
    dnsfw_action action;
};

static const struct model_rule order[] = {
    {DNSFW_THREAT_DNS_TUNNELING, H, 0, NULL, DNSFW_ACTION_BLOCK},
    {DNSFW_THREAT_NONE, N, 0, "allow", DNSFW_ACTION_ALLOW},
    {DNSFW_THREAT_DGA, L, 1, NULL, DNSFW_ACTION_ALERT},
    {DNSFW_THREAT_DICTIONARY_DGA, M, 0, NULL, DNSFW_ACTION_BLOCK},
    {DNSFW_THREAT_DNS_TUNNELING, L, 0, NULL, DNSFW_ACTION_ALERT},
    {DNSFW_THREAT_NONE, N, 0, "all", DNSFW_ACTION_BLOCK},
};

START_TEST(random_model)
{
    dnsfw_matcher *m = load();
    static const char *const names[] = {"github.com", "a.github.com", "b.example", "c.d.example"};
    static const uint16_t types[] = {1, 16, 28};
    srand(14);
    for (int round = 0; round < 2000; round++) {
        const char *n = names[rand() % 4];
        uint16_t qt = types[rand() % 3];
        dnsfw_confidence det[DNSFW_THREAT_COUNT] = {0};
        for (int t = 1; t < DNSFW_THREAT_COUNT; t++)
            det[t] = (dnsfw_confidence)(rand() % 4);
        bool allowed = strstr(n, "github.com") != NULL;
        size_t want = SIZE_MAX;
        for (size_t i = 0; i < N_ELEMS(order) && want == SIZE_MAX; i++) {
            const struct model_rule *r = &order[i];
            if (r->qtype && r->qtype != qt)
                continue;
            if (r->threat ? det[r->threat] >= r->level
                          : (!strcmp(r->list, "all") || (allowed && !strcmp(r->list, "allow"))))
                want = i;
        }
        dnsfw_verdict v;
        ck_assert_int_eq(dnsfw_eval(m, n, strlen(n), qt, 0, &v), DNSFW_OK);
        ck_assert_int_eq(dnsfw_eval_threats(m, qt, det, &v), DNSFW_OK);
        ck_assert_msg(v.rule == want, "%s type %u: rank %u, model %zu", n, qt, v.rule, want);
        ck_assert_int_eq(v.action, order[want].action);
    }
    dnsfw_matcher_free(m);
}
END_TEST

/* The builder: what it refuses, and what reads back. */
START_TEST(builder)
{
    dnsfw_policy *p;
    ck_assert_int_eq(dnsfw_policy_new(&p), DNSFW_OK);
    uint32_t g;
    ck_assert_int_eq(dnsfw_policy_add_group(p, "g", 100, &g), DNSFW_OK);
    const char *why = NULL;
    dnsfw_rule_def d = {.name = "r",
                        .priority = 1,
                        .action = DNSFW_ACTION_ALLOW,
                        .domain_list = 7, /* ignored: no list is needed */
                        .threat = DNSFW_THREAT_DGA,
                        .confidence = DNSFW_CONFIDENCE_LOW};
    ck_assert_int_eq(dnsfw_policy_add_rule(p, g, &d, &why), DNSFW_ESCHEMA);
    ck_assert_ptr_nonnull(strstr(why, "ALLOW"));
    d.action = DNSFW_ACTION_ALERT;
    d.confidence = DNSFW_CONFIDENCE_NONE;
    ck_assert_int_eq(dnsfw_policy_add_rule(p, g, &d, &why), DNSFW_ESCHEMA);
    ck_assert_ptr_nonnull(strstr(why, "confidence"));
    d.confidence = (dnsfw_confidence)4;
    ck_assert_int_eq(dnsfw_policy_add_rule(p, g, &d, &why), DNSFW_ESCHEMA);
    d.threat = (dnsfw_threat)DNSFW_THREAT_COUNT;
    d.confidence = DNSFW_CONFIDENCE_LOW;
    ck_assert_int_eq(dnsfw_policy_add_rule(p, g, &d, &why), DNSFW_ESCHEMA);
    d.threat = DNSFW_THREAT_DICTIONARY_DGA;
    ck_assert_int_eq(dnsfw_policy_add_rule(p, g, &d, &why), DNSFW_OK);
    /* a confidence without a protection; a list rule still needs its list */
    dnsfw_rule_def l = {.name = "l",
                        .priority = 2,
                        .action = DNSFW_ACTION_ALERT,
                        .domain_list = 0,
                        .confidence = DNSFW_CONFIDENCE_HIGH};
    ck_assert_int_eq(dnsfw_policy_add_rule(p, g, &l, &why), DNSFW_ENOTFOUND);
    uint32_t list;
    ck_assert_int_eq(dnsfw_policy_add_list(p, "x", &list), DNSFW_OK);
    ck_assert_int_eq(dnsfw_policy_add_rule(p, g, &l, &why), DNSFW_ESCHEMA);
    ck_assert_ptr_nonnull(strstr(why, "confidence"));
    dnsfw_rule_def back;
    ck_assert_int_eq(dnsfw_policy_get_rule(p, g, 0, &back), DNSFW_OK);
    ck_assert_int_eq(back.threat, DNSFW_THREAT_DICTIONARY_DGA);
    ck_assert_int_eq(back.confidence, DNSFW_CONFIDENCE_LOW);
    ck_assert_uint_eq(back.domain_list, DNSFW_NONE);
    dnsfw_matcher *m;
    ck_assert_int_eq(dnsfw_compile(p, &m), DNSFW_OK);
    ck_assert_uint_eq(dnsfw_matcher_threat_rules(m), 1);
    dnsfw_verdict v;
    ck_assert_int_eq(dnsfw_eval(m, "a.example", 9, 1, 0, &v), DNSFW_OK);
    ck_assert_int_eq(v.action, DNSFW_ACTION_NONE);
    /* bad arguments */
    dnsfw_confidence det[DNSFW_THREAT_COUNT] = {0};
    ck_assert_int_eq(dnsfw_eval_threats(NULL, 1, det, &v), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval_threats(m, 1, NULL, &v), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval_threats(m, 1, det, NULL), DNSFW_EINVAL);
    v.rule = 99;
    ck_assert_int_eq(dnsfw_eval_threats(m, 1, det, &v), DNSFW_EINVAL);
    ck_assert_uint_eq(dnsfw_matcher_threat_rules(NULL), 0);
    dnsfw_matcher_free(m);
    dnsfw_policy_free(p);
}
END_TEST

START_TEST(names)
{
    ck_assert_ptr_null(dnsfw_threat_name(DNSFW_THREAT_NONE));
    ck_assert_str_eq(dnsfw_threat_name(DNSFW_THREAT_DGA), "DGA");
    ck_assert_str_eq(dnsfw_threat_name(DNSFW_THREAT_DNS_TUNNELING), "DNS_TUNNELING");
    ck_assert_str_eq(dnsfw_threat_name(DNSFW_THREAT_DICTIONARY_DGA), "DICTIONARY_DGA");
    ck_assert_ptr_null(dnsfw_threat_name((dnsfw_threat)9));
    ck_assert_ptr_null(dnsfw_confidence_name(DNSFW_CONFIDENCE_NONE));
    ck_assert_str_eq(dnsfw_confidence_name(DNSFW_CONFIDENCE_LOW), "LOW");
    ck_assert_str_eq(dnsfw_confidence_name(DNSFW_CONFIDENCE_MEDIUM), "MEDIUM");
    ck_assert_str_eq(dnsfw_confidence_name(DNSFW_CONFIDENCE_HIGH), "HIGH");
    ck_assert_ptr_null(dnsfw_confidence_name((dnsfw_confidence)9));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("threats");
    TCase *tc = tcase_create("threats");
    tcase_add_loop_test(tc, table, 0, (int)N_ELEMS(cases));
    tcase_add_test(tc, random_model);
    tcase_add_test(tc, builder);
    tcase_add_test(tc, names);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
