/*
 * Reading query logs for dnsfw-lint --log: the shared reader of every log shape
 * (tools/common/log_input.c over the library's dnsfw_logreader), one call per query
 * record with its normalised name, type and redirection chain. Malformed records are
 * located on stderr (the first 100) and counted.
 */
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "lint_log.h"
#include "log_input.h"

#define MALFORMED_SHOWN 100

struct reading {
    lint_record_fn fn;
    void *ud;
    struct log_result *res;
};

static void malformed(struct reading *rd, const dnsfw_log_location *where, const char *why)
{
    if (rd->res->malformed++ < MALFORMED_SHOWN) {
        char text[1200];
        log_location_text(where, text, sizeof text);
        tool_warn("%s: %s", text, why);
    }
}

static void on_record(struct reading *rd, const dnsfw_log_record *rec,
                      const dnsfw_log_location *where)
{
    char name[DNSFW_NAME_TEXT_MAX];
    uint16_t qtype = 1;
    if (dnsfw_name_normalize(rec->query_name.ptr, rec->query_name.len, name, sizeof name, NULL) !=
        DNSFW_OK) {
        malformed(rd, where, "query_name: not a valid name");
        return;
    }
    if (rec->query_type.ptr &&
        dnsfw_qtype_parse(rec->query_type.ptr, rec->query_type.len, &qtype) != DNSFW_OK) {
        malformed(rd, where, "query_type: unknown query type");
        return;
    }
    struct lint_record r = {.name = name, .qtype = qtype, .n_chain = rec->n_chain};
    for (size_t i = 0; i < rec->n_chain; i++) {
        r.chain[i] = rec->chain[i].ptr;
        r.chain_len[i] = rec->chain[i].len;
    }
    rd->res->records++;
    if (!rd->fn(rd->ud, &r)) {
        rd->res->records--;
        malformed(rd, where, "answers: a redirection target is not a valid name");
    }
}

static int on_item(void *ud, const dnsfw_log_item *item)
{
    struct reading *rd = ud;
    switch (item->kind) {
    case DNSFW_ITEM_RECORD:
        on_record(rd, item->record, &item->where);
        break;
    case DNSFW_ITEM_NOT_QUERY:
        rd->res->not_query++;
        break;
    case DNSFW_ITEM_FLOW: /* only flow-log readers hand these over */
        break;
    case DNSFW_ITEM_NOTICE: {
        char where[1200];
        log_location_text(&item->where, where, sizeof where);
        tool_warn("%s: %s", where, item->reason);
        break;
    }
    case DNSFW_ITEM_MALFORMED:
        if (item->status == DNSFW_EIO || item->status == DNSFW_ENOMEM) {
            char where[1200];
            log_location_text(&item->where, where, sizeof where);
            tool_warn("%s: %s", where, item->reason ? item->reason : dnsfw_strerror(item->status));
            rd->res->io_failed = true;
        } else {
            malformed(rd, &item->where, item->reason ? item->reason : dnsfw_strerror(item->status));
        }
        break;
    }
    return 0;
}

int lint_read_logs(const struct log_options *o, lint_record_fn fn, void *ud, struct log_result *res)
{
    struct reading rd = {.fn = fn, .ud = ud, .res = res};
    struct log_read_options ro = {.paths = o->paths,
                                  .n_paths = o->n_paths,
                                  .format = o->format,
                                  .pattern = o->pattern,
                                  .since = o->since,
                                  .until = o->until};
    struct log_read_stats st;
    bool io_failed = false;
    int rc = log_read(&ro, on_item, &rd, &st, &io_failed);
    if (rc)
        return rc;
    if (io_failed)
        res->io_failed = true;
    if (res->malformed > MALFORMED_SHOWN)
        tool_warn("%llu more malformed records not listed",
                  (unsigned long long)(res->malformed - MALFORMED_SHOWN));
    return 0;
}
