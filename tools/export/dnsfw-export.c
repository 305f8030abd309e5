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
               "domains and unbound):\n"
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
               "      --upstream ADDR[#PORT]  dnsmasq: where names that resolve are sent\n"
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

static int run_export(const struct options *op, const dnsfw_policy *p)
{
    enum export_format fmt = FMT_CLOUDFORMATION;
    size_t i = 0;
    for (; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(formats[i].name, op->format) == 0)
            break;
    if (i == sizeof formats / sizeof formats[0]) {
        tool_warn("unknown format \"%s\" (cloudformation, cli, terraform, domains, unbound, "
                  "rpz, dnsmasq)",
                  op->format);
        return EXIT_USAGE;
    }
    fmt = formats[i].format;
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
    if (fw_model_from_policy(p, &want)) {
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
    if (op.vpc && !vpc_ok(op.vpc)) {
        tool_warn("--vpc-id must look like vpc- and 8 or 17 hexadecimal digits, not \"%s\"",
                  op.vpc);
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
    if (op.import) {
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
