/*
 * dnsfw-serve: a DNS firewall that answers blocked queries locally and forwards the rest
 * (contract §4; docs/serve.md, dnsfw-serve(8)).
 *
 *   dnsfw-serve [-p POLICY] --listen ADDR:PORT [--listen ...] --upstream ADDR:PORT
 *               [--query-log FILE] [--scope-map FILE] [--mode MODE] ...
 *
 * This file reads the options, loads the first policy and starts the query log; the
 * event loop is loop.c.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "serve.h"

static void usage(FILE *f)
{
    fprintf(f, "Usage: dnsfw-serve [-p POLICY] --listen ADDR:PORT [--listen ADDR:PORT ...]\n"
               "                   --upstream ADDR:PORT [--query-log FILE] [--scope-map FILE]\n"
               "                   [OPTIONS]\n"
               "\n"
               "A DNS firewall: answers each UDP and TCP query according to a Route 53 DNS\n"
               "Firewall policy. BLOCK is answered here with the rule's response (NODATA,\n"
               "NXDOMAIN or OVERRIDE); ALLOW, ALERT and unmatched queries are forwarded to the\n"
               "upstream resolver and its answer relayed, unless its CNAME chain reaches a\n"
               "blocked name. SIGHUP reloads the policy (and reopens the query log); SIGUSR1\n"
               "writes the statistics to stderr; SIGTERM and SIGINT stop the server.\n"
               "\n"
               "  -p, --policy FILE        policy JSON ('-' = stdin, not reloadable); default:\n"
               "                           the platform's tiered policy, observe mode\n"
               "      --mode MODE          observe or enforce (tiered policies only)\n"
               "      --listen ADDR:PORT   listen on UDP and TCP; IPv6 as [::1]:5353; port 0\n"
               "                           picks a free one; repeat for more addresses\n"
               "      --upstream ADDR:PORT the resolver to forward to (port default 53)\n"
               "      --query-log FILE     one Route 53 query-log JSON record per query ('-' =\n"
               "                           stdout); dnsfw-eval --log replays it\n"
               "      --log-account-id ID  account_id of the records (default 000000000000)\n"
               "      --log-region NAME    region of the records (default local)\n"
               "      --log-vpc-id ID      vpc_id of the records (default vpc-local)\n"
               "      --log-queue N        records waiting for the writer before new ones are\n"
               "                           dropped and counted (default 65536)\n"
               "      --scope-map FILE     client address or CIDR -> repository, a line each:\n"
               "                           each client is held to the baseline and its own\n"
               "                           repository's allowlist\n"
               "      --fail-mode MODE     open or closed: what to do when no policy can be\n"
               "                           applied (default: the policy's fail_open)\n"
               "      --timeout SEC        upstream timeout, then SERVFAIL (default 2)\n"
               "      --soa-ttl SEC        add a synthetic SOA with this TTL to NODATA and\n"
               "                           NXDOMAIN responses (default: no SOA)\n"
               "      --edns-size N        UDP payload size in our OPT records (default 1232)\n"
               "      --max-inflight N     queries waiting for the upstream (default 4096)\n"
               "      --max-tcp N          TCP client connections (default 256)\n"
               "      --tcp-pipeline N     unanswered queries per TCP connection (default 64)\n"
               "      --tcp-idle SEC       idle TCP connections are closed (default 10)\n"
               "      --upstream-sockets N UDP sockets to the upstream (default 4)\n");
    fprintf(f, "\n"
               "Running on a network (docs/serve.md):\n"
               "      --allow CIDR         answer these clients only (repeat; default:\n"
               "                           loopback and the listening interfaces' networks);\n"
               "                           others get REFUSED\n"
               "      --rate-limit N       UDP queries a second per client, beyond which\n"
               "                           queries are dropped (default 0: no limit)\n"
               "      --slip N             every Nth rate-limited query gets a truncated (TC)\n"
               "                           answer instead, so real clients retry over TCP\n"
               "                           (default 2; 0: none)\n"
               "      --client-inflight N  one client's queries waiting for the upstream\n"
               "                           once less than a quarter of --max-inflight is\n"
               "                           free (default: --max-inflight / 16)\n"
               "      --tcp-per-client N   one client's TCP connections (default: --max-tcp\n"
               "                           / 16)\n"
               "      --client-prefix V4/V6  what one client is: an address prefix of V4\n"
               "                           (1-32) or V6 (1-64) bits (default 32/64)\n"
               "      --tcp-query-timeout SEC  a TCP query must arrive whole within this\n"
               "                           (default 3)\n"
               "      --max-policy-bytes N the policy and its list files may hold N bytes in\n"
               "                           all (K, M, G suffixes; default 64M)\n"
               "      --reload-timeout SEC reading and compiling a policy may take this long;\n"
               "                           a reload that does not end is abandoned (default\n"
               "                           30)\n"
               "      --policy-any-file    read FIFOs and devices as policy and list files\n"
               "                           (default: regular files only)\n"
               "      --user USER          after binding, run as USER (name or number)\n"
               "      --group GROUP        ... and as GROUP (default: USER's group)\n"
               "      --stats [ADDR:]PORT  serve statistics in Prometheus text format over\n"
               "                           HTTP (ADDR default 127.0.0.1); SIGUSR1 writes them\n"
               "                           to stderr\n"
               "\n"
               "  -h, --help               show this help\n"
               "  -V, --version            show the version\n"
               "\n"
               "Exit status: 0 stopped by a signal, 2 usage error, 3 invalid policy or scope\n"
               "map, 4 I/O or system error (e.g. an address cannot be bound).\n");
}

/* "1.2.3.4:53", "[::1]:53", "::1" or "1.2.3.4" (port default_port when absent). */
static bool parse_addr(const char *text, int default_port, struct serve_addr *out)
{
    char host[128];
    const char *port = NULL;
    size_t n = strlen(text);
    if (n == 0 || n >= sizeof host)
        return false;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || (close[1] && close[1] != ':'))
            return false;
        n = (size_t)(close - text - 1);
        memcpy(host, text + 1, n);
        host[n] = '\0';
        port = close[1] ? close + 2 : NULL;
    } else {
        const char *colon = strrchr(text, ':');
        if (colon && strchr(text, ':') == colon) { /* one colon: IPv4 with a port */
            n = (size_t)(colon - text);
            port = colon + 1;
        }
        memcpy(host, text, n);
        host[n] = '\0';
    }
    long p = default_port;
    if (port) {
        char *end;
        p = strtol(port, &end, 10);
        if (!*port || *end || p < 0 || p > 65535)
            return false;
    }
    if (p < 0)
        return false;
    memset(out, 0, sizeof *out);
    struct sockaddr_in *s4 = (struct sockaddr_in *)&out->ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->ss;
    if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)p);
        out->len = sizeof *s4;
        return true;
    }
    if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)p);
        out->len = sizeof *s6;
        return true;
    }
    return false;
}

static bool parse_uint(const char *arg, const char *opt, unsigned long min, unsigned long max,
                       unsigned long *out)
{
    char *end;
    unsigned long v = strtoul(arg, &end, 10);
    if (!*arg || *end || arg[0] == '-' || v < min || v > max) {
        tool_warn("%s needs a whole number from %lu to %lu, not \"%s\"", opt, min, max, arg);
        return false;
    }
    *out = v;
    return true;
}

static bool parse_seconds(const char *arg, const char *opt, double min, double max, unsigned *ms)
{
    char *end;
    double v = strtod(arg, &end);
    if (!*arg || *end || !(v >= min && v <= max)) {
        tool_warn("%s needs seconds from %g to %g, not \"%s\"", opt, min, max, arg);
        return false;
    }
    *ms = (unsigned)(v * 1000 + 0.5);
    return true;
}

/* "24/56": the client prefixes of --client-prefix. */
static bool parse_prefixes(const char *arg, struct serve_config *c)
{
    char *end;
    unsigned long v4 = strtoul(arg, &end, 10), v6 = 0;
    bool ok = end != arg && *end == '/' && arg[0] != '-';
    if (ok) {
        const char *p6 = end + 1;
        v6 = strtoul(p6, &end, 10);
        ok = end != p6 && !*end && *p6 != '-';
    }
    if (!ok || v4 < 1 || v4 > 32 || v6 < 1 || v6 > 64) {
        tool_warn("--client-prefix needs V4/V6 prefix lengths (1-32 and 1-64), not \"%s\"", arg);
        return false;
    }
    c->prefix4 = (unsigned)v4;
    c->prefix6 = (unsigned)v6;
    return true;
}

/* --stats: "PORT" (on 127.0.0.1) or "ADDR:PORT"; port 0 picks a free one. */
static bool parse_stats(const char *arg, struct serve_addr *out)
{
    if (strspn(arg, "0123456789") == strlen(arg)) {
        char buf[32];
        snprintf(buf, sizeof buf, "127.0.0.1:%.8s", arg);
        return parse_addr(buf, -1, out);
    }
    return parse_addr(arg, -1, out);
}

/* Returns -1 to go on, or the exit code. */
static int parse_options(int argc, char **argv, struct serve_config *c)
{
    enum {
        OPT_MODE = 256,
        OPT_LISTEN,
        OPT_UPSTREAM,
        OPT_QUERY_LOG,
        OPT_LOG_ACCOUNT,
        OPT_LOG_REGION,
        OPT_LOG_VPC,
        OPT_LOG_QUEUE,
        OPT_SCOPE_MAP,
        OPT_FAIL_MODE,
        OPT_TIMEOUT,
        OPT_SOA_TTL,
        OPT_EDNS_SIZE,
        OPT_MAX_INFLIGHT,
        OPT_MAX_TCP,
        OPT_TCP_PIPELINE,
        OPT_TCP_IDLE,
        OPT_UPSTREAM_SOCKETS,
        OPT_ALLOW,
        OPT_RATE_LIMIT,
        OPT_SLIP,
        OPT_CLIENT_INFLIGHT,
        OPT_TCP_PER_CLIENT,
        OPT_CLIENT_PREFIX,
        OPT_TCP_QUERY_TIMEOUT,
        OPT_MAX_POLICY_BYTES,
        OPT_RELOAD_TIMEOUT,
        OPT_POLICY_ANY_FILE,
        OPT_USER,
        OPT_GROUP,
        OPT_STATS,
    };
    static const struct option opts[] = {
        {"policy", required_argument, NULL, 'p'},
        {"mode", required_argument, NULL, OPT_MODE},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"upstream", required_argument, NULL, OPT_UPSTREAM},
        {"query-log", required_argument, NULL, OPT_QUERY_LOG},
        {"log-account-id", required_argument, NULL, OPT_LOG_ACCOUNT},
        {"log-region", required_argument, NULL, OPT_LOG_REGION},
        {"log-vpc-id", required_argument, NULL, OPT_LOG_VPC},
        {"log-queue", required_argument, NULL, OPT_LOG_QUEUE},
        {"scope-map", required_argument, NULL, OPT_SCOPE_MAP},
        {"fail-mode", required_argument, NULL, OPT_FAIL_MODE},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"soa-ttl", required_argument, NULL, OPT_SOA_TTL},
        {"edns-size", required_argument, NULL, OPT_EDNS_SIZE},
        {"max-inflight", required_argument, NULL, OPT_MAX_INFLIGHT},
        {"max-tcp", required_argument, NULL, OPT_MAX_TCP},
        {"tcp-pipeline", required_argument, NULL, OPT_TCP_PIPELINE},
        {"tcp-idle", required_argument, NULL, OPT_TCP_IDLE},
        {"upstream-sockets", required_argument, NULL, OPT_UPSTREAM_SOCKETS},
        {"allow", required_argument, NULL, OPT_ALLOW},
        {"rate-limit", required_argument, NULL, OPT_RATE_LIMIT},
        {"slip", required_argument, NULL, OPT_SLIP},
        {"client-inflight", required_argument, NULL, OPT_CLIENT_INFLIGHT},
        {"tcp-per-client", required_argument, NULL, OPT_TCP_PER_CLIENT},
        {"client-prefix", required_argument, NULL, OPT_CLIENT_PREFIX},
        {"tcp-query-timeout", required_argument, NULL, OPT_TCP_QUERY_TIMEOUT},
        {"max-policy-bytes", required_argument, NULL, OPT_MAX_POLICY_BYTES},
        {"reload-timeout", required_argument, NULL, OPT_RELOAD_TIMEOUT},
        {"policy-any-file", no_argument, NULL, OPT_POLICY_ANY_FILE},
        {"user", required_argument, NULL, OPT_USER},
        {"group", required_argument, NULL, OPT_GROUP},
        {"stats", required_argument, NULL, OPT_STATS},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    bool have_upstream = false;
    unsigned long v;
    int opt;
    while ((opt = getopt_long(argc, argv, "p:hV", opts, NULL)) != -1) {
        switch (opt) {
        case 'p':
            c->policy = optarg;
            break;
        case OPT_MODE:
            c->mode = optarg;
            break;
        case OPT_LISTEN:
            if (!parse_addr(optarg, -1, &c->listen[c->n_listen])) {
                tool_warn("--listen needs ADDR:PORT (IPv6 as [ADDR]:PORT), not \"%s\"", optarg);
                return EXIT_USAGE;
            }
            c->n_listen++;
            break;
        case OPT_UPSTREAM:
            if (!parse_addr(optarg, 53, &c->upstream) ||
                (c->upstream.ss.ss_family == AF_INET
                     ? ((struct sockaddr_in *)&c->upstream.ss)->sin_port == 0
                     : ((struct sockaddr_in6 *)&c->upstream.ss)->sin6_port == 0)) {
                tool_warn("--upstream needs ADDR[:PORT] (IPv6 as [ADDR]:PORT), not \"%s\"", optarg);
                return EXIT_USAGE;
            }
            have_upstream = true;
            break;
        case OPT_QUERY_LOG:
            c->query_log = optarg;
            break;
        case OPT_LOG_ACCOUNT:
            c->account_id = optarg;
            break;
        case OPT_LOG_REGION:
            c->region = optarg;
            break;
        case OPT_LOG_VPC:
            c->vpc_id = optarg;
            break;
        case OPT_LOG_QUEUE:
            if (!parse_uint(optarg, "--log-queue", 1, 10000000, &v))
                return EXIT_USAGE;
            c->log_queue = (unsigned)v;
            break;
        case OPT_SCOPE_MAP:
            c->scope_map = optarg;
            break;
        case OPT_FAIL_MODE:
            if (strcmp(optarg, "open") == 0) {
                c->fail_open = 1;
            } else if (strcmp(optarg, "closed") == 0) {
                c->fail_open = 0;
            } else {
                tool_warn("--fail-mode must be open or closed, not \"%s\"", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_TIMEOUT:
            if (!parse_seconds(optarg, "--timeout", 0.01, 60, &c->timeout_ms))
                return EXIT_USAGE;
            break;
        case OPT_SOA_TTL:
            if (!parse_uint(optarg, "--soa-ttl", 0, 604800, &v))
                return EXIT_USAGE;
            c->soa = true;
            c->soa_ttl = (uint32_t)v;
            break;
        case OPT_EDNS_SIZE:
            if (!parse_uint(optarg, "--edns-size", 512, 65535, &v))
                return EXIT_USAGE;
            c->edns_size = (uint16_t)v;
            break;
        case OPT_MAX_INFLIGHT:
            if (!parse_uint(optarg, "--max-inflight", 1, 1000000, &v))
                return EXIT_USAGE;
            c->max_inflight = (unsigned)v;
            break;
        case OPT_MAX_TCP:
            if (!parse_uint(optarg, "--max-tcp", 1, 100000, &v))
                return EXIT_USAGE;
            c->max_tcp = (unsigned)v;
            break;
        case OPT_TCP_PIPELINE:
            if (!parse_uint(optarg, "--tcp-pipeline", 1, 65535, &v))
                return EXIT_USAGE;
            c->max_tcp_pipeline = (unsigned)v;
            break;
        case OPT_TCP_IDLE:
            if (!parse_seconds(optarg, "--tcp-idle", 0.01, 3600, &c->tcp_idle_ms))
                return EXIT_USAGE;
            break;
        case OPT_UPSTREAM_SOCKETS:
            if (!parse_uint(optarg, "--upstream-sockets", 1, 256, &v))
                return EXIT_USAGE;
            c->upstream_sockets = (unsigned)v;
            break;
        case OPT_ALLOW: {
            const char *why;
            if (!cidr_parse(optarg, &c->allow[c->n_allow], &why)) {
                tool_warn("--allow needs ADDRESS[/PREFIX], not \"%s\": %s", optarg, why);
                return EXIT_USAGE;
            }
            c->n_allow++;
            break;
        }
        case OPT_RATE_LIMIT:
            if (!parse_uint(optarg, "--rate-limit", 0, 10000000, &v))
                return EXIT_USAGE;
            c->rate_limit = (unsigned)v;
            break;
        case OPT_SLIP:
            if (!parse_uint(optarg, "--slip", 0, 10, &v))
                return EXIT_USAGE;
            c->slip = (unsigned)v;
            break;
        case OPT_CLIENT_INFLIGHT:
            if (!parse_uint(optarg, "--client-inflight", 1, 1000000, &v))
                return EXIT_USAGE;
            c->client_inflight = (unsigned)v;
            break;
        case OPT_TCP_PER_CLIENT:
            if (!parse_uint(optarg, "--tcp-per-client", 1, 100000, &v))
                return EXIT_USAGE;
            c->tcp_per_client = (unsigned)v;
            break;
        case OPT_CLIENT_PREFIX:
            if (!parse_prefixes(optarg, c))
                return EXIT_USAGE;
            break;
        case OPT_TCP_QUERY_TIMEOUT:
            if (!parse_seconds(optarg, "--tcp-query-timeout", 0.01, 3600, &c->tcp_query_ms))
                return EXIT_USAGE;
            break;
        case OPT_MAX_POLICY_BYTES:
            if (!tool_parse_size(optarg, "--max-policy-bytes", &c->max_policy_bytes))
                return EXIT_USAGE;
            break;
        case OPT_RELOAD_TIMEOUT:
            if (!parse_seconds(optarg, "--reload-timeout", 0.01, 3600, &c->reload_timeout_ms))
                return EXIT_USAGE;
            break;
        case OPT_POLICY_ANY_FILE:
            c->policy_any_file = true;
            break;
        case OPT_USER:
            c->user = optarg;
            break;
        case OPT_GROUP:
            c->group = optarg;
            break;
        case OPT_STATS:
            if (!parse_stats(optarg, &c->stats)) {
                tool_warn("--stats needs [ADDR:]PORT (IPv6 as [ADDR]:PORT), not \"%s\"", optarg);
                return EXIT_USAGE;
            }
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
    if (!c->n_listen || !have_upstream) {
        tool_warn("--listen and --upstream are required (see --help)");
        return EXIT_USAGE;
    }
    if (c->mode && strcmp(c->mode, "observe") != 0 && strcmp(c->mode, "enforce") != 0) {
        tool_warn("--mode must be observe or enforce, not \"%s\"", c->mode);
        return EXIT_USAGE;
    }
    /* one client's shares: a sixteenth of the whole by default */
    if (!c->client_inflight)
        c->client_inflight = c->max_inflight / 16 ? c->max_inflight / 16 : 1;
    if (!c->tcp_per_client)
        c->tcp_per_client = c->max_tcp / 16 ? c->max_tcp / 16 : 1;
    if (c->client_inflight > c->max_inflight || c->tcp_per_client > c->max_tcp) {
        tool_warn("--client-inflight and --tcp-per-client cannot exceed --max-inflight and "
                  "--max-tcp");
        return EXIT_USAGE;
    }
    return -1;
}

int main(int argc, char **argv)
{
    tool_set_name("dnsfw-serve");
    struct serve_config cfg = {
        .fail_open = -1,
        .timeout_ms = 2000,
        .tcp_idle_ms = 10000,
        .max_inflight = 4096,
        .max_tcp = 256,
        .max_tcp_pipeline = 64,
        .log_queue = 65536,
        .upstream_sockets = 4,
        .edns_size = DNSFW_EDNS_SIZE_DEFAULT,
        .account_id = "000000000000",
        .region = "local",
        .vpc_id = "vpc-local",
        .slip = 2,
        .prefix4 = 32,
        .prefix6 = 64,
        .tcp_query_ms = 3000,
        .reload_timeout_ms = 30000,
    };
    cfg.listen = calloc((size_t)argc, sizeof *cfg.listen);
    cfg.allow = calloc((size_t)argc, sizeof *cfg.allow);
    if (!cfg.listen || !cfg.allow) {
        free(cfg.listen);
        free(cfg.allow);
        return EXIT_SYSTEM;
    }
    int rc = parse_options(argc, argv, &cfg);
    if (rc >= 0) {
        free(cfg.listen);
        free(cfg.allow);
        return rc;
    }
    /*
     * The signals the loop handles are blocked in every thread (signalfd reads them), so
     * they must be blocked before the first thread starts. Writes to a closed TCP
     * connection return EPIPE instead of killing the server.
     */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct policy_gen *gen;
    rc = policy_gen_load(&cfg, 1, &gen);
    if (rc) {
        free(cfg.listen);
        free(cfg.allow);
        return rc;
    }
    struct qlog *log = NULL;
    if (cfg.query_log) {
        struct qlog_fields fields = {cfg.account_id, cfg.region, cfg.vpc_id};
        rc = qlog_open(cfg.query_log, cfg.log_queue, &fields, &log);
        if (rc) {
            policy_gen_unref(gen);
            free(cfg.listen);
            free(cfg.allow);
            return rc;
        }
    }
    rc = serve_run(&cfg, gen, log);
    if (log) {
        struct qlog_counts n;
        qlog_close(log, &n);
        tool_warn("query log: %llu records written, %llu dropped (queue full), %llu failed "
                  "(write errors%s%s)",
                  (unsigned long long)n.written, (unsigned long long)n.dropped,
                  (unsigned long long)n.failed, n.last_errno ? ", the last: " : "",
                  n.last_errno ? strerror(n.last_errno) : "");
    }
    free(cfg.listen);
    free(cfg.allow);
    return rc;
}
