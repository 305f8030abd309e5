/*
 * dnsfw-eval: evaluate query names against a policy (contract §2).
 *
 *   dnsfw-eval [-p POLICY] [--mode observe|enforce] [--scope REPO] [--json] [NAME[/TYPE] ...]
 *
 * Names come from the arguments or, when there are none, from stdin in the dnsperf
 * query-file format ("NAME [TYPE]" a line; blank and '#' lines skipped).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "verdict_out.h"

struct eval_ctx {
    const dnsfw_matcher *matcher;
    uint32_t scope;
    bool json;
    bool blocked; /* some query was (would be) blocked */
    bool invalid; /* some input was malformed */
};

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: dnsfw-eval [-p POLICY] [--mode observe|enforce] [--scope REPO] [--json]\n"
            "                  [NAME[/TYPE] ...]\n"
            "\n"
            "Evaluate DNS query names against a Route 53 DNS Firewall policy and explain\n"
            "each verdict. Without NAME arguments, names are read from stdin, one query a\n"
            "line as \"NAME [TYPE]\" (the dnsperf query-file format).\n"
            "\n"
            "  -p, --policy FILE   policy JSON ('-' = stdin); default: the platform's\n"
            "                      tiered policy with its built-in baseline, observe mode\n"
            "      --mode MODE     observe or enforce (tiered policies only)\n"
            "      --scope REPO    evaluate with the baseline and REPO's allowlist only\n"
            "      --json          one JSON object a line\n"
            "  -h, --help          show this help\n"
            "  -V, --version       show the version\n"
            "\n"
            "Exit status: 0 nothing blocked, 1 something blocked, 2 usage error,\n"
            "3 invalid policy or input, 4 I/O error.\n");
}

/* Evaluate one query and print its line; malformed names are reported and skipped. */
static void eval_one(struct eval_ctx *c, const char *name, size_t len, uint16_t qtype,
                     const char *source, size_t line)
{
    dnsfw_verdict v;
    char norm[DNSFW_NAME_TEXT_MAX];
    int rc = dnsfw_eval(c->matcher, name, len, qtype, c->scope, &v);
    if (rc == DNSFW_OK)
        rc = dnsfw_name_normalize(name, len, norm, sizeof norm, NULL);
    if (rc) {
        tool_warn("%s:%zu: %s: \"%.*s\"", source, line, dnsfw_strerror(rc),
                  (int)(len > 300 ? 300 : len), name);
        c->invalid = true;
        return;
    }
    dnsfw_explanation why;
    char type[16];
    if (dnsfw_explain(c->matcher, &v, c->scope, &why) != DNSFW_OK ||
        dnsfw_qtype_format(qtype, type, sizeof type) != DNSFW_OK) {
        tool_warn("%s:%zu: internal error explaining the verdict", source, line);
        c->invalid = true;
        return;
    }
    struct verdict_line out = {.query_name = norm, .query_type = type, .verdict = &v, .why = &why};
    if (c->json) {
        verdict_json_begin(stdout, &out);
        verdict_json_end(stdout);
    } else {
        verdict_text(stdout, &out);
    }
    if (v.action == DNSFW_ACTION_BLOCK)
        c->blocked = true;
}

/* "NAME/TYPE": the part after the last '/' is the type. */
static void eval_argument(struct eval_ctx *c, const char *arg, size_t index)
{
    size_t len = strlen(arg);
    uint16_t qtype = 1;
    const char *slash = strrchr(arg, '/');
    if (slash) {
        if (dnsfw_qtype_parse(slash + 1, strlen(slash + 1), &qtype) != DNSFW_OK) {
            tool_warn("<args>:%zu: unknown query type \"%s\"", index, slash + 1);
            c->invalid = true;
            return;
        }
        len = (size_t)(slash - arg);
    }
    eval_one(c, arg, len, qtype, "<args>", index);
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* One stdin line: "NAME [TYPE]". */
static void eval_line(struct eval_ctx *c, const char *line, size_t len, size_t lineno)
{
    size_t b = 0;
    while (b < len && is_space(line[b]))
        b++;
    if (b == len || line[b] == '#')
        return;
    size_t e = b;
    while (e < len && !is_space(line[e]))
        e++;
    size_t tb = e;
    while (tb < len && is_space(line[tb]))
        tb++;
    size_t te = tb;
    while (te < len && !is_space(line[te]))
        te++;
    size_t rest = te;
    while (rest < len && is_space(line[rest]))
        rest++;
    uint16_t qtype = 1;
    if (rest < len) {
        tool_warn("<stdin>:%zu: expected \"NAME [TYPE]\", found more fields", lineno);
        c->invalid = true;
        return;
    }
    if (tb < te && dnsfw_qtype_parse(line + tb, te - tb, &qtype) != DNSFW_OK) {
        tool_warn("<stdin>:%zu: unknown query type \"%.*s\"", lineno, (int)(te - tb), line + tb);
        c->invalid = true;
        return;
    }
    eval_one(c, line + b, e - b, qtype, "<stdin>", lineno);
}

static int eval_stdin(struct eval_ctx *c)
{
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) >= 0)
        eval_line(c, line, (size_t)n, ++lineno);
    bool failed = ferror(stdin);
    free(line);
    if (failed) {
        tool_warn("error reading stdin");
        return EXIT_SYSTEM;
    }
    return EXIT_CLEAN;
}

int main(int argc, char **argv)
{
    enum { OPT_MODE = 256, OPT_SCOPE, OPT_JSON };
    static const struct option opts[] = {
        {"policy", required_argument, NULL, 'p'}, {"mode", required_argument, NULL, OPT_MODE},
        {"scope", required_argument, NULL, OPT_SCOPE}, {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    const char *policy_path = NULL, *mode = NULL, *scope_name = NULL;
    struct eval_ctx c = {0};
    tool_set_name("dnsfw-eval");

    int opt;
    while ((opt = getopt_long(argc, argv, "p:hV", opts, NULL)) != -1) {
        switch (opt) {
        case 'p':
            policy_path = optarg;
            break;
        case OPT_MODE:
            mode = optarg;
            break;
        case OPT_SCOPE:
            scope_name = optarg;
            break;
        case OPT_JSON:
            c.json = true;
            break;
        case 'h':
            usage(stdout);
            return EXIT_CLEAN;
        case 'V':
            tool_print_version();
            return EXIT_CLEAN;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (policy_path && strcmp(policy_path, "-") == 0 && optind == argc) {
        tool_warn("names cannot come from stdin when the policy does; give them as arguments");
        return EXIT_USAGE;
    }

    dnsfw_policy *policy;
    int rc = tool_load_policy(policy_path, mode, &policy);
    if (rc)
        return rc;
    dnsfw_policy_info info;
    dnsfw_policy_get_info(policy, &info);
    dnsfw_matcher *matcher = NULL;
    rc = dnsfw_compile(policy, &matcher);
    dnsfw_policy_free(policy);
    if (rc) {
        tool_warn("cannot compile the policy: %s", dnsfw_strerror(rc));
        return tool_exit_for_status(rc);
    }
    c.matcher = matcher;
    if (scope_name) {
        if (!info.tiered) {
            tool_warn("--scope needs a tiered policy (blueprints)");
            dnsfw_matcher_free(matcher);
            return EXIT_USAGE;
        }
        if (dnsfw_matcher_find_scope(matcher, scope_name, &c.scope) != DNSFW_OK) {
            tool_warn("--scope: no blueprint for repository \"%s\"", scope_name);
            dnsfw_matcher_free(matcher);
            return EXIT_USAGE;
        }
    }

    rc = EXIT_CLEAN;
    if (optind < argc) {
        for (int i = optind; i < argc; i++)
            eval_argument(&c, argv[i], (size_t)(i - optind + 1));
    } else {
        rc = eval_stdin(&c);
    }
    if (fflush(stdout) != 0 && rc == EXIT_CLEAN) {
        tool_warn("error writing the output");
        rc = EXIT_SYSTEM;
    }
    dnsfw_matcher_free(matcher);
    if (rc)
        return rc;
    if (c.invalid)
        return EXIT_INVALID;
    return c.blocked ? EXIT_BLOCKED : EXIT_CLEAN;
}
