#include "flows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "log_input.h"

/* Malformed records are all counted; the first ones are also listed on stderr. */
#define MALFORMED_SHOWN 100

struct reading {
    struct egress *egress;
    const dnsfw_flowformat *given; /* --flow-format, or the default format */
    dnsfw_flowformat *header;      /* the current file's header line, when it had one */
    char *file;                    /* the file being read */
    struct flow_read_result *res;
    uint64_t shown;
    bool oom;
};

static void malformed(struct reading *rd, const char *file, uint64_t lineno, const char *reason)
{
    rd->res->malformed++;
    egress_malformed(rd->egress, file, lineno, reason);
    if (rd->shown++ < MALFORMED_SHOWN)
        tool_warn("%s:%llu: %s", file, (unsigned long long)lineno, reason);
}

/* A new file starts with the format given on the command line. */
static void enter(struct reading *rd, const char *file)
{
    if (rd->file && strcmp(rd->file, file) == 0)
        return;
    free(rd->file);
    if (!(rd->file = strdup(file)))
        rd->oom = true;
    dnsfw_flowformat_free(rd->header);
    rd->header = NULL;
}

static void on_line(void *ud, const char *file, uint64_t lineno, const char *text, size_t len)
{
    struct reading *rd = ud;
    if (lineno == 1) { /* a file, or the next one given as stdin */
        free(rd->file);
        rd->file = NULL;
    }
    enter(rd, file);
    rd->res->lines++;
    if (dnsfw_flow_is_header(text, len)) {
        dnsfw_flowformat *f = NULL;
        dnsfw_error err;
        int rc = dnsfw_flowformat_new(&f, text, len, &err);
        if (rc == DNSFW_ENOMEM) {
            rd->oom = true;
            return;
        }
        if (rc) {
            char why[600];
            snprintf(why, sizeof why, "header line, column %u: %s", err.column, err.message);
            malformed(rd, file, lineno, why);
            return;
        }
        dnsfw_flowformat_free(rd->header);
        rd->header = f;
        rd->res->headers++;
        return;
    }
    dnsfw_flow_record r;
    const char *reason = NULL;
    const dnsfw_flowformat *f = rd->header ? rd->header : rd->given;
    if (dnsfw_flow_parse(f, text, len, &r, &reason) != DNSFW_OK) {
        malformed(rd, file, lineno, reason ? reason : "malformed flow record");
        return;
    }
    rd->res->records++;
    if (egress_flow(rd->egress, &r, file, lineno) == FLOW_MALFORMED) {
        rd->res->malformed++;
        if (rd->shown++ < MALFORMED_SHOWN)
            tool_warn("%s:%llu: the record lacks what the join needs", file,
                      (unsigned long long)lineno);
    }
}

static void on_problem(void *ud, const char *file, uint64_t lineno, const char *what, bool system)
{
    struct reading *rd = ud;
    if (lineno == 0 || system) { /* could not be opened, or the machine's fault */
        tool_warn("%s:%llu: %s", file, (unsigned long long)lineno, what);
        rd->res->io_failed = true;
        if (lineno == 0)
            egress_malformed(rd->egress, file, 0, what);
        return;
    }
    malformed(rd, file, lineno, what);
}

int flow_read_paths(struct egress *e, const dnsfw_flowformat *format, const char *const *paths,
                    size_t n, bool progress, struct flow_read_result *res)
{
    memset(res, 0, sizeof *res);
    dnsfw_flowformat *def = NULL;
    if (!format && dnsfw_flowformat_new(&def, NULL, 0, NULL) != DNSFW_OK)
        return -1;
    struct reading rd = {.egress = e, .given = format ? format : def, .res = res};
    struct log_reader reader = {
        .line = on_line, .problem = on_problem, .ud = &rd, .progress = progress};
    struct log_input_stats st;
    if (log_read_paths(&reader, paths, n, &st) != 0)
        res->io_failed = true;
    egress_set_input(e, st.files, st.bytes);
    if (rd.shown > MALFORMED_SHOWN)
        tool_warn("%llu more malformed flow records not listed",
                  (unsigned long long)(rd.shown - MALFORMED_SHOWN));
    dnsfw_flowformat_free(rd.header);
    dnsfw_flowformat_free(def);
    free(rd.file);
    return rd.oom ? -1 : 0;
}
