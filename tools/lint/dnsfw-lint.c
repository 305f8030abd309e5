/*
 * dnsfw-lint: check a policy before it is deployed, alone or against observed traffic
 * (contract §6, docs/lint.md).
 *
 *   dnsfw-lint [-p POLICY] [--log FILE ...] [--expect FILE] [--format text|json|markdown|sarif]
 *              [--fail-on error|warning|note]
 *   dnsfw-lint --presets [--format text|json|markdown]
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "aws_limits.h"
#include "common.h"
#include "lint.h"

static void usage(FILE *f)
{
    fprintf(f, "Usage: dnsfw-lint [-p POLICY] [--mode observe|enforce] [--log FILE ...]\n"
               "                  [--expect FILE] [--format text|json|markdown|sarif]\n"
               "                  [--fail-on error|warning|note]\n"
               "       dnsfw-lint --presets [--format text|json|markdown]\n"
               "\n"
               "Check a Route 53 DNS Firewall policy before it is deployed: entries that allow\n"
               "everything or names anyone can register, shadowed and duplicate entries, what\n"
               "the platform's construct and AWS would refuse; with --log, unused and narrow\n"
               "wildcards and allowed names whose CNAME chain enforcement blocks; with --expect,\n"
               "policy tests. Every finding names its check, severity and origin.\n"
               "\n"
               "  -p, --policy FILE     policy JSON ('-' = stdin); default: the platform's\n"
               "                        tiered policy with its built-in baseline\n"
               "      --mode MODE       observe or enforce (tiered policies only): the mode\n"
               "                        --expect and the hit counts evaluate in\n"
               "      --scope REPO      evaluate --expect and --log with the baseline and REPO's\n"
               "                        allowlist only\n"
               "  -l, --log FILE        a query log (file, .gz, directory tree, '-'); repeat\n"
               "      --log-format FMT  auto (default: every shape is recognised), route53,\n"
               "                        cloudwatch-export, cloudwatch, eventbridge, dnsmasq,\n"
               "                        bind, unbound or custom\n"
               "      --log-pattern RE  the PCRE2 pattern of the custom format\n"
               "      --since TIME      only records from TIME on (RFC 3339, a date, or 14d,\n"
               "                        36h, 90m, 2w before now)\n"
               "      --until TIME      only records before TIME\n"
               "      --narrow-max N    narrow: a wildcard used for at most N names (default 3)\n"
               "  -e, --expect FILE     policy tests: \"NAME[/TYPE] ACTION [DOMAIN_LIST]\" a line\n"
               "  -f, --format FMT      text (default), json, markdown or sarif\n"
               "      --fail-on LEVEL   exit 1 on a finding of LEVEL or above: error (default),\n"
               "                        warning or note\n"
               "      --color WHEN      auto (default: on a terminal, unless NO_COLOR is set),\n"
               "                        always or never\n"
               "      --psl FILE        the public suffix list (default: Debian's, from the\n"
               "                        publicsuffix package)\n"
               "      --max-domains N   the account's domain quota, if AWS raised it (100000)\n"
               "      --max-rules N     the rules-per-group quota, if AWS raised it (100)\n"
               "      --max-policy-bytes N\n"
               "                        the policy and its list files may hold N bytes in all\n"
               "                        (K, M, G suffixes; default 64M)\n"
               "      --presets         list the ecosystem presets, their hosts and sources\n"
               "\n"
               "  -h, --help            show this help\n"
               "  -V, --version         show the version\n"
               "\n"
               "Exit status: 0 no finding at or above --fail-on, 1 some, 2 usage error,\n"
               "3 invalid policy or input, 4 I/O error.\n");
}

struct options {
    const char *policy, *mode, *scope, *expect, *format, *fail_on, *color, *psl;
    const char **logs;
    size_t n_logs;
    const char *log_format, *log_pattern, *since, *until;
    unsigned long narrow_max, max_domains, max_rules;
    size_t max_policy_bytes; /* 0: the library's default */
    bool presets;
};

static bool parse_number(const char *arg, const char *opt, unsigned long *out)
{
    char *end;
    unsigned long v = strtoul(arg, &end, 10);
    if (!*arg || *end || v < 1 || v > 100000000) {
        tool_warn("%s needs a whole number from 1, not \"%s\"", opt, arg);
        return false;
    }
    *out = v;
    return true;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    enum {
        OPT_MODE = 256,
        OPT_SCOPE,
        OPT_LOG_FORMAT,
        OPT_LOG_PATTERN,
        OPT_SINCE,
        OPT_UNTIL,
        OPT_NARROW,
        OPT_FAIL_ON,
        OPT_COLOR,
        OPT_PSL,
        OPT_MAX_DOMAINS,
        OPT_MAX_RULES,
        OPT_PRESETS,
        OPT_MAX_POLICY_BYTES,
    };
    static const struct option opts[] = {
        {"policy", required_argument, NULL, 'p'},
        {"mode", required_argument, NULL, OPT_MODE},
        {"scope", required_argument, NULL, OPT_SCOPE},
        {"log", required_argument, NULL, 'l'},
        {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
        {"log-pattern", required_argument, NULL, OPT_LOG_PATTERN},
        {"since", required_argument, NULL, OPT_SINCE},
        {"until", required_argument, NULL, OPT_UNTIL},
        {"narrow-max", required_argument, NULL, OPT_NARROW},
        {"expect", required_argument, NULL, 'e'},
        {"format", required_argument, NULL, 'f'},
        {"fail-on", required_argument, NULL, OPT_FAIL_ON},
        {"color", required_argument, NULL, OPT_COLOR},
        {"psl", required_argument, NULL, OPT_PSL},
        {"max-domains", required_argument, NULL, OPT_MAX_DOMAINS},
        {"max-rules", required_argument, NULL, OPT_MAX_RULES},
        {"presets", no_argument, NULL, OPT_PRESETS},
        {"max-policy-bytes", required_argument, NULL, OPT_MAX_POLICY_BYTES},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":p:l:e:f:hV", opts, NULL)) != -1) {
        switch (opt) {
        case 'p':
            o->policy = optarg;
            break;
        case OPT_MODE:
            o->mode = optarg;
            break;
        case OPT_SCOPE:
            o->scope = optarg;
            break;
        case 'l':
            o->logs[o->n_logs++] = optarg;
            break;
        case OPT_LOG_FORMAT:
            o->log_format = optarg;
            break;
        case OPT_LOG_PATTERN:
            o->log_pattern = optarg;
            break;
        case OPT_SINCE:
            o->since = optarg;
            break;
        case OPT_UNTIL:
            o->until = optarg;
            break;
        case OPT_NARROW:
            if (!parse_number(optarg, "--narrow-max", &o->narrow_max))
                return EXIT_USAGE;
            break;
        case 'e':
            o->expect = optarg;
            break;
        case 'f':
            o->format = optarg;
            break;
        case OPT_FAIL_ON:
            o->fail_on = optarg;
            break;
        case OPT_COLOR:
            o->color = optarg;
            break;
        case OPT_PSL:
            o->psl = optarg;
            break;
        case OPT_MAX_DOMAINS:
            if (!parse_number(optarg, "--max-domains", &o->max_domains))
                return EXIT_USAGE;
            break;
        case OPT_MAX_RULES:
            if (!parse_number(optarg, "--max-rules", &o->max_rules))
                return EXIT_USAGE;
            break;
        case OPT_PRESETS:
            o->presets = true;
            break;
        case OPT_MAX_POLICY_BYTES:
            if (!tool_parse_size(optarg, "--max-policy-bytes", &o->max_policy_bytes))
                return EXIT_USAGE;
            break;
        case 'h':
            usage(stdout);
            return tool_finish_stdout();
        case 'V':
            tool_print_version();
            return tool_finish_stdout();
        default:
            return tool_option_error(opt, argv);
        }
    }
    if (optind < argc) {
        tool_warn("unexpected argument \"%s\" (the policy goes with -p)", argv[optind]);
        return EXIT_USAGE;
    }
    if (!o->n_logs && (o->log_format || o->log_pattern || o->narrow_max || o->since || o->until)) {
        tool_warn("--log-format, --log-pattern, --since, --until and --narrow-max go with --log");
        return EXIT_USAGE;
    }
    size_t stdin_users =
        (o->policy && !strcmp(o->policy, "-")) + (o->expect && !strcmp(o->expect, "-"));
    for (size_t i = 0; i < o->n_logs; i++)
        stdin_users += !strcmp(o->logs[i], "-");
    if (stdin_users > 1) {
        tool_warn("only one of the policy, the log and the expectations can come from stdin");
        return EXIT_USAGE;
    }
    return -1;
}

static int pick(const char *arg, const char *opt, const char *const *names, int *out)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(arg, names[i])) {
            *out = i;
            return 0;
        }
    tool_warn("%s: unknown value \"%s\"", opt, arg);
    return EXIT_USAGE;
}

static int run(const struct options *o, struct lint *l, enum output_format fmt, bool colour,
               enum severity fail_on)
{
    dnsfw_load_limits limits = {.max_bytes = o->max_policy_bytes};
    int rc = tool_load_policy_limited(o->policy, o->mode, &limits, &l->policy);
    if (rc)
        return rc;
    l->policy_file =
        o->policy ? (strcmp(o->policy, "-") ? o->policy : "<stdin>") : "<built-in policy>";
    dnsfw_policy_get_info(l->policy, &l->info);
    l->tiered = l->info.tiered;
    if ((rc = dnsfw_compile(l->policy, &l->matcher)) != DNSFW_OK) {
        tool_warn("cannot compile the policy: %s", dnsfw_strerror(rc));
        return tool_exit_for_status(rc);
    }
    if (o->scope) {
        if (!l->tiered || dnsfw_matcher_find_scope(l->matcher, o->scope, &l->scope) != DNSFW_OK) {
            tool_warn("--scope: no blueprint for repository \"%s\"", o->scope);
            return EXIT_USAGE;
        }
    }
    l->enforce = l->matcher;
    if (l->tiered && l->info.mode != DNSFW_MODE_ENFORCE) { /* chain-blocked looks at enforce mode */
        if (dnsfw_policy_set_mode(l->policy, DNSFW_MODE_ENFORCE) != DNSFW_OK ||
            dnsfw_compile(l->policy, &l->enforce) != DNSFW_OK ||
            dnsfw_policy_set_mode(l->policy, l->info.mode) != DNSFW_OK) {
            tool_warn("cannot compile the enforce-mode policy");
            if (!l->enforce)
                l->enforce = l->matcher;
            return EXIT_SYSTEM;
        }
    }
    if (lint_index(l) != 0) {
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    struct psl_rules *psl = NULL;
    if (psl_rules_load(o->psl, &psl) != 0)
        return EXIT_SYSTEM;
    check_entries(l, psl);
    check_shadows(l);
    check_limits(l);
    int input_rc = 0;
    if (o->expect)
        input_rc = check_expect(l, o->expect);
    cJSON *hits = NULL;
    struct log_result logs = {0};
    if (!input_rc || input_rc == EXIT_INVALID) {
        if (o->n_logs) {
            struct log_options lo = {.paths = o->logs,
                                     .n_paths = o->n_logs,
                                     .format = o->log_format,
                                     .pattern = o->log_pattern,
                                     .since = o->since,
                                     .until = o->until,
                                     .narrow_max = o->narrow_max ? (unsigned)o->narrow_max : 3};
            rc = check_logs(l, &lo, psl, &hits, &logs);
            if (rc) {
                psl_rules_free(psl);
                return rc;
            }
            if (logs.io_failed)
                input_rc = EXIT_SYSTEM;
            else if (logs.malformed && !input_rc)
                input_rc = EXIT_INVALID;
        }
    }
    psl_rules_free(psl);
    if (l->findings.oom) {
        cJSON_Delete(hits);
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    findings_sort(&l->findings);
    if (input_rc != EXIT_SYSTEM &&
        output_findings(l, fmt, colour, hits, o->n_logs ? &logs : NULL) != 0) {
        tool_warn("error writing the output");
        input_rc = EXIT_SYSTEM;
    }
    cJSON_Delete(hits);
    if (input_rc)
        return input_rc;
    for (size_t i = 0; i < l->findings.n; i++)
        if (l->findings.v[i].severity >= fail_on)
            return 1;
    return EXIT_CLEAN;
}

int main(int argc, char **argv)
{
    tool_set_name("dnsfw-lint");
    struct options o = {0};
    o.logs = calloc((size_t)argc, sizeof *o.logs);
    if (!o.logs)
        return EXIT_SYSTEM;
    int rc = parse_options(argc, argv, &o);
    if (rc >= 0) {
        free(o.logs);
        return rc;
    }
    static const char *const formats[] = {"text", "json", "markdown", "sarif", NULL};
    static const char *const levels[] = {"note", "warning", "error", NULL};
    static const char *const colours[] = {"auto", "always", "never", NULL};
    int fmt = OUT_TEXT, fail_on = SEV_ERROR, colour = 0;
    if ((o.format && (rc = pick(o.format, "--format", formats, &fmt))) ||
        (o.fail_on && (rc = pick(o.fail_on, "--fail-on", levels, &fail_on))) ||
        (o.color && (rc = pick(o.color, "--color", colours, &colour)))) {
        free(o.logs);
        return rc;
    }
    if (o.presets) {
        free(o.logs);
        if (fmt == OUT_SARIF) {
            tool_warn("--presets lists in text, json or markdown");
            return EXIT_USAGE;
        }
        return output_presets((enum output_format)fmt) ? EXIT_SYSTEM : EXIT_CLEAN;
    }
    bool use_colour = colour == 1 || (colour == 0 && fmt == OUT_TEXT && isatty(STDOUT_FILENO) &&
                                      !getenv("NO_COLOR"));
    struct lint l = {.max_domains = o.max_domains ? o.max_domains : AWS_DOMAINS_QUOTA,
                     .max_rules = o.max_rules ? o.max_rules : AWS_RULES_QUOTA};
    rc =
        run(&o, &l, (enum output_format)fmt, use_colour && fmt == OUT_TEXT, (enum severity)fail_on);
    findings_free(&l.findings);
    lint_index_free(&l);
    if (l.enforce != l.matcher)
        dnsfw_matcher_free(l.enforce);
    dnsfw_matcher_free(l.matcher);
    dnsfw_policy_free(l.policy);
    free(o.logs);
    return rc;
}
