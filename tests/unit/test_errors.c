/*
 * Status codes, version and enumeration names: dnsfw_strerror(), dnsfw_version(),
 * dnsfw_version_number(), dnsfw_action_name(), dnsfw_block_response_name(),
 * dnsfw_redirection_name(). The numbers of the status codes are ABI (dnsfw.h).
 */
#include <limits.h>

#include "unit.h"

static const struct {
    int status;
    int number; /* the ABI value, written out */
} codes[] = {
    {DNSFW_OK, 0},           {DNSFW_ENOMEM, -1},      {DNSFW_EINVAL, -2},
    {DNSFW_EEMPTYLABEL, -3}, {DNSFW_ELABELLEN, -4},   {DNSFW_ENAMELEN, -5},
    {DNSFW_EESCAPE, -6},     {DNSFW_EBADSPEC, -7},    {DNSFW_EPARSE, -8},
    {DNSFW_ESCHEMA, -9},     {DNSFW_EDUPLICATE, -10}, {DNSFW_ENOTFOUND, -11},
    {DNSFW_ELIMIT, -12},     {DNSFW_EQTYPE, -13},     {DNSFW_ENOSPC, -14},
    {DNSFW_EIO, -15},        {DNSFW_EENCODING, -16},  {DNSFW_ENOTQUERY, -17},
    {DNSFW_EBADPACKET, -18}, {DNSFW_ENOTIMPL, -19},   {DNSFW_ETIMEDOUT, -20},
};

/* Far from the range in use, so that appending a code never changes them. */
static const int unknown_codes[] = {1, 2, 1000, -1000, INT_MAX, INT_MIN};

START_TEST(strerror_each)
{
    ck_assert_int_eq(codes[_i].status, codes[_i].number);
    const char *msg = dnsfw_strerror(codes[_i].status);
    ck_assert_ptr_nonnull(msg);
    ck_assert_msg(msg[0] != '\0', "status %d has an empty message", codes[_i].status);
    /* stable: the same pointer text each time */
    ck_assert_str_eq(dnsfw_strerror(codes[_i].status), msg);
    /* distinct from every other code's and from the unknown-code text */
    for (size_t j = 0; j < N_ELEMS(codes); j++)
        if ((int)j != _i)
            ck_assert_msg(strcmp(msg, dnsfw_strerror(codes[j].status)) != 0,
                          "status %d and %d share the message \"%s\"", codes[_i].status,
                          codes[j].status, msg);
    ck_assert_str_ne(msg, dnsfw_strerror(unknown_codes[0]));
}
END_TEST

START_TEST(strerror_unknown)
{
    const char *msg = dnsfw_strerror(unknown_codes[_i]);
    ck_assert_ptr_nonnull(msg);
    ck_assert(msg[0] != '\0');
    /* every unknown code gets the same text */
    ck_assert_str_eq(msg, dnsfw_strerror(INT_MIN));
}
END_TEST

/*
 * The table above names every code: the first number after the last one is unknown. A
 * code appended to dnsfw.h without an entry here fails this test.
 */
START_TEST(strerror_complete)
{
    const char *unknown = dnsfw_strerror(INT_MIN);
    int last = -(int)(N_ELEMS(codes) - 1);
    for (int c = 0; c >= last; c--)
        ck_assert_str_ne(dnsfw_strerror(c), unknown);
    ck_assert_msg(strcmp(dnsfw_strerror(last - 1), unknown) == 0,
                  "status %d has a message but no entry in this test", last - 1);
}
END_TEST

START_TEST(version)
{
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", DNSFW_VERSION_MAJOR, DNSFW_VERSION_MINOR,
             DNSFW_VERSION_PATCH);
    ck_assert_str_eq(dnsfw_version(), want);
    ck_assert_uint_eq(dnsfw_version_number(), DNSFW_VERSION_NUMBER);
    ck_assert_uint_eq(dnsfw_version_number(), ((unsigned)DNSFW_VERSION_MAJOR << 16) |
                                                  ((unsigned)DNSFW_VERSION_MINOR << 8) |
                                                  (unsigned)DNSFW_VERSION_PATCH);
    /* 0.1.0 is the version this API was written for (version.h, meson.build) */
    ck_assert_uint_ge(dnsfw_version_number(), 0x000100u);
}
END_TEST

static const struct {
    dnsfw_action action;
    const char *name;
} actions[] = {
    {DNSFW_ACTION_NONE, "NONE"},
    {DNSFW_ACTION_ALLOW, "ALLOW"},
    {DNSFW_ACTION_ALERT, "ALERT"},
    {DNSFW_ACTION_BLOCK, "BLOCK"},
};

START_TEST(action_names)
{
    ck_assert_str_eq(dnsfw_action_name(actions[_i].action), actions[_i].name);
}
END_TEST

static const struct {
    dnsfw_block_response response;
    const char *name; /* NULL: not a block response */
} responses[] = {
    {DNSFW_RESPONSE_NONE, NULL},
    {DNSFW_RESPONSE_NODATA, "NODATA"},
    {DNSFW_RESPONSE_NXDOMAIN, "NXDOMAIN"},
    {DNSFW_RESPONSE_OVERRIDE, "OVERRIDE"},
};

START_TEST(response_names)
{
    const char *name = dnsfw_block_response_name(responses[_i].response);
    if (responses[_i].name)
        ck_assert_str_eq(unit_str(name), responses[_i].name);
    else
        ck_assert_ptr_null(name);
}
END_TEST

START_TEST(redirection_names)
{
    ck_assert_str_eq(unit_str(dnsfw_redirection_name(DNSFW_REDIRECTION_INSPECT)),
                     "INSPECT_REDIRECTION_DOMAIN");
    ck_assert_str_eq(unit_str(dnsfw_redirection_name(DNSFW_REDIRECTION_TRUST)),
                     "TRUST_REDIRECTION_DOMAIN");
}
END_TEST

START_TEST(enum_values)
{
    /* Values the header fixes (they appear in verdicts that callers may store). */
    ck_assert_int_eq(DNSFW_ACTION_NONE, 0);
    ck_assert_int_eq(DNSFW_ACTION_ALLOW, 1);
    ck_assert_int_eq(DNSFW_ACTION_ALERT, 2);
    ck_assert_int_eq(DNSFW_ACTION_BLOCK, 3);
    ck_assert_int_eq(DNSFW_RESPONSE_NONE, 0);
    ck_assert_int_eq(DNSFW_RESPONSE_NODATA, 1);
    ck_assert_int_eq(DNSFW_RESPONSE_NXDOMAIN, 2);
    ck_assert_int_eq(DNSFW_RESPONSE_OVERRIDE, 3);
    ck_assert_int_eq(DNSFW_REDIRECTION_INSPECT, 0);
    ck_assert_int_eq(DNSFW_REDIRECTION_TRUST, 1);
    ck_assert_int_eq(DNSFW_MODE_OBSERVE, 0);
    ck_assert_int_eq(DNSFW_MODE_ENFORCE, 1);
    ck_assert_int_eq(DNSFW_SPEC_MAX, 255);
    ck_assert_uint_eq(DNSFW_NONE, UINT32_MAX);
    ck_assert_uint_eq(DNSFW_SCOPE_ALL, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("errors");
    TCase *tc = tcase_create("errors");
    tcase_add_loop_test(tc, strerror_each, 0, (int)N_ELEMS(codes));
    tcase_add_loop_test(tc, strerror_unknown, 0, (int)N_ELEMS(unknown_codes));
    tcase_add_test(tc, strerror_complete);
    tcase_add_test(tc, version);
    tcase_add_loop_test(tc, action_names, 0, (int)N_ELEMS(actions));
    tcase_add_loop_test(tc, response_names, 0, (int)N_ELEMS(responses));
    tcase_add_test(tc, redirection_names);
    tcase_add_test(tc, enum_values);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
