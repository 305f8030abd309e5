/*
 * embed_eval: the smallest useful program built on libdnsfw.
 *
 *   embed_eval [POLICY.json [NAME[/TYPE] ...]]
 *
 * Loads a policy file (or, without one or with "", the built-in default policy),
 * compiles it once, evaluates a few query names and prints each verdict with the rule
 * group, rule, domain list and entry that decided it. Exit status 0 when every name
 * was evaluated, 1 otherwise.
 *
 * Build: cc embed_eval.c $(pkg-config --cflags --libs libdnsfw)
 */
#include <stdio.h>
#include <string.h>

#include <dnsfw/dnsfw.h>

static const char *const default_names[] = {"github.com", "objects.githubusercontent.com",
                                            "PyPI.org./AAAA", "evil.example", NULL};

/* Evaluate "NAME[/TYPE]" (the type after the last '/', A when there is none) and print it. */
static int show(const dnsfw_matcher *m, const char *arg)
{
    size_t len = strlen(arg);
    uint16_t qtype = 1; /* A */
    const char *slash = strrchr(arg, '/');
    if (slash) {
        if (dnsfw_qtype_parse(slash + 1, strlen(slash + 1), &qtype) != DNSFW_OK) {
            fprintf(stderr, "embed_eval: %s: unknown query type\n", arg);
            return -1;
        }
        len = (size_t)(slash - arg);
    }

    /* The matcher is const: this could run in any number of threads at once. */
    dnsfw_verdict v;
    int rc = dnsfw_eval(m, arg, len, qtype, DNSFW_SCOPE_ALL, &v);
    char name[DNSFW_NAME_TEXT_MAX], type[16];
    if (rc == DNSFW_OK)
        rc = dnsfw_name_normalize(arg, len, name, sizeof name, NULL);
    if (rc != DNSFW_OK) {
        fprintf(stderr, "embed_eval: \"%.*s\": %s\n", (int)len, arg, dnsfw_strerror(rc));
        return -1;
    }
    dnsfw_explanation why;
    if (dnsfw_explain(m, &v, DNSFW_SCOPE_ALL, &why) != DNSFW_OK ||
        dnsfw_qtype_format(qtype, type, sizeof type) != DNSFW_OK)
        return -1;

    printf("%s %s: %s", name, type, dnsfw_action_name(v.action));
    if (v.action == DNSFW_ACTION_BLOCK)
        printf("/%s", dnsfw_block_response_name(v.block_response));
    if (!why.rule_group) {
        printf(" (no rule matched)\n");
        return 0;
    }
    printf(" (rule group %s, rule %u", why.rule_group, why.rule_priority);
    if (why.rule) /* the tiered form's rules have no names */
        printf(" \"%s\"", why.rule);
    printf(", list %s, entry %s)\n", why.domain_list, why.entry);
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 && argv[1][0] ? argv[1] : NULL;
    dnsfw_policy *policy;
    dnsfw_error err = {0};
    int rc = path ? dnsfw_policy_load_file(&policy, path, &err) : dnsfw_policy_new_default(&policy);
    if (rc != DNSFW_OK) {
        if (path && err.line)
            fprintf(stderr, "embed_eval: %s:%u:%u: %s\n", err.file, err.line, err.column,
                    err.message);
        else
            fprintf(stderr, "embed_eval: %s: %s\n", path ? path : "default policy",
                    path ? err.message : dnsfw_strerror(rc));
        return 1;
    }

    /* Compile once; the matcher does not reference the policy, which can go at once. */
    dnsfw_matcher *m;
    rc = dnsfw_compile(policy, &m);
    dnsfw_policy_free(policy);
    if (rc != DNSFW_OK) {
        fprintf(stderr, "embed_eval: cannot compile the policy: %s\n", dnsfw_strerror(rc));
        return 1;
    }

    int status = 0;
    if (argc > 2) {
        for (int i = 2; i < argc; i++)
            status |= show(m, argv[i]) != 0;
    } else {
        for (const char *const *n = default_names; *n; n++)
            status |= show(m, *n) != 0;
    }
    dnsfw_matcher_free(m);
    return status;
}
