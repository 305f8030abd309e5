/*
 * Query names: dnsfw_name_normalize(), the name errors of dnsfw_eval() and the wire form of
 * dnsfw_eval_wire(). Expected values follow the briefing ("Query names"): \. and \DDD
 * escapes, ASCII-only case folding, one optional trailing dot, "." is the root, errors for
 * empty labels, labels over 63 octets, names over 255 octets in wire form (root label
 * included) and bad escapes; output escapes . \ " ( ) ; @ $ with a backslash and octets
 * outside 0x21-0x7e as \DDD.
 */
#include "unit.h"

/* ---------------------------------------------------------------------------------- */
/* Presentation form                                                                   */

static const struct {
    const char *in;
    int len; /* -1: strlen(in) */
    int status;
    const char *out;
} names[] = {
    /* case folding, trailing dot, root */
    {"WWW.Example.COM", -1, DNSFW_OK, "www.example.com."},
    {"example.com", -1, DNSFW_OK, "example.com."},
    {"example.com.", -1, DNSFW_OK, "example.com."},
    {"a", -1, DNSFW_OK, "a."},
    {".", -1, DNSFW_OK, "."},
    {"_dmarc.Example.com", -1, DNSFW_OK, "_dmarc.example.com."},
    {"-.example.com", -1, DNSFW_OK, "-.example.com."},
    {"15.3.4.32.in-addr.arpa.", -1, DNSFW_OK, "15.3.4.32.in-addr.arpa."},
    {"a*b.com", -1, DNSFW_OK, "a*b.com."},
    {"~!#%^&+=.com", -1, DNSFW_OK, "~!#%^&+=.com."},
    /* only ASCII letters fold: U+00DC (C3 9C) stays as it is */
    {"\xC3\x9C.COM", -1, DNSFW_OK, "\\195\\156.com."},
    {"b\xC3\xBC"
     "cher.example",
     -1, DNSFW_OK, "b\\195\\188cher.example."},
    /* empty labels */
    {"", -1, DNSFW_EEMPTYLABEL, NULL},
    {"..", -1, DNSFW_EEMPTYLABEL, NULL},
    {".example.com", -1, DNSFW_EEMPTYLABEL, NULL},
    {"example..com", -1, DNSFW_EEMPTYLABEL, NULL},
    {"example.com..", -1, DNSFW_EEMPTYLABEL, NULL},
    /* escapes */
    {"a\\.b.Example.", -1, DNSFW_OK, "a\\.b.example."},
    {"\\046b.example", -1, DNSFW_OK, "\\.b.example."},
    {"\\.", -1, DNSFW_OK, "\\.."},
    {"\\..", -1, DNSFW_OK, "\\.."},
    {"\\065.COM", -1, DNSFW_OK, "a.com."},
    {"\\097bc.com", -1, DNSFW_OK, "abc.com."},
    {"a\\Bc.com", -1, DNSFW_OK, "abc.com."},
    {"\\\\.com", -1, DNSFW_OK, "\\\\.com."},
    {"a\\ b.com", -1, DNSFW_OK, "a\\032b.com."},
    {"\\000.com", -1, DNSFW_OK, "\\000.com."},
    {"\\255.com", -1, DNSFW_OK, "\\255.com."},
    {"\\126.com", -1, DNSFW_OK, "~.com."},
    {"\\033.com", -1, DNSFW_OK, "!.com."},
    {"\\256.com", -1, DNSFW_EESCAPE, NULL},
    {"\\999.com", -1, DNSFW_EESCAPE, NULL},
    {"abc\\", -1, DNSFW_EESCAPE, NULL},
    {"\\", -1, DNSFW_EESCAPE, NULL},
    {"\\1x.com", -1, DNSFW_EESCAPE, NULL},
    {"\\12", -1, DNSFW_EESCAPE, NULL},
    {"a\\12.com", -1, DNSFW_EESCAPE, NULL},
    /* output escaping of special and non-printable octets */
    {"a\"b.com", -1, DNSFW_OK, "a\\\"b.com."},
    {"a(b).com", -1, DNSFW_OK, "a\\(b\\).com."},
    {"x;y@z$.com", -1, DNSFW_OK, "x\\;y\\@z\\$.com."},
    {"a b.com", -1, DNSFW_OK, "a\\032b.com."},
    {"a\tb.com", -1, DNSFW_OK, "a\\009b.com."},
    {"del\x7f.com", -1, DNSFW_OK, "del\\127.com."},
    {"\x01.com", -1, DNSFW_OK, "\\001.com."},
    /* the length is what counts, not a NUL */
    {"a\0b.com", 7, DNSFW_OK, "a\\000b.com."},
    {"example.com.trailing", 11, DNSFW_OK, "example.com."},
    {"example.com", 0, DNSFW_EEMPTYLABEL, NULL},
};

START_TEST(normalize_table)
{
    const char *in = names[_i].in;
    size_t len = names[_i].len < 0 ? strlen(in) : (size_t)names[_i].len;
    char out[DNSFW_NAME_TEXT_MAX];
    size_t outlen = 12345;
    memset(out, 'X', sizeof out);
    int rc = dnsfw_name_normalize(in, len, out, sizeof out, &outlen);
    ck_assert_msg(rc == names[_i].status, "case %d \"%s\": status %d, expected %d", _i, in, rc,
                  names[_i].status);
    if (rc == DNSFW_OK) {
        ck_assert_str_eq(out, names[_i].out);
        ck_assert_uint_eq(outlen, strlen(names[_i].out));
    }
}
END_TEST

/* The same names through dnsfw_eval(): the same errors; valid names are evaluated. */
static const char *catch_all_policy =
    "{\"dnsfw\":1,\"domain_lists\":{\"all\":[\"*\"]},\"rule_groups\":[{\"name\":\"g\","
    "\"priority\":1,\"rules\":[{\"name\":\"r\",\"priority\":1,\"action\":\"ALERT\","
    "\"domain_list\":\"all\"}]}]}";

START_TEST(eval_name_errors)
{
    dnsfw_matcher *m = unit_matcher(catch_all_policy);
    const char *in = names[_i].in;
    size_t len = names[_i].len < 0 ? strlen(in) : (size_t)names[_i].len;
    dnsfw_verdict v;
    int rc = dnsfw_eval(m, in, len, 1, DNSFW_SCOPE_ALL, &v);
    ck_assert_msg(rc == names[_i].status, "case %d \"%s\": status %d, expected %d", _i, in, rc,
                  names[_i].status);
    if (rc == DNSFW_OK) /* "*" matches every name, the root included */
        ck_assert_int_eq(v.action, DNSFW_ACTION_ALERT);
    dnsfw_matcher_free(m);
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* Boundary lengths, built from label sizes                                            */

static const struct {
    int labels[8];
    int n;        /* labels; 0 with many > 0: that many one-octet labels */
    int many;     /* see n */
    int trailing; /* append a dot */
    int escaped;  /* write every octet as \065 */
    int status;
} lengths[] = {
    {{63}, 1, 0, 0, 0, DNSFW_OK},
    {{64}, 1, 0, 0, 0, DNSFW_ELABELLEN},
    {{1, 64, 1}, 3, 0, 0, 0, DNSFW_ELABELLEN},
    {{63}, 1, 0, 0, 1, DNSFW_OK},        /* 63 escaped octets are 63 octets */
    {{64}, 1, 0, 0, 1, DNSFW_ELABELLEN}, /* ... and 64 are too many */
    /* 253 characters = 255 octets in wire form: the longest legal name */
    {{63, 63, 63, 61}, 4, 0, 0, 0, DNSFW_OK},
    {{63, 63, 63, 61}, 4, 0, 1, 0, DNSFW_OK},
    /* 254 characters = 256 octets */
    {{63, 63, 63, 62}, 4, 0, 0, 0, DNSFW_ENAMELEN},
    {{63, 63, 63, 62}, 4, 0, 1, 0, DNSFW_ENAMELEN},
    {{63, 63, 63, 63}, 4, 0, 0, 0, DNSFW_ENAMELEN},
    {{63, 63, 63, 63, 63}, 5, 0, 0, 0, DNSFW_ENAMELEN},
    /* the wire limit counts octets, not escape characters */
    {{63, 63, 63, 61}, 4, 0, 1, 1, DNSFW_OK},
    {{63, 63, 63, 62}, 4, 0, 1, 1, DNSFW_ENAMELEN},
    /* 127 one-octet labels: 254 octets + root = 255; 128 labels: 257 */
    {{0}, 0, 127, 0, 0, DNSFW_OK},
    {{0}, 0, 127, 1, 0, DNSFW_OK},
    {{0}, 0, 128, 0, 0, DNSFW_ENAMELEN},
};

/* Writes the name into in (presentation form) and its expected normal form into norm. */
static void build_name(int i, char *in, char *norm)
{
    size_t o = 0, n = 0;
    int count = lengths[i].n ? lengths[i].n : lengths[i].many;
    for (int l = 0; l < count; l++) {
        int size = lengths[i].n ? lengths[i].labels[l] : 1;
        if (l) {
            in[o++] = '.';
            norm[n++] = '.';
        }
        for (int c = 0; c < size; c++) {
            char ch = (char)('A' + (l + c) % 26);
            if (lengths[i].escaped)
                o += (size_t)sprintf(in + o, "\\%03d", ch);
            else
                in[o++] = ch;
            norm[n++] = (char)(ch + 32);
        }
    }
    if (lengths[i].trailing)
        in[o++] = '.';
    in[o] = '\0';
    norm[n++] = '.';
    norm[n] = '\0';
}

START_TEST(length_table)
{
    static char in[2048], norm[512];
    build_name(_i, in, norm);
    char out[DNSFW_NAME_TEXT_MAX];
    size_t outlen = 0;
    int rc = dnsfw_name_normalize(in, strlen(in), out, sizeof out, &outlen);
    ck_assert_msg(rc == lengths[_i].status, "case %d (%zu characters): status %d, expected %d", _i,
                  strlen(in), rc, lengths[_i].status);
    if (rc == DNSFW_OK) {
        ck_assert_str_eq(out, norm);
        ck_assert_uint_eq(outlen, strlen(norm));
    }

    dnsfw_matcher *m = unit_matcher(catch_all_policy);
    dnsfw_verdict v;
    ck_assert_int_eq(dnsfw_eval(m, in, strlen(in), 1, DNSFW_SCOPE_ALL, &v), lengths[_i].status);
    dnsfw_matcher_free(m);
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* Output buffer sizes                                                                 */

static const struct {
    const char *in;
    const char *out;
} spaces[] = {
    {"Example.COM", "example.com."},
    {"a b", "a\\032b."},
    {"a.b\\.c", "a.b\\.c."},
    {".", "."},
};

START_TEST(enospc)
{
    const char *in = spaces[_i].in, *want = spaces[_i].out;
    size_t need = strlen(want) + 1, outlen = 0;
    char out[64];
    /* exactly enough room: the normal form and its NUL */
    int rc = dnsfw_name_normalize(in, strlen(in), out, need, &outlen);
    ck_assert_msg(rc == DNSFW_OK, "\"%s\" into %zu bytes: status %d", in, need, rc);
    ck_assert_str_eq(out, want);
    ck_assert_uint_eq(outlen, need - 1);
    /* one byte short, or nothing at all */
    ck_assert_int_eq(dnsfw_name_normalize(in, strlen(in), out, need - 1, &outlen), DNSFW_ENOSPC);
    ck_assert_int_eq(dnsfw_name_normalize(in, strlen(in), out, 0, &outlen), DNSFW_ENOSPC);
    /* outlen may be NULL */
    ck_assert_int_eq(dnsfw_name_normalize(in, strlen(in), out, sizeof out, NULL), DNSFW_OK);
    ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(name_text_max)
{
    /* The longest output: a 255-octet name (250 octets in four labels) printed as \DDD. */
    static char in[1200];
    size_t o = 0;
    const int labels[] = {63, 63, 63, 61};
    for (int l = 0; l < 4; l++) {
        for (int c = 0; c < labels[l]; c++)
            o += (size_t)sprintf(in + o, "\\255");
        in[o++] = '.';
    }
    in[o] = '\0';
    char out[DNSFW_NAME_TEXT_MAX];
    size_t outlen = 0;
    ck_assert_int_eq(dnsfw_name_normalize(in, o, out, sizeof out, &outlen), DNSFW_OK);
    ck_assert_uint_eq(outlen, 250 * 4 + 4);
    ck_assert_uint_eq(outlen, o);
    ck_assert_str_eq(out, in);
}
END_TEST

START_TEST(null_arguments)
{
    char out[16];
    ck_assert_int_eq(dnsfw_name_normalize(NULL, 1, out, sizeof out, NULL), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_name_normalize("a", 1, NULL, sizeof out, NULL), DNSFW_EINVAL);
    dnsfw_matcher *m = unit_matcher(catch_all_policy);
    dnsfw_verdict v;
    ck_assert_int_eq(dnsfw_eval(NULL, "a", 1, 1, 0, &v), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval(m, NULL, 1, 1, 0, &v), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval(m, "a", 1, 1, 0, NULL), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval(m, "a", 1, 1, 1, &v), DNSFW_EINVAL); /* no scopes here */
    dnsfw_matcher_free(m);
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* Wire form                                                                           */

/*
 * www.example.com and a.b.example.com are listed exactly (ALLOW), *.example.com is an
 * ALERT, and everything else hits the BLOCK catch-all.
 */
static const char *wire_policy =
    "{\"dnsfw\":1,\"domain_lists\":{\"exact\":[\"www.example.com\",\"a.b.example.com\"],"
    "\"wild\":[\"*.example.com\"],\"all\":[\"*\"]},\"rule_groups\":[{\"name\":\"g\","
    "\"priority\":1,\"rules\":["
    "{\"name\":\"r1\",\"priority\":1,\"action\":\"ALLOW\",\"domain_list\":\"exact\"},"
    "{\"name\":\"r2\",\"priority\":2,\"action\":\"ALERT\",\"domain_list\":\"wild\"},"
    "{\"name\":\"r3\",\"priority\":3,\"action\":\"BLOCK\",\"domain_list\":\"all\","
    "\"block_response\":\"NODATA\"}]}]}";

static const struct {
    const char *what;
    const char *wire;
    size_t len;
    int status;
    dnsfw_action action;
} wires[] = {
    {"exact", "\3www\7example\3com\0", 17, DNSFW_OK, DNSFW_ACTION_ALLOW},
    {"upper case", "\3WWW\7EXAMPLE\3COM\0", 17, DNSFW_OK, DNSFW_ACTION_ALLOW},
    {"four labels", "\1a\1b\7example\3com\0", 17, DNSFW_OK, DNSFW_ACTION_ALLOW},
    /* one label holding a dot octet is not the two labels a and b */
    {"dot in a label", "\3a.b\7example\3com\0", 17, DNSFW_OK, DNSFW_ACTION_ALERT},
    {"zero octet in a label", "\3a\0b\7example\3com\0", 17, DNSFW_OK, DNSFW_ACTION_ALERT},
    {"apex", "\7example\3com\0", 13, DNSFW_OK, DNSFW_ACTION_BLOCK},
    {"root", "\0", 1, DNSFW_OK, DNSFW_ACTION_BLOCK},
    {"bytes after the root", "\3www\7example\3com\0\3xyz", 21, DNSFW_OK, DNSFW_ACTION_ALLOW},
    {"empty buffer", "", 0, DNSFW_EINVAL, DNSFW_ACTION_NONE},
    {"truncated label", "\3www\7exa", 8, DNSFW_EINVAL, DNSFW_ACTION_NONE},
    {"no root label", "\3www\7example\3com", 16, DNSFW_EINVAL, DNSFW_ACTION_NONE},
    {"compression pointer", "\3www\xC0\x0C", 6, DNSFW_EINVAL, DNSFW_ACTION_NONE},
    /* a length byte over 63 is an extended (0x40) or reserved (0x80) label type */
    {"label length 64",
     "\x40"
     "aaaa\0",
     6, DNSFW_EINVAL, DNSFW_ACTION_NONE},
    {"label length 128",
     "\x80"
     "aaaa\0",
     6, DNSFW_EINVAL, DNSFW_ACTION_NONE},
};

START_TEST(wire_table)
{
    dnsfw_matcher *m = unit_matcher(wire_policy);
    dnsfw_verdict v;
    int rc =
        dnsfw_eval_wire(m, (const uint8_t *)wires[_i].wire, wires[_i].len, 1, DNSFW_SCOPE_ALL, &v);
    ck_assert_msg(rc == wires[_i].status, "%s: status %d, expected %d", wires[_i].what, rc,
                  wires[_i].status);
    if (rc == DNSFW_OK)
        ck_assert_msg(v.action == wires[_i].action, "%s: action %s, expected %s", wires[_i].what,
                      dnsfw_action_name(v.action), dnsfw_action_name(wires[_i].action));
    dnsfw_matcher_free(m);
}
END_TEST

/* Wire names of 255 and 256 octets (labels of 63, 63, 63 and 61 or 62 octets). */
START_TEST(wire_length)
{
    dnsfw_matcher *m = unit_matcher(wire_policy);
    for (int last = 61; last <= 62; last++) {
        uint8_t w[300];
        size_t o = 0;
        const int labels[] = {63, 63, 63, last};
        for (int l = 0; l < 4; l++) {
            w[o++] = (uint8_t)labels[l];
            memset(w + o, 'a', (size_t)labels[l]);
            o += (size_t)labels[l];
        }
        w[o++] = 0;
        ck_assert_uint_eq(o, last == 61 ? 255 : 256);
        dnsfw_verdict v;
        int rc = dnsfw_eval_wire(m, w, o, 1, DNSFW_SCOPE_ALL, &v);
        if (last == 61) {
            ck_assert_int_eq(rc, DNSFW_OK);
            ck_assert_int_eq(v.action, DNSFW_ACTION_BLOCK);
        } else {
            ck_assert_int_eq(rc, DNSFW_ENAMELEN);
        }
        /* the same names in presentation form: 253 and 254 characters */
        char text[300];
        size_t t = 0;
        for (int l = 0; l < 4; l++) {
            if (l)
                text[t++] = '.';
            memset(text + t, 'a', (size_t)labels[l]);
            t += (size_t)labels[l];
        }
        ck_assert_uint_eq(t, last == 61 ? 253 : 254);
        ck_assert_int_eq(dnsfw_eval(m, text, t, 1, DNSFW_SCOPE_ALL, &v),
                         last == 61 ? DNSFW_OK : DNSFW_ENAMELEN);
    }
    dnsfw_verdict v;
    ck_assert_int_eq(dnsfw_eval_wire(NULL, (const uint8_t *)"\0", 1, 1, 0, &v), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval_wire(m, NULL, 1, 1, 0, &v), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_eval_wire(m, (const uint8_t *)"\0", 1, 1, 0, NULL), DNSFW_EINVAL);
    dnsfw_matcher_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("name");
    TCase *tc = tcase_create("normalize");
    tcase_add_loop_test(tc, normalize_table, 0, (int)N_ELEMS(names));
    tcase_add_loop_test(tc, length_table, 0, (int)N_ELEMS(lengths));
    tcase_add_loop_test(tc, enospc, 0, (int)N_ELEMS(spaces));
    tcase_add_test(tc, name_text_max);
    tcase_add_test(tc, null_arguments);
    suite_add_tcase(s, tc);
    tc = tcase_create("eval");
    tcase_add_loop_test(tc, eval_name_errors, 0, (int)N_ELEMS(names));
    tcase_add_loop_test(tc, wire_table, 0, (int)N_ELEMS(wires));
    tcase_add_test(tc, wire_length);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
