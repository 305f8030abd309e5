/*
 * VPC Flow Logs records (docs/egress.md): the default format (version 2) and custom
 * formats named by a header line or a LogFormat string, any known field in any order.
 *
 * A record is split on spaces into as many values as the format has fields; each value
 * is kept as text and, for the fields the egress join reads, parsed into its type. "-"
 * means absent in any field (NODATA and SKIPDATA records are mostly "-"). Parsing
 * allocates nothing: a format is shared by any number of threads.
 */
#include <stdlib.h>

#include "util.h"

struct dnsfw_flowformat {
    size_t n;
    uint64_t has; /* bit f: the format has field f */
    dnsfw_flow_field field[DNSFW_FLOW_FIELD_COUNT];
};

static const char *const field_names[DNSFW_FLOW_FIELD_COUNT] = {
    [DNSFW_FLOW_VERSION] = "version",
    [DNSFW_FLOW_ACCOUNT_ID] = "account-id",
    [DNSFW_FLOW_INTERFACE_ID] = "interface-id",
    [DNSFW_FLOW_SRCADDR] = "srcaddr",
    [DNSFW_FLOW_DSTADDR] = "dstaddr",
    [DNSFW_FLOW_SRCPORT] = "srcport",
    [DNSFW_FLOW_DSTPORT] = "dstport",
    [DNSFW_FLOW_PROTOCOL] = "protocol",
    [DNSFW_FLOW_PACKETS] = "packets",
    [DNSFW_FLOW_BYTES] = "bytes",
    [DNSFW_FLOW_START] = "start",
    [DNSFW_FLOW_END] = "end",
    [DNSFW_FLOW_ACTION] = "action",
    [DNSFW_FLOW_LOG_STATUS] = "log-status",
    [DNSFW_FLOW_VPC_ID] = "vpc-id",
    [DNSFW_FLOW_SUBNET_ID] = "subnet-id",
    [DNSFW_FLOW_INSTANCE_ID] = "instance-id",
    [DNSFW_FLOW_TCP_FLAGS] = "tcp-flags",
    [DNSFW_FLOW_TYPE] = "type",
    [DNSFW_FLOW_PKT_SRCADDR] = "pkt-srcaddr",
    [DNSFW_FLOW_PKT_DSTADDR] = "pkt-dstaddr",
    [DNSFW_FLOW_REGION] = "region",
    [DNSFW_FLOW_AZ_ID] = "az-id",
    [DNSFW_FLOW_SUBLOCATION_TYPE] = "sublocation-type",
    [DNSFW_FLOW_SUBLOCATION_ID] = "sublocation-id",
    [DNSFW_FLOW_PKT_SRC_AWS_SERVICE] = "pkt-src-aws-service",
    [DNSFW_FLOW_PKT_DST_AWS_SERVICE] = "pkt-dst-aws-service",
    [DNSFW_FLOW_FLOW_DIRECTION] = "flow-direction",
    [DNSFW_FLOW_TRAFFIC_PATH] = "traffic-path",
    [DNSFW_FLOW_ECS_CLUSTER_ARN] = "ecs-cluster-arn",
    [DNSFW_FLOW_ECS_CLUSTER_NAME] = "ecs-cluster-name",
    [DNSFW_FLOW_ECS_CONTAINER_INSTANCE_ARN] = "ecs-container-instance-arn",
    [DNSFW_FLOW_ECS_CONTAINER_INSTANCE_ID] = "ecs-container-instance-id",
    [DNSFW_FLOW_ECS_CONTAINER_ID] = "ecs-container-id",
    [DNSFW_FLOW_ECS_SECOND_CONTAINER_ID] = "ecs-second-container-id",
    [DNSFW_FLOW_ECS_SERVICE_NAME] = "ecs-service-name",
    [DNSFW_FLOW_ECS_TASK_DEFINITION_ARN] = "ecs-task-definition-arn",
    [DNSFW_FLOW_ECS_TASK_ARN] = "ecs-task-arn",
    [DNSFW_FLOW_ECS_TASK_ID] = "ecs-task-id",
    [DNSFW_FLOW_REJECT_REASON] = "reject-reason",
};

const char *dnsfw_flow_field_name(dnsfw_flow_field f)
{
    return (unsigned)f < DNSFW_FLOW_FIELD_COUNT ? field_names[f] : NULL;
}

static int field_of(const char *s, size_t len)
{
    for (int f = 0; f < DNSFW_FLOW_FIELD_COUNT; f++)
        if (strlen(field_names[f]) == len && memcmp(field_names[f], s, len) == 0)
            return f;
    return -1;
}

static inline bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* The next token of [*p, end): its start and length; false at the end. */
static inline bool next_token(const char **p, const char *end, const char **tok, size_t *len)
{
    const char *q = *p;
    while (q < end && blank(*q))
        q++;
    if (q >= end)
        return false;
    const char *s = q;
    while (q < end && !blank(*q))
        q++;
    *tok = s;
    *len = (size_t)(q - s);
    *p = q;
    return true;
}

int dnsfw_flowformat_new(dnsfw_flowformat **out, const char *fields, size_t len, dnsfw_error *err)
{
    if (!out || (!fields && len))
        return DNSFW_EINVAL;
    *out = NULL;
    if (err)
        memset(err, 0, sizeof *err);
    dnsfw_flowformat *f = calloc(1, sizeof *f);
    if (!f)
        return DNSFW_ENOMEM;
    if (!len) {
        for (int i = 0; i <= DNSFW_FLOW_LOG_STATUS; i++) {
            f->field[f->n++] = (dnsfw_flow_field)i;
            f->has |= 1ull << i;
        }
        *out = f;
        return DNSFW_OK;
    }
    const char *p = fields, *end = fields + len, *tok;
    size_t tlen;
    int rc = DNSFW_OK;
    while (!rc && next_token(&p, end, &tok, &tlen)) {
        uint32_t col = (uint32_t)(tok - fields) + 1;
        const char *name = tok;
        size_t nlen = tlen;
        if (tlen >= 2 && tok[0] == '$' && tok[1] == '{') { /* LogFormat: ${field} */
            if (tlen < 4 || tok[tlen - 1] != '}') {
                rc = dnsfw__fail(err, DNSFW_EPARSE, NULL, 1, col,
                                 "\"%.*s\" is not a ${field} reference",
                                 (int)(tlen > 80 ? 80 : tlen), tok);
                break;
            }
            name += 2;
            nlen -= 3;
        }
        int fi = field_of(name, nlen);
        if (fi < 0)
            rc = dnsfw__fail(err, DNSFW_ESCHEMA, NULL, 1, col, "unknown flow-log field \"%.*s\"",
                             (int)(nlen > 80 ? 80 : nlen), name);
        else if (f->has >> fi & 1)
            rc = dnsfw__fail(err, DNSFW_EDUPLICATE, NULL, 1, col, "the field \"%s\" appears twice",
                             field_names[fi]);
        else {
            f->field[f->n++] = (dnsfw_flow_field)fi;
            f->has |= 1ull << fi;
        }
    }
    if (!rc && f->n == 0)
        rc = dnsfw__fail(err, DNSFW_EPARSE, NULL, 1, 1, "the flow-log format names no field");
    if (rc) {
        free(f);
        return rc;
    }
    *out = f;
    return DNSFW_OK;
}

void dnsfw_flowformat_free(dnsfw_flowformat *f)
{
    free(f);
}

size_t dnsfw_flowformat_count(const dnsfw_flowformat *f)
{
    return f ? f->n : 0;
}

dnsfw_flow_field dnsfw_flowformat_field(const dnsfw_flowformat *f, size_t i)
{
    return f && i < f->n ? f->field[i] : DNSFW_FLOW_FIELD_COUNT;
}

int dnsfw_flowformat_has(const dnsfw_flowformat *f, dnsfw_flow_field field)
{
    return f && (unsigned)field < DNSFW_FLOW_FIELD_COUNT && (f->has >> field & 1);
}

int dnsfw_flow_is_header(const char *line, size_t len)
{
    if (!line)
        return 0;
    const char *p = line, *end = line + len, *tok;
    size_t tlen, n = 0;
    while (next_token(&p, end, &tok, &tlen)) {
        if (tlen >= 4 && tok[0] == '$' && tok[1] == '{' && tok[tlen - 1] == '}') {
            tok += 2;
            tlen -= 3;
        }
        if (field_of(tok, tlen) < 0)
            return 0;
        n++;
    }
    return n > 0;
}

/* --- values --------------------------------------------------------------------------- */

/* A decimal number, no sign, at most max. */
static bool parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    if (len == 0 || len > 20)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

static bool word(const char *s, size_t len, const char *w)
{
    return strlen(w) == len && memcmp(s, w, len) == 0;
}

/* Parse value v of field f into the record; false with *reason when it does not parse. */
static bool typed(dnsfw_flow_record *r, dnsfw_flow_field f, const char *v, size_t n,
                  const char **reason)
{
    uint64_t u = 0;
    switch (f) {
    case DNSFW_FLOW_VERSION:
        *reason = "version is not a number";
        if (!parse_u64(v, n, UINT32_MAX, &u))
            return false;
        r->version = (uint32_t)u;
        return true;
    case DNSFW_FLOW_SRCADDR:
    case DNSFW_FLOW_DSTADDR:
    case DNSFW_FLOW_PKT_SRCADDR:
    case DNSFW_FLOW_PKT_DSTADDR: {
        dnsfw_ip *ip = f == DNSFW_FLOW_SRCADDR       ? &r->srcaddr
                       : f == DNSFW_FLOW_DSTADDR     ? &r->dstaddr
                       : f == DNSFW_FLOW_PKT_SRCADDR ? &r->pkt_srcaddr
                                                     : &r->pkt_dstaddr;
        *reason = f == DNSFW_FLOW_SRCADDR       ? "srcaddr is not an IP address"
                  : f == DNSFW_FLOW_DSTADDR     ? "dstaddr is not an IP address"
                  : f == DNSFW_FLOW_PKT_SRCADDR ? "pkt-srcaddr is not an IP address"
                                                : "pkt-dstaddr is not an IP address";
        return dnsfw_ip_parse(v, n, ip) == DNSFW_OK;
    }
    case DNSFW_FLOW_SRCPORT:
    case DNSFW_FLOW_DSTPORT:
        *reason = f == DNSFW_FLOW_SRCPORT ? "srcport is not a port number (0-65535)"
                                          : "dstport is not a port number (0-65535)";
        if (!parse_u64(v, n, 65535, &u))
            return false;
        *(f == DNSFW_FLOW_SRCPORT ? &r->srcport : &r->dstport) = (uint16_t)u;
        return true;
    case DNSFW_FLOW_PROTOCOL:
        *reason = "protocol is not a protocol number (0-255)";
        if (!parse_u64(v, n, 255, &u))
            return false;
        r->protocol = (uint8_t)u;
        return true;
    case DNSFW_FLOW_PACKETS:
        *reason = "packets is not a number";
        return parse_u64(v, n, UINT64_MAX, &r->packets);
    case DNSFW_FLOW_BYTES:
        *reason = "bytes is not a number";
        return parse_u64(v, n, UINT64_MAX, &r->bytes);
    case DNSFW_FLOW_START:
    case DNSFW_FLOW_END:
        *reason = f == DNSFW_FLOW_START ? "start is not a time in Unix seconds"
                                        : "end is not a time in Unix seconds";
        if (!parse_u64(v, n, INT64_MAX, &u))
            return false;
        *(f == DNSFW_FLOW_START ? &r->start : &r->end) = (int64_t)u;
        return true;
    case DNSFW_FLOW_ACTION:
        *reason = "action is not ACCEPT or REJECT";
        r->action = word(v, n, "ACCEPT")   ? DNSFW_FLOW_ACCEPT
                    : word(v, n, "REJECT") ? DNSFW_FLOW_REJECT
                                           : DNSFW_FLOW_ACTION_NONE;
        return r->action != DNSFW_FLOW_ACTION_NONE;
    case DNSFW_FLOW_LOG_STATUS:
        *reason = "log-status is not OK, NODATA or SKIPDATA";
        r->log_status = word(v, n, "OK")         ? DNSFW_FLOW_OK
                        : word(v, n, "NODATA")   ? DNSFW_FLOW_NODATA
                        : word(v, n, "SKIPDATA") ? DNSFW_FLOW_SKIPDATA
                                                 : DNSFW_FLOW_STATUS_NONE;
        return r->log_status != DNSFW_FLOW_STATUS_NONE;
    case DNSFW_FLOW_TCP_FLAGS:
        *reason = "tcp-flags is not a number (0-255)";
        if (!parse_u64(v, n, 255, &u))
            return false;
        r->tcp_flags = (int32_t)u;
        return true;
    case DNSFW_FLOW_FLOW_DIRECTION:
        *reason = "flow-direction is not ingress or egress";
        r->direction = word(v, n, "ingress")  ? DNSFW_FLOW_INGRESS
                       : word(v, n, "egress") ? DNSFW_FLOW_EGRESS
                                              : DNSFW_FLOW_DIRECTION_NONE;
        return r->direction != DNSFW_FLOW_DIRECTION_NONE;
    case DNSFW_FLOW_TRAFFIC_PATH:
        *reason = "traffic-path is not a number";
        if (!parse_u64(v, n, UINT32_MAX, &u))
            return false;
        r->traffic_path = (uint32_t)u;
        return true;
    case DNSFW_FLOW_ACCOUNT_ID:
    case DNSFW_FLOW_INTERFACE_ID:
    case DNSFW_FLOW_VPC_ID:
    case DNSFW_FLOW_SUBNET_ID:
    case DNSFW_FLOW_INSTANCE_ID:
    case DNSFW_FLOW_TYPE:
    case DNSFW_FLOW_REGION:
    case DNSFW_FLOW_AZ_ID:
    case DNSFW_FLOW_SUBLOCATION_TYPE:
    case DNSFW_FLOW_SUBLOCATION_ID:
    case DNSFW_FLOW_PKT_SRC_AWS_SERVICE:
    case DNSFW_FLOW_PKT_DST_AWS_SERVICE:
    case DNSFW_FLOW_ECS_CLUSTER_ARN:
    case DNSFW_FLOW_ECS_CLUSTER_NAME:
    case DNSFW_FLOW_ECS_CONTAINER_INSTANCE_ARN:
    case DNSFW_FLOW_ECS_CONTAINER_INSTANCE_ID:
    case DNSFW_FLOW_ECS_CONTAINER_ID:
    case DNSFW_FLOW_ECS_SECOND_CONTAINER_ID:
    case DNSFW_FLOW_ECS_SERVICE_NAME:
    case DNSFW_FLOW_ECS_TASK_DEFINITION_ARN:
    case DNSFW_FLOW_ECS_TASK_ARN:
    case DNSFW_FLOW_ECS_TASK_ID:
    case DNSFW_FLOW_REJECT_REASON:
    case DNSFW_FLOW_FIELD_COUNT:
        break;
    }
    return true; /* kept as text only */
}

int dnsfw_flow_parse(const dnsfw_flowformat *f, const char *line, size_t len, dnsfw_flow_record *r,
                     const char **reason)
{
    const char *why = NULL;
    if (!reason)
        reason = &why;
    *reason = NULL;
    if (!f || !r || (!line && len)) {
        *reason = "invalid argument";
        return DNSFW_EINVAL;
    }
    if (!line)
        line = ""; /* NULL with length 0 is the empty line; NULL + 0 is not valid C */
    memset(r, 0, sizeof *r);
    r->tcp_flags = -1;
    const char *p = line, *end = line + len, *tok;
    size_t tlen, i = 0;
    while (next_token(&p, end, &tok, &tlen)) {
        if (i == f->n) {
            *reason = "more values than the format has fields";
            return DNSFW_EPARSE;
        }
        dnsfw_flow_field fd = f->field[i++];
        if (tlen == 1 && tok[0] == '-')
            continue; /* absent */
        for (size_t k = 0; k < tlen; k++) {
            if ((uint8_t)tok[k] < 0x21 || (uint8_t)tok[k] > 0x7e) {
                *reason = "a value holds a byte outside printable ASCII";
                return DNSFW_EPARSE;
            }
        }
        r->text[fd] = (dnsfw_text){tok, tlen};
        r->present |= 1ull << fd;
        if (!typed(r, fd, tok, tlen, reason))
            return DNSFW_EPARSE;
    }
    if (i == 0) {
        *reason = "the record is empty";
        return DNSFW_EPARSE;
    }
    if (i < f->n) {
        *reason = "fewer values than the format has fields";
        return DNSFW_EPARSE;
    }
    if (DNSFW_FLOW_HAS(r, DNSFW_FLOW_START) && DNSFW_FLOW_HAS(r, DNSFW_FLOW_END) &&
        r->end < r->start) {
        *reason = "end is before start";
        return DNSFW_EPARSE;
    }
    *reason = NULL;
    return DNSFW_OK;
}
