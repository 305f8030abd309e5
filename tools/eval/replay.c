#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "answers.h"
#include "common.h"
#include "log_input.h"
#include "report.h"
#include "timestamp.h"
#include "verdict_out.h"

/* Malformed records are all counted; the first ones are also listed on stderr. */
#define MALFORMED_SHOWN 100

struct replay {
    const struct replay_config *cfg;
    struct replay_result *res;
    dnsfw_logscratch *scratch;
    uint64_t malformed_shown;
};

static void malformed(struct replay *rp, const char *file, uint64_t lineno, const char *reason)
{
    rp->res->malformed++;
    if (rp->cfg->report)
        report_note_malformed(rp->cfg->report, file, lineno, reason);
    if (rp->malformed_shown++ < MALFORMED_SHOWN)
        tool_warn("%s:%llu: %s", file, (unsigned long long)lineno, reason);
}

/* Not the input's fault: an I/O error or no memory. Reported, and the exit status is 4. */
static void cannot_read(struct replay *rp, const char *file, uint64_t lineno, const char *what)
{
    tool_warn("%s:%llu: %s", file, (unsigned long long)lineno, what);
    rp->res->io_failed = true;
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
    snprintf(suffix, sizeof suffix, "%s%s%s%s%s%s%s%s", e->timestamp[0] ? " time=" : "",
             e->timestamp, e->client[0] ? " client=" : "", e->client,
             e->logged[0] ? " logged=" : "", e->logged, e->repo ? " repo=" : "",
             e->repo ? e->repo : "");
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

static void on_line(void *ud, const char *file, uint64_t lineno, const char *text, size_t len)
{
    struct replay *rp = ud;
    const struct replay_config *cfg = rp->cfg;
    rp->res->lines++;
    dnsfw_log_record rec;
    const char *reason = NULL;
    int rc = dnsfw_log_parse(cfg->parser, rp->scratch, text, len, &rec, &reason);
    if (rc == DNSFW_ENOTQUERY) {
        rp->res->not_query++;
        if (cfg->report)
            report_note_not_query(cfg->report);
        return;
    }
    if (rc == DNSFW_ENOMEM) {
        cannot_read(rp, file, lineno, dnsfw_strerror(rc));
        return;
    }
    if (rc) {
        malformed(rp, file, lineno, reason ? reason : dnsfw_strerror(rc));
        return;
    }

    char name[DNSFW_NAME_TEXT_MAX], type[16], why[128];
    uint16_t qtype = 1;
    rc =
        canonical(rec.query_name, name, sizeof name)
            ? DNSFW_OK
            : dnsfw_name_normalize(rec.query_name.ptr, rec.query_name.len, name, sizeof name, NULL);
    if (rc) {
        snprintf(why, sizeof why, "query_name: %s", dnsfw_strerror(rc));
        malformed(rp, file, lineno, why);
        return;
    }
    if (rec.query_type.ptr &&
        (dnsfw_qtype_parse(rec.query_type.ptr, rec.query_type.len, &qtype) != DNSFW_OK ||
         dnsfw_qtype_format(qtype, type, sizeof type) != DNSFW_OK)) {
        malformed(rp, file, lineno, "query_type: unknown query type");
        return;
    }
    if (!rec.query_type.ptr)
        strcpy(type, "A"); /* text formats without a type (custom patterns) */
    if (cfg->output == OUT_REPORT)
        report_prefetch(cfg->report, name);
    dnsfw_ip ips[DNSFW_LOG_ADDR_MAX];
    size_t n_ips = cfg->answers ? parse_answers(rp, &rec, ips) : 0;

    const char *chain[DNSFW_LOG_CHAIN_MAX];
    size_t chain_len[DNSFW_LOG_CHAIN_MAX];
    for (size_t i = 0; i < rec.n_chain; i++) {
        chain[i] = rec.chain[i].ptr;
        chain_len[i] = rec.chain[i].len;
    }
    char ts[64], client[64], instance[64], logged[32], rcode[32];
    struct record_eval e = {
        .name = name,
        .type = type,
        .timestamp = copy(ts, sizeof ts, rec.timestamp),
        .client = copy(client, sizeof client, rec.client),
        .instance = copy(instance, sizeof instance, rec.instance),
        .logged = copy(logged, sizeof logged, rec.firewall_action),
        .rcode = copy(rcode, sizeof rcode, rec.rcode),
        .when = -1,
        .qtype = qtype,
    };
    if (cfg->output == OUT_REPORT) { /* what the exfiltration heuristics and the join read */
        int64_t t;
        if (rec.timestamp.ptr && timestamp_seconds(rec.timestamp.ptr, rec.timestamp.len, &t))
            e.when = t;
    }
    if (cfg->map)
        e.repo = scope_map_lookup(cfg->map, rec.client.ptr, rec.client.len, rec.instance.ptr,
                                  rec.instance.len);
    /* A name gets its report entry with its first good record, not before: a malformed
     * record must not count as a distinct name. */
    struct name_stat *ns = cfg->output == OUT_REPORT ? report_find(cfg->report, name) : NULL;
    if (cfg->output == OUT_REPORT && !ns) /* a new name: the heuristics read it once */
        e.mixed_case = mixed_case(rec.query_name);
    bool recalled =
        ns && rec.n_chain == 0 && report_recall(cfg->report, ns, qtype, &e.now, &e.enforce);
    size_t bad_hop = 0;
    rc = recalled ? DNSFW_OK
                  : dnsfw_eval_chain(cfg->matcher, rec.query_name.ptr, rec.query_name.len, chain,
                                     chain_len, rec.n_chain, qtype, cfg->scope, &e.now, &bad_hop);
    if (rc) {
        if (bad_hop)
            snprintf(why, sizeof why, "answers: redirection target %zu: %s", bad_hop,
                     dnsfw_strerror(rc));
        else /* a name canonical() let through, with a label or length over the limits */
            snprintf(why, sizeof why, "query_name: %s", dnsfw_strerror(rc));
        malformed(rp, file, lineno, why);
        return;
    }
    rp->res->records++;
    if (e.now.action == DNSFW_ACTION_BLOCK)
        rp->res->blocked++;
    if (cfg->output != OUT_REPORT) {
        print_record(rp, &e, &rec);
        return;
    }
    if (!ns && !(ns = report_name(cfg->report, name)))
        return;                    /* out of memory: the report says so at the end */
    char hop[DNSFW_NAME_TEXT_MAX]; /* e refers to these two until report_add() */
    char hops[DNSFW_LOG_CHAIN_MAX][DNSFW_NAME_TEXT_MAX];
    if (recalled) {
        e.enforce_name_only = e.enforce;
    } else {
        if (!enforce_view(cfg, &rec, chain, chain_len, qtype, &e, hop, hops))
            return; /* cannot happen: the same names were accepted above */
        if (rec.n_chain == 0)
            report_remember(cfg->report, ns, qtype, &e.now, &e.enforce);
    }
    uint32_t repo_scope;
    if (e.repo && dnsfw_matcher_find_scope(cfg->enforce, e.repo, &repo_scope) == DNSFW_OK &&
        dnsfw_eval_chain(cfg->enforce, rec.query_name.ptr, rec.query_name.len, chain, chain_len,
                         rec.n_chain, qtype, repo_scope, &e.scoped_enforce, NULL) == DNSFW_OK)
        e.scoped = true;
    report_add(cfg->report, ns, &e);
    if (n_ips && !index_answers(rp, ips, n_ips, e.when))
        cannot_read(rp, file, lineno, "out of memory");
}

static void on_problem(void *ud, const char *file, uint64_t lineno, const char *what, bool system)
{
    struct replay *rp = ud;
    if (lineno == 0) { /* an input that could not be opened at all */
        tool_warn("%s: %s", file, what);
        rp->res->io_failed = true;
        if (rp->cfg->report)
            report_note_malformed(rp->cfg->report, file, 0, what);
        return;
    }
    if (system) {
        cannot_read(rp, file, lineno, what);
        return;
    }
    malformed(rp, file, lineno, what);
}

int replay_logs(const struct replay_config *cfg, const char *const *paths, size_t n,
                struct replay_result *res)
{
    memset(res, 0, sizeof *res);
    struct replay rp = {.cfg = cfg, .res = res};
    if (dnsfw_logscratch_new(cfg->parser, &rp.scratch) != DNSFW_OK) {
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    struct log_reader reader = {
        .line = on_line, .problem = on_problem, .ud = &rp, .progress = cfg->progress};
    struct log_input_stats st;
    if (log_read_paths(&reader, paths, n, &st) != 0)
        res->io_failed = true;
    dnsfw_logscratch_free(rp.scratch);
    if (rp.malformed_shown > MALFORMED_SHOWN)
        tool_warn("%llu more malformed records not listed",
                  (unsigned long long)(rp.malformed_shown - MALFORMED_SHOWN));
    if (cfg->report)
        report_set_input(cfg->report, st.files, st.bytes);
    return EXIT_CLEAN;
}
