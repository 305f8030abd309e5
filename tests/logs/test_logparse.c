/*
 * Query-log parsing: dnsfw_log_parse() for every format (public API only).
 *
 * Route 53 records: the AWS documentation's sample records (aws-dns-firewall.md §8.2,
 * committed verbatim in tests/data/logs/aws-samples.jsonl) and the reader cases L1-L7 of
 * §10.3, then the JSON corner cases (key order, unknown members of every type, null,
 * numbers, escapes, chains, srcids) and every kind of malformed line with its status.
 * Text formats: dnsmasq, BIND, unbound (lines written by unbound 1.17.1 itself, see
 * tests/data/logs/unbound-*.log) and custom PCRE2 patterns.
 *
 * Every line is parsed from a heap copy of exactly its length, so a read past the end
 * shows up under valgrind and ASan. JSON in the tables is written with ' for " (see J()).
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dnsfw/dnsfw.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Big tables run ROWS rows per forked test: a fork per row costs about 0.15 s under ASan. */
#define ROWS            16
#define N_CHUNKS(table) ((int)((N_ELEMS(table) + ROWS - 1) / ROWS))
#define FOR_ROWS(i, table)                                                                         \
    for (size_t i = (size_t)_i * ROWS; i < N_ELEMS(table) && i < ((size_t)_i + 1) * ROWS; i++)

/* --- helpers ------------------------------------------------------------------------- */

struct lp {
    dnsfw_logparser *parser;
    dnsfw_logscratch *scratch;
    char *copy; /* the heap copy of the last line parsed */
};

static struct lp lp_new(dnsfw_log_format format, const char *pattern)
{
    struct lp l = {0};
    dnsfw_error err;
    int rc = dnsfw_logparser_new(&l.parser, format, pattern, &err);
    ck_assert_msg(rc == DNSFW_OK, "parser rejected: %d %s", rc, err.message);
    ck_assert_int_eq(dnsfw_logscratch_new(l.parser, &l.scratch), DNSFW_OK);
    return l;
}

static void lp_free(struct lp *l)
{
    free(l->copy);
    dnsfw_logscratch_free(l->scratch);
    dnsfw_logparser_free(l->parser);
}

/* Parse exactly len bytes from a heap copy (kept until the next call, as the texts are). */
static int lp_parse(struct lp *l, const char *line, size_t len, dnsfw_log_record *rec,
                    const char **why)
{
    free(l->copy);
    l->copy = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(l->copy);
    if (len)
        memcpy(l->copy, line, len);
    const char *reason = NULL;
    memset(rec, 0xA5, sizeof *rec); /* the parser must set every field */
    int rc = dnsfw_log_parse(l->parser, l->scratch, l->copy, len, rec, &reason);
    if (rc != DNSFW_OK && rc != DNSFW_ENOTQUERY)
        ck_assert_msg(reason && *reason, "status %d without a reason", rc);
    if (why)
        *why = reason;
    return rc;
}

/* "{'a':'b'}" -> {"a":"b"}: JSON tables stay readable. Returns a static buffer. */
static const char *J(const char *s)
{
    static char buf[1 << 16];
    size_t n = strlen(s);
    ck_assert_uint_lt(n, sizeof buf);
    for (size_t i = 0; i <= n; i++)
        buf[i] = s[i] == '\'' ? '"' : s[i];
    return buf;
}

/* Fields of a record, by number, so that tables can list the expected ones. */
enum field { QN, QT, QC, TS, CL, CP, IN, VPC, ACC, REG, RC, TR, VER, FWA, FWG, FWL, N_FIELDS };
static const char *const field_names[N_FIELDS] = {
    "query_name",
    "query_type",
    "query_class",
    "timestamp",
    "client",
    "client_port",
    "instance",
    "vpc_id",
    "account_id",
    "region",
    "rcode",
    "transport",
    "version",
    "firewall_action",
    "firewall_rule_group_id",
    "firewall_domain_list_id",
};

static dnsfw_text field(const dnsfw_log_record *r, enum field f)
{
    switch (f) {
    case QN:
        return r->query_name;
    case QT:
        return r->query_type;
    case QC:
        return r->query_class;
    case TS:
        return r->timestamp;
    case CL:
        return r->client;
    case CP:
        return r->client_port;
    case IN:
        return r->instance;
    case VPC:
        return r->vpc_id;
    case ACC:
        return r->account_id;
    case REG:
        return r->region;
    case RC:
        return r->rcode;
    case TR:
        return r->transport;
    case VER:
        return r->version;
    case FWA:
        return r->firewall_action;
    case FWG:
        return r->firewall_rule_group_id;
    case FWL:
        return r->firewall_domain_list_id;
    case N_FIELDS:
        break;
    }
    ck_abort_msg("no field %d", f);
    return (dnsfw_text){0};
}

static bool text_eq(dnsfw_text t, const char *want)
{
    if (!want)
        return t.ptr == NULL;
    return t.ptr && t.len == strlen(want) && memcmp(t.ptr, want, t.len) == 0;
}

static void check_text(dnsfw_text t, const char *want, const char *what, const char *ctx)
{
    ck_assert_msg(text_eq(t, want), "%s: %s: expected %s%s%s, got %s%.*s%s", ctx, what,
                  want ? "\"" : "", want ? want : "(absent)", want ? "\"" : "", t.ptr ? "\"" : "",
                  t.ptr ? (int)t.len : 8, t.ptr ? t.ptr : "(absent)", t.ptr ? "\"" : "");
}

/* Every field equals want[f], absent where want[f] is NULL; chain is "a|b|c" or NULL. */
static void check_record(const dnsfw_log_record *r, const char *const want[N_FIELDS],
                         const char *chain, int truncated, const char *ctx)
{
    for (int f = 0; f < N_FIELDS; f++)
        check_text(field(r, (enum field)f), want[f], field_names[f], ctx);
    size_t n = 0;
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", chain ? chain : "");
    for (char *save = NULL, *t = chain ? strtok_r(buf, "|", &save) : NULL; t;
         t = strtok_r(NULL, "|", &save), n++) {
        ck_assert_msg(n < r->n_chain, "%s: chain has %zu targets, expected more", ctx, r->n_chain);
        check_text(r->chain[n], t, "chain target", ctx);
    }
    ck_assert_msg(r->n_chain == n, "%s: chain has %zu targets, expected %zu", ctx, r->n_chain, n);
    ck_assert_msg(r->chain_truncated == truncated, "%s: chain_truncated %d", ctx,
                  r->chain_truncated);
}

/* The file of the test data directory (DNSFW_TEST_DATA, set by tests/meson.build). */
static char *read_data(const char *name, size_t *len)
{
    const char *dir = getenv("DNSFW_TEST_DATA");
    char path[4096];
    snprintf(path, sizeof path, "%s/logs/%s", dir ? dir : "tests/data", name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *buf = malloc(1 << 16);
    ck_assert_ptr_nonnull(buf);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* Line i (0-based) of a text, without its newline. */
static const char *nth_line(const char *text, int i, size_t *len)
{
    for (; i > 0; i--) {
        text = strchr(text, '\n');
        ck_assert_ptr_nonnull(text);
        text++;
    }
    const char *nl = strchr(text, '\n');
    *len = nl ? (size_t)(nl - text) : strlen(text);
    return text;
}

/* --- Route 53: the AWS documentation's samples and §10.3 ------------------------------ */

/* aws-dns-firewall.md §8.2, in the file's order; expected values read off the records. */
static const struct {
    const char *f[N_FIELDS];
    const char *chain;
} aws_samples[] = {
    /* L1: the official BLOCK sample; srcport is a string; the PTR answer is no chain. */
    {{[QN] = "15.3.4.32.in-addr.arpa.",
      [QT] = "PTR",
      [QC] = "IN",
      [TS] = "2021-02-04T17:51:55Z",
      [CL] = "4.5.64.102",
      [CP] = "56067",
      [IN] = "i-0d15cd0d3example",
      [VPC] = "vpc-7example",
      [ACC] = "111122223333",
      [REG] = "us-east-1",
      [RC] = "NOERROR",
      [TR] = "UDP",
      [VER] = "1.100000",
      [FWA] = "BLOCK",
      [FWG] = "rslvr-frg-01234567890abcdef",
      [FWL] = "rslvr-fdl-01234567890abcdef"},
     NULL},
    /* L2: the Elastic line with a CNAME; no firewall fields (ALLOW or no match). */
    {{[QN] = "abcd.example.com.",
      [QT] = "A",
      [QC] = "IN",
      [TS] = "2021-12-11T22:48:33Z",
      [CL] = "172.31.86.159",
      [CP] = "52785",
      [IN] = "i-079c44232510ca8ff",
      [VPC] = "vpc-01e31a7c",
      [ACC] = "626345947581",
      [REG] = "us-east-1",
      [RC] = "NOERROR",
      [TR] = "UDP",
      [VER] = "1.100000"},
     "test.example.com."},
    /* L3: NXDOMAIN, empty answers and empty srcids. */
    {{[QN] = "does-not-exist.abc.com.",
      [QT] = "A",
      [QC] = "IN",
      [TS] = "2021-12-11T22:46:23Z",
      [CL] = "172.31.86.159",
      [CP] = "48701",
      [VPC] = "vpc-01e31a7c",
      [ACC] = "626345947581",
      [REG] = "us-east-1",
      [RC] = "NXDOMAIN",
      [TR] = "UDP",
      [VER] = "1.100000"},
     NULL},
};

START_TEST(aws_sample)
{
    size_t total, len;
    char *text = read_data("aws-samples.jsonl", &total);
    const char *line = nth_line(text, _i, &len);
    struct lp l = lp_new(DNSFW_LOG_ROUTE53, NULL);
    dnsfw_log_record r;
    ck_assert_int_eq(lp_parse(&l, line, len, &r, NULL), DNSFW_OK);
    char ctx[32];
    snprintf(ctx, sizeof ctx, "sample %d", _i + 1);
    check_record(&r, aws_samples[_i].f, aws_samples[_i].chain, 0, ctx);
    /* Resolver logs names in the form dnsfw_name_normalize() writes (L1: the spec form
     * is the same name without its trailing dot). */
    char norm[DNSFW_NAME_TEXT_MAX], spec[DNSFW_SPEC_MAX + 1];
    size_t nlen;
    ck_assert_int_eq(
        dnsfw_name_normalize(r.query_name.ptr, r.query_name.len, norm, sizeof norm, &nlen),
        DNSFW_OK);
    ck_assert(text_eq(r.query_name, norm));
    ck_assert_int_eq(
        dnsfw_spec_normalize(r.query_name.ptr, r.query_name.len, spec, sizeof spec, NULL),
        DNSFW_OK);
    ck_assert_uint_eq(strlen(spec), nlen - 1);
    /* Unescaped strings are returned in place: they point into the line. */
    size_t at = (size_t)(strstr(line, "\"query_name\":\"") + 14 - line);
    ck_assert_uint_lt(at, len);
    ck_assert_ptr_eq(r.query_name.ptr, l.copy + at);
    lp_free(&l);
    free(text);
}
END_TEST

/* §10.3 L4-L7, written as variations of a minimal record. */
static const struct {
    const char *line;
    const char *f[N_FIELDS];
} l_cases[] = {
    /* L4: both spellings of the version, and a number */
    {"{'query_name':'a.example.','query_type':'A','version':'1.1'}",
     {[QN] = "a.example.", [QT] = "A", [VER] = "1.1"}},
    {"{'query_name':'a.example.','query_type':'A','version':'1.100000'}",
     {[QN] = "a.example.", [QT] = "A", [VER] = "1.100000"}},
    {"{'query_name':'a.example.','query_type':'A','version':1.1}",
     {[QN] = "a.example.", [QT] = "A", [VER] = "1.1"}},
    /* L5: timestamps with and without fractional seconds */
    {"{'query_name':'a.example.','query_type':'A','query_timestamp':'2017-03-16T19:20:25.177Z'}",
     {[QN] = "a.example.", [QT] = "A", [TS] = "2017-03-16T19:20:25.177Z"}},
    {"{'query_name':'a.example.','query_type':'A','query_timestamp':'2021-02-04T17:51:55Z'}",
     {[QN] = "a.example.", [QT] = "A", [TS] = "2021-02-04T17:51:55Z"}},
    /* L6: an unknown field is ignored */
    {"{'query_name':'a.example.','firewall_protection':'DGA','query_type':'A'}",
     {[QN] = "a.example.", [QT] = "A"}},
    /* L7: ALLOW as a logged action is accepted */
    {"{'query_name':'a.example.','query_type':'A','firewall_rule_action':'ALLOW'}",
     {[QN] = "a.example.", [QT] = "A", [FWA] = "ALLOW"}},
};

START_TEST(l_case)
{
    FOR_ROWS(i, l_cases)
    {
        struct lp l = lp_new(DNSFW_LOG_ROUTE53, NULL);
        const char *line = J(l_cases[i].line);
        dnsfw_log_record r;
        ck_assert_int_eq(lp_parse(&l, line, strlen(line), &r, NULL), DNSFW_OK);
        check_record(&r, l_cases[i].f, NULL, 0, line);
        lp_free(&l);
    }
}
END_TEST

/* The top-level members of a one-line JSON object (no whitespace), as [start, end) spans. */
static size_t split_members(const char *s, size_t len, size_t start[], size_t end[], size_t max)
{
    size_t n = 0, depth = 0;
    bool in_string = false;
    ck_assert(len >= 2 && s[0] == '{' && s[len - 1] == '}');
    start[0] = 1;
    for (size_t i = 1; i < len - 1; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == ',' && depth == 0) {
            ck_assert_uint_lt(n + 1, max);
            end[n++] = i;
            start[n] = i + 1;
        }
    }
    end[n++] = len - 1;
    return n;
}

/* Key order is free: every rotation and the reversal of a sample's members parse alike. */
START_TEST(key_order)
{
    size_t total, len;
    char *text = read_data("aws-samples.jsonl", &total);
    const char *line = nth_line(text, _i, &len);
    size_t start[32], end[32];
    size_t n = split_members(line, len, start, end, 32);
    ck_assert_uint_ge(n, 14);
    struct lp l = lp_new(DNSFW_LOG_ROUTE53, NULL);
    dnsfw_log_record r;
    ck_assert_int_eq(lp_parse(&l, line, len, &r, NULL), DNSFW_OK);
    check_record(&r, aws_samples[_i].f, aws_samples[_i].chain, 0, "original order");
    char *buf = malloc(len + 1);
    for (size_t rot = 0; rot <= n; rot++) { /* rot == n: reversed */
        size_t o = 0;
        buf[o++] = '{';
        for (size_t k = 0; k < n; k++) {
            size_t m = rot < n ? (k + rot) % n : n - 1 - k;
            if (k)
                buf[o++] = ',';
            memcpy(buf + o, line + start[m], end[m] - start[m]);
            o += end[m] - start[m];
        }
        buf[o++] = '}';
        ck_assert_uint_eq(o, len);
        char ctx[64];
        snprintf(ctx, sizeof ctx, "sample %d, %s %zu", _i + 1, rot < n ? "rotation" : "reversed",
                 rot);
        ck_assert_int_eq(lp_parse(&l, buf, o, &r, NULL), DNSFW_OK);
        check_record(&r, aws_samples[_i].f, aws_samples[_i].chain, 0, ctx);
    }
    free(buf);
    lp_free(&l);
    free(text);
}
END_TEST

/* --- Route 53: JSON corner cases that parse ------------------------------------------ */

static const struct {
    const char *line;
    const char *f[N_FIELDS];
    const char *chain;
    int truncated;
} r53_ok[] = {
    /* minimal */
    {"{'query_name':'a.','query_type':'A'}", {[QN] = "a.", [QT] = "A"}, NULL, 0},
    {"{'query_type':'A','query_name':'a.'}", {[QN] = "a.", [QT] = "A"}, NULL, 0},
    /* whitespace between tokens, around the object, and at the end */
    {" \t{ 'query_name' :\t'a.' ,\r\n 'query_type' : 'A' } \t\r",
     {[QN] = "a.", [QT] = "A"},
     NULL,
     0},
    /* unknown members of every JSON type, first, between and last; a known key inside an
     * unknown object is not the record's */
    {"{'x_str':'v','query_name':'a.','x_num':-12.5e+3,'x_int':0,'x_exp':1E-2,'x_true':true,"
     "'x_false':false,'x_null':null,'x_arr':[1,'a',{'b':[null,{}]},[],[[]]],"
     "'x_obj':{'query_name':'evil.','k':{'k':{'srcids':{'instance':'i-evil'}}}},"
     "'query_type':'A','x_empty_obj':{},'x_empty_arr':[],'x_esc':'\\u00e9\\n\\\"',"
     "'answers':[],'x_last':{'answers':[{'Rdata':'evil.','Type':'CNAME'}]}}",
     {[QN] = "a.", [QT] = "A"},
     NULL,
     0},
    /* unknown members inside srcids and inside an answer */
    {"{'query_name':'a.','query_type':'A','srcids':{'x':[1,{'y':null}],'instance':'i-1',"
     "'resolver_network_interface':'rni-1'},'answers':[{'TTL':60,'Rdata':'b.',"
     "'x':{'Type':'A'},'Type':'CNAME','Class':'IN'}]}",
     {[QN] = "a.", [QT] = "A", [IN] = "i-1"},
     "b.",
     0},
    /* null leaves a field absent */
    {"{'query_name':'a.','query_type':'A','firewall_rule_action':null,'srcaddr':null,"
     "'srcport':null,'version':null,'query_timestamp':null,'account_id':null}",
     {[QN] = "a.", [QT] = "A"},
     NULL,
     0},
    {"{'query_name':'a.','query_type':'A','answers':null,'srcids':null}",
     {[QN] = "a.", [QT] = "A"},
     NULL,
     0},
    /* numbers where Resolver writes strings: srcport, version, account_id */
    {"{'query_name':'a.','query_type':'A','srcport':56067,'version':1.1,"
     "'account_id':111122223333}",
     {[QN] = "a.", [QT] = "A", [CP] = "56067", [VER] = "1.1", [ACC] = "111122223333"},
     NULL,
     0},
    {"{'query_name':'a.','query_type':'A','srcport':-0,'version':1e5}",
     {[QN] = "a.", [QT] = "A", [CP] = "-0", [VER] = "1e5"},
     NULL,
     0},
    {"{'query_name':'a.','query_type':'A','srcport':'56067','version':'1'}",
     {[QN] = "a.", [QT] = "A", [CP] = "56067", [VER] = "1"},
     NULL,
     0},
    /* escapes: decoded */
    {"{'query_name':'\\u0061bc.example.com.','query_type':'A'}",
     {[QN] = "abc.example.com.", [QT] = "A"},
     NULL,
     0},
    {"{'query_name':'a\\/b\\\\c\\\"d.','query_type':'\\u0041'}",
     {[QN] = "a/b\\c\"d.", [QT] = "A"},
     NULL,
     0},
    {"{'query_name':'\\b\\f\\n\\r\\t.','query_type':'A'}",
     {[QN] = "\b\f\n\r\t.", [QT] = "A"},
     NULL,
     0},
    {"{'query_name':'\\u00e9t\\u00E9.example.','query_type':'A'}",
     {[QN] = "\xc3\xa9t\xc3\xa9.example.", [QT] = "A"},
     NULL,
     0},
    {"{'query_name':'\\u20ac.\\u07ff.\\u0080.\\uffff.','query_type':'A'}",
     {[QN] = "\xe2\x82\xac.\xdf\xbf.\xc2\x80.\xef\xbf\xbf.", [QT] = "A"},
     NULL,
     0},
    /* surrogate pairs, either case of hex digits; the first and the last pair */
    {"{'query_name':'\\ud83d\\ude00.example.','query_type':'A'}",
     {[QN] = "\xf0\x9f\x98\x80.example.", [QT] = "A"},
     NULL,
     0},
    {"{'query_name':'\\uD800\\uDC00\\uDBFF\\uDFFF.','query_type':'A'}",
     {[QN] = "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf.", [QT] = "A"},
     NULL,
     0},
    /* an escaped key is the key it decodes to */
    {"{'query\\u005fname':'a.','\\u0071uery_type':'A'}", {[QN] = "a.", [QT] = "A"}, NULL, 0},
    /* raw UTF-8 and DEL are fine in strings */
    {"{'query_name':'b\xc3\xbc"
     "cher.example.\x7f','query_type':'A'}",
     {[QN] = "b\xc3\xbc"
             "cher.example.\x7f",
      [QT] = "A"},
     NULL,
     0},
    {"{'query_name':'\xf0\x9f\x98\x80.\xe2\x82\xac.\xed\x9f\xbf.\xf4\x8f\xbf\xbf.',"
     "'query_type':'A'}",
     {[QN] = "\xf0\x9f\x98\x80.\xe2\x82\xac.\xed\x9f\xbf.\xf4\x8f\xbf\xbf.", [QT] = "A"},
     NULL,
     0},
    /* keys are case-sensitive: these are unknown fields */
    {"{'query_name':'a.','query_type':'A','SrcAddr':'1.2.3.4','Answers':5}",
     {[QN] = "a.", [QT] = "A"},
     NULL,
     0},
    /* an unknown key may repeat */
    {"{'query_name':'a.','x':1,'query_type':'A','x':[2]}", {[QN] = "a.", [QT] = "A"}, NULL, 0},
    /* CNAME chains, in order, the A record is not a target */
    {"{'query_name':'www.example.com.','query_type':'A','answers':["
     "{'Rdata':'www.example.com.edgekey.net.','Type':'CNAME','Class':'IN'},"
     "{'Rdata':'e1.a.akamaiedge.net.','Type':'CNAME','Class':'IN'},"
     "{'Rdata':'192.0.2.1','Type':'A','Class':'IN'}]}",
     {[QN] = "www.example.com.", [QT] = "A"},
     "www.example.com.edgekey.net.|e1.a.akamaiedge.net.",
     0},
    /* DNAME then the synthesised CNAME; Type before Rdata */
    {"{'query_name':'a.old.example.','query_type':'AAAA','answers':["
     "{'Type':'DNAME','Rdata':'new.example.','Class':'IN'},"
     "{'Class':'IN','Type':'CNAME','Rdata':'a.new.example.'},"
     "{'Rdata':'2001:db8::1','Type':'AAAA','Class':'IN'}]}",
     {[QN] = "a.old.example.", [QT] = "AAAA"},
     "new.example.|a.new.example.",
     0},
    /* answers of other types, without Rdata or Type, with null or empty members */
    {"{'query_name':'a.','query_type':'MX','answers':[{},{'Type':'CNAME'},{'Rdata':'x.'},"
     "{'Rdata':null,'Type':'CNAME'},{'Rdata':'y.','Type':null},"
     "{'Rdata':'10 mx.a.','Type':'MX','Class':'IN'},{'Rdata':'z.','Type':'NS'}]}",
     {[QN] = "a.", [QT] = "MX"},
     NULL,
     0},
    /* an escaped chain target is decoded */
    {"{'query_name':'a.','query_type':'A','answers':[{'Rdata':'\\u0062.example.',"
     "'Type':'CNAME'}]}",
     {[QN] = "a.", [QT] = "A"},
     "b.example.",
     0},
    /* srcids: the instance, else the resolver endpoint */
    {"{'query_name':'a.','query_type':'A','srcids':{'instance':'i-0abc'}}",
     {[QN] = "a.", [QT] = "A", [IN] = "i-0abc"},
     NULL,
     0},
    {"{'query_name':'a.','query_type':'A','srcids':{'resolver_endpoint':'rslvr-in-1'}}",
     {[QN] = "a.", [QT] = "A", [IN] = "rslvr-in-1"},
     NULL,
     0},
    {"{'query_name':'a.','query_type':'A','srcids':{'resolver_endpoint':'rslvr-in-1',"
     "'instance':'i-0abc'}}",
     {[QN] = "a.", [QT] = "A", [IN] = "i-0abc"},
     NULL,
     0},
    {"{'query_name':'a.','query_type':'A','srcids':{'instance':null,"
     "'resolver_endpoint':'rslvr-in-1'}}",
     {[QN] = "a.", [QT] = "A", [IN] = "rslvr-in-1"},
     NULL,
     0},
    {"{'query_name':'a.','query_type':'A','srcids':{}}", {[QN] = "a.", [QT] = "A"}, NULL, 0},
    {"{'query_name':'a.','query_type':'A','srcids':{'resolver_network_interface':'rni-1'}}",
     {[QN] = "a.", [QT] = "A"},
     NULL,
     0},
    /* the root name and a query type the library does not know are the tool's business */
    {"{'query_name':'.','query_type':'TYPE65000'}", {[QN] = ".", [QT] = "TYPE65000"}, NULL, 0},
    /* 50 nested arrays in an unknown member are fine */
    {"{'query_name':'a.','query_type':'A','x':"
     "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
     "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
     {[QN] = "a.", [QT] = "A"},
     NULL,
     0},
};

START_TEST(route53_ok)
{
    FOR_ROWS(i, r53_ok)
    {
        struct lp l = lp_new(DNSFW_LOG_ROUTE53, NULL);
        const char *line = J(r53_ok[i].line);
        dnsfw_log_record r;
        const char *why;
        int rc = lp_parse(&l, line, strlen(line), &r, &why);
        ck_assert_msg(rc == DNSFW_OK, "%s: status %d (%s)", line, rc, why ? why : "");
        check_record(&r, r53_ok[i].f, r53_ok[i].chain, r53_ok[i].truncated, line);
        lp_free(&l);
    }
}
END_TEST

/* Texts without escapes point into the line, decoded ones do not (they are in the scratch). */
START_TEST(route53_in_place)
{
    struct lp l = lp_new(DNSFW_LOG_ROUTE53, NULL);
    const char *line = J("{'query_name':'\\u0061.example.','query_type':'AAAA',"
                         "'answers':[{'Rdata':'b.example.','Type':'CNAME'},"
                         "{'Rdata':'c\\u002eexample.','Type':'CNAME'}]}");
    size_t len = strlen(line);
    dnsfw_log_record r;
    ck_assert_int_eq(lp_parse(&l, line, len, &r, NULL), DNSFW_OK);
    const char *b = l.copy, *e = l.copy + len;
    ck_assert(text_eq(r.query_name, "a.example."));
    ck_assert(!(r.query_name.ptr >= b && r.query_name.ptr < e));
    ck_assert(text_eq(r.query_type, "AAAA"));
    ck_assert_ptr_eq(r.query_type.ptr, l.copy + (strstr(line, "AAAA") - line));
    ck_assert_uint_eq(r.n_chain, 2);
    ck_assert_ptr_eq(r.chain[0].ptr, l.copy + (strstr(line, "b.example.") - line));
    ck_assert(text_eq(r.chain[1], "c.example."));
    ck_assert(!(r.chain[1].ptr >= b && r.chain[1].ptr < e));
    lp_free(&l);
}
END_TEST

/* One scratch for many lines: decoded texts of short and long lines, fields reset. */
START_TEST(route53_scratch_reuse)
{
    struct lp l = lp_new(DNSFW_LOG_ROUTE53, NULL);
    dnsfw_log_record r;
    /* a full record first, so that a later minimal one shows any field left over */
    size_t total, len;
    char *text = read_data("aws-samples.jsonl", &total);
    const char *line = nth_line(text, 1, &len);
    ck_assert_int_eq(lp_parse(&l, line, len, &r, NULL), DNSFW_OK);
    ck_assert_uint_eq(r.n_chain, 1);
    const char *small = J("{'query_name':'\\u0061.','query_type':'A'}");
    ck_assert_int_eq(lp_parse(&l, small, strlen(small), &r, NULL), DNSFW_OK);
    check_record(&r, (const char *[N_FIELDS]){[QN] = "a.", [QT] = "A"}, NULL, 0, "after a full");
    /* a line of 200 000 escapes: the scratch grows */
    size_t n = 200000;
    char *big = malloc(6 * n + 64);
    size_t o = (size_t)sprintf(big, "{\"query_type\":\"A\",\"query_name\":\"");
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(big + o, "\\u%04x", i % 63 == 62 ? '.' : 'a' + (int)(i % 26));
    o += (size_t)sprintf(big + o, "\"}");
    ck_assert_int_eq(lp_parse(&l, big, o, &r, NULL), DNSFW_OK);
    ck_assert_uint_eq(r.query_name.len, n);
    char *want = malloc(n);
    for (size_t i = 0; i < n; i++)
        want[i] = i % 63 == 62 ? '.' : (char)('a' + (int)(i % 26));
    ck_assert(memcmp(r.query_name.ptr, want, n) == 0);
    free(want);
    ck_assert_int_eq(lp_parse(&l, small, strlen(small), &r, NULL), DNSFW_OK);
    ck_assert(text_eq(r.query_name, "a."));
    free(big);
    free(text);
    lp_free(&l);
}
END_TEST

/* A and AAAA Rdata are the answered addresses, in order, whatever the chain before them;
 * other types are not; more than DNSFW_LOG_ADDR_MAX set addresses_truncated. */
START_TEST(route53_addresses)
{
    struct lp l = lp_new(DNSFW_LOG_ROUTE53, NULL);
    const char *line = J("{'query_name':'abcd.example.com.','query_type':'A','answers':["
                         "{'Rdata':'test.example.com.','Type':'CNAME','Class':'IN'},"
                         "{'Rdata':'1.128.3.4','Type':'A','Class':'IN'},"
                         "{'Rdata':'x','Type':'TXT','Class':'IN'},"
                         "{'Rdata':'2001:db8::\\u0031','Type':'AAAA'},"
                         "{'Type':'A'},{'Rdata':'192.0.2.9','Type':'a'}]}");
    dnsfw_log_record r;
    ck_assert_int_eq(lp_parse(&l, line, strlen(line), &r, NULL), DNSFW_OK);
    ck_assert_uint_eq(r.n_chain, 1);
    ck_assert_uint_eq(r.n_addresses, 2);
    check_text(r.addresses[0], "1.128.3.4", "address", "addresses");
    check_text(r.addresses[1], "2001:db8::1", "address", "addresses");
    ck_assert_int_eq(r.addresses_truncated, 0);
    /* the official BLOCK sample answers a PTR: no address */
    size_t total, len;
    char *text = read_data("aws-samples.jsonl", &total);
    const char *first = nth_line(text, 0, &len);
    ck_assert_int_eq(lp_parse(&l, first, len, &r, NULL), DNSFW_OK);
    ck_assert_uint_eq(r.n_addresses, 0);
    free(text);
    char big[8192];
    size_t o = (size_t)snprintf(big, sizeof big,
                                "{\"query_name\":\"q.\",\"query_type\":\"A\","
                                "\"answers\":[");
    for (size_t i = 0; i < DNSFW_LOG_ADDR_MAX + 3; i++)
        o += (size_t)snprintf(big + o, sizeof big - o,
                              "%s{\"Rdata\":\"192.0.2.%zu\",\"Type\":\"A\"}", i ? "," : "", i);
    o += (size_t)snprintf(big + o, sizeof big - o, "]}");
    ck_assert_int_eq(lp_parse(&l, big, o, &r, NULL), DNSFW_OK);
    ck_assert_uint_eq(r.n_addresses, DNSFW_LOG_ADDR_MAX);
    ck_assert_int_eq(r.addresses_truncated, 1);
    check_text(r.addresses[DNSFW_LOG_ADDR_MAX - 1], "192.0.2.31", "address", "addresses");
    lp_free(&l);
}
END_TEST

/* More targets than DNSFW_LOG_CHAIN_MAX: the first ones are kept, in order. */
START_TEST(route53_chain_max)
{
    static const size_t counts[] = {DNSFW_LOG_CHAIN_MAX - 1, DNSFW_LOG_CHAIN_MAX,
                                    DNSFW_LOG_CHAIN_MAX + 1, 3 * DNSFW_LOG_CHAIN_MAX};
    struct lp l = lp_new(DNSFW_LOG_ROUTE53, NULL);
    for (size_t c = 0; c < N_ELEMS(counts); c++) {
        char line[8192];
        size_t o = (size_t)snprintf(line, sizeof line,
                                    "{\"query_name\":\"q.\",\"query_type\":\"A\",\"answers\":[");
        for (size_t i = 0; i < counts[c]; i++)
            o +=
                (size_t)snprintf(line + o, sizeof line - o,
                                 "%s{\"Rdata\":\"t%zu.example.\",\"Type\":\"%s\",\"Class\":\"IN\"}",
                                 i ? "," : "", i + 1, i % 5 == 4 ? "DNAME" : "CNAME");
        o += (size_t)snprintf(line + o, sizeof line - o,
                              ",{\"Rdata\":\"192.0.2.1\",\"Type\":\"A\"}]}");
        ck_assert_uint_lt(o, sizeof line);
        dnsfw_log_record r;
        ck_assert_int_eq(lp_parse(&l, line, o, &r, NULL), DNSFW_OK);
        size_t kept = counts[c] < DNSFW_LOG_CHAIN_MAX ? counts[c] : DNSFW_LOG_CHAIN_MAX;
        ck_assert_uint_eq(r.n_chain, kept);
        ck_assert_int_eq(r.chain_truncated, counts[c] > DNSFW_LOG_CHAIN_MAX);
        for (size_t i = 0; i < kept; i++) {
            char want[32];
            snprintf(want, sizeof want, "t%zu.example.", i + 1);
            check_text(r.chain[i], want, "chain target", "chain_max");
        }
    }
    lp_free(&l);
}
END_TEST

/* --- Route 53: malformed lines --------------------------------------------------------- */

static const struct {
    const char *line;
    int len; /* -1: strlen */
    int status;
    const char *why; /* a word of the reason, or NULL */
} r53_bad[] = {
    /* not a JSON object */
    {"", -1, DNSFW_EPARSE, NULL},
    {"   ", -1, DNSFW_EPARSE, NULL},
    {"[]", -1, DNSFW_EPARSE, "not a JSON object"},
    {"[{'query_name':'a.','query_type':'A'}]", -1, DNSFW_EPARSE, "not a JSON object"},
    {"'query_name'", -1, DNSFW_EPARSE, "not a JSON object"},
    {"1", -1, DNSFW_EPARSE, NULL},
    {"null", -1, DNSFW_EPARSE, NULL},
    {"true", -1, DNSFW_EPARSE, NULL},
    {"query_name=a.", -1, DNSFW_EPARSE, NULL},
    /* trailing garbage */
    {"{'query_name':'a.','query_type':'A'}x", -1, DNSFW_EPARSE, "after the JSON object"},
    {"{'query_name':'a.','query_type':'A'}}", -1, DNSFW_EPARSE, "after the JSON object"},
    {"{'query_name':'a.','query_type':'A'},", -1, DNSFW_EPARSE, "after the JSON object"},
    {"{'query_name':'a.','query_type':'A'}{}", -1, DNSFW_EPARSE, "after the JSON object"},
    {"{'query_name':'a.','query_type':'A'} {'query_name':'b.','query_type':'A'}", -1, DNSFW_EPARSE,
     "after the JSON object"},
    {"{'query_name':'a.','query_type':'A'}\0", 37, DNSFW_EPARSE, "after the JSON object"},
    /* syntax */
    {"{", -1, DNSFW_EPARSE, "truncated"},
    {"{'query_name' 'a.','query_type':'A'}", -1, DNSFW_EPARSE, "':'"},
    {"{'query_name':'a.' 'query_type':'A'}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A',}", -1, DNSFW_EPARSE, "key"},
    {"{,'query_name':'a.','query_type':'A'}", -1, DNSFW_EPARSE, "key"},
    {"{query_name:'a.','query_type':'A'}", -1, DNSFW_EPARSE, "key"},
    {"{\"query_name\":\"a.\",\"query_type\":'A'}", -1, DNSFW_EPARSE, NULL}, /* single quotes */
    {"{'query_name':'a.','query_type':'A','x':}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','x':[1,]}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','x':[1 2]}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','x':{'a' 1}}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','x':{1:2}}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','x':[}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','x':{]}", -1, DNSFW_EPARSE, NULL},
    /* literals and numbers */
    {"{'query_name':'a.','query_type':'A','x':tru}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','x':True}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','x':nul}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','x':nulll}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','x':undefined}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','srcport':01}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','srcport':-}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','srcport':1.}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','srcport':1e}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','srcport':1e+}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','srcport':+1}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','srcport':.5}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','x':0x10}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','x':NaN}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','x':-Infinity}", -1, DNSFW_EPARSE, NULL},
    /* strings: unterminated, bad escapes, raw control characters */
    {"{'query_name':'a.,'query_type':'A'}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A", -1, DNSFW_EPARSE, "truncated"},
    {"{'query_name':'a\\x41.','query_type':'A'}", -1, DNSFW_EPARSE, "escape"},
    {"{\"query_name\":\"a\\'.\",\"query_type\":\"A\"}", -1, DNSFW_EPARSE, "escape"},
    {"{'query_name':'a\\ .','query_type':'A'}", -1, DNSFW_EPARSE, "escape"},
    {"{'query_name':'a\\U0041.','query_type':'A'}", -1, DNSFW_EPARSE, "escape"},
    {"{'query_name':'\\u12g4.','query_type':'A'}", -1, DNSFW_EPARSE, "escape"},
    {"{'query_name':'\\u12','query_type':'A'}", -1, DNSFW_EPARSE, "escape"},
    {"{'query_name':'\\u','query_type':'A'}", -1, DNSFW_EPARSE, "escape"},
    {"{'query_name':'a.\\", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.\\u00", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a\t.','query_type':'A'}", -1, DNSFW_EPARSE, "control"},
    {"{'query_name':'a\n.','query_type':'A'}", -1, DNSFW_EPARSE, "control"},
    {"{'query_name':'a\x01.','query_type':'A'}", -1, DNSFW_EPARSE, "control"},
    {"{'query_name':'a\x1f.','query_type':'A'}", -1, DNSFW_EPARSE, "control"},
    {"{'query_name':'a\0.','query_type':'A'}", 37, DNSFW_EPARSE, "control"},
    {"{'query_name':'a.','query_type':'A','x':'\x1b[31m'}", -1, DNSFW_EPARSE, "control"},
    {"{'query_name':'a.','query_type':'A','srcids':{'instance':'i-\t1'}}", -1, DNSFW_EPARSE,
     "control"},
    /* \u escapes JSON allows but the record must not carry */
    {"{'query_name':'a\\u0000.','query_type':'A'}", -1, DNSFW_EENCODING, "u0000"},
    {"{'query_name':'a.','query_type':'A','x':'\\u0000'}", -1, DNSFW_EENCODING, "u0000"},
    {"{'query_name':'\\ud83d.','query_type':'A'}", -1, DNSFW_EENCODING, "surrogate"},
    {"{'query_name':'\\ude00.','query_type':'A'}", -1, DNSFW_EENCODING, "surrogate"},
    {"{'query_name':'\\ud83d\\u0041.','query_type':'A'}", -1, DNSFW_EENCODING, "surrogate"},
    {"{'query_name':'\\ud83d\\ud83d.','query_type':'A'}", -1, DNSFW_EENCODING, "surrogate"},
    {"{'query_name':'\\ude00\\ud83d.','query_type':'A'}", -1, DNSFW_EENCODING, "surrogate"},
    {"{'query_name':'\\ud83d','query_type':'A'}", -1, DNSFW_EENCODING, "surrogate"},
    {"{'query_name':'\\ud83d\\n.','query_type':'A'}", -1, DNSFW_EENCODING, "surrogate"},
    {"{'query_name':'a.','query_type':'A','srcids':{'x':'\\udfff'}}", -1, DNSFW_EENCODING,
     "surrogate"},
    /* invalid UTF-8, in values, keys and unknown members */
    {"{'query_name':'\x80.','query_type':'A'}", -1, DNSFW_EENCODING, "UTF-8"},
    {"{'query_name':'\xc0\xaf.','query_type':'A'}", -1, DNSFW_EENCODING, "UTF-8"},
    {"{'query_name':'\xc1\xbf.','query_type':'A'}", -1, DNSFW_EENCODING, "UTF-8"},
    {"{'query_name':'\xe0\x80\xaf.','query_type':'A'}", -1, DNSFW_EENCODING, "UTF-8"},
    {"{'query_name':'\xc3','query_type':'A'}", -1, DNSFW_EENCODING, "UTF-8"},
    {"{'query_name':'\xe2\x82','query_type':'A'}", -1, DNSFW_EENCODING, "UTF-8"},
    {"{'query_name':'\xed\xa0\x80.','query_type':'A'}", -1, DNSFW_EENCODING, "UTF-8"},
    {"{'query_name':'\xf4\x90\x80\x80.','query_type':'A'}", -1, DNSFW_EENCODING, "UTF-8"},
    {"{'query_name':'\xf5\x80\x80\x80.','query_type':'A'}", -1, DNSFW_EENCODING, "UTF-8"},
    {"{'query_name':'\xfe.','query_type':'A'}", -1, DNSFW_EENCODING, "UTF-8"},
    {"{'query_name':'\xff.','query_type':'A'}", -1, DNSFW_EENCODING, "UTF-8"},
    {"{'query_name':'a.','query_type':'A','\xff':1}", -1, DNSFW_EENCODING, "UTF-8"},
    {"{'query_name':'a.','query_type':'A','x':['\xc3\x28']}", -1, DNSFW_EENCODING, "UTF-8"},
    {"{'query_name':'a.','query_type':'A','answers':[{'Rdata':'\xa0.','Type':'CNAME'}]}", -1,
     DNSFW_EENCODING, "UTF-8"},
    {"{\xff'query_name':'a.','query_type':'A'}", -1, DNSFW_EPARSE, "key"},
    /* duplicate known keys */
    {"{'query_name':'a.','query_type':'A','query_name':'b.'}", -1, DNSFW_ESCHEMA, "twice"},
    {"{'query_name':'a.','query_type':'A','query_type':'A'}", -1, DNSFW_ESCHEMA, "twice"},
    {"{'query_name':'a.','query_type':'A','srcaddr':'1.2.3.4','srcaddr':'1.2.3.4'}", -1,
     DNSFW_ESCHEMA, "twice"},
    {"{'query_name':'a.','query_type':'A','firewall_rule_action':'BLOCK',"
     "'firewall_rule_action':null}",
     -1, DNSFW_ESCHEMA, "twice"},
    {"{'query_name':'a.','query_type':'A','answers':[],'answers':[]}", -1, DNSFW_ESCHEMA, "twice"},
    {"{'query_name':'a.','query_type':'A','srcids':{},'srcids':{}}", -1, DNSFW_ESCHEMA, "twice"},
    {"{'query_name':'a.','query_\\u0074ype':'A','query_type':'A'}", -1, DNSFW_ESCHEMA, "twice"},
    /* mistyped fields */
    {"{'query_name':1,'query_type':'A'}", -1, DNSFW_ESCHEMA, "query_name"},
    {"{'query_name':true,'query_type':'A'}", -1, DNSFW_ESCHEMA, "query_name"},
    {"{'query_name':['a.'],'query_type':'A'}", -1, DNSFW_ESCHEMA, "query_name"},
    {"{'query_name':{'n':'a.'},'query_type':'A'}", -1, DNSFW_ESCHEMA, "query_name"},
    {"{'query_name':'a.','query_type':1}", -1, DNSFW_ESCHEMA, "query_type"},
    {"{'query_name':'a.','query_type':'A','srcaddr':167772161}", -1, DNSFW_ESCHEMA, "srcaddr"},
    {"{'query_name':'a.','query_type':'A','query_timestamp':1612461115}", -1, DNSFW_ESCHEMA,
     "query_timestamp"},
    {"{'query_name':'a.','query_type':'A','firewall_rule_action':false}", -1, DNSFW_ESCHEMA,
     "firewall_rule_action"},
    {"{'query_name':'a.','query_type':'A','srcport':true}", -1, DNSFW_ESCHEMA, "srcport"},
    {"{'query_name':'a.','query_type':'A','srcport':[56067]}", -1, DNSFW_ESCHEMA, "srcport"},
    {"{'query_name':'a.','query_type':'A','answers':'none'}", -1, DNSFW_ESCHEMA, "answers"},
    {"{'query_name':'a.','query_type':'A','answers':{}}", -1, DNSFW_ESCHEMA, "answers"},
    {"{'query_name':'a.','query_type':'A','answers':0}", -1, DNSFW_ESCHEMA, "answers"},
    {"{'query_name':'a.','query_type':'A','answers':['b.']}", -1, DNSFW_ESCHEMA, "answers"},
    {"{'query_name':'a.','query_type':'A','answers':[null]}", -1, DNSFW_ESCHEMA, "answers"},
    {"{'query_name':'a.','query_type':'A','answers':[{'Rdata':'b.','Type':'CNAME'},[]]}", -1,
     DNSFW_ESCHEMA, "answers"},
    {"{'query_name':'a.','query_type':'A','answers':[{'Rdata':5,'Type':'CNAME'}]}", -1,
     DNSFW_ESCHEMA, "Rdata"},
    {"{'query_name':'a.','query_type':'A','answers':[{'Rdata':'b.','Type':5}]}", -1, DNSFW_ESCHEMA,
     "Type"},
    {"{'query_name':'a.','query_type':'A','srcids':'i-1'}", -1, DNSFW_ESCHEMA, "srcids"},
    {"{'query_name':'a.','query_type':'A','srcids':['i-1']}", -1, DNSFW_ESCHEMA, "srcids"},
    {"{'query_name':'a.','query_type':'A','srcids':{'instance':1}}", -1, DNSFW_ESCHEMA, "instance"},
    {"{'query_name':'a.','query_type':'A','srcids':{'resolver_endpoint':{}}}", -1, DNSFW_ESCHEMA,
     "resolver_endpoint"},
    /* a mistyped value that is itself malformed is a syntax error */
    {"{'query_name':'a.','query_type':'A','answers':'b.}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':[1,,2],'query_type':'A'}", -1, DNSFW_EPARSE, NULL},
    {"{'query_name':'a.','query_type':'A','srcids':nul}", -1, DNSFW_EPARSE, NULL},
    /* missing fields */
    {"{}", -1, DNSFW_ESCHEMA, "query_name"},
    {"{'query_type':'A'}", -1, DNSFW_ESCHEMA, "query_name"},
    {"{'query_name':'a.'}", -1, DNSFW_ESCHEMA, "query_type"},
    {"{'query_name':null,'query_type':'A'}", -1, DNSFW_ESCHEMA, "query_name"},
    {"{'query_name':'a.','query_type':null}", -1, DNSFW_ESCHEMA, "query_type"},
    {"{'Query_Name':'a.','query_type':'A'}", -1, DNSFW_ESCHEMA, "query_name"},
    {"{'x':{'query_name':'a.'},'query_type':'A'}", -1, DNSFW_ESCHEMA, "query_name"},
    {"{'query_name':'','query_type':'A'}", -1, DNSFW_ESCHEMA, "query_name"},
};

START_TEST(route53_bad)
{
    FOR_ROWS(i, r53_bad)
    {
        struct lp l = lp_new(DNSFW_LOG_ROUTE53, NULL);
        const char *line = r53_bad[i].line;
        size_t len = r53_bad[i].len < 0 ? strlen(line) : (size_t)r53_bad[i].len;
        char *copy = malloc(len + 1);
        memcpy(copy, line, len);
        /* as J(), past NUL bytes too; a line with a real '"' is taken as it is */
        for (size_t k = 0; k < len && !strchr(line, '"'); k++)
            copy[k] = copy[k] == '\'' ? '"' : copy[k];
        dnsfw_log_record r;
        const char *why;
        int rc = lp_parse(&l, copy, len, &r, &why);
        ck_assert_msg(rc == r53_bad[i].status, "%.*s: status %d (%s), expected %d", (int)len, copy,
                      rc, why ? why : "", r53_bad[i].status);
        if (r53_bad[i].why)
            ck_assert_msg(strstr(why, r53_bad[i].why), "%.*s: reason \"%s\" does not say \"%s\"",
                          (int)len, copy, why, r53_bad[i].why);
        free(copy);
        lp_free(&l);
    }
}
END_TEST

/* Deep nesting is refused, without exhausting the stack. */
START_TEST(route53_deep)
{
    static const size_t depths[] = {200, 100000};
    struct lp l = lp_new(DNSFW_LOG_ROUTE53, NULL);
    for (size_t d = 0; d < N_ELEMS(depths); d++) {
        size_t n = depths[d];
        char *line = malloc(2 * n + 64);
        size_t o = (size_t)sprintf(line, "{\"query_name\":\"a.\",\"query_type\":\"A\",\"x\":");
        for (size_t i = 0; i < n; i++)
            line[o++] = i % 2 ? '[' : '{';
        dnsfw_log_record r;
        const char *why;
        ck_assert_int_eq(lp_parse(&l, line, o, &r, &why), DNSFW_EPARSE);
        free(line);
    }
    lp_free(&l);
}
END_TEST

/*
 * Truncated records: every proper prefix of a valid record is rejected, as a syntax error,
 * or as an encoding error when the cut splits a UTF-8 sequence; none may crash or read
 * past its end (each prefix is a heap block of exactly its length).
 */
static const char *const prefix_records[] = {
    NULL, /* 0-2: the AWS samples, read from the data file */
    NULL,
    NULL,
    "{'query_name':'b\xc3\xbc"
    "cher.\xe2\x82\xac.\xf0\x9f\x98\x80.example.','query_type':'A',"
    "'x':[1.5e-3,-0,true,false,null,{'a':[{}]}],'answers':[{'Rdata':'\\u0063.example.',"
    "'Type':'CNAME'},{'Rdata':'d.example.','Type':'DNAME'}],'srcids':{'resolver_endpoint':"
    "'rslvr-in-1'},'version':1.1,'srcport':443,'firewall_rule_action':'ALERT','z':'\\ud83d\\ude00'"
    "}",
};

START_TEST(route53_prefixes)
{
    size_t total = 0, len;
    char *text = NULL;
    char *line;
    if (_i < 3) {
        text = read_data("aws-samples.jsonl", &total);
        const char *l0 = nth_line(text, _i, &len);
        line = strndup(l0, len);
    } else {
        line = strdup(J(prefix_records[_i]));
        len = strlen(line);
    }
    struct lp l = lp_new(DNSFW_LOG_ROUTE53, NULL);
    dnsfw_log_record r;
    const char *why;
    ck_assert_int_eq(lp_parse(&l, line, len, &r, &why), DNSFW_OK);
    for (size_t cut = 0; cut < len; cut++) {
        int rc = lp_parse(&l, line, cut, &r, &why);
        /* inside a multi-byte sequence: the next byte is a continuation byte */
        bool split = ((unsigned char)line[cut] & 0xC0) == 0x80;
        ck_assert_msg(rc == (split ? DNSFW_EENCODING : DNSFW_EPARSE),
                      "record %d cut at %zu/%zu: status %d (%s)", _i, cut, len, rc, why ? why : "");
    }
    /* and every prefix closed with a '}': a record only where the cut ends a member (or
     * shortens a number) */
    for (size_t cut = 1; cut + 1 < len; cut++) {
        char *buf = malloc(cut + 1);
        memcpy(buf, line, cut);
        buf[cut] = '}';
        int rc = lp_parse(&l, buf, cut + 1, &r, &why);
        ck_assert_msg(rc == DNSFW_EPARSE || rc == DNSFW_ESCHEMA || rc == DNSFW_EENCODING ||
                          (rc == DNSFW_OK && line[cut] && strchr(",0123456789.eE+-", line[cut])),
                      "record %d cut at %zu + '}': status %d", _i, cut, rc);
        free(buf);
    }
    lp_free(&l);
    free(line);
    free(text);
}
END_TEST

/* --- text formats ------------------------------------------------------------------------ */

static const struct {
    dnsfw_log_format format;
    const char *line;
    int status;
    const char *qname, *qtype, *qclass, *client, *time;
} text_cases[] = {
#define Q(f, line, qn, qt, qc, cl, ts)                                                             \
    {                                                                                              \
        f, line, DNSFW_OK, qn, qt, qc, cl, ts                                                      \
    }
#define X(f, line, status)                                                                         \
    {                                                                                              \
        f, line, status, NULL, NULL, NULL, NULL, NULL                                              \
    }
    /* dnsmasq: log-facility file, syslog with a host, single-digit day, no time */
    Q(DNSFW_LOG_DNSMASQ, "Nov 28 10:00:00 dnsmasq[812]: query[AAAA] example.com from 192.0.2.7",
      "example.com", "AAAA", NULL, "192.0.2.7", "Nov 28 10:00:00"),
    Q(DNSFW_LOG_DNSMASQ, "Nov 28 10:00:00 gw dnsmasq[812]: query[A] www.example.com from 192.0.2.7",
      "www.example.com", "A", NULL, "192.0.2.7", "Nov 28 10:00:00"),
    Q(DNSFW_LOG_DNSMASQ, "Nov  1 09:05:03 dnsmasq[1]: query[HTTPS] a.example from fe80::1",
      "a.example", "HTTPS", NULL, "fe80::1", "Nov  1 09:05:03"),
    Q(DNSFW_LOG_DNSMASQ, "dnsmasq[812]: query[TXT] _dmarc.example.org from 10.0.0.1",
      "_dmarc.example.org", "TXT", NULL, "10.0.0.1", NULL),
    Q(DNSFW_LOG_DNSMASQ, "Nov 28 10:00:00 dnsmasq[812]: query[A] example.com from 192.0.2.7 \r",
      "example.com", "A", NULL, "192.0.2.7", "Nov 28 10:00:00"),
    /* log-queries=extra: serial, client address/port before the message */
    Q(DNSFW_LOG_DNSMASQ,
      "Nov 28 10:00:00 dnsmasq[812]: 17 192.0.2.7/41253 query[A] example.com from 192.0.2.7",
      "example.com", "A", NULL, "192.0.2.7", "Nov 28 10:00:00"),
    Q(DNSFW_LOG_DNSMASQ,
      "Nov 28 10:00:00 gw dnsmasq[812]: 1234 2001:db8::7/5353 query[MX] mx.example from "
      "2001:db8::7",
      "mx.example", "MX", NULL, "2001:db8::7", "Nov 28 10:00:00"),
    /* dnsmasq lines that record no query */
    X(DNSFW_LOG_DNSMASQ, "Nov 28 10:00:00 dnsmasq[812]: forwarded example.com to 8.8.8.8",
      DNSFW_ENOTQUERY),
    X(DNSFW_LOG_DNSMASQ, "Nov 28 10:00:00 dnsmasq[812]: reply example.com is 93.184.216.34",
      DNSFW_ENOTQUERY),
    X(DNSFW_LOG_DNSMASQ, "Nov 28 10:00:00 dnsmasq[812]: reply www.example.com is <CNAME>",
      DNSFW_ENOTQUERY),
    X(DNSFW_LOG_DNSMASQ, "Nov 28 10:00:00 dnsmasq[812]: cached example.com is 93.184.216.34",
      DNSFW_ENOTQUERY),
    X(DNSFW_LOG_DNSMASQ, "Nov 28 10:00:00 dnsmasq[812]: config localhost is 127.0.0.1",
      DNSFW_ENOTQUERY),
    X(DNSFW_LOG_DNSMASQ, "Nov 28 10:00:00 dnsmasq[812]: /etc/hosts router.lan is 10.0.0.1",
      DNSFW_ENOTQUERY),
    X(DNSFW_LOG_DNSMASQ, "Nov 28 10:00:00 dnsmasq[812]: dnssec-query[DS] example.com to 8.8.8.8",
      DNSFW_ENOTQUERY),
    X(DNSFW_LOG_DNSMASQ,
      "Nov 28 10:00:00 dnsmasq[812]: 17 192.0.2.7/41253 reply example.com is 93.184.216.34",
      DNSFW_ENOTQUERY),
    X(DNSFW_LOG_DNSMASQ, "Nov 28 10:00:00 dnsmasq[812]: started, version 2.89 cachesize 150",
      DNSFW_ENOTQUERY),
    X(DNSFW_LOG_DNSMASQ,
      "Nov 28 10:00:00 dnsmasq-dhcp[812]: DHCPACK(eth0) 192.0.2.7 02:00:00:00:00:01 laptop",
      DNSFW_ENOTQUERY),
    /* not dnsmasq */
    X(DNSFW_LOG_DNSMASQ, "", DNSFW_EPARSE),
    X(DNSFW_LOG_DNSMASQ, "garbage", DNSFW_EPARSE),
    /* another program's message in a syslog file records no query */
    X(DNSFW_LOG_DNSMASQ, "Nov 28 10:00:00 sshd[99]: Accepted publickey for root", DNSFW_ENOTQUERY),
    X(DNSFW_LOG_DNSMASQ, "Nov 31 10:00:00 dnsmasq[1]: query[A] example.com from 192.0.2.7",
      DNSFW_EPARSE), /* no 31st of November: a bad stamp */
    /* a bare message (journalctl -o cat), a tag without a pid */
    Q(DNSFW_LOG_DNSMASQ, "query[A] example.com from 192.0.2.7", "example.com", "A", NULL,
      "192.0.2.7", NULL),
    Q(DNSFW_LOG_DNSMASQ, "Nov 28 10:00:00 dnsmasq: query[A] example.com from 192.0.2.7",
      "example.com", "A", NULL, "192.0.2.7", "Nov 28 10:00:00"),
    X(DNSFW_LOG_DNSMASQ, "Nov 28 10:00:00 dnsmasq[812]: query[A] \xff.example from 192.0.2.7",
      DNSFW_EENCODING),
    X(DNSFW_LOG_DNSMASQ, "Nov 28 10:00:00 dnsmasq[812]: query[A] \xc3.example from 192.0.2.7",
      DNSFW_EENCODING),

    /* BIND 9: print-time + print-category + print-severity, bare, views, IPv6 */
    Q(DNSFW_LOG_BIND,
      "28-Nov-2026 10:00:00.123 queries: info: client @0x7f1c2c0 192.0.2.7#41253 (example.com): "
      "query: example.com IN A +E(0)K (192.0.2.53)",
      "example.com", "A", "IN", "192.0.2.7", "28-Nov-2026 10:00:00.123"),
    Q(DNSFW_LOG_BIND,
      "client @0x7f1c2c0 192.0.2.7#41253 (www.example.com): query: www.example.com IN AAAA + "
      "(192.0.2.53)",
      "www.example.com", "AAAA", "IN", "192.0.2.7", NULL),
    Q(DNSFW_LOG_BIND,
      "client 192.0.2.7#41253 (example.com): view internal: query: example.com IN TXT -E(0) "
      "(192.0.2.53)",
      "example.com", "TXT", "IN", "192.0.2.7", NULL),
    Q(DNSFW_LOG_BIND,
      "28-Nov-2026 10:00:00.123 client @0x7f1c2c0 2001:db8::7#5353 (x.example): view external: "
      "query: x.example CH TXT +ED (2001:db8::53)",
      "x.example", "TXT", "CH", "2001:db8::7", "28-Nov-2026 10:00:00.123"),
    Q(DNSFW_LOG_BIND,
      "28-Nov-2026 10:00:00.123 queries: client @0x7f1c2c0 192.0.2.7#1 (Example.COM): query: "
      "Example.COM IN TYPE65 -",
      "Example.COM", "TYPE65", "IN", "192.0.2.7", "28-Nov-2026 10:00:00.123"),
    /* BIND lines that record no query */
    X(DNSFW_LOG_BIND,
      "28-Nov-2026 10:00:00.123 queries: info: client @0x7f1c2c0 192.0.2.7#41253 (example.com): "
      "query (cache) 'example.com/A/IN' denied",
      DNSFW_ENOTQUERY),
    X(DNSFW_LOG_BIND, "client @0x7f1c2c0 192.0.2.7#41253: received notify for zone 'example.com'",
      DNSFW_ENOTQUERY),
    X(DNSFW_LOG_BIND, "", DNSFW_EPARSE),
    X(DNSFW_LOG_BIND, "named[123]: starting BIND 9.18.19", DNSFW_ENOTQUERY),
    X(DNSFW_LOG_BIND, "starting BIND 9.18.19", DNSFW_EPARSE),
    X(DNSFW_LOG_BIND, "Nov 28 10:00:00 dnsmasq[812]: query[A] example.com from 192.0.2.7",
      DNSFW_ENOTQUERY),
    X(DNSFW_LOG_BIND,
      "client @0x7f1c2c0 192.0.2.7#41253 (ex\xe2\x82): query: ex\xe2\x82 IN A + (192.0.2.53)",
      DNSFW_EENCODING),

    /* unbound 1.17.1 (real lines: tests/data/logs/unbound-*.log) */
    Q(DNSFW_LOG_UNBOUND, "[1795863951] unbound[26734:0] info: 127.0.0.1 example.com. A IN",
      "example.com.", "A", "IN", "127.0.0.1", "1795863951"),
    Q(DNSFW_LOG_UNBOUND, "Nov 28 11:06:01 unbound[27014:0] info: 127.0.0.1 example.com. A IN",
      "example.com.", "A", "IN", "127.0.0.1", "Nov 28 11:06:01"),
    Q(DNSFW_LOG_UNBOUND, "Nov 28 11:06:01 ns unbound[27014:0] info: ::1 www.example.com. AAAA IN",
      "www.example.com.", "AAAA", "IN", "::1", "Nov 28 11:06:01"),
    Q(DNSFW_LOG_UNBOUND, "unbound[1:0] info: 2001:db8::1 Example.COM. MX IN", "Example.COM.", "MX",
      "IN", "2001:db8::1", NULL),
    /* log-tag-queryreply: yes */
    Q(DNSFW_LOG_UNBOUND, "[1795863953] unbound[26792:0] query: 127.0.0.1 example.com. A IN",
      "example.com.", "A", "IN", "127.0.0.1", "1795863953"),
    /* unbound lines that record no query: log-replies (tagged or not), notices */
    X(DNSFW_LOG_UNBOUND,
      "[1795863951] unbound[26734:0] info: 127.0.0.1 example.com. A IN NOERROR 0.000000 1 56",
      DNSFW_ENOTQUERY),
    X(DNSFW_LOG_UNBOUND,
      "[1795863953] unbound[26792:0] reply: 127.0.0.1 example.com. A IN NOERROR 0.000000 1 56",
      DNSFW_ENOTQUERY),
    X(DNSFW_LOG_UNBOUND, "[1795863950] unbound[26734:0] info: start of service (unbound 1.17.1).",
      DNSFW_ENOTQUERY),
    X(DNSFW_LOG_UNBOUND, "Nov 28 11:06:02 unbound[27014:0] notice: init module 0: validator",
      DNSFW_ENOTQUERY),
    X(DNSFW_LOG_UNBOUND, "", DNSFW_EPARSE),
    X(DNSFW_LOG_UNBOUND, "garbage", DNSFW_EPARSE),
    X(DNSFW_LOG_UNBOUND, "[1795863951] named[1]: 127.0.0.1 example.com. A IN", DNSFW_ENOTQUERY),
    X(DNSFW_LOG_UNBOUND, "[1795863951] unbound[26734:0] info: 127.0.0.1 \x80. A IN",
      DNSFW_EENCODING),
    X(DNSFW_LOG_UNBOUND, "[1795863951] unbound[26734:0] info: 127.0.0.1 \xed\xbf\xbf. A IN",
      DNSFW_EENCODING),
#undef Q
#undef X
};

START_TEST(text_format)
{
    FOR_ROWS(i, text_cases)
    {
        struct lp l = lp_new(text_cases[i].format, NULL);
        const char *line = text_cases[i].line;
        dnsfw_log_record r;
        const char *why;
        int rc = lp_parse(&l, line, strlen(line), &r, &why);
        ck_assert_msg(rc == text_cases[i].status, "%s: status %d (%s), expected %d", line, rc,
                      why ? why : "", text_cases[i].status);
        if (rc == DNSFW_OK) {
            const char *want[N_FIELDS] = {
                [QN] = text_cases[i].qname,  [QT] = text_cases[i].qtype,
                [QC] = text_cases[i].qclass, [CL] = text_cases[i].client,
                [TS] = text_cases[i].time,
            };
            check_record(&r, want, NULL, 0, line);
            /* text formats never decode: every text points into the line */
            for (int f = 0; f < N_FIELDS; f++) {
                dnsfw_text t = field(&r, (enum field)f);
                if (t.ptr)
                    ck_assert(t.ptr >= l.copy && t.ptr + t.len <= l.copy + strlen(line));
            }
        }
        lp_free(&l);
    }
}
END_TEST

/* A NUL byte is no text: every text format refuses it. */
START_TEST(text_nul)
{
    static const char line[] = "Nov 28 10:00:00 dnsmasq[812]: query[A] a\0b.example from 10.0.0.1";
    for (dnsfw_log_format f = DNSFW_LOG_DNSMASQ; f <= DNSFW_LOG_UNBOUND; f++) {
        struct lp l = lp_new(f, NULL);
        dnsfw_log_record r;
        const char *why;
        ck_assert_int_eq(lp_parse(&l, line, sizeof line - 1, &r, &why), DNSFW_EENCODING);
        ck_assert_ptr_nonnull(strstr(why, "NUL"));
        lp_free(&l);
    }
    struct lp l = lp_new(DNSFW_LOG_CUSTOM, "(?<qname>[^ ]+)");
    dnsfw_log_record r;
    ck_assert_int_eq(lp_parse(&l, "a\0b", 3, &r, NULL), DNSFW_EENCODING);
    lp_free(&l);
}
END_TEST

/* The committed text logs parse line by line to the counts their comments state. */
static const struct {
    dnsfw_log_format format;
    const char *file;
    int ok, not_query, bad;
} text_files[] = {
    {DNSFW_LOG_UNBOUND, "unbound.log", 5, 7, 0},
    {DNSFW_LOG_UNBOUND, "unbound-tagged.log", 5, 7, 0},
    {DNSFW_LOG_UNBOUND, "unbound-ascii.log", 2, 4, 0},
};

START_TEST(text_file)
{
    size_t total;
    char *text = read_data(text_files[_i].file, &total);
    struct lp l = lp_new(text_files[_i].format, NULL);
    int ok = 0, nq = 0, bad = 0;
    for (char *p = text, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        ck_assert_ptr_nonnull(nl);
        dnsfw_log_record r;
        int rc = lp_parse(&l, p, (size_t)(nl - p), &r, NULL);
        ok += rc == DNSFW_OK;
        nq += rc == DNSFW_ENOTQUERY;
        bad += rc != DNSFW_OK && rc != DNSFW_ENOTQUERY;
    }
    ck_assert_int_eq(ok, text_files[_i].ok);
    ck_assert_int_eq(nq, text_files[_i].not_query);
    ck_assert_int_eq(bad, text_files[_i].bad);
    lp_free(&l);
    free(text);
}
END_TEST

/* --- custom patterns ------------------------------------------------------------------------ */

static const struct {
    const char *pattern;
    const char *line;
    int status;
    const char *qname, *qtype, *client, *time;
} custom_cases[] = {
    {"^(?<time>\\S+) (?<client>\\S+) (?<qname>\\S+) (?<qtype>\\S+)$",
     "2026-11-28T10:00:00Z 10.0.0.1 example.com AAAA", DNSFW_OK, "example.com", "AAAA", "10.0.0.1",
     "2026-11-28T10:00:00Z"},
    /* named groups in another order, and only some of them */
    {"^(?<qtype>[A-Z]+)\\|(?<qname>[^|]+)\\|(?<client>[^|]*)$", "MX|mail.example.|192.0.2.1",
     DNSFW_OK, "mail.example.", "MX", "192.0.2.1", NULL},
    {"^Q (?<qname>\\S+)$", "Q example.com", DNSFW_OK, "example.com", NULL, NULL, NULL},
    /* an optional group that did not take part is absent, an empty one is empty */
    {"^Q (?<qname>\\S+)(?: (?<qtype>\\S+))?$", "Q example.com", DNSFW_OK, "example.com", NULL, NULL,
     NULL},
    {"^Q (?<qname>\\S+) (?<client>\\S*)$", "Q example.com ", DNSFW_OK, "example.com", NULL, "",
     NULL},
    /* the pattern is unanchored unless it says so */
    {"name=(?<qname>[^ ]+)", "level=info name=a.example. took=3ms", DNSFW_OK, "a.example.", NULL,
     NULL, NULL},
    /* UTF-8 in the pattern and the line */
    {"^\xc3\xbc (?<qname>\\S+)$",
     "\xc3\xbc b\xc3\xbc"
     "cher.example",
     DNSFW_OK,
     "b\xc3\xbc"
     "cher.example",
     NULL, NULL, NULL},
    /* lines the pattern does not match are malformed (a custom format has no other lines) */
    {"^Q (?<qname>\\S+)$", "X example.com", DNSFW_EPARSE, NULL, NULL, NULL, NULL},
    {"^Q (?<qname>\\S+)$", "", DNSFW_EPARSE, NULL, NULL, NULL, NULL},
    /* a match without a qname */
    {"^Q (?<qname>\\S*)$", "Q ", DNSFW_ESCHEMA, NULL, NULL, NULL, NULL},
    {"^(?:Q (?<qname>\\S+)|N)$", "N", DNSFW_ESCHEMA, NULL, NULL, NULL, NULL},
    /* invalid UTF-8 */
    {"^Q (?<qname>\\S+)$", "Q \xc3\x28.example", DNSFW_EENCODING, NULL, NULL, NULL, NULL},
    {"^Q (?<qname>\\S+)$", "Q \xf8\x88\x80\x80\x80", DNSFW_EENCODING, NULL, NULL, NULL, NULL},
};

START_TEST(custom)
{
    FOR_ROWS(i, custom_cases)
    {
        struct lp l = lp_new(DNSFW_LOG_CUSTOM, custom_cases[i].pattern);
        const char *line = custom_cases[i].line;
        dnsfw_log_record r;
        const char *why;
        int rc = lp_parse(&l, line, strlen(line), &r, &why);
        ck_assert_msg(rc == custom_cases[i].status, "%s: status %d (%s), expected %d", line, rc,
                      why ? why : "", custom_cases[i].status);
        if (rc == DNSFW_OK) {
            const char *want[N_FIELDS] = {[QN] = custom_cases[i].qname,
                                          [QT] = custom_cases[i].qtype,
                                          [CL] = custom_cases[i].client,
                                          [TS] = custom_cases[i].time};
            check_record(&r, want, NULL, 0, line);
        }
        lp_free(&l);
    }
}
END_TEST

/* Patterns that cannot be used: the status, and the column of a syntax error. */
static const struct {
    const char *pattern;
    int status;
    uint32_t column; /* 0: not checked */
} bad_patterns[] = {
    {"abc)(?<qname>x)", DNSFW_EPARSE, 4},   /* unmatched ')' at offset 3 */
    {"(?<qname>x", DNSFW_EPARSE, 11},       /* missing ')' at the end */
    {"(?<qname>[a-)", DNSFW_EPARSE, 0},     /* missing ']' */
    {"(?<qname>x{2,1})", DNSFW_EPARSE, 0},  /* numbers out of order */
    {"(?<qname>\\S+)\\", DNSFW_EPARSE, 15}, /* '\' at the end */
    {"(?<q name>x)", DNSFW_EPARSE, 0},
    {"", DNSFW_ESCHEMA, 0},
    {"^(?<name>\\S+)$", DNSFW_ESCHEMA, 0},
    {"^(?<QNAME>\\S+)$", DNSFW_ESCHEMA, 0}, /* group names are case-sensitive */
    {"^(\\S+) (?<qtype>\\S+)$", DNSFW_ESCHEMA, 0},
};

START_TEST(custom_bad_pattern)
{
    FOR_ROWS(i, bad_patterns)
    {
        dnsfw_logparser *p = (dnsfw_logparser *)&p; /* must be reset to NULL */
        dnsfw_error err;
        int rc = dnsfw_logparser_new(&p, DNSFW_LOG_CUSTOM, bad_patterns[i].pattern, &err);
        ck_assert_msg(rc == bad_patterns[i].status, "%s: status %d, expected %d",
                      bad_patterns[i].pattern, rc, bad_patterns[i].status);
        ck_assert_ptr_null(p);
        ck_assert_int_eq(err.status, rc);
        ck_assert_msg(err.message[0], "no message");
        if (rc == DNSFW_EPARSE) {
            ck_assert_ptr_nonnull(strstr(err.message, "pattern"));
            ck_assert_uint_ge(err.column, 1);
            ck_assert_uint_le(err.column, strlen(bad_patterns[i].pattern) + 1);
        } else {
            ck_assert_ptr_nonnull(strstr(err.message, "qname"));
        }
        if (bad_patterns[i].column)
            ck_assert_uint_eq(err.column, bad_patterns[i].column);
        /* without an error struct too */
        ck_assert_int_eq(dnsfw_logparser_new(&p, DNSFW_LOG_CUSTOM, bad_patterns[i].pattern, NULL),
                         rc);
    }
}
END_TEST

/* --- DNSFW_LOG_AUTO: each line shape recognised on its own -------------------------------- */

static const struct {
    const char *line;
    int status;
    const char *qname, *time;
} auto_cases[] = {
    /* a Route 53 record */
    {"{\"query_name\":\"a.example.\",\"query_type\":\"A\"}", DNSFW_OK, "a.example.", NULL},
    /* a CloudWatch export line: the stamp, then the record */
    {"2026-11-27T10:00:01.000Z {\"query_name\":\"b.example.\",\"query_type\":\"A\"}", DNSFW_OK,
     "b.example.", NULL},
    /* an EventBridge event, kebab-case detail */
    {"{\"version\":\"0\",\"detail-type\":\"DNS Firewall Block\",\"source\":"
     "\"aws.route53resolver\",\"time\":\"2026-11-27T10:00:02Z\",\"detail\":{\"query-name\":"
     "\"c.example.\",\"query-type\":\"A\",\"last-observed-at\":\"2026-11-27T10:00:03Z\"}}",
     DNSFW_OK, "c.example.", "2026-11-27T10:00:03Z"},
    /* another service's event, and one without its detail */
    {"{\"detail-type\":\"EC2 Instance State-change Notification\",\"source\":\"aws.ec2\","
     "\"detail\":{}}",
     DNSFW_ENOTQUERY, NULL, NULL},
    {"{\"detail-type\":\"DNS Firewall Alert\",\"source\":\"aws.route53resolver\","
     "\"detail\":{\"query-type\":\"A\"}}",
     DNSFW_ESCHEMA, NULL, NULL},
    /* a CloudWatch event on a line (jq -c '.events[]'): its message is the record */
    {"{\"timestamp\":1795795200000,\"message\":\"{\\\"query_name\\\":\\\"d.example.\\\","
     "\\\"query_type\\\":\\\"A\\\"}\"}",
     DNSFW_OK, "d.example.", NULL},
    {"{\"timestamp\":1,\"message\":\"CWL CONTROL MESSAGE: Checking health\"}", DNSFW_ENOTQUERY,
     NULL, NULL},
    /* syslog in its forms */
    {"<30>Nov 27 10:00:00 gw dnsmasq[1]: query[A] e.example from 10.0.0.1", DNSFW_OK, "e.example",
     "Nov 27 10:00:00"},
    {"<30>1 2026-11-27T10:00:00Z gw dnsmasq 1 - - query[A] f.example from 10.0.0.1", DNSFW_OK,
     "f.example", "2026-11-27T10:00:00Z"},
    {"2026-11-27T10:00:00+0000 ns named[2]: client 10.0.0.1#53: query: g.example IN A +", DNSFW_OK,
     "g.example", "2026-11-27T10:00:00+0000"},
    {"Nov 27 10:00:00 ns unbound: [7:0] info: 10.0.0.1 h.example. A IN", DNSFW_OK, "h.example.",
     "Nov 27 10:00:00"},
    {"Nov 27 10:00:00 ns CRON[9]: (root) CMD (true)", DNSFW_ENOTQUERY, NULL, NULL},
    {"Nov 27 10:00:00 ns named[2]: zone example/IN: loaded serial 1", DNSFW_ENOTQUERY, NULL, NULL},
    {"Feb 30 10:00:00 gw dnsmasq[1]: query[A] i.example from 10.0.0.1", DNSFW_EPARSE, NULL, NULL},
    {"Nov 27 24:00:00 gw dnsmasq[1]: query[A] i.example from 10.0.0.1", DNSFW_EPARSE, NULL, NULL},
    {"2026-02-29T10:00:00Z gw dnsmasq[1]: query[A] i.example from 10.0.0.1", DNSFW_EPARSE, NULL,
     NULL},
    {"just some words", DNSFW_EPARSE, NULL, NULL},
};

START_TEST(auto_lines)
{
    FOR_ROWS(i, auto_cases)
    {
        struct lp l = lp_new(DNSFW_LOG_AUTO, NULL);
        const char *line = auto_cases[i].line, *why = NULL;
        dnsfw_log_record r;
        int rc = lp_parse(&l, line, strlen(line), &r, &why);
        ck_assert_msg(rc == auto_cases[i].status, "%s: status %d (%s), expected %d", line, rc,
                      why ? why : "", auto_cases[i].status);
        if (rc == DNSFW_OK) {
            ck_assert_msg(r.query_name.len == strlen(auto_cases[i].qname) &&
                              !memcmp(r.query_name.ptr, auto_cases[i].qname, r.query_name.len),
                          "%s: name %.*s", line, (int)r.query_name.len, r.query_name.ptr);
            if (auto_cases[i].time)
                ck_assert_msg(r.timestamp.len == strlen(auto_cases[i].time) &&
                                  !memcmp(r.timestamp.ptr, auto_cases[i].time, r.timestamp.len),
                              "%s: time %.*s", line, (int)r.timestamp.len, r.timestamp.ptr);
        }
        if (rc < 0 && rc != DNSFW_ENOTQUERY)
            ck_assert_msg(why && *why, "%s: no reason", line);
        lp_free(&l);
    }
}
END_TEST

/* dnsfw_time_parse(): RFC 3339 and dates, to milliseconds since 1970 UTC. */
START_TEST(time_parse)
{
    static const struct {
        const char *text;
        int status;
        int64_t ms;
    } rows[] = {
        {"1970-01-01T00:00:00Z", DNSFW_OK, 0},
        {"2021-02-04T17:51:55Z", DNSFW_OK, 1612461115000},
        {"2017-03-16T19:20:25.177Z", DNSFW_OK, 1489692025177},
        {"2026-11-27T12:45:10.250+01:00", DNSFW_OK, 1795779910250}, /* 11:45:10.250Z */
        {"2026-11-27T12:45:10-0130", DNSFW_OK, 1795788910000},      /* 14:15:10Z */
        {"2026-11-27", DNSFW_OK, 1795737600000},
        {"2024-02-29T00:00:00Z", DNSFW_OK, 1709164800000},
        {"2026-02-29T00:00:00Z", DNSFW_EPARSE, 0},
        {"2026-11-27T10:00:00", DNSFW_EPARSE, 0}, /* no zone */
        {"2026-11-27T25:00:00Z", DNSFW_EPARSE, 0},
        {"2026-13-01", DNSFW_EPARSE, 0},
        {"2026-11-27Z", DNSFW_EPARSE, 0},
        {"yesterday", DNSFW_EPARSE, 0},
        {"", DNSFW_EPARSE, 0},
    };
    FOR_ROWS(i, rows)
    {
        int64_t ms = -1;
        int rc = dnsfw_time_parse(rows[i].text, strlen(rows[i].text), &ms);
        ck_assert_msg(rc == rows[i].status, "%s: status %d", rows[i].text, rc);
        if (rc == DNSFW_OK)
            ck_assert_msg(ms == rows[i].ms, "%s: %lld, expected %lld", rows[i].text, (long long)ms,
                          (long long)rows[i].ms);
    }
}
END_TEST

/* --- the API's argument checks ----------------------------------------------------------- */

START_TEST(api_arguments)
{
    dnsfw_logparser *p = NULL;
    dnsfw_error err;
    ck_assert_int_eq(dnsfw_logparser_new(NULL, DNSFW_LOG_ROUTE53, NULL, &err), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_logparser_new(&p, (dnsfw_log_format)9, NULL, &err), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_logparser_new(&p, (dnsfw_log_format)-1, NULL, &err), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_logparser_new(&p, DNSFW_LOG_ROUTE53, "(?<qname>x)", &err), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_logparser_new(&p, DNSFW_LOG_DNSMASQ, "(?<qname>x)", &err), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_logparser_new(&p, DNSFW_LOG_CUSTOM, NULL, &err), DNSFW_EINVAL);
    ck_assert_ptr_null(p);
    dnsfw_logscratch *s = NULL;
    ck_assert_int_eq(dnsfw_logscratch_new(NULL, &s), DNSFW_EINVAL);
    dnsfw_logparser_free(NULL);
    dnsfw_logscratch_free(NULL);

    struct lp r53 = lp_new(DNSFW_LOG_ROUTE53, NULL);
    struct lp dm = lp_new(DNSFW_LOG_DNSMASQ, NULL);
    ck_assert_int_eq(dnsfw_logscratch_new(r53.parser, NULL), DNSFW_EINVAL);
    dnsfw_log_record r;
    const char *why = NULL;
    const char *line = J("{'query_name':'a.','query_type':'A'}");
    size_t len = strlen(line);
    ck_assert_int_eq(dnsfw_log_parse(NULL, r53.scratch, line, len, &r, &why), DNSFW_EINVAL);
    ck_assert_ptr_nonnull(why);
    ck_assert_int_eq(dnsfw_log_parse(r53.parser, NULL, line, len, &r, &why), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_log_parse(r53.parser, r53.scratch, line, len, NULL, &why), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_log_parse(r53.parser, r53.scratch, NULL, 3, &r, &why), DNSFW_EINVAL);
    /* NULL with length 0 is the empty line */
    ck_assert_int_eq(dnsfw_log_parse(r53.parser, r53.scratch, NULL, 0, &r, &why), DNSFW_EPARSE);
    ck_assert_int_eq(dnsfw_log_parse(dm.parser, dm.scratch, NULL, 0, &r, &why), DNSFW_EPARSE);
    /* reason may be NULL */
    ck_assert_int_eq(dnsfw_log_parse(r53.parser, r53.scratch, line, len, &r, NULL), DNSFW_OK);
    ck_assert_int_eq(dnsfw_log_parse(r53.parser, r53.scratch, "{", 1, &r, NULL), DNSFW_EPARSE);
    /* a Route 53 scratch has no match data for a text format; the other way round works */
    ck_assert_int_eq(dnsfw_log_parse(dm.parser, r53.scratch, "x", 1, &r, &why), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_log_parse(r53.parser, dm.scratch, line, len, &r, &why), DNSFW_OK);
    lp_free(&r53);
    lp_free(&dm);
}
END_TEST

/* One parser, one scratch per thread: a scratch serves any parser of its format. */
START_TEST(shared_parser)
{
    struct lp a = lp_new(DNSFW_LOG_BIND, NULL);
    dnsfw_logscratch *s2;
    ck_assert_int_eq(dnsfw_logscratch_new(a.parser, &s2), DNSFW_OK);
    const char *l1 = "client 192.0.2.7#1 (a.example): query: a.example IN A +";
    const char *l2 = "client 192.0.2.8#1 (b.example): query: b.example IN AAAA +";
    dnsfw_log_record r1, r2;
    ck_assert_int_eq(dnsfw_log_parse(a.parser, a.scratch, l1, strlen(l1), &r1, NULL), DNSFW_OK);
    ck_assert_int_eq(dnsfw_log_parse(a.parser, s2, l2, strlen(l2), &r2, NULL), DNSFW_OK);
    ck_assert(text_eq(r1.query_name, "a.example") && text_eq(r1.client, "192.0.2.7"));
    ck_assert(text_eq(r2.query_name, "b.example") && text_eq(r2.query_type, "AAAA"));
    dnsfw_logscratch_free(s2);
    lp_free(&a);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("logparse");
    TCase *tc = tcase_create("route53");
    tcase_add_loop_test(tc, aws_sample, 0, (int)N_ELEMS(aws_samples));
    tcase_add_loop_test(tc, l_case, 0, N_CHUNKS(l_cases));
    tcase_add_loop_test(tc, key_order, 0, (int)N_ELEMS(aws_samples));
    tcase_add_loop_test(tc, route53_ok, 0, N_CHUNKS(r53_ok));
    tcase_add_test(tc, route53_in_place);
    tcase_add_test(tc, route53_scratch_reuse);
    tcase_add_test(tc, route53_chain_max);
    tcase_add_test(tc, route53_addresses);
    tcase_add_loop_test(tc, route53_bad, 0, N_CHUNKS(r53_bad));
    tcase_add_test(tc, route53_deep);
    tcase_add_loop_test(tc, route53_prefixes, 0, (int)N_ELEMS(prefix_records));
    tcase_set_timeout(tc, 60); /* the prefix loops are slow under valgrind */
    suite_add_tcase(s, tc);
    tc = tcase_create("text");
    tcase_add_loop_test(tc, text_format, 0, N_CHUNKS(text_cases));
    tcase_add_test(tc, text_nul);
    tcase_add_loop_test(tc, text_file, 0, (int)N_ELEMS(text_files));
    tcase_add_loop_test(tc, custom, 0, N_CHUNKS(custom_cases));
    tcase_add_loop_test(tc, custom_bad_pattern, 0, N_CHUNKS(bad_patterns));
    suite_add_tcase(s, tc);
    tc = tcase_create("auto");
    tcase_add_test(tc, auto_lines);
    tcase_add_test(tc, time_parse);
    suite_add_tcase(s, tc);
    tc = tcase_create("api");
    tcase_add_test(tc, api_arguments);
    tcase_add_test(tc, shared_parser);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
