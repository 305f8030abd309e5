/* The query-log parser API: one compiled format, one scratch per thread. */
#include <stdlib.h>

#include "logparse.h"

int dnsfw_logparser_new(dnsfw_logparser **out, dnsfw_log_format format, const char *pattern,
                        dnsfw_error *err)
{
    if (!out)
        return DNSFW_EINVAL;
    *out = NULL;
    if (err)
        memset(err, 0, sizeof *err);
    if (format < DNSFW_LOG_ROUTE53 || format > DNSFW_LOG_CUSTOM ||
        (format == DNSFW_LOG_CUSTOM) != (pattern != NULL))
        return dnsfw__fail(err, DNSFW_EINVAL, NULL, 0, 0,
                           "a pattern goes with the custom log format, and only with it");
    dnsfw_logparser *lp = calloc(1, sizeof *lp);
    if (!lp)
        return DNSFW_ENOMEM;
    lp->format = format;
    if (format != DNSFW_LOG_ROUTE53) {
        int rc = dnsfw__log_text_compile(&lp->text, format, pattern, err);
        if (rc) {
            free(lp);
            return rc;
        }
    }
    *out = lp;
    return DNSFW_OK;
}

void dnsfw_logparser_free(dnsfw_logparser *lp)
{
    if (!lp)
        return;
    dnsfw__log_text_free(&lp->text);
    free(lp);
}

int dnsfw_logscratch_new(const dnsfw_logparser *lp, dnsfw_logscratch **out)
{
    if (!lp || !out)
        return DNSFW_EINVAL;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return DNSFW_ENOMEM;
    if (lp->text.query) {
        (*out)->match = pcre2_match_data_create_from_pattern(lp->text.query, NULL);
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
    free(s);
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
    if (lp->format == DNSFW_LOG_ROUTE53)
        return dnsfw__log_route53(s, line, len, rec, reason);
    if (!s->match) {
        *reason = "the scratch belongs to another parser";
        return DNSFW_EINVAL;
    }
    return dnsfw__log_text(&lp->text, s, line, len, rec, reason);
}
