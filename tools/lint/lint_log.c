/*
 * Reading query logs for dnsfw-lint --log: the shared line reader (tools/common/
 * log_input.c) and the library's record parsers, one call per query record with its
 * normalised name, type and redirection chain. Malformed records are located on stderr
 * (the first 100) and counted. Kept to this one file so that a reader of more log
 * shapes can replace it.
 */
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "lint_log.h"
#include "log_input.h"

#define MALFORMED_SHOWN 100

struct reading {
    const dnsfw_logparser *parser;
    dnsfw_logscratch *scratch;
    lint_record_fn fn;
    void *ud;
    struct log_result *res;
};

static void malformed(struct reading *rd, const char *file, uint64_t lineno, const char *why)
{
    if (rd->res->malformed++ < MALFORMED_SHOWN)
        tool_warn("%s:%llu: %s", file, (unsigned long long)lineno, why);
}

static void on_line(void *ud, const char *file, uint64_t lineno, const char *text, size_t len)
{
    struct reading *rd = ud;
    dnsfw_log_record rec;
    const char *reason = NULL;
    int rc = dnsfw_log_parse(rd->parser, rd->scratch, text, len, &rec, &reason);
    if (rc == DNSFW_ENOTQUERY) {
        rd->res->not_query++;
        return;
    }
    if (rc == DNSFW_ENOMEM) {
        tool_warn("%s:%llu: out of memory", file, (unsigned long long)lineno);
        rd->res->io_failed = true;
        return;
    }
    if (rc) {
        malformed(rd, file, lineno, reason ? reason : dnsfw_strerror(rc));
        return;
    }
    char name[DNSFW_NAME_TEXT_MAX];
    uint16_t qtype = 1;
    if (dnsfw_name_normalize(rec.query_name.ptr, rec.query_name.len, name, sizeof name, NULL) !=
        DNSFW_OK) {
        malformed(rd, file, lineno, "query_name: not a valid name");
        return;
    }
    if (rec.query_type.ptr &&
        dnsfw_qtype_parse(rec.query_type.ptr, rec.query_type.len, &qtype) != DNSFW_OK) {
        malformed(rd, file, lineno, "query_type: unknown query type");
        return;
    }
    struct lint_record r = {.name = name, .qtype = qtype, .n_chain = rec.n_chain};
    for (size_t i = 0; i < rec.n_chain; i++) {
        r.chain[i] = rec.chain[i].ptr;
        r.chain_len[i] = rec.chain[i].len;
    }
    rd->res->records++;
    if (!rd->fn(rd->ud, &r)) {
        rd->res->records--;
        malformed(rd, file, lineno, "answers: a redirection target is not a valid name");
    }
}

static void on_problem(void *ud, const char *file, uint64_t lineno, const char *what, bool system)
{
    struct reading *rd = ud;
    if (lineno == 0 || system) {
        tool_warn("%s%s%llu: %s", file, lineno ? ":" : "", (unsigned long long)lineno, what);
        rd->res->io_failed = true;
        return;
    }
    malformed(rd, file, lineno, what);
}

int lint_read_logs(const struct log_options *o, lint_record_fn fn, void *ud, struct log_result *res)
{
    static const struct {
        const char *name;
        dnsfw_log_format format;
    } formats[] = {{"route53", DNSFW_LOG_ROUTE53},
                   {"dnsmasq", DNSFW_LOG_DNSMASQ},
                   {"bind", DNSFW_LOG_BIND},
                   {"unbound", DNSFW_LOG_UNBOUND},
                   {"custom", DNSFW_LOG_CUSTOM}};
    dnsfw_log_format format = o->pattern ? DNSFW_LOG_CUSTOM : DNSFW_LOG_ROUTE53;
    if (o->format) {
        size_t i = 0;
        while (i < sizeof formats / sizeof formats[0] && strcmp(formats[i].name, o->format))
            i++;
        if (i == sizeof formats / sizeof formats[0]) {
            tool_warn("--log-format must be route53, dnsmasq, bind, unbound or custom, not \"%s\"",
                      o->format);
            return EXIT_USAGE;
        }
        format = formats[i].format;
    }
    if ((format == DNSFW_LOG_CUSTOM) != (o->pattern != NULL)) {
        tool_warn("--log-pattern goes with --log-format custom, and it needs one");
        return EXIT_USAGE;
    }
    dnsfw_logparser *parser = NULL;
    dnsfw_error err = {0};
    int rc = dnsfw_logparser_new(&parser, format, o->pattern, &err);
    if (rc) {
        tool_warn("--log-pattern: %s", err.message[0] ? err.message : dnsfw_strerror(rc));
        return rc == DNSFW_ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
    }
    struct reading rd = {.parser = parser, .fn = fn, .ud = ud, .res = res};
    if (dnsfw_logscratch_new(parser, &rd.scratch) != DNSFW_OK) {
        dnsfw_logparser_free(parser);
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    struct log_reader reader = {.line = on_line, .problem = on_problem, .ud = &rd};
    struct log_input_stats st;
    if (log_read_paths(&reader, o->paths, o->n_paths, &st) != 0)
        res->io_failed = true;
    if (res->malformed > MALFORMED_SHOWN)
        tool_warn("%llu more malformed records not listed",
                  (unsigned long long)(res->malformed - MALFORMED_SHOWN));
    dnsfw_logscratch_free(rd.scratch);
    dnsfw_logparser_free(parser);
    return 0;
}
