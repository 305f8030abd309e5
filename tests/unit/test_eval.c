/*
 * Evaluation: the test vectors of aws-dns-firewall.md §10.1 (entry against query name)
 * and §10.2 (multi-rule evaluation), scopes, query types, several groups, fail-open,
 * dnsfw_explain() and redirection chains (dnsfw_eval_chain()). Expected values come from
 * that file and from the briefing ("Evaluation", "Redirection chains").
 */
#include "unit.h"

/* Policies are written with ' for " (turned back here) to keep them readable. */
static dnsfw_matcher *matcher_q(const char *json)
{
    static char buf[4096];
    size_t n = strlen(json);
    ck_assert_uint_lt(n, sizeof buf);
    for (size_t i = 0; i <= n; i++)
        buf[i] = json[i] == '\'' ? '"' : json[i];
    return unit_matcher(buf);
}

/* Checks everything dnsfw_explain() says about a verdict. */
static void check_explained(const char *what, const dnsfw_matcher *m, const dnsfw_verdict *v,
                            uint32_t scope, dnsfw_action action, dnsfw_block_response response,
                            const char *group, const char *rule, uint32_t priority,
                            const char *list, const char *entry)
{
    ck_assert_msg(v->action == action, "%s: action %s, expected %s", what,
                  dnsfw_action_name(v->action), dnsfw_action_name(action));
    ck_assert_msg(v->block_response == response, "%s: block response %d, expected %d", what,
                  v->block_response, response);
    dnsfw_explanation e;
    ck_assert_int_eq(dnsfw_explain(m, v, scope, &e), DNSFW_OK);
    if (action == DNSFW_ACTION_NONE) {
        ck_assert_uint_eq(v->rule, DNSFW_NONE);
        ck_assert_uint_eq(v->domain_list, DNSFW_NONE);
        ck_assert_ptr_null(e.rule_group);
        ck_assert_ptr_null(e.rule);
        ck_assert_ptr_null(e.domain_list);
        ck_assert_uint_eq(e.rule_priority, 0);
        ck_assert_str_eq(e.entry, "");
        return;
    }
    ck_assert_msg(e.rule_group && strcmp(e.rule_group, group) == 0,
                  "%s: rule group %s, expected %s", what, unit_str(e.rule_group), group);
    if (rule)
        ck_assert_msg(e.rule && strcmp(e.rule, rule) == 0, "%s: rule %s, expected %s", what,
                      unit_str(e.rule), rule);
    else
        ck_assert_ptr_null(e.rule);
    ck_assert_msg(e.rule_priority == priority, "%s: rule priority %u, expected %u", what,
                  e.rule_priority, priority);
    ck_assert_msg(e.domain_list && strcmp(e.domain_list, list) == 0,
                  "%s: domain list %s, expected %s", what, unit_str(e.domain_list), list);
    ck_assert_msg(strcmp(e.entry, entry) == 0, "%s: entry \"%s\", expected \"%s\"", what, e.entry,
                  entry);
}

/* ---------------------------------------------------------------------------------- */
/* §10.1 Entry-vs-query matching (61 vectors: 1-60 and 38a)                             */

enum { MATCH, NO_MATCH, INVALID };

#define L10     "abcdefghij"
#define L63     L10 L10 L10 L10 L10 L10 "abc"
#define L61     L10 L10 L10 L10 L10 L10 "a"
#define NAME253 L63 "." L63 "." L63 "." L61 /* 253 characters: 255 octets in wire form */
#define NAME255 L63 "." L63 "." L63 "." L63 /* 255 characters: 257 octets */
#define S256    NAME255 "a"

static const struct {
    const char *id;
    const char *entry, *entry2; /* entry2: a second entry in the same list, or NULL */
    const char *query;
    int expect;
    const char *matched; /* MATCH: the normalised entry dnsfw_explain() names */
    int qstatus;         /* what dnsfw_eval() returns for the query */
} v101[] = {
    {"1", "example.com", NULL, "example.com", MATCH, "example.com", DNSFW_OK},
    {"2", "example.com", NULL, "example.com.", MATCH, "example.com", DNSFW_OK},
    {"3", "example.com.", NULL, "example.com", MATCH, "example.com", DNSFW_OK},
    {"4", "example.com.", NULL, "example.com.", MATCH, "example.com", DNSFW_OK},
    {"5", "example.com", NULL, "EXAMPLE.COM", MATCH, "example.com", DNSFW_OK},
    {"6", "Example.COM", NULL, "example.com.", MATCH, "example.com", DNSFW_OK},
    {"7", "example.com", NULL, "www.example.com", NO_MATCH, NULL, DNSFW_OK},
    {"8", "example.com", NULL, "a.b.example.com", NO_MATCH, NULL, DNSFW_OK},
    {"9", "example.com", NULL, "notexample.com", NO_MATCH, NULL, DNSFW_OK},
    {"10", "example.com", NULL, "example.com.evil.net", NO_MATCH, NULL, DNSFW_OK},
    {"11", "example.com", NULL, "example.co", NO_MATCH, NULL, DNSFW_OK},
    {"12", "www.example.com", NULL, "example.com", NO_MATCH, NULL, DNSFW_OK},
    {"13", "www.example.com", NULL, "x.www.example.com", NO_MATCH, NULL, DNSFW_OK},
    {"14", "*.example.com", NULL, "www.example.com", MATCH, "*.example.com", DNSFW_OK},
    {"15", "*.example.com", NULL, "a.b.example.com", MATCH, "*.example.com", DNSFW_OK},
    {"16", "*.example.com", NULL, "a.b.c.d.e.example.com.", MATCH, "*.example.com", DNSFW_OK},
    {"17", "*.example.com", NULL, "example.com", NO_MATCH, NULL, DNSFW_OK},
    {"18", "*.example.com", NULL, "example.com.", NO_MATCH, NULL, DNSFW_OK},
    {"19", "*.example.com", NULL, "notexample.com", NO_MATCH, NULL, DNSFW_OK},
    {"20", "*.example.com", NULL, "wwwexample.com", NO_MATCH, NULL, DNSFW_OK},
    {"21", "*.example.com", NULL, "www.example.com.evil.net", NO_MATCH, NULL, DNSFW_OK},
    {"22", "*.example.com", NULL, "www.example.org", NO_MATCH, NULL, DNSFW_OK},
    {"23", "*.example.com", NULL, "WWW.Example.Com.", MATCH, "*.example.com", DNSFW_OK},
    {"24", "*.example.com.", NULL, "www.example.com", MATCH, "*.example.com", DNSFW_OK},
    {"25", "*.amazonaws.com", NULL, "s3.us-east-1.amazonaws.com", MATCH, "*.amazonaws.com",
     DNSFW_OK},
    {"26", "*.amazonaws.com", NULL, "amazonaws.com", NO_MATCH, NULL, DNSFW_OK},
    {"27", "*.s3.us-east-1.amazonaws.com", NULL, "bucket.s3.us-east-1.amazonaws.com", MATCH,
     "*.s3.us-east-1.amazonaws.com", DNSFW_OK},
    {"28", "*.s3.us-east-1.amazonaws.com", NULL, "s3.us-east-1.amazonaws.com", NO_MATCH, NULL,
     DNSFW_OK},
    {"29", "*.com", NULL, "example.com", MATCH, "*.com", DNSFW_OK},
    {"30", "*.com", NULL, "com", NO_MATCH, NULL, DNSFW_OK},
    {"31", "*", NULL, "example.com", MATCH, "*", DNSFW_OK},
    {"32", "*", NULL, "a.b.c.example.org.", MATCH, "*", DNSFW_OK},
    {"33", "*", NULL, "com", MATCH, "*", DNSFW_OK},
    {"34", "*", NULL, "15.3.4.32.in-addr.arpa.", MATCH, "*", DNSFW_OK},
    {"35", "*.", NULL, "example.com", MATCH, "*", DNSFW_OK},
    {"36", "15.3.4.32.in-addr.arpa", NULL, "15.3.4.32.in-addr.arpa.", MATCH,
     "15.3.4.32.in-addr.arpa", DNSFW_OK},
    {"37", "xn--bcher-kva.example", NULL, "xn--bcher-kva.example.", MATCH, "xn--bcher-kva.example",
     DNSFW_OK},
    {"38", "xn--bcher-kva.example", NULL,
     "b\xC3\xBC"
     "cher.example",
     NO_MATCH, NULL, DNSFW_OK},
    {"38a", "*.example.com", NULL,
     "b\xC3\xBC"
     "cher.example.com",
     MATCH, "*.example.com", DNSFW_OK},
    {"39",
     "b\xC3\xBC"
     "cher.example",
     NULL, NULL, INVALID, NULL, DNSFW_OK},
    {"40", "www.*.com", NULL, NULL, INVALID, NULL, DNSFW_OK},
    {"41", "example.*", NULL, NULL, INVALID, NULL, DNSFW_OK},
    {"42", "a*b.example.com", NULL, NULL, INVALID, NULL, DNSFW_OK},
    {"43", "**.example.com", NULL, NULL, INVALID, NULL, DNSFW_OK},
    /* 44, 45: CONFLICT in the note; libdnsfw decides INVALID ('*' is a whole first label). */
    {"44", "*example.com", NULL, "example.com", INVALID, NULL, DNSFW_OK},
    {"45", "*example.com", NULL, "myexample.com", INVALID, NULL, DNSFW_OK},
    {"46", ".example.com", NULL, NULL, INVALID, NULL, DNSFW_OK},
    {"47", "example..com", NULL, NULL, INVALID, NULL, DNSFW_OK},
    /* 48: CONFLICT in the note; libdnsfw keeps AWS's documented charset: INVALID. The query
     * name itself is legal and is covered by "*.example.com" (see decided_alternatives). */
    {"48", "_dmarc.example.com", NULL, "_dmarc.example.com", INVALID, NULL, DNSFW_OK},
    {"49", "exa mple.com", NULL, NULL, INVALID, NULL, DNSFW_OK},
    {"50", "", NULL, NULL, INVALID, NULL, DNSFW_OK},
    {"51", S256, NULL, NULL, INVALID, NULL, DNSFW_OK},
    /*
     * 52 ("255-character valid name matches itself") is not decidable as written: the
     * longest legal query name is 253 characters (255 octets in wire form). Decided: the
     * 253-character name matches itself; a 255-character spec is accepted (AWS's limit)
     * but the equal query is a malformed name.
     */
    {"52 (253 characters)", NAME253, NULL, NAME253, MATCH, NAME253, DNSFW_OK},
    {"52 (255 characters)", NAME255, NULL, NAME255, NO_MATCH, NULL, DNSFW_ENAMELEN},
    {"53", "my-host.example.com", NULL, "my-host.example.com", MATCH, "my-host.example.com",
     DNSFW_OK},
    {"54", "-bad.example.com", NULL, "-bad.example.com", MATCH, "-bad.example.com", DNSFW_OK},
    {"55", "123.example.com", NULL, "123.example.com", MATCH, "123.example.com", DNSFW_OK},
    {"56", "*.example.com", NULL, "-.example.com", MATCH, "*.example.com", DNSFW_OK},
    {"57", "*.internal", NULL, "proxy.awsds.internal.", MATCH, "*.internal", DNSFW_OK},
    {"58 (apex)", "example.com", "*.example.com", "example.com", MATCH, "example.com", DNSFW_OK},
    {"58 (below)", "example.com", "*.example.com", "www.example.com", MATCH, "*.example.com",
     DNSFW_OK},
    {"59", "*.example.com", NULL, ".example.com", NO_MATCH, NULL, DNSFW_EEMPTYLABEL},
    {"60", "example.com", NULL, "example.com..", NO_MATCH, NULL, DNSFW_EEMPTYLABEL},
};

START_TEST(vectors_10_1)
{
    const char *id = v101[_i].id;
    dnsfw_policy *p;
    ck_assert_int_eq(dnsfw_policy_new(&p), DNSFW_OK);
    uint32_t l, g;
    ck_assert_int_eq(dnsfw_policy_add_list(p, "L", &l), DNSFW_OK);
    const char *entry = v101[_i].entry;
    const char *reason = NULL;
    int rc = dnsfw_policy_add_spec(p, l, entry, strlen(entry), &reason);
    if (v101[_i].expect == INVALID) {
        ck_assert_msg(rc == DNSFW_EBADSPEC, "vector %s: \"%s\" accepted", id, entry);
        char out[DNSFW_SPEC_MAX + 1];
        ck_assert_int_eq(dnsfw_spec_normalize(entry, strlen(entry), out, sizeof out, NULL),
                         DNSFW_EBADSPEC);
        dnsfw_policy_free(p);
        return;
    }
    ck_assert_msg(rc == DNSFW_OK, "vector %s: \"%s\" rejected: %s", id, entry, unit_str(reason));
    if (v101[_i].entry2)
        ck_assert_int_eq(
            dnsfw_policy_add_spec(p, l, v101[_i].entry2, strlen(v101[_i].entry2), NULL), DNSFW_OK);
    ck_assert_int_eq(dnsfw_policy_add_group(p, "G", 1000, &g), DNSFW_OK);
    dnsfw_rule_def d = {
        .name = "R", .priority = 100, .action = DNSFW_ACTION_ALLOW, .domain_list = l};
    ck_assert_int_eq(dnsfw_policy_add_rule(p, g, &d, NULL), DNSFW_OK);
    dnsfw_matcher *m;
    ck_assert_int_eq(dnsfw_compile(p, &m), DNSFW_OK);
    dnsfw_policy_free(p);

    const char *q = v101[_i].query;
    dnsfw_verdict v;
    rc = dnsfw_eval(m, q, strlen(q), 1, DNSFW_SCOPE_ALL, &v);
    ck_assert_msg(rc == v101[_i].qstatus, "vector %s: eval status %d, expected %d", id, rc,
                  v101[_i].qstatus);
    if (rc == DNSFW_OK) {
        if (v101[_i].expect == MATCH)
            check_explained(id, m, &v, 0, DNSFW_ACTION_ALLOW, DNSFW_RESPONSE_NONE, "G", "R", 100,
                            "L", v101[_i].matched);
        else
            check_explained(id, m, &v, 0, DNSFW_ACTION_NONE, DNSFW_RESPONSE_NONE, NULL, NULL, 0,
                            NULL, NULL);
    }
    dnsfw_matcher_free(m);
}
END_TEST

/* The alternatives decided for the CONFLICT vectors 44, 45 and 48. */
START_TEST(decided_alternatives)
{
    /* 44/45: "*.example.com" is the way to say "below example.com" */
    dnsfw_matcher *m =
        matcher_q("{'dnsfw':1,'domain_lists':{'w':['*.example.com']},'rule_groups':[{'name':"
                  "'G','priority':1,'rules':[{'name':'R','priority':1,'action':'ALERT',"
                  "'domain_list':'w'}]}]}");
    static const struct {
        const char *query;
        dnsfw_action action;
    } q[] = {
        {"example.com", DNSFW_ACTION_NONE},         /* 44 */
        {"myexample.com", DNSFW_ACTION_NONE},       /* 45 */
        {"_dmarc.example.com", DNSFW_ACTION_ALERT}, /* 48: legal query name, wildcard covers it */
        {"_dmarc.Example.COM.", DNSFW_ACTION_ALERT}, {"a\\.b.example.com", DNSFW_ACTION_ALERT},
    };
    for (size_t i = 0; i < N_ELEMS(q); i++) {
        dnsfw_verdict v;
        ck_assert_int_eq(dnsfw_eval(m, q[i].query, strlen(q[i].query), 1, 0, &v), DNSFW_OK);
        check_explained(q[i].query, m, &v, 0, q[i].action, DNSFW_RESPONSE_NONE, "G", "R", 1, "w",
                        "*.example.com");
    }
    dnsfw_matcher_free(m);
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* §10.2 Multi-rule evaluation (E1-E22)                                                */

/* The common setup: group G (1000), R100 ALLOW P, R200 ALLOW Q, R300 on C = {*}. */
#define E_LISTS                                                                                    \
    "'domain_lists':{'P':['amazonaws.com','*.amazonaws.com','github.com'],"                        \
    "'Q':['pypi.org','*.pythonhosted.org'],'C':['*']}"
#define E_R100 "{'name':'R100','priority':100,'action':'ALLOW','domain_list':'P'}"
#define E_R200 "{'name':'R200','priority':200,'action':'ALLOW','domain_list':'Q'}"
#define E_OBS  "{'name':'R300','priority':300,'action':'ALERT','domain_list':'C'}"
#define E_ENF                                                                                      \
    "{'name':'R300','priority':300,'action':'BLOCK','domain_list':'C','block_response':'NODATA'}"
#define E_POLICY(fail_open, r300)                                                                  \
    "{'dnsfw':1,'fail_open':" fail_open "," E_LISTS ",'rule_groups':[{'name':'G','priority':1000," \
    "'rules':[" E_R100 "," E_R200 "," r300 "]}]}"
#define OBS E_POLICY("false", E_OBS)
#define ENF E_POLICY("false", E_ENF)

static const struct {
    const char *id;
    const char *policy;
    const char *query;
    uint16_t qtype;
    dnsfw_action action;
    dnsfw_block_response response;
    const char *group, *rule;
    uint32_t priority;
    const char *list, *entry;
    int fail_open; /* -1: not checked */
    const char *override_domain;
    uint32_t override_ttl;
} v102[] = {
    {"E1", OBS, "s3.us-east-1.amazonaws.com", 1, DNSFW_ACTION_ALLOW, DNSFW_RESPONSE_NONE, "G",
     "R100", 100, "P", "*.amazonaws.com", -1, NULL, 0},
    {"E2", OBS, "files.pythonhosted.org", 28, DNSFW_ACTION_ALLOW, DNSFW_RESPONSE_NONE, "G", "R200",
     200, "Q", "*.pythonhosted.org", -1, NULL, 0},
    {"E3", OBS, "evil.example", 1, DNSFW_ACTION_ALERT, DNSFW_RESPONSE_NONE, "G", "R300", 300, "C",
     "*", -1, NULL, 0},
    {"E4", ENF, "evil.example", 1, DNSFW_ACTION_BLOCK, DNSFW_RESPONSE_NODATA, "G", "R300", 300, "C",
     "*", -1, NULL, 0},
    {"E5", ENF, "pythonhosted.org", 1, DNSFW_ACTION_BLOCK, DNSFW_RESPONSE_NODATA, "G", "R300", 300,
     "C", "*", -1, NULL, 0},
    {"E6", ENF, "api.github.com", 1, DNSFW_ACTION_BLOCK, DNSFW_RESPONSE_NODATA, "G", "R300", 300,
     "C", "*", -1, NULL, 0},
    {"E7", ENF, "github.com.", 1, DNSFW_ACTION_ALLOW, DNSFW_RESPONSE_NONE, "G", "R100", 100, "P",
     "github.com", -1, NULL, 0},
    /* E8: ALERT stops inspection; R200 is never evaluated */
    {"E8",
     "{'dnsfw':1,'domain_lists':{'X':['x.example']},'rule_groups':[{'name':'G','priority':1000,"
     "'rules':[{'name':'R200','priority':200,'action':'BLOCK','domain_list':'X',"
     "'block_response':'NODATA'},{'name':'R100','priority':100,'action':'ALERT',"
     "'domain_list':'X'}]}]}",
     "x.example", 1, DNSFW_ACTION_ALERT, DNSFW_RESPONSE_NONE, "G", "R100", 100, "X", "x.example",
     -1, NULL, 0},
    /* E9: evaluation ends at the first match across groups */
    {"E9",
     "{'dnsfw':1,'domain_lists':{'A':['*'],'B':['bad.example']},'rule_groups':["
     "{'name':'G2','priority':300,'rules':[{'name':'R1','priority':1,'action':'BLOCK',"
     "'domain_list':'B','block_response':'NODATA'}]},"
     "{'name':'G1','priority':200,'rules':[{'name':'R1','priority':1,'action':'ALERT',"
     "'domain_list':'A'}]}]}",
     "bad.example", 1, DNSFW_ACTION_ALERT, DNSFW_RESPONSE_NONE, "G1", "R1", 1, "A", "*", -1, NULL,
     0},
    /* E10: the lowest association priority first, whatever the definition order */
    {"E10",
     "{'dnsfw':1,'domain_lists':{'B':['bad.example']},'rule_groups':["
     "{'name':'G1','priority':500,'rules':[{'name':'R1','priority':1,'action':'BLOCK',"
     "'domain_list':'B','block_response':'NODATA'}]},"
     "{'name':'G2','priority':200,'rules':[{'name':'R1','priority':1,'action':'ALLOW',"
     "'domain_list':'B'}]}]}",
     "bad.example", 1, DNSFW_ACTION_ALLOW, DNSFW_RESPONSE_NONE, "G2", "R1", 1, "B", "bad.example",
     -1, NULL, 0},
#define E11_POLICY                                                                                 \
    "{'dnsfw':1,'domain_lists':{'N':['example.net'],'A':['*']},'rule_groups':[{'name':'G',"        \
    "'priority':1000,'rules':[{'name':'R100','priority':100,'action':'BLOCK','domain_list':'N',"   \
    "'qtype':'AAAA','block_response':'NXDOMAIN'},{'name':'R200','priority':200,"                   \
    "'action':'ALLOW','domain_list':'A'}]}]}"
    /* E11/E12: a Qtype mismatch is no match; evaluation goes on */
    {"E11", E11_POLICY, "example.net", 1, DNSFW_ACTION_ALLOW, DNSFW_RESPONSE_NONE, "G", "R200", 200,
     "A", "*", -1, NULL, 0},
    {"E12", E11_POLICY, "example.net", 28, DNSFW_ACTION_BLOCK, DNSFW_RESPONSE_NXDOMAIN, "G", "R100",
     100, "N", "example.net", -1, NULL, 0},
    /* E13: no match: the query resolves normally */
    {"E13",
     "{'dnsfw':1,'domain_lists':{'B':['bad.example']},'rule_groups':[{'name':'G','priority':1000,"
     "'rules':[{'name':'R100','priority':100,'action':'BLOCK','domain_list':'B',"
     "'block_response':'NODATA'}]}]}",
     "good.example", 1, DNSFW_ACTION_NONE, DNSFW_RESPONSE_NONE, NULL, NULL, 0, NULL, NULL, -1, NULL,
     0},
    {"E14", ENF, "PyPI.Org.", 1, DNSFW_ACTION_ALLOW, DNSFW_RESPONSE_NONE, "G", "R200", 200, "Q",
     "pypi.org", -1, NULL, 0},
    /* E15/E16 need the redirection chain: see chain_vectors. */
    /* E17: the Firewall Manager group (association priority 50) comes first */
    {"E17",
     "{'dnsfw':1,'domain_lists':{'W':['www.example.com'],'F':['*.example.com']},'rule_groups':["
     "{'name':'G','priority':1000,'rules':[{'name':'allow','priority':1,'action':'ALLOW',"
     "'domain_list':'W'}]},"
     "{'name':'FMS','priority':50,'rules':[{'name':'fms-block','priority':1,'action':'BLOCK',"
     "'domain_list':'F','block_response':'NODATA'}]}]}",
     "www.example.com", 1, DNSFW_ACTION_BLOCK, DNSFW_RESPONSE_NODATA, "FMS", "fms-block", 1, "F",
     "*.example.com", -1, NULL, 0},
    /*
     * E18-E20: what happens when DNS Firewall cannot be reached (SERVFAIL when fail-closed,
     * unfiltered resolution when fail-open) and that a VPC without associations is not
     * filtered is the resolver's behaviour (dnsfw-serve), not decidable offline. Decided
     * here: no rule group means no verdict; the matcher reports the configured fail-open;
     * the verdict is the one the firewall gives when it is reachable.
     */
    {"E18", "{'dnsfw':1,'fail_open':false,'domain_lists':{'C':['*']}}", "any.example", 1,
     DNSFW_ACTION_NONE, DNSFW_RESPONSE_NONE, NULL, NULL, 0, NULL, NULL, 0, NULL, 0},
    {"E19", ENF, "pypi.org", 1, DNSFW_ACTION_ALLOW, DNSFW_RESPONSE_NONE, "G", "R200", 200, "Q",
     "pypi.org", 0, NULL, 0},
    {"E20", E_POLICY("true", E_ENF), "evil.example", 1, DNSFW_ACTION_BLOCK, DNSFW_RESPONSE_NODATA,
     "G", "R300", 300, "C", "*", 1, NULL, 0},
    /* E21: OVERRIDE; the CNAME answer itself is the responder's (not decidable here) */
    {"E21",
     E_POLICY("false", "{'name':'R300','priority':300,'action':'BLOCK','domain_list':'C',"
                       "'block_response':'OVERRIDE','block_override':{'domain':'sinkhole.corp.',"
                       "'ttl':60}}"),
     "evil.example", 1, DNSFW_ACTION_BLOCK, DNSFW_RESPONSE_OVERRIDE, "G", "R300", 300, "C", "*", -1,
     "sinkhole.corp.", 60},
    /* E22: ALERT; the upstream's NXDOMAIN is the resolver's (not decidable offline) */
    {"E22", OBS, "nosuch.example", 1, DNSFW_ACTION_ALERT, DNSFW_RESPONSE_NONE, "G", "R300", 300,
     "C", "*", -1, NULL, 0},
};

START_TEST(vectors_10_2)
{
    dnsfw_matcher *m = matcher_q(v102[_i].policy);
    dnsfw_verdict v;
    const char *q = v102[_i].query;
    ck_assert_int_eq(dnsfw_eval(m, q, strlen(q), v102[_i].qtype, DNSFW_SCOPE_ALL, &v), DNSFW_OK);
    check_explained(v102[_i].id, m, &v, 0, v102[_i].action, v102[_i].response, v102[_i].group,
                    v102[_i].rule, v102[_i].priority, v102[_i].list, v102[_i].entry);
    ck_assert_uint_eq(v.hop, 0);
    if (v102[_i].fail_open >= 0)
        ck_assert_int_eq(dnsfw_matcher_fail_open(m), v102[_i].fail_open);
    dnsfw_explanation e;
    ck_assert_int_eq(dnsfw_explain(m, &v, 0, &e), DNSFW_OK);
    ck_assert_ptr_null(e.scope);
    if (v102[_i].override_domain) {
        ck_assert_str_eq(unit_str(e.override_domain), v102[_i].override_domain);
        ck_assert_uint_eq(e.override_ttl, v102[_i].override_ttl);
    } else {
        ck_assert_ptr_null(e.override_domain);
    }
    /* the verdict through a wire-form name is the same */
    char wire[300];
    size_t w = 0;
    for (const char *s = q; *s;) {
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);
        wire[w++] = (char)n;
        for (size_t i = 0; i < n; i++)
            wire[w++] = s[i];
        s += n + (dot ? 1 : 0);
    }
    wire[w++] = 0;
    dnsfw_verdict vw;
    ck_assert_int_eq(
        dnsfw_eval_wire(m, (const uint8_t *)wire, w, v102[_i].qtype, DNSFW_SCOPE_ALL, &vw),
        DNSFW_OK);
    ck_assert_int_eq(vw.action, v.action);
    ck_assert_uint_eq(vw.rule, v.rule);
    ck_assert_uint_eq(vw.domain_list, v.domain_list);
    ck_assert_int_eq(vw.entry_kind, v.entry_kind);
    dnsfw_matcher_free(m);
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* Redirection chains                                                                   */

/*
 * E15/E16: P also holds cdn.vendor.com, whose CNAME target x.akamaiedge.net is listed
 * nowhere. With INSPECT on R100 the target hits the catch-all and the query is BLOCKed,
 * named by C's list; with TRUST on R100 the chain is not looked at.
 */
#define E15_LISTS                                                                                  \
    "'domain_lists':{'P':['amazonaws.com','*.amazonaws.com','github.com','cdn.vendor.com'],"       \
    "'Q':['pypi.org','*.pythonhosted.org'],'C':['*']}"
#define E15_POLICY(redirection)                                                                    \
    "{'dnsfw':1," E15_LISTS ",'rule_groups':[{'name':'G','priority':1000,'rules':["                \
    "{'name':'R100','priority':100,'action':'ALLOW','domain_list':'P','redirection':'" redirection \
    "'}," E_R200 "," E_ENF "]}]}"

/*
 * The other chain rules of the briefing, with: TRUST ALLOW on trusted.example (R10),
 * BLOCK on bad.example (R20), ALERT on alert1/alert2.example (R30), INSPECT ALLOW on
 * ok.example (R40), nothing for other names.
 */
#define CHAIN_POLICY                                                                               \
    "{'dnsfw':1,'domain_lists':{'trusted':['trusted.example'],'bad':['bad.example'],"              \
    "'alerts':['alert1.example','alert2.example'],'ok':['ok.example']},'rule_groups':[{"           \
    "'name':'G','priority':10,'rules':["                                                           \
    "{'name':'R10','priority':10,'action':'ALLOW','domain_list':'trusted',"                        \
    "'redirection':'TRUST_REDIRECTION_DOMAIN'},"                                                   \
    "{'name':'R20','priority':20,'action':'BLOCK','domain_list':'bad','block_response':'NXDOMAIN'" \
    "},"                                                                                           \
    "{'name':'R30','priority':30,'action':'ALERT','domain_list':'alerts'},"                        \
    "{'name':'R40','priority':40,'action':'ALLOW','domain_list':'ok'}]}]}"

static const struct {
    const char *id;
    const char *policy;
    const char *qname;
    const char *chain[4];
    int status;
    size_t bad_hop;
    dnsfw_action action;
    uint32_t hop;
    const char *rule;
    uint32_t priority;
    const char *list, *entry;
} chains[] = {
    {"E15",
     E15_POLICY("INSPECT_REDIRECTION_DOMAIN"),
     "cdn.vendor.com",
     {"x.akamaiedge.net"},
     DNSFW_OK,
     0,
     DNSFW_ACTION_BLOCK,
     1,
     "R300",
     300,
     "C",
     "*"},
    {"E16",
     E15_POLICY("TRUST_REDIRECTION_DOMAIN"),
     "cdn.vendor.com",
     {"x.akamaiedge.net"},
     DNSFW_OK,
     0,
     DNSFW_ACTION_ALLOW,
     0,
     "R100",
     100,
     "P",
     "cdn.vendor.com"},
    {"E15 without a chain",
     E15_POLICY("INSPECT_REDIRECTION_DOMAIN"),
     "cdn.vendor.com",
     {NULL},
     DNSFW_OK,
     0,
     DNSFW_ACTION_ALLOW,
     0,
     "R100",
     100,
     "P",
     "cdn.vendor.com"},
    {"E15 allowed target",
     E15_POLICY("INSPECT_REDIRECTION_DOMAIN"),
     "cdn.vendor.com",
     {"s3.amazonaws.com", "files.pythonhosted.org"},
     DNSFW_OK,
     0,
     DNSFW_ACTION_ALLOW,
     0,
     "R100",
     100,
     "P",
     "cdn.vendor.com"},
    /* BLOCK at hop 0: the chain is not looked at, even a malformed name in it */
    {"BLOCK at the query name",
     CHAIN_POLICY,
     "bad.example",
     {"a..b", "alert1.example"},
     DNSFW_OK,
     0,
     DNSFW_ACTION_BLOCK,
     0,
     "R20",
     20,
     "bad",
     "bad.example"},
    /* TRUST at hop 0: neither */
    {"TRUST at the query name",
     CHAIN_POLICY,
     "trusted.example",
     {"bad.example", "a..b"},
     DNSFW_OK,
     0,
     DNSFW_ACTION_ALLOW,
     0,
     "R10",
     10,
     "trusted",
     "trusted.example"},
    /* a TRUST rule deciding a middle hop ends the inspection there */
    {"TRUST on a middle hop",
     CHAIN_POLICY,
     "ok.example",
     {"trusted.example", "bad.example"},
     DNSFW_OK,
     0,
     DNSFW_ACTION_ALLOW,
     0,
     "R40",
     40,
     "ok",
     "ok.example"},
    {"TRUST on a middle hop, malformed after",
     CHAIN_POLICY,
     "ok.example",
     {"trusted.example", "a..b"},
     DNSFW_OK,
     0,
     DNSFW_ACTION_ALLOW,
     0,
     "R40",
     40,
     "ok",
     "ok.example"},
    {"ALERT before TRUST",
     CHAIN_POLICY,
     "ok.example",
     {"alert1.example", "trusted.example", "bad.example"},
     DNSFW_OK,
     0,
     DNSFW_ACTION_ALERT,
     1,
     "R30",
     30,
     "alerts",
     "alert1.example"},
    /* the first BLOCK decides */
    {"BLOCK on a later hop",
     CHAIN_POLICY,
     "ok.example",
     {"alert1.example", "bad.example"},
     DNSFW_OK,
     0,
     DNSFW_ACTION_BLOCK,
     2,
     "R20",
     20,
     "bad",
     "bad.example"},
    {"BLOCK after no match",
     CHAIN_POLICY,
     "nomatch.example",
     {"other.example", "bad.example"},
     DNSFW_OK,
     0,
     DNSFW_ACTION_BLOCK,
     2,
     "R20",
     20,
     "bad",
     "bad.example"},
    {"BLOCK after an ALERT query name",
     CHAIN_POLICY,
     "alert1.example",
     {"bad.example"},
     DNSFW_OK,
     0,
     DNSFW_ACTION_BLOCK,
     1,
     "R20",
     20,
     "bad",
     "bad.example"},
    /* nothing blocks: the first ALERT, the query name's own included */
    {"first ALERT wins",
     CHAIN_POLICY,
     "ok.example",
     {"alert1.example", "alert2.example"},
     DNSFW_OK,
     0,
     DNSFW_ACTION_ALERT,
     1,
     "R30",
     30,
     "alerts",
     "alert1.example"},
    {"first ALERT after no match",
     CHAIN_POLICY,
     "ok.example",
     {"x.example", "alert2.example"},
     DNSFW_OK,
     0,
     DNSFW_ACTION_ALERT,
     2,
     "R30",
     30,
     "alerts",
     "alert2.example"},
    {"the query name's ALERT first",
     CHAIN_POLICY,
     "alert2.example",
     {"alert1.example"},
     DNSFW_OK,
     0,
     DNSFW_ACTION_ALERT,
     0,
     "R30",
     30,
     "alerts",
     "alert2.example"},
    /* otherwise the query name's own verdict */
    {"allowed chain",
     CHAIN_POLICY,
     "ok.example",
     {"ok.example", "x.example"},
     DNSFW_OK,
     0,
     DNSFW_ACTION_ALLOW,
     0,
     "R40",
     40,
     "ok",
     "ok.example"},
    {"no match anywhere",
     CHAIN_POLICY,
     "x.example",
     {"y.example"},
     DNSFW_OK,
     0,
     DNSFW_ACTION_NONE,
     0,
     NULL,
     0,
     NULL,
     NULL},
    /* malformed names */
    {"malformed hop",
     CHAIN_POLICY,
     "ok.example",
     {"x.example", "a..b", "bad.example"},
     DNSFW_EEMPTYLABEL,
     2,
     DNSFW_ACTION_NONE,
     0,
     NULL,
     0,
     NULL,
     NULL},
    {"malformed first hop",
     CHAIN_POLICY,
     "ok.example",
     {"\\999.example"},
     DNSFW_EESCAPE,
     1,
     DNSFW_ACTION_NONE,
     0,
     NULL,
     0,
     NULL,
     NULL},
    {"malformed query name",
     CHAIN_POLICY,
     "a..b",
     {"bad.example"},
     DNSFW_EEMPTYLABEL,
     0,
     DNSFW_ACTION_NONE,
     0,
     NULL,
     0,
     NULL,
     NULL},
};

START_TEST(chain_vectors)
{
    dnsfw_matcher *m = matcher_q(chains[_i].policy);
    size_t n = 0, lens[4];
    while (n < 4 && chains[_i].chain[n]) {
        lens[n] = strlen(chains[_i].chain[n]);
        n++;
    }
    dnsfw_verdict v;
    size_t bad_hop = 99;
    const char *q = chains[_i].qname;
    int rc = dnsfw_eval_chain(m, q, strlen(q), chains[_i].chain, lens, n, 1, DNSFW_SCOPE_ALL, &v,
                              &bad_hop);
    ck_assert_msg(rc == chains[_i].status, "%s: status %d, expected %d", chains[_i].id, rc,
                  chains[_i].status);
    ck_assert_msg(bad_hop == chains[_i].bad_hop, "%s: bad_hop %zu, expected %zu", chains[_i].id,
                  bad_hop, chains[_i].bad_hop);
    if (rc == DNSFW_OK) {
        /* R20 blocks with NXDOMAIN, E15's catch-all with NODATA */
        dnsfw_block_response response = DNSFW_RESPONSE_NONE;
        if (chains[_i].action == DNSFW_ACTION_BLOCK)
            response = chains[_i].priority == 20 ? DNSFW_RESPONSE_NXDOMAIN : DNSFW_RESPONSE_NODATA;
        check_explained(chains[_i].id, m, &v, 0, chains[_i].action, response, "G", chains[_i].rule,
                        chains[_i].priority, chains[_i].list, chains[_i].entry);
        ck_assert_msg(v.hop == chains[_i].hop, "%s: hop %u, expected %u", chains[_i].id, v.hop,
                      chains[_i].hop);
        /* bad_hop may be NULL */
        ck_assert_int_eq(dnsfw_eval_chain(m, q, strlen(q), chains[_i].chain, lens, n, 1,
                                          DNSFW_SCOPE_ALL, &v, NULL),
                         DNSFW_OK);
    }
    dnsfw_matcher_free(m);
}
END_TEST

START_TEST(chain_arguments)
{
    dnsfw_matcher *m = matcher_q(CHAIN_POLICY);
    dnsfw_verdict v;
    size_t bad_hop = 99;
    const char *chain[] = {"x.example", NULL};
    size_t lens[] = {9, 0};
    /* a NULL name in the chain is an invalid argument at that hop */
    ck_assert_int_eq(dnsfw_eval_chain(m, "ok.example", 10, chain, lens, 2, 1, 0, &v, &bad_hop),
                     DNSFW_EINVAL);
    ck_assert_uint_eq(bad_hop, 2);
    ck_assert_int_eq(dnsfw_eval_chain(m, "ok.example", 10, NULL, NULL, 1, 1, 0, &v, NULL),
                     DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval_chain(m, "ok.example", 10, NULL, NULL, 0, 1, 0, &v, NULL),
                     DNSFW_OK);
    ck_assert_int_eq(v.action, DNSFW_ACTION_ALLOW);
    ck_assert_int_eq(dnsfw_eval_chain(NULL, "ok.example", 10, NULL, NULL, 0, 1, 0, &v, NULL),
                     DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval_chain(m, NULL, 10, NULL, NULL, 0, 1, 0, &v, NULL), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval_chain(m, "ok.example", 10, NULL, NULL, 0, 1, 0, NULL, NULL),
                     DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval_chain(m, "ok.example", 10, NULL, NULL, 0, 1, 1, &v, NULL),
                     DNSFW_EINVAL); /* no such scope */
    dnsfw_matcher_free(m);
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* Scopes (tiered form)                                                                */

static const char *scoped_policy =
    "{'dnsfw':1,'mode':'enforce','baseline':['github.com'],'blueprints':["
    "{'repo':'org/a','egress_allowlist':['npm.internal.example.com','*.private-registry.io']},"
    "{'repo':'org/b','egress_allowlist':['b.example','npm.internal.example.com']},"
    "{'repo':'org/empty','egress_allowlist':[]}]}";

static const struct {
    const char *scope; /* NULL: the whole policy */
    const char *query;
    dnsfw_action action;
    uint32_t priority;
    const char *list, *entry;
} scoped[] = {
    {NULL, "github.com", DNSFW_ACTION_ALLOW, 100, "platform-baseline", "github.com"},
    {NULL, "npm.internal.example.com", DNSFW_ACTION_ALLOW, 200, "blueprint-additional",
     "npm.internal.example.com"},
    {NULL, "b.example", DNSFW_ACTION_ALLOW, 200, "blueprint-additional", "b.example"},
    {NULL, "x.private-registry.io", DNSFW_ACTION_ALLOW, 200, "blueprint-additional",
     "*.private-registry.io"},
    /* the union is not empty, so it has no placeholder */
    {NULL, "placeholder.invalid", DNSFW_ACTION_BLOCK, 300, "block-all", "*"},
    {NULL, "evil.example", DNSFW_ACTION_BLOCK, 300, "block-all", "*"},
    {"org/a", "github.com", DNSFW_ACTION_ALLOW, 100, "platform-baseline", "github.com"},
    {"org/a", "x.private-registry.io", DNSFW_ACTION_ALLOW, 200, "blueprint-additional",
     "*.private-registry.io"},
    {"org/a", "b.example", DNSFW_ACTION_BLOCK, 300, "block-all", "*"},
    {"org/b", "b.example", DNSFW_ACTION_ALLOW, 200, "blueprint-additional", "b.example"},
    {"org/b", "npm.internal.example.com", DNSFW_ACTION_ALLOW, 200, "blueprint-additional",
     "npm.internal.example.com"},
    {"org/b", "x.private-registry.io", DNSFW_ACTION_BLOCK, 300, "block-all", "*"},
    /* an empty allowlist evaluates as the deployed placeholder */
    {"org/empty", "github.com", DNSFW_ACTION_ALLOW, 100, "platform-baseline", "github.com"},
    {"org/empty", "b.example", DNSFW_ACTION_BLOCK, 300, "block-all", "*"},
    {"org/empty", "placeholder.invalid", DNSFW_ACTION_ALLOW, 200, "blueprint-additional",
     "placeholder.invalid"},
};

START_TEST(scopes)
{
    dnsfw_matcher *m = matcher_q(scoped_policy);
    uint32_t scope = DNSFW_SCOPE_ALL;
    if (scoped[_i].scope)
        ck_assert_int_eq(dnsfw_matcher_find_scope(m, scoped[_i].scope, &scope), DNSFW_OK);
    dnsfw_verdict v;
    const char *q = scoped[_i].query;
    ck_assert_int_eq(dnsfw_eval(m, q, strlen(q), 1, scope, &v), DNSFW_OK);
    char what[128];
    snprintf(what, sizeof what, "%s in %s", q, unit_str(scoped[_i].scope));
    check_explained(
        what, m, &v, scope, scoped[_i].action,
        scoped[_i].action == DNSFW_ACTION_BLOCK ? DNSFW_RESPONSE_NODATA : DNSFW_RESPONSE_NONE,
        "agent-egress-policy", NULL, scoped[_i].priority, scoped[_i].list, scoped[_i].entry);
    dnsfw_explanation e;
    ck_assert_int_eq(dnsfw_explain(m, &v, scope, &e), DNSFW_OK);
    if (scoped[_i].scope)
        ck_assert_str_eq(unit_str(e.scope), scoped[_i].scope);
    else
        ck_assert_ptr_null(e.scope);
    ck_assert_uint_eq(e.group_priority, 101);
    dnsfw_matcher_free(m);
}
END_TEST

START_TEST(scope_lookup)
{
    dnsfw_matcher *m = matcher_q(scoped_policy);
    static const char *const repos[] = {"org/a", "org/b", "org/empty"};
    for (uint32_t i = 0; i < 3; i++) {
        uint32_t s = 99;
        ck_assert_int_eq(dnsfw_matcher_find_scope(m, repos[i], &s), DNSFW_OK);
        ck_assert_uint_eq(s, i + 1); /* 0 is DNSFW_SCOPE_ALL */
    }
    uint32_t s;
    ck_assert_int_eq(dnsfw_matcher_find_scope(m, "org/c", &s), DNSFW_ENOTFOUND);
    ck_assert_int_eq(dnsfw_matcher_find_scope(m, "ORG/A", &s), DNSFW_ENOTFOUND);
    ck_assert_int_eq(dnsfw_matcher_find_scope(m, "", &s), DNSFW_ENOTFOUND);
    ck_assert_int_ne(dnsfw_matcher_find_scope(m, NULL, &s), DNSFW_OK);
    ck_assert_int_ne(dnsfw_matcher_find_scope(m, "org/a", NULL), DNSFW_OK);
    ck_assert_int_ne(dnsfw_matcher_find_scope(NULL, "org/a", &s), DNSFW_OK);
    /* scope numbers past the last are refused */
    dnsfw_verdict v;
    ck_assert_int_eq(dnsfw_eval(m, "github.com", 10, 1, 4, &v), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval(m, "github.com", 10, 1, UINT32_MAX, &v), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval_wire(m, (const uint8_t *)"\0", 1, 1, 4, &v), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval(m, "github.com", 10, 1, 3, &v), DNSFW_OK);
    dnsfw_explanation e;
    ck_assert_int_eq(dnsfw_explain(m, &v, 4, &e), DNSFW_EINVAL);
    dnsfw_matcher_free(m);

    /* a policy without blueprints has no scopes */
    m = matcher_q("{'dnsfw':1}");
    ck_assert_int_eq(dnsfw_matcher_find_scope(m, "org/a", &s), DNSFW_ENOTFOUND);
    ck_assert_int_eq(dnsfw_eval(m, "github.com", 10, 1, 1, &v), DNSFW_EINVAL);
    dnsfw_matcher_free(m);
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* Query types, groups, shared lists, specificity                                      */

/* One list used by rules for different query types, first match by priority. */
static const char *qtype_policy =
    "{'dnsfw':1,'domain_lists':{'L':['*.example.com','example.com'],'other':['other.example']},"
    "'rule_groups':[{'name':'G','priority':1,'rules':["
    "{'name':'aaaa','priority':10,'action':'BLOCK','domain_list':'L','qtype':'TYPE28',"
    "'block_response':'NXDOMAIN'},"
    "{'name':'a','priority':20,'action':'ALERT','domain_list':'L','qtype':'A'},"
    "{'name':'https','priority':25,'action':'BLOCK','domain_list':'L','qtype':'TYPE65',"
    "'block_response':'NODATA'},"
    "{'name':'txt-other','priority':26,'action':'ALERT','domain_list':'other','qtype':'txt'},"
    "{'name':'rest','priority':30,'action':'ALLOW','domain_list':'L'}]}]}";

static const struct {
    const char *query;
    uint16_t qtype;
    dnsfw_action action;
    const char *rule;
    uint32_t priority;
    const char *list, *entry;
} typed[] = {
    {"www.example.com", 28, DNSFW_ACTION_BLOCK, "aaaa", 10, "L", "*.example.com"},
    {"example.com", 28, DNSFW_ACTION_BLOCK, "aaaa", 10, "L", "example.com"},
    {"www.example.com", 1, DNSFW_ACTION_ALERT, "a", 20, "L", "*.example.com"},
    {"www.example.com", 65, DNSFW_ACTION_BLOCK, "https", 25, "L", "*.example.com"},
    {"www.example.com", 15, DNSFW_ACTION_ALLOW, "rest", 30, "L", "*.example.com"},
    {"www.example.com", 0, DNSFW_ACTION_ALLOW, "rest", 30, "L", "*.example.com"},
    {"www.example.com", 65535, DNSFW_ACTION_ALLOW, "rest", 30, "L", "*.example.com"},
    {"other.example", 16, DNSFW_ACTION_ALERT, "txt-other", 26, "other", "other.example"},
    {"other.example", 28, DNSFW_ACTION_NONE, NULL, 0, NULL, NULL},
    {"www.example.org", 28, DNSFW_ACTION_NONE, NULL, 0, NULL, NULL},
};

START_TEST(qtypes)
{
    dnsfw_matcher *m = matcher_q(qtype_policy);
    dnsfw_verdict v;
    const char *q = typed[_i].query;
    ck_assert_int_eq(dnsfw_eval(m, q, strlen(q), typed[_i].qtype, 0, &v), DNSFW_OK);
    char what[96];
    snprintf(what, sizeof what, "%s/%u", q, typed[_i].qtype);
    dnsfw_block_response response = DNSFW_RESPONSE_NONE;
    if (typed[_i].action == DNSFW_ACTION_BLOCK)
        response = typed[_i].qtype == 28 ? DNSFW_RESPONSE_NXDOMAIN : DNSFW_RESPONSE_NODATA;
    check_explained(what, m, &v, 0, typed[_i].action, response, "G", typed[_i].rule,
                    typed[_i].priority, typed[_i].list, typed[_i].entry);
    if (typed[_i].action != DNSFW_ACTION_NONE) {
        dnsfw_explanation e;
        ck_assert_int_eq(dnsfw_explain(m, &v, 0, &e), DNSFW_OK);
        static const struct {
            const char *rule;
            uint16_t qtype;
        } want[] = {{"aaaa", 28}, {"a", 1}, {"https", 65}, {"txt-other", 16}, {"rest", 0}};
        for (size_t i = 0; i < N_ELEMS(want); i++)
            if (strcmp(want[i].rule, typed[_i].rule) == 0)
                ck_assert_uint_eq(e.qtype, want[i].qtype);
    }
    dnsfw_matcher_free(m);
}
END_TEST

/* Three groups defined out of order: evaluation by association priority. */
static const char *groups_policy =
    "{'dnsfw':1,'domain_lists':{'all':['*'],'corp':['*.corp.example'],'dev':['dev.corp.example']},"
    "'rule_groups':["
    "{'name':'last','priority':9000,'rules':[{'name':'catch','priority':1,'action':'BLOCK',"
    "'domain_list':'all','block_response':'NXDOMAIN'}]},"
    "{'name':'first','priority':5,'rules':[{'name':'dev','priority':7,'action':'ALLOW',"
    "'domain_list':'dev'}]},"
    "{'name':'middle','priority':500,'rules':[{'name':'corp-txt','priority':1,'action':'ALERT',"
    "'domain_list':'corp','qtype':'TXT'},{'name':'corp','priority':2,'action':'ALLOW',"
    "'domain_list':'corp'}]}]}";

START_TEST(several_groups)
{
    dnsfw_matcher *m = matcher_q(groups_policy);
    static const struct {
        const char *query;
        uint16_t qtype;
        dnsfw_action action;
        const char *group, *rule;
        uint32_t priority;
        const char *list, *entry;
    } c[] = {
        {"dev.corp.example", 16, DNSFW_ACTION_ALLOW, "first", "dev", 7, "dev", "dev.corp.example"},
        {"app.corp.example", 16, DNSFW_ACTION_ALERT, "middle", "corp-txt", 1, "corp",
         "*.corp.example"},
        {"app.corp.example", 1, DNSFW_ACTION_ALLOW, "middle", "corp", 2, "corp", "*.corp.example"},
        {"corp.example", 1, DNSFW_ACTION_BLOCK, "last", "catch", 1, "all", "*"},
        {".", 1, DNSFW_ACTION_BLOCK, "last", "catch", 1, "all", "*"},
    };
    for (size_t i = 0; i < N_ELEMS(c); i++) {
        dnsfw_verdict v;
        ck_assert_int_eq(dnsfw_eval(m, c[i].query, strlen(c[i].query), c[i].qtype, 0, &v),
                         DNSFW_OK);
        check_explained(c[i].query, m, &v, 0, c[i].action,
                        c[i].action == DNSFW_ACTION_BLOCK ? DNSFW_RESPONSE_NXDOMAIN
                                                          : DNSFW_RESPONSE_NONE,
                        c[i].group, c[i].rule, c[i].priority, c[i].list, c[i].entry);
        dnsfw_explanation e;
        ck_assert_int_eq(dnsfw_explain(m, &v, 0, &e), DNSFW_OK);
        uint32_t gp = strcmp(c[i].group, "first") == 0    ? 5
                      : strcmp(c[i].group, "middle") == 0 ? 500
                                                          : 9000;
        ck_assert_uint_eq(e.group_priority, gp);
    }
    dnsfw_matcher_free(m);
}
END_TEST

/* The explanation names the most specific matching entry of the winning rule's list. */
START_TEST(most_specific_entry)
{
    dnsfw_matcher *m = matcher_q(
        "{'dnsfw':1,'domain_lists':{'L':['*','*.com','*.example.com','www.example.com',"
        "'*.www.example.com'],'M':['*.example.com']},'rule_groups':[{'name':'G','priority':1,"
        "'rules':[{'name':'R','priority':1,'action':'ALERT','domain_list':'L'},"
        "{'name':'S','priority':2,'action':'ALLOW','domain_list':'M'}]}]}");
    static const struct {
        const char *query, *entry;
        dnsfw_entry_kind kind;
    } c[] = {
        {"www.example.com", "www.example.com", DNSFW_ENTRY_EXACT},
        {"a.www.example.com", "*.www.example.com", DNSFW_ENTRY_WILDCARD},
        {"a.b.www.example.com", "*.www.example.com", DNSFW_ENTRY_WILDCARD},
        {"mail.example.com", "*.example.com", DNSFW_ENTRY_WILDCARD},
        {"example.com", "*.com", DNSFW_ENTRY_WILDCARD},
        {"com", "*", DNSFW_ENTRY_ALL},
        {"example.org", "*", DNSFW_ENTRY_ALL},
        {".", "*", DNSFW_ENTRY_ALL},
    };
    for (size_t i = 0; i < N_ELEMS(c); i++) {
        dnsfw_verdict v;
        ck_assert_int_eq(dnsfw_eval(m, c[i].query, strlen(c[i].query), 1, 0, &v), DNSFW_OK);
        check_explained(c[i].query, m, &v, 0, DNSFW_ACTION_ALERT, DNSFW_RESPONSE_NONE, "G", "R", 1,
                        "L", c[i].entry);
        ck_assert_int_eq(v.entry_kind, c[i].kind);
    }
    dnsfw_matcher_free(m);
}
END_TEST

START_TEST(matcher_properties)
{
    dnsfw_matcher *m = matcher_q("{'dnsfw':1}");
    ck_assert_int_eq(dnsfw_matcher_fail_open(m), 1); /* the tiered default */
    ck_assert_uint_gt(dnsfw_matcher_memory(m), 0);
    dnsfw_matcher_free(m);
    m = matcher_q("{'dnsfw':1,'fail_open':false}");
    ck_assert_int_eq(dnsfw_matcher_fail_open(m), 0);
    dnsfw_matcher_free(m);
    m = matcher_q("{'dnsfw':1,'domain_lists':{}}");
    ck_assert_int_eq(dnsfw_matcher_fail_open(m), 0); /* the general form's default */
    ck_assert_uint_gt(dnsfw_matcher_memory(m), 0);
    dnsfw_verdict v;
    ck_assert_int_eq(dnsfw_eval(m, "example.com", 11, 1, 0, &v), DNSFW_OK);
    ck_assert_int_eq(v.action, DNSFW_ACTION_NONE);
    dnsfw_matcher_free(m);
    m = matcher_q("{'dnsfw':1,'fail_open':true,'domain_lists':{}}");
    ck_assert_int_eq(dnsfw_matcher_fail_open(m), 1);
    dnsfw_matcher_free(m);

    /* more entries take more memory */
    dnsfw_matcher *small = matcher_q(groups_policy);
    dnsfw_matcher *big =
        matcher_q("{'dnsfw':1,'domain_lists':{'all':['*','a1.example','a2.example','a3.example',"
                  "'a4.example','a5.example','a6.example','a7.example','a8.example','a9.example',"
                  "'b1.example','b2.example','b3.example','b4.example','b5.example','b6.example',"
                  "'b7.example','b8.example','b9.example','c1.example','c2.example','c3.example',"
                  "'c4.example','c5.example','c6.example','c7.example','c8.example','c9.example']},"
                  "'rule_groups':[{'name':'g','priority':1,'rules':[{'name':'r','priority':1,"
                  "'action':'ALLOW','domain_list':'all'}]}]}");
    ck_assert_uint_gt(dnsfw_matcher_memory(big), dnsfw_matcher_memory(small));
    dnsfw_matcher_free(small);
    dnsfw_matcher_free(big);

    ck_assert_int_eq(dnsfw_matcher_fail_open(NULL), 0);
    ck_assert_uint_eq(dnsfw_matcher_memory(NULL), 0);
}
END_TEST

/* dnsfw_eval_batch(): the arguments, per-query failures and the first-failure status. */
START_TEST(batch_arguments)
{
    dnsfw_matcher *m = matcher_q(groups_policy);
    dnsfw_query q[5] = {
        {.name = "www.example.com", .len = 15, .qtype = 1},
        {.name = "bad..name", .len = 9, .qtype = 1},
        {.name = NULL, .len = 3, .qtype = 1},
        {.name = "example.com", .len = 11, .qtype = 1, .scope = 7},
        {.name = "WWW.Example.COM.", .len = 16, .qtype = 1},
    };
    dnsfw_verdict v[5], one;
    int st[5];
    ck_assert_int_eq(dnsfw_eval_batch(NULL, q, 5, v, st), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval_batch(m, NULL, 5, v, st), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval_batch(m, q, 5, NULL, st), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval_batch(m, NULL, 0, NULL, NULL), DNSFW_OK);

    memset(v, 0xA5, sizeof v);
    ck_assert_int_eq(dnsfw_eval_batch(m, q, 5, v, st), DNSFW_EEMPTYLABEL);
    ck_assert_int_eq(st[0], DNSFW_OK);
    ck_assert_int_eq(st[1], DNSFW_EEMPTYLABEL);
    ck_assert_int_eq(st[2], DNSFW_EINVAL);
    ck_assert_int_eq(st[3], DNSFW_EINVAL);
    ck_assert_int_eq(st[4], DNSFW_OK);
    for (int i = 1; i <= 3; i++) {
        ck_assert_int_eq(v[i].action, DNSFW_ACTION_NONE);
        ck_assert_uint_eq(v[i].rule, DNSFW_NONE);
        ck_assert_uint_eq(v[i].domain_list, DNSFW_NONE);
        ck_assert_uint_eq(v[i].entry_node, DNSFW_NONE);
    }
    ck_assert_int_eq(dnsfw_eval(m, "www.example.com", 15, 1, 0, &one), DNSFW_OK);
    ck_assert_mem_eq(&v[0], &one, sizeof one);
    ck_assert_mem_eq(&v[4], &one, sizeof one);

    /* Without statuses; the first failure is still returned. */
    ck_assert_int_eq(dnsfw_eval_batch(m, q + 2, 3, v, NULL), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval_batch(m, q + 4, 1, v, NULL), DNSFW_OK);
    ck_assert_mem_eq(&v[0], &one, sizeof one);
    dnsfw_matcher_free(m);
}
END_TEST

START_TEST(explain_arguments)
{
    dnsfw_matcher *m = matcher_q(groups_policy);
    dnsfw_verdict v;
    ck_assert_int_eq(dnsfw_eval(m, "dev.corp.example", 16, 1, 0, &v), DNSFW_OK);
    dnsfw_explanation e;
    ck_assert_int_eq(dnsfw_explain(m, &v, 0, NULL), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_explain(NULL, &v, 0, &e), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_explain(m, NULL, 0, &e), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_explain(m, &v, 1, &e), DNSFW_EINVAL);
    dnsfw_verdict bad = v;
    bad.rule = 1000;
    ck_assert_int_eq(dnsfw_explain(m, &bad, 0, &e), DNSFW_EINVAL);
    bad = v;
    bad.domain_list = 1000;
    ck_assert_int_eq(dnsfw_explain(m, &bad, 0, &e), DNSFW_EINVAL);
    dnsfw_matcher_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("eval");
    TCase *tc = tcase_create("vectors");
    tcase_add_loop_test(tc, vectors_10_1, 0, (int)N_ELEMS(v101));
    tcase_add_test(tc, decided_alternatives);
    tcase_add_loop_test(tc, vectors_10_2, 0, (int)N_ELEMS(v102));
    suite_add_tcase(s, tc);
    tc = tcase_create("chains");
    tcase_add_loop_test(tc, chain_vectors, 0, (int)N_ELEMS(chains));
    tcase_add_test(tc, chain_arguments);
    suite_add_tcase(s, tc);
    tc = tcase_create("matcher");
    tcase_add_loop_test(tc, scopes, 0, (int)N_ELEMS(scoped));
    tcase_add_test(tc, scope_lookup);
    tcase_add_loop_test(tc, qtypes, 0, (int)N_ELEMS(typed));
    tcase_add_test(tc, several_groups);
    tcase_add_test(tc, most_specific_entry);
    tcase_add_test(tc, matcher_properties);
    tcase_add_test(tc, explain_arguments);
    tcase_add_test(tc, batch_arguments);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
