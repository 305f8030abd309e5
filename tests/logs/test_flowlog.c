/*
 * VPC Flow Logs records: dnsfw_flowformat_new(), dnsfw_flow_parse(), dnsfw_flow_is_header()
 * and the address helpers (public API only).
 *
 * The default-format rows are the examples of the VPC User Guide ("Flow log record
 * examples": accepted and rejected traffic, NODATA, SKIPDATA, IPv6); custom-format rows
 * put version 3 to 8 fields in other orders. Every line is parsed from a heap copy of
 * exactly its length, so that a read past its end shows under valgrind and ASan.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dnsfw/dnsfw.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static dnsfw_flowformat *format(const char *fields)
{
    dnsfw_flowformat *f = NULL;
    dnsfw_error err;
    int rc = dnsfw_flowformat_new(&f, fields, fields ? strlen(fields) : 0, &err);
    ck_assert_msg(rc == DNSFW_OK, "format rejected: %d %s", rc, err.message);
    return f;
}

static char *copy_of(const char *line)
{
    size_t n = strlen(line);
    char *c = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(c);
    memcpy(c, line, n);
    return c;
}

static const char *text(const dnsfw_flow_record *r, dnsfw_flow_field f, char *buf, size_t size)
{
    if (!r->text[f].ptr)
        return "-";
    snprintf(buf, size, "%.*s", (int)r->text[f].len, r->text[f].ptr);
    return buf;
}

static const char *addr(const dnsfw_ip *ip, char *buf)
{
    if (!ip->family)
        return "-";
    ck_assert_int_eq(dnsfw_ip_format(ip, buf, 64), DNSFW_OK);
    return buf;
}

/* --- good records ---------------------------------------------------------------------- */

static const struct {
    const char *fields; /* NULL: the default format */
    const char *line;
    dnsfw_flow_status status;
    dnsfw_flow_action action;
    const char *src, *dst; /* canonical text, "-" when absent */
    int srcport, dstport, protocol;
    long long packets, bytes, start, end;
    const char *interface; /* "-" when absent */
    int tcp_flags;         /* -1 when absent */
    dnsfw_flow_direction direction;
    const char *pkt_dst, *instance;
} good[] = {
    /* the VPC User Guide's examples, default format */
    {NULL,
     "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 "
     "1418530010 1418530070 ACCEPT OK",
     DNSFW_FLOW_OK, DNSFW_FLOW_ACCEPT, "172.31.16.139", "172.31.16.21", 20641, 22, 6, 20, 4249,
     1418530010, 1418530070, "eni-1235b8ca123456789", -1, DNSFW_FLOW_DIRECTION_NONE, "-", "-"},
    {NULL,
     "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 "
     "1418530010 1418530070 REJECT OK",
     DNSFW_FLOW_OK, DNSFW_FLOW_REJECT, "172.31.9.69", "172.31.9.12", 49761, 3389, 6, 20, 4249,
     1418530010, 1418530070, "eni-1235b8ca123456789", -1, DNSFW_FLOW_DIRECTION_NONE, "-", "-"},
    {NULL, "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
     DNSFW_FLOW_NODATA, DNSFW_FLOW_ACTION_NONE, "-", "-", 0, 0, 0, 0, 0, 1431280876, 1431280934,
     "eni-1235b8ca123456789", -1, DNSFW_FLOW_DIRECTION_NONE, "-", "-"},
    {NULL, "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA",
     DNSFW_FLOW_SKIPDATA, DNSFW_FLOW_ACTION_NONE, "-", "-", 0, 0, 0, 0, 0, 1431280876, 1431280934,
     "eni-11111111aaaaaaaaa", -1, DNSFW_FLOW_DIRECTION_NONE, "-", "-"},
    {NULL,
     "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 "
     "2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK",
     DNSFW_FLOW_OK, DNSFW_FLOW_ACCEPT, "2001:db8:1234:a100:8d6e:3477:df66:f105",
     "2001:db8:1234:a102:3304:8879:34cf:4071", 34892, 22, 6, 54, 8855, 1477913708, 1477913820,
     "eni-1235b8ca123456789", -1, DNSFW_FLOW_DIRECTION_NONE, "-", "-"},
    /* ICMP: ports 0 */
    {NULL,
     "2 123456789010 eni-1 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 "
     "ACCEPT OK",
     DNSFW_FLOW_OK, DNSFW_FLOW_ACCEPT, "203.0.113.12", "172.31.16.139", 0, 0, 1, 4, 336, 1432917027,
     1432917142, "eni-1", -1, DNSFW_FLOW_DIRECTION_NONE, "-", "-"},
    /* tabs and runs of spaces between values, blanks at the end */
    {NULL,
     "2\t123456789010  eni-1 10.0.0.5 198.51.100.7 40000 443 6 10 840 1700000000 1700000060 "
     "ACCEPT OK  ",
     DNSFW_FLOW_OK, DNSFW_FLOW_ACCEPT, "10.0.0.5", "198.51.100.7", 40000, 443, 6, 10, 840,
     1700000000, 1700000060, "eni-1", -1, DNSFW_FLOW_DIRECTION_NONE, "-", "-"},
    /* version 3: the User Guide's TCP-flag sequence, in another order */
    {"tcp-flags type srcaddr srcport dstaddr dstport pkt-srcaddr pkt-dstaddr start end "
     "protocol action log-status instance-id interface-id",
     "19 IPv4 52.213.180.42 443 10.0.0.33 60697 52.213.180.42 10.0.0.33 1566848875 1566848933 6 "
     "ACCEPT OK i-01234567890123456 eni-2",
     DNSFW_FLOW_OK, DNSFW_FLOW_ACCEPT, "52.213.180.42", "10.0.0.33", 443, 60697, 6, 0, 0,
     1566848875, 1566848933, "eni-2", 19, DNSFW_FLOW_DIRECTION_NONE, "10.0.0.33",
     "i-01234567890123456"},
    /* NAT gateway interface: packet-level addresses differ from the interface's */
    {"${version} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr} "
     "${srcport} ${dstport} ${protocol} ${start} ${end} ${action} ${log-status}",
     "3 eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5 49152 80 6 1700000000 "
     "1700000060 ACCEPT OK",
     DNSFW_FLOW_OK, DNSFW_FLOW_ACCEPT, "10.0.1.5", "10.0.0.220", 49152, 80, 6, 0, 0, 1700000000,
     1700000060, "eni-1235b8ca123456789", -1, DNSFW_FLOW_DIRECTION_NONE, "203.0.113.5", "-"},
    /* version 5 with every v4/v5 field */
    {"version account-id vpc-id subnet-id instance-id interface-id region az-id "
     "sublocation-type sublocation-id srcaddr dstaddr srcport dstport protocol packets bytes "
     "start end action log-status tcp-flags type pkt-srcaddr pkt-dstaddr pkt-src-aws-service "
     "pkt-dst-aws-service flow-direction traffic-path",
     "5 123456789012 vpc-1 subnet-1 i-0abc eni-3 us-east-1 use1-az2 - - 10.0.2.9 54.239.28.85 "
     "51123 443 6 12 3000 1700000100 1700000160 ACCEPT OK 2 IPv4 10.0.2.9 54.239.28.85 - AMAZON "
     "egress 8",
     DNSFW_FLOW_OK, DNSFW_FLOW_ACCEPT, "10.0.2.9", "54.239.28.85", 51123, 443, 6, 12, 3000,
     1700000100, 1700000160, "eni-3", 2, DNSFW_FLOW_EGRESS, "54.239.28.85", "i-0abc"},
    {"flow-direction srcaddr dstaddr action log-status start end",
     "ingress 198.51.100.9 10.0.0.4 ACCEPT OK 1700000000 1700000000", DNSFW_FLOW_OK,
     DNSFW_FLOW_ACCEPT, "198.51.100.9", "10.0.0.4", 0, 0, 0, 0, 0, 1700000000, 1700000000, "-", -1,
     DNSFW_FLOW_INGRESS, "-", "-"},
    /* versions 7 and 8 fields are kept as text */
    {"version srcaddr dstaddr ecs-cluster-name ecs-task-id reject-reason action",
     "8 10.0.0.1 192.0.2.1 prod 0123abcd BPA REJECT", DNSFW_FLOW_STATUS_NONE, DNSFW_FLOW_REJECT,
     "10.0.0.1", "192.0.2.1", 0, 0, 0, 0, 0, 0, 0, "-", -1, DNSFW_FLOW_DIRECTION_NONE, "-", "-"},
    /* largest values */
    {"srcport dstport protocol packets bytes start end tcp-flags",
     "65535 0 255 18446744073709551615 18446744073709551615 0 9223372036854775807 255",
     DNSFW_FLOW_STATUS_NONE, DNSFW_FLOW_ACTION_NONE, "-", "-", 65535, 0, 255, -1, -1, 0,
     9223372036854775807LL, "-", 255, DNSFW_FLOW_DIRECTION_NONE, "-", "-"},
};

START_TEST(good_record)
{
    dnsfw_flowformat *f = format(good[_i].fields);
    char *line = copy_of(good[_i].line);
    dnsfw_flow_record r;
    const char *why = "unset";
    int rc = dnsfw_flow_parse(f, line, strlen(good[_i].line), &r, &why);
    ck_assert_msg(rc == DNSFW_OK, "row %d: %d %s", _i, rc, why ? why : "");
    ck_assert_ptr_null(why);
    char b1[64], b2[64];
    ck_assert_int_eq(r.log_status, good[_i].status);
    ck_assert_int_eq(r.action, good[_i].action);
    ck_assert_str_eq(addr(&r.srcaddr, b1), good[_i].src);
    ck_assert_str_eq(addr(&r.dstaddr, b2), good[_i].dst);
    ck_assert_int_eq(r.srcport, good[_i].srcport);
    ck_assert_int_eq(r.dstport, good[_i].dstport);
    ck_assert_int_eq(r.protocol, good[_i].protocol);
    if (good[_i].packets >= 0) {
        ck_assert_uint_eq(r.packets, (uint64_t)good[_i].packets);
        ck_assert_uint_eq(r.bytes, (uint64_t)good[_i].bytes);
    } else {
        ck_assert_uint_eq(r.packets, UINT64_MAX);
        ck_assert_uint_eq(r.bytes, UINT64_MAX);
    }
    ck_assert_int_eq(r.start, good[_i].start);
    ck_assert_int_eq(r.end, good[_i].end);
    ck_assert_str_eq(text(&r, DNSFW_FLOW_INTERFACE_ID, b1, sizeof b1), good[_i].interface);
    ck_assert_int_eq(r.tcp_flags, good[_i].tcp_flags);
    ck_assert_int_eq(r.direction, good[_i].direction);
    ck_assert_str_eq(addr(&r.pkt_dstaddr, b1), good[_i].pkt_dst);
    ck_assert_str_eq(text(&r, DNSFW_FLOW_INSTANCE_ID, b2, sizeof b2), good[_i].instance);
    /* texts lie inside the line; present matches the texts */
    for (int fd = 0; fd < DNSFW_FLOW_FIELD_COUNT; fd++) {
        bool has = DNSFW_FLOW_HAS(&r, fd);
        ck_assert_int_eq(has, r.text[fd].ptr != NULL);
        if (has) {
            ck_assert(r.text[fd].ptr >= line);
            ck_assert(r.text[fd].ptr + r.text[fd].len <= line + strlen(good[_i].line));
            ck_assert(dnsfw_flowformat_has(f, (dnsfw_flow_field)fd));
        }
    }
    free(line);
    dnsfw_flowformat_free(f);
}
END_TEST

/* --- bad records ------------------------------------------------------------------------ */

#define DEFAULT_OK_TAIL "6 20 4249 1418530010 1418530070 ACCEPT OK"
static const struct {
    const char *fields;
    const char *line;
    const char *reason; /* a part of the reason */
} bad[] = {
    {NULL, "", "empty"},
    {NULL, "   \t ", "empty"},
    {NULL, "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 " DEFAULT_OK_TAIL " extra", "more values"},
    {NULL, "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 20 4249 1418530010 1418530070 ACCEPT",
     "fewer values"},
    {NULL, "x 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 " DEFAULT_OK_TAIL, "version"},
    {NULL, "2 1 eni-1 10.0.0.256 10.0.0.2 1 2 " DEFAULT_OK_TAIL, "srcaddr"},
    {NULL, "2 1 eni-1 10.0.0.1 010.0.0.2 1 2 " DEFAULT_OK_TAIL, "dstaddr"},
    {NULL, "2 1 eni-1 10.0.0.1 10.0.0 1 2 " DEFAULT_OK_TAIL, "dstaddr"},
    {NULL, "2 1 eni-1 10.0.0.1 2001:db8::g 1 2 " DEFAULT_OK_TAIL, "dstaddr"},
    {NULL, "2 1 eni-1 10.0.0.1 10.0.0.2 65536 2 " DEFAULT_OK_TAIL, "srcport"},
    {NULL, "2 1 eni-1 10.0.0.1 10.0.0.2 1 -2 " DEFAULT_OK_TAIL, "dstport"},
    {NULL, "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 256 20 4249 1418530010 1418530070 ACCEPT OK",
     "protocol"},
    {NULL, "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 2x 4249 1418530010 1418530070 ACCEPT OK", "packets"},
    {NULL,
     "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 20 18446744073709551616 1418530010 1418530070 "
     "ACCEPT OK",
     "bytes"},
    {NULL, "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 20 4249 1418530070 1418530010 ACCEPT OK", "before"},
    {NULL, "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 20 4249 1418530010 1418530070 accept OK", "action"},
    {NULL, "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 20 4249 1418530010 1418530070 ACCEPT ok",
     "log-status"},
    {NULL, "2 1 eni-\xC3\xA9 10.0.0.1 10.0.0.2 1 2 " DEFAULT_OK_TAIL, "printable"},
    {NULL, "2 1 eni-1\r 10.0.0.1 10.0.0.2 1 2 " DEFAULT_OK_TAIL, "printable"},
    {"tcp-flags", "256", "tcp-flags"},
    {"flow-direction", "in", "flow-direction"},
    {"traffic-path", "x", "traffic-path"},
    {"start", "-1", "start"},
};

START_TEST(bad_record)
{
    dnsfw_flowformat *f = format(bad[_i].fields);
    char *line = copy_of(bad[_i].line);
    dnsfw_flow_record r;
    const char *why = NULL;
    int rc = dnsfw_flow_parse(f, line, strlen(bad[_i].line), &r, &why);
    ck_assert_msg(rc == DNSFW_EPARSE, "row %d: status %d", _i, rc);
    ck_assert_msg(why && strstr(why, bad[_i].reason), "row %d: reason \"%s\" lacks \"%s\"", _i,
                  why ? why : "(null)", bad[_i].reason);
    /* reason may be NULL */
    ck_assert_int_eq(dnsfw_flow_parse(f, line, strlen(bad[_i].line), &r, NULL), DNSFW_EPARSE);
    free(line);
    dnsfw_flowformat_free(f);
}
END_TEST

/* --- formats ------------------------------------------------------------------------------ */

static const struct {
    const char *fields;
    int status;
    uint32_t column;
    const char *msg;
} bad_formats[] = {
    {"version srcaddr dstadr", DNSFW_ESCHEMA, 17, "dstadr"},
    {"srcaddr  srcaddr", DNSFW_EDUPLICATE, 10, "srcaddr"},
    {"${srcaddr} ${srcaddr}", DNSFW_EDUPLICATE, 12, "srcaddr"},
    {"${srcaddr ${dstaddr}", DNSFW_EPARSE, 1, "${srcaddr"},
    {"${}", DNSFW_EPARSE, 1, NULL},
    {"${nope}", DNSFW_ESCHEMA, 1, "nope"},
    {"   ", DNSFW_EPARSE, 1, "no field"},
    {"Version", DNSFW_ESCHEMA, 1, "Version"},
};

START_TEST(bad_format)
{
    dnsfw_flowformat *f = (dnsfw_flowformat *)&f;
    dnsfw_error err;
    int rc = dnsfw_flowformat_new(&f, bad_formats[_i].fields, strlen(bad_formats[_i].fields), &err);
    ck_assert_msg(rc == bad_formats[_i].status, "row %d: %d %s", _i, rc, err.message);
    ck_assert_ptr_null(f);
    ck_assert_int_eq(err.status, rc);
    ck_assert_uint_eq(err.column, bad_formats[_i].column);
    if (bad_formats[_i].msg)
        ck_assert_msg(strstr(err.message, bad_formats[_i].msg), "%s", err.message);
    ck_assert_int_eq(
        dnsfw_flowformat_new(&f, bad_formats[_i].fields, strlen(bad_formats[_i].fields), NULL), rc);
}
END_TEST

START_TEST(formats)
{
    /* the default format is the version 2 header, field for field */
    dnsfw_flowformat *d = format(NULL);
    dnsfw_flowformat *h = format("version account-id interface-id srcaddr dstaddr srcport "
                                 "dstport protocol packets bytes start end action log-status");
    ck_assert_uint_eq(dnsfw_flowformat_count(d), 14);
    ck_assert_uint_eq(dnsfw_flowformat_count(h), 14);
    for (size_t i = 0; i < 14; i++)
        ck_assert_int_eq(dnsfw_flowformat_field(d, i), dnsfw_flowformat_field(h, i));
    ck_assert_int_eq(dnsfw_flowformat_field(d, 14), DNSFW_FLOW_FIELD_COUNT);
    ck_assert(!dnsfw_flowformat_has(d, DNSFW_FLOW_TCP_FLAGS));
    ck_assert(dnsfw_flowformat_has(d, DNSFW_FLOW_LOG_STATUS));
    ck_assert(!dnsfw_flowformat_has(d, DNSFW_FLOW_FIELD_COUNT));
    dnsfw_flowformat_free(d);
    dnsfw_flowformat_free(h);
    /* every field has a name, and its name is a header */
    for (int f = 0; f < DNSFW_FLOW_FIELD_COUNT; f++) {
        const char *n = dnsfw_flow_field_name((dnsfw_flow_field)f);
        ck_assert_ptr_nonnull(n);
        ck_assert(dnsfw_flow_is_header(n, strlen(n)));
        dnsfw_flowformat *one = format(n);
        ck_assert_int_eq(dnsfw_flowformat_field(one, 0), f);
        dnsfw_flowformat_free(one);
    }
    ck_assert_ptr_null(dnsfw_flow_field_name(DNSFW_FLOW_FIELD_COUNT));
    /* headers */
    static const char *const headers[] = {
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
        "start end action log-status",
        "${srcaddr} ${dstaddr}", " srcaddr\t", "reject-reason"};
    static const char *const not_headers[] = {
        "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 20 4249 1418530010 1418530070 ACCEPT OK",
        "",
        "  ",
        "srcaddr dstaddr 10.0.0.1",
        "srcaddr,dstaddr",
        "${srcaddr"};
    for (size_t i = 0; i < N_ELEMS(headers); i++)
        ck_assert_msg(dnsfw_flow_is_header(headers[i], strlen(headers[i])), "%s", headers[i]);
    for (size_t i = 0; i < N_ELEMS(not_headers); i++)
        ck_assert_msg(!dnsfw_flow_is_header(not_headers[i], strlen(not_headers[i])), "%s",
                      not_headers[i]);
    ck_assert(!dnsfw_flow_is_header(NULL, 0));
}
END_TEST

/* --- addresses --------------------------------------------------------------------------- */

static const struct {
    const char *in, *out; /* out NULL: rejected */
    int family;
} addrs[] = {
    {"0.0.0.0", "0.0.0.0", 4},
    {"255.255.255.255", "255.255.255.255", 4},
    {"192.0.2.1", "192.0.2.1", 4},
    {"192.0.2.01", NULL, 0},
    {"192.0.2.256", NULL, 0},
    {"192.0.2", NULL, 0},
    {"192.0.2.1.", NULL, 0},
    {" 192.0.2.1", NULL, 0},
    {"+1.2.3.4", NULL, 0},
    {"1.2.3.4/32", NULL, 0},
    {"::", "::", 6},
    {"::1", "::1", 6},
    {"2001:DB8:0:0:0:0:0:1", "2001:db8::1", 6},
    {"::ffff:192.0.2.1", "::ffff:192.0.2.1", 6},
    {"fe80::1%eth0", NULL, 0},
    {"2001:db8::1::2", NULL, 0},
    {"", NULL, 0},
    {"x", NULL, 0},
    {"1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16", NULL, 0},
};

START_TEST(addresses)
{
    dnsfw_ip ip;
    char *in = copy_of(addrs[_i].in);
    int rc = dnsfw_ip_parse(in, strlen(addrs[_i].in), &ip);
    if (!addrs[_i].out) {
        ck_assert_msg(rc == DNSFW_EPARSE, "%s accepted", addrs[_i].in);
        ck_assert_int_eq(ip.family, 0);
    } else {
        ck_assert_msg(rc == DNSFW_OK, "%s rejected", addrs[_i].in);
        ck_assert_int_eq(ip.family, addrs[_i].family);
        char buf[64];
        ck_assert_int_eq(dnsfw_ip_format(&ip, buf, sizeof buf), DNSFW_OK);
        ck_assert_str_eq(buf, addrs[_i].out);
        ck_assert_int_eq(dnsfw_ip_format(&ip, buf, strlen(addrs[_i].out)), DNSFW_ENOSPC);
    }
    free(in);
}
END_TEST

/* An IPv4 address and its IPv4-mapped IPv6 form are the same 16 octets, families apart. */
START_TEST(address_keys)
{
    dnsfw_ip a, b;
    ck_assert_int_eq(dnsfw_ip_parse("192.0.2.1", 9, &a), DNSFW_OK);
    ck_assert_int_eq(dnsfw_ip_parse("::ffff:192.0.2.1", 16, &b), DNSFW_OK);
    ck_assert_mem_eq(a.addr, b.addr, 16);
    ck_assert_int_ne(a.family, b.family);
    ck_assert_int_eq(dnsfw_ip_parse(NULL, 1, &a), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_ip_parse("1.2.3.4", 7, NULL), DNSFW_EINVAL);
    dnsfw_ip none = {0};
    char buf[64];
    ck_assert_int_eq(dnsfw_ip_format(&none, buf, sizeof buf), DNSFW_EINVAL);
}
END_TEST

START_TEST(api_arguments)
{
    dnsfw_flowformat *f = format(NULL);
    dnsfw_flow_record r;
    const char *why = NULL;
    ck_assert_int_eq(dnsfw_flow_parse(NULL, "x", 1, &r, &why), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_flow_parse(f, NULL, 1, &r, &why), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_flow_parse(f, "x", 1, NULL, &why), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_flow_parse(f, NULL, 0, &r, &why), DNSFW_EPARSE);
    ck_assert_int_eq(dnsfw_flowformat_new(NULL, NULL, 0, NULL), DNSFW_EINVAL);
    dnsfw_flowformat *g;
    ck_assert_int_eq(dnsfw_flowformat_new(&g, NULL, 3, NULL), DNSFW_EINVAL);
    ck_assert_uint_eq(dnsfw_flowformat_count(NULL), 0);
    ck_assert_int_eq(dnsfw_flowformat_field(NULL, 0), DNSFW_FLOW_FIELD_COUNT);
    dnsfw_flowformat_free(NULL);
    dnsfw_flowformat_free(f);
}
END_TEST

/* --- the log reader, made a flow-log reader ------------------------------------------- */

struct got {
    char text[4096];
    size_t len;
};

/* One line a item: kind, shape, line (and events[i]), then what it carried. */
static int collect(void *ud, const dnsfw_log_item *it)
{
    struct got *g = ud;
    char line[512], ip[64] = "";
    int n = snprintf(line, sizeof line, "%d %s %llu", it->kind, dnsfw_log_shape_name(it->shape),
                     (unsigned long long)it->where.line);
    if (it->where.array)
        n += snprintf(line + n, sizeof line - (size_t)n, " %s[%llu]", it->where.array,
                      (unsigned long long)it->where.index);
    if (it->kind == DNSFW_ITEM_FLOW) {
        ck_assert_ptr_null(it->record);
        if (it->flow->dstaddr.family)
            ck_assert_int_eq(dnsfw_ip_format(&it->flow->dstaddr, ip, sizeof ip), DNSFW_OK);
        n += snprintf(line + n, sizeof line - (size_t)n, " %s %d %lld", ip[0] ? ip : "-",
                      (int)it->flow->log_status, (long long)it->flow->start);
    } else if (it->kind == DNSFW_ITEM_MALFORMED) {
        n += snprintf(line + n, sizeof line - (size_t)n, " %s", it->reason);
    }
    snprintf(g->text + g->len, sizeof g->text - g->len, "%s\n", line);
    g->len += strlen(g->text + g->len);
    return 0;
}

/* Read input (in pieces of piece bytes) with a flow-log reader; the items as text. */
static void read_flows(const char *input, size_t len, size_t piece, const dnsfw_flowformat *f,
                       int64_t since, struct got *g)
{
    memset(g, 0, sizeof *g);
    dnsfw_logreader_options o = {.format = DNSFW_LOG_AUTO,
                                 .records = DNSFW_RECORDS_FLOW,
                                 .flow_format = f,
                                 .since = since,
                                 .on_item = collect,
                                 .userdata = g};
    dnsfw_logreader *r;
    ck_assert_int_eq(dnsfw_logreader_new(&r, &o, NULL), DNSFW_OK);
    ck_assert_int_eq(dnsfw_logreader_begin(r, "t"), DNSFW_OK);
    for (size_t off = 0; off < len; off += piece)
        ck_assert_int_eq(
            dnsfw_logreader_feed(r, input + off, len - off < piece ? len - off : piece), DNSFW_OK);
    ck_assert_int_eq(dnsfw_logreader_end(r), DNSFW_OK);
    dnsfw_logreader_free(r);
}

static const char s3_file[] =
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
    "start end action log-status\n"
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 "
    "1418530010 1418530070 ACCEPT OK\n"
    "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA\n"
    "\n"
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 nowhere 1 2 6 1 1 1418530010 "
    "1418530070 ACCEPT OK\n"
    "dstaddr start srcaddr\n"
    "203.0.113.12 1418530100 10.0.0.1\n";

START_TEST(reader_text_file)
{
    static const char want[] = "1 flow-log 1\n"
                               "4 flow-log 2 172.31.16.21 1 1418530010\n"
                               "4 flow-log 3 - 2 1431280876\n"
                               "2 flow-log 5 dstaddr is not an IP address\n"
                               "1 flow-log 6\n"
                               "4 flow-log 7 203.0.113.12 0 1418530100\n";
    struct got g;
    for (size_t piece = 1; piece <= sizeof s3_file; piece = piece * 3 + 1) {
        read_flows(s3_file, sizeof s3_file - 1, piece, NULL, 0, &g);
        ck_assert_str_eq(g.text, want);
    }
    /* a window keeps the flows that start in it */
    read_flows(s3_file, sizeof s3_file - 1, 4096, NULL, 1418530100000LL, &g);
    ck_assert_str_eq(g.text, "1 flow-log 1\n"
                             "4 flow-log 3 - 2 1431280876\n"
                             "2 flow-log 5 dstaddr is not an IP address\n"
                             "1 flow-log 6\n"
                             "4 flow-log 7 203.0.113.12 0 1418530100\n");
}
END_TEST

START_TEST(reader_cloudwatch)
{
    dnsfw_flowformat *f = format("${srcaddr} ${dstaddr} ${start}");
    /* export lines, with a control message; then a filter-log-events document */
    static const char exp[] = "2014-12-14T04:06:50.000Z 10.0.0.1 198.51.100.7 1418530010\n"
                              "2014-12-14T04:06:51.000Z CWL CONTROL MESSAGE: Checking health\n"
                              "2014-12-14T04:06:52.000Z 10.0.0.1 198.51.100.8\n";
    struct got g;
    read_flows(exp, sizeof exp - 1, 7, f, 0, &g);
    ck_assert_str_eq(g.text, "4 cloudwatch-export 1 198.51.100.7 0 1418530010\n"
                             "1 cloudwatch-export 2\n"
                             "2 cloudwatch-export 3 fewer values than the format has fields\n");
    static const char doc[] =
        "{\n  \"events\": [\n"
        "    {\"logStreamName\": \"eni-1-all\", \"timestamp\": 1418530010000,\n"
        "     \"message\": \"10.0.0.1 198.51.100.7 1418530010\", \"eventId\": \"1\"},\n"
        "    {\"logStreamName\": \"eni-1-all\", \"timestamp\": 1418530011000,\n"
        "     \"message\": \"10.0.0.1 2001:db8::1 1418530011\", \"eventId\": \"2\"}\n"
        "  ],\n  \"searchedLogStreams\": []\n}\n"
        "{\"timestamp\": 1418530012000, \"message\": \"10.0.0.1 198.51.100.9 1418530012\"}\n";
    for (size_t piece = 1; piece <= sizeof doc; piece = piece * 2 + 1) {
        read_flows(doc, sizeof doc - 1, piece, f, 0, &g);
        ck_assert_str_eq(g.text, "4 cloudwatch-events 3 events[0] 198.51.100.7 0 1418530010\n"
                                 "4 cloudwatch-events 5 events[1] 2001:db8::1 0 1418530011\n"
                                 "4 cloudwatch-events 10 198.51.100.9 0 1418530012\n");
    }
    dnsfw_flowformat_free(f);
}
END_TEST

START_TEST(reader_arguments)
{
    dnsfw_flowformat *f = format(NULL);
    dnsfw_logreader *r;
    dnsfw_logreader_options o = {.format = DNSFW_LOG_ROUTE53, .records = DNSFW_RECORDS_FLOW};
    ck_assert_int_eq(dnsfw_logreader_new(&r, &o, NULL), DNSFW_EINVAL); /* AUTO only */
    o = (dnsfw_logreader_options){.format = DNSFW_LOG_AUTO, .flow_format = f};
    ck_assert_int_eq(dnsfw_logreader_new(&r, &o, NULL), DNSFW_EINVAL); /* not a flow reader */
    o = (dnsfw_logreader_options){.format = DNSFW_LOG_AUTO, .records = 2};
    ck_assert_int_eq(dnsfw_logreader_new(&r, &o, NULL), DNSFW_EINVAL);
    o = (dnsfw_logreader_options){.format = DNSFW_LOG_AUTO, .flags = 0x2};
    ck_assert_int_eq(dnsfw_logreader_new(&r, &o, NULL), DNSFW_EINVAL);
    dnsfw_flowformat_free(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("flowlog");
    TCase *tc = tcase_create("flowlog");
    tcase_add_loop_test(tc, good_record, 0, (int)N_ELEMS(good));
    tcase_add_loop_test(tc, bad_record, 0, (int)N_ELEMS(bad));
    tcase_add_loop_test(tc, bad_format, 0, (int)N_ELEMS(bad_formats));
    tcase_add_test(tc, formats);
    tcase_add_loop_test(tc, addresses, 0, (int)N_ELEMS(addrs));
    tcase_add_test(tc, address_keys);
    tcase_add_test(tc, api_arguments);
    tcase_add_test(tc, reader_text_file);
    tcase_add_test(tc, reader_cloudwatch);
    tcase_add_test(tc, reader_arguments);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
