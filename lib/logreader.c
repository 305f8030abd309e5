/*
 * The log reader: the bytes of one input after another, through up to two gzip layers
 * (multi-member; a Firehose object of gzip payloads may itself be compressed), into a
 * text stage that reads either lines or a stream of JSON values, whichever the input
 * starts with.
 *
 * Lines: each line is parsed on its own (log_line: a Route 53 record, an export line,
 * an EventBridge event, a text line), so a bad line costs that line only.
 *
 * JSON values: a value that fits on its line and is a Route 53 record takes the same
 * fast path as a line. Anything else is walked member by member: a top-level object
 * with an "events" or "logEvents" array is a CloudWatch Logs document, whose events are
 * read one at a time, so that only the current event (at most max_record bytes) is kept
 * in memory, however large the document; other objects (and the elements of top-level
 * arrays) are records or events standing alone. After a syntax error the reader goes on
 * at the next line that starts with '{' or '[' (pages appended to one file start so);
 * such a line inside an unfinished value means that value was cut short.
 *
 * Flow logs (DNSFW_RECORDS_FLOW) take the same stages: only what is done with a line,
 * a value standing alone and an event's message differs (flow_line, flow_value,
 * flow_message), as the three handle_ functions below show.
 */
#include <stdlib.h>
#include <time.h>

#include "inflate.h"
#include "json_scan.h"
#include "logparse.h"

#define DEFAULT_MAX_RECORD (1024 * 1024)
#define GZ_OUT             (256 * 1024)
#define SLICE              (256 * 1024) /* bytes appended to the text buffer at a time */

enum { GZ_SNIFF, GZ_PLAIN, GZ_INFLATE, GZ_SKIP };

struct gz_stage {
    int mode;
    uint8_t sniff[2];
    size_t n_sniff;
    struct dnsfw__inflater z;
    bool z_init;
    bool at_boundary; /* between members (or before the first) */
    uint64_t members;
    uint8_t *out;
};

enum { M_UNDECIDED, M_LINES, M_JSON };
enum { J_TOP, J_OBJ, J_EVENTS, J_DOC_REST, J_ARRAY, J_RESYNC };
enum { STEP_GO, STEP_NEED, STEP_DONE };

struct dnsfw_logreader {
    dnsfw_logreader_options o;
    dnsfw_logparser *lp;
    dnsfw_logscratch *s;
    struct dnsfw__clock clock;
    bool windowed;
    char *source;
    bool begun;
    struct gz_stage gz[2];
    uint64_t input_bytes; /* after gzip, this input */
    /* text stage: buf[pos, have) is not consumed yet; line is the line number at pos */
    char *buf;
    size_t pos, have, cap, wait_until;
    uint64_t line;
    int mode;
    bool skipping; /* inside a line longer than max_record */
    bool final;
    bool cut; /* the input was cut inside a gzip member: its unfinished tail is not read */
    /* JSON values */
    int js;
    size_t scan;       /* J_OBJ: where the next member starts */
    bool first;        /* the next member or element is the first */
    bool comma;        /* the ',' before the next element is consumed */
    uint64_t obj_line; /* line where the current top-level value starts */
    uint64_t doc;      /* documents of this input */
    const char *array; /* "events" or "logEvents" */
    uint64_t index;    /* next element's index */
    bool control;      /* a CONTROL_MESSAGE payload */
    dnsfw_log_record rec;
    /* flow logs */
    bool flows;
    bool times;                     /* DNSFW_LOGREADER_TIMES */
    dnsfw_flowformat *flow_default; /* the default format, when none was given */
    dnsfw_flowformat *flow_header;  /* this input's header line, when it had one */
    dnsfw_flow_record flow;
    dnsfw_logreader_stats st;
    bool version_said;
    int stop;
};

const char *dnsfw_log_shape_name(dnsfw_log_shape shape)
{
    switch (shape) {
    case DNSFW_SHAPE_NONE:
        return "input";
    case DNSFW_SHAPE_ROUTE53:
        return "route53";
    case DNSFW_SHAPE_CW_EXPORT:
        return "cloudwatch-export";
    case DNSFW_SHAPE_CW_EVENTS:
        return "cloudwatch-events";
    case DNSFW_SHAPE_CW_PAYLOAD:
        return "cloudwatch-subscription";
    case DNSFW_SHAPE_EVENTBRIDGE:
        return "eventbridge";
    case DNSFW_SHAPE_TEXT:
        return "text";
    case DNSFW_SHAPE_SYSLOG:
        return "syslog";
    case DNSFW_SHAPE_FLOW:
        return "flow-log";
    }
    return "unknown";
}

/* --- items ---------------------------------------------------------------------------- */

static void emit(dnsfw_logreader *r, const dnsfw_log_item *item)
{
    if (r->stop)
        return;
    r->stop = r->o.on_item ? r->o.on_item(r->o.userdata, item) : 0;
}

static dnsfw_log_location here(const dnsfw_logreader *r, uint64_t line)
{
    return (dnsfw_log_location){.source = r->source, .line = line};
}

static void problem(dnsfw_logreader *r, dnsfw_log_location where, dnsfw_log_shape shape, int status,
                    const char *reason)
{
    r->st.malformed++;
    dnsfw_log_item item = {.kind = DNSFW_ITEM_MALFORMED,
                           .status = status,
                           .reason = reason,
                           .shape = shape,
                           .where = where};
    emit(r, &item);
}

/* The record's own time, or its envelope's. */
static int64_t record_time(dnsfw_logreader *r, const struct line_info *info)
{
    int64_t t;
    const dnsfw_text *ts = &r->rec.timestamp;
    bool text = info->shape == DNSFW_SHAPE_TEXT || info->shape == DNSFW_SHAPE_SYSLOG;
    if (text && info->time != DNSFW_TIME_NONE)
        return info->time;
    if (ts->ptr && dnsfw__time_any(ts->ptr, ts->len, &r->clock, &t) == 1)
        return t;
    return info->time;
}

/* Route 53 record versions "1", "1.1", "1.100000"...: a minor bump adds fields. */
static bool version_known(dnsfw_text v)
{
    return v.len >= 1 && v.ptr[0] == '1' && (v.len == 1 || v.ptr[1] == '.');
}

/* What a parser said about one record, handed over as an item. */
static void deliver(dnsfw_logreader *r, int rc, const char *reason, const struct line_info *info,
                    dnsfw_log_location where)
{
    dnsfw_log_item item = {.shape = info->shape, .where = where, .status = rc};
    if (rc == DNSFW_ENOTQUERY) {
        r->st.not_query++;
        item.kind = DNSFW_ITEM_NOT_QUERY;
        item.status = DNSFW_OK;
        emit(r, &item);
        return;
    }
    if (rc) {
        problem(r, where, info->shape, rc, reason ? reason : dnsfw_strerror(rc));
        return;
    }
    if (r->rec.version.ptr && !version_known(r->rec.version)) {
        r->st.unknown_version++;
        if (!r->version_said) {
            r->version_said = true;
            dnsfw_log_item note = {.kind = DNSFW_ITEM_NOTICE,
                                   .reason = "a record version this reader does not know "
                                             "(it knows 1.x); the fields that are there are read",
                                   .shape = info->shape,
                                   .record = &r->rec,
                                   .where = where};
            emit(r, &note);
        }
    }
    if (r->times && !r->windowed)
        r->rec.time = record_time(r, info);
    if (r->windowed) {
        int64_t t = record_time(r, info);
        if (t == DNSFW_TIME_NONE) {
            problem(r, where, info->shape, DNSFW_ESCHEMA,
                    "the record has no time to compare with the time window");
            return;
        }
        r->rec.time = t;
        if ((r->o.since != DNSFW_TIME_NONE && t < r->o.since) ||
            (r->o.until != DNSFW_TIME_NONE && t >= r->o.until)) {
            r->st.outside_window++;
            return;
        }
    }
    r->st.records++;
    item.kind = DNSFW_ITEM_RECORD;
    item.record = &r->rec;
    emit(r, &item);
}

/* --- flow logs ----------------------------------------------------------------------- */

/* The message of a CloudWatch event, an export line's, or a text line: one flow record. */
static void flow_message(dnsfw_logreader *r, const char *msg, size_t len, dnsfw_log_shape shape,
                         int64_t envelope, dnsfw_log_location where)
{
    dnsfw_log_item item = {.shape = shape, .where = where};
    static const char control[] = "CWL CONTROL MESSAGE";
    if (len >= sizeof control - 1 && memcmp(msg, control, sizeof control - 1) == 0) {
        r->st.not_query++;
        item.kind = DNSFW_ITEM_NOT_QUERY;
        emit(r, &item);
        return;
    }
    const dnsfw_flowformat *f = r->flow_header     ? r->flow_header
                                : r->o.flow_format ? r->o.flow_format
                                                   : r->flow_default;
    const char *reason = NULL;
    int rc = dnsfw_flow_parse(f, msg, len, &r->flow, &reason);
    if (rc) {
        problem(r, where, shape, rc, reason ? reason : dnsfw_strerror(rc));
        return;
    }
    if (r->windowed) {
        int64_t t = envelope;
        if (DNSFW_FLOW_HAS(&r->flow, DNSFW_FLOW_START)) /* its own time first */
            t = r->flow.start > INT64_MAX / 1000 ? INT64_MAX : r->flow.start * 1000;
        if (t == DNSFW_TIME_NONE) {
            problem(r, where, shape, DNSFW_ESCHEMA,
                    "the record has no time to compare with the time window");
            return;
        }
        if ((r->o.since != DNSFW_TIME_NONE && t < r->o.since) ||
            (r->o.until != DNSFW_TIME_NONE && t >= r->o.until)) {
            r->st.outside_window++;
            return;
        }
    }
    r->st.records++;
    item.kind = DNSFW_ITEM_FLOW;
    item.flow = &r->flow;
    emit(r, &item);
}

/* A header line: the format of the rest of this input. */
static void flow_header(dnsfw_logreader *r, const char *text, size_t len, dnsfw_log_location where)
{
    dnsfw_flowformat *f = NULL;
    dnsfw_error err;
    int rc = dnsfw_flowformat_new(&f, text, len, &err);
    if (rc) {
        problem(r, where, DNSFW_SHAPE_FLOW, rc,
                rc == DNSFW_EDUPLICATE ? "a header line names a field twice"
                                       : "a header line that cannot be read");
        return;
    }
    dnsfw_flowformat_free(r->flow_header);
    r->flow_header = f;
    r->st.not_query++;
    dnsfw_log_item item = {.kind = DNSFW_ITEM_NOT_QUERY, .shape = DNSFW_SHAPE_FLOW, .where = where};
    emit(r, &item);
}

/* A JSON value standing alone among flow records: a CloudWatch Logs event. */
static void flow_value(dnsfw_logreader *r, const char *text, size_t len, dnsfw_log_location where)
{
    dnsfw_text msg;
    int64_t t;
    const char *reason = NULL;
    int rc = dnsfw__cw_event(r->s, text, len, &msg, &t, &reason);
    if (rc)
        problem(r, where, DNSFW_SHAPE_CW_EVENTS, rc,
                rc == DNSFW_ENOMEM ? dnsfw_strerror(rc)
                                   : "a JSON value that is not a CloudWatch Logs event, among "
                                     "flow records");
    else
        flow_message(r, msg.ptr, msg.len, DNSFW_SHAPE_CW_EVENTS, t, where);
}

/* A line of a flow log: a header, a record, a CloudWatch export line or event. */
static void flow_line(dnsfw_logreader *r, const char *text, size_t len, dnsfw_log_location where)
{
    if (text[0] == '{') {
        flow_value(r, text, len, where);
        return;
    }
    size_t used;
    int64_t t;
    if (len > 21 && text[0] >= '0' && text[0] <= '9' && text[4] == '-' &&
        dnsfw__time_rfc3339(text, len, &used, &t) == 1 && used + 1 < len && text[used] == ' ') {
        flow_message(r, text + used + 1, len - used - 1, DNSFW_SHAPE_CW_EXPORT, t, where);
        return;
    }
    if (dnsfw_flow_is_header(text, len))
        flow_header(r, text, len, where);
    else
        flow_message(r, text, len, DNSFW_SHAPE_FLOW, DNSFW_TIME_NONE, where);
}

/* --- handing over --------------------------------------------------------------------- */

static void handle_line(dnsfw_logreader *r, const char *text, size_t len, uint64_t line)
{
    while (len && (text[len - 1] == '\r' || text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t'))
        i++;
    if (i == len)
        return; /* a blank line is nothing */
    if (r->flows) {
        flow_line(r, text + i, len - i, here(r, line));
        return;
    }
    struct line_info info;
    const char *reason = NULL;
    int rc = dnsfw__log_line(r->lp, r->s, &r->clock, text, len, &r->rec, &info, &reason);
    deliver(r, rc, reason, &info, here(r, line));
}

/* A JSON value standing alone (a top-level object, an element of a top-level array). */
static void handle_value(dnsfw_logreader *r, const char *text, size_t len, dnsfw_log_location w)
{
    if (r->flows) {
        flow_value(r, text, len, w);
        return;
    }
    struct line_info info;
    const char *reason = NULL;
    int rc = dnsfw__log_line(r->lp, r->s, &r->clock, text, len, &r->rec, &info, &reason);
    deliver(r, rc, reason, &info, w);
}

/* An event of a CloudWatch Logs document. */
static void handle_event(dnsfw_logreader *r, const char *text, size_t len, dnsfw_log_location w)
{
    struct line_info info = {.shape = strcmp(r->array, "events") == 0 ? DNSFW_SHAPE_CW_EVENTS
                                                                      : DNSFW_SHAPE_CW_PAYLOAD,
                             .time = DNSFW_TIME_NONE};
    if (r->control) {
        deliver(r, DNSFW_ENOTQUERY, NULL, &info, w);
        return;
    }
    dnsfw_text msg;
    int64_t t;
    const char *reason = NULL;
    int rc = dnsfw__cw_event(r->s, text, len, &msg, &t, &reason);
    if (rc) {
        deliver(r, rc, reason, &info, w);
        return;
    }
    if (r->flows) {
        flow_message(r, msg.ptr, msg.len, info.shape, t, w);
        return;
    }
    dnsfw_log_shape shape = info.shape;
    rc = dnsfw__log_message(r->lp, r->s, &r->clock, msg.ptr, msg.len, &r->rec, &info, &reason);
    info.shape = shape;
    if (info.time == DNSFW_TIME_NONE || info.time == 0)
        info.time = t;
    deliver(r, rc, reason, &info, w);
}

/* --- the text stage ----------------------------------------------------------------- */

static uint64_t newlines(const char *p, const char *end)
{
    uint64_t n = 0;
    while ((p = memchr(p, '\n', (size_t)(end - p)))) {
        n++;
        p++;
    }
    return n;
}

/* Consume buf[pos, to), counting its lines. */
static void advance(dnsfw_logreader *r, size_t to)
{
    r->line += newlines(r->buf + r->pos, r->buf + to);
    r->pos = to;
}

static void skip_space(dnsfw_logreader *r)
{
    while (r->pos < r->have) {
        char c = r->buf[r->pos];
        if (c == '\n')
            r->line++;
        else if (c != ' ' && c != '\t' && c != '\r')
            break;
        r->pos++;
    }
}

static const char *too_long(const dnsfw_logreader *r)
{
    return r->o.max_record == DEFAULT_MAX_RECORD ? "line longer than 1 MiB, skipped"
                                                 : "line longer than the longest record "
                                                   "allowed, skipped";
}

static int step_lines(dnsfw_logreader *r)
{
    while (r->pos < r->have && !r->stop) {
        char *start = r->buf + r->pos;
        char *nl = memchr(start, '\n', r->have - r->pos);
        if (!nl) {
            if (r->final) {
                size_t len = r->have - r->pos;
                if (!r->skipping && !r->cut && len > r->o.max_record)
                    problem(r, here(r, r->line), DNSFW_SHAPE_NONE, DNSFW_ELIMIT, too_long(r));
                else if (!r->skipping && !r->cut)
                    handle_line(r, start, len, r->line);
                r->pos = r->have;
                return STEP_DONE;
            }
            if (r->have - r->pos > r->o.max_record && !r->skipping) {
                problem(r, here(r, r->line), DNSFW_SHAPE_NONE, DNSFW_ELIMIT, too_long(r));
                r->skipping = true;
            }
            if (r->skipping)
                r->pos = r->have;
            return STEP_NEED;
        }
        size_t len = (size_t)(nl - start);
        if (r->skipping)
            r->skipping = false; /* the tail of an over-long line */
        else if (len > r->o.max_record)
            problem(r, here(r, r->line), DNSFW_SHAPE_NONE, DNSFW_ELIMIT, too_long(r));
        else
            handle_line(r, start, len, r->line);
        r->pos += len + 1;
        r->line++;
    }
    return r->final ? STEP_DONE : STEP_NEED;
}

/* After a syntax error: go on at the next line that starts a JSON value. */
static void resync(dnsfw_logreader *r, size_t from)
{
    if (from < r->pos)
        from = r->pos;
    for (size_t i = from; i + 1 < r->have; i++) {
        if (r->buf[i] == '\n' && (r->buf[i + 1] == '{' || r->buf[i + 1] == '[')) {
            advance(r, i + 1);
            r->js = J_TOP;
            return;
        }
    }
    /* keep the last byte: it may be the '\n' before the next value */
    advance(r, r->have > r->pos ? r->have - 1 : r->pos);
    r->js = J_RESYNC;
}

/* A value longer than max_record: reported, and reading goes on at the next value. */
static void oversize(dnsfw_logreader *r, dnsfw_log_location w, const char *reason)
{
    problem(r, w, DNSFW_SHAPE_NONE, DNSFW_ELIMIT, reason);
    resync(r, r->pos + 1);
}

/*
 * Whether a value that did not scan went on past max_record before it went wrong (or
 * before the buffer ran out): such a value is too long, whatever else is wrong with it.
 * Deciding by the position of the error, not by how much was buffered, keeps the result
 * the same however the input arrives.
 */
static bool past_limit(const dnsfw_logreader *r, const struct scan *sc)
{
    size_t stop = sc->eof ? r->have : (size_t)((const char *)sc->p - r->buf);
    return stop - r->pos > r->o.max_record;
}

/* A value that went wrong at position at, inside the value that started on r->obj_line. */
static void value_error(dnsfw_logreader *r, size_t at, dnsfw_log_location w, int status,
                        const char *reason)
{
    if (at > r->pos && at < r->have && r->buf[at - 1] == '\n' &&
        (r->buf[at] == '{' || r->buf[at] == '[')) {
        /* a new document begins inside this value: this one was cut short */
        problem(r, w, DNSFW_SHAPE_NONE, DNSFW_EPARSE,
                r->array ? "the document is cut short inside an event (a new one starts on a "
                           "later line)"
                         : "the record is truncated");
        advance(r, at);
        r->js = J_TOP;
        return;
    }
    problem(r, w, DNSFW_SHAPE_NONE, status ? status : DNSFW_EPARSE, reason);
    resync(r, at);
}

/* The document walk only finds where values end: strings are checked, not decoded (the
 * event's parser decodes what it needs). */
static struct scan scanner(dnsfw_logreader *r, size_t from)
{
    return (struct scan){.p = (const uint8_t *)r->buf + from,
                         .end = (const uint8_t *)r->buf + r->have,
                         .out = NULL,
                         .raw = true};
}

static dnsfw_log_location doc_here(const dnsfw_logreader *r, uint64_t line)
{
    dnsfw_log_location w = here(r, line);
    w.document = r->doc;
    w.array = r->array;
    w.index = r->index;
    return w;
}

static bool first_key_is(const dnsfw_logreader *r, const char *key)
{
    size_t n = strlen(key);
    return r->have - r->pos > n + 2 && r->buf[r->pos + 1] == '"' &&
           memcmp(r->buf + r->pos + 2, key, n) == 0 && r->buf[r->pos + 2 + n] == '"';
}

static int step_top(dnsfw_logreader *r)
{
    skip_space(r);
    if (r->pos >= r->have)
        return r->final ? STEP_DONE : STEP_NEED;
    char c = r->buf[r->pos];
    r->obj_line = r->line;
    r->array = NULL;
    /* A record on its own line takes the fast path. Documents start with other keys, and
     * go to the document walk at once: no need to look for the line's end (a Firehose
     * object has no newlines: looking would scan it whole at each of its documents). */
    bool document = first_key_is(r, "messageType") || first_key_is(r, "events") ||
                    first_key_is(r, "logEvents") || r->lp->format == DNSFW_LOG_CLOUDWATCH ||
                    r->lp->format == DNSFW_LOG_EVENTBRIDGE || r->flows;
    if (c == '{' && !document) {
        char *start = r->buf + r->pos;
        /* only a line of max_record bytes or less can take the fast path */
        size_t avail = r->have - r->pos;
        char *nl = memchr(start, '\n', avail <= r->o.max_record ? avail : r->o.max_record + 1);
        if (!nl && r->final)
            nl = r->buf + r->have;
        /* the line's end decides which path a value takes: wait for it, unless the
         * value is already longer than a record (a document, a Firehose object) */
        if (!nl && r->have - r->pos <= r->o.max_record)
            return STEP_NEED;
        if (nl && (size_t)(nl - start) <= r->o.max_record) {
            size_t len = (size_t)(nl - start);
            while (len && (start[len - 1] == '\r' || start[len - 1] == ' '))
                len--;
            const char *reason;
            int rc = dnsfw__log_route53(r->s, start, len, &r->rec, &reason);
            if (rc == DNSFW_OK) {
                struct line_info info = {.shape = DNSFW_SHAPE_ROUTE53, .time = DNSFW_TIME_NONE};
                deliver(r, DNSFW_OK, NULL, &info, here(r, r->line));
                r->pos = (size_t)(nl - r->buf);
                return STEP_GO;
            }
            /* a record cut at the end of its line, and the next line starts a value */
            size_t next = (size_t)(nl - r->buf) + 1;
            if (strstr(reason, "truncated")) {
                if (next >= r->have && !r->final)
                    return STEP_NEED;
                if (next >= r->have && r->cut) {
                    r->pos = r->have;
                    return STEP_DONE;
                }
                if (next >= r->have || r->buf[next] == '{' || r->buf[next] == '[') {
                    struct line_info info = {.shape = DNSFW_SHAPE_ROUTE53, .time = DNSFW_TIME_NONE};
                    deliver(r, rc, reason, &info, here(r, r->line));
                    r->pos = (size_t)(nl - r->buf);
                    return STEP_GO;
                }
            }
        }
    }
    if (c == '{') {
        r->js = J_OBJ;
        r->scan = r->pos + 1;
        r->first = true;
        r->control = false;
        return STEP_GO;
    }
    if (c == '[') {
        r->js = J_ARRAY;
        r->pos++;
        r->first = true;
        r->comma = false;
        r->index = 0;
        return STEP_GO;
    }
    /* not JSON: a line of another shape among the values (AUTO), or an error */
    char *start = r->buf + r->pos;
    char *nl = memchr(start, '\n', r->have - r->pos);
    size_t len = nl ? (size_t)(nl - start) : r->have - r->pos;
    if (len > r->o.max_record) {
        problem(r, here(r, r->line), DNSFW_SHAPE_NONE, DNSFW_ELIMIT, too_long(r));
        resync(r, r->pos);
        return STEP_GO;
    }
    if (!nl && !r->final)
        return STEP_NEED;
    if (r->lp->format == DNSFW_LOG_AUTO)
        handle_line(r, start, len, r->line);
    else
        problem(r, here(r, r->line), DNSFW_SHAPE_NONE, DNSFW_EPARSE,
                "not a JSON value where a JSON document or event was expected");
    advance(r, r->pos + len);
    return STEP_GO;
}

/* Inside a top-level object: a document, or a record or event standing alone. */
static int step_obj(dnsfw_logreader *r)
{
    struct scan sc = scanner(r, r->scan);
    dnsfw_text key;
    skip_ws(&sc);
    if (sc.p < sc.end && *sc.p == '}') {
        sc.p++;
    } else {
        if (!r->first) {
            if (sc.p < sc.end && *sc.p == ',') {
                sc.p++;
            } else if (sc.p < sc.end && past_limit(r, &sc)) {
                oversize(r, here(r, r->obj_line),
                         "a JSON value longer than the longest record allowed");
                return STEP_GO;
            } else if (sc.p < sc.end) {
                value_error(r, (size_t)((const char *)sc.p - r->buf), here(r, r->obj_line),
                            DNSFW_EPARSE, "expected ',' or '}' after a value");
                return STEP_GO;
            }
        }
        skip_ws(&sc);
        bool ok = sc.p < sc.end ? (*sc.p == '"' ? true : fail(&sc, DNSFW_EPARSE, "expected a key"))
                                : fail_end(&sc);
        ok = ok && string(&sc, &key) && expect(&sc, ':', "expected ':' after a key");
        if (ok) {
            skip_ws(&sc);
            if (sc.p >= sc.end)
                ok = fail_end(&sc);
        }
        if (ok && *sc.p == '[' && (is_key(&key, "events", 6) || is_key(&key, "logEvents", 9)) &&
            r->lp->format != DNSFW_LOG_ROUTE53 && r->lp->format != DNSFW_LOG_EVENTBRIDGE) {
            /* a CloudWatch Logs document: its events one at a time from here */
            r->array = key.len == 6 ? "events" : "logEvents";
            r->doc++;
            r->index = 0;
            r->first = true;
            advance(r, (size_t)((const char *)sc.p - r->buf) + 1);
            r->js = J_EVENTS;
            return STEP_GO;
        }
        if (ok && is_key(&key, "messageType", 11)) {
            dnsfw_text v = {0};
            ok = text_value(&sc, &v, false, "messageType is not a string");
            r->control = ok && v.len == 15 && memcmp(v.ptr, "CONTROL_MESSAGE", 15) == 0;
        } else if (ok) {
            ok = skip_value(&sc, 1);
        }
        if (!ok) {
            if (past_limit(r, &sc)) {
                oversize(r, here(r, r->obj_line),
                         "a JSON value longer than the longest record "
                         "allowed");
                return STEP_GO;
            }
            if (sc.eof && !r->final)
                return STEP_NEED;
            if (sc.eof && r->cut) {
                r->pos = r->have;
                return STEP_DONE;
            }
            value_error(r, (size_t)((const char *)sc.p - r->buf), here(r, r->obj_line), sc.status,
                        sc.eof ? "the record is truncated" : sc.reason);
            return STEP_GO;
        }
        if (sc.eof && sc.p >= sc.end && !r->final)
            return STEP_NEED; /* a number at the end of the buffer may go on */
        r->scan = (size_t)((const char *)sc.p - r->buf);
        r->first = false;
        return STEP_GO;
    }
    /* the object is complete: a record or an event standing alone */
    size_t end = (size_t)((const char *)sc.p - r->buf);
    if (end - r->pos > r->o.max_record) {
        oversize(r, here(r, r->obj_line), too_long(r));
        return STEP_GO;
    }
    handle_value(r, r->buf + r->pos, end - r->pos, here(r, r->obj_line));
    advance(r, end);
    r->js = J_TOP;
    return STEP_GO;
}

/*
 * An event parsed where it lies, without a separate walk to find its end. STEP_DONE
 * when it is not a well-formed event: the walk then finds its end and says what is
 * wrong with it.
 */
static int fast_event(dnsfw_logreader *r, uint64_t at_line)
{
    dnsfw_text msg;
    int64_t t;
    const char *reason = NULL;
    size_t used = 0;
    bool eof = false;
    bool parsed;
    int rc = dnsfw__cw_event_at(r->s, r->buf + r->pos, r->have - r->pos, &msg, &t, &reason, &used,
                                &eof, r->flows ? NULL : &r->rec, &parsed);
    if (rc == DNSFW_ENOMEM)
        return -1;
    if (eof && !r->final && r->have - r->pos <= r->o.max_record)
        return STEP_NEED;
    if (rc || eof || used > r->o.max_record)
        return STEP_DONE;
    dnsfw_log_location w = doc_here(r, at_line);
    struct line_info info = {.shape = strcmp(r->array, "events") == 0 ? DNSFW_SHAPE_CW_EVENTS
                                                                      : DNSFW_SHAPE_CW_PAYLOAD,
                             .time = DNSFW_TIME_NONE};
    r->first = r->comma = false;
    if (r->control) {
        deliver(r, DNSFW_ENOTQUERY, NULL, &info, w);
    } else if (r->flows) {
        flow_message(r, msg.ptr, msg.len, info.shape, t, w);
    } else if (parsed) { /* a Route 53 record, read in its escaped form */
        info.time = t;
        deliver(r, DNSFW_OK, NULL, &info, w);
    } else {
        dnsfw_log_shape shape = info.shape;
        rc = dnsfw__log_message(r->lp, r->s, &r->clock, msg.ptr, msg.len, &r->rec, &info, &reason);
        info.shape = shape;
        if (info.time == DNSFW_TIME_NONE || info.time == 0)
            info.time = t;
        deliver(r, rc, reason, &info, w);
    }
    r->index++;
    advance(r, r->pos + used);
    return STEP_GO;
}

/* Elements of a document's events array, or of a top-level array. */
static int step_elements(dnsfw_logreader *r, bool events)
{
    skip_space(r);
    if (r->pos >= r->have)
        goto need;
    char c = r->buf[r->pos];
    if (c == ']') {
        r->pos++;
        r->js = events ? J_DOC_REST : J_TOP;
        r->first = false;
        return STEP_GO;
    }
    if (!r->first && !r->comma) {
        if (c != ',') {
            value_error(r, r->pos, doc_here(r, r->line), DNSFW_EPARSE,
                        "expected ',' or ']' between events");
            return STEP_GO;
        }
        r->pos++;
        r->comma = true; /* consumed: the element after it may still be incomplete */
        skip_space(r);
        if (r->pos >= r->have)
            goto need;
    }
    uint64_t at_line = r->line;
    if (events && r->buf[r->pos] == '{') {
        /* the common case read in one pass: a well-formed event, its message a record */
        int rc = fast_event(r, at_line);
        if (rc != STEP_DONE)
            return rc;
    }
    struct scan sc = scanner(r, r->pos);
    if (!skip_value(&sc, 1)) {
        if (past_limit(r, &sc)) {
            oversize(r, doc_here(r, at_line), "an event longer than the longest record allowed");
            return STEP_GO;
        }
        if (sc.eof && !r->final)
            return STEP_NEED;
        if (sc.eof && r->cut) {
            r->pos = r->have;
            return STEP_DONE;
        }
        value_error(r, (size_t)((const char *)sc.p - r->buf), doc_here(r, at_line), sc.status,
                    sc.eof ? (events ? "the document is cut short inside an event"
                                     : "the array is cut short inside an element")
                           : sc.reason);
        return STEP_GO;
    }
    if (sc.eof && sc.p >= sc.end && !r->final)
        return STEP_NEED; /* a number at the end of the buffer may go on */
    size_t end = (size_t)((const char *)sc.p - r->buf);
    if (end - r->pos > r->o.max_record) {
        oversize(r, doc_here(r, at_line), "an event longer than the longest record allowed");
        return STEP_GO;
    }
    r->first = r->comma = false;
    dnsfw_log_location w = doc_here(r, at_line);
    if (!events) {
        w.array = "array";
        w.document = 0;
    }
    if (r->buf[r->pos] != '{')
        problem(r, w, DNSFW_SHAPE_NONE, DNSFW_ESCHEMA,
                events ? "an event is not a JSON object" : "an array element is not an object");
    else if (events)
        handle_event(r, r->buf + r->pos, end - r->pos, w);
    else
        handle_value(r, r->buf + r->pos, end - r->pos, w);
    r->index++;
    advance(r, end);
    return STEP_GO;
need:
    if (r->final && r->cut)
        return STEP_DONE;
    if (r->final) {
        problem(r, doc_here(r, r->line), DNSFW_SHAPE_NONE, DNSFW_EPARSE,
                events ? "the document is cut short after an event" : "the array is cut short");
        r->js = J_TOP;
        return STEP_DONE;
    }
    return STEP_NEED;
}

/* The document's members after its events array, up to its closing '}'. */
static int step_doc_rest(dnsfw_logreader *r)
{
    r->scan = r->pos;
    r->obj_line = r->line;
    struct scan sc = scanner(r, r->pos);
    skip_ws(&sc);
    if (sc.p < sc.end && *sc.p == '}') {
        advance(r, (size_t)((const char *)sc.p - r->buf) + 1);
        r->js = J_TOP;
        r->array = NULL;
        return STEP_GO;
    }
    dnsfw_text key;
    bool ok = sc.p < sc.end ? (*sc.p == ',' || fail(&sc, DNSFW_EPARSE, "expected ',' or '}'"))
                            : fail_end(&sc);
    if (ok) {
        sc.p++;
        skip_ws(&sc);
        ok = sc.p < sc.end ? (*sc.p == '"' || fail(&sc, DNSFW_EPARSE, "expected a key"))
                           : fail_end(&sc);
        ok = ok && string(&sc, &key) && expect(&sc, ':', "expected ':' after a key") &&
             skip_value(&sc, 1);
    }
    if (ok && (size_t)((const char *)sc.p - r->buf) - r->pos > r->o.max_record) {
        oversize(r, doc_here(r, r->obj_line),
                 "a JSON value longer than the longest record allowed");
        return STEP_GO;
    }
    if (!ok) {
        if (past_limit(r, &sc)) {
            oversize(r, doc_here(r, r->obj_line),
                     "a JSON value longer than the longest record allowed");
            return STEP_GO;
        }
        if (sc.eof && !r->final)
            return STEP_NEED;
        if (sc.eof && r->cut) {
            r->pos = r->have;
            return STEP_DONE;
        }
        value_error(r, (size_t)((const char *)sc.p - r->buf), doc_here(r, r->obj_line), sc.status,
                    sc.eof ? "the document is cut short" : sc.reason);
        return STEP_GO;
    }
    if (sc.eof && sc.p >= sc.end && !r->final)
        return STEP_NEED; /* a number at the end of the buffer may go on */
    advance(r, (size_t)((const char *)sc.p - r->buf));
    return STEP_GO;
}

static int step_json(dnsfw_logreader *r)
{
    switch (r->js) {
    case J_TOP:
        return step_top(r);
    case J_OBJ:
        return step_obj(r);
    case J_EVENTS:
        return step_elements(r, true);
    case J_ARRAY:
        return step_elements(r, false);
    case J_DOC_REST:
        return step_doc_rest(r);
    case J_RESYNC:
        resync(r, r->pos);
        return r->js == J_RESYNC ? (r->final ? STEP_DONE : STEP_NEED) : STEP_GO;
    }
    return STEP_DONE;
}

/* Read what the buffer holds; with r->final, all of it. Returns 0 or -1 (no memory). */
static int process(dnsfw_logreader *r)
{
    if (r->mode == M_UNDECIDED) {
        size_t i = r->pos;
        if (r->input_bytes >= 3 && i == 0 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
            i = r->pos = 3; /* a UTF-8 byte order mark */
        while (i < r->have &&
               (r->buf[i] == ' ' || r->buf[i] == '\t' || r->buf[i] == '\r' || r->buf[i] == '\n'))
            i++;
        if (i >= r->have) {
            if (!r->final)
                return 0;
            r->mode = M_LINES;
        } else {
            bool json = r->buf[i] == '{' || r->buf[i] == '[';
            dnsfw_log_format f = r->lp->format;
            r->mode = json && (f == DNSFW_LOG_AUTO || f == DNSFW_LOG_CLOUDWATCH ||
                               f == DNSFW_LOG_EVENTBRIDGE)
                          ? M_JSON
                          : M_LINES;
        }
    }
    for (;;) {
        if (r->stop)
            return 0;
        int rc = r->mode == M_LINES ? step_lines(r) : step_json(r);
        if (rc < 0)
            return -1;
        if (rc == STEP_DONE)
            return 0;
        if (rc == STEP_NEED) {
            if (r->final && r->mode == M_JSON && !r->cut) {
                /* the input ended inside a value */
                dnsfw_log_location w = r->array ? doc_here(r, r->obj_line) : here(r, r->obj_line);
                problem(r, w, DNSFW_SHAPE_NONE, DNSFW_EPARSE,
                        r->array ? "the document is cut short" : "the record is truncated");
                r->pos = r->have;
                r->js = J_TOP;
                return 0;
            }
            /* wait for a good deal more before scanning the same value again */
            size_t unit = r->have - r->pos;
            r->wait_until = r->have + (unit > 4096 ? unit : 4096);
            return 0;
        }
    }
}

/*
 * Read bytes where they are when nothing is buffered (the common case: whole lines in
 * each chunk), and keep only the unfinished tail. The stages only read the buffer.
 */
static int text_in_place(dnsfw_logreader *r, const uint8_t *p, size_t n)
{
    char *own = r->buf;
    size_t own_cap = r->cap;
    r->buf = (char *)(uintptr_t)p;
    r->have = n;
    r->pos = r->scan = 0;
    r->wait_until = 0;
    int rc = process(r);
    size_t from = r->pos, tail = r->have - r->pos;
    r->buf = own;
    r->cap = own_cap;
    if (rc)
        return DNSFW_ENOMEM;
    if (dnsfw__reserve(&r->buf, &r->cap, tail + 1) != DNSFW_OK)
        return DNSFW_ENOMEM;
    if (tail)
        memcpy(r->buf, p + from, tail);
    r->scan -= r->scan >= from ? from : r->scan;
    r->wait_until -= r->wait_until >= from ? from : r->wait_until;
    r->pos = 0;
    r->have = tail;
    return DNSFW_OK;
}

/* Append decompressed bytes to the text stage, a slice at a time. */
static int text_push(dnsfw_logreader *r, const uint8_t *p, size_t n)
{
    r->st.bytes += n;
    r->input_bytes += n;
    if (n >= 4096 && r->mode != M_UNDECIDED && !r->stop && r->have - r->pos < n) {
        /* finish the buffered line with the new bytes, then read the rest in place */
        const uint8_t *nl = r->pos < r->have ? memchr(p, '\n', n) : p - 1;
        size_t head = nl ? (size_t)(nl - p) + 1 : 0;
        if (nl && head) {
            if (dnsfw__reserve(&r->buf, &r->cap, r->have + head + 1) != DNSFW_OK)
                return DNSFW_ENOMEM;
            memcpy(r->buf + r->have, p, head);
            r->have += head;
            r->wait_until = 0;
            if (process(r) != 0)
                return DNSFW_ENOMEM;
            p += head;
            n -= head;
        }
        if (nl && r->pos == r->have && n)
            return text_in_place(r, p, n);
    }
    while (n && !r->stop) {
        size_t take = n < SLICE ? n : SLICE;
        if (r->pos) { /* drop what was consumed */
            memmove(r->buf, r->buf + r->pos, r->have - r->pos);
            r->have -= r->pos;
            r->scan -= r->scan >= r->pos ? r->pos : r->scan;
            r->wait_until -= r->wait_until >= r->pos ? r->pos : r->wait_until;
            r->pos = 0;
        }
        if (dnsfw__reserve(&r->buf, &r->cap, r->have + take + 1) != DNSFW_OK)
            return DNSFW_ENOMEM;
        memcpy(r->buf + r->have, p, take);
        r->have += take;
        p += take;
        n -= take;
        if (r->have < r->wait_until)
            continue;
        r->wait_until = 0;
        if (process(r) != 0)
            return DNSFW_ENOMEM;
    }
    return DNSFW_OK;
}

/* Read what the buffer holds now, whatever the wait: before a problem of the input
 * itself is reported, so that the items come in the same order however it was fed. */
static int catch_up(dnsfw_logreader *r)
{
    r->wait_until = 0;
    return process(r) == 0 ? DNSFW_OK : DNSFW_ENOMEM;
}

/* --- gzip ------------------------------------------------------------------------- */

static int push(dnsfw_logreader *r, int level, const uint8_t *p, size_t n);

static int gz_inflate(dnsfw_logreader *r, int level, const uint8_t *p, size_t n)
{
    struct gz_stage *g = &r->gz[level];
    dnsfw__inflater_input(&g->z, p, n);
    while (!r->stop) {
        if (g->at_boundary && g->z.in_len == 0)
            return DNSFW_OK;
        size_t produced;
        bool consumed;
        enum dnsfw__inflate_result ret =
            dnsfw__inflate(&g->z, g->out, GZ_OUT, &produced, &consumed);
        if (consumed)
            g->at_boundary = false;
        if (produced) {
            int rc = push(r, level + 1, g->out, produced);
            if (rc)
                return rc;
        }
        if (ret == INFLATE_END) {
            g->members++;
            g->at_boundary = true;
            if (dnsfw__inflater_reset(&g->z) != DNSFW_OK)
                return DNSFW_ENOMEM;
            continue;
        }
        if (ret == INFLATE_OK) {
            if ((g->z.in_len == 0 && produced < GZ_OUT) || (!consumed && !produced))
                return DNSFW_OK; /* needs more input */
            continue;
        }
        if (ret == INFLATE_NO_MEMORY)
            return DNSFW_ENOMEM;
        /* corrupt data, or bytes after the last member that are not gzip */
        bool trailing = g->members > 0 && g->z.member_out == 0;
        if (catch_up(r))
            return DNSFW_ENOMEM;
        problem(r, here(r, r->line), DNSFW_SHAPE_NONE, DNSFW_EPARSE,
                trailing ? "bytes after the last gzip member are not gzip; skipped"
                         : "gzip data error; the rest of the input is skipped");
        g->mode = GZ_SKIP;
        return DNSFW_OK;
    }
    return DNSFW_OK;
}

/* Level 0 and 1: a gzip layer (or none); level 2: the text stage. */
static int push(dnsfw_logreader *r, int level, const uint8_t *p, size_t n)
{
    if (level == 2)
        return text_push(r, p, n);
    struct gz_stage *g = &r->gz[level];
    if (g->mode == GZ_SNIFF) {
        while (n && g->n_sniff < 2) {
            g->sniff[g->n_sniff++] = *p++;
            n--;
        }
        if (g->n_sniff < 2)
            return DNSFW_OK;
        bool gz = g->sniff[0] == 0x1f && g->sniff[1] == 0x8b;
        if (gz) {
            if (!g->z_init) {
                if (dnsfw__inflater_init(&g->z, dnsfw__inflater_best()) != DNSFW_OK)
                    return DNSFW_ENOMEM;
                g->z_init = true;
            }
            if (!g->out && !(g->out = malloc(GZ_OUT)))
                return DNSFW_ENOMEM;
            g->mode = GZ_INFLATE;
            g->at_boundary = true;
            int rc = gz_inflate(r, level, g->sniff, 2);
            if (rc)
                return rc;
        } else {
            g->mode = GZ_PLAIN;
            int rc = push(r, level + 1, g->sniff, 2);
            if (rc)
                return rc;
        }
    }
    if (!n)
        return DNSFW_OK;
    switch (g->mode) {
    case GZ_PLAIN:
        return push(r, level + 1, p, n);
    case GZ_INFLATE:
        return gz_inflate(r, level, p, n);
    default:
        return DNSFW_OK; /* GZ_SKIP */
    }
}

/* The end of the input at a level: sniffed bytes flushed, a cut member reported. */
static int flush(dnsfw_logreader *r, int level)
{
    if (level == 2)
        return DNSFW_OK;
    struct gz_stage *g = &r->gz[level];
    if (g->mode == GZ_SNIFF && g->n_sniff) {
        g->mode = GZ_PLAIN;
        int rc = push(r, level + 1, g->sniff, g->n_sniff);
        if (rc)
            return rc;
    }
    if (g->mode == GZ_INFLATE && !g->at_boundary) {
        /* what the inflater held back of the cut member, as zlib reads it */
        uint8_t *extra;
        size_t n_extra;
        if (dnsfw__inflater_cut(&g->z, &extra, &n_extra) != DNSFW_OK)
            return DNSFW_ENOMEM;
        int rc = n_extra ? push(r, level + 1, extra, n_extra) : DNSFW_OK;
        free(extra);
        if (rc)
            return rc;
        rc = flush(r, level + 1); /* an inner layer's state first */
        if (rc)
            return rc;
        if (catch_up(r))
            return DNSFW_ENOMEM;
        problem(r, here(r, r->line), DNSFW_SHAPE_NONE, DNSFW_EPARSE,
                r->have > r->pos ? "the gzip stream is truncated; its partial last line is "
                                   "skipped"
                                 : "the gzip stream is truncated (unexpected end of file)");
        /* what is complete is read; what was cut is not */
        r->cut = r->final = true;
        r->wait_until = 0;
        if (process(r) != 0)
            return DNSFW_ENOMEM;
        r->pos = r->have;
        return 1;
    }
    return flush(r, level + 1);
}

/* --- the API ------------------------------------------------------------------------ */

int dnsfw_logreader_new(dnsfw_logreader **out, const dnsfw_logreader_options *o, dnsfw_error *err)
{
    if (!out || !o)
        return DNSFW_EINVAL;
    *out = NULL;
    dnsfw_logreader *r = calloc(1, sizeof *r);
    if (!r)
        return DNSFW_ENOMEM;
    r->o = *o;
    if (!r->o.max_record)
        r->o.max_record = DEFAULT_MAX_RECORD;
    if (r->o.since == 0)
        r->o.since = DNSFW_TIME_NONE;
    if (r->o.until == 0)
        r->o.until = DNSFW_TIME_NONE;
    r->windowed = r->o.since != DNSFW_TIME_NONE || r->o.until != DNSFW_TIME_NONE;
    r->clock.now_ms = r->o.now ? r->o.now : (int64_t)time(NULL) * 1000;
    r->clock.local_offset = r->o.local_offset;
    r->flows = o->records == DNSFW_RECORDS_FLOW;
    r->times = (o->flags & DNSFW_LOGREADER_TIMES) != 0;
    if (o->records > DNSFW_RECORDS_FLOW || (o->flags & ~DNSFW_LOGREADER_TIMES) ||
        (r->flows && o->format != DNSFW_LOG_AUTO) || (!r->flows && o->flow_format)) {
        free(r);
        return dnsfw__fail(err, DNSFW_EINVAL, NULL, 0, 0,
                           "flow-log readers read every shape (DNSFW_LOG_AUTO), and only they "
                           "take a flow format");
    }
    int rc = dnsfw_logparser_new(&r->lp, o->format, o->pattern, err);
    if (!rc)
        rc = dnsfw_logscratch_new(r->lp, &r->s);
    if (!rc && r->flows && !o->flow_format)
        rc = dnsfw_flowformat_new(&r->flow_default, NULL, 0, err);
    if (rc) {
        dnsfw_logreader_free(r);
        return rc;
    }
    *out = r;
    return DNSFW_OK;
}

static void reset_input(dnsfw_logreader *r)
{
    for (int k = 0; k < 2; k++) {
        struct gz_stage *g = &r->gz[k];
        if (g->z_init && dnsfw__inflater_reset(&g->z) != DNSFW_OK) {
            dnsfw__inflater_free(&g->z); /* initialised again when needed */
            g->z_init = false;
        }
        g->mode = GZ_SNIFF;
        g->n_sniff = 0;
        g->members = 0;
        g->at_boundary = true;
    }
    r->pos = r->have = r->scan = r->wait_until = 0;
    r->line = 1;
    r->mode = M_UNDECIDED;
    r->js = J_TOP;
    r->skipping = r->final = r->cut = false;
    r->doc = 0;
    r->array = NULL;
    r->input_bytes = 0;
    dnsfw_flowformat_free(r->flow_header);
    r->flow_header = NULL;
}

void dnsfw_logreader_free(dnsfw_logreader *r)
{
    if (!r)
        return;
    for (int k = 0; k < 2; k++) {
        if (r->gz[k].z_init)
            dnsfw__inflater_free(&r->gz[k].z);
        free(r->gz[k].out);
    }
    dnsfw_logscratch_free(r->s);
    dnsfw_logparser_free(r->lp);
    dnsfw_flowformat_free(r->flow_header);
    dnsfw_flowformat_free(r->flow_default);
    free(r->source);
    free(r->buf);
    free(r);
}

int dnsfw_logreader_begin(dnsfw_logreader *r, const char *source)
{
    if (!r)
        return DNSFW_EINVAL;
    if (r->begun) {
        int rc = dnsfw_logreader_end(r);
        if (rc)
            return rc;
    }
    char *copy = dnsfw__strdup(source ? source : "<input>");
    if (!copy)
        return DNSFW_ENOMEM;
    free(r->source);
    r->source = copy;
    reset_input(r);
    r->begun = true;
    r->stop = 0;
    r->st.inputs++;
    return DNSFW_OK;
}

int dnsfw_logreader_feed(dnsfw_logreader *r, const void *data, size_t len)
{
    if (!r || !r->begun || (!data && len))
        return DNSFW_EINVAL;
    r->st.bytes_in += len;
    int rc = len ? push(r, 0, data, len) : DNSFW_OK;
    return rc ? rc : r->stop;
}

int dnsfw_logreader_end(dnsfw_logreader *r)
{
    if (!r || !r->begun)
        return DNSFW_EINVAL;
    r->begun = false;
    int rc = flush(r, 0);
    if (rc < 0)
        return rc;
    bool cut = rc == 1;
    r->final = true;
    r->wait_until = 0;
    if (!cut && process(r) != 0)
        return DNSFW_ENOMEM;
    if (!cut && r->input_bytes == 0 && !r->stop) /* a log with no record is suspect */
        problem(r, here(r, 1), DNSFW_SHAPE_NONE, DNSFW_EPARSE, "the input is empty");
    return r->stop;
}

void dnsfw_logreader_get_stats(const dnsfw_logreader *r, dnsfw_logreader_stats *st)
{
    if (r && st)
        *st = r->st;
}
