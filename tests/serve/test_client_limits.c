/*
 * dnsfw-serve's per-client accounting (tools/serve/client_limits.c) and allow-list
 * (tools/serve/acl.c): table-driven cases, and the accounting checked against a naive
 * model (a plain array of every client ever seen) on random operations.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "client_limits.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static struct sockaddr_storage addr(const char *text)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
    } else {
        ck_assert_int_eq(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
        s6->sin6_family = AF_INET6;
    }
    return ss;
}

#define SA(ss) ((const struct sockaddr *)&(ss))

static struct client_limits *limits(unsigned rate, unsigned slip, unsigned inflight, unsigned conns,
                                    unsigned p4, unsigned p6, unsigned cap)
{
    struct client_limits_config c = {.rate = rate,
                                     .slip = slip,
                                     .max_inflight = inflight,
                                     .max_conns = conns,
                                     .prefix4 = p4,
                                     .prefix6 = p6,
                                     .capacity = cap};
    struct client_limits *cl = NULL;
    ck_assert_int_eq(climits_new(&c, &cl), 0);
    return cl;
}

/* --- table-driven -------------------------------------------------------------------- */

START_TEST(shares)
{
    struct client_limits *cl = limits(0, 0, 2, 1, 32, 64, 100);
    struct sockaddr_storage a = addr("192.0.2.1"), b = addr("192.0.2.2");
    uint32_t h1 = climits_acquire(cl, SA(a), CLIMITS_INFLIGHT, false);
    uint32_t h2 = climits_acquire(cl, SA(a), CLIMITS_INFLIGHT, false);
    ck_assert_uint_ne(h1, CLIMITS_NONE);
    ck_assert_uint_eq(h1, h2);
    ck_assert_uint_eq(climits_acquire(cl, SA(a), CLIMITS_INFLIGHT, false), CLIMITS_NONE);
    ck_assert_uint_ne(climits_acquire(cl, SA(b), CLIMITS_INFLIGHT, false), CLIMITS_NONE);
    /* connections are counted apart from slots */
    uint32_t c1 = climits_acquire(cl, SA(a), CLIMITS_CONN, false);
    ck_assert_uint_ne(c1, CLIMITS_NONE);
    ck_assert_uint_eq(climits_acquire(cl, SA(a), CLIMITS_CONN, false), CLIMITS_NONE);
    climits_release(cl, h1, CLIMITS_INFLIGHT);
    ck_assert_uint_eq(climits_acquire(cl, SA(a), CLIMITS_INFLIGHT, false), h1);
    /* with room to spare the share does not apply, but the slot is counted */
    ck_assert_uint_eq(climits_acquire(cl, SA(a), CLIMITS_INFLIGHT, true), h1);
    climits_release(cl, h1, CLIMITS_INFLIGHT);
    ck_assert_uint_eq(climits_acquire(cl, SA(a), CLIMITS_INFLIGHT, false), CLIMITS_NONE);
    climits_release(cl, c1, CLIMITS_CONN);
    ck_assert_uint_eq(climits_acquire(cl, SA(a), CLIMITS_CONN, false), c1);
    climits_release(cl, CLIMITS_NONE, CLIMITS_CONN); /* a no-op */
    climits_free(cl);
}
END_TEST

static const struct {
    const char *a, *b;
    unsigned p4, p6;
    bool same;
} prefix_cases[] = {
    {"10.0.0.1", "10.0.0.200", 24, 64, true},
    {"10.0.0.1", "10.0.1.1", 24, 64, false},
    {"10.0.0.1", "10.0.0.2", 32, 64, false},
    {"10.0.0.1", "10.255.0.2", 8, 64, true},
    {"2001:db8:0:1::1", "2001:db8:0:1:ffff::9", 32, 64, true},
    {"2001:db8:0:1::1", "2001:db8:0:2::1", 32, 64, false},
    {"2001:db8:0:1::1", "2001:db8:0:2::1", 32, 56, true},
    {"2001:db8:0:100::1", "2001:db8:0:1::1", 32, 56, false},
    {"2001:db8::1", "2001:db9::1", 32, 1, true},
    {"0.0.0.1", "::1", 1, 1, false}, /* never the same across families */
};

/* Two addresses are one client when their prefixes are equal: a share of 1 shows it. */
START_TEST(prefixes)
{
    struct client_limits *cl = limits(0, 0, 1, 1, prefix_cases[_i].p4, prefix_cases[_i].p6, 100);
    struct sockaddr_storage a = addr(prefix_cases[_i].a), b = addr(prefix_cases[_i].b);
    ck_assert_uint_ne(climits_acquire(cl, SA(a), CLIMITS_INFLIGHT, false), CLIMITS_NONE);
    bool refused = climits_acquire(cl, SA(b), CLIMITS_INFLIGHT, false) == CLIMITS_NONE;
    ck_assert_msg(refused == prefix_cases[_i].same, "%s and %s", prefix_cases[_i].a,
                  prefix_cases[_i].b);
    climits_free(cl);
}
END_TEST

/* A bucket of one second's queries, refilled at the rate; every slip-th over it is TC. */
START_TEST(rate_and_slip)
{
    struct client_limits *cl = limits(4, 3, 1, 1, 32, 64, 100);
    struct sockaddr_storage a = addr("198.51.100.7");
    static const enum climits_rate want[] = {
        CLIMITS_PASS, CLIMITS_PASS, CLIMITS_PASS, CLIMITS_PASS, /* the bucket */
        CLIMITS_DROP, CLIMITS_DROP, CLIMITS_SLIP, CLIMITS_DROP, CLIMITS_DROP, CLIMITS_SLIP,
    };
    for (size_t i = 0; i < N_ELEMS(want); i++)
        ck_assert_int_eq(climits_rate(cl, SA(a), 1000), want[i]);
    /* 250 ms later one query's worth is back; a second later the whole bucket */
    ck_assert_int_eq(climits_rate(cl, SA(a), 1250), CLIMITS_PASS);
    ck_assert_int_eq(climits_rate(cl, SA(a), 1250), CLIMITS_DROP);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(climits_rate(cl, SA(a), 5000), CLIMITS_PASS);
    ck_assert_int_ne(climits_rate(cl, SA(a), 5000), CLIMITS_PASS);
    climits_free(cl);
    /* rate 0: no limit; slip 0: never TC */
    cl = limits(0, 0, 1, 1, 32, 64, 100);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(climits_rate(cl, SA(a), 1), CLIMITS_PASS);
    climits_free(cl);
    cl = limits(1, 0, 1, 1, 32, 64, 100);
    ck_assert_int_eq(climits_rate(cl, SA(a), 1), CLIMITS_PASS);
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(climits_rate(cl, SA(a), 1), CLIMITS_DROP);
    climits_free(cl);
}
END_TEST

/*
 * A full table forgets idle clients, never one that holds a slot or a connection: with
 * 500 clients pinned, 20,000 others pass through a table of 1,024 entries, and the
 * pinned ones keep their counts.
 */
START_TEST(eviction_keeps_pinned)
{
    struct client_limits *cl = limits(5, 0, 1, 1, 32, 64, 1024);
    char text[32];
    for (unsigned i = 0; i < 500; i++) {
        snprintf(text, sizeof text, "10.1.%u.%u", i / 256, i % 256);
        struct sockaddr_storage a = addr(text);
        ck_assert_uint_ne(climits_acquire(cl, SA(a), CLIMITS_INFLIGHT, false), CLIMITS_NONE);
    }
    for (unsigned i = 0; i < 20000; i++) {
        snprintf(text, sizeof text, "10.2.%u.%u", i / 256, i % 256);
        struct sockaddr_storage a = addr(text);
        ck_assert_int_eq(climits_rate(cl, SA(a), 1), CLIMITS_PASS);
        uint32_t c = climits_acquire(cl, SA(a), CLIMITS_CONN, false);
        uint32_t h = climits_acquire(cl, SA(a), CLIMITS_INFLIGHT, false);
        ck_assert_uint_ne(c, CLIMITS_NONE);
        ck_assert_uint_eq(h, c);
        climits_release(cl, h, CLIMITS_INFLIGHT);
        climits_release(cl, c, CLIMITS_CONN);
    }
    for (unsigned i = 0; i < 500; i++) {
        snprintf(text, sizeof text, "10.1.%u.%u", i / 256, i % 256);
        struct sockaddr_storage a = addr(text);
        ck_assert_msg(climits_acquire(cl, SA(a), CLIMITS_INFLIGHT, false) == CLIMITS_NONE,
                      "%s lost its slot", text);
    }
    climits_free(cl);
}
END_TEST

/* --- the naive model ------------------------------------------------------------------ */

struct model_client {
    struct sockaddr_storage key; /* the address cut to its prefix */
    unsigned inflight, conns, limited;
    int64_t tokens;
    uint64_t refill;
    bool seen;
};

static void cut(struct sockaddr_storage *ss, unsigned p4, unsigned p6)
{
    uint8_t *a = ss->ss_family == AF_INET ? (uint8_t *)&((struct sockaddr_in *)ss)->sin_addr
                                          : ((struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
    unsigned len = ss->ss_family == AF_INET ? 4 : 16, bits = ss->ss_family == AF_INET ? p4 : p6;
    for (unsigned i = 0; i < len; i++) {
        unsigned keep = bits >= 8 * (i + 1) ? 8 : bits > 8 * i ? bits - 8 * i : 0;
        a[i] &= (uint8_t)(keep ? 0xFF << (8 - keep) : 0);
    }
}

/* Random operations on 64 addresses (IPv4 and IPv6, some sharing a prefix), with the
 * table large enough that nobody is forgotten: every answer must be the model's. */
START_TEST(model)
{
    enum { N = 64, OPS = 20000 };
    unsigned rate = 3 + (unsigned)_i % 5, slip = (unsigned)_i % 4, share = 1 + (unsigned)_i % 3;
    unsigned p4 = _i % 2 ? 24 : 32, p6 = _i % 2 ? 48 : 64;
    struct client_limits *cl = limits(rate, slip, share, share, p4, p6, 4096);
    srand(1234 + (unsigned)_i);
    struct sockaddr_storage addrs[N];
    struct model_client m[N];
    memset(m, 0, sizeof m);
    for (int i = 0; i < N; i++) {
        char text[64];
        if (i % 2)
            snprintf(text, sizeof text, "2001:db8:%x:%x::%x", i % 3, i % 5, i);
        else
            snprintf(text, sizeof text, "203.0.%d.%d", i % 3, i);
        addrs[i] = addr(text);
        m[i].key = addrs[i];
        cut(&m[i].key, p4, p6);
    }
    /* model index: the first address with the same key */
    int owner[N];
    for (int i = 0; i < N; i++) {
        owner[i] = i;
        for (int j = 0; j < i; j++)
            if (memcmp(&m[i].key, &m[j].key, sizeof m[i].key) == 0) {
                owner[i] = j;
                break;
            }
    }
    uint32_t handles[N][8];
    unsigned held[N][2];
    memset(held, 0, sizeof held);
    uint64_t now = 1;
    unsigned seen[3] = {0}; /* answers of each kind: the run must have met them all */
    for (int op = 0; op < OPS; op++) {
        int i = rand() % N;
        struct model_client *c = &m[owner[i]];
        now += (uint64_t)(rand() % 3); /* fast enough that clients go over their rate */
        switch (rand() % 3) {
        case 0: { /* a UDP query */
            if (!c->seen) {
                c->seen = true;
                c->tokens = (int64_t)rate * 1000;
                c->refill = now;
            }
            int64_t full = (int64_t)rate * 1000;
            c->tokens += (int64_t)(now - c->refill) * rate;
            if (c->tokens > full)
                c->tokens = full;
            c->refill = now;
            enum climits_rate want;
            if (c->tokens >= 1000) {
                c->tokens -= 1000;
                want = CLIMITS_PASS;
            } else {
                c->limited++;
                want = slip && c->limited % slip == 0 ? CLIMITS_SLIP : CLIMITS_DROP;
            }
            ck_assert_int_eq(climits_rate(cl, SA(addrs[i]), now), want);
            seen[want]++;
            break;
        }
        case 1: { /* take a slot or a connection */
            enum climits_kind k = rand() % 2 ? CLIMITS_CONN : CLIMITS_INFLIGHT;
            unsigned *have = k == CLIMITS_CONN ? &c->conns : &c->inflight;
            if (held[i][k] == 4)
                break;      /* the handles kept for this address */
            if (!c->seen) { /* made by the acquire: a full bucket from time 0 */
                c->seen = true;
                c->tokens = (int64_t)rate * 1000;
                c->refill = 0;
            }
            bool spare = rand() % 4 == 0;
            uint32_t h = climits_acquire(cl, SA(addrs[i]), k, spare);
            ck_assert((h != CLIMITS_NONE) == (spare || *have < share));
            if (h != CLIMITS_NONE) {
                ++*have;
                handles[i][held[i][k] + (k == CLIMITS_CONN ? 4 : 0)] = h;
                held[i][k]++;
            }
            break;
        }
        default: { /* give one back */
            enum climits_kind k = rand() % 2 ? CLIMITS_CONN : CLIMITS_INFLIGHT;
            if (!held[i][k])
                break;
            held[i][k]--;
            climits_release(cl, handles[i][held[i][k] + (k == CLIMITS_CONN ? 4 : 0)], k);
            --*(k == CLIMITS_CONN ? &c->conns : &c->inflight);
            break;
        }
        }
    }
    ck_assert_uint_gt(seen[CLIMITS_PASS], 0);
    ck_assert_uint_gt(seen[CLIMITS_DROP] + seen[CLIMITS_SLIP], 0);
    ck_assert(slip == 1 || seen[CLIMITS_DROP] > 0); /* slip 1: every limited query slips */
    ck_assert(!slip || seen[CLIMITS_SLIP] > 0);
    climits_free(cl);
}
END_TEST

/* --- the allow-list -------------------------------------------------------------------- */

static const struct {
    const char *text;
    bool ok;
    const char *formatted; /* cidr_format() of it */
} cidrs[] = {
    {"192.0.2.0/24", true, "192.0.2.0/24"},
    {"192.0.2.1", true, "192.0.2.1/32"},
    {"0.0.0.0/0", true, "0.0.0.0/0"},
    {"2001:db8::/32", true, "2001:db8::/32"},
    {"::1", true, "::1/128"},
    {"::/0", true, "::/0"},
    {"192.0.2.1/24", false, NULL}, /* host bits */
    {"2001:db8::1/32", false, NULL},
    {"192.0.2.0/33", false, NULL},
    {"2001:db8::/129", false, NULL},
    {"192.0.2.0/", false, NULL},
    {"192.0.2.0/-1", false, NULL},
    {"192.0.2.0/24x", false, NULL},
    {"example.com", false, NULL},
    {"", false, NULL},
    {"/24", false, NULL},
};

START_TEST(cidr_parsing)
{
    struct cidr c;
    const char *why = NULL;
    bool ok = cidr_parse(cidrs[_i].text, &c, &why);
    ck_assert_msg(ok == cidrs[_i].ok, "\"%s\"", cidrs[_i].text);
    if (ok) {
        char out[64];
        cidr_format(&c, out, sizeof out);
        ck_assert_str_eq(out, cidrs[_i].formatted);
    } else {
        ck_assert_ptr_nonnull(why);
    }
}
END_TEST

START_TEST(allows)
{
    static const char *const list[] = {"10.0.0.0/8", "192.0.2.128/25", "2001:db8:1::/48"};
    static const struct {
        const char *client;
        bool allowed;
    } c[] = {
        {"10.1.2.3", true},         {"11.0.0.1", false},        {"192.0.2.128", true},
        {"192.0.2.127", false},     {"2001:db8:1:ff::1", true}, {"2001:db8:2::1", false},
        {"::ffff:10.1.2.3", false}, /* a mapped address is IPv6 */
    };
    struct cidr v[N_ELEMS(list)];
    const char *why;
    for (size_t i = 0; i < N_ELEMS(list); i++)
        ck_assert(cidr_parse(list[i], &v[i], &why));
    struct acl a;
    ck_assert_int_eq(acl_build(v, N_ELEMS(v), NULL, 0, &a), 0);
    for (size_t i = 0; i < N_ELEMS(c); i++) {
        struct sockaddr_storage s = addr(c[i].client);
        ck_assert_msg(acl_allows(&a, SA(s)) == c[i].allowed, "%s", c[i].client);
    }
    const struct cidr *wide;
    ck_assert(!acl_is_wide(&a, &wide));
    acl_free(&a);
}
END_TEST

static const struct {
    const char *cidr;
    bool wide;
} wide_cases[] = {
    {"0.0.0.0/0", true},       {"8.0.0.0/8", true},
    {"203.0.113.0/24", false}, {"10.0.0.0/8", false},
    {"172.16.0.0/12", false},  {"100.64.0.0/10", false},
    {"192.168.0.0/16", false}, {"127.0.0.0/8", false},
    {"198.18.0.0/15", true},   {"::/0", true},
    {"2001:db8::/32", false},  {"2000::/3", true},
    {"fc00::/7", false},       {"fe80::/10", false},
};

START_TEST(wide_lists)
{
    struct cidr c;
    const char *why;
    ck_assert(cidr_parse(wide_cases[_i].cidr, &c, &why));
    struct acl a;
    ck_assert_int_eq(acl_build(&c, 1, NULL, 0, &a), 0);
    const struct cidr *wide = NULL;
    ck_assert_msg(acl_is_wide(&a, &wide) == wide_cases[_i].wide, "%s", wide_cases[_i].cidr);
    acl_free(&a);
}
END_TEST

/* Without --allow: loopback, and the network of the interface holding the address. */
START_TEST(default_list)
{
    struct sockaddr_storage listen = addr("127.0.0.1");
    struct acl a;
    ck_assert_int_eq(acl_build(NULL, 0, &listen, 1, &a), 0);
    struct sockaddr_storage in = addr("127.9.9.9"), six = addr("::1"), out = addr("192.0.2.77");
    ck_assert(acl_allows(&a, SA(in)));
    ck_assert(acl_allows(&a, SA(six)));
    ck_assert(!acl_allows(&a, SA(out)));
    acl_free(&a);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("client_limits");
    TCase *t = tcase_create("limits");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, shares);
    tcase_add_loop_test(t, prefixes, 0, N_ELEMS(prefix_cases));
    tcase_add_test(t, rate_and_slip);
    tcase_add_test(t, eviction_keeps_pinned);
    tcase_add_loop_test(t, model, 0, 8);
    tcase_add_loop_test(t, cidr_parsing, 0, N_ELEMS(cidrs));
    tcase_add_test(t, allows);
    tcase_add_loop_test(t, wide_lists, 0, N_ELEMS(wide_cases));
    tcase_add_test(t, default_list);
    suite_add_tcase(s, t);
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
