/*
 * Domain specs: dnsfw_spec_normalize(). Expected values follow the briefing ("Domain
 * specs") and the contract §1.3: "name", "*.suffix", "*" and "*."; normal form lower case,
 * one trailing dot removed, "*." written "*"; 1-255 characters measured as written; labels
 * 1-63 characters of A-Za-z0-9- with a hyphen allowed anywhere.
 */
#include "unit.h"

static const struct {
    const char *in;
    int len; /* -1: strlen(in) */
    int status;
    const char *out;    /* normal form when valid */
    const char *reason; /* a word the reason must contain (NULL: any non-empty reason) */
} specs[] = {
    /* valid forms and their normal forms */
    {"example.com", -1, DNSFW_OK, "example.com", NULL},
    {"example.com.", -1, DNSFW_OK, "example.com", NULL},
    {"Example.COM", -1, DNSFW_OK, "example.com", NULL},
    {"Example.COM.", -1, DNSFW_OK, "example.com", NULL},
    {"*", -1, DNSFW_OK, "*", NULL},
    {"*.", -1, DNSFW_OK, "*", NULL},
    {"*.example.com", -1, DNSFW_OK, "*.example.com", NULL},
    {"*.Example.Com.", -1, DNSFW_OK, "*.example.com", NULL},
    {"*.com", -1, DNSFW_OK, "*.com", NULL},
    {"com", -1, DNSFW_OK, "com", NULL},
    {"a", -1, DNSFW_OK, "a", NULL},
    {"A.", -1, DNSFW_OK, "a", NULL},
    {"my-host.example.com", -1, DNSFW_OK, "my-host.example.com", NULL},
    {"-bad.example.com", -1, DNSFW_OK, "-bad.example.com", NULL},
    {"bad-.example.com", -1, DNSFW_OK, "bad-.example.com", NULL},
    {"123.example.com", -1, DNSFW_OK, "123.example.com", NULL},
    {"15.3.4.32.in-addr.arpa", -1, DNSFW_OK, "15.3.4.32.in-addr.arpa", NULL},
    {"xn--bcher-kva.example", -1, DNSFW_OK, "xn--bcher-kva.example", NULL},
    {"*.s3.us-east-1.amazonaws.com", -1, DNSFW_OK, "*.s3.us-east-1.amazonaws.com", NULL},
    /* the length argument counts, not a NUL */
    {"example.com.org", 11, DNSFW_OK, "example.com", NULL},
    /* empty, only a dot, empty labels */
    {"", -1, DNSFW_EBADSPEC, NULL, "empty"},
    {"example.com", 0, DNSFW_EBADSPEC, NULL, "empty"},
    {".", -1, DNSFW_EBADSPEC, NULL, "dot"},
    {"..", -1, DNSFW_EBADSPEC, NULL, "empty label"},
    {".example.com", -1, DNSFW_EBADSPEC, NULL, "empty label"},
    {"example..com", -1, DNSFW_EBADSPEC, NULL, "empty label"},
    {"example.com..", -1, DNSFW_EBADSPEC, NULL, "empty label"},
    {"*..", -1, DNSFW_EBADSPEC, NULL, "empty label"},
    {"*..com", -1, DNSFW_EBADSPEC, NULL, "empty label"},
    /* '*' anywhere but as the whole first label */
    {"*x.com", -1, DNSFW_EBADSPEC, NULL, "*"},
    {"*example.com", -1, DNSFW_EBADSPEC, NULL, "*"},
    {"**.x", -1, DNSFW_EBADSPEC, NULL, "*"},
    {"**.example.com", -1, DNSFW_EBADSPEC, NULL, "*"},
    {"a.*.com", -1, DNSFW_EBADSPEC, NULL, "*"},
    {"www.*.com", -1, DNSFW_EBADSPEC, NULL, "*"},
    {"x.*", -1, DNSFW_EBADSPEC, NULL, "*"},
    {"example.*", -1, DNSFW_EBADSPEC, NULL, "*"},
    {"a*b.example.com", -1, DNSFW_EBADSPEC, NULL, "*"},
    {"*.*", -1, DNSFW_EBADSPEC, NULL, "*"},
    {"*.*.com", -1, DNSFW_EBADSPEC, NULL, "*"},
    /* characters outside A-Za-z0-9- */
    {"_dmarc.example.com", -1, DNSFW_EBADSPEC, NULL, NULL},
    {"exa mple.com", -1, DNSFW_EBADSPEC, NULL, NULL},
    {"a_b.com", -1, DNSFW_EBADSPEC, NULL, NULL},
    {"a/b.com", -1, DNSFW_EBADSPEC, NULL, NULL},
    {"a\\.b.com", -1, DNSFW_EBADSPEC, NULL, NULL},
    {"a@b.com", -1, DNSFW_EBADSPEC, NULL, NULL},
    {"example.com ", -1, DNSFW_EBADSPEC, NULL, NULL},
    {"a\0b.com", 7, DNSFW_EBADSPEC, NULL, NULL},
    {"b\xC3\xBC"
     "cher.example",
     -1, DNSFW_EBADSPEC, NULL, "xn--"},
    {"*.\xC3\xBC.example", -1, DNSFW_EBADSPEC, NULL, "xn--"},
};

START_TEST(spec_table)
{
    const char *in = specs[_i].in;
    size_t len = specs[_i].len < 0 ? strlen(in) : (size_t)specs[_i].len;
    char out[DNSFW_SPEC_MAX + 1];
    const char *reason = NULL;
    int rc = dnsfw_spec_normalize(in, len, out, sizeof out, &reason);
    ck_assert_msg(rc == specs[_i].status, "case %d \"%s\": status %d, expected %d (%s)", _i, in, rc,
                  specs[_i].status, unit_str(reason));
    if (rc == DNSFW_OK) {
        ck_assert_str_eq(out, specs[_i].out);
        return;
    }
    ck_assert_msg(reason && reason[0], "case %d \"%s\": no reason", _i, in);
    if (specs[_i].reason)
        ck_assert_msg(strstr(reason, specs[_i].reason),
                      "case %d \"%s\": reason \"%s\" lacks \"%s\"", _i, in, reason,
                      specs[_i].reason);
    /* a NULL reason pointer is allowed */
    ck_assert_int_eq(dnsfw_spec_normalize(in, len, out, sizeof out, NULL), DNSFW_EBADSPEC);
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* Boundary lengths                                                                    */

static const struct {
    const char *prefix; /* "" or "*." */
    int labels[6];
    int n; /* labels; 0: `many` one-character labels */
    int many;
    int trailing; /* append a dot */
    size_t chars; /* length as written, checked so the table says what it means */
    int status;
    const char *reason;
} lengths[] = {
    {"", {1}, 1, 0, 0, 1, DNSFW_OK, NULL},
    {"", {63}, 1, 0, 0, 63, DNSFW_OK, NULL},
    {"", {64}, 1, 0, 0, 64, DNSFW_EBADSPEC, "63"},
    {"", {63, 64, 3}, 3, 0, 0, 132, DNSFW_EBADSPEC, "63"},
    {"*.", {63, 3}, 2, 0, 0, 69, DNSFW_OK, NULL},
    {"*.", {64, 3}, 2, 0, 0, 70, DNSFW_EBADSPEC, "63"},
    /* 255 characters are accepted (AWS's limit), 256 are not */
    {"", {63, 63, 63, 63}, 4, 0, 0, 255, DNSFW_OK, NULL},
    {"", {63, 63, 63, 62}, 4, 0, 1, 255, DNSFW_OK, NULL},
    {"", {63, 63, 63, 63}, 4, 0, 1, 256, DNSFW_EBADSPEC, "255"},
    {"", {63, 63, 63, 62, 1}, 5, 0, 0, 256, DNSFW_EBADSPEC, "255"},
    {"*.", {63, 63, 63, 61}, 4, 0, 0, 255, DNSFW_OK, NULL},
    {"*.", {63, 63, 63, 62}, 4, 0, 0, 256, DNSFW_EBADSPEC, "255"},
    {"", {0}, 0, 128, 0, 255, DNSFW_OK, NULL},
    {"", {0}, 0, 128, 1, 256, DNSFW_EBADSPEC, "255"},
    {"", {0}, 0, 300, 0, 599, DNSFW_EBADSPEC, "255"},
};

START_TEST(length_table)
{
    char in[700], want[700];
    size_t o = 0, w = 0;
    o += (size_t)sprintf(in, "%s", lengths[_i].prefix);
    w += (size_t)sprintf(want, "%s", lengths[_i].prefix);
    int count = lengths[_i].n ? lengths[_i].n : lengths[_i].many;
    for (int l = 0; l < count; l++) {
        int size = lengths[_i].n ? lengths[_i].labels[l] : 1;
        if (l) {
            in[o++] = '.';
            want[w++] = '.';
        }
        for (int c = 0; c < size; c++) {
            char ch = (char)('a' + (l + c) % 26);
            in[o++] = c % 2 ? (char)(ch - 32) : ch; /* mixed case folds to lower case */
            want[w++] = ch;
        }
    }
    if (lengths[_i].trailing)
        in[o++] = '.';
    in[o] = want[w] = '\0';
    ck_assert_uint_eq(o, lengths[_i].chars);

    char out[DNSFW_SPEC_MAX + 1];
    const char *reason = NULL;
    int rc = dnsfw_spec_normalize(in, o, out, sizeof out, &reason);
    ck_assert_msg(rc == lengths[_i].status, "case %d (%zu characters): status %d, expected %d (%s)",
                  _i, o, rc, lengths[_i].status, unit_str(reason));
    if (rc == DNSFW_OK) {
        ck_assert_str_eq(out, want);
    } else if (lengths[_i].reason) {
        ck_assert_ptr_nonnull(reason);
        ck_assert_msg(strstr(reason, lengths[_i].reason), "reason \"%s\" lacks \"%s\"", reason,
                      lengths[_i].reason);
    }
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* Buffer sizes and arguments                                                          */

static const struct {
    const char *in;
    const char *out;
} spaces[] = {
    {"example.com", "example.com"},
    {"Example.com.", "example.com"},
    {"*.Example.com", "*.example.com"},
    {"*", "*"},
    {"*.", "*"},
};

START_TEST(enospc)
{
    const char *in = spaces[_i].in, *want = spaces[_i].out;
    size_t need = strlen(want) + 1;
    char out[64];
    ck_assert_int_eq(dnsfw_spec_normalize(in, strlen(in), out, need, NULL), DNSFW_OK);
    ck_assert_str_eq(out, want);
    ck_assert_int_eq(dnsfw_spec_normalize(in, strlen(in), out, need - 1, NULL), DNSFW_ENOSPC);
    ck_assert_int_eq(dnsfw_spec_normalize(in, strlen(in), out, 0, NULL), DNSFW_ENOSPC);
}
END_TEST

START_TEST(null_arguments)
{
    char out[16];
    ck_assert_int_eq(dnsfw_spec_normalize(NULL, 1, out, sizeof out, NULL), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_spec_normalize("a", 1, NULL, sizeof out, NULL), DNSFW_EINVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("spec");
    TCase *tc = tcase_create("spec");
    tcase_add_loop_test(tc, spec_table, 0, (int)N_ELEMS(specs));
    tcase_add_loop_test(tc, length_table, 0, (int)N_ELEMS(lengths));
    tcase_add_loop_test(tc, enospc, 0, (int)N_ELEMS(spaces));
    tcase_add_test(tc, null_arguments);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
