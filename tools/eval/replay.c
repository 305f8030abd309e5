#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "answers.h"
#include "common.h"
#include "log_input.h"
#include "report.h"
#include "verdict_out.h"

/* Malformed records are all counted; the first ones are also listed on stderr. */
#define MALFORMED_SHOWN 100

struct replay {
    const struct replay_config *cfg;
    struct replay_result *res;
    uint64_t malformed_shown, unprintable_shown;
};

static void malformed(struct replay *rp, const dnsfw_log_location *w, const char *reason)
{
    rp->res->malformed++;
    if (rp->cfg->report)
        report_note_malformed(rp->cfg->report, w, reason);
    if (rp->malformed_shown++ < MALFORMED_SHOWN) {
        char where[1200];
        log_location_text(w, where, sizeof where);
        tool_warn("%s: %s", where, reason);
    }
}

/* Not the input's fault: an I/O error or no memory. Reported, and the exit status is 4. */
static void cannot_read(struct replay *rp, const dnsfw_log_location *w, const char *what)
{
    char where[1200];
    log_location_text(w, where, sizeof where);
    tool_warn("%s: %s", where, what);
    rp->res->io_failed = true;
    if (rp->cfg->report && w->line == 0) /* an input not read at all */
        report_note_malformed(rp->cfg->report, w, what);
}

/* A NUL-terminated copy of a record field ("" when absent), truncated to fit. */
static const char *copy(char *buf, size_t size, dnsfw_text t)
{
    size_t n = t.ptr ? (t.len < size ? t.len : size - 1) : 0;
    if (n)
        memcpy(buf, t.ptr, n);
    buf[n] = '\0';
    return buf;
}

static void print_record(struct replay *rp, const struct record_eval *e,
                         const dnsfw_log_record *rec)
{
    const struct replay_config *cfg = rp->cfg;
    dnsfw_explanation why;
    if (dnsfw_explain(cfg->matcher, &e->now, cfg->scope, &why) != DNSFW_OK)
        return;
    char hop[DNSFW_NAME_TEXT_MAX] = "";
    if (e->now.hop && e->now.hop <= rec->n_chain)
        copy(hop, sizeof hop, rec->chain[e->now.hop - 1]);
    struct verdict_line l = {.query_name = e->name,
                             .query_type = e->type,
                             .verdict = &e->now,
                             .why = &why,
                             .hop_name = hop[0] ? hop : NULL};
    if (cfg->output == OUT_JSON) {
        verdict_json_begin(stdout, &l);
        fputs(",\"query_class\":", stdout);
        tool_json_string(stdout, e->qclass);
        fputs(",\"query_timestamp\":", stdout);
        tool_json_string_or_null(stdout, e->timestamp[0] ? e->timestamp : NULL);
        fputs(",\"srcaddr\":", stdout);
        tool_json_string_or_null(stdout, e->client[0] ? e->client : NULL);
        fputs(",\"firewall_rule_action\":", stdout);
        tool_json_string_or_null(stdout, e->logged[0] ? e->logged : NULL);
        if (cfg->map) {
            fputs(",\"repo\":", stdout);
            tool_json_string_or_null(stdout, e->repo);
        }
        verdict_json_end(stdout);
        return;
    }
    char suffix[512];
    bool in = strcmp(e->qclass, "IN") == 0;
    snprintf(
        suffix, sizeof suffix, "%s%s%s%s%s%s%s%s%s%s", in ? "" : " class=", in ? "" : e->qclass,
        e->timestamp[0] ? " time=" : "", e->timestamp, e->client[0] ? " client=" : "", e->client,
        e->logged[0] ? " logged=" : "", e->logged, e->repo ? " repo=" : "", e->repo ? e->repo : "");
    l.suffix = suffix;
    verdict_text(stdout, &l);
}

/*
 * Copy a query name that is already in normal form — lower-case letters, digits, '-',
 * '_' and single dots, with the trailing dot, as Resolver logs nearly every name — and
 * say so; anything else goes through dnsfw_name_normalize(). Validation still happens
 * when the name is evaluated.
 */
static bool canonical(dnsfw_text t, char *out, size_t size)
{
    if (t.len < 2 || t.len >= size || t.ptr[t.len - 1] != '.' || t.ptr[0] == '.')
        return false;
    for (size_t i = 0; i < t.len; i++) {
        char c = t.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              (c == '.' && t.ptr[i - 1] != '.')))
            return false;
    }
    memcpy(out, t.ptr, t.len);
    out[t.len] = '\0';
    return true;
}

/*
 * The enforce-mode view the report needs: the verdict with the chain, the query name's
 * own verdict, the deciding hop's name (into hop) and the chain names blocked on their
 * own (into hops). false if a name fails, which the caller already ruled out.
 */
static bool enforce_view(const struct replay_config *cfg, const dnsfw_log_record *rec,
                         const char *const *chain, const size_t *chain_len, uint16_t qtype,
                         struct record_eval *e, char *hop, char (*hops)[DNSFW_NAME_TEXT_MAX])
{
    if (dnsfw_eval_chain(cfg->enforce, rec->query_name.ptr, rec->query_name.len, chain, chain_len,
                         rec->n_chain, qtype, cfg->scope, &e->enforce, NULL) != DNSFW_OK)
        return false;
    e->enforce_name_only = e->enforce;
    if (e->enforce.hop) {
        e->enforce_hop = copy(hop, DNSFW_NAME_TEXT_MAX, rec->chain[e->enforce.hop - 1]);
        if (dnsfw_eval(cfg->enforce, rec->query_name.ptr, rec->query_name.len, qtype, cfg->scope,
                       &e->enforce_name_only) != DNSFW_OK)
            return false;
    }
    for (size_t i = 0; e->enforce.action == DNSFW_ACTION_BLOCK && i < rec->n_chain; i++) {
        dnsfw_verdict h;
        if (dnsfw_eval(cfg->enforce, chain[i], chain_len[i], qtype, cfg->scope, &h) == DNSFW_OK &&
            h.action == DNSFW_ACTION_BLOCK &&
            dnsfw_name_normalize(chain[i], chain_len[i], hops[e->n_blocked_hops],
                                 DNSFW_NAME_TEXT_MAX, NULL) == DNSFW_OK)
            e->blocked_hops[e->n_blocked_hops] = hops[e->n_blocked_hops], e->n_blocked_hops++;
    }
    return true;
}

/* Upper and lower case letters in one label: an encoding that uses case (base64). */
static bool mixed_case(dnsfw_text t)
{
    bool upper = false, lower = false;
    for (size_t i = 0; i < t.len; i++) {
        char c = t.ptr[i];
        if (c == '.') {
            if (upper && lower)
                return true;
            upper = lower = false;
        }
        upper |= c >= 'A' && c <= 'Z';
        lower |= c >= 'a' && c <= 'z';
    }
    return upper && lower;
}

/* The record's A/AAAA answers that are addresses, into ips; each one's slot of the answer
 * index starts loading now, to be there when the record is indexed (index_answers). */
static size_t parse_answers(const struct replay *rp, const dnsfw_log_record *rec, dnsfw_ip *ips)
{
    size_t n = 0;
    for (size_t i = 0; i < rec->n_addresses; i++)
        if (dnsfw_ip_parse(rec->addresses[i].ptr, rec->addresses[i].len, &ips[n]) == DNSFW_OK)
            answers_prefetch(rp->cfg->answers, &ips[n++]);
    return n; /* not an address: nothing a flow can go to */
}

/* The answers, for the egress join: any client's answer counts, since Resolver logs a
 * name once per cache lifetime, not once per client. false when out of memory. */
static bool index_answers(struct replay *rp, const dnsfw_ip *ips, size_t n, int64_t when)
{
    for (size_t i = 0; i < n; i++) {
        if (when < 0 || when > UINT32_MAX) { /* no time, or one the index cannot hold */
            rp->res->untimed++;
            continue;
        }
        if (!answers_add(rp->cfg->answers, &ips[i], when))
            return false;
        rp->res->answers++;
    }
    return true;
}

/* A record's time in Unix seconds (the reader sets it: DNSFW_LOGREADER_TIMES), or -1. */
static int64_t seconds_of(const dnsfw_log_record *rec)
{
    if (rec->time == DNSFW_TIME_NONE || rec->time < 0)
        return -1;
    return rec->time / 1000;
}

/* A record from before --since, read for its answers only (--flow-log): a connection
 * just after --since may have been given its address by it. */
static void early_record(struct replay *rp, const dnsfw_log_record *rec,
                         const dnsfw_log_location *w)
{
    dnsfw_ip ips[DNSFW_LOG_ADDR_MAX];
    size_t n = parse_answers(rp, rec, ips);
    if (n && !index_answers(rp, ips, n, seconds_of(rec)))
        cannot_read(rp, w, "out of memory");
}

/* The query class as a mnemonic ("IN", "CH", "CLASS7"); an absent class is IN. */
static bool query_class(dnsfw_text t, char *out, size_t size)
{
    static const char *const known[] = {"IN", "CH", "HS", "NONE", "ANY"};
    if (!t.ptr || (t.len == 2 && t.ptr[0] == 'I' && t.ptr[1] == 'N')) { /* nearly always */
        memcpy(out, "IN", 3);
        return true;
    }
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (t.len == strlen(known[i]) && strncasecmp(t.ptr, known[i], t.len) == 0) {
            snprintf(out, size, "%s", known[i]);
            return true;
        }
    }
    if (t.len == 5 && strncasecmp(t.ptr, "CHAOS", 5) == 0) {
        snprintf(out, size, "CH");
        return true;
    }
    unsigned long v = 0;
    size_t i = 5;
    if (t.len > 5 && t.len <= 10 && strncasecmp(t.ptr, "CLASS", 5) == 0) {
        for (; i < t.len && t.ptr[i] >= '0' && t.ptr[i] <= '9'; i++)
            v = v * 10 + (unsigned long)(t.ptr[i] - '0');
        if (i == t.len && v <= 65535) {
            snprintf(out, size, "%s", v == 1 ? "IN" : v == 3 ? "CH" : v == 4 ? "HS" : "");
            if (!out[0])
                snprintf(out, size, "CLASS%lu", v);
            return true;
        }
    }
    return false;
}

/* A query whose name the resolver could not print: counted and shown, never dropped. */
static void unprintable(struct replay *rp, const dnsfw_log_record *rec, const dnsfw_log_location *w)
{
    char type[16], client[64], ts[64];
    uint16_t qtype = 0;
    if (!rec->query_type.ptr ||
        dnsfw_qtype_parse(rec->query_type.ptr, rec->query_type.len, &qtype) != DNSFW_OK ||
        dnsfw_qtype_format(qtype, type, sizeof type) != DNSFW_OK)
        snprintf(type, sizeof type, "?");
    copy(client, sizeof client, rec->client);
    copy(ts, sizeof ts, rec->timestamp);
    rp->res->unprintable++;
    if (rp->cfg->report)
        report_note_unprintable(rp->cfg->report, type, client, ts, w);
    else if (rp->unprintable_shown++ < MALFORMED_SHOWN) {
        char where[1200];
        log_location_text(w, where, sizeof where);
        tool_warn("%s: a %s query from %s whose name the resolver could not print (a sign of "
                  "DNS tunnelling)",
                  where, type, client[0] ? client : "an unknown client");
    }
}

static void on_record(struct replay *rp, const dnsfw_log_record *rec, dnsfw_log_shape shape,
                      const dnsfw_log_location *w)
{
    const struct replay_config *cfg = rp->cfg;
    if (rec->flags & DNSFW_LOG_NAME_UNPRINTABLE) {
        unprintable(rp, rec, w);
        return;
    }
    int rc;
    char name[DNSFW_NAME_TEXT_MAX], type[16], why[128];
    uint16_t qtype = 1;
    rc = canonical(rec->query_name, name, sizeof name)
             ? DNSFW_OK
             : dnsfw_name_normalize(rec->query_name.ptr, rec->query_name.len, name, sizeof name,
                                    NULL);
    if (rc) {
        snprintf(why, sizeof why, "query_name: %s", dnsfw_strerror(rc));
        malformed(rp, w, why);
        return;
    }
    if (rec->query_type.ptr &&
        (dnsfw_qtype_parse(rec->query_type.ptr, rec->query_type.len, &qtype) != DNSFW_OK ||
         dnsfw_qtype_format(qtype, type, sizeof type) != DNSFW_OK)) {
        malformed(rp, w, "query_type: unknown query type");
        return;
    }
    char qclass[16];
    if (!query_class(rec->query_class, qclass, sizeof qclass)) {
        malformed(rp, w, "query_class: unknown query class");
        return;
    }
    if (!rec->query_type.ptr)
        strcpy(type, "A"); /* text formats without a type (custom patterns) */
    if (cfg->output == OUT_REPORT)
        report_prefetch(cfg->report, name);
    dnsfw_ip ips[DNSFW_LOG_ADDR_MAX];
    size_t n_ips = cfg->answers ? parse_answers(rp, rec, ips) : 0;

    const char *chain[DNSFW_LOG_CHAIN_MAX];
    size_t chain_len[DNSFW_LOG_CHAIN_MAX];
    for (size_t i = 0; i < rec->n_chain; i++) {
        chain[i] = rec->chain[i].ptr;
        chain_len[i] = rec->chain[i].len;
    }
    char ts[64], client[64], instance[64], logged[32], rcode[32], group_id[128], list_id[128];
    struct record_eval e = {
        .name = name,
        .type = type,
        .qclass = qclass,
        .timestamp = copy(ts, sizeof ts, rec->timestamp),
        .client = copy(client, sizeof client, rec->client),
        .instance = copy(instance, sizeof instance, rec->instance),
        .rcode = copy(rcode, sizeof rcode, rec->rcode),
        .logged = copy(logged, sizeof logged, rec->firewall_action),
        .logged_group = copy(group_id, sizeof group_id, rec->firewall_rule_group_id),
        .logged_list = copy(list_id, sizeof list_id, rec->firewall_domain_list_id),
        .when = seconds_of(rec),
        .qtype = qtype,
    };
    if (cfg->map)
        e.repo = scope_map_lookup(cfg->map, rec->client.ptr, rec->client.len, rec->instance.ptr,
                                  rec->instance.len);
    /* A name gets its report entry with its first good record, not before: a malformed
     * record must not count as a distinct name. */
    struct name_stat *ns = cfg->output == OUT_REPORT ? report_find(cfg->report, name) : NULL;
    if (cfg->output == OUT_REPORT && !ns) /* a new name: the heuristics read it once */
        e.mixed_case = mixed_case(rec->query_name);
    bool recalled =
        ns && rec->n_chain == 0 && report_recall(cfg->report, ns, qtype, &e.now, &e.enforce);
    size_t bad_hop = 0;
    rc = recalled ? DNSFW_OK
                  : dnsfw_eval_chain(cfg->matcher, rec->query_name.ptr, rec->query_name.len, chain,
                                     chain_len, rec->n_chain, qtype, cfg->scope, &e.now, &bad_hop);
    if (rc) {
        if (bad_hop)
            snprintf(why, sizeof why, "answers: redirection target %zu: %s", bad_hop,
                     dnsfw_strerror(rc));
        else /* a name canonical() let through, with a label or length over the limits */
            snprintf(why, sizeof why, "query_name: %s", dnsfw_strerror(rc));
        malformed(rp, w, why);
        return;
    }
    rp->res->records++;
    if (cfg->report)
        report_note_shape(cfg->report, shape);
    if (e.now.action == DNSFW_ACTION_BLOCK)
        rp->res->blocked++;
    if (cfg->output != OUT_REPORT) {
        print_record(rp, &e, rec);
        return;
    }
    if (!ns && !(ns = report_name(cfg->report, name)))
        return;                    /* out of memory: the report says so at the end */
    char hop[DNSFW_NAME_TEXT_MAX]; /* e refers to these two until report_add() */
    char hops[DNSFW_LOG_CHAIN_MAX][DNSFW_NAME_TEXT_MAX];
    if (recalled) {
        e.enforce_name_only = e.enforce;
    } else {
        if (!enforce_view(cfg, rec, chain, chain_len, qtype, &e, hop, hops))
            return; /* cannot happen: the same names were accepted above */
        if (rec->n_chain == 0)
            report_remember(cfg->report, ns, qtype, &e.now, &e.enforce);
    }
    uint32_t repo_scope;
    if (e.repo && dnsfw_matcher_find_scope(cfg->enforce, e.repo, &repo_scope) == DNSFW_OK &&
        dnsfw_eval_chain(cfg->enforce, rec->query_name.ptr, rec->query_name.len, chain, chain_len,
                         rec->n_chain, qtype, repo_scope, &e.scoped_enforce, NULL) == DNSFW_OK)
        e.scoped = true;
    report_add(cfg->report, ns, &e);
    if (n_ips && !index_answers(rp, ips, n_ips, e.when))
        cannot_read(rp, w, "out of memory");
}

static int on_item(void *ud, const dnsfw_log_item *item)
{
    struct replay *rp = ud;
    switch (item->kind) {
    case DNSFW_ITEM_RECORD:
        on_record(rp, item->record, item->shape, &item->where);
        break;
    case DNSFW_ITEM_NOT_QUERY:
        rp->res->not_query++;
        if (rp->cfg->report)
            report_note_not_query(rp->cfg->report);
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
        if (item->status == DNSFW_EIO || item->status == DNSFW_ENOMEM)
            cannot_read(rp, &item->where, item->reason);
        else
            malformed(rp, &item->where, item->reason ? item->reason : dnsfw_strerror(item->status));
        break;
    }
    return 0;
}

/* A record of the lead before --since (log_read_options.early). */
static int on_early(void *ud, const dnsfw_log_item *item)
{
    struct replay *rp = ud;
    if (rp->cfg->answers)
        early_record(rp, item->record, &item->where);
    return 0;
}

int replay_logs(const struct replay_config *cfg, struct replay_result *res)
{
    memset(res, 0, sizeof *res);
    struct replay rp = {.cfg = cfg, .res = res};
    struct log_read_stats st;
    bool io_failed = false;
    struct log_read_options in = cfg->input;
    if (cfg->output == OUT_REPORT)
        in.times = true; /* the exfiltration rates and the egress join read them */
    if (cfg->answers) {
        in.lead_ms = (int64_t)cfg->answer_window * 1000;
        in.early = on_early;
    }
    int rc = log_read(&in, on_item, &rp, &st, &io_failed);
    if (rc)
        return rc;
    if (io_failed)
        res->io_failed = true;
    res->outside = st.reader.outside_window + st.early;
    if (rp.malformed_shown > MALFORMED_SHOWN)
        tool_warn("%llu more malformed records not listed",
                  (unsigned long long)(rp.malformed_shown - MALFORMED_SHOWN));
    if (rp.unprintable_shown > MALFORMED_SHOWN)
        tool_warn("%llu more queries with unprintable names not listed",
                  (unsigned long long)(rp.unprintable_shown - MALFORMED_SHOWN));
    if (cfg->report)
        report_set_input(cfg->report, st.files, st.reader.bytes, res->outside,
                         st.reader.unknown_version);
    return EXIT_CLEAN;
}
