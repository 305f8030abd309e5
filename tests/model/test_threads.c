/*
 * One matcher, eight threads, no locks: dnsfw.h promises that evaluation only reads the
 * matcher. The threads mix dnsfw_eval(), dnsfw_eval_chain() and dnsfw_eval_batch(). Every answer is
 * computed single-threaded first (and checked against the reference evaluator, so the expected
 * answers are right to begin with); then every thread evaluates the same queries in its own order
 * and compares each result field by field. Run it under TSan (`--suite threads`) to see races, and
 * anywhere to see wrong answers.
 *
 * DNSFW_THREADS_EVALS sets the evaluations per thread (default 100000; 5000 under
 * valgrind or with DNSFW_TEST_QUICK, where the threads are serialised anyway).
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "reference.h"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#define N_THREADS 8
#define N_QUERIES 4096
#define NAME_BUF  2048

struct query {
    char name[NAME_BUF];
    size_t len;
    char hop[NAME_BUF];
    size_t hop_len;
    size_t n_chain; /* 0 or 1 */
    uint16_t qtype;
    uint32_t scope;
    /* expected, computed single-threaded */
    int rc, chain_rc;
    dnsfw_verdict v, chain_v;
    char entry[DNSFW_SPEC_MAX + 3];
    const char *list;
};

struct shared {
    const dnsfw_matcher *m;
    struct query *q;
    size_t nq;
    unsigned evals;
    pthread_barrier_t start;
};

struct worker {
    struct shared *sh;
    unsigned id;
    unsigned mismatches;
    char first[256];
};

static bool same(const dnsfw_verdict *a, const dnsfw_verdict *b)
{
    return a->action == b->action && a->block_response == b->block_response && a->rule == b->rule &&
           a->domain_list == b->domain_list && a->entry_kind == b->entry_kind &&
           a->entry_node == b->entry_node && a->hop == b->hop;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct shared *sh = w->sh;
    pthread_barrier_wait(&sh->start);
    /* Each thread walks the queries with its own stride (odd, so every query is hit). */
    size_t at = (size_t)w->id * 977 % sh->nq, stride = 2 * w->id + 1;
    for (unsigned i = 0; i < sh->evals; i++, at = (at + stride) % sh->nq) {
        const struct query *q = &sh->q[at];
        dnsfw_verdict v;
        bool ok;
        if (i % 4 == 2) { /* a batch: this query and the ones after it */
            enum { N = 12 };
            dnsfw_query in[N];
            dnsfw_verdict out[N];
            int st[N];
            const struct query *qs[N];
            for (size_t k = 0; k < N; k++) {
                qs[k] = &sh->q[(at + k) % sh->nq];
                in[k] = (dnsfw_query){.name = qs[k]->name,
                                      .len = qs[k]->len,
                                      .qtype = qs[k]->qtype,
                                      .scope = qs[k]->scope};
            }
            int rc = dnsfw_eval_batch(sh->m, in, N, out, st), first = DNSFW_OK;
            ok = true;
            for (size_t k = 0; k < N; k++) {
                ok = ok && st[k] == qs[k]->rc && (st[k] || same(&out[k], &qs[k]->v));
                if (first == DNSFW_OK)
                    first = qs[k]->rc;
            }
            ok = ok && rc == first;
        } else if (i & 1) {
            const char *chain[1] = {q->hop};
            size_t bad;
            int rc = dnsfw_eval_chain(sh->m, q->name, q->len, chain, &q->hop_len, q->n_chain,
                                      q->qtype, q->scope, &v, &bad);
            ok = rc == q->chain_rc && (rc || same(&v, &q->chain_v));
        } else {
            int rc = dnsfw_eval(sh->m, q->name, q->len, q->qtype, q->scope, &v);
            ok = rc == q->rc;
            if (ok && !rc) {
                dnsfw_explanation e;
                ok = same(&v, &q->v) && dnsfw_explain(sh->m, &v, q->scope, &e) == DNSFW_OK &&
                     strcmp(e.entry, q->entry) == 0 &&
                     (e.domain_list == q->list ||
                      (e.domain_list && q->list && strcmp(e.domain_list, q->list) == 0));
            }
        }
        if (!ok && w->mismatches++ == 0)
            snprintf(w->first, sizeof w->first, "thread %u, evaluation %u, query %zu (%s)", w->id,
                     i, at,
                     i % 4 == 2 ? "batch"
                     : i & 1    ? "chain"
                                : "eval");
    }
    return NULL;
}

/* A larger policy than the differential test uses: several hundred specs per list. */
static dnsfw_policy *big_general(struct gen_src *g, struct gen_policy *gp)
{
    static const char *const names[] = {"allow", "block", "alert", "aaaa", "trust"};
    dnsfw_policy *p;
    ck_assert_int_eq(dnsfw_policy_new(&p), DNSFW_OK);
    memset(gp, 0, sizeof *gp);
    gen_zones(g, gp);
    gp->n_lists = 5;
    for (uint32_t l = 0; l < 5; l++) {
        uint32_t id;
        ck_assert_int_eq(dnsfw_policy_add_list(p, names[l], &id), DNSFW_OK);
        for (int i = 0; i < 400; i++) {
            char spec[DNSFW_SPEC_MAX + 1];
            gen_spec_canon(g, gp, spec);
            ck_assert_int_eq(dnsfw_policy_add_spec(p, id, spec, strlen(spec), NULL), DNSFW_OK);
            if (i < GEN_MAX_SPECS) { /* what the name generator aims at */
                strcpy(gp->list[l].spec[i].canon, spec);
                gp->list[l].n++;
            }
        }
    }
    uint32_t g1, g2;
    ck_assert_int_eq(dnsfw_policy_add_group(p, "first", 5, &g1), DNSFW_OK);
    ck_assert_int_eq(dnsfw_policy_add_group(p, "second", 50, &g2), DNSFW_OK);
    const dnsfw_rule_def rules[] = {
        {.name = "aaaa",
         .priority = 1,
         .action = DNSFW_ACTION_BLOCK,
         .domain_list = 3,
         .qtype = 28,
         .block_response = DNSFW_RESPONSE_NXDOMAIN},
        {.name = "trust",
         .priority = 2,
         .action = DNSFW_ACTION_ALLOW,
         .domain_list = 4,
         .redirection = DNSFW_REDIRECTION_TRUST},
        {.name = "allow", .priority = 10, .action = DNSFW_ACTION_ALLOW, .domain_list = 0},
        {.name = "block",
         .priority = 20,
         .action = DNSFW_ACTION_BLOCK,
         .domain_list = 1,
         .block_response = DNSFW_RESPONSE_OVERRIDE,
         .override_domain = "sink.example.",
         .override_ttl = 60},
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        ck_assert_int_eq(dnsfw_policy_add_rule(p, g1, &rules[i], NULL), DNSFW_OK);
    const dnsfw_rule_def late = {
        .name = "alert", .priority = 1, .action = DNSFW_ACTION_ALERT, .domain_list = 2};
    ck_assert_int_eq(dnsfw_policy_add_rule(p, g2, &late, NULL), DNSFW_OK);
    return p;
}

static const char tiered_json[] =
    "{\"dnsfw\": 1, \"mode\": \"enforce\",\n"
    " \"baseline\": [\"github.com\", \"*.githubusercontent.com\", \"*.example.com\"],\n"
    " \"blueprints\": [\n"
    "  {\"repo\": \"org/a\", \"egress_allowlist\": [\"pypi.org\", \"*.a.example.net\"]},\n"
    "  {\"repo\": \"org/b\", \"egress_allowlist\": [\"*.example.net\", \"x.example.org\"]},\n"
    "  {\"repo\": \"org/c\", \"egress_allowlist\": []}]}\n";

static void run(bool tiered)
{
    static struct gen_policy gp;
    struct gen_src g;
    gen_seed(&g, tiered ? 0x7468726561647331ull : 0x7468726561647332ull);
    dnsfw_policy *p;
    if (tiered) {
        dnsfw_error err;
        ck_assert_int_eq(
            dnsfw_policy_from_json(&p, tiered_json, strlen(tiered_json), "t", NULL, &err),
            DNSFW_OK);
        memset(&gp, 0, sizeof gp);
        gp.tiered = true;
        gen_zones(&g, &gp);
        strcpy(gp.zone[0], "example.com");
        strcpy(gp.zone[1 % GEN_MAX_ZONES], "a.example.net");
        gp.baseline.absent = true; /* aim names at the built-in names and the zones */
    } else {
        p = big_general(&g, &gp);
    }
    dnsfw_policy_info info;
    dnsfw_policy_get_info(p, &info);
    dnsfw_matcher *m;
    ck_assert_int_eq(dnsfw_compile(p, &m), DNSFW_OK);
    struct ref_policy *rp = ref_policy_new(p);
    ck_assert_ptr_nonnull(rp);

    struct query *qs = calloc(N_QUERIES, sizeof *qs);
    ck_assert_ptr_nonnull(qs);
    char why[512];
    for (size_t i = 0; i < N_QUERIES; i++) {
        struct query *q = &qs[i];
        q->len = gen_name(&g, &gp, q->name, NAME_BUF);
        q->hop_len = gen_name(&g, &gp, q->hop, NAME_BUF);
        q->n_chain = gen_below(&g, 2);
        q->qtype = gen_chance(&g, 1, 4) ? 28 : 1;
        q->scope = gen_below(&g, info.n_scopes + 1);
        q->rc = dnsfw_eval(m, q->name, q->len, q->qtype, q->scope, &q->v);
        const char *chain[1] = {q->hop};
        size_t bad;
        q->chain_rc = dnsfw_eval_chain(m, q->name, q->len, chain, &q->hop_len, q->n_chain, q->qtype,
                                       q->scope, &q->chain_v, &bad);
        if (!q->rc) {
            dnsfw_explanation e;
            ck_assert_int_eq(dnsfw_explain(m, &q->v, q->scope, &e), DNSFW_OK);
            strcpy(q->entry, e.entry);
            q->list = e.domain_list;
        }
        struct ref_query rq = {q->name, q->len, chain, &q->hop_len, q->n_chain, q->qtype, q->scope};
        ck_assert_msg(ref_compare(rp, m, &rq, why, sizeof why), "query %zu: %s", i, why);
    }

    bool quick = getenv("DNSFW_TEST_QUICK") || RUNNING_ON_VALGRIND;
    const char *ev = getenv("DNSFW_THREADS_EVALS");
    struct shared sh = {.m = m,
                        .q = qs,
                        .nq = N_QUERIES,
                        .evals = ev      ? (unsigned)strtoul(ev, NULL, 0)
                                 : quick ? 5000
                                         : 100000};
    pthread_barrier_init(&sh.start, NULL, N_THREADS);
    pthread_t th[N_THREADS];
    struct worker w[N_THREADS];
    for (unsigned t = 0; t < N_THREADS; t++) {
        w[t] = (struct worker){.sh = &sh, .id = t};
        ck_assert_int_eq(pthread_create(&th[t], NULL, work, &w[t]), 0);
    }
    unsigned bad = 0;
    for (unsigned t = 0; t < N_THREADS; t++) {
        pthread_join(th[t], NULL);
        if (w[t].mismatches)
            fprintf(stderr, "%u mismatches, the first: %s\n", w[t].mismatches, w[t].first);
        bad += w[t].mismatches;
    }
    pthread_barrier_destroy(&sh.start);
    ck_assert_msg(bad == 0, "%u of %u concurrent evaluations differ from the single-threaded ones",
                  bad, N_THREADS * sh.evals);

    free(qs);
    ref_policy_free(rp);
    dnsfw_matcher_free(m);
    dnsfw_policy_free(p);
}

START_TEST(test_threads_general)
{
    run(false);
}
END_TEST

START_TEST(test_threads_tiered)
{
    run(true);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("shared matcher");
    tcase_set_timeout(tc, 600); /* only enforced when Check forks */
    tcase_add_test(tc, test_threads_general);
    tcase_add_test(tc, test_threads_tiered);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
