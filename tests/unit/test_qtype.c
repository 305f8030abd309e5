/*
 * Query types: dnsfw_qtype_parse() and dnsfw_qtype_format(). Numbers are the IANA DNS
 * parameters registry's (RFC 1035, 3596, 2782, 3403, 4034, 7208, 8659, 9460); meta types
 * from RFC 1035 §3.2.3 and RFC 1995; TYPEn from RFC 3597 with 1 <= n <= 65535 (header).
 */
#include "unit.h"

static const struct {
    const char *in;
    int len; /* -1: strlen(in) */
    int status;
    unsigned type;
} parses[] = {
    /* mnemonics, in any case */
    {"A", -1, DNSFW_OK, 1},
    {"a", -1, DNSFW_OK, 1},
    {"NS", -1, DNSFW_OK, 2},
    {"CNAME", -1, DNSFW_OK, 5},
    {"cname", -1, DNSFW_OK, 5},
    {"SOA", -1, DNSFW_OK, 6},
    {"PTR", -1, DNSFW_OK, 12},
    {"MX", -1, DNSFW_OK, 15},
    {"TXT", -1, DNSFW_OK, 16},
    {"AAAA", -1, DNSFW_OK, 28},
    {"aaaa", -1, DNSFW_OK, 28},
    {"AaAa", -1, DNSFW_OK, 28},
    {"SRV", -1, DNSFW_OK, 33},
    {"NAPTR", -1, DNSFW_OK, 35},
    {"DS", -1, DNSFW_OK, 43},
    {"DNSKEY", -1, DNSFW_OK, 48},
    {"SVCB", -1, DNSFW_OK, 64},
    {"HTTPS", -1, DNSFW_OK, 65},
    {"https", -1, DNSFW_OK, 65},
    {"SPF", -1, DNSFW_OK, 99},
    {"CAA", -1, DNSFW_OK, 257},
    {"caa", -1, DNSFW_OK, 257},
    /* meta types */
    {"IXFR", -1, DNSFW_OK, 251},
    {"AXFR", -1, DNSFW_OK, 252},
    {"axfr", -1, DNSFW_OK, 252},
    {"MAILB", -1, DNSFW_OK, 253},
    {"MAILA", -1, DNSFW_OK, 254},
    {"ANY", -1, DNSFW_OK, 255},
    {"any", -1, DNSFW_OK, 255},
    /* TYPEn */
    {"TYPE1", -1, DNSFW_OK, 1},
    {"TYPE28", -1, DNSFW_OK, 28},
    {"type28", -1, DNSFW_OK, 28},
    {"Type65", -1, DNSFW_OK, 65},
    {"TYPE255", -1, DNSFW_OK, 255},
    {"TYPE65534", -1, DNSFW_OK, 65534},
    {"TYPE65535", -1, DNSFW_OK, 65535},
    {"TYPE0", -1, DNSFW_EQTYPE, 0},
    {"TYPE65536", -1, DNSFW_EQTYPE, 0},
    {"TYPE99999", -1, DNSFW_EQTYPE, 0},
    {"TYPE4294967297", -1, DNSFW_EQTYPE, 0},
    {"TYPE", -1, DNSFW_EQTYPE, 0},
    {"TYPE-1", -1, DNSFW_EQTYPE, 0},
    {"TYPE+1", -1, DNSFW_EQTYPE, 0},
    {"TYPE1x", -1, DNSFW_EQTYPE, 0},
    {"TYPE 1", -1, DNSFW_EQTYPE, 0},
    {"TYPEA", -1, DNSFW_EQTYPE, 0},
    {"TYPE0x1C", -1, DNSFW_EQTYPE, 0},
    /* junk */
    {"", -1, DNSFW_EQTYPE, 0},
    {"FOO", -1, DNSFW_EQTYPE, 0},
    {"AAAAA", -1, DNSFW_EQTYPE, 0},
    {"A A", -1, DNSFW_EQTYPE, 0},
    {" A", -1, DNSFW_EQTYPE, 0},
    {"A ", -1, DNSFW_EQTYPE, 0},
    {"A.", -1, DNSFW_EQTYPE, 0},
    {"28", -1, DNSFW_EQTYPE, 0},
    {"A\0", 2, DNSFW_EQTYPE, 0},
    {"\xC3\x84", -1, DNSFW_EQTYPE, 0},
    {"ABCDEFGHIJKLMNOPQ", -1, DNSFW_EQTYPE, 0},
    /* the length counts, not a NUL */
    {"AAAAXYZ", 4, DNSFW_OK, 28},
    {"MXX", 2, DNSFW_OK, 15},
    {"A", 0, DNSFW_EQTYPE, 0},
};

START_TEST(parse_table)
{
    const char *in = parses[_i].in;
    size_t len = parses[_i].len < 0 ? strlen(in) : (size_t)parses[_i].len;
    uint16_t t = 7777;
    int rc = dnsfw_qtype_parse(in, len, &t);
    ck_assert_msg(rc == parses[_i].status, "case %d \"%s\": status %d, expected %d", _i, in, rc,
                  parses[_i].status);
    if (rc == DNSFW_OK)
        ck_assert_uint_eq(t, parses[_i].type);
}
END_TEST

static const struct {
    unsigned type;
    const char *out;
} formats[] = {
    {1, "A"},
    {2, "NS"},
    {5, "CNAME"},
    {6, "SOA"},
    {12, "PTR"},
    {15, "MX"},
    {16, "TXT"},
    {28, "AAAA"},
    {33, "SRV"},
    {35, "NAPTR"},
    {43, "DS"},
    {64, "SVCB"},
    {65, "HTTPS"},
    {99, "SPF"},
    {251, "IXFR"},
    {252, "AXFR"},
    {253, "MAILB"},
    {254, "MAILA"},
    {255, "ANY"},
    {257, "CAA"},
    {65280, "TYPE65280"},
    {65400, "TYPE65400"},
    {65535, "TYPE65535"},
};

START_TEST(format_table)
{
    char buf[32];
    memset(buf, 'X', sizeof buf);
    ck_assert_int_eq(dnsfw_qtype_format((uint16_t)formats[_i].type, buf, sizeof buf), DNSFW_OK);
    ck_assert_str_eq(buf, formats[_i].out);
    /* exactly enough room, then one byte short */
    size_t need = strlen(formats[_i].out) + 1;
    ck_assert_int_eq(dnsfw_qtype_format((uint16_t)formats[_i].type, buf, need), DNSFW_OK);
    ck_assert_str_eq(buf, formats[_i].out);
    ck_assert_int_eq(dnsfw_qtype_format((uint16_t)formats[_i].type, buf, need - 1), DNSFW_ENOSPC);
    ck_assert_int_eq(dnsfw_qtype_format((uint16_t)formats[_i].type, buf, sizeof buf), DNSFW_OK);
    /* and back: the mnemonic parses to the same number */
    uint16_t t = 0;
    ck_assert_int_eq(dnsfw_qtype_parse(buf, strlen(buf), &t), DNSFW_OK);
    ck_assert_uint_eq(t, formats[_i].type);
}
END_TEST

/* Every type that parses formats to text that parses to the same type. */
START_TEST(round_trip_all)
{
    for (unsigned type = 1; type <= 65535; type++) {
        char buf[32];
        ck_assert_int_eq(dnsfw_qtype_format((uint16_t)type, buf, sizeof buf), DNSFW_OK);
        uint16_t t = 0;
        int rc = dnsfw_qtype_parse(buf, strlen(buf), &t);
        ck_assert_msg(rc == DNSFW_OK && t == type, "%u -> \"%s\" -> %d/%u", type, buf, rc, t);
        /* the TYPEn spelling of every number parses too */
        char typen[16];
        snprintf(typen, sizeof typen, "TYPE%u", type);
        ck_assert_int_eq(dnsfw_qtype_parse(typen, strlen(typen), &t), DNSFW_OK);
        ck_assert_uint_eq(t, type);
    }
}
END_TEST

/* A mnemonic in any case formats back in upper case. */
START_TEST(round_trip_mnemonics)
{
    static const char *const mnemonics[] = {"a",   "ns",    "cname", "soa",   "ptr",  "mx",
                                            "txt", "aaaa",  "srv",   "naptr", "ds",   "spf",
                                            "caa", "https", "svcb",  "any",   "axfr", "ixfr"};
    for (size_t i = 0; i < N_ELEMS(mnemonics); i++) {
        uint16_t t = 0;
        ck_assert_int_eq(dnsfw_qtype_parse(mnemonics[i], strlen(mnemonics[i]), &t), DNSFW_OK);
        char buf[16], upper[16];
        ck_assert_int_eq(dnsfw_qtype_format(t, buf, sizeof buf), DNSFW_OK);
        size_t n = strlen(mnemonics[i]);
        for (size_t j = 0; j <= n; j++)
            upper[j] =
                (char)(mnemonics[i][j] >= 'a' && mnemonics[i][j] <= 'z' ? mnemonics[i][j] - 32
                                                                        : mnemonics[i][j]);
        ck_assert_str_eq(buf, upper);
    }
}
END_TEST

START_TEST(null_arguments)
{
    uint16_t t;
    ck_assert_int_eq(dnsfw_qtype_parse(NULL, 1, &t), DNSFW_EQTYPE);
    ck_assert_int_eq(dnsfw_qtype_parse("A", 1, NULL), DNSFW_EQTYPE);
    ck_assert_int_eq(dnsfw_qtype_format(1, NULL, 8), DNSFW_EINVAL);
    char buf[1];
    ck_assert_int_eq(dnsfw_qtype_format(1, buf, 0), DNSFW_ENOSPC);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("qtype");
    TCase *tc = tcase_create("qtype");
    tcase_set_timeout(tc, 60); /* the all-types round trip under sanitizers */
    tcase_add_loop_test(tc, parse_table, 0, (int)N_ELEMS(parses));
    tcase_add_loop_test(tc, format_table, 0, (int)N_ELEMS(formats));
    tcase_add_test(tc, round_trip_all);
    tcase_add_test(tc, round_trip_mnemonics);
    tcase_add_test(tc, null_arguments);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
