/*
 * The query-log parser API: one compiled format, one scratch per thread, and the line
 * dispatcher that recognises a line's shape (log_line and dnsfw_log_parse()).
 */
#include <stdlib.h>
#include <time.h>

#include "logparse.h"

int dnsfw__reserve(char **buf, size_t *cap, size_t n)
{
    if (n <= *cap)
        return DNSFW_OK;
    char *nb = realloc(*buf, n);
    if (!nb)
        return DNSFW_ENOMEM;
    *buf = nb;
    *cap = n;
    return DNSFW_OK;
}

int dnsfw_logparser_new(dnsfw_logparser **out, dnsfw_log_format format, const char *pattern,
                        dnsfw_error *err)
{
    if (!out)
        return DNSFW_EINVAL;
    *out = NULL;
    if (err)
        memset(err, 0, sizeof *err);
    if (format < DNSFW_LOG_ROUTE53 || format > DNSFW_LOG_EVENTBRIDGE ||
        (format == DNSFW_LOG_CUSTOM) != (pattern != NULL))
        return dnsfw__fail(err, DNSFW_EINVAL, NULL, 0, 0,
                           "a pattern goes with the custom log format, and only with it");
    dnsfw_logparser *lp = calloc(1, sizeof *lp);
    if (!lp)
        return DNSFW_ENOMEM;
    lp->format = format;
    int rc = dnsfw__log_text_compile(lp, pattern, err);
    if (rc) {
        free(lp);
        return rc;
    }
    *out = lp;
    return DNSFW_OK;
}

void dnsfw_logparser_free(dnsfw_logparser *lp)
{
    if (!lp)
        return;
    dnsfw__log_text_free(lp);
    free(lp);
}

int dnsfw_logscratch_new(const dnsfw_logparser *lp, dnsfw_logscratch **out)
{
    if (!lp || !out)
        return DNSFW_EINVAL;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return DNSFW_ENOMEM;
    bool text = lp->custom.query != NULL;
    for (int t = 0; t < TEXT_BUILTINS; t++)
        text |= lp->builtin[t].query != NULL;
    if (text) {
        /* enough pairs for every pattern: the built-in ones have a handful of groups */
        uint32_t pairs = 16;
        if (lp->custom.query) {
            uint32_t n = 0;
            pcre2_pattern_info(lp->custom.query, PCRE2_INFO_CAPTURECOUNT, &n);
            if (n + 1 > pairs)
                pairs = n + 1;
        }
        (*out)->match = pcre2_match_data_create(pairs, NULL);
        if (!(*out)->match) {
            free(*out);
            *out = NULL;
            return DNSFW_ENOMEM;
        }
    }
    return DNSFW_OK;
}

void dnsfw_logscratch_free(dnsfw_logscratch *s)
{
    if (!s)
        return;
    pcre2_match_data_free(s->match);
    free(s->buf);
    free(s->msg);
    free(s);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A JSON object standing alone: a Route 53 record first (the common case), then the
 * values that carry one. */
static int json_line(const dnsfw_logparser *lp, dnsfw_logscratch *s,
                     const struct dnsfw__clock *clock, const char *text, size_t len,
                     dnsfw_log_record *rec, struct line_info *info, const char **reason, int depth)
{
    int rc = dnsfw__log_route53(s, text, len, rec, reason);
    if (rc == DNSFW_OK || rc == DNSFW_ENOMEM)
        return rc;
    switch (dnsfw__json_kind(s, text, len)) {
    case JSON_RECORD:
        return dnsfw__log_route53(s, text, len, rec, reason); /* its reason again */
    case JSON_EVENTBRIDGE:
        memset(rec, 0, sizeof *rec);
        rec->time = DNSFW_TIME_NONE;
        return dnsfw__log_eventbridge(s, text, len, rec, info, reason);
    case JSON_CW_EVENT: {
        if (depth > 0)
            break;
        dnsfw_text msg;
        int64_t t;
        rc = dnsfw__cw_event(s, text, len, &msg, &t, reason);
        if (rc)
            return rc;
        rc = dnsfw__log_message(lp, s, clock, msg.ptr, msg.len, rec, info, reason);
        info->shape = DNSFW_SHAPE_CW_EVENTS;
        if (info->time == DNSFW_TIME_NONE)
            info->time = t;
        return rc;
    }
    case JSON_DOCUMENT:
        break;
    }
    *reason = depth ? "a CloudWatch event's message is not a record"
                    : "a CloudWatch Logs document on one line: read it with a log reader";
    return DNSFW_EPARSE;
}

int dnsfw__log_message(const dnsfw_logparser *lp, dnsfw_logscratch *s,
                       const struct dnsfw__clock *clock, const char *msg, size_t len,
                       dnsfw_log_record *rec, struct line_info *info, const char **reason)
{
    memset(rec, 0, sizeof *rec);
    rec->time = DNSFW_TIME_NONE;
    static const char control[] = "CWL CONTROL MESSAGE";
    if (len >= sizeof control - 1 && memcmp(msg, control, sizeof control - 1) == 0)
        return DNSFW_ENOTQUERY;
    size_t i = 0;
    while (i < len && (msg[i] == ' ' || msg[i] == '\t'))
        i++;
    if (i < len && msg[i] == '{') {
        return json_line(lp, s, clock, msg, len, rec, info, reason, 1);
    }
    if (!lp->builtin[TEXT_DNSMASQ].query) {
        *reason = "a CloudWatch event's message is not a record";
        return DNSFW_EPARSE;
    }
    return dnsfw__log_text(lp, s, clock, msg, len, rec, info, reason);
}

int dnsfw__log_line(const dnsfw_logparser *lp, dnsfw_logscratch *s,
                    const struct dnsfw__clock *clock, const char *line, size_t len,
                    dnsfw_log_record *rec, struct line_info *info, const char **reason)
{
    memset(rec, 0, sizeof *rec);
    rec->time = DNSFW_TIME_NONE;
    info->shape = DNSFW_SHAPE_ROUTE53;
    info->time = DNSFW_TIME_NONE;
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    bool json = i < len && line[i] == '{';
    switch (lp->format) {
    case DNSFW_LOG_ROUTE53:
        return dnsfw__log_route53(s, line, len, rec, reason);
    case DNSFW_LOG_EVENTBRIDGE:
        info->shape = DNSFW_SHAPE_EVENTBRIDGE;
        if (json && dnsfw__json_kind(s, line, len) == JSON_EVENTBRIDGE)
            return dnsfw__log_eventbridge(s, line, len, rec, info, reason);
        *reason = "not an EventBridge event";
        return DNSFW_EPARSE;
    case DNSFW_LOG_CLOUDWATCH:
        info->shape = DNSFW_SHAPE_CW_EVENTS;
        if (json && dnsfw__json_kind(s, line, len) == JSON_CW_EVENT)
            return json_line(lp, s, clock, line, len, rec, info, reason, 0);
        *reason = "not a CloudWatch Logs event";
        return DNSFW_EPARSE;
    case DNSFW_LOG_DNSMASQ:
    case DNSFW_LOG_BIND:
    case DNSFW_LOG_UNBOUND:
    case DNSFW_LOG_CUSTOM:
        return dnsfw__log_text(lp, s, clock, line, len, rec, info, reason);
    case DNSFW_LOG_AUTO:
    case DNSFW_LOG_CW_EXPORT:
        break;
    }
    if (json && lp->format == DNSFW_LOG_AUTO)
        return json_line(lp, s, clock, line, len, rec, info, reason, 0);
    /* "<RFC 3339> <message>": a CloudWatch Logs export task line */
    if (i + 20 < len && is_digit(line[i])) {
        size_t used;
        int64_t t;
        if (dnsfw__time_rfc3339(line + i, len - i, &used, &t) == 1 && i + used + 1 < len &&
            line[i + used] == ' ' && line[i + used + 1] == '{') {
            const char *msg = line + i + used + 1;
            int rc = json_line(lp, s, clock, msg, len - i - used - 1, rec, info, reason, 1);
            info->shape = DNSFW_SHAPE_CW_EXPORT;
            if (info->time == DNSFW_TIME_NONE)
                info->time = t;
            return rc;
        }
    }
    int rc = dnsfw__log_text(lp, s, clock, line, len, rec, info, reason);
    if (lp->format == DNSFW_LOG_CW_EXPORT && info->shape != DNSFW_SHAPE_CW_EXPORT) {
        memset(rec, 0, sizeof *rec);
        rec->time = DNSFW_TIME_NONE;
        *reason = "not a CloudWatch Logs export line (\"<RFC 3339 time> <message>\")";
        return DNSFW_EPARSE;
    }
    return rc;
}

int dnsfw_log_parse(const dnsfw_logparser *lp, dnsfw_logscratch *s, const char *line, size_t len,
                    dnsfw_log_record *rec, const char **reason)
{
    const char *why = NULL;
    if (!reason)
        reason = &why;
    *reason = NULL;
    if (!lp || !s || !rec || (!line && len)) {
        *reason = "invalid argument";
        return DNSFW_EINVAL;
    }
    if (!line)
        line = ""; /* NULL with length 0 is the empty line; NULL + 0 is not valid C */
    struct dnsfw__clock clock = {.now_ms = (int64_t)time(NULL) * 1000};
    struct line_info info;
    return dnsfw__log_line(lp, s, &clock, line, len, rec, &info, reason);
}
