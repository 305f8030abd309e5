/*
 * Route 53 Resolver query-log records: one JSON object a line (aws-dns-firewall.md §8).
 *
 * A single pass over the line that validates the JSON as it goes and keeps pointers to
 * the fields a record has, instead of building a tree: replay has to read millions of
 * records a second, and cJSON's allocation per value costs several times that budget.
 * Key order is free, unknown members (of any JSON type) are skipped, strings without
 * escapes are returned in place and escaped ones are decoded into the scratch.
 */
#include <stddef.h>
#include <stdlib.h>

#include "json_scan.h"
#include "log_route53_keys.h"
#include "logparse.h"

/* answers: [{"Rdata": ..., "Type": ..., "Class": ...}, ...]; CNAME/DNAME targets and
 * A/AAAA addresses kept. */
static bool answers(struct scan *sc, dnsfw_log_record *rec)
{
    int open = container(sc, '[', "answers is not an array");
    if (open <= 0)
        return open == 0;
    skip_ws(sc);
    if (sc->p < sc->end && *sc->p == ']') {
        sc->p++;
        return true;
    }
    for (;;) {
        skip_ws(sc);
        if (sc->p < sc->end && *sc->p != '{') {
            if (skip_value(sc, 2))
                fail(sc, DNSFW_ESCHEMA, "an answers element is not an object");
            return false;
        }
        if (!expect(sc, '{', "an answers element is not an object"))
            return false;
        dnsfw_text rdata = {0}, type = {0}, key;
        skip_ws(sc);
        if (sc->p < sc->end && *sc->p == '}') {
            sc->p++;
        } else {
            for (;;) {
                skip_ws(sc);
                if (sc->p >= sc->end || *sc->p != '"')
                    return fail(sc, DNSFW_EPARSE, "expected a key in an answer");
                if (!string(sc, &key) || !expect(sc, ':', "expected ':' after a key"))
                    return false;
                bool ok;
                if (KEY(&key, "Rdata"))
                    ok = text_value(sc, &rdata, false, "answers[].Rdata is not a string");
                else if (KEY(&key, "Type"))
                    ok = text_value(sc, &type, false, "answers[].Type is not a string");
                else
                    ok = skip_value(sc, 2);
                if (!ok)
                    return false;
                skip_ws(sc);
                if (sc->p >= sc->end)
                    return fail_end(sc);
                uint8_t c = *sc->p++;
                if (c == '}')
                    break;
                if (c != ',')
                    return fail(sc, DNSFW_EPARSE, "expected ',' or '}' in an answer");
            }
        }
        r53_answer(rec, &rdata, &type);
        skip_ws(sc);
        if (sc->p >= sc->end)
            return fail_end(sc);
        uint8_t c = *sc->p++;
        if (c == ']')
            return true;
        if (c != ',')
            return fail(sc, DNSFW_EPARSE, "expected ',' or ']' in answers");
    }
}

/* srcids: {"instance": ..., "resolver_endpoint": ..., ...}. */
static bool srcids(struct scan *sc, dnsfw_log_record *rec)
{
    int open = container(sc, '{', "srcids is not an object");
    if (open <= 0)
        return open == 0;
    dnsfw_text instance = {0}, endpoint = {0}, key;
    skip_ws(sc);
    if (sc->p < sc->end && *sc->p == '}') {
        sc->p++;
        return true;
    }
    for (;;) {
        skip_ws(sc);
        if (sc->p >= sc->end || *sc->p != '"')
            return fail(sc, DNSFW_EPARSE, "expected a key in srcids");
        if (!string(sc, &key) || !expect(sc, ':', "expected ':' after a key"))
            return false;
        bool ok;
        if (KEY(&key, "instance"))
            ok = text_value(sc, &instance, false, "srcids.instance is not a string");
        else if (KEY(&key, "resolver_endpoint"))
            ok = text_value(sc, &endpoint, false, "srcids.resolver_endpoint is not a string");
        else
            ok = skip_value(sc, 2);
        if (!ok)
            return false;
        skip_ws(sc);
        if (sc->p >= sc->end)
            return fail_end(sc);
        uint8_t c = *sc->p++;
        if (c == '}')
            break;
        if (c != ',')
            return fail(sc, DNSFW_EPARSE, "expected ',' or '}' in srcids");
    }
    rec->instance = instance.ptr ? instance : endpoint;
    return true;
}

static bool member(struct scan *sc, const dnsfw_text *key, dnsfw_log_record *rec, uint32_t *seen)
{
    int f = r53_key(key);
    if (f == F_UNKNOWN)
        return skip_value(sc, 1); /* a field this version of the format did not have */
    if (*seen & (1u << f))
        return fail(sc, DNSFW_ESCHEMA, "a key appears twice in the record");
    *seen |= 1u << f;
    if (f == F_ANSWERS)
        return answers(sc, rec);
    if (f == F_SRCIDS)
        return srcids(sc, rec);
    const struct r53_text *fd = &r53_texts[f];
    return text_value(sc, (dnsfw_text *)((char *)rec + fd->offset), fd->numbers_ok, fd->not_string);
}

int dnsfw__log_route53_general(dnsfw_logscratch *s, const char *line, size_t len,
                               dnsfw_log_record *rec, const char **reason)
{
    memset(rec, 0, sizeof *rec);
    rec->time = DNSFW_TIME_NONE;
    /* Decoded strings never outgrow their source, so the line's length is enough room. */
    if (len + 1 > s->cap) {
        char *nb = realloc(s->buf, len + 1);
        if (!nb) {
            *reason = "out of memory";
            return DNSFW_ENOMEM;
        }
        s->buf = nb;
        s->cap = len + 1;
    }
    struct scan sc = {
        .p = (const uint8_t *)line, .end = (const uint8_t *)line + len, .out = s->buf};
    uint32_t seen = 0;
    bool ok = expect(&sc, '{', "the line is not a JSON object");
    skip_ws(&sc);
    if (ok && sc.p < sc.end && *sc.p == '}') {
        sc.p++;
    } else {
        while (ok) {
            dnsfw_text key;
            skip_ws(&sc);
            if (sc.p >= sc.end) {
                ok = fail_end(&sc);
                break;
            }
            if (*sc.p != '"') {
                ok = fail(&sc, DNSFW_EPARSE, "expected a key");
                break;
            }
            ok = string(&sc, &key) && expect(&sc, ':', "expected ':' after a key") &&
                 member(&sc, &key, rec, &seen);
            if (!ok)
                break;
            skip_ws(&sc);
            if (sc.p >= sc.end) {
                ok = fail_end(&sc);
                break;
            }
            uint8_t c = *sc.p++;
            if (c == '}')
                break;
            if (c != ',')
                ok = fail(&sc, DNSFW_EPARSE, "expected ',' or '}' after a value");
        }
    }
    if (ok) {
        skip_ws(&sc);
        if (sc.p != sc.end)
            ok = fail(&sc, DNSFW_EPARSE, "characters after the JSON object");
    }
    if (ok && !rec->query_name.ptr)
        ok = fail(&sc, DNSFW_ESCHEMA, "the record has no query_name");
    if (ok && !rec->query_name.len) /* as the text formats: a record names its query */
        ok = fail(&sc, DNSFW_ESCHEMA, "query_name is empty");
    if (ok && !rec->query_type.ptr)
        ok = fail(&sc, DNSFW_ESCHEMA, "the record has no query_type");
    if (!ok) {
        *reason = sc.reason;
        return sc.status;
    }
    return DNSFW_OK;
}

int dnsfw__log_route53(dnsfw_logscratch *s, const char *line, size_t len, dnsfw_log_record *rec,
                       const char **reason)
{
    if (dnsfw__route53_fast(s, line, len, rec))
        return DNSFW_OK;
    return dnsfw__log_route53_general(s, line, len, rec, reason);
}
