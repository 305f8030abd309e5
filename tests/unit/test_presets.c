/*
 * Presets (the tables built from data/presets), the policy-format extension that takes
 * them by name, where the loader says every spec, list, group and rule was written, and
 * the dump that writes presets back by name.
 */
#include <stdbool.h>
#include <unistd.h>

#include "unit.h"

/* The platform construct's pattern, spelled out. */
static bool construct_accepts(const char *s)
{
    if (!strncmp(s, "*.", 2))
        s += 2;
    for (;;) {
        size_t len = strcspn(s, ".");
        if (!len || s[0] == '-' || s[len - 1] == '-')
            return false;
        for (size_t i = 0; i < len; i++)
            if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
                return false;
        if (!s[len])
            return true;
        s += len + 1;
    }
}

START_TEST(test_tables)
{
    size_t n = dnsfw_preset_count();
    ck_assert_uint_ge(n, 17);
    const char *prev = "";
    for (size_t i = 0; i < n; i++) {
        dnsfw_preset_info pi;
        ck_assert_int_eq(dnsfw_preset_get(i, &pi), DNSFW_OK);
        ck_assert_msg(strcmp(prev, pi.name) < 0, "presets sorted and unique: %s", pi.name);
        prev = pi.name;
        size_t at;
        ck_assert_int_eq(dnsfw_preset_find(pi.name, &at), DNSFW_OK);
        ck_assert_uint_eq(at, i);
        ck_assert_uint_gt(pi.n_hosts, 0);
        for (size_t h = 0; h < pi.n_hosts; h++) {
            dnsfw_preset_host ph;
            char norm[DNSFW_SPEC_MAX + 1];
            ck_assert_int_eq(dnsfw_preset_get_host(i, h, &ph), DNSFW_OK);
            ck_assert_int_eq(
                dnsfw_spec_normalize(ph.spec, strlen(ph.spec), norm, sizeof norm, NULL), DNSFW_OK);
            ck_assert_str_eq(norm, ph.spec);
            ck_assert_msg(construct_accepts(ph.spec), "%s: %s", pi.name, ph.spec);
            ck_assert_msg(ph.source && ph.source[0], "%s: %s has no source", pi.name, ph.spec);
        }
        dnsfw_preset_host ph;
        ck_assert_int_eq(dnsfw_preset_get_host(i, pi.n_hosts, &ph), DNSFW_EINVAL);
    }
    size_t at;
    ck_assert_int_eq(dnsfw_preset_find("no-such-preset", &at), DNSFW_ENOTFOUND);
    ck_assert_int_eq(dnsfw_preset_find("go", &at), DNSFW_OK);
    dnsfw_preset_host ph;
    ck_assert_int_eq(dnsfw_preset_get_host(at, 0, &ph), DNSFW_OK);
    ck_assert_str_eq(ph.spec, "proxy.golang.org");
}
END_TEST

static const char *tiered_json =
    "{\n"
    "  \"dnsfw\": 1,\n"
    "  \"baseline\": [\"github.com\", \"API.GitHub.com.\"],\n"
    "  \"presets\": [\"go\"],\n"
    "  \"blueprints\": [\n"
    "    { \"repo\": \"org/a\", \"egress_allowlist\": [\"x.example\"],\n"
    "      \"presets\": [\"rust\"] },\n"
    "    { \"repo\": \"org/b\", \"egress_allowlist\": [\"x.example\"] }\n"
    "  ]\n"
    "}\n";

START_TEST(test_tiered_origins)
{
    dnsfw_policy *p = NULL;
    dnsfw_error err0;
    ck_assert_int_eq(
        dnsfw_policy_from_json(&p, tiered_json, strlen(tiered_json), "t.json", NULL, &err0),
        DNSFW_OK);
    /* baseline: 2 written + 2 go hosts */
    ck_assert_uint_eq(dnsfw_policy_list_size(p, 0), 4);
    ck_assert_uint_eq(dnsfw_policy_list_origins(p, 0), 4);
    dnsfw_spec_origin o;
    ck_assert_int_eq(dnsfw_policy_list_origin(p, 0, 1, &o), DNSFW_OK);
    ck_assert_str_eq(o.written, "API.GitHub.com.");
    ck_assert_str_eq(dnsfw_policy_list_spec(p, 0, o.spec), "api.github.com");
    ck_assert_str_eq(o.where.file, "t.json");
    ck_assert_uint_eq(o.where.line, 3);
    ck_assert_uint_eq(o.where.column, 30);
    ck_assert_ptr_null(o.preset);
    ck_assert_int_eq(dnsfw_policy_list_origin(p, 0, 2, &o), DNSFW_OK);
    ck_assert_str_eq(o.preset, "go");
    ck_assert_str_eq(o.written, "proxy.golang.org");
    ck_assert_uint_eq(o.where.line, 4); /* the preset's name */
    ck_assert_uint_eq(o.where.column, 15);
    /* the union: x.example from both repositories, then rust's hosts from org/a */
    size_t n = dnsfw_policy_list_origins(p, 1);
    ck_assert_uint_eq(n, 2 + 4);
    ck_assert_int_eq(dnsfw_policy_list_origin(p, 1, 0, &o), DNSFW_OK);
    ck_assert_str_eq(o.repo, "org/a");
    ck_assert_int_eq(dnsfw_policy_list_origin(p, 1, 5, &o), DNSFW_OK);
    ck_assert_str_eq(o.repo, "org/b");
    ck_assert_uint_eq(o.spec, 0); /* the same spec as org/a's */
    ck_assert_uint_eq(o.where.line, 8);
    ck_assert_int_eq(dnsfw_policy_list_origin(p, 1, 1, &o), DNSFW_OK);
    ck_assert_str_eq(o.preset, "rust");
    ck_assert_int_eq(dnsfw_policy_list_origin(p, 1, 6, &o), DNSFW_EINVAL);
    dnsfw_location w;
    ck_assert_int_eq(dnsfw_policy_list_location(p, 0, &w), DNSFW_OK);
    ck_assert_uint_eq(w.line, 3);
    ck_assert_uint_eq(w.column, 3);

    /* explanations name the preset, in the union and in a scope */
    dnsfw_matcher *m;
    ck_assert_int_eq(dnsfw_compile(p, &m), DNSFW_OK);
    dnsfw_verdict v;
    dnsfw_explanation e;
    ck_assert_int_eq(dnsfw_eval(m, "sum.golang.org", 14, 1, 0, &v), DNSFW_OK);
    ck_assert_int_eq(dnsfw_explain(m, &v, 0, &e), DNSFW_OK);
    ck_assert_str_eq(e.preset, "go");
    ck_assert_int_eq(dnsfw_eval(m, "github.com", 10, 1, 0, &v), DNSFW_OK);
    ck_assert_int_eq(dnsfw_explain(m, &v, 0, &e), DNSFW_OK);
    ck_assert_ptr_null(e.preset);
    uint32_t scope;
    ck_assert_int_eq(dnsfw_matcher_find_scope(m, "org/a", &scope), DNSFW_OK);
    ck_assert_int_eq(dnsfw_eval(m, "index.crates.io", 15, 1, scope, &v), DNSFW_OK);
    ck_assert_int_eq(dnsfw_explain(m, &v, scope, &e), DNSFW_OK);
    ck_assert_str_eq(e.preset, "rust");
    ck_assert_int_eq(dnsfw_eval(m, "index.crates.io", 15, 1, 0, &v), DNSFW_OK);
    ck_assert_int_eq(dnsfw_explain(m, &v, 0, &e), DNSFW_OK);
    ck_assert_str_eq(e.preset, "rust");
    dnsfw_matcher_free(m);
    dnsfw_policy_free(p);
}
END_TEST

static int to_buf(void *ud, const char *data, size_t len)
{
    char *b = ud;
    size_t have = strlen(b);
    if (have + len >= 65536)
        return -1;
    memcpy(b + have, data, len);
    b[have + len] = '\0';
    return 0;
}

START_TEST(test_dump_keeps_presets)
{
    dnsfw_policy *p = NULL;
    dnsfw_error err0;
    ck_assert_int_eq(
        dnsfw_policy_from_json(&p, tiered_json, strlen(tiered_json), "t.json", NULL, &err0),
        DNSFW_OK);
    static char dump[65536];
    dump[0] = '\0';
    ck_assert_int_eq(dnsfw_policy_dump_json(p, to_buf, dump), DNSFW_OK);
    ck_assert_msg(strstr(dump, "\"presets\":\t[\"go\"]") || strstr(dump, "\"presets\": [\"go\"]") ||
                      strstr(dump, "\"go\""),
                  "%s", dump);
    ck_assert_msg(!strstr(dump, "proxy.golang.org"), "preset hosts are not written out:\n%s", dump);
    ck_assert_msg(!strstr(dump, "index.crates.io"), "%s", dump);
    dnsfw_policy *q = unit_policy(dump);
    for (uint32_t l = 0; l < 3; l++) {
        ck_assert_uint_eq(dnsfw_policy_list_size(q, l), dnsfw_policy_list_size(p, l));
        for (size_t i = 0; i < dnsfw_policy_list_size(p, l); i++)
            ck_assert_str_eq(dnsfw_policy_list_spec(q, l, i), dnsfw_policy_list_spec(p, l, i));
    }
    dnsfw_policy_free(q);
    dnsfw_policy_free(p);
}
END_TEST

struct bad {
    const char *json;
    int status;
    uint32_t line, column;
    const char *words;
};

static const struct bad bad[] = {
    {"{\"dnsfw\":1,\"presets\":[\"gox\"]}", DNSFW_ENOTFOUND, 1, 23, "unknown preset \"gox\""},
    {"{\"dnsfw\":1,\"presets\":[\"go\",\"go\"]}", DNSFW_EDUPLICATE, 1, 28, "listed twice"},
    {"{\"dnsfw\":1,\"presets\":\"go\"}", DNSFW_ESCHEMA, 1, 22, "array of preset names"},
    {"{\"dnsfw\":1,\"presets\":[1]}", DNSFW_ESCHEMA, 1, 23, "must be a string"},
    {"{\"dnsfw\":1,\"blueprints\":[{\"repo\":\"a\",\"presets\":[\"nope\"]}]}", DNSFW_ENOTFOUND, 1,
     49, "blueprints[0].presets[0]"},
    {"{\"dnsfw\":1,\"domain_lists\":{\"l\":{\"presets\":[\"nope\"]}}}", DNSFW_ENOTFOUND, 1, 44,
     "domain_lists.l.presets[0]"},
    {"{\"dnsfw\":1,\"domain_lists\":{\"l\":{}}}", DNSFW_ESCHEMA, 1, 32, "\"file\""},
};

START_TEST(test_bad_presets)
{
    const struct bad *b = &bad[_i];
    dnsfw_policy *p = NULL;
    dnsfw_error err;
    ck_assert_int_eq(dnsfw_policy_from_json(&p, b->json, strlen(b->json), "b.json", NULL, &err),
                     b->status);
    ck_assert_ptr_null(p);
    ck_assert_msg(strstr(err.message, b->words), "%s", err.message);
    ck_assert_uint_eq(err.line, b->line);
    ck_assert_uint_eq(err.column, b->column);
}
END_TEST

START_TEST(test_general_origins)
{
    const char *json =
        "{\"dnsfw\":1,\n"
        " \"domain_lists\":{\"l\":{\"presets\":[\"alpine\"]},\n"
        "   \"m\":[\"a.example\"]},\n"
        " \"rule_groups\":[{\"name\":\"g\",\"priority\":101,\"rules\":[\n"
        "   {\"name\":\"r2\",\"priority\":2,\"action\":\"ALLOW\",\"domain_list\":\"m\"},\n"
        "   {\"name\":\"r1\",\"priority\":1,\"action\":\"ALLOW\",\"domain_list\":\"l\"}]}]}";
    dnsfw_policy *p = unit_policy(json);
    ck_assert_uint_eq(dnsfw_policy_list_size(p, 0), 1);
    dnsfw_spec_origin o;
    ck_assert_int_eq(dnsfw_policy_list_origin(p, 0, 0, &o), DNSFW_OK);
    ck_assert_str_eq(o.preset, "alpine");
    dnsfw_location w;
    ck_assert_int_eq(dnsfw_policy_rule_location(p, 0, 0, &w), DNSFW_OK); /* r1, by priority */
    ck_assert_uint_eq(w.line, 6);
    ck_assert_uint_eq(w.column, 4);
    ck_assert_int_eq(dnsfw_policy_rule_location(p, 0, 1, &w), DNSFW_OK);
    ck_assert_uint_eq(w.line, 5);
    ck_assert_int_eq(dnsfw_policy_group_location(p, 0, &w), DNSFW_OK);
    ck_assert_uint_eq(w.line, 4);
    ck_assert_uint_eq(w.column, 17);
    ck_assert_int_eq(dnsfw_policy_list_location(p, 1, &w), DNSFW_OK);
    ck_assert_uint_eq(w.line, 3);
    ck_assert_int_eq(dnsfw_policy_rule_location(p, 0, 2, &w), DNSFW_EINVAL);
    dnsfw_policy_free(p);

    /* a policy built with the API records no origin and no location */
    ck_assert_int_eq(dnsfw_policy_new(&p), DNSFW_OK);
    uint32_t list;
    ck_assert_int_eq(dnsfw_policy_add_list(p, "x", &list), DNSFW_OK);
    ck_assert_int_eq(dnsfw_policy_add_spec(p, list, "a.example", 9, NULL), DNSFW_OK);
    ck_assert_uint_eq(dnsfw_policy_list_origins(p, list), 0);
    ck_assert_int_eq(dnsfw_policy_list_location(p, list, &w), DNSFW_OK);
    ck_assert_ptr_null(w.file);
    dnsfw_policy_free(p);
}
END_TEST

START_TEST(test_list_file_origins)
{
    char dir[] = "/tmp/dnsfw-presets-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[4200], list[4200];
    snprintf(list, sizeof list, "%s/l.txt", dir);
    FILE *f = fopen(list, "w");
    ck_assert_ptr_nonnull(f);
    fputs("# a list\n\n  Www.Example.com\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/p.json", dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{\"dnsfw\":1,\"domain_lists\":{\"l\":{\"file\":\"l.txt\",\"presets\":[\"go\"]}}}", f);
    fclose(f);
    dnsfw_policy *p = NULL;
    dnsfw_error err;
    ck_assert_int_eq(dnsfw_policy_load_file(&p, path, &err), DNSFW_OK);
    dnsfw_spec_origin o;
    ck_assert_uint_eq(dnsfw_policy_list_origins(p, 0), 3);
    ck_assert_int_eq(dnsfw_policy_list_origin(p, 0, 0, &o), DNSFW_OK);
    ck_assert_str_eq(o.where.file, list);
    ck_assert_uint_eq(o.where.line, 3);
    ck_assert_uint_eq(o.where.column, 3);
    ck_assert_str_eq(o.written, "Www.Example.com");
    dnsfw_policy_free(p);
    unlink(list);
    unlink(path);
    rmdir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("presets");
    TCase *tc = tcase_create("presets");
    tcase_add_test(tc, test_tables);
    tcase_add_test(tc, test_tiered_origins);
    tcase_add_test(tc, test_dump_keeps_presets);
    tcase_add_loop_test(tc, test_bad_presets, 0, N_ELEMS(bad));
    tcase_add_test(tc, test_general_origins);
    tcase_add_test(tc, test_list_file_origins);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
