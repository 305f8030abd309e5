#include "flows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* Malformed records are all counted; the first ones are also listed on stderr. */
#define MALFORMED_SHOWN 100

struct reading {
    struct egress *egress;
    struct flow_read_result *res;
    uint64_t shown;
};

static void malformed(struct reading *rd, const dnsfw_log_location *w, const char *reason)
{
    rd->res->malformed++;
    if (rd->shown++ < MALFORMED_SHOWN) {
        char where[1200];
        log_location_text(w, where, sizeof where);
        tool_warn("%s: %s", where, reason);
    }
}

static int on_item(void *ud, const dnsfw_log_item *item)
{
    struct reading *rd = ud;
    switch (item->kind) {
    case DNSFW_ITEM_FLOW:
        rd->res->records++;
        if (egress_flow(rd->egress, item->flow, &item->where, item->shape) == FLOW_MALFORMED)
            malformed(rd, &item->where, "the record lacks what the join needs");
        break;
    case DNSFW_ITEM_RECORD: /* not from a flow reader */
    case DNSFW_ITEM_NOT_QUERY:
        rd->res->not_flow++; /* header lines, CloudWatch control messages */
        break;
    case DNSFW_ITEM_NOTICE:
        break;
    case DNSFW_ITEM_MALFORMED: {
        const char *reason = item->reason ? item->reason : dnsfw_strerror(item->status);
        if (item->status == DNSFW_EIO || item->status == DNSFW_ENOMEM) {
            char where[1200];
            log_location_text(&item->where, where, sizeof where);
            tool_warn("%s: %s", where, reason);
            rd->res->io_failed = true;
            if (item->where.line == 0) /* an input not read at all */
                egress_malformed(rd->egress, &item->where, reason);
            break;
        }
        egress_malformed(rd->egress, &item->where, reason);
        malformed(rd, &item->where, reason);
        break;
    }
    }
    return 0;
}

int flow_read(struct egress *e, const struct log_read_options *in, struct flow_read_result *res)
{
    memset(res, 0, sizeof *res);
    struct reading rd = {.egress = e, .res = res};
    struct log_read_options o = *in;
    o.flows = true;
    o.format = o.pattern = NULL;
    o.times = false;
    o.early = NULL;
    struct log_read_stats st;
    bool io_failed = false;
    int rc = log_read(&o, on_item, &rd, &st, &io_failed);
    if (rc)
        return rc;
    if (io_failed)
        res->io_failed = true;
    res->outside = st.reader.outside_window;
    egress_set_input(e, st.files, st.reader.bytes, res->not_flow, res->outside);
    if (rd.shown > MALFORMED_SHOWN)
        tool_warn("%llu more malformed flow records not listed",
                  (unsigned long long)(rd.shown - MALFORMED_SHOWN));
    return EXIT_CLEAN;
}
