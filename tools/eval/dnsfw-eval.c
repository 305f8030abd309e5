/*
 * dnsfw-eval: evaluate query names, or replay query logs, against a policy (contract §2).
 *
 *   dnsfw-eval [-p POLICY] [--mode observe|enforce] [--scope REPO] [--json] [NAME[/TYPE] ...]
 *   dnsfw-eval [-p POLICY] ... --log FILE [--log FILE ...] [--log-format FORMAT] [--report]
 *
 * Names come from the arguments or, when there are none, from stdin in the dnsperf
 * query-file format ("NAME [TYPE]" a line; blank and '#' lines skipped). Log replay is
 * in replay.c, its report in report*.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "answers.h"
#include "common.h"
#include "deployed.h"
#include "egress.h"
#include "flows.h"
#include "replay.h"
#include "report.h"
#include "scope_map.h"
#include "verdict_out.h"

/* --answer-window: how long after an answer a connection to its address counts as
 * resolved (docs/egress.md, "The answer window"). */
#define ANSWER_WINDOW_DEFAULT 3600

/* --summary: how many queries enforcement blocks, and the first few of them. */
#define SUMMARY_NAMES 8

/* The longest stdin line: a name of 255 octets, every one escaped (\\DDD), and a type. */
#define STDIN_LINE_MAX 4096

struct summary {
    const dnsfw_matcher *enforce; /* the enforce-mode view (the matcher itself when enforcing) */
    bool would;                   /* the policy observes: "would be blocked" */
    size_t queries, blocked;
    char *names[SUMMARY_NAMES];
};

struct eval_ctx {
    const dnsfw_matcher *matcher;
    uint32_t scope;
    bool json;
    bool brief;
    struct summary *summary; /* NULL without --summary */
    bool blocked;            /* some query was (would be) blocked */
    bool invalid;            /* some input was malformed */
    bool nomem;              /* an allocation failed: exit 4 */
};

static void usage(FILE *f)
{
    fputs(
        "Usage: dnsfw-eval [-p POLICY] [--mode observe|enforce] [--scope REPO] [--json]\n"
        "                  [NAME[/TYPE] ...]\n"
        "       dnsfw-eval [-p POLICY] ... --log FILE [--log FILE ...] [--log-format FORMAT]\n"
        "                  [--since TIME] [--until TIME] [--report [--format text|json|markdown]]\n"
        "                  [--scope-map FILE] [--deployed PATH]\n"
        "                  [--flow-log FILE ... [--flow-format FIELDS] [--answer-window S]\n"
        "                   [--trusted-cidr CIDR ...]]\n"
        "\n"
        "Evaluate DNS query names against a Route 53 DNS Firewall policy and explain\n"
        "each verdict. Without NAME arguments, names are read from stdin, one query a\n"
        "line as \"NAME [TYPE]\" (the dnsperf query-file format). With --log, replay\n"
        "query logs instead: every record is evaluated with its CNAME chain.\n"
        "\n"
        "  -p, --policy FILE     policy JSON ('-' = stdin); default: the platform's\n"
        "                        tiered policy with its built-in baseline, observe mode\n"
        "      --mode MODE       observe or enforce (tiered policies only)\n"
        "      --max-policy-bytes N\n"
        "                        the policy and its list files may hold N bytes in all\n"
        "                        (K, M, G suffixes; default 64M)\n"
        "      --scope REPO      evaluate with the baseline and REPO's allowlist only\n"
        "      --json            one JSON object a line (with --report: one JSON report)\n"
        "      --brief           short text lines: action, name, type, entry, list\n"
        "      --summary         end with how many queries enforcement blocks, and which\n"
        "\n"
        "  -l, --log FILE        a query log: a file, a .gz file, a directory tree, or\n"
        "                        '-' for stdin; repeat for more. Route 53 JSON lines,\n"
        "                        CloudWatch Logs exports, filter-log-events output,\n"
        "                        subscription payloads and Firehose objects, EventBridge\n"
        "                        events, dnsmasq/BIND/unbound text and syslog are\n"
        "                        recognised by their content\n"
        "      --log-format FMT  auto (default), route53, cloudwatch-export, cloudwatch,\n"
        "                        eventbridge, dnsmasq, bind, unbound or custom\n"
        "      --log-pattern RE  the PCRE2 pattern of the custom format, with named\n"
        "                        groups qname and optionally qtype, client, time\n"
        "      --since TIME      only records from TIME on (RFC 3339, a date, or a span\n"
        "                        back from now: 14d, 36h, 90m, 2w)\n"
        "      --until TIME      only records before TIME\n"
        "      --report          summarise instead of one line a record: what enforce\n"
        "                        mode would block, chain-caused blocks, drift, suggestions\n"
        "      --format FMT      report format: text (default), json or markdown\n"
        "      --min-count N     suggest only names seen at least N times (default 1)\n"
        "      --wildcard-min N  suggest *.parent when N names share it (default 3)\n"
        "      --scope-map FILE  client address, CIDR, instance or interface id ->\n"
        "                        repository, a line each: split the report per repository\n"
        "      --deployed PATH   the deployed configuration (what dnsfw-export --import\n"
        "                        reads): the report names the rule groups and lists\n"
        "                        the logs' ids point to\n"
        "\n",
        f);
    /* in two parts: C11 compilers need not take string literals longer than 4095 */
    fputs("      --flow-log FILE   VPC Flow Logs (file, .gz, directory tree, '-'; S3 text\n"
          "                        files or the CloudWatch Logs shapes --log reads), joined\n"
          "                        with the logs' DNS answers: the report lists accepted\n"
          "                        connections to public addresses no answer gave\n"
          "                        (direct_ip); with --report; repeat for more\n"
          "      --flow-format F   the fields of flow records without a header line, as a\n"
          "                        header or a LogFormat (\"${srcaddr} ${dstaddr} ...\");\n"
          "                        default: the default format (version 2)\n"
          "      --answer-window S an answer covers connections to its addresses for S\n"
          "                        seconds (default 3600)\n"
          "      --trusted-cidr C  destinations in CIDR C are never reported; repeat\n"
          "      --progress        a progress line on stderr (default: when a terminal)\n"
          "      --no-progress     no progress line\n"
          "\n"
          "  -h, --help            show this help\n"
          "  -V, --version         show the version\n"
          "\n"
          "Exit status: 0 nothing blocked, 1 something blocked, 2 usage error,\n"
          "3 invalid policy or input, 4 I/O error.\n",
          f);
}

/* Count one query; false when memory ran out. */
static bool summary_add(struct summary *sum, const struct eval_ctx *c, const char *name, size_t len,
                        uint16_t qtype, const char *norm)
{
    dnsfw_verdict v;
    sum->queries++;
    if (dnsfw_eval(sum->enforce, name, len, qtype, c->scope, &v) != DNSFW_OK ||
        v.action != DNSFW_ACTION_BLOCK)
        return true;
    if (sum->blocked < SUMMARY_NAMES) {
        size_t n = strlen(norm); /* shown without the trailing dot */
        sum->names[sum->blocked] = strndup(norm, n > 1 ? n - 1 : n);
        if (!sum->names[sum->blocked])
            return false;
    }
    sum->blocked++;
    return true;
}

/*
 * "7 of 14 would be blocked in enforce mode: a, b and 5 more": the names in the order
 * met, those that fit a 100-column line.
 */
static void summary_print(const struct summary *sum)
{
    char line[128];
    int len = snprintf(line, sizeof line, "%zu of %zu %s", sum->blocked, sum->queries,
                       sum->would ? "would be blocked in enforce mode"
                                  : (sum->blocked == 1 ? "is blocked" : "are blocked"));
    size_t shown = 0;
    for (size_t i = 0; i < sum->blocked && i < SUMMARY_NAMES && sum->names[i]; i++) {
        size_t more = sum->blocked - shown - 1; /* if this one is shown */
        if ((size_t)len + 2 + strlen(sum->names[i]) + (more ? 12 : 0) > 100)
            continue;
        len += snprintf(line + len, sizeof line - (size_t)len, "%s%s", shown ? ", " : ": ",
                        sum->names[i]);
        shown++;
    }
    printf("%s", line);
    if (sum->blocked > shown)
        printf(" and %zu %s", sum->blocked - shown, shown ? "more" : "queries");
    putchar('\n');
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
    } else if (c->brief) {
        verdict_brief(stdout, &out);
    } else {
        verdict_text(stdout, &out);
    }
    if (v.action == DNSFW_ACTION_BLOCK)
        c->blocked = true;
    if (c->summary && !summary_add(c->summary, c, name, len, qtype, norm))
        c->nomem = true;
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

/*
 * Names from stdin, a line at a time in a fixed buffer: nothing to allocate, so memory
 * cannot run out while reading, and a line longer than any query ("NAME [TYPE]" with
 * every escape) is reported and skipped instead of growing without bound.
 */
static int eval_stdin(struct eval_ctx *c)
{
    char line[STDIN_LINE_MAX + 1];
    size_t lineno = 0;
    if (isatty(STDIN_FILENO))
        tool_warn("reading queries from the terminal, \"NAME [TYPE]\" a line; end with "
                  "Ctrl-D (or give the names as arguments: dnsfw-eval github.com)");
    while (!c->nomem) {
        size_t n = 0;
        int ch = EOF;
        while (n < sizeof line && (ch = getc_unlocked(stdin)) != EOF && ch != '\n')
            line[n++] = (char)ch;
        if (n == 0 && ch == EOF)
            break;
        lineno++;
        if (n == sizeof line) { /* too long: skip to the end of the line */
            while ((ch = getc_unlocked(stdin)) != EOF && ch != '\n')
                ;
            tool_warn("<stdin>:%zu: line longer than %d octets: skipped", lineno, STDIN_LINE_MAX);
            c->invalid = true;
        } else {
            eval_line(c, line, n, lineno);
        }
        if (ch == EOF)
            break;
    }
    if (ferror(stdin)) {
        tool_warn("cannot read stdin: %s", strerror(errno));
        return EXIT_SYSTEM;
    }
    if (c->nomem) {
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    return EXIT_CLEAN;
}

struct options {
    const char *policy, *mode, *scope;
    bool json, brief, summary;
    const char **logs;
    size_t n_logs;
    const char *log_format, *log_pattern, *report_format, *scope_map, *since, *until, *deployed;
    bool report;
    int progress; /* -1: when stderr is a terminal */
    unsigned min_count, wildcard_min;
    size_t max_policy_bytes; /* 0: the library's default */
    const char **flow_logs, **trusted;
    size_t n_flow_logs, n_trusted;
    const char *flow_format;
    long answer_window; /* -1: not given */
};

static bool parse_count(const char *arg, const char *opt, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(arg, &end, 10);
    if (!*arg || *end || v < 1 || v > 1000000000) {
        tool_warn("%s needs a whole number from 1, not \"%s\"", opt, arg);
        return false;
    }
    *out = (unsigned)v;
    return true;
}

static void free_options(struct options *o)
{
    free(o->logs);
    free(o->flow_logs);
    free(o->trusted);
}

/* Returns -1 to go on, or the exit code. */
static int parse_options(int argc, char **argv, struct options *o)
{
    enum {
        OPT_MODE = 256,
        OPT_SCOPE,
        OPT_JSON,
        OPT_LOG_FORMAT,
        OPT_LOG_PATTERN,
        OPT_REPORT,
        OPT_FORMAT,
        OPT_MIN_COUNT,
        OPT_WILDCARD_MIN,
        OPT_SCOPE_MAP,
        OPT_PROGRESS,
        OPT_NO_PROGRESS,
        OPT_SINCE,
        OPT_UNTIL,
        OPT_DEPLOYED,
        OPT_BRIEF,
        OPT_SUMMARY,
        OPT_MAX_POLICY_BYTES,
        OPT_FLOW_LOG,
        OPT_FLOW_FORMAT,
        OPT_ANSWER_WINDOW,
        OPT_TRUSTED_CIDR,
    };
    static const struct option opts[] = {
        {"policy", required_argument, NULL, 'p'},
        {"mode", required_argument, NULL, OPT_MODE},
        {"scope", required_argument, NULL, OPT_SCOPE},
        {"json", no_argument, NULL, OPT_JSON},
        {"brief", no_argument, NULL, OPT_BRIEF},
        {"summary", no_argument, NULL, OPT_SUMMARY},
        {"log", required_argument, NULL, 'l'},
        {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
        {"log-pattern", required_argument, NULL, OPT_LOG_PATTERN},
        {"report", no_argument, NULL, OPT_REPORT},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"min-count", required_argument, NULL, OPT_MIN_COUNT},
        {"wildcard-min", required_argument, NULL, OPT_WILDCARD_MIN},
        {"scope-map", required_argument, NULL, OPT_SCOPE_MAP},
        {"since", required_argument, NULL, OPT_SINCE},
        {"until", required_argument, NULL, OPT_UNTIL},
        {"deployed", required_argument, NULL, OPT_DEPLOYED},
        {"progress", no_argument, NULL, OPT_PROGRESS},
        {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
        {"max-policy-bytes", required_argument, NULL, OPT_MAX_POLICY_BYTES},
        {"flow-log", required_argument, NULL, OPT_FLOW_LOG},
        {"flow-format", required_argument, NULL, OPT_FLOW_FORMAT},
        {"answer-window", required_argument, NULL, OPT_ANSWER_WINDOW},
        {"trusted-cidr", required_argument, NULL, OPT_TRUSTED_CIDR},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    int opt;
    opterr = 0; /* our own messages, under the tool's name */
    while ((opt = getopt_long(argc, argv, ":p:l:hV", opts, NULL)) != -1) {
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
        case OPT_JSON:
            o->json = true;
            break;
        case OPT_BRIEF:
            o->brief = true;
            break;
        case OPT_SUMMARY:
            o->summary = true;
            break;
        case 'l':
            o->logs[o->n_logs++] = optarg; /* room for argc entries was made */
            break;
        case OPT_LOG_FORMAT:
            o->log_format = optarg;
            break;
        case OPT_LOG_PATTERN:
            o->log_pattern = optarg;
            break;
        case OPT_REPORT:
            o->report = true;
            break;
        case OPT_FORMAT:
            o->report_format = optarg;
            break;
        case OPT_MIN_COUNT:
            if (!parse_count(optarg, "--min-count", &o->min_count))
                return EXIT_USAGE;
            break;
        case OPT_WILDCARD_MIN:
            if (!parse_count(optarg, "--wildcard-min", &o->wildcard_min))
                return EXIT_USAGE;
            break;
        case OPT_SCOPE_MAP:
            o->scope_map = optarg;
            break;
        case OPT_SINCE:
            o->since = optarg;
            break;
        case OPT_UNTIL:
            o->until = optarg;
            break;
        case OPT_DEPLOYED:
            o->deployed = optarg;
            break;
        case OPT_PROGRESS:
            o->progress = 1;
            break;
        case OPT_NO_PROGRESS:
            o->progress = 0;
            break;
        case OPT_MAX_POLICY_BYTES:
            if (!tool_parse_size(optarg, "--max-policy-bytes", &o->max_policy_bytes))
                return EXIT_USAGE;
            break;
        case OPT_FLOW_LOG:
            o->flow_logs[o->n_flow_logs++] = optarg; /* room for argc entries was made */
            break;
        case OPT_FLOW_FORMAT:
            o->flow_format = optarg;
            break;
        case OPT_ANSWER_WINDOW: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 0 || v > 7 * 86400) {
                tool_warn("--answer-window needs seconds from 0 to 604800, not \"%s\"", optarg);
                return EXIT_USAGE;
            }
            o->answer_window = v;
            break;
        }
        case OPT_TRUSTED_CIDR:
            o->trusted[o->n_trusted++] = optarg;
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
    bool log_only = o->log_format || o->log_pattern || o->report || o->report_format ||
                    o->scope_map || o->min_count || o->wildcard_min || o->since || o->until ||
                    o->deployed;
    if (!o->n_logs && log_only) {
        tool_warn("--log-format, --log-pattern, --since, --until, --report, --format, "
                  "--min-count, --wildcard-min, --scope-map and --deployed go with --log");
        return EXIT_USAGE;
    }
    if (o->n_logs && optind < argc) {
        tool_warn("give either names or --log, not both");
        return EXIT_USAGE;
    }
    if (o->n_logs && (o->brief || o->summary)) {
        tool_warn("--brief and --summary go with names, not --log (see --report)");
        return EXIT_USAGE;
    }
    if (o->brief && o->json) {
        tool_warn("--brief and --json cannot be combined");
        return EXIT_USAGE;
    }
    if (o->report_format && !o->report) {
        tool_warn("--format goes with --report");
        return EXIT_USAGE;
    }
    if (!o->n_flow_logs && (o->flow_format || o->answer_window >= 0 || o->n_trusted)) {
        tool_warn("--flow-format, --answer-window and --trusted-cidr go with --flow-log");
        return EXIT_USAGE;
    }
    if (o->n_flow_logs && (!o->n_logs || !o->report)) {
        tool_warn("--flow-log goes with --log and --report: the query logs' answers are what "
                  "flows are checked against");
        return EXIT_USAGE;
    }
    return -1;
}

/* Does any rule of the policy apply to one query type only? */
static bool names_a_qtype(const dnsfw_policy *policy)
{
    dnsfw_policy_info info;
    dnsfw_policy_get_info(policy, &info);
    for (uint32_t g = 0; g < info.n_groups; g++) {
        dnsfw_group_info gi;
        if (dnsfw_policy_get_group(policy, g, &gi) != DNSFW_OK)
            return true; /* cannot tell: assume it does */
        for (uint32_t i = 0; i < gi.n_rules; i++) {
            dnsfw_rule_def rule;
            if (dnsfw_policy_get_rule(policy, g, i, &rule) != DNSFW_OK || rule.qtype)
                return true;
        }
    }
    return false;
}

/* The policy's DNS Firewall Advanced rules, for the report (NULL and 0 when none). */
/* The policy's Advanced rules in evaluation order; false when memory ran out. */
static bool advanced_rules(const dnsfw_policy *policy, struct advanced_rule **out, size_t *n)
{
    dnsfw_policy_info info;
    dnsfw_policy_get_info(policy, &info);
    struct advanced_rule *v = NULL;
    *n = 0;
    for (uint32_t g = 0; g < info.n_groups; g++) {
        dnsfw_group_info gi;
        if (dnsfw_policy_get_group(policy, g, &gi) != DNSFW_OK)
            continue;
        for (uint32_t i = 0; i < gi.n_rules; i++) {
            dnsfw_rule_def d;
            if (dnsfw_policy_get_rule(policy, g, i, &d) != DNSFW_OK || !d.threat)
                continue;
            struct advanced_rule *nv = realloc(v, (*n + 1) * sizeof *v);
            if (!nv) {
                free(v);
                *out = NULL;
                *n = 0;
                return false;
            }
            v = nv;
            v[(*n)++] = (struct advanced_rule){.group = gi.name,
                                               .group_priority = gi.priority,
                                               .name = d.name,
                                               .priority = d.priority,
                                               .action = d.action,
                                               .response = d.block_response,
                                               .threat = d.threat,
                                               .confidence = d.confidence};
        }
    }
    *out = v;
    return true;
}

/* --flow-log: read the flow logs against the answers the replay collected. Returns an
 * exit code; *flows_bad is set when a flow record was malformed. */
static int run_flows(const struct options *o, const struct answers *answers,
                     const struct replay_result *replayed, const struct scope_map *map,
                     struct report *report, struct egress **out, bool *flows_bad)
{
    dnsfw_flowformat *format = NULL;
    if (o->flow_format) {
        dnsfw_error err;
        int rc = dnsfw_flowformat_new(&format, o->flow_format, strlen(o->flow_format), &err);
        if (rc) {
            tool_warn("--flow-format: column %u: %s", err.column, err.message);
            return rc == DNSFW_ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
        }
    }
    struct egress *e = egress_new(answers, o->answer_window, map);
    int rc = e ? EXIT_CLEAN : EXIT_SYSTEM;
    if (e)
        egress_set_answers(e, replayed->answers, replayed->untimed);
    for (size_t i = 0; !rc && i < o->n_trusted; i++) {
        const char *why;
        if (!egress_trust(e, o->trusted[i], &why)) {
            tool_warn("--trusted-cidr: \"%s\" is not an address or a CIDR block (%s)",
                      o->trusted[i], why);
            rc = EXIT_USAGE;
        }
    }
    struct flow_read_result res = {0};
    struct log_read_options in = {.paths = o->flow_logs,
                                  .n_paths = o->n_flow_logs,
                                  .since = o->since,
                                  .until = o->until,
                                  .progress = o->progress < 0 ? isatty(STDERR_FILENO) : o->progress,
                                  .flow_format = format};
    if (!rc)
        rc = flow_read(e, &in, &res);
    if (!rc && res.io_failed)
        rc = EXIT_SYSTEM;
    *flows_bad = res.malformed > 0;
    dnsfw_flowformat_free(format);
    if (!rc)
        report_set_egress(report, e);
    *out = e;
    return rc;
}

/* --log: replay the logs, print one verdict a record or the report. */
static int run_logs(const struct options *o, dnsfw_policy *policy, const dnsfw_matcher *matcher,
                    uint32_t scope)
{
    int rc = EXIT_CLEAN;
    enum report_format rformat = o->json ? REPORT_JSON : REPORT_TEXT;
    if (o->report_format) {
        if (!strcmp(o->report_format, "json"))
            rformat = REPORT_JSON;
        else if (!strcmp(o->report_format, "markdown"))
            rformat = REPORT_MARKDOWN;
        else if (strcmp(o->report_format, "text") != 0) {
            tool_warn("--format must be text, json or markdown, not \"%s\"", o->report_format);
            return EXIT_USAGE;
        }
    }

    /* The report shows the enforce-mode view of a tiered policy next to its own mode. */
    dnsfw_policy_info info;
    dnsfw_policy_get_info(policy, &info);
    dnsfw_matcher *enforce = NULL;
    struct scope_map *map = NULL;
    struct report *report = NULL;
    if (o->report && info.tiered && info.mode != DNSFW_MODE_ENFORCE &&
        (dnsfw_policy_set_mode(policy, DNSFW_MODE_ENFORCE) != DNSFW_OK ||
         dnsfw_compile(policy, &enforce) != DNSFW_OK)) {
        tool_warn("cannot compile the enforce-mode policy");
        rc = EXIT_SYSTEM;
    }
    if (!rc && o->scope_map)
        rc = scope_map_load(o->scope_map, &map);
    struct deployed *deployed = NULL;
    if (!rc && o->deployed)
        rc = deployed_load(o->deployed, o->max_policy_bytes, &deployed);
    size_t n_advanced = 0;
    struct advanced_rule *advanced = NULL;
    if (!rc && o->report && !advanced_rules(policy, &advanced, &n_advanced)) {
        tool_warn("out of memory");
        rc = EXIT_SYSTEM;
    }
    struct answers *answers = NULL;
    if (!rc && o->n_flow_logs && !(answers = answers_new(o->answer_window))) {
        tool_warn("out of memory");
        rc = EXIT_SYSTEM;
    }
    struct report_options ro = {
        .matcher = matcher,
        .enforce = enforce ? enforce : matcher,
        .scope = scope,
        .scope_name = o->scope,
        .mode = info.tiered ? (info.mode == DNSFW_MODE_ENFORCE ? "enforce" : "observe") : NULL,
        .has_map = map != NULL,
        .min_count = o->min_count,
        .wildcard_min = o->wildcard_min,
        .qtype_blind = !names_a_qtype(policy),
        .deployed = deployed,
        .advanced = advanced,
        .n_advanced = n_advanced,
    };
    if (!rc && o->report && report_new(&ro, &report) != 0) {
        tool_warn("out of memory");
        rc = EXIT_SYSTEM;
    }
    struct replay_result res = {0};
    if (!rc) {
        struct replay_config cfg = {
            .input = {.paths = o->logs,
                      .n_paths = o->n_logs,
                      .format = o->log_format,
                      .pattern = o->log_pattern,
                      .since = o->since,
                      .until = o->until,
                      .progress = o->progress < 0 ? isatty(STDERR_FILENO) : o->progress},
            .matcher = matcher,
            .enforce = ro.enforce,
            .scope = scope,
            .map = map,
            .output = o->report ? OUT_REPORT
                      : o->json ? OUT_JSON
                                : OUT_TEXT,
            .report = report,
            .answers = answers,
            .answer_window = (uint32_t)o->answer_window,
        };
        rc = replay_logs(&cfg, &res);
    }
    struct egress *egress = NULL;
    bool flows_bad = false;
    if (!rc && answers)
        rc = run_flows(o, answers, &res, map, report, &egress, &flows_bad);
    if (!rc && report && report_print(report, rformat, stdout) != 0) {
        tool_warn("cannot write the report: out of memory, or standard output failed");
        rc = EXIT_SYSTEM;
    }
    report_free(report);
    egress_free(egress);
    answers_free(answers);
    free(advanced);
    deployed_free(deployed);
    scope_map_free(map);
    dnsfw_matcher_free(enforce);
    if (rc)
        return rc;
    if (res.io_failed)
        return EXIT_SYSTEM;
    if (res.malformed || flows_bad)
        return EXIT_INVALID;
    return res.blocked ? EXIT_BLOCKED : EXIT_CLEAN;
}

int main(int argc, char **argv)
{
    struct options o = {.progress = -1, .answer_window = -1};
    struct eval_ctx c = {0};
    tool_set_name("dnsfw-eval");
    o.logs = calloc((size_t)argc, sizeof *o.logs);
    o.flow_logs = calloc((size_t)argc, sizeof *o.flow_logs);
    o.trusted = calloc((size_t)argc, sizeof *o.trusted);
    if (!o.logs || !o.flow_logs || !o.trusted) {
        free_options(&o);
        return EXIT_SYSTEM;
    }
    int rc = parse_options(argc, argv, &o);
    if (o.answer_window < 0)
        o.answer_window = ANSWER_WINDOW_DEFAULT;
    if (rc >= 0) {
        free_options(&o);
        return rc;
    }
    c.json = o.json;
    bool stdin_used = o.n_logs ? false : optind == argc;
    for (size_t i = 0; i < o.n_logs; i++)
        stdin_used |= strcmp(o.logs[i], "-") == 0;
    if (o.policy && strcmp(o.policy, "-") == 0 && stdin_used) {
        tool_warn("the policy comes from stdin, so the names or the log cannot");
        free_options(&o);
        return EXIT_USAGE;
    }
    bool flow_stdin = false;
    for (size_t i = 0; i < o.n_flow_logs; i++)
        flow_stdin |= strcmp(o.flow_logs[i], "-") == 0;
    if (flow_stdin && (stdin_used || (o.policy && strcmp(o.policy, "-") == 0))) {
        tool_warn("only one of the policy, the query logs and the flow logs can come from stdin");
        free_options(&o);
        return EXIT_USAGE;
    }

    dnsfw_policy *policy;
    dnsfw_load_limits limits = {.max_bytes = o.max_policy_bytes};
    rc = tool_load_policy_limited(o.policy, o.mode, &limits, &policy);
    if (rc) {
        free_options(&o);
        return rc;
    }
    tool_note_managed_lists(policy);
    dnsfw_policy_info info;
    dnsfw_policy_get_info(policy, &info);
    dnsfw_matcher *matcher = NULL;
    rc = dnsfw_compile(policy, &matcher);
    if (rc) {
        tool_warn("cannot compile the policy: %s", dnsfw_strerror(rc));
        dnsfw_policy_free(policy);
        free_options(&o);
        return tool_exit_for_status(rc);
    }
    c.matcher = matcher;
    if (o.scope) {
        if (!info.tiered)
            tool_warn("--scope needs a tiered policy (blueprints)");
        else if (dnsfw_matcher_find_scope(matcher, o.scope, &c.scope) != DNSFW_OK)
            tool_warn("--scope: no blueprint for repository \"%s\"", o.scope);
        if (!info.tiered || !c.scope) {
            dnsfw_matcher_free(matcher);
            dnsfw_policy_free(policy);
            free_options(&o);
            return EXIT_USAGE;
        }
    }

    if (o.n_logs) {
        rc = run_logs(&o, policy, matcher, c.scope);
        dnsfw_matcher_free(matcher);
        dnsfw_policy_free(policy);
        free_options(&o);
        if (fflush(stdout) != 0 && rc != EXIT_SYSTEM) {
            tool_warn("error writing the output");
            rc = EXIT_SYSTEM;
        }
        return rc;
    }
    /* --summary: the enforce-mode view of a tiered policy that observes. */
    struct summary sum = {.enforce = matcher};
    dnsfw_matcher *enforce = NULL;
    if (o.summary) {
        c.summary = &sum;
        if (info.tiered && info.mode != DNSFW_MODE_ENFORCE) {
            sum.would = true;
            if (dnsfw_policy_set_mode(policy, DNSFW_MODE_ENFORCE) != DNSFW_OK ||
                dnsfw_compile(policy, &enforce) != DNSFW_OK) {
                tool_warn("cannot compile the enforce-mode policy");
                dnsfw_matcher_free(matcher);
                dnsfw_policy_free(policy);
                free_options(&o);
                return EXIT_SYSTEM;
            }
            sum.enforce = enforce;
        }
    }
    c.brief = o.brief;
    dnsfw_policy_free(policy);
    free_options(&o);

    rc = EXIT_CLEAN;
    if (optind < argc) {
        for (int i = optind; i < argc && !c.nomem; i++)
            eval_argument(&c, argv[i], (size_t)(i - optind + 1));
        if (c.nomem) {
            tool_warn("out of memory");
            rc = EXIT_SYSTEM;
        }
    } else {
        rc = eval_stdin(&c);
    }
    if (c.summary && !rc)
        summary_print(&sum);
    if (fflush(stdout) != 0 && rc == EXIT_CLEAN) {
        tool_warn("error writing the output");
        rc = EXIT_SYSTEM;
    }
    for (size_t i = 0; i < SUMMARY_NAMES; i++)
        free(sum.names[i]);
    dnsfw_matcher_free(enforce);
    dnsfw_matcher_free(matcher);
    if (rc)
        return rc;
    if (c.invalid)
        return EXIT_INVALID;
    return c.blocked ? EXIT_BLOCKED : EXIT_CLEAN;
}
