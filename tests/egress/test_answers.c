/*
 * The answer index of the egress join (tools/eval/answers.c) against a naive model on
 * random inputs: every answer time kept in a list per address. For random flows, the
 * index must say "covered" exactly when some answer time lies in [start - window, end],
 * and give the latest answer at or before a time as the model does whenever nothing
 * covers that time (the only case the join asks). Times come in random order, in
 * bursts and alone, with windows from 0 to an hour; a few addresses get many intervals.
 */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <dnsfw/dnsfw.h>

#include "answers.h"

#define ADDRS  40
#define POINTS 4000

struct model {
    int64_t t[POINTS];
    int n;
};

static dnsfw_ip addr_of(int i)
{
    dnsfw_ip ip = {.family = i % 5 ? 4 : 6};
    if (ip.family == 4) {
        ip.addr[10] = ip.addr[11] = 0xff;
        ip.addr[12] = 198;
        ip.addr[13] = 51;
        ip.addr[15] = (uint8_t)i;
    } else {
        ip.addr[0] = 0x20;
        ip.addr[1] = 0x01;
        ip.addr[15] = (uint8_t)i;
    }
    return ip;
}

static bool model_cover(const struct model *m, int64_t from, int64_t to)
{
    for (int i = 0; i < m->n; i++)
        if (m->t[i] >= from && m->t[i] <= to)
            return true;
    return false;
}

static int64_t model_last(const struct model *m, int64_t t)
{
    int64_t best = -1;
    for (int i = 0; i < m->n; i++)
        if (m->t[i] <= t && m->t[i] > best)
            best = m->t[i];
    return best;
}

START_TEST(random_model)
{
    static const int64_t windows[] = {0, 1, 60, 300, 3600};
    int64_t w = windows[_i % 5];
    srand((unsigned)(1000 + _i));
    struct answers *a = answers_new(w);
    ck_assert_ptr_nonnull(a);
    static struct model m[ADDRS];
    memset(m, 0, sizeof m);
    const int64_t t0 = 1767225600, span = 86400;
    for (int k = 0; k < POINTS; k++) {
        int i = rand() % ADDRS;
        if (i < 4) /* a few busy addresses: many separate bursts */
            i = rand() % 4;
        int64_t t = t0 + rand() % span;
        if (k && rand() % 3 == 0) /* a burst: close to the previous answer of this address */
            t = m[i].n ? m[i].t[m[i].n - 1] + rand() % (2 * w + 3) - w - 1 : t;
        if (m[i].n == POINTS / 2)
            continue;
        dnsfw_ip ip = addr_of(i);
        ck_assert(answers_add(a, &ip, t));
        m[i].t[m[i].n++] = t;
    }
    int addresses = 0;
    for (int i = 0; i < ADDRS; i++)
        addresses += m[i].n > 0;
    ck_assert_uint_eq(answers_count(a), (size_t)addresses);
    ck_assert(answers_memory(a) > 0);
    for (int q = 0; q < 5000; q++) {
        int i = rand() % (ADDRS + 2); /* and addresses never answered */
        dnsfw_ip ip = addr_of(i);
        int64_t start = t0 - 100 + rand() % (span + 200), end = start + rand() % 700;
        bool want = i < ADDRS && model_cover(&m[i], start - w, end);
        ck_assert_msg(answers_cover(a, &ip, start - w, end) == want,
                      "window %lld, address %d, [%lld, %lld]: model says %d", (long long)w, i,
                      (long long)(start - w), (long long)end, want);
        if (!want) /* the join asks for the last answer only of what nothing covers */
            ck_assert_int_eq(answers_last_before(a, &ip, start),
                             i < ADDRS ? model_last(&m[i], start) : -1);
    }
    /* times the index cannot hold */
    dnsfw_ip ip = addr_of(1);
    ck_assert(!answers_add(a, &ip, -1));
    ck_assert(!answers_add(a, &ip, (int64_t)UINT32_MAX + 1));
    answers_free(a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("answers");
    TCase *tc = tcase_create("answers");
    tcase_add_loop_test(tc, random_model, 0, 10);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
