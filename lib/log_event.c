/*
 * JSON values around or instead of Route 53 records: EventBridge "DNS Firewall Alert" /
 * "DNS Firewall Block" events, whose "detail" carries the query in kebab-case keys
 * (aws-dns-firewall.md §13), and CloudWatch Logs events ({"timestamp", "message", ...}),
 * whose message is the record as text. Read with the same scanner as the records.
 */
#include <stdlib.h>

#include "json_scan.h"
#include "logparse.h"
#include "logtime.h"

/*
 * The next member of an object whose '{' was consumed: 1 with *key read and sc at the
 * value, 0 at the closing '}', -1 on an error (in sc). *first tracks the comma.
 */
static int next_member(struct scan *sc, dnsfw_text *key, bool *first)
{
    skip_ws(sc);
    if (sc->p >= sc->end)
        return fail_end(sc), -1;
    if (*sc->p == '}') {
        sc->p++;
        return 0;
    }
    if (!*first) {
        if (*sc->p != ',')
            return fail(sc, DNSFW_EPARSE, "expected ',' or '}' after a value"), -1;
        sc->p++;
        skip_ws(sc);
    }
    *first = false;
    if (sc->p >= sc->end)
        return fail_end(sc), -1;
    if (*sc->p != '"')
        return fail(sc, DNSFW_EPARSE, "expected a key"), -1;
    if (!string(sc, key) || !expect(sc, ':', "expected ':' after a key"))
        return -1;
    skip_ws(sc);
    return 1;
}

static bool open_object(struct scan *sc, const char *not_object)
{
    skip_ws(sc);
    if (sc->p < sc->end && *sc->p == '{') {
        sc->p++;
        return true;
    }
    if (sc->p >= sc->end)
        return fail_end(sc);
    return fail(sc, DNSFW_EPARSE, not_object);
}

static bool eq(dnsfw_text t, const char *lit)
{
    return t.ptr && t.len == strlen(lit) && memcmp(t.ptr, lit, t.len) == 0;
}

enum json_kind dnsfw__json_kind(dnsfw_logscratch *s, const char *text, size_t len)
{
    if (dnsfw__reserve(&s->buf, &s->cap, len + 1) != DNSFW_OK)
        return JSON_RECORD; /* the record parser will say it is out of memory */
    struct scan sc = {
        .p = (const uint8_t *)text, .end = (const uint8_t *)text + len, .out = s->buf};
    bool first = true, detail = false, eb_key = false, message = false, cw_key = false,
         query_name = false;
    dnsfw_text key;
    if (!open_object(&sc, "not an object"))
        return JSON_RECORD;
    int rc;
    while ((rc = next_member(&sc, &key, &first)) == 1) {
        uint8_t c = sc.p < sc.end ? *sc.p : 0;
        if ((eq(key, "events") || eq(key, "logEvents")) && c == '[')
            return JSON_DOCUMENT;
        if (eq(key, "detail") && c == '{')
            detail = true;
        else if (eq(key, "detail-type") || eq(key, "source"))
            eb_key = true;
        else if (eq(key, "message") && c == '"')
            message = true;
        else if (eq(key, "timestamp") || eq(key, "eventId") || eq(key, "ingestionTime") ||
                 eq(key, "logStreamName"))
            cw_key = true;
        else if (eq(key, "query_name"))
            query_name = true;
        if (!skip_value(&sc, 1))
            return JSON_RECORD;
    }
    if (detail && eb_key)
        return JSON_EVENTBRIDGE;
    if (message && cw_key && !query_name)
        return JSON_CW_EVENT;
    return JSON_RECORD;
}

/* A string member (null: absent); numbers too when numbers_ok. */
static bool text_member(struct scan *sc, dnsfw_text *out, bool numbers_ok, const char *mistyped)
{
    return text_value(sc, out, numbers_ok, mistyped);
}

/* resources: [{"resource-type": ..., "instance-details": {"id": ...}}, ...] */
static bool resources(struct scan *sc, dnsfw_log_record *rec)
{
    skip_ws(sc);
    if (sc->p < sc->end && *sc->p == 'n')
        return literal(sc, "null", 4);
    if (sc->p >= sc->end || *sc->p != '[')
        return skip_value(sc, 2) && fail(sc, DNSFW_ESCHEMA, "detail.resources is not an array");
    sc->p++;
    skip_ws(sc);
    if (sc->p < sc->end && *sc->p == ']') {
        sc->p++;
        return true;
    }
    for (;;) {
        skip_ws(sc);
        if (sc->p < sc->end && *sc->p == '{') {
            sc->p++;
            bool first = true;
            dnsfw_text key;
            int rc;
            while ((rc = next_member(sc, &key, &first)) == 1) {
                bool inst = eq(key, "instance-details"),
                     endpoint = eq(key, "resolver-endpoint-details");
                if ((inst || endpoint) && sc->p < sc->end && *sc->p == '{') {
                    sc->p++;
                    bool f2 = true;
                    dnsfw_text k2, id = {0};
                    int r2;
                    while ((r2 = next_member(sc, &k2, &f2)) == 1) {
                        if (eq(k2, "id") ? !text_member(sc, &id, false, "an id is not a string")
                                         : !skip_value(sc, 3))
                            return false;
                    }
                    if (r2 < 0)
                        return false;
                    if (id.ptr && (inst || !rec->instance.ptr))
                        rec->instance = id;
                } else if (!skip_value(sc, 2)) {
                    return false;
                }
            }
            if (rc < 0)
                return false;
        } else if (!skip_value(sc, 2)) {
            return false;
        }
        skip_ws(sc);
        if (sc->p >= sc->end)
            return fail_end(sc);
        uint8_t c = *sc->p++;
        if (c == ']')
            return true;
        if (c != ',')
            return fail(sc, DNSFW_EPARSE, "expected ',' or ']' in detail.resources");
    }
}

static bool detail(struct scan *sc, dnsfw_log_record *rec, dnsfw_text *observed)
{
    if (!open_object(sc, "detail is not an object"))
        return false;
    static const struct {
        const char *key;
        size_t offset;
        bool numbers_ok;
    } fields[] = {
        {"query-name", offsetof(dnsfw_log_record, query_name), false},
        {"query-type", offsetof(dnsfw_log_record, query_type), false},
        {"query-class", offsetof(dnsfw_log_record, query_class), false},
        {"src-addr", offsetof(dnsfw_log_record, client), false},
        {"src-port", offsetof(dnsfw_log_record, client_port), true},
        {"transport", offsetof(dnsfw_log_record, transport), false},
        {"firewall-rule-action", offsetof(dnsfw_log_record, firewall_action), false},
        {"firewall-rule-group-id", offsetof(dnsfw_log_record, firewall_rule_group_id), false},
        {"firewall-domain-list-id", offsetof(dnsfw_log_record, firewall_domain_list_id), false},
        {"account-id", offsetof(dnsfw_log_record, account_id), true},
        {"vpc-id", offsetof(dnsfw_log_record, vpc_id), false},
        {"rcode", offsetof(dnsfw_log_record, rcode), false},
    };
    bool first = true;
    dnsfw_text key;
    int rc;
    while ((rc = next_member(sc, &key, &first)) == 1) {
        bool ok = false, known = false;
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
            if (eq(key, fields[i].key)) {
                ok = text_member(sc, (dnsfw_text *)((char *)rec + fields[i].offset),
                                 fields[i].numbers_ok, "a detail field is not a string");
                known = true;
                break;
            }
        }
        if (!known) {
            if (eq(key, "last-observed-at"))
                ok = text_member(sc, observed, false, "detail.last-observed-at is not a string");
            else if (eq(key, "resources"))
                ok = resources(sc, rec);
            else
                ok = skip_value(sc, 2);
        }
        if (!ok)
            return false;
    }
    return rc == 0;
}

int dnsfw__log_eventbridge(dnsfw_logscratch *s, const char *text, size_t len, dnsfw_log_record *rec,
                           struct line_info *info, const char **reason)
{
    info->shape = DNSFW_SHAPE_EVENTBRIDGE;
    if (dnsfw__reserve(&s->buf, &s->cap, len + 1) != DNSFW_OK) {
        *reason = "out of memory";
        return DNSFW_ENOMEM;
    }
    struct scan sc = {
        .p = (const uint8_t *)text, .end = (const uint8_t *)text + len, .out = s->buf};
    dnsfw_text key, type = {0}, source = {0}, time = {0}, observed = {0};
    bool first = true, has_detail = false;
    int rc = -1;
    if (open_object(&sc, "the event is not a JSON object")) {
        while ((rc = next_member(&sc, &key, &first)) == 1) {
            bool ok;
            if (eq(key, "detail-type"))
                ok = text_member(&sc, &type, false, "detail-type is not a string");
            else if (eq(key, "source"))
                ok = text_member(&sc, &source, false, "source is not a string");
            else if (eq(key, "time"))
                ok = text_member(&sc, &time, false, "time is not a string");
            else if (eq(key, "region"))
                ok = text_member(&sc, &rec->region, false, "region is not a string");
            else if (eq(key, "detail") && !has_detail)
                ok = has_detail = detail(&sc, rec, &observed);
            else
                ok = skip_value(&sc, 1);
            if (!ok) {
                rc = -1;
                break;
            }
        }
    }
    if (rc == 0) {
        skip_ws(&sc);
        if (sc.p != sc.end)
            rc = -1, fail(&sc, DNSFW_EPARSE, "characters after the JSON object");
    }
    if (rc < 0) {
        *reason = sc.reason ? sc.reason : "malformed JSON";
        return sc.status ? sc.status : DNSFW_EPARSE;
    }
    if (source.ptr && !eq(source, "aws.route53resolver"))
        return DNSFW_ENOTQUERY; /* another service's event */
    if (type.ptr && !eq(type, "DNS Firewall Alert") && !eq(type, "DNS Firewall Block"))
        return DNSFW_ENOTQUERY;
    rec->timestamp = observed.ptr ? observed : time;
    if (!has_detail) {
        *reason = "the event has no detail";
        return DNSFW_ESCHEMA;
    }
    if (!rec->query_name.ptr || !rec->query_name.len) {
        *reason = "the event has no detail.query-name";
        return DNSFW_ESCHEMA;
    }
    if (!rec->query_type.ptr) {
        *reason = "the event has no detail.query-type";
        return DNSFW_ESCHEMA;
    }
    return DNSFW_OK;
}

/*
 * A CloudWatch event object at the start of text: its message (decoded into s->msg) and
 * timestamp. With a used pointer the object may be followed by anything (*used: its
 * length, or where a syntax error is); without, text must be the object alone. *eof:
 * the object goes on past len.
 */
static int cw_event(dnsfw_logscratch *s, const char *text, size_t len, dnsfw_text *message,
                    int64_t *time, const char **reason, size_t *used, bool *eof,
                    dnsfw_log_record *rec, bool *parsed)
{
    if (dnsfw__reserve(&s->msg, &s->msg_cap, len + 1) != DNSFW_OK) {
        *reason = "out of memory";
        return DNSFW_ENOMEM;
    }
    struct scan sc = {
        .p = (const uint8_t *)text, .end = (const uint8_t *)text + len, .out = s->msg};
    dnsfw_text key, stamp = {0};
    *message = (dnsfw_text){0};
    *time = DNSFW_TIME_NONE;
    bool first = true;
    int rc = -1;
    if (open_object(&sc, "the event is not a JSON object")) {
        while ((rc = next_member(&sc, &key, &first)) == 1) {
            bool ok;
            size_t body;
            if (eq(key, "message") && rec && sc.p < sc.end && *sc.p == '"' &&
                dnsfw__route53_escaped(s, (const char *)sc.p + 1, (size_t)(sc.end - sc.p) - 1, rec,
                                       &body)) {
                /* a record read in its escaped form: nothing to decode */
                *message = (dnsfw_text){.ptr = (const char *)sc.p + 1, .len = body - 1};
                sc.p += 1 + body;
                *parsed = ok = true;
            } else if (eq(key, "message")) {
                ok = text_member(&sc, message, false, "the event's message is not a string");
                if (parsed)
                    *parsed = false;
            } else if (eq(key, "timestamp"))
                ok = text_member(&sc, &stamp, true, "the event's timestamp is not a number");
            else
                ok = skip_value(&sc, 1);
            if (!ok) {
                rc = -1;
                break;
            }
        }
    }
    if (used) {
        *used = (size_t)((const char *)sc.p - text);
        *eof = sc.eof && sc.status;
    } else if (rc == 0) {
        skip_ws(&sc);
        if (sc.p != sc.end)
            rc = -1, fail(&sc, DNSFW_EPARSE, "characters after the JSON object");
    }
    if (rc < 0) {
        *reason = sc.reason ? sc.reason : "malformed JSON";
        return sc.status ? sc.status : DNSFW_EPARSE;
    }
    if (!message->ptr) {
        *reason = "the event has no message";
        return DNSFW_ESCHEMA;
    }
    if (stamp.ptr) {
        int64_t v = 0;
        size_t i = 0;
        for (; i < stamp.len && i < 16 && stamp.ptr[i] >= '0' && stamp.ptr[i] <= '9'; i++)
            v = v * 10 + (stamp.ptr[i] - '0');
        if (i == stamp.len && i > 0)
            *time = v; /* CloudWatch timestamps are milliseconds */
    }
    return DNSFW_OK;
}

int dnsfw__cw_event(dnsfw_logscratch *s, const char *text, size_t len, dnsfw_text *message,
                    int64_t *time, const char **reason)
{
    return cw_event(s, text, len, message, time, reason, NULL, NULL, NULL, NULL);
}

int dnsfw__cw_event_at(dnsfw_logscratch *s, const char *text, size_t len, dnsfw_text *message,
                       int64_t *time, const char **reason, size_t *used, bool *eof,
                       dnsfw_log_record *rec, bool *parsed)
{
    *parsed = false;
    return cw_event(s, text, len, message, time, reason, used, eof, rec, parsed);
}
