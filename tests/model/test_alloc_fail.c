/*
 * Allocation failure: make the Nth allocation fail, for N = 1, 2, ... until the call
 * succeeds without a failure, and check that every call either succeeds completely or
 * returns a clean DNSFW_ENOMEM: no crash, no partial result, nothing leaked.
 *
 * How: this executable is linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,
 * --wrap=free (tests/model/meson.build), so every allocation in the statically linked
 * library copy (dnsfw_internal) goes through the __wrap_* functions below. They count
 * the allocations made while "armed" (only around the library call under test, so
 * Check's own allocations never count), refuse the chosen one, and keep the set of
 * blocks allocated while armed and not yet freed: after a failed call, and after a
 * successful call's result is freed, that set must be empty. So leaks show up even
 * without valgrind or ASan (which, running the test too, would report them as well).
 *
 * cJSON is a separate shared object: its internal malloc calls are not wrapped. The
 * first pass leaves it alone (only the library's own allocations fail). A second pass
 * routes cJSON through cJSON_InitHooks() as well. cJSON_Parse() reports every failure
 * as NULL, out of memory included; the loader tells the two apart by parsing the text
 * again (a valid text parses the second time), so that pass too must see ENOMEM and
 * never EPARSE.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsfw/dnsfw.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);

/* --- the failing allocator --------------------------------------------------------- */

#define LIVE_MAX 100000

static struct {
    bool armed;
    unsigned long count;   /* allocations requested while armed */
    unsigned long fail_at; /* refuse allocation number fail_at (1-based); 0 = none */
    bool failed;           /* one was refused */
    bool failed_in_cjson;  /* ... and it was one of cJSON's (hooked pass) */
    void *live[LIVE_MAX];  /* blocks allocated while armed, not yet freed */
    size_t n_live;
    bool overflow;
} af;

static bool refuse(bool cjson)
{
    if (!af.armed)
        return false;
    if (++af.count != af.fail_at)
        return false;
    af.failed = true;
    af.failed_in_cjson = cjson;
    return true;
}

static void track(void *p)
{
    if (!p || !af.armed)
        return;
    if (af.n_live == LIVE_MAX) {
        af.overflow = true;
        return;
    }
    af.live[af.n_live++] = p;
}

static bool untrack(void *p)
{
    for (size_t i = af.n_live; i-- > 0;) {
        if (af.live[i] == p) {
            af.live[i] = af.live[--af.n_live];
            return true;
        }
    }
    return false;
}

void *__wrap_malloc(size_t size)
{
    if (refuse(false))
        return NULL;
    void *p = __real_malloc(size);
    track(p);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (refuse(false))
        return NULL;
    void *p = __real_calloc(n, size);
    track(p);
    return p;
}

void *__wrap_realloc(void *old, size_t size)
{
    if (refuse(false))
        return NULL; /* old stays valid, as realloc promises */
    void *p = __real_realloc(old, size);
    if (p) {
        bool was = old && untrack(old);
        if (was || af.armed) {
            bool armed = af.armed;
            af.armed = true; /* a block that was tracked stays tracked */
            track(p);
            af.armed = armed;
        }
    }
    return p;
}

void __wrap_free(void *p)
{
    if (p)
        untrack(p);
    __real_free(p);
}

/* cJSON's hooks for the second pass. */
static void *cjson_malloc(size_t size)
{
    if (refuse(true))
        return NULL;
    void *p = __real_malloc(size);
    track(p);
    return p;
}

static void cjson_free(void *p)
{
    __wrap_free(p);
}

static void arm(unsigned long fail_at)
{
    af.count = 0;
    af.fail_at = fail_at;
    af.failed = af.failed_in_cjson = false;
    af.armed = true;
}

static void disarm(void)
{
    af.armed = false;
}

/* Start a test with an empty block set: without fork, a failed test leaves its leaks. */
static void begin(void)
{
    af.n_live = 0;
    af.overflow = false;
}

/* --- inputs -------------------------------------------------------------------------- */

static const char general_json[] =
    "{\"dnsfw\": 1, \"fail_open\": true,\n"
    " \"domain_lists\": {\n"
    "  \"allowed\": [\"pypi.org\", \"*.pythonhosted.org\", \"Example.COM.\", \"a.b.c.d.e.f\",\n"
    "              \"www.example.com\", \"*.www.example.com\", \"x.y\", \"PyPI.org\"],\n"
    "  \"big\": [\"a1.example.net\", \"a2.example.net\", \"a3.example.net\", \"a4.example.net\",\n"
    "          \"a5.example.net\", \"a6.example.net\", \"a7.example.net\", \"a8.example.net\",\n"
    "          \"a9.example.net\", \"b1.example.net\", \"b2.example.net\", \"b3.example.net\",\n"
    "          \"b4.example.net\", \"b5.example.net\", \"b6.example.net\", \"b7.example.net\",\n"
    "          \"b8.example.net\", \"b9.example.net\", \"*.c.example.net\", \"*.d.example.org\"],\n"
    "  \"all\": [\"*\"],\n"
    "  \"empty\": []},\n"
    " \"rule_groups\": [\n"
    "  {\"name\": \"egress\", \"priority\": 1000, \"rules\": [\n"
    "    {\"name\": \"allow\", \"priority\": 100, \"action\": \"ALLOW\", \"domain_list\": "
    "\"allowed\",\n"
    "     \"redirection\": \"TRUST_REDIRECTION_DOMAIN\"},\n"
    "    {\"name\": \"aaaa-off\", \"priority\": 150, \"action\": \"BLOCK\", \"domain_list\": "
    "\"all\",\n"
    "     \"qtype\": \"AAAA\", \"block_response\": \"NXDOMAIN\"},\n"
    "    {\"name\": \"big\", \"priority\": 200, \"action\": \"ALERT\", \"domain_list\": \"big\",\n"
    "     \"qtype\": \"TYPE65\"},\n"
    "    {\"name\": \"rest\", \"priority\": 300, \"action\": \"BLOCK\", \"domain_list\": \"all\",\n"
    "     \"block_response\": \"OVERRIDE\",\n"
    "     \"block_override\": {\"domain\": \"sinkhole.example.\", \"ttl\": 60}}]},\n"
    "  {\"name\": \"first\", \"priority\": 10, \"rules\": [\n"
    "    {\"name\": \"empty\", \"priority\": 1, \"action\": \"BLOCK\", \"domain_list\": "
    "\"empty\",\n"
    "     \"block_response\": \"NODATA\"}]}]}\n";

static const char tiered_json[] =
    "{\"dnsfw\": 1, \"mode\": \"enforce\", \"block_response\": \"OVERRIDE\",\n"
    " \"block_override\": {\"domain\": \"walled.example\", \"ttl\": 5},\n"
    " \"baseline\": [\"github.com\", \"api.github.com\", \"*.githubusercontent.com\"],\n"
    " \"blueprints\": [\n"
    "  {\"repo\": \"org/a\", \"egress_allowlist\": [\"pypi.org\", \"*.internal.example\", "
    "\"x.y\"]},\n"
    "  {\"repo\": \"org/b\", \"egress_allowlist\": [\"PYPI.org.\", \"npm.example\"]},\n"
    "  {\"repo\": \"org/c\", \"egress_allowlist\": []},\n"
    "  {\"repo\": \"org/d\"}]}\n";

/* The built-in baseline, observe mode. */
static const char default_json[] = "{\"dnsfw\": 1, \"blueprints\": [{\"repo\": \"r\", "
                                   "\"egress_allowlist\": [\"a.example\"]}]}";

static const char *const policies[] = {general_json, tiered_json, default_json};
#define N_POLICIES (sizeof policies / sizeof policies[0])

static const char *const queries[] = {
    "pypi.org",
    "x.pythonhosted.org",
    "example.com",
    "a.www.example.com",
    "a5.example.net",
    "q.c.example.net",
    "github.com",
    "x.githubusercontent.com",
    "x.internal.example",
    "npm.example",
    "a.example",
    "other.test",
    ".",
    "placeholder.invalid",
    "x.y",
};
#define N_QUERIES (sizeof queries / sizeof queries[0])

/* --- helpers ------------------------------------------------------------------------- */

struct sink {
    char *p;
    size_t len, cap;
};

static int sink_write(void *ud, const char *data, size_t len)
{
    struct sink *s = ud;
    if (s->len + len + 1 > s->cap) {
        size_t cap = (s->len + len + 1) * 2;
        char *np = __real_realloc(s->p, cap); /* the test's own memory: never refused */
        if (!np)
            return -1;
        s->p = np;
        s->cap = cap;
    }
    memcpy(s->p + s->len, data, len);
    s->len += len;
    s->p[s->len] = '\0';
    return 0;
}

static char *dump(const dnsfw_policy *p)
{
    struct sink s = {0};
    ck_assert_int_eq(dnsfw_policy_dump_json(p, sink_write, &s), DNSFW_OK);
    return s.p;
}

static dnsfw_policy *load(size_t i)
{
    dnsfw_policy *p;
    dnsfw_error err;
    int rc = dnsfw_policy_from_json(&p, policies[i], strlen(policies[i]), "p", NULL, &err);
    ck_assert_msg(rc == DNSFW_OK, "%s", err.message);
    return p;
}

/* Verdicts of every query in every scope, as one comparable string. */
static char *answers(const dnsfw_matcher *m, uint32_t n_scopes)
{
    struct sink s = {0};
    for (uint32_t sc = 0; sc <= n_scopes; sc++) {
        for (size_t i = 0; i < N_QUERIES; i++) {
            for (uint16_t qt = 1; qt <= 65; qt += 27) { /* 1, 28, 55: A, AAAA, other */
                dnsfw_verdict v;
                dnsfw_explanation e;
                char line[600];
                ck_assert_int_eq(dnsfw_eval(m, queries[i], strlen(queries[i]), qt, sc, &v),
                                 DNSFW_OK);
                ck_assert_int_eq(dnsfw_explain(m, &v, sc, &e), DNSFW_OK);
                snprintf(line, sizeof line, "%u %s %u %d %d %s %u %s %s\n", sc, queries[i], qt,
                         (int)v.action, (int)v.block_response, e.rule_group ? e.rule_group : "-",
                         e.rule_priority, e.domain_list ? e.domain_list : "-", e.entry);
                sink_write(&s, line, strlen(line));
            }
        }
    }
    return s.p;
}

static void assert_no_live(const char *what, unsigned long n)
{
    ck_assert_msg(!af.overflow, "tracking overflow");
    ck_assert_msg(af.n_live == 0, "%s, allocation %lu refused: %zu blocks leaked", what, n,
                  af.n_live);
}

/* Allowed outcomes of a call in which allocation n was refused. */
static void assert_status(const char *what, unsigned long n, int rc)
{
    if (!af.failed) {
        ck_assert_msg(rc == DNSFW_OK, "%s: %s without any refused allocation", what,
                      dnsfw_strerror(rc));
        return;
    }
    bool ok = rc == DNSFW_OK || rc == DNSFW_ENOMEM;
    ck_assert_msg(ok, "%s, allocation %lu refused%s: %s (%d)", what, n,
                  af.failed_in_cjson ? " (in cJSON)" : "", dnsfw_strerror(rc), rc);
}

#define MAX_N 200000 /* a bound that a healthy loop never reaches */

/* --- the tests ----------------------------------------------------------------------- */

static void from_json_loop(size_t i)
{
    begin();
    dnsfw_policy *ref = load(i);
    char *want = dump(ref);
    dnsfw_policy_free(ref);
    unsigned long n;
    for (n = 1; n < MAX_N; n++) {
        dnsfw_policy *p = (dnsfw_policy *)&n; /* must be reset to NULL on failure */
        dnsfw_error err;
        arm(n);
        int rc = dnsfw_policy_from_json(&p, policies[i], strlen(policies[i]), "p", NULL, &err);
        disarm();
        assert_status("dnsfw_policy_from_json", n, rc);
        if (rc) {
            ck_assert_msg(p == NULL, "no policy may come back with an error");
            ck_assert_msg(err.status == rc && err.message[0],
                          "allocation %lu refused: dnsfw_error not filled (status %d, \"%s\")", n,
                          err.status, err.message);
            assert_no_live("dnsfw_policy_from_json failed", n);
        } else {
            char *got = dump(p); /* a success, even after a refusal, is a whole policy */
            ck_assert_str_eq(got, want);
            __real_free(got);
            dnsfw_policy_free(p);
            assert_no_live("dnsfw_policy_from_json, then dnsfw_policy_free", n);
        }
        if (!af.failed)
            break;
    }
    ck_assert_uint_lt(n, MAX_N);
    fprintf(stderr, "# dnsfw_policy_from_json, policy %zu: %lu allocations\n", i, af.count);
    __real_free(want);
}

static void compile_loop(size_t i)
{
    begin();
    dnsfw_policy *p = load(i);
    dnsfw_policy_info info;
    dnsfw_policy_get_info(p, &info);
    dnsfw_matcher *ref;
    ck_assert_int_eq(dnsfw_compile(p, &ref), DNSFW_OK);
    char *want = answers(ref, info.n_scopes);
    dnsfw_matcher_free(ref);
    unsigned long n;
    for (n = 1; n < MAX_N; n++) {
        dnsfw_matcher *m = (dnsfw_matcher *)&n;
        arm(n);
        int rc = dnsfw_compile(p, &m);
        disarm();
        assert_status("dnsfw_compile", n, rc);
        if (rc) {
            ck_assert_msg(m == NULL, "no matcher may come back with an error");
            assert_no_live("dnsfw_compile failed", n);
        } else {
            char *got = answers(m, info.n_scopes);
            ck_assert_str_eq(got, want);
            __real_free(got);
            dnsfw_matcher_free(m);
            assert_no_live("dnsfw_compile, then dnsfw_matcher_free", n);
        }
        if (!af.failed)
            break;
    }
    ck_assert_uint_lt(n, MAX_N);
    fprintf(stderr, "# dnsfw_compile, policy %zu: %lu allocations\n", i, af.count);
    __real_free(want);
    dnsfw_policy_free(p);
}

static void dump_loop(size_t i)
{
    begin();
    dnsfw_policy *p = load(i);
    char *want = dump(p);
    unsigned long n;
    for (n = 1; n < MAX_N; n++) {
        struct sink s = {0};
        arm(n);
        int rc = dnsfw_policy_dump_json(p, sink_write, &s);
        disarm();
        assert_status("dnsfw_policy_dump_json", n, rc);
        if (rc == DNSFW_OK)
            ck_assert_str_eq(s.p, want);
        else
            ck_assert_msg(s.len == 0, "a failed dump wrote %zu bytes", s.len);
        __real_free(s.p);
        assert_no_live("dnsfw_policy_dump_json", n);
        if (!af.failed)
            break;
    }
    ck_assert_uint_lt(n, MAX_N);
    fprintf(stderr, "# dnsfw_policy_dump_json, policy %zu: %lu allocations\n", i, af.count);
    __real_free(want);
    dnsfw_policy_free(p);
}

/* The builder: a refused allocation fails one call; the policy stays whole and freeable. */
static int build_steps(dnsfw_policy *p)
{
    static const char *const specs[] = {"a.example", "*.b.example", "*", "C.example.", "a.example"};
    uint32_t l0, l1, g;
    int rc;
    if ((rc = dnsfw_policy_add_list(p, "one", &l0)) || (rc = dnsfw_policy_add_list(p, "two", &l1)))
        return rc;
    for (size_t i = 0; i < 40; i++) {
        char s[32];
        snprintf(s, sizeof s, "n%zu.example", i);
        if ((rc = dnsfw_policy_add_spec(p, i % 2 ? l0 : l1, s, strlen(s), NULL)))
            return rc;
    }
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        if ((rc = dnsfw_policy_add_spec(p, l0, specs[i], strlen(specs[i]), NULL)))
            return rc;
    if ((rc = dnsfw_policy_add_group(p, "grp", 7, &g)))
        return rc;
    for (uint32_t r = 0; r < 12; r++) {
        dnsfw_rule_def d = {.name = "r",
                            .priority = 100 - r,
                            .action = DNSFW_ACTION_ALLOW,
                            .domain_list = r % 2 ? l0 : l1};
        if (r == 5) {
            d.action = DNSFW_ACTION_BLOCK;
            d.block_response = DNSFW_RESPONSE_OVERRIDE;
            d.override_domain = "sink.example";
        }
        if ((rc = dnsfw_policy_add_rule(p, g, &d, NULL)))
            return rc;
    }
    return DNSFW_OK;
}

START_TEST(test_builder)
{
    begin();
    dnsfw_policy *ref;
    ck_assert_int_eq(dnsfw_policy_new(&ref), DNSFW_OK);
    ck_assert_int_eq(build_steps(ref), DNSFW_OK);
    char *want = dump(ref);
    dnsfw_policy_free(ref);
    unsigned long n;
    for (n = 1; n < MAX_N; n++) {
        dnsfw_policy *p = NULL;
        arm(n);
        int rc = dnsfw_policy_new(&p);
        if (rc == DNSFW_OK)
            rc = build_steps(p);
        disarm();
        assert_status("the builder", n, rc);
        if (rc == DNSFW_OK) {
            char *got = dump(p);
            ck_assert_str_eq(got, want);
            __real_free(got);
        } else if (p) {
            /* the policy must still be usable: dump and compile it */
            char *got = dump(p);
            dnsfw_matcher *m;
            ck_assert_int_eq(dnsfw_compile(p, &m), DNSFW_OK);
            dnsfw_matcher_free(m);
            __real_free(got);
        }
        dnsfw_policy_free(p);
        assert_no_live("the builder, then dnsfw_policy_free", n);
        if (!af.failed)
            break;
    }
    ck_assert_uint_lt(n, MAX_N);
    __real_free(want);
}
END_TEST

START_TEST(test_new_default)
{
    begin();
    unsigned long n;
    for (n = 1; n < MAX_N; n++) {
        dnsfw_policy *p = (dnsfw_policy *)&n;
        arm(n);
        int rc = dnsfw_policy_new_default(&p);
        disarm();
        assert_status("dnsfw_policy_new_default", n, rc);
        if (rc)
            ck_assert_msg(p == NULL, "no policy may come back with an error");
        dnsfw_policy_free(rc ? NULL : p);
        assert_no_live("dnsfw_policy_new_default", n);
        if (!af.failed)
            break;
    }
    ck_assert_uint_lt(n, MAX_N);
}
END_TEST

START_TEST(test_from_json)
{
    from_json_loop((size_t)_i);
}
END_TEST

START_TEST(test_compile)
{
    compile_loop((size_t)_i);
}
END_TEST

START_TEST(test_dump)
{
    dump_loop((size_t)_i);
}
END_TEST

/* The same with cJSON's allocations refused too. */
static void hook_cjson(void)
{
    cJSON_Hooks h = {.malloc_fn = cjson_malloc, .free_fn = cjson_free};
    cJSON_InitHooks(&h);
}

static void unhook_cjson(void)
{
    cJSON_InitHooks(NULL);
}

START_TEST(test_from_json_cjson)
{
    hook_cjson();
    from_json_loop((size_t)_i);
    unhook_cjson();
}
END_TEST

START_TEST(test_dump_cjson)
{
    hook_cjson();
    dump_loop((size_t)_i);
    unhook_cjson();
}
END_TEST

/* The wrapper itself: if --wrap were lost, nothing would ever fail and every loop above
 * would pass after one round. This shows the library's allocations are seen. */
START_TEST(test_wrap_active)
{
    dnsfw_policy *p = NULL;
    arm(1);
    int rc = dnsfw_policy_new(&p);
    disarm();
    ck_assert_msg(af.failed && rc == DNSFW_ENOMEM,
                  "the first allocation of dnsfw_policy_new was not refused: is --wrap active?");
    ck_assert_ptr_null(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("alloc_fail");
    TCase *tc = tcase_create("library allocations");
    tcase_set_timeout(tc, 600); /* only enforced when Check forks */
    tcase_add_test(tc, test_wrap_active);
    tcase_add_loop_test(tc, test_from_json, 0, N_POLICIES);
    tcase_add_loop_test(tc, test_compile, 0, N_POLICIES);
    tcase_add_loop_test(tc, test_dump, 0, N_POLICIES);
    tcase_add_test(tc, test_builder);
    tcase_add_test(tc, test_new_default);
    suite_add_tcase(s, tc);
    tc = tcase_create("cJSON allocations too");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_from_json_cjson, 0, N_POLICIES);
    tcase_add_loop_test(tc, test_dump_cjson, 0, N_POLICIES);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
