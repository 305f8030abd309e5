/*
 * Model-based test of dnsfw_matcher_shadows(): on random policies (tests/model/gen.h),
 * every (rule, entry) pair is judged again by brute force with the naive reference
 * evaluator (reference.c), which shares no code with the trie:
 *
 *   - the entry is shadowed when every query it matches under its rule is decided by an
 *     earlier rule. The reference evaluates witness queries the entry matches: the name
 *     itself ("name"), "_.s", "x.s" and every other spec's name below s ("*.s"), single
 *     labels and every spec's name ("*"); with the rule's query type, or for a rule of no
 *     type with every type the policy names and 1 and 65535. Shadowed means every witness
 *     is decided by an earlier rule; the library's by_rule must be the rule that decides
 *     the entry's hardest witness ("_.s", "_", the name);
 *   - no witness is a valid name: the entry matches nothing (by_rule DNSFW_NONE);
 *   - redundant (by_rule == rule) is checked by text: another spec of the list is "*" or
 *     "*.a" with a at or above the entry's name;
 *   - a whole rule is reported exactly when all its entries are shadowed.
 *
 * Environment: DNSFW_MODEL_SEED, DNSFW_SHADOW_POLICIES (per form, default 1000),
 * DNSFW_TEST_QUICK (a tenth; also under valgrind).
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "policy.h"
#include "reference.h"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

static uint64_t seed = 0x7368616430303031ull;
static unsigned n_policies = 1000;

struct report {
    uint32_t rule;
    uint32_t list;
    char entry[DNSFW_SPEC_MAX + 3]; /* "" for a whole rule */
    uint32_t by_rule;
};

struct reports {
    struct report *v;
    size_t n, cap;
};

static int collect(void *ud, const dnsfw_shadow *s)
{
    struct reports *r = ud;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
        ck_assert_ptr_nonnull(r->v);
    }
    struct report *o = &r->v[r->n++];
    o->rule = s->rule;
    o->list = s->domain_list;
    snprintf(o->entry, sizeof o->entry, "%s", s->entry ? s->entry : "");
    o->by_rule = s->by_rule;
    return 0;
}

static const struct report *find(const struct reports *r, uint32_t rule, uint32_t list,
                                 const char *entry)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].rule == rule && r->v[i].list == list && !strcmp(r->v[i].entry, entry))
            return &r->v[i];
    return NULL;
}

/* Is name (dotted, no trailing dot) strictly below / at or below suffix? */
static bool below(const char *name, const char *suffix, bool or_equal)
{
    size_t n = strlen(name), s = strlen(suffix);
    if (n == s)
        return or_equal && !strcmp(name, suffix);
    return n > s && name[n - s - 1] == '.' && !strcmp(name + n - s, suffix);
}

/* Does spec cover every name entry matches (text only)? */
static bool covers(const char *spec, const char *entry)
{
    if (!strcmp(spec, "*"))
        return true;
    if (!strcmp(entry, "*") || strncmp(spec, "*.", 2) != 0)
        return false;
    if (!strncmp(entry, "*.", 2))
        return below(entry + 2, spec + 2, true);
    return below(entry, spec + 2, false);
}

struct witness {
    char name[300];
    uint16_t type;
};

/* The rank that decides a witness, DNSFW_NONE when none, UINT32_MAX - 1 when invalid. */
static uint32_t decide(const struct ref_policy *rp, const char *name, uint16_t type, uint32_t scope)
{
    struct ref_verdict v;
    if (ref_eval(rp, name, strlen(name), type, scope, &v) != 0)
        return UINT32_MAX - 1;
    return v.rule;
}

static void check_policy(const char *json, uint32_t scope_count_hint)
{
    (void)scope_count_hint;
    dnsfw_policy *p = NULL;
    dnsfw_error err;
    ck_assert_msg(dnsfw_policy_from_json(&p, json, strlen(json), "gen.json", NULL, &err) == 0,
                  "load: %s\n%s", err.message, json);
    dnsfw_matcher *m = NULL;
    ck_assert_int_eq(dnsfw_compile(p, &m), DNSFW_OK);
    struct ref_policy *rp = ref_policy_new(p);
    ck_assert_ptr_nonnull(rp);

    /* The query types the policy names, plus 1 and 65535. */
    uint16_t types[64];
    size_t n_types = 0;
    types[n_types++] = 1;
    types[n_types++] = 65535;
    uint32_t n_rules = dnsfw_matcher_rule_count(m);
    for (uint32_t r = 0; r < n_rules && n_types < 64; r++) {
        dnsfw_rule_info ri;
        ck_assert_int_eq(dnsfw_matcher_rule(m, r, 0, &ri), DNSFW_OK);
        if (ri.qtype)
            types[n_types++] = ri.qtype;
    }

    for (uint32_t scope = 0; scope <= p->n_scopes; scope++) {
        struct reports rep = {0};
        ck_assert_int_eq(dnsfw_matcher_shadows(m, scope, collect, &rep), DNSFW_OK);
        for (uint32_t r = 0; r < n_rules; r++) {
            dnsfw_rule_info ri;
            ck_assert_int_eq(dnsfw_matcher_rule(m, r, scope, &ri), DNSFW_OK);
            const struct strtab *specs = &p->lists[ri.domain_list].specs;
            bool all_shadowed = true;
            for (size_t i = 0; i < specs->count; i++) {
                const char *e = dnsfw__strtab_get(specs, i);
                /* witnesses: the hardest one first */
                static struct witness w[512];
                size_t nw = 0;
                const char *base = !strcmp(e, "*") ? "" : !strncmp(e, "*.", 2) ? e + 2 : e;
                if (!strcmp(e, "*")) {
                    snprintf(w[nw++].name, sizeof w[0].name, "_");
                    snprintf(w[nw++].name, sizeof w[0].name, "com");
                    snprintf(w[nw++].name, sizeof w[0].name, ".");
                } else if (base != e) {
                    snprintf(w[nw++].name, sizeof w[0].name, "_.%s", base);
                    snprintf(w[nw++].name, sizeof w[0].name, "x.%s", base);
                } else {
                    snprintf(w[nw++].name, sizeof w[0].name, "%s", e);
                }
                for (uint32_t l = 0; l < p->n_lists && base != e; l++) /* other names below */
                    for (size_t k = 0; k < p->lists[l].specs.count && nw + 2 < 512; k++) {
                        const char *o = dnsfw__strtab_get(&p->lists[l].specs, k);
                        const char *ob = !strncmp(o, "*.", 2) ? o + 2 : o;
                        if (!strcmp(o, "*") || (base[0] && !below(ob, base, false)))
                            continue;
                        snprintf(w[nw++].name, sizeof w[0].name, "%s", ob);
                        snprintf(w[nw++].name, sizeof w[0].name, "_.%s", ob);
                    }
                bool any_valid = false, shadowed = true;
                uint32_t hardest = DNSFW_NONE;
                bool hardest_set = false;
                for (size_t k = 0; k < nw; k++) {
                    for (size_t t = 0; t < (ri.qtype ? 1 : n_types); t++) {
                        uint16_t type = ri.qtype ? ri.qtype : types[t];
                        uint32_t d = decide(rp, w[k].name, type, scope);
                        if (d == UINT32_MAX - 1)
                            continue; /* not a valid name: longer than DNS allows */
                        any_valid = true;
                        ck_assert_msg(d != DNSFW_NONE && d <= r,
                                      "witness %s/%u of %s under rule %u decided by %u\n%s",
                                      w[k].name, type, e, r, d, json);
                        if (d == r)
                            shadowed = false;
                        if (!hardest_set && k == 0 && (ri.qtype || type == 65535)) {
                            hardest = d;
                            hardest_set = true;
                        }
                    }
                }
                const struct report *got = find(&rep, r, ri.domain_list, e);
                bool redundant = false;
                for (size_t k = 0; k < specs->count && !redundant; k++)
                    redundant = k != i && covers(dnsfw__strtab_get(specs, k), e);
                if (!any_valid) {
                    ck_assert_msg(got && got->by_rule == DNSFW_NONE,
                                  "entry %s of rule %u matches no name: expected by_rule NONE\n%s",
                                  e, r, json);
                } else if (shadowed) {
                    ck_assert_msg(got && got->by_rule == hardest,
                                  "entry %s of rule %u (scope %u) is shadowed by rule %u; library "
                                  "says %d\n%s",
                                  e, r, scope, hardest, got ? (int)got->by_rule : -1, json);
                } else if (redundant) {
                    ck_assert_msg(got && got->by_rule == r,
                                  "entry %s of rule %u is redundant; library says %d\n%s", e, r,
                                  got ? (int)got->by_rule : -1, json);
                } else {
                    ck_assert_msg(!got, "entry %s of rule %u decides %s; library says by %u\n%s", e,
                                  r, w[0].name, got ? got->by_rule : 0, json);
                }
                all_shadowed &= !any_valid || shadowed;
            }
            const struct report *whole = find(&rep, r, ri.domain_list, "");
            ck_assert_msg(!!whole == all_shadowed, "rule %u whole-rule report %d, expected %d\n%s",
                          r, !!whole, all_shadowed, json);
        }
        free(rep.v);
    }
    ref_policy_free(rp);
    dnsfw_matcher_free(m);
    dnsfw_policy_free(p);
}

static void random_form(bool tiered, int batch)
{
    unsigned per_batch = n_policies / 10 + 1;
    for (unsigned i = 0; i < per_batch; i++) {
        struct gen_src g;
        uint64_t s =
            seed ^ (tiered ? 0x7469ull : 0x6765ull) ^ ((uint64_t)(batch * per_batch + i) << 20);
        gen_seed(&g, gen_mix(&s));
        static struct gen_policy gp;
        gen_policy(&g, &gp, tiered);
        struct gen_buf b = {0};
        gen_json(&gp, &b);
        check_policy(b.p, 0);
        gb_free(&b);
    }
}

START_TEST(test_random_general)
{
    random_form(false, _i);
}
END_TEST

START_TEST(test_random_tiered)
{
    random_form(true, _i);
}
END_TEST

/* Hand-made cases with known answers. */
START_TEST(test_fixed)
{
    const char *json =
        "{\"dnsfw\":1,\"domain_lists\":{\"a\":[\"*.example.com\",\"x.example.com\"],"
        "\"b\":[\"www.example.com\",\"*.x.example.com\",\"other.org\"],\"all\":[\"*\"],"
        "\"t\":[\"*.example.com\"]},\"rule_groups\":[{\"name\":\"g\",\"priority\":1,\"rules\":["
        "{\"name\":\"aaaa\",\"priority\":1,\"action\":\"BLOCK\",\"block_response\":\"NODATA\","
        "\"domain_list\":\"t\",\"qtype\":\"AAAA\"},"
        "{\"name\":\"allow\",\"priority\":2,\"action\":\"ALLOW\",\"domain_list\":\"a\"},"
        "{\"name\":\"late\",\"priority\":3,\"action\":\"ALERT\",\"domain_list\":\"b\"},"
        "{\"name\":\"aaaa2\",\"priority\":4,\"action\":\"ALERT\",\"domain_list\":\"t\","
        "\"qtype\":\"AAAA\"},"
        "{\"name\":\"rest\",\"priority\":5,\"action\":\"BLOCK\",\"block_response\":\"NODATA\","
        "\"domain_list\":\"all\"}]}]}";
    check_policy(json, 0);
    dnsfw_policy *p;
    dnsfw_matcher *m;
    ck_assert_int_eq(dnsfw_policy_from_json(&p, json, strlen(json), "f", NULL, NULL), 0);
    ck_assert_int_eq(dnsfw_compile(p, &m), 0);
    struct reports rep = {0};
    ck_assert_int_eq(dnsfw_matcher_shadows(m, 0, collect, &rep), 0);
    /* www.example.com and *.x.example.com: shadowed by rule "allow" (rank 1); other.org not */
    const struct report *r = find(&rep, 2, 1, "www.example.com");
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->by_rule, 1);
    ck_assert_ptr_nonnull(find(&rep, 2, 1, "*.x.example.com"));
    ck_assert_ptr_null(find(&rep, 2, 1, "other.org"));
    ck_assert_ptr_null(find(&rep, 2, 1, "")); /* the rule still decides other.org */
    /* x.example.com is redundant in its own list */
    r = find(&rep, 1, 0, "x.example.com");
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->by_rule, 1);
    /* The AAAA-only rule 1 shadows the later AAAA rule (same type), not "allow" (any type) */
    r = find(&rep, 3, 3, "*.example.com");
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->by_rule, 0);
    ck_assert_ptr_nonnull(find(&rep, 3, 3, ""));
    ck_assert_ptr_null(find(&rep, 1, 0, "*.example.com"));
    free(rep.v);
    dnsfw_matcher_free(m);
    dnsfw_policy_free(p);
}
END_TEST

/* Specs longer than any name they could match: 254 characters, and "*." + 252. */
START_TEST(test_unmatchable)
{
    char label[64], base[300] = "", json[2048];
    memset(label, 'a', 62);
    label[62] = '\0';
    snprintf(base, sizeof base, "%s.%s.%s.%s", label, label, label, label); /* 251 */
    snprintf(json, sizeof json,
             "{\"dnsfw\":1,\"domain_lists\":{\"l\":[\"abc.%s\",\"*.b.%s\",\"*.%s\","
             "\"ab.%s\"]},\"rule_groups\":[{\"name\":\"g\",\"priority\":1,\"rules\":["
             "{\"name\":\"r\",\"priority\":1,\"action\":\"ALLOW\",\"domain_list\":\"l\"}]}]}",
             base, base, base, base);
    check_policy(json, 0);
    dnsfw_policy *p;
    dnsfw_matcher *m;
    ck_assert_int_eq(dnsfw_policy_from_json(&p, json, strlen(json), "f", NULL, NULL), 0);
    ck_assert_int_eq(dnsfw_compile(p, &m), 0);
    struct reports rep = {0};
    ck_assert_int_eq(dnsfw_matcher_shadows(m, 0, collect, &rep), 0);
    char e[320];
    snprintf(e, sizeof e, "abc.%s", base); /* 255 characters: no name is that long */
    const struct report *r = find(&rep, 0, 0, e);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->by_rule, DNSFW_NONE);
    snprintf(e, sizeof e, "*.b.%s", base); /* a name below needs 255 characters */
    ck_assert_ptr_nonnull(find(&rep, 0, 0, e));
    snprintf(e, sizeof e, "*.%s", base); /* "x." + 251 = 253: matchable */
    ck_assert_ptr_null(find(&rep, 0, 0, e));
    snprintf(e, sizeof e, "ab.%s", base); /* 254 characters */
    ck_assert_ptr_nonnull(find(&rep, 0, 0, e));
    free(rep.v);
    dnsfw_matcher_free(m);
    dnsfw_policy_free(p);
}
END_TEST

int main(void)
{
    const char *s = getenv("DNSFW_MODEL_SEED");
    if (s && *s)
        seed = strtoull(s, NULL, 0);
    const char *n = getenv("DNSFW_SHADOW_POLICIES");
    if (n && *n)
        n_policies = (unsigned)strtoul(n, NULL, 0);
    if (getenv("DNSFW_TEST_QUICK") || RUNNING_ON_VALGRIND) /* valgrind: some 50 times slower */
        n_policies /= 10;
    fprintf(stderr, "# DNSFW_MODEL_SEED=0x%016" PRIx64 " DNSFW_SHADOW_POLICIES=%u\n", seed,
            n_policies);
    Suite *su = suite_create("shadow");
    TCase *tc = tcase_create("shadow");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_fixed);
    tcase_add_test(tc, test_unmatchable);
    tcase_add_loop_test(tc, test_random_general, 0, 10);
    tcase_add_loop_test(tc, test_random_tiered, 0, 10);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
