/*
 * The policy builder: dnsfw_policy_new(), _add_list(), _add_spec(), _add_group(),
 * _add_rule(), _set_fail_open(), _set_mode() and the getters, with every error each can
 * return; and dnsfw_policy_new_default(), the platform's tiered policy (contract §1.1).
 * Names follow AWS (aws-dns-firewall.md §6): 1-64 of A-Za-z0-9-_ space ', not all digits.
 */
#include "unit.h"

static dnsfw_policy *new_policy(void)
{
    dnsfw_policy *p = NULL;
    ck_assert_int_eq(dnsfw_policy_new(&p), DNSFW_OK);
    ck_assert_ptr_nonnull(p);
    return p;
}

START_TEST(empty_policy)
{
    dnsfw_policy *p = new_policy();
    dnsfw_policy_info info;
    memset(&info, 0xAA, sizeof info);
    dnsfw_policy_get_info(p, &info);
    ck_assert_int_eq(info.tiered, 0);
    ck_assert_int_eq(info.fail_open, 0); /* AWS's default: DISABLED */
    ck_assert_uint_eq(info.n_lists, 0);
    ck_assert_uint_eq(info.n_groups, 0);
    ck_assert_uint_eq(info.n_scopes, 0);
    ck_assert_uint_eq(info.n_specs, 0);
    ck_assert_int_eq(dnsfw_policy_new(NULL), DNSFW_EINVAL);
    dnsfw_policy_free(p);
    dnsfw_policy_free(NULL);
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* Domain lists                                                                        */

static const struct {
    const char *name;
    int status;
} list_names[] = {
    {"allowed", DNSFW_OK},
    {"a", DNSFW_OK},
    {"A-b_c d'e", DNSFW_OK},
    {"123a", DNSFW_OK},
    {"a123", DNSFW_OK},
    {"0-1", DNSFW_OK},
    {"x234567890123456789012345678901234567890123456789012345678901234", DNSFW_OK}, /* 64 */
    {"x2345678901234567890123456789012345678901234567890123456789012345", DNSFW_ESCHEMA},
    {"", DNSFW_ESCHEMA},
    {"123", DNSFW_ESCHEMA},
    {"0", DNSFW_ESCHEMA},
    {"a.b", DNSFW_ESCHEMA},
    {"a/b", DNSFW_ESCHEMA},
    {"a\tb", DNSFW_ESCHEMA},
    {"a*", DNSFW_ESCHEMA},
    {"\xC3\xBC", DNSFW_ESCHEMA},
};

START_TEST(add_list_names)
{
    dnsfw_policy *p = new_policy();
    uint32_t id = 77;
    ck_assert_int_eq(dnsfw_policy_add_list(p, list_names[_i].name, &id), list_names[_i].status);
    dnsfw_policy_info info;
    dnsfw_policy_get_info(p, &info);
    if (list_names[_i].status == DNSFW_OK) {
        ck_assert_uint_eq(id, 0);
        ck_assert_uint_eq(info.n_lists, 1);
        ck_assert_str_eq(unit_str(dnsfw_policy_list_name(p, 0)), list_names[_i].name);
        ck_assert_uint_eq(dnsfw_policy_list_size(p, 0), 0);
    } else {
        ck_assert_uint_eq(info.n_lists, 0);
    }
    dnsfw_policy_free(p);
}
END_TEST

START_TEST(add_list_errors)
{
    dnsfw_policy *p = new_policy();
    uint32_t a = 9, b = 9, c = 9;
    ck_assert_int_eq(dnsfw_policy_add_list(p, "one", &a), DNSFW_OK);
    ck_assert_int_eq(dnsfw_policy_add_list(p, "two", &b), DNSFW_OK);
    ck_assert_int_eq(dnsfw_policy_add_list(p, "one", &c), DNSFW_EDUPLICATE);
    ck_assert_int_eq(dnsfw_policy_add_list(p, "One", &c), DNSFW_OK); /* names are case-sensitive */
    ck_assert_int_eq(dnsfw_policy_add_list(p, "three", NULL), DNSFW_OK);
    ck_assert_uint_eq(a, 0);
    ck_assert_uint_eq(b, 1);
    ck_assert_uint_eq(c, 2);
    ck_assert_str_eq(unit_str(dnsfw_policy_list_name(p, 3)), "three");
    ck_assert_ptr_null(dnsfw_policy_list_name(p, 4));
    ck_assert_uint_eq(dnsfw_policy_list_size(p, 4), 0);
    ck_assert_ptr_null(dnsfw_policy_list_spec(p, 4, 0));
    ck_assert_ptr_null(dnsfw_policy_list_spec(p, 0, 0));
    ck_assert_int_eq(dnsfw_policy_add_list(NULL, "x", NULL), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_policy_add_list(p, NULL, NULL), DNSFW_EINVAL);
    ck_assert_ptr_null(dnsfw_policy_list_name(NULL, 0));
    dnsfw_policy_free(p);
}
END_TEST

START_TEST(add_spec)
{
    dnsfw_policy *p = new_policy();
    uint32_t l, other;
    ck_assert_int_eq(dnsfw_policy_add_list(p, "l", &l), DNSFW_OK);
    ck_assert_int_eq(dnsfw_policy_add_list(p, "other", &other), DNSFW_OK);
    static const char *const in[] = {"Example.COM.", "*.example.com", "example.com", "*.", "*",
                                     "b.example",    "*.Example.com."};
    const char *reason = "untouched";
    for (size_t i = 0; i < N_ELEMS(in); i++)
        ck_assert_int_eq(dnsfw_policy_add_spec(p, l, in[i], strlen(in[i]), &reason), DNSFW_OK);
    /* stored normalised, each once, in insertion order */
    static const char *const want[] = {"example.com", "*.example.com", "*", "b.example"};
    ck_assert_uint_eq(dnsfw_policy_list_size(p, l), N_ELEMS(want));
    for (size_t i = 0; i < N_ELEMS(want); i++)
        ck_assert_str_eq(unit_str(dnsfw_policy_list_spec(p, l, i)), want[i]);
    ck_assert_ptr_null(dnsfw_policy_list_spec(p, l, N_ELEMS(want)));
    /* the same spec in another list is that list's own */
    ck_assert_int_eq(dnsfw_policy_add_spec(p, other, "example.com", 11, NULL), DNSFW_OK);
    ck_assert_uint_eq(dnsfw_policy_list_size(p, other), 1);

    /* errors */
    reason = NULL;
    ck_assert_int_eq(dnsfw_policy_add_spec(p, l, "a.*.com", 7, &reason), DNSFW_EBADSPEC);
    ck_assert_ptr_nonnull(reason);
    ck_assert(reason[0] != '\0');
    ck_assert_int_eq(dnsfw_policy_add_spec(p, l, "", 0, NULL), DNSFW_EBADSPEC);
    ck_assert_int_eq(dnsfw_policy_add_spec(p, l, "_dmarc.example.com", 18, NULL), DNSFW_EBADSPEC);
    ck_assert_int_eq(dnsfw_policy_add_spec(p, 2, "example.org", 11, NULL), DNSFW_ENOTFOUND);
    ck_assert_int_eq(dnsfw_policy_add_spec(p, DNSFW_NONE, "example.org", 11, NULL),
                     DNSFW_ENOTFOUND);
    ck_assert_int_eq(dnsfw_policy_add_spec(NULL, l, "example.org", 11, NULL), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_policy_add_spec(p, l, NULL, 0, NULL), DNSFW_EINVAL);
    ck_assert_uint_eq(dnsfw_policy_list_size(p, l), N_ELEMS(want)); /* nothing added */

    dnsfw_policy_info info;
    dnsfw_policy_get_info(p, &info);
    ck_assert_uint_eq(info.n_lists, 2);
    ck_assert_uint_eq(info.n_specs, N_ELEMS(want) + 1);
    dnsfw_policy_free(p);
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* Rule groups                                                                         */

START_TEST(add_group)
{
    dnsfw_policy *p = new_policy();
    uint32_t g = 9;
    ck_assert_int_eq(dnsfw_policy_add_group(p, "first", 1, &g), DNSFW_OK);
    ck_assert_uint_eq(g, 0);
    ck_assert_int_eq(dnsfw_policy_add_group(p, "last", 10000, &g), DNSFW_OK);
    ck_assert_uint_eq(g, 1);
    ck_assert_int_eq(dnsfw_policy_add_group(p, "middle", 1000, NULL), DNSFW_OK);
    /* association priorities 1-10000 */
    ck_assert_int_eq(dnsfw_policy_add_group(p, "zero", 0, NULL), DNSFW_ESCHEMA);
    ck_assert_int_eq(dnsfw_policy_add_group(p, "high", 10001, NULL), DNSFW_ESCHEMA);
    ck_assert_int_eq(dnsfw_policy_add_group(p, "max", UINT32_MAX, NULL), DNSFW_ESCHEMA);
    /* names */
    ck_assert_int_eq(dnsfw_policy_add_group(p, "", 5, NULL), DNSFW_ESCHEMA);
    ck_assert_int_eq(dnsfw_policy_add_group(p, "42", 5, NULL), DNSFW_ESCHEMA);
    ck_assert_int_eq(dnsfw_policy_add_group(p, "a.b", 5, NULL), DNSFW_ESCHEMA);
    ck_assert_int_eq(
        dnsfw_policy_add_group(
            p, "1234567890123456789012345678901234567890123456789012345678901234x", 5, NULL),
        DNSFW_ESCHEMA);
    /* unique name, unique priority */
    ck_assert_int_eq(dnsfw_policy_add_group(p, "first", 5, NULL), DNSFW_EDUPLICATE);
    ck_assert_int_eq(dnsfw_policy_add_group(p, "other", 1000, NULL), DNSFW_EDUPLICATE);
    ck_assert_int_eq(dnsfw_policy_add_group(NULL, "x", 5, NULL), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_policy_add_group(p, NULL, 5, NULL), DNSFW_EINVAL);

    dnsfw_policy_info info;
    dnsfw_policy_get_info(p, &info);
    ck_assert_uint_eq(info.n_groups, 3);
    /* groups come back in definition order */
    static const struct {
        const char *name;
        uint32_t priority;
    } want[] = {{"first", 1}, {"last", 10000}, {"middle", 1000}};
    for (uint32_t i = 0; i < 3; i++) {
        dnsfw_group_info gi;
        ck_assert_int_eq(dnsfw_policy_get_group(p, i, &gi), DNSFW_OK);
        ck_assert_str_eq(unit_str(gi.name), want[i].name);
        ck_assert_uint_eq(gi.priority, want[i].priority);
        ck_assert_uint_eq(gi.n_rules, 0);
    }
    dnsfw_group_info gi;
    ck_assert_int_ne(dnsfw_policy_get_group(p, 3, &gi), DNSFW_OK);
    ck_assert_int_ne(dnsfw_policy_get_group(p, 0, NULL), DNSFW_OK);
    ck_assert_int_ne(dnsfw_policy_get_group(NULL, 0, &gi), DNSFW_OK);
    dnsfw_policy_free(p);
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* Rules                                                                               */

/* A policy with lists "l0" and "l1" and the group "g" (priority 10) holding rule 100. */
static dnsfw_policy *rule_policy(void)
{
    dnsfw_policy *p = new_policy();
    ck_assert_int_eq(dnsfw_policy_add_list(p, "l0", NULL), DNSFW_OK);
    ck_assert_int_eq(dnsfw_policy_add_list(p, "l1", NULL), DNSFW_OK);
    ck_assert_int_eq(dnsfw_policy_add_group(p, "g", 10, NULL), DNSFW_OK);
    dnsfw_rule_def d = {.name = "existing", .priority = 100, .action = DNSFW_ACTION_ALLOW};
    ck_assert_int_eq(dnsfw_policy_add_rule(p, 0, &d, NULL), DNSFW_OK);
    return p;
}

#define RULE(...)                                                                                  \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }

static const struct {
    const char *what;
    uint32_t group;
    dnsfw_rule_def def;
    int status;
} rules[] = {
    {"ALLOW", 0, RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_ALLOW), DNSFW_OK},
    {"ALERT on l1", 0,
     RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_ALERT, .domain_list = 1), DNSFW_OK},
    {"BLOCK NODATA", 0,
     RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_BLOCK,
          .block_response = DNSFW_RESPONSE_NODATA),
     DNSFW_OK},
    {"BLOCK NXDOMAIN, qtype, TRUST", 0,
     RULE(.name = "r r'-_", .priority = 2147483647, .action = DNSFW_ACTION_BLOCK,
          .block_response = DNSFW_RESPONSE_NXDOMAIN, .qtype = 28,
          .redirection = DNSFW_REDIRECTION_TRUST),
     DNSFW_OK},
    {"BLOCK OVERRIDE", 0,
     RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_BLOCK,
          .block_response = DNSFW_RESPONSE_OVERRIDE, .override_domain = "sinkhole.example.",
          .override_ttl = 604800),
     DNSFW_OK},
    {"OVERRIDE ttl 0", 0,
     RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_BLOCK,
          .block_response = DNSFW_RESPONSE_OVERRIDE, .override_domain = "sinkhole.example"),
     DNSFW_OK},
    {"qtype 65534", 0,
     RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_ALLOW, .qtype = 65534), DNSFW_OK},
    /* ENOTFOUND: group or list */
    {"no such group", 1, RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_ALLOW),
     DNSFW_ENOTFOUND},
    {"no such list", 0,
     RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_ALLOW, .domain_list = 2),
     DNSFW_ENOTFOUND},
    /* EDUPLICATE: priority used in the group */
    {"duplicate priority", 0,
     RULE(.name = "r", .priority = 100, .action = DNSFW_ACTION_BLOCK,
          .block_response = DNSFW_RESPONSE_NODATA),
     DNSFW_EDUPLICATE},
    /* ESCHEMA */
    {"no name", 0, RULE(.priority = 1, .action = DNSFW_ACTION_ALLOW), DNSFW_ESCHEMA},
    {"empty name", 0, RULE(.name = "", .priority = 1, .action = DNSFW_ACTION_ALLOW), DNSFW_ESCHEMA},
    {"digits name", 0, RULE(.name = "12", .priority = 1, .action = DNSFW_ACTION_ALLOW),
     DNSFW_ESCHEMA},
    {"bad name", 0, RULE(.name = "a/b", .priority = 1, .action = DNSFW_ACTION_ALLOW),
     DNSFW_ESCHEMA},
    {"priority 0", 0, RULE(.name = "r", .priority = 0, .action = DNSFW_ACTION_ALLOW),
     DNSFW_ESCHEMA},
    {"priority 2^31", 0, RULE(.name = "r", .priority = 2147483648u, .action = DNSFW_ACTION_ALLOW),
     DNSFW_ESCHEMA},
    {"action NONE", 0, RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_NONE),
     DNSFW_ESCHEMA},
    {"action 9", 0, RULE(.name = "r", .priority = 1, .action = (dnsfw_action)9), DNSFW_ESCHEMA},
    {"BLOCK without response", 0, RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_BLOCK),
     DNSFW_ESCHEMA},
    {"BLOCK bad response", 0,
     RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_BLOCK,
          .block_response = (dnsfw_block_response)9),
     DNSFW_ESCHEMA},
    {"ALLOW with response", 0,
     RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_ALLOW,
          .block_response = DNSFW_RESPONSE_NODATA),
     DNSFW_ESCHEMA},
    {"ALERT with response", 0,
     RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_ALERT,
          .block_response = DNSFW_RESPONSE_NXDOMAIN),
     DNSFW_ESCHEMA},
    {"OVERRIDE without domain", 0,
     RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_BLOCK,
          .block_response = DNSFW_RESPONSE_OVERRIDE),
     DNSFW_ESCHEMA},
    {"domain without OVERRIDE", 0,
     RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_BLOCK,
          .block_response = DNSFW_RESPONSE_NODATA, .override_domain = "sinkhole.example"),
     DNSFW_ESCHEMA},
    {"domain on ALLOW", 0,
     RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_ALLOW,
          .override_domain = "sinkhole.example"),
     DNSFW_ESCHEMA},
    {"ttl 604801", 0,
     RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_BLOCK,
          .block_response = DNSFW_RESPONSE_OVERRIDE, .override_domain = "sinkhole.example",
          .override_ttl = 604801),
     DNSFW_ESCHEMA},
    {"bad override domain", 0,
     RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_BLOCK,
          .block_response = DNSFW_RESPONSE_OVERRIDE, .override_domain = "a..b"),
     DNSFW_ESCHEMA},
    {"empty override domain", 0,
     RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_BLOCK,
          .block_response = DNSFW_RESPONSE_OVERRIDE, .override_domain = ""),
     DNSFW_ESCHEMA},
    {"qtype 65535", 0,
     RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_ALLOW, .qtype = 65535), DNSFW_ESCHEMA},
    {"bad redirection", 0,
     RULE(.name = "r", .priority = 1, .action = DNSFW_ACTION_ALLOW,
          .redirection = (dnsfw_redirection)5),
     DNSFW_ESCHEMA},
};

START_TEST(add_rule_table)
{
    dnsfw_policy *p = rule_policy();
    const dnsfw_rule_def *d = &rules[_i].def;
    const char *reason = NULL;
    int rc = dnsfw_policy_add_rule(p, rules[_i].group, d, &reason);
    ck_assert_msg(rc == rules[_i].status, "%s: status %d, expected %d (%s)", rules[_i].what, rc,
                  rules[_i].status, unit_str(reason));
    dnsfw_group_info gi;
    ck_assert_int_eq(dnsfw_policy_get_group(p, 0, &gi), DNSFW_OK);
    if (rc != DNSFW_OK) {
        if (rc == DNSFW_ESCHEMA)
            ck_assert_msg(reason && reason[0], "%s: no reason", rules[_i].what);
        ck_assert_uint_eq(gi.n_rules, 1); /* nothing added */
        /* a NULL reason pointer is allowed */
        ck_assert_int_eq(dnsfw_policy_add_rule(p, rules[_i].group, d, NULL), rules[_i].status);
        dnsfw_policy_free(p);
        return;
    }
    /* read back: sorted by priority, so the new rule comes before "existing" (100) or after */
    ck_assert_uint_eq(gi.n_rules, 2);
    uint32_t at = d->priority < 100 ? 0 : 1;
    dnsfw_rule_def r;
    ck_assert_int_eq(dnsfw_policy_get_rule(p, 0, at, &r), DNSFW_OK);
    ck_assert_str_eq(unit_str(r.name), d->name);
    ck_assert_uint_eq(r.priority, d->priority);
    ck_assert_int_eq(r.action, d->action);
    ck_assert_uint_eq(r.domain_list, d->domain_list);
    ck_assert_uint_eq(r.qtype, d->qtype);
    ck_assert_int_eq(r.redirection, d->redirection);
    ck_assert_int_eq(r.block_response, d->block_response);
    if (d->override_domain)
        ck_assert_str_eq(unit_str(r.override_domain), d->override_domain);
    else
        ck_assert_ptr_null(r.override_domain);
    ck_assert_uint_eq(r.override_ttl, d->override_ttl);
    ck_assert_int_eq(dnsfw_policy_get_rule(p, 0, 1 - at, &r), DNSFW_OK);
    ck_assert_str_eq(unit_str(r.name), "existing");
    dnsfw_policy_free(p);
}
END_TEST

START_TEST(rule_order_and_copies)
{
    dnsfw_policy *p = rule_policy();
    /* the policy keeps its own copies of the strings */
    char name[8] = "later", domain[32] = "sinkhole.example.";
    static const uint32_t prios[] = {300, 50, 200, 1};
    for (size_t i = 0; i < N_ELEMS(prios); i++) {
        dnsfw_rule_def d = {.name = name,
                            .priority = prios[i],
                            .action = DNSFW_ACTION_BLOCK,
                            .block_response = DNSFW_RESPONSE_OVERRIDE,
                            .override_domain = domain,
                            .override_ttl = prios[i]};
        ck_assert_int_eq(dnsfw_policy_add_rule(p, 0, &d, NULL), DNSFW_OK);
    }
    strcpy(name, "XXXXX");
    strcpy(domain, "overwritten");
    static const uint32_t want[] = {1, 50, 100, 200, 300};
    dnsfw_group_info gi;
    ck_assert_int_eq(dnsfw_policy_get_group(p, 0, &gi), DNSFW_OK);
    ck_assert_uint_eq(gi.n_rules, N_ELEMS(want));
    for (uint32_t i = 0; i < N_ELEMS(want); i++) {
        dnsfw_rule_def r;
        ck_assert_int_eq(dnsfw_policy_get_rule(p, 0, i, &r), DNSFW_OK);
        ck_assert_uint_eq(r.priority, want[i]);
        if (want[i] != 100) {
            ck_assert_str_eq(unit_str(r.name), "later");
            ck_assert_str_eq(unit_str(r.override_domain), "sinkhole.example.");
            ck_assert_uint_eq(r.override_ttl, want[i]);
        }
    }
    dnsfw_rule_def r;
    ck_assert_int_ne(dnsfw_policy_get_rule(p, 0, 5, &r), DNSFW_OK);
    ck_assert_int_ne(dnsfw_policy_get_rule(p, 1, 0, &r), DNSFW_OK);
    ck_assert_int_ne(dnsfw_policy_get_rule(p, 0, 0, NULL), DNSFW_OK);
    ck_assert_int_eq(dnsfw_policy_add_rule(NULL, 0, &r, NULL), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_policy_add_rule(p, 0, NULL, NULL), DNSFW_EINVAL);
    /* the same priority in another group is fine */
    uint32_t g2;
    ck_assert_int_eq(dnsfw_policy_add_group(p, "g2", 20, &g2), DNSFW_OK);
    dnsfw_rule_def d = {.name = "again", .priority = 100, .action = DNSFW_ACTION_ALERT};
    ck_assert_int_eq(dnsfw_policy_add_rule(p, g2, &d, NULL), DNSFW_OK);
    dnsfw_policy_free(p);
}
END_TEST

START_TEST(fail_open_and_mode)
{
    dnsfw_policy *p = new_policy();
    dnsfw_policy_info info;
    ck_assert_int_eq(dnsfw_policy_set_fail_open(p, 1), DNSFW_OK);
    dnsfw_policy_get_info(p, &info);
    ck_assert_int_eq(info.fail_open, 1);
    ck_assert_int_eq(dnsfw_policy_set_fail_open(p, 7), DNSFW_OK); /* any non-zero is ENABLED */
    dnsfw_policy_get_info(p, &info);
    ck_assert_int_eq(info.fail_open, 1);
    ck_assert_int_eq(dnsfw_policy_set_fail_open(p, 0), DNSFW_OK);
    dnsfw_policy_get_info(p, &info);
    ck_assert_int_eq(info.fail_open, 0);
    ck_assert_int_eq(dnsfw_policy_set_fail_open(NULL, 1), DNSFW_EINVAL);
    /* the mode belongs to the tiered form */
    ck_assert_int_eq(dnsfw_policy_set_mode(p, DNSFW_MODE_ENFORCE), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_policy_set_mode(NULL, DNSFW_MODE_ENFORCE), DNSFW_EINVAL);
    dnsfw_policy_free(p);
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* The default tiered policy (contract §1.1)                                           */

static const char *const baseline[] = {
    "github.com", "api.github.com", "*.githubusercontent.com", "registry.npmjs.org", "*.npmjs.org",
    "pypi.org",   "*.pypi.org",     "files.pythonhosted.org",  "*.amazonaws.com",
};

/* Checks the rule at index i of the tiered group. */
static void check_tier_rule(const dnsfw_policy *p, uint32_t i, uint32_t priority,
                            dnsfw_action action, uint32_t list, dnsfw_block_response response)
{
    dnsfw_rule_def r;
    ck_assert_int_eq(dnsfw_policy_get_rule(p, 0, i, &r), DNSFW_OK);
    ck_assert_ptr_null(r.name); /* the tiered form's rules have no names */
    ck_assert_uint_eq(r.priority, priority);
    ck_assert_int_eq(r.action, action);
    ck_assert_uint_eq(r.domain_list, list);
    ck_assert_uint_eq(r.qtype, 0);
    ck_assert_int_eq(r.redirection, DNSFW_REDIRECTION_INSPECT);
    ck_assert_int_eq(r.block_response, response);
    ck_assert_ptr_null(r.override_domain);
    ck_assert_uint_eq(r.override_ttl, 0);
}

START_TEST(default_policy)
{
    dnsfw_policy *p = NULL;
    ck_assert_int_eq(dnsfw_policy_new_default(&p), DNSFW_OK);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(dnsfw_policy_new_default(NULL), DNSFW_EINVAL);

    dnsfw_policy_info info;
    dnsfw_policy_get_info(p, &info);
    ck_assert_int_eq(info.tiered, 1);
    ck_assert_int_eq(info.mode, DNSFW_MODE_OBSERVE);
    ck_assert_int_eq(info.fail_open, 1);
    ck_assert_uint_eq(info.n_lists, 3);
    ck_assert_uint_eq(info.n_groups, 1);
    ck_assert_uint_eq(info.n_scopes, 0);
    ck_assert_uint_eq(info.n_specs, N_ELEMS(baseline) + 1 + 1);

    /* the lists: the exact baseline, the placeholder for "no blueprints", the catch-all */
    ck_assert_str_eq(unit_str(dnsfw_policy_list_name(p, 0)), "platform-baseline");
    ck_assert_uint_eq(dnsfw_policy_list_size(p, 0), N_ELEMS(baseline));
    for (size_t i = 0; i < N_ELEMS(baseline); i++)
        ck_assert_str_eq(unit_str(dnsfw_policy_list_spec(p, 0, i)), baseline[i]);
    ck_assert_str_eq(unit_str(dnsfw_policy_list_name(p, 1)), "blueprint-additional");
    ck_assert_uint_eq(dnsfw_policy_list_size(p, 1), 1);
    ck_assert_str_eq(unit_str(dnsfw_policy_list_spec(p, 1, 0)), "placeholder.invalid");
    ck_assert_str_eq(unit_str(dnsfw_policy_list_name(p, 2)), "block-all");
    ck_assert_uint_eq(dnsfw_policy_list_size(p, 2), 1);
    ck_assert_str_eq(unit_str(dnsfw_policy_list_spec(p, 2, 0)), "*");
    ck_assert_ptr_null(dnsfw_policy_list_name(p, 3));
    ck_assert_ptr_null(dnsfw_policy_scope_name(p, 0));

    /* the group and its rules, observe mode */
    dnsfw_group_info gi;
    ck_assert_int_eq(dnsfw_policy_get_group(p, 0, &gi), DNSFW_OK);
    ck_assert_str_eq(unit_str(gi.name), "agent-egress-policy");
    ck_assert_uint_eq(gi.priority, 101);
    ck_assert_uint_eq(gi.n_rules, 3);
    check_tier_rule(p, 0, 100, DNSFW_ACTION_ALLOW, 0, DNSFW_RESPONSE_NONE);
    check_tier_rule(p, 1, 200, DNSFW_ACTION_ALLOW, 1, DNSFW_RESPONSE_NONE);
    check_tier_rule(p, 2, 300, DNSFW_ACTION_ALERT, 2, DNSFW_RESPONSE_NONE);

    /* enforce mode: the catch-all BLOCKs with NODATA; and back */
    ck_assert_int_eq(dnsfw_policy_set_mode(p, DNSFW_MODE_ENFORCE), DNSFW_OK);
    dnsfw_policy_get_info(p, &info);
    ck_assert_int_eq(info.mode, DNSFW_MODE_ENFORCE);
    check_tier_rule(p, 0, 100, DNSFW_ACTION_ALLOW, 0, DNSFW_RESPONSE_NONE);
    check_tier_rule(p, 1, 200, DNSFW_ACTION_ALLOW, 1, DNSFW_RESPONSE_NONE);
    check_tier_rule(p, 2, 300, DNSFW_ACTION_BLOCK, 2, DNSFW_RESPONSE_NODATA);
    ck_assert_int_eq(dnsfw_policy_set_mode(p, DNSFW_MODE_OBSERVE), DNSFW_OK);
    check_tier_rule(p, 2, 300, DNSFW_ACTION_ALERT, 2, DNSFW_RESPONSE_NONE);
    ck_assert_int_eq(dnsfw_policy_set_mode(p, (dnsfw_mode)2), DNSFW_EINVAL);
    dnsfw_policy_get_info(p, &info);
    ck_assert_int_eq(info.mode, DNSFW_MODE_OBSERVE);

    /* fail-open may be changed */
    ck_assert_int_eq(dnsfw_policy_set_fail_open(p, 0), DNSFW_OK);
    dnsfw_policy_get_info(p, &info);
    ck_assert_int_eq(info.fail_open, 0);
    dnsfw_policy_free(p);
}
END_TEST

/* The tiered form is fixed: the builder refuses to change its lists, groups and rules. */
START_TEST(tiered_refuses_builder)
{
    dnsfw_policy *p = NULL;
    ck_assert_int_eq(dnsfw_policy_new_default(&p), DNSFW_OK);
    uint32_t id;
    ck_assert_int_eq(dnsfw_policy_add_list(p, "extra", &id), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_policy_add_spec(p, 0, "example.com", 11, NULL), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_policy_add_spec(p, 1, "example.com", 11, NULL), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_policy_add_group(p, "extra", 5, &id), DNSFW_EINVAL);
    dnsfw_rule_def named = {.name = "extra", .priority = 50, .action = DNSFW_ACTION_ALLOW};
    ck_assert_int_eq(dnsfw_policy_add_rule(p, 0, &named, NULL), DNSFW_EINVAL);
    dnsfw_rule_def unnamed = {.priority = 50,
                              .action = DNSFW_ACTION_BLOCK,
                              .domain_list = 2,
                              .block_response = DNSFW_RESPONSE_NXDOMAIN};
    ck_assert_int_eq(dnsfw_policy_add_rule(p, 0, &unnamed, NULL), DNSFW_EINVAL);

    /* nothing changed */
    dnsfw_policy_info info;
    dnsfw_policy_get_info(p, &info);
    ck_assert_uint_eq(info.n_lists, 3);
    ck_assert_uint_eq(info.n_groups, 1);
    ck_assert_uint_eq(info.n_specs, N_ELEMS(baseline) + 2);
    dnsfw_group_info gi;
    ck_assert_int_eq(dnsfw_policy_get_group(p, 0, &gi), DNSFW_OK);
    ck_assert_uint_eq(gi.n_rules, 3);
    dnsfw_policy_free(p);
}
END_TEST

/* What the builder makes compiles and evaluates (the evaluation itself: test_eval). */
START_TEST(builder_compiles)
{
    dnsfw_policy *p = new_policy();
    uint32_t l, g;
    ck_assert_int_eq(dnsfw_policy_add_list(p, "l", &l), DNSFW_OK);
    ck_assert_int_eq(dnsfw_policy_add_spec(p, l, "*.example.com", 13, NULL), DNSFW_OK);
    ck_assert_int_eq(dnsfw_policy_add_group(p, "g", 100, &g), DNSFW_OK);
    dnsfw_rule_def d = {.name = "r",
                        .priority = 1,
                        .action = DNSFW_ACTION_BLOCK,
                        .domain_list = l,
                        .block_response = DNSFW_RESPONSE_NXDOMAIN};
    ck_assert_int_eq(dnsfw_policy_add_rule(p, g, &d, NULL), DNSFW_OK);
    dnsfw_matcher *m = NULL;
    ck_assert_int_eq(dnsfw_compile(p, &m), DNSFW_OK);
    dnsfw_policy_free(p);
    dnsfw_verdict v;
    ck_assert_int_eq(dnsfw_eval(m, "www.example.com", 15, 1, DNSFW_SCOPE_ALL, &v), DNSFW_OK);
    ck_assert_int_eq(v.action, DNSFW_ACTION_BLOCK);
    ck_assert_int_eq(v.block_response, DNSFW_RESPONSE_NXDOMAIN);
    ck_assert_int_eq(dnsfw_eval(m, "example.com", 11, 1, DNSFW_SCOPE_ALL, &v), DNSFW_OK);
    ck_assert_int_eq(v.action, DNSFW_ACTION_NONE);
    dnsfw_matcher_free(m);
    ck_assert_int_eq(dnsfw_compile(NULL, &m), DNSFW_EINVAL);
    dnsfw_matcher_free(NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tcase_create("builder");
    tcase_add_test(tc, empty_policy);
    tcase_add_loop_test(tc, add_list_names, 0, (int)N_ELEMS(list_names));
    tcase_add_test(tc, add_list_errors);
    tcase_add_test(tc, add_spec);
    tcase_add_test(tc, add_group);
    tcase_add_loop_test(tc, add_rule_table, 0, (int)N_ELEMS(rules));
    tcase_add_test(tc, rule_order_and_copies);
    tcase_add_test(tc, fail_open_and_mode);
    tcase_add_test(tc, builder_compiles);
    suite_add_tcase(s, tc);
    tc = tcase_create("default");
    tcase_add_test(tc, default_policy);
    tcase_add_test(tc, tiered_refuses_builder);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
