/*
 * dnsfw-export: write a policy out for AWS (CloudFormation, AWS CLI documents,
 * Terraform, domain files) or for a resolver run by hand (unbound, RPZ, dnsmasq); read
 * a deployed configuration back (--import), and tell how it differs from the policy
 * (--diff). Contract §3; docs/export.md says what each format holds.
 *
 *   dnsfw-export [-p POLICY] --format FORMAT [--vpc-id VPC] [-o PATH] ...
 *   dnsfw-export --import DEPLOYED [--vpc-id VPC] [-o FILE]
 *   dnsfw-export [-p POLICY] --diff DEPLOYED [--vpc-id VPC] [--json]
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "diag.h"
#include "diff.h"
#include "export.h"
#include "import.h"
#include "outset.h"
#include "scope_map.h"
#include "strmap.h"

#include <cjson/cJSON.h>

static void usage(FILE *f)
{
    fprintf(f, "Usage: dnsfw-export [-p POLICY] --format FORMAT [--vpc-id VPC] [-o PATH]\n"
               "       dnsfw-export --import DEPLOYED [--vpc-id VPC] [-o FILE]\n"
               "       dnsfw-export [-p POLICY] --diff DEPLOYED [--vpc-id VPC] [--json]\n"
               "\n"
               "Write a Route 53 Resolver DNS Firewall policy out for AWS or for a resolver\n"
               "you run yourself, read a deployed configuration back, or compare the two.\n"
               "AWS's limits are checked before anything is written.\n"
               "\n"
               "Formats (-o PATH: a file, '-' or nothing for stdout; a directory for cli,\n"
               "domains, unbound, athena and duckdb):\n"
               "  cloudformation  a template: domain lists, rule groups with their rules,\n"
               "                  associations and the fail-open setting\n"
               "  cli             --cli-input-json documents for each route53resolver call,\n"
               "                  in order, and run.sh, which makes the calls\n"
               "  terraform       Terraform JSON with the aws_route53_resolver_firewall_*\n"
               "                  resources\n"
               "  domains         one file per domain list (the ImportFirewallDomains format)\n"
               "  unbound         unbound.conf with one RPZ zone per run of rules, and the zones\n"
               "  rpz             one response policy zone for the whole policy\n"
               "  dnsmasq         a dnsmasq configuration (needs --upstream)\n"
               "  athena          SQL for Amazon Athena over the query logs in S3: tables,\n"
               "                  the policy as data, the views (needs --s3-location, --vpc-id)\n"
               "  duckdb          the same views for DuckDB over local logs: run.sql (needs\n"
               "                  --log-path)\n"
               "\n"
               "  -p, --policy FILE        policy JSON ('-' = stdin); default: the platform's\n"
               "                           tiered policy with its built-in baseline\n"
               "      --mode MODE          observe or enforce (tiered policies only)\n"
               "      --max-policy-bytes N the policy and its list files (or DEPLOYED's\n"
               "                           files) may hold N bytes in all (K, M, G suffixes;\n"
               "                           default 64M)\n"
               "  -f, --format FORMAT      one of the formats above\n"
               "      --vpc-id VPC         the VPC to associate (default: a template parameter,\n"
               "                           a run.sh argument or a Terraform variable); with\n"
               "                           --import and --diff, the VPC whose associations count\n"
               "  -o, --output PATH        where to write\n"
               "      --force              write into a directory that is not empty\n"
               "      --fqdn               write domain specs with a trailing dot, as AWS\n"
               "                           stores them (default: without, see docs/export.md)\n"
               "      --fail-open-resource lambda|none\n"
               "                           cloudformation: set FirewallFailOpen with a\n"
               "                           Lambda-backed custom resource (default), or only\n"
               "                           record it in the template's Metadata\n"
               "      --max-domains N      the account's domain quota, if AWS raised it\n"
               "                           (default 100000)\n"
               "      --max-rules N        the rules-per-rule-group quota (default 100)\n"
               "      --upstream ADDR[#PORT]  dnsmasq: where names that resolve are sent\n");
    fprintf(f, "      --query-log-destination cloudwatch|s3|firehose|none\n"
               "                           cloudformation, cli, terraform: Resolver query\n"
               "                           logging for the VPC (default cloudwatch: a log\n"
               "                           group kept 30 days, as the platform deploys it);\n"
               "                           with --diff, the logging expected\n"
               "      --query-log-arn ARN  the S3 bucket or Firehose stream for s3 and firehose\n"
               "                           (default: a template parameter or a variable)\n"
               "      --s3-location S3URL  athena: the logs' .../AWSLogs/ACCOUNT/vpcdnsquerylogs/\n"
               "                           folder (the policy's data goes beside AWSLogs/)\n"
               "      --log-path GLOB      duckdb: the query logs to read (JSON lines, .gz)\n"
               "      --scope-map FILE     athena, duckdb: which repository each client is\n"
               "                           (as dnsfw-eval --scope-map), for per-repository counts\n"
               "      --psl FILE           athena, duckdb: the Public Suffix List (default\n"
               "                           /usr/share/publicsuffix/public_suffix_list.dat)\n"
               "\n"
               "  -i, --import DEPLOYED    read a deployed configuration (a CloudFormation\n"
               "                           template, or a directory of saved aws route53resolver\n"
               "                           outputs) and write it as a policy\n"
               "  -d, --diff DEPLOYED      print how DEPLOYED differs from the policy\n"
               "      --json               --diff: one JSON object per difference\n"
               "\n"
               "  -h, --help               show this help\n"
               "  -V, --version            show the version\n"
               "\n"
               "Exit status: 0 success (--diff: no difference), 1 --diff found differences,\n"
               "2 usage error, 3 invalid policy or input, or a limit AWS would refuse,\n"
               "4 I/O error.\n");
}

struct options {
    const char *policy, *mode, *format, *vpc, *output, *import, *diff, *upstream;
    const char *s3_location, *log_path, *scope_map, *psl;
    const char *query_log, *query_log_arn;
    const char *fail_open_resource;
    bool force, fqdn, json;
    unsigned long max_domains, max_rules;
    size_t max_policy_bytes; /* 0: the library's default */
};

static bool parse_ulong(const char *arg, const char *opt, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(arg, &end, 10);
    if (!*arg || *end || errno || v < 1 || v > 100000000ul || arg[0] == '-') {
        tool_warn("%s needs a whole number from 1, not \"%s\"", opt, arg);
        return false;
    }
    *out = v;
    return true;
}

static bool vpc_ok(const char *v)
{
    size_t n = strlen(v);
    if (strncmp(v, "vpc-", 4) != 0 || (n != 12 && n != 21))
        return false;
    return strspn(v + 4, "0123456789abcdef") == n - 4;
}

/* One VPC id, or with several a comma-separated list of them. */
static bool vpcs_ok(const char *v, bool several)
{
    char one[32];
    for (const char *p = v;;) {
        size_t n = strcspn(p, ",");
        if (n >= sizeof one || (!several && p[n]))
            return false;
        memcpy(one, p, n);
        one[n] = '\0';
        if (!vpc_ok(one))
            return false;
        if (!p[n])
            return true;
        p += n + 1;
    }
}

static bool upstream_ok(const char *u)
{
    return *u && strspn(u, "0123456789abcdefABCDEF.:#") == strlen(u) && u[0] != '#';
}

static const struct {
    const char *name;
    enum export_format format;
} formats[] = {
    {"cloudformation", FMT_CLOUDFORMATION},
    {"cfn", FMT_CLOUDFORMATION},
    {"cli", FMT_CLI},
    {"terraform", FMT_TERRAFORM},
    {"domains", FMT_DOMAINS},
    {"unbound", FMT_UNBOUND},
    {"rpz", FMT_RPZ},
    {"dnsmasq", FMT_DNSMASQ},
    {"athena", FMT_ATHENA},
    {"duckdb", FMT_DUCKDB},
};

static int buf_write(void *ud, const char *data, size_t len)
{
    buf_put(ud, data, len);
    return ((struct buf *)ud)->failed ? -1 : 0;
}

static uint64_t hash_policy(const dnsfw_policy *p)
{
    struct buf b = {0};
    uint64_t h = EXPORT_HASH_INIT;
    if (dnsfw_policy_dump_json(p, buf_write, &b) == DNSFW_OK)
        h = export_hash(h, b.data, b.len);
    buf_free(&b);
    return h;
}

/* The query logging the exports write and --diff expects: the platform's CloudWatch Logs
 * group unless --query-log-destination says otherwise. */
static int apply_query_log(const struct options *op, struct fw_model *m)
{
    struct fw_query_log *q = &m->query_log;
    if (op->query_log)
        q->dest = (enum fw_query_log_dest)fw_parse_query_log_dest(op->query_log);
    if (q->dest == FW_QUERY_LOG_NONE)
        q->associated = false;
    if (!fw_set_string(&q->arn, op->query_log_arn)) {
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    return EXIT_CLEAN;
}

/* --query-log-arn: an S3 bucket (and prefix) or a Firehose delivery stream. */
static bool query_log_arn_ok(const char *dest, const char *arn)
{
    const char *p = strncmp(arn, "arn:", 4) == 0 ? strchr(arn + 4, ':') : NULL;
    if (!p || strpbrk(arn, "\"'\\ \t\n"))
        return false;
    if (strcmp(dest, "s3") == 0)
        return strncmp(p, ":s3:::", 6) == 0 && p[6];
    if (strcmp(dest, "firehose") == 0)
        return strncmp(p, ":firehose:", 10) == 0 && strstr(p, ":deliverystream/");
    return false;
}

/* The tiered form's repositories and their own allowlists (with their presets' hosts),
 * from the policy's JSON. */
static int sql_scopes(const dnsfw_policy *p, struct sql_scope **out, size_t *n)
{
    struct buf b = {0};
    *out = NULL;
    *n = 0;
    if (dnsfw_policy_dump_json(p, buf_write, &b) != DNSFW_OK) {
        buf_free(&b);
        return -1;
    }
    cJSON *root = cJSON_ParseWithLength(b.data, b.len);
    buf_free(&b);
    const cJSON *bps = cJSON_GetObjectItemCaseSensitive(root, "blueprints");
    int rc = root ? 0 : -1;
    size_t count = (size_t)cJSON_GetArraySize(bps);
    struct sql_scope *sc = calloc(count + 1, sizeof *sc);
    if (!sc)
        rc = -1;
    const cJSON *bp;
    cJSON_ArrayForEach(bp, bps)
    {
        if (rc)
            break;
        const cJSON *repo = cJSON_GetObjectItemCaseSensitive(bp, "repo");
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(bp, "egress_allowlist");
        struct fw_list l = {0};
        const cJSON *e;
        cJSON_ArrayForEach(e, list)
        {
            if (cJSON_IsString(e) &&
                fw_list_add_spec(&l, e->valuestring, strlen(e->valuestring), NULL) == DNSFW_ENOMEM)
                rc = -1;
        }
        /* the dump names a blueprint's presets instead of writing their hosts out */
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(bp, "presets"))
        {
            size_t preset;
            dnsfw_preset_host h;
            if (!cJSON_IsString(e) || dnsfw_preset_find(e->valuestring, &preset) != DNSFW_OK)
                continue; /* the policy loaded: its presets exist */
            for (size_t k = 0; dnsfw_preset_get_host(preset, k, &h) == DNSFW_OK; k++)
                if (fw_list_add_spec(&l, h.spec, strlen(h.spec), NULL) == DNSFW_ENOMEM)
                    rc = -1;
        }
        if (!l.n_specs && fw_list_add_spec(&l, FW_PLACEHOLDER, strlen(FW_PLACEHOLDER), NULL))
            rc = -1;
        strmap_free(&l.seen, NULL);
        sc[*n].repo = cJSON_IsString(repo) ? strdup(repo->valuestring) : NULL;
        sc[*n].specs = l.specs;
        sc[*n].n_specs = l.n_specs;
        if (!sc[(*n)++].repo)
            rc = -1;
    }
    cJSON_Delete(root);
    *out = sc;
    return rc;
}

static void sql_scopes_free(struct sql_scope *sc, size_t n)
{
    for (size_t i = 0; sc && i < n; i++) {
        for (size_t j = 0; j < sc[i].n_specs; j++)
            free(sc[i].specs[j]);
        free(sc[i].specs);
        free((char *)sc[i].repo);
    }
    free(sc);
}

static int run_sql(const struct options *op, dnsfw_policy *p, const struct fw_model *m,
                   const struct export_opts *o, bool athena, struct outset *out)
{
    if (athena && (!op->s3_location || !op->vpc)) {
        tool_warn("the athena format needs --s3-location (the logs' .../vpcdnsquerylogs/ "
                  "folder in S3) and --vpc-id (the VPCs whose logs it reads)");
        return EXIT_USAGE;
    }
    if (!athena && !op->log_path) {
        tool_warn("the duckdb format needs --log-path GLOB: the query logs to read");
        return EXIT_USAGE;
    }
    dnsfw_policy_info info;
    dnsfw_policy_get_info(p, &info);
    struct fw_model enforce;
    struct sql_scope *scopes = NULL;
    size_t n_scopes = 0;
    struct scope_map *map = NULL;
    int rc = EXIT_CLEAN;
    if (info.tiered)
        dnsfw_policy_set_mode(p, DNSFW_MODE_ENFORCE);
    if (fw_model_from_policy(p, &enforce) || (info.tiered && sql_scopes(p, &scopes, &n_scopes)))
        rc = EXIT_SYSTEM;
    if (info.tiered)
        dnsfw_policy_set_mode(p, info.mode);
    if (!rc && op->scope_map)
        rc = scope_map_load(op->scope_map, &map);
    if (!rc) {
        struct sql_input in = {
            .model = m,
            .enforce = &enforce,
            .scoped_list = "blueprint-additional",
            .scopes = scopes,
            .n_scopes = n_scopes,
            .scope_map = map,
            .scope_map_path = op->scope_map,
            .psl_path = op->psl ? op->psl : "/usr/share/publicsuffix/public_suffix_list.dat",
            .log_path = op->log_path,
            .s3_location = op->s3_location,
            .vpc_ids = op->vpc,
            .output_dir = op->output,
        };
        rc = export_sql(&in, o, athena, out);
    } else if (rc == EXIT_SYSTEM) {
        tool_warn("out of memory");
    }
    scope_map_free(map);
    sql_scopes_free(scopes, n_scopes);
    fw_model_free(&enforce);
    return rc;
}

/* The first option given that only the SQL formats take, or NULL. */
static const char *sql_option(const struct options *op)
{
    return op->s3_location ? "--s3-location"
           : op->log_path  ? "--log-path"
           : op->scope_map ? "--scope-map"
           : op->psl       ? "--psl"
                           : NULL;
}

static int run_export(const struct options *op, dnsfw_policy *p)
{
    enum export_format fmt = FMT_CLOUDFORMATION;
    size_t i = 0;
    for (; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(formats[i].name, op->format) == 0)
            break;
    if (i == sizeof formats / sizeof formats[0]) {
        tool_warn("unknown format \"%s\" (cloudformation, cli, terraform, domains, unbound, "
                  "rpz, dnsmasq, athena, duckdb)",
                  op->format);
        return EXIT_USAGE;
    }
    fmt = formats[i].format;
    bool logging = fmt == FMT_CLOUDFORMATION || fmt == FMT_CLI || fmt == FMT_TERRAFORM;
    const char *misplaced = !logging && op->query_log_arn ? "--query-log-arn"
                            : !logging && op->query_log   ? "--query-log-destination"
                                                          : NULL;
    if (misplaced) {
        tool_warn("%s is for the cloudformation, cli and terraform formats", misplaced);
        return EXIT_USAGE;
    }
    if (fmt != FMT_ATHENA && fmt != FMT_DUCKDB && (misplaced = sql_option(op))) {
        tool_warn("%s is for the athena and duckdb formats", misplaced);
        return EXIT_USAGE;
    }
    if (fmt == FMT_DNSMASQ && !op->upstream) {
        tool_warn("the dnsmasq format needs --upstream ADDR[#PORT]: the server that resolves "
                  "the names the policy lets through");
        return EXIT_USAGE;
    }
    struct export_opts o = {
        .vpc_id = op->vpc,
        .fqdn = op->fqdn,
        .fail_open_resource = op->fail_open_resource && strcmp(op->fail_open_resource, "none") == 0
                                  ? FAIL_OPEN_NONE
                                  : FAIL_OPEN_LAMBDA,
        .max_domains = op->max_domains ? op->max_domains : AWS_DOMAINS_QUOTA,
        .max_rules = op->max_rules ? op->max_rules : AWS_RULES_QUOTA,
        .upstream = op->upstream,
        .policy_hash = hash_policy(p),
    };
    struct fw_model m;
    if (fw_model_from_policy(p, &m)) {
        fw_model_free(&m);
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    if (apply_query_log(op, &m)) {
        fw_model_free(&m);
        return EXIT_SYSTEM;
    }
    if (fmt == FMT_CLI && !op->query_log_arn &&
        (m.query_log.dest == FW_QUERY_LOG_S3 || m.query_log.dest == FW_QUERY_LOG_FIREHOSE)) {
        fw_model_free(&m);
        tool_warn("the cli format needs --query-log-arn with --query-log-destination %s",
                  op->query_log);
        return EXIT_USAGE;
    }
    bool aws =
        fmt == FMT_CLOUDFORMATION || fmt == FMT_CLI || fmt == FMT_TERRAFORM || fmt == FMT_DOMAINS;
    if (aws && export_check_limits(&m, fmt, &o)) {
        fw_model_free(&m);
        return EXIT_INVALID;
    }
    struct outset out = {0};
    int rc = -1;
    switch (fmt) {
    case FMT_CLOUDFORMATION:
        rc = export_cloudformation(&m, &o, &out);
        break;
    case FMT_CLI:
        rc = export_cli(&m, &o, &out);
        break;
    case FMT_TERRAFORM:
        rc = export_terraform(&m, &o, &out);
        break;
    case FMT_DOMAINS:
        rc = export_domains(&m, &o, &out);
        break;
    case FMT_UNBOUND:
        rc = export_unbound(&m, &o, &out);
        break;
    case FMT_RPZ:
        rc = export_rpz(&m, &o, &out);
        break;
    case FMT_DNSMASQ:
        rc = export_dnsmasq(&m, &o, &out);
        break;
    case FMT_ATHENA:
    case FMT_DUCKDB:
        rc = run_sql(op, p, &m, &o, fmt == FMT_ATHENA, &out);
        if (rc) {
            fw_model_free(&m);
            outset_free(&out);
            return rc;
        }
        break;
    }
    fw_model_free(&m);
    if (rc || outset_failed(&out)) {
        outset_free(&out);
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    rc = outset_write(&out, export_format_is_dir(fmt), op->output, op->force);
    outset_free(&out);
    return rc;
}

static int file_write(void *ud, const char *data, size_t len)
{
    return fwrite(data, 1, len, ud) == len ? 0 : -1;
}

static int run_import(const struct options *op)
{
    struct fw_model m;
    dnsfw_policy *p = NULL;
    int rc = import_path(op->import, op->vpc, op->max_policy_bytes, &m);
    if (!rc && m.fail_open < 0)
        tool_warn("%s: FirewallFailOpen could not be determined; the policy says \"fail_open\": "
                  "false (AWS's default): check it before you deploy",
                  op->import);
    if (!rc) {
        int st = fw_model_to_policy(&m, &p);
        rc = st == DNSFW_ENOMEM ? EXIT_SYSTEM : st ? EXIT_INVALID : EXIT_CLEAN;
    }
    fw_model_free(&m);
    if (rc)
        return rc;
    bool to_stdout = !op->output || strcmp(op->output, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(op->output, "wb");
    if (!f) {
        tool_warn("cannot write %s: %s", op->output, strerror(errno));
        dnsfw_policy_free(p);
        return EXIT_SYSTEM;
    }
    int st = dnsfw_policy_dump_json(p, file_write, f);
    bool ok = st == DNSFW_OK && fflush(f) == 0;
    if (!to_stdout)
        ok &= fclose(f) == 0;
    dnsfw_policy_free(p);
    if (!ok) {
        tool_warn("cannot write %s: %s", to_stdout ? "stdout" : op->output, strerror(errno));
        return EXIT_SYSTEM;
    }
    return EXIT_CLEAN;
}

static int run_diff(const struct options *op, const dnsfw_policy *p)
{
    struct fw_model want, have;
    if (fw_model_from_policy(p, &want) || apply_query_log(op, &want)) {
        fw_model_free(&want);
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    int rc = import_path(op->diff, op->vpc, op->max_policy_bytes, &have);
    if (!rc) {
        size_t n = fw_diff(&want, &have, op->json, stdout);
        if (n == SIZE_MAX)
            rc = EXIT_SYSTEM;
        else if (n) {
            tool_warn("%zu difference%s between %s and %s", n, n == 1 ? "" : "s",
                      op->policy ? op->policy : "the built-in policy", op->diff);
            rc = 1;
        }
    }
    fw_model_free(&want);
    fw_model_free(&have);
    if (fflush(stdout) != 0) {
        tool_warn("cannot write to stdout: %s", strerror(errno));
        return EXIT_SYSTEM;
    }
    return rc;
}

enum {
    OPT_MODE = 256,
    OPT_VPC,
    OPT_FORCE,
    OPT_FQDN,
    OPT_FAIL_OPEN_RESOURCE,
    OPT_MAX_DOMAINS,
    OPT_MAX_RULES,
    OPT_UPSTREAM,
    OPT_JSON,
    OPT_MAX_POLICY_BYTES,
    OPT_S3_LOCATION,
    OPT_LOG_PATH,
    OPT_SCOPE_MAP,
    OPT_PSL,
    OPT_QUERY_LOG,
    OPT_QUERY_LOG_ARN,
};

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"policy", required_argument, NULL, 'p'},
        {"mode", required_argument, NULL, OPT_MODE},
        {"format", required_argument, NULL, 'f'},
        {"vpc-id", required_argument, NULL, OPT_VPC},
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, OPT_FORCE},
        {"fqdn", no_argument, NULL, OPT_FQDN},
        {"fail-open-resource", required_argument, NULL, OPT_FAIL_OPEN_RESOURCE},
        {"max-domains", required_argument, NULL, OPT_MAX_DOMAINS},
        {"max-rules", required_argument, NULL, OPT_MAX_RULES},
        {"upstream", required_argument, NULL, OPT_UPSTREAM},
        {"import", required_argument, NULL, 'i'},
        {"diff", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, OPT_JSON},
        {"max-policy-bytes", required_argument, NULL, OPT_MAX_POLICY_BYTES},
        {"s3-location", required_argument, NULL, OPT_S3_LOCATION},
        {"log-path", required_argument, NULL, OPT_LOG_PATH},
        {"scope-map", required_argument, NULL, OPT_SCOPE_MAP},
        {"psl", required_argument, NULL, OPT_PSL},
        {"query-log-destination", required_argument, NULL, OPT_QUERY_LOG},
        {"query-log-arn", required_argument, NULL, OPT_QUERY_LOG_ARN},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct options op = {0};
    tool_set_name("dnsfw-export");
    for (int c; (c = getopt_long(argc, argv, "p:f:o:i:d:hV", longopts, NULL)) != -1;) {
        switch (c) {
        case 'p':
            op.policy = optarg;
            break;
        case OPT_MODE:
            op.mode = optarg;
            break;
        case 'f':
            op.format = optarg;
            break;
        case OPT_VPC:
            op.vpc = optarg;
            break;
        case 'o':
            op.output = optarg;
            break;
        case OPT_FORCE:
            op.force = true;
            break;
        case OPT_FQDN:
            op.fqdn = true;
            break;
        case OPT_FAIL_OPEN_RESOURCE:
            op.fail_open_resource = optarg;
            break;
        case OPT_MAX_DOMAINS:
            if (!parse_ulong(optarg, "--max-domains", &op.max_domains))
                return EXIT_USAGE;
            break;
        case OPT_MAX_RULES:
            if (!parse_ulong(optarg, "--max-rules", &op.max_rules))
                return EXIT_USAGE;
            break;
        case OPT_UPSTREAM:
            op.upstream = optarg;
            break;
        case 'i':
            op.import = optarg;
            break;
        case 'd':
            op.diff = optarg;
            break;
        case OPT_JSON:
            op.json = true;
            break;
        case OPT_MAX_POLICY_BYTES:
            if (!tool_parse_size(optarg, "--max-policy-bytes", &op.max_policy_bytes))
                return EXIT_USAGE;
            break;
        case OPT_S3_LOCATION:
            op.s3_location = optarg;
            break;
        case OPT_LOG_PATH:
            op.log_path = optarg;
            break;
        case OPT_SCOPE_MAP:
            op.scope_map = optarg;
            break;
        case OPT_PSL:
            op.psl = optarg;
            break;
        case OPT_QUERY_LOG:
            op.query_log = optarg;
            break;
        case OPT_QUERY_LOG_ARN:
            op.query_log_arn = optarg;
            break;
        case 'h':
            usage(stdout);
            return tool_finish_stdout();
        case 'V':
            tool_print_version();
            return tool_finish_stdout();
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        tool_warn("unexpected argument \"%s\"", argv[optind]);
        return EXIT_USAGE;
    }
    int actions = !!op.format + !!op.import + !!op.diff;
    if (actions != 1) {
        tool_warn(actions ? "--format, --import and --diff exclude each other"
                          : "say what to do: --format FORMAT, --import DEPLOYED or --diff "
                            "DEPLOYED (--help for more)");
        return EXIT_USAGE;
    }
    if (op.vpc && !vpcs_ok(op.vpc, op.format && strcmp(op.format, "athena") == 0)) {
        tool_warn("--vpc-id must look like vpc- and 8 or 17 hexadecimal digits (athena: "
                  "several, separated by commas), not \"%s\"",
                  op.vpc);
        return EXIT_USAGE;
    }
    if (op.query_log &&
        (fw_parse_query_log_dest(op.query_log) < 0 || strcmp(op.query_log, "unknown") == 0)) {
        tool_warn("--query-log-destination must be cloudwatch, s3, firehose or none, not \"%s\"",
                  op.query_log);
        return EXIT_USAGE;
    }
    if (op.query_log_arn &&
        !query_log_arn_ok(op.query_log ? op.query_log : "cloudwatch", op.query_log_arn)) {
        tool_warn("--query-log-arn goes with --query-log-destination s3 (arn:aws:s3:::BUCKET) "
                  "or firehose (arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME), not "
                  "\"%s\"",
                  op.query_log_arn);
        return EXIT_USAGE;
    }
    if (op.s3_location && (strncmp(op.s3_location, "s3://", 5) != 0 || !op.s3_location[5] ||
                           strpbrk(op.s3_location, "'\\ \t\n"))) {
        tool_warn("--s3-location must be an s3://BUCKET/... URL, not \"%s\"", op.s3_location);
        return EXIT_USAGE;
    }
    if (op.upstream && !upstream_ok(op.upstream)) {
        tool_warn("--upstream must be an IP address with an optional #PORT, not \"%s\"",
                  op.upstream);
        return EXIT_USAGE;
    }
    if (op.fail_open_resource && strcmp(op.fail_open_resource, "lambda") != 0 &&
        strcmp(op.fail_open_resource, "none") != 0) {
        tool_warn("--fail-open-resource must be lambda or none, not \"%s\"", op.fail_open_resource);
        return EXIT_USAGE;
    }
    if ((op.import || op.diff) && sql_option(&op)) {
        tool_warn("%s is for the athena and duckdb formats", sql_option(&op));
        return EXIT_USAGE;
    }
    if (op.import) {
        if (op.query_log || op.query_log_arn) {
            tool_warn("--import reads the query logging from DEPLOYED: drop "
                      "--query-log-destination and --query-log-arn");
            return EXIT_USAGE;
        }
        if (op.policy || op.mode) {
            tool_warn("--import reads DEPLOYED, not a policy: drop -p and --mode");
            return EXIT_USAGE;
        }
        return run_import(&op);
    }
    dnsfw_policy *p;
    dnsfw_load_limits limits = {.max_bytes = op.max_policy_bytes};
    int rc = tool_load_policy_limited(op.policy, op.mode, &limits, &p);
    if (rc)
        return rc;
    rc = op.diff ? run_diff(&op, p) : run_export(&op, p);
    dnsfw_policy_free(p);
    return rc;
}
