/*
 * Model-based test: random policies x random names, the library against the naive
 * reference evaluator (reference.c), plus hand-computed vectors that check the
 * reference itself.
 *
 * Reproducible: every policy is generated from (seed, form, index). Environment:
 *   DNSFW_MODEL_SEED      master seed (decimal or 0x hex; "random" picks one and prints it)
 *   DNSFW_MODEL_POLICIES  policies per form (general, tiered); default 1500
 *   DNSFW_MODEL_NAMES     names per policy; default 150
 *   DNSFW_TEST_QUICK      any value: a tenth of the policies and 60 names each
 * The default run compares about 900,000 queries (name, qtype, scope, chain) over 3,000
 * policies in a few seconds. Under valgrind (RUNNING_ON_VALGRIND) the quick sizes are
 * used: valgrind is some 50 times slower, and the quick run (300 policies, about
 * 37,000 queries) still reaches every branch of the generator; the volume is for the
 * native and sanitizer builds. Each batch prints its query count to stderr.
 * A failure prints the seed, the policy JSON and the query to stderr, and names the
 * environment that reproduces it.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen.h"
#include "policy.h"
#include "reference.h"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#define BATCH 150 /* policies per Check loop iteration (each one forks) */

static struct {
    uint64_t seed;
    unsigned policies; /* per form */
    unsigned names;
} cfg;

static unsigned env_uint(const char *name, unsigned def)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return def;
    char *end;
    unsigned long n = strtoul(v, &end, 0);
    return *end ? def : (unsigned)n;
}

static void configure(void)
{
    bool quick = getenv("DNSFW_TEST_QUICK") || RUNNING_ON_VALGRIND;
    cfg.seed = 0x6d6f64656c2d3031ull; /* fixed: every run checks the same policies */
    const char *s = getenv("DNSFW_MODEL_SEED");
    if (s && strcmp(s, "random") == 0) {
        cfg.seed = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull ^ (uint64_t)clock();
    } else if (s && *s) {
        cfg.seed = strtoull(s, NULL, 0);
    }
    cfg.policies = env_uint("DNSFW_MODEL_POLICIES", quick ? 150 : 1500);
    cfg.names = env_uint("DNSFW_MODEL_NAMES", quick ? 60 : 150);
    fprintf(stderr,
            "# DNSFW_MODEL_SEED=0x%016" PRIx64 " DNSFW_MODEL_POLICIES=%u DNSFW_MODEL_NAMES=%u\n",
            cfg.seed, cfg.policies, cfg.names);
}

static uint64_t policy_seed(bool tiered, unsigned index)
{
    uint64_t s = cfg.seed ^ (tiered ? 0x7469657265640000ull : 0x67656e6572616c00ull);
    s += (uint64_t)index * 0xD1B54A32D192ED03ull;
    return gen_mix(&s);
}

/* --- what the library must have stored ---------------------------------------------- */

/* The canonical specs of l, each once, in first-seen order. */
static size_t expected_specs(const struct gen_list *l, const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++)
            seen = strcmp(out[j], l->spec[i].canon) == 0;
        if (!seen)
            out[n++] = l->spec[i].canon;
    }
    return n;
}

/* Compare a stored list with expected specs; an empty expectation may mean a placeholder. */
static bool list_is(const struct spec_list *sl, const char **want, size_t n, bool placeholder,
                    char *why, size_t size)
{
    static const char *const ph[] = {TIER_PLACEHOLDER};
    if (n == 0 && placeholder) {
        want = (const char **)ph;
        n = 1;
    }
    if (sl->specs.count != n) {
        snprintf(why, size, "list \"%s\" holds %zu specs, expected %zu", sl->name, sl->specs.count,
                 n);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(dnsfw__strtab_get(&sl->specs, i), want[i]) != 0) {
            snprintf(why, size, "list \"%s\"[%zu] is \"%s\", expected \"%s\"", sl->name, i,
                     dnsfw__strtab_get(&sl->specs, i), want[i]);
            return false;
        }
    }
    return true;
}

static bool check_general(const struct gen_policy *gp, const dnsfw_policy *p, char *why,
                          size_t size)
{
    const char *want[GEN_MAX_SPECS];
    if (p->is_tiered || p->n_lists != gp->n_lists || p->n_groups != gp->n_groups ||
        p->fail_open != (gp->fail_open > 0)) {
        snprintf(why, size, "policy shape: tiered %d, %zu lists, %zu groups, fail_open %d",
                 p->is_tiered, p->n_lists, p->n_groups, p->fail_open);
        return false;
    }
    for (size_t l = 0; l < gp->n_lists; l++) {
        if (strcmp(p->lists[l].name, gp->list[l].name) != 0) {
            snprintf(why, size, "list %zu is named \"%s\"", l, p->lists[l].name);
            return false;
        }
        if (!list_is(&p->lists[l], want, expected_specs(&gp->list[l], want), false, why, size))
            return false;
    }
    for (size_t i = 0; i < gp->n_groups; i++) {
        const struct gen_group *gg = &gp->group[i];
        const struct group *pg = &p->groups[i];
        if (strcmp(pg->name, gg->name) != 0 || pg->priority != gg->priority ||
            pg->n_rules != gg->n) {
            snprintf(why, size, "group %zu is %s/%u with %zu rules", i, pg->name, pg->priority,
                     pg->n_rules);
            return false;
        }
        for (size_t j = 0; j < gg->n; j++) {
            const struct gen_rule *gr = &gg->rule[j];
            const struct rule *r = NULL;
            for (size_t k = 0; k < pg->n_rules; k++)
                if (pg->rules[k].priority == gr->priority)
                    r = &pg->rules[k];
            dnsfw_redirection red = gr->redirection < 0 ? DNSFW_REDIRECTION_INSPECT
                                                        : (dnsfw_redirection)gr->redirection;
            bool override = gr->response == DNSFW_RESPONSE_OVERRIDE;
            if (!r || strcmp(r->name, gr->name) != 0 || r->action != gr->action ||
                r->list != gr->list || r->qtype != gr->qtype || r->redirection != red ||
                r->block_response != gr->response ||
                (override ? !r->override_domain || strcmp(r->override_domain, gr->override_domain)
                          : r->override_domain != NULL) ||
                r->override_ttl != gr->ttl) {
                snprintf(why, size,
                         "group %zu rule priority %u is not stored as written (qtype %s)", i,
                         gr->priority, gr->qtype_text);
                return false;
            }
        }
        for (size_t k = 1; k < pg->n_rules; k++)
            if (pg->rules[k - 1].priority >= pg->rules[k].priority) {
                snprintf(why, size, "group %zu rules are not sorted by priority", i);
                return false;
            }
    }
    return true;
}

static bool check_tiered(const struct gen_policy *gp, const dnsfw_policy *p, char *why, size_t size)
{
    const char *want[GEN_MAX_SPECS * GEN_MAX_SCOPES + 16];
    size_t n;
    if (!p->is_tiered || p->n_groups != 1 || p->n_scopes != gp->n_scopes ||
        p->n_lists != 3 + gp->n_scopes || p->fail_open != (gp->fail_open != 0)) {
        snprintf(why, size,
                 "tiered shape: tiered %d, %zu groups, %zu scopes, %zu lists, fail_open %d",
                 p->is_tiered, p->n_groups, p->n_scopes, p->n_lists, p->fail_open);
        return false;
    }
    /* baseline */
    if (gp->baseline.absent) {
        n = 0;
        for (size_t i = 0; i < sizeof gen_default_baseline / sizeof *gen_default_baseline; i++)
            want[n++] = gen_default_baseline[i];
    } else {
        n = expected_specs(&gp->baseline, want);
    }
    if (!list_is(&p->lists[TIER_BASELINE_LIST], want, n, false, why, size))
        return false;
    /* the union, de-duplicated across blueprints */
    n = 0;
    for (size_t s = 0; s < gp->n_scopes; s++) {
        const char *one[GEN_MAX_SPECS];
        size_t k = expected_specs(&gp->allow[s], one);
        for (size_t i = 0; i < k; i++) {
            bool seen = false;
            for (size_t j = 0; j < n && !seen; j++)
                seen = strcmp(want[j], one[i]) == 0;
            if (!seen)
                want[n++] = one[i];
        }
    }
    if (!list_is(&p->lists[TIER_UNION_LIST], want, n, true, why, size))
        return false;
    want[0] = "*";
    if (!list_is(&p->lists[TIER_CATCHALL_LIST], want, 1, false, why, size))
        return false;
    for (size_t s = 0; s < gp->n_scopes; s++) {
        if (strcmp(p->scopes[s].repo, gp->repo[s]) != 0) {
            snprintf(why, size, "scope %zu is \"%s\"", s, p->scopes[s].repo);
            return false;
        }
        n = expected_specs(&gp->allow[s], want);
        if (!list_is(&p->lists[p->scopes[s].list], want, n, true, why, size))
            return false;
    }
    const struct group *g = &p->groups[0];
    bool enforce = gp->mode == DNSFW_MODE_ENFORCE;
    dnsfw_block_response resp =
        gp->response > 0 ? (dnsfw_block_response)gp->response : DNSFW_RESPONSE_NODATA;
    if (strcmp(g->name, "agent-egress-policy") != 0 || g->priority != 101 || g->n_rules != 3 ||
        g->rules[0].priority != 100 || g->rules[0].action != DNSFW_ACTION_ALLOW ||
        g->rules[0].list != TIER_BASELINE_LIST || g->rules[1].priority != 200 ||
        g->rules[1].action != DNSFW_ACTION_ALLOW || g->rules[1].list != TIER_UNION_LIST ||
        g->rules[2].priority != 300 || g->rules[2].list != TIER_CATCHALL_LIST ||
        g->rules[2].action != (enforce ? DNSFW_ACTION_BLOCK : DNSFW_ACTION_ALERT) ||
        g->rules[2].block_response != (enforce ? resp : DNSFW_RESPONSE_NONE) ||
        (enforce && resp == DNSFW_RESPONSE_OVERRIDE
             ? !g->rules[2].override_domain ||
                   strcmp(g->rules[2].override_domain, gp->override_domain) != 0 ||
                   g->rules[2].override_ttl != gp->ttl
             : g->rules[2].override_domain != NULL)) {
        snprintf(why, size, "the tiered rule group is not as the contract describes");
        return false;
    }
    return true;
}

/* --- building the policy ----------------------------------------------------------- */

/* The general form through the public builder instead of JSON. */
static int build_general(const struct gen_policy *gp, dnsfw_policy **out, char *why, size_t size)
{
    dnsfw_policy *p;
    int rc = dnsfw_policy_new(&p);
    if (rc)
        return rc;
    if (gp->fail_open >= 0)
        dnsfw_policy_set_fail_open(p, gp->fail_open);
    for (size_t l = 0; l < gp->n_lists && !rc; l++) {
        uint32_t id;
        rc = dnsfw_policy_add_list(p, gp->list[l].name, &id);
        for (size_t i = 0; i < gp->list[l].n && !rc; i++) {
            const char *reason = NULL;
            const char *t = gp->list[l].spec[i].text;
            rc = dnsfw_policy_add_spec(p, id, t, strlen(t), &reason);
            if (rc)
                snprintf(why, size, "add_spec \"%s\": %s", t, reason ? reason : "");
        }
    }
    for (size_t i = 0; i < gp->n_groups && !rc; i++) {
        const struct gen_group *gg = &gp->group[i];
        uint32_t gid;
        rc = dnsfw_policy_add_group(p, gg->name, gg->priority, &gid);
        for (size_t j = 0; j < gg->n && !rc; j++) {
            const struct gen_rule *r = &gg->rule[j];
            dnsfw_rule_def d = {
                .name = r->name,
                .priority = r->priority,
                .action = r->action,
                .domain_list = r->list,
                .qtype = r->qtype,
                .redirection = r->redirection < 0 ? DNSFW_REDIRECTION_INSPECT
                                                  : (dnsfw_redirection)r->redirection,
                .block_response = r->response,
                .override_domain =
                    r->response == DNSFW_RESPONSE_OVERRIDE ? r->override_domain : NULL,
                .override_ttl = r->ttl,
            };
            const char *reason = NULL;
            rc = dnsfw_policy_add_rule(p, gid, &d, &reason);
            if (rc)
                snprintf(why, size, "add_rule %u: %s", r->priority, reason ? reason : "");
        }
    }
    if (rc) {
        dnsfw_policy_free(p);
        return rc;
    }
    *out = p;
    return DNSFW_OK;
}

static int write_buf(void *ud, const char *data, size_t len)
{
    gb_putn(ud, data, len);
    return 0;
}

/* --- one policy -------------------------------------------------------------------- */

struct ctx {
    bool tiered;
    unsigned index;
    uint64_t seed;
    struct gen_buf json;
    const char *how; /* "json" or "builder" */
};

static void report(const struct ctx *c, const char *what, const struct ref_query *q)
{
    char qn[4096];
    fprintf(stderr,
            "\n=== model test failure: %s\n"
            "form %s, policy %u, built by %s; reproduce with DNSFW_MODEL_SEED=0x%016" PRIx64
            " DNSFW_MODEL_POLICIES=%u DNSFW_MODEL_NAMES=%u (policy seed 0x%016" PRIx64 ")\n"
            "--- policy ---\n%s",
            what, c->tiered ? "tiered" : "general", c->index, c->how, cfg.seed, c->index + 1,
            cfg.names, c->seed, c->json.p ? c->json.p : "(none)\n");
    if (q) {
        ref_quote(q->name, q->len, qn, sizeof qn);
        fprintf(stderr, "--- query ---\nname \"%s\" qtype %u scope %u\n", qn, q->qtype, q->scope);
        for (size_t i = 0; i < q->n_chain; i++) {
            ref_quote(q->chain[i], q->chain_len[i], qn, sizeof qn);
            fprintf(stderr, "chain[%zu] \"%s\"\n", i, qn);
        }
    }
    fprintf(stderr, "===\n");
}

#define NAME_BUF  2048
#define MAX_CHAIN 3

static unsigned long n_compared; /* queries (name, qtype, scope, chain) in this batch */
static unsigned long n_batched;  /* of them, evaluated again through dnsfw_eval_batch() */

/*
 * Every query of a policy, kept so that they can be evaluated again in batches: the
 * batch path interleaves the lookups of different names (tiered scopes, query types,
 * malformed names, NULL names and bad scopes mixed), and each result must equal what
 * dnsfw_eval() gave for that query alone, which ref_compare() checked against the
 * reference.
 */
struct batch_check {
    struct gen_buf names; /* the names back to back */
    size_t *off;
    dnsfw_query *q;
    size_t n, cap;
};

static void batch_add(struct batch_check *bc, const char *name, size_t len, uint16_t qtype,
                      uint32_t scope)
{
    if (bc->n == bc->cap) {
        bc->cap = bc->cap ? 2 * bc->cap : 256;
        bc->off = realloc(bc->off, bc->cap * sizeof *bc->off);
        bc->q = realloc(bc->q, bc->cap * sizeof *bc->q);
        ck_assert_ptr_nonnull(bc->off);
        ck_assert_ptr_nonnull(bc->q);
    }
    bc->off[bc->n] = bc->names.len;
    gb_putn(&bc->names, name, len);
    bc->q[bc->n++] = (dnsfw_query){.len = len, .qtype = qtype, .scope = scope};
}

static bool same_verdict_fields(const dnsfw_verdict *a, const dnsfw_verdict *b)
{
    return a->action == b->action && a->block_response == b->block_response && a->rule == b->rule &&
           a->domain_list == b->domain_list && a->entry_kind == b->entry_kind &&
           a->entry_node == b->entry_node && a->hop == b->hop;
}

static void batch_run(struct batch_check *bc, const dnsfw_matcher *m, uint32_t n_scopes,
                      struct gen_src *g, const struct ctx *c)
{
    size_t n = bc->n;
    if (!n)
        return;
    for (size_t i = 0; i < n; i++) {
        bc->q[i].name = bc->names.p + bc->off[i];
        if (gen_chance(g, 1, 50)) /* a query the batch must refuse on its own */
            bc->q[i].name = NULL;
        else if (gen_chance(g, 1, 50))
            bc->q[i].scope = n_scopes + 1 + (uint32_t)gen_below(g, 3);
    }
    dnsfw_verdict *got = malloc(n * sizeof *got);
    int *st = malloc(n * sizeof *st);
    ck_assert_ptr_nonnull(got);
    ck_assert_ptr_nonnull(st);
    memset(got, 0xA5, n * sizeof *got);
    for (size_t at = 0; at < n;) { /* batches of 1 to 40 queries, and sometimes all at once */
        size_t k = gen_chance(g, 1, 10) ? n - at : gen_range(g, 1, 40);
        if (k > n - at)
            k = n - at;
        int first = DNSFW_OK;
        bool with_status = !gen_chance(g, 1, 8);
        int rc = dnsfw_eval_batch(m, bc->q + at, k, got + at, with_status ? st + at : NULL);
        for (size_t i = at; i < at + k; i++) {
            dnsfw_verdict want;
            int want_rc = bc->q[i].name ? dnsfw_eval(m, bc->q[i].name, bc->q[i].len, bc->q[i].qtype,
                                                     bc->q[i].scope, &want)
                                        : DNSFW_EINVAL;
            if (want_rc != DNSFW_OK)
                want = (dnsfw_verdict){.action = DNSFW_ACTION_NONE,
                                       .rule = DNSFW_NONE,
                                       .domain_list = DNSFW_NONE,
                                       .entry_node = DNSFW_NONE};
            if (first == DNSFW_OK)
                first = want_rc;
            if ((with_status && st[i] != want_rc) || !same_verdict_fields(&got[i], &want)) {
                report(c, "dnsfw_eval_batch differs from dnsfw_eval", NULL);
                ck_abort_msg("policy %u, batch query %zu of %zu (batch at %zu, %zu long): status "
                             "%d, dnsfw_eval %d; action %d, dnsfw_eval %d; rule %u, dnsfw_eval %u",
                             c->index, i, n, at, k, with_status ? st[i] : 0, want_rc, got[i].action,
                             want.action, got[i].rule, want.rule);
            }
        }
        ck_assert_msg(rc == first, "dnsfw_eval_batch returned %d, the first failure was %d", rc,
                      first);
        n_batched += k;
        at += k;
    }
    free(got);
    free(st);
}

static void batch_free(struct batch_check *bc)
{
    gb_free(&bc->names);
    free(bc->off);
    free(bc->q);
}

static void run_policy(bool tiered, unsigned index)
{
    static struct gen_policy gp;
    struct ctx c = {.tiered = tiered, .index = index, .seed = policy_seed(tiered, index)};
    struct gen_src g;
    char why[1024] = "";
    dnsfw_error err;
    dnsfw_policy *p = NULL;
    int rc;

    gen_seed(&g, c.seed);
    gen_policy(&g, &gp, tiered);
    gen_json(&gp, &c.json);
    if (!tiered && gen_chance(&g, 1, 4)) {
        c.how = "builder";
        rc = build_general(&gp, &p, why, sizeof why);
    } else {
        c.how = "json";
        rc = dnsfw_policy_from_json(&p, c.json.p, c.json.len, "gen.json", NULL, &err);
        if (rc)
            snprintf(why, sizeof why, "%u:%u: %s", err.line, err.column, err.message);
    }
    if (rc) {
        report(&c, "a valid policy was rejected", NULL);
        ck_abort_msg("policy %u (%s): %s: %s", index, c.how, dnsfw_strerror(rc), why);
    }
    if (!(tiered ? check_tiered(&gp, p, why, sizeof why)
                 : check_general(&gp, p, why, sizeof why))) {
        report(&c, why, NULL);
        ck_abort_msg("policy %u: stored policy differs from the generator's: %s", index, why);
    }

    dnsfw_matcher *m = NULL;
    rc = dnsfw_compile(p, &m);
    ck_assert_msg(rc == DNSFW_OK, "compile: %s", dnsfw_strerror(rc));
    struct ref_policy *rp = ref_policy_new(p);
    ck_assert_ptr_nonnull(rp);

    /* A dumped and reloaded policy must decide like the original (a few names each). */
    dnsfw_matcher *m2 = NULL;
    dnsfw_policy *p2 = NULL;
    if (gen_chance(&g, 1, 4)) {
        struct gen_buf d1 = {0}, d2 = {0};
        ck_assert_int_eq(dnsfw_policy_dump_json(p, write_buf, &d1), DNSFW_OK);
        rc = dnsfw_policy_from_json(&p2, d1.p, d1.len, "dump.json", NULL, &err);
        if (rc) {
            report(&c, "the dump does not load", NULL);
            ck_abort_msg("policy %u: dump reload: %s: %s\n%s", index, dnsfw_strerror(rc),
                         err.message, d1.p);
        }
        ck_assert_int_eq(dnsfw_policy_dump_json(p2, write_buf, &d2), DNSFW_OK);
        if (strcmp(d1.p, d2.p) != 0) {
            report(&c, "dump(load(dump(p))) != dump(p)", NULL);
            ck_abort_msg("policy %u: the dump is not stable", index);
        }
        ck_assert_int_eq(dnsfw_compile(p2, &m2), DNSFW_OK);
        gb_free(&d1);
        gb_free(&d2);
    }

    static char names[1 + MAX_CHAIN][NAME_BUF];
    size_t lens[1 + MAX_CHAIN];
    struct batch_check bc = {0};
    for (unsigned i = 0; i < cfg.names; i++) {
        lens[0] = gen_name(&g, &gp, names[0], NAME_BUF);
        size_t n_chain = gen_chance(&g, 1, 4) ? gen_range(&g, 1, MAX_CHAIN) : 0;
        const char *chain[MAX_CHAIN];
        for (size_t h = 0; h < n_chain; h++) {
            lens[1 + h] = gen_name(&g, &gp, names[1 + h], NAME_BUF);
            chain[h] = names[1 + h];
        }
        struct ref_query q = {.name = names[0],
                              .len = lens[0],
                              .chain = chain,
                              .chain_len = lens + 1,
                              .n_chain = n_chain,
                              .qtype = gen_query_type(&g, &gp)};
        /* every scope of a tiered policy: 0 is the whole policy */
        for (uint32_t s = 0; s <= p->n_scopes; s++) {
            q.scope = s;
            n_compared++;
            batch_add(&bc, q.name, q.len, q.qtype, s);
            if (!ref_compare(rp, m, &q, why, sizeof why)) {
                report(&c, why, &q);
                ck_abort_msg("policy %u name %u: %s (seed 0x%016" PRIx64 ")", index, i, why,
                             cfg.seed);
            }
            if (m2 && i < 30 && !ref_compare(rp, m2, &q, why, sizeof why)) {
                report(&c, why, &q);
                ck_abort_msg("policy %u name %u, reloaded dump: %s (seed 0x%016" PRIx64 ")", index,
                             i, why, cfg.seed);
            }
        }
    }

    batch_run(&bc, m, (uint32_t)p->n_scopes, &g, &c);
    batch_free(&bc);

    ref_policy_free(rp);
    dnsfw_matcher_free(m);
    dnsfw_matcher_free(m2);
    dnsfw_policy_free(p);
    dnsfw_policy_free(p2);
    gb_free(&c.json);
}

static void run_batch(bool tiered, int batch)
{
    unsigned first = (unsigned)batch * BATCH, i;
    n_compared = n_batched = 0;
    for (i = first; i < first + BATCH && i < cfg.policies; i++)
        run_policy(tiered, i);
    fprintf(stderr, "# %s policies %u-%u: %lu queries compared, %lu again in batches\n",
            tiered ? "tiered" : "general", first, i - 1, n_compared, n_batched);
}

START_TEST(test_random_general)
{
    run_batch(false, _i);
}
END_TEST

START_TEST(test_random_tiered)
{
    run_batch(true, _i);
}
END_TEST

/* --- hand-computed vectors: they check the reference as much as the library ---------- */

static const char *const fixed_policies[] = {
    /* 0: general form */
    "{\"dnsfw\": 1,\n"
    " \"domain_lists\": {\n"
    "  \"exact\": [\"Example.COM.\", \"a.b.example.com\"],\n"
    "  \"wild\": [\"*.example.com\", \"*.b.example.com\"],\n"
    "  \"all\": [\"*.\"],\n"
    "  \"cdn\": [\"cdn.vendor.com\"],\n"
    "  \"cdn-trusted\": [\"trusted.vendor.com\"]},\n"
    " \"rule_groups\": [\n"
    "  {\"name\": \"late\", \"priority\": 2000, \"rules\": [\n"
    "    {\"name\": \"catch\", \"priority\": 1, \"action\": \"BLOCK\", \"domain_list\": \"all\",\n"
    "     \"block_response\": \"NXDOMAIN\"}]},\n"
    "  {\"name\": \"early\", \"priority\": 10, \"rules\": [\n"
    "    {\"name\": \"ex\", \"priority\": 10, \"action\": \"ALLOW\", \"domain_list\": \"exact\"},\n"
    "    {\"name\": \"aaaa\", \"priority\": 5, \"action\": \"BLOCK\", \"domain_list\": \"wild\",\n"
    "     \"qtype\": \"TYPE28\", \"block_response\": \"NODATA\"},\n"
    "    {\"name\": \"wl\", \"priority\": 20, \"action\": \"ALERT\", \"domain_list\": \"wild\"},\n"
    "    {\"name\": \"cdn\", \"priority\": 30, \"action\": \"ALLOW\", \"domain_list\": \"cdn\"},\n"
    "    {\"name\": \"cdn-t\", \"priority\": 31, \"action\": \"ALLOW\",\n"
    "     \"domain_list\": \"cdn-trusted\", \"redirection\": \"TRUST_REDIRECTION_DOMAIN\"}]}]}\n",
    /* 1: tiered form, enforce */
    "{\"dnsfw\": 1, \"mode\": \"enforce\", \"block_response\": \"NXDOMAIN\",\n"
    " \"baseline\": [\"github.com\", \"*.githubusercontent.com\"],\n"
    " \"blueprints\": [\n"
    "  {\"repo\": \"org/a\", \"egress_allowlist\": [\"pypi.org\", \"*.internal.example\"]},\n"
    "  {\"repo\": \"org/b\", \"egress_allowlist\": []}]}\n",
};

#define A_ DNSFW_ACTION_ALLOW
#define L_ DNSFW_ACTION_ALERT
#define B_ DNSFW_ACTION_BLOCK
#define N_ DNSFW_ACTION_NONE

static const struct {
    int policy;
    const char *name;
    uint16_t qtype;
    uint32_t scope;
    const char *chain[3];
    int status;
    dnsfw_action action;
    dnsfw_block_response response;
    const char *group;
    uint32_t rule_priority;
    const char *list;
    const char *entry;
    uint32_t hop;
} vectors[] = {
    {0, "example.com", 1, 0, {0}, 0, A_, 0, "early", 10, "exact", "example.com", 0},
    {0, "EXAMPLE.com.", 1, 0, {0}, 0, A_, 0, "early", 10, "exact", "example.com", 0},
    {0, "www.example.com", 1, 0, {0}, 0, L_, 0, "early", 20, "wild", "*.example.com", 0},
    /* the deepest wildcard names the entry */
    {0, "x.b.example.com", 1, 0, {0}, 0, L_, 0, "early", 20, "wild", "*.b.example.com", 0},
    {0, "x.y.z.b.example.com", 1, 0, {0}, 0, L_, 0, "early", 20, "wild", "*.b.example.com", 0},
    /* rule 10 (exact) comes before rule 20 (wildcard) */
    {0, "a.b.example.com", 1, 0, {0}, 0, A_, 0, "early", 10, "exact", "a.b.example.com", 0},
    /* "*.b.example.com" never covers b.example.com itself; "*.example.com" does */
    {0, "b.example.com", 1, 0, {0}, 0, L_, 0, "early", 20, "wild", "*.example.com", 0},
    /* TYPE28 is AAAA: rule 5 applies to AAAA queries only */
    {0,
     "www.example.com",
     28,
     0,
     {0},
     0,
     B_,
     DNSFW_RESPONSE_NODATA,
     "early",
     5,
     "wild",
     "*.example.com",
     0},
    {0, "example.com", 28, 0, {0}, 0, A_, 0, "early", 10, "exact", "example.com", 0},
    /* "*" covers the root; group 2000 comes after group 10 although written first */
    {0, ".", 1, 0, {0}, 0, B_, DNSFW_RESPONSE_NXDOMAIN, "late", 1, "all", "*", 0},
    {0, "com", 1, 0, {0}, 0, B_, DNSFW_RESPONSE_NXDOMAIN, "late", 1, "all", "*", 0},
    {0, "_dmarc.example.com", 1, 0, {0}, 0, L_, 0, "early", 20, "wild", "*.example.com", 0},
    /* an escaped dot is part of a label: "a.b" + example.com is not a.b.example.com */
    {0, "a\\.b.example.com", 1, 0, {0}, 0, L_, 0, "early", 20, "wild", "*.example.com", 0},
    {0, "a\\046b.example.com", 1, 0, {0}, 0, L_, 0, "early", 20, "wild", "*.example.com", 0},
    /* \065 is 'A', which folds to 'a' */
    {0, "\\065.b.example.com", 1, 0, {0}, 0, A_, 0, "early", 10, "exact", "a.b.example.com", 0},
    {0, "\\a.b.example.com", 1, 0, {0}, 0, A_, 0, "early", 10, "exact", "a.b.example.com", 0},
    {0, "\xc3\xa9.example.com", 1, 0, {0}, 0, L_, 0, "early", 20, "wild", "*.example.com", 0},
    /* E15: INSPECT, the CNAME target is blocked by the catch-all */
    {0,
     "cdn.vendor.com",
     1,
     0,
     {"x.akamaiedge.net"},
     0,
     B_,
     DNSFW_RESPONSE_NXDOMAIN,
     "late",
     1,
     "all",
     "*",
     1},
    /* E16: TRUST on the deciding rule: the chain is not looked at */
    {0,
     "trusted.vendor.com",
     1,
     0,
     {"x.akamaiedge.net"},
     0,
     A_,
     0,
     "early",
     31,
     "cdn-trusted",
     "trusted.vendor.com",
     0},
    {0,
     "cdn.vendor.com",
     1,
     0,
     {"www.example.com", "x.akamaiedge.net"},
     0,
     B_,
     DNSFW_RESPONSE_NXDOMAIN,
     "late",
     1,
     "all",
     "*",
     2},
    /* a hop decided by a TRUST rule ends the inspection */
    {0,
     "cdn.vendor.com",
     1,
     0,
     {"trusted.vendor.com", "x.akamaiedge.net"},
     0,
     A_,
     0,
     "early",
     30,
     "cdn",
     "cdn.vendor.com",
     0},
    /* no BLOCK: the first ALERT decides */
    {0,
     "cdn.vendor.com",
     1,
     0,
     {"www.example.com", "example.com"},
     0,
     L_,
     0,
     "early",
     20,
     "wild",
     "*.example.com",
     1},
    /* the query name BLOCKs: the chain is not looked at, even a malformed hop */
    {0, "other.net", 1, 0, {"a..b"}, 0, B_, DNSFW_RESPONSE_NXDOMAIN, "late", 1, "all", "*", 0},
    {0, "a..b", 1, 0, {0}, DNSFW_EEMPTYLABEL, 0, 0, NULL, 0, NULL, NULL, 0},
    {0, "a.\\", 1, 0, {0}, DNSFW_EESCAPE, 0, 0, NULL, 0, NULL, NULL, 0},
    {0, "\\256.com", 1, 0, {0}, DNSFW_EESCAPE, 0, 0, NULL, 0, NULL, NULL, 0},
    {0, "", 1, 0, {0}, DNSFW_EEMPTYLABEL, 0, 0, NULL, 0, NULL, NULL, 0},
    /* tiered */
    {1,
     "github.com",
     1,
     0,
     {0},
     0,
     A_,
     0,
     "agent-egress-policy",
     100,
     "platform-baseline",
     "github.com",
     0},
    {1,
     "pypi.org",
     1,
     0,
     {0},
     0,
     A_,
     0,
     "agent-egress-policy",
     200,
     "blueprint-additional",
     "pypi.org",
     0},
    {1,
     "pypi.org",
     1,
     1,
     {0},
     0,
     A_,
     0,
     "agent-egress-policy",
     200,
     "blueprint-additional",
     "pypi.org",
     0},
    /* org/b allows nothing of its own */
    {1,
     "pypi.org",
     1,
     2,
     {0},
     0,
     B_,
     DNSFW_RESPONSE_NXDOMAIN,
     "agent-egress-policy",
     300,
     "block-all",
     "*",
     0},
    {1,
     "x.y.internal.example",
     1,
     0,
     {0},
     0,
     A_,
     0,
     "agent-egress-policy",
     200,
     "blueprint-additional",
     "*.internal.example",
     0},
    {1,
     "internal.example",
     1,
     1,
     {0},
     0,
     B_,
     DNSFW_RESPONSE_NXDOMAIN,
     "agent-egress-policy",
     300,
     "block-all",
     "*",
     0},
    {1,
     "RAW.githubusercontent.com",
     16,
     2,
     {0},
     0,
     A_,
     0,
     "agent-egress-policy",
     100,
     "platform-baseline",
     "*.githubusercontent.com",
     0},
    {1,
     ".",
     1,
     0,
     {0},
     0,
     B_,
     DNSFW_RESPONSE_NXDOMAIN,
     "agent-egress-policy",
     300,
     "block-all",
     "*",
     0},
    /* an empty allowlist deploys the placeholder, which then matches itself */
    {1,
     "placeholder.invalid",
     1,
     2,
     {0},
     0,
     A_,
     0,
     "agent-egress-policy",
     200,
     "blueprint-additional",
     "placeholder.invalid",
     0},
};

START_TEST(test_vectors)
{
    const __typeof__(vectors[0]) *v = &vectors[_i];
    const char *pj = fixed_policies[v->policy];
    dnsfw_policy *p;
    dnsfw_error err;
    ck_assert_msg(dnsfw_policy_from_json(&p, pj, strlen(pj), "fixed", NULL, &err) == DNSFW_OK, "%s",
                  err.message);
    dnsfw_matcher *m;
    ck_assert_int_eq(dnsfw_compile(p, &m), DNSFW_OK);
    struct ref_policy *rp = ref_policy_new(p);
    ck_assert_ptr_nonnull(rp);

    size_t n_chain = 0, chain_len[3];
    while (n_chain < 3 && v->chain[n_chain]) {
        chain_len[n_chain] = strlen(v->chain[n_chain]);
        n_chain++;
    }
    size_t bad_ref = 0, bad_lib = 0;
    struct ref_verdict r;
    dnsfw_verdict lv;
    unsigned errs = ref_eval_chain(rp, v->name, strlen(v->name), v->chain, chain_len, n_chain,
                                   v->qtype, v->scope, &r, &bad_ref);
    int rc = dnsfw_eval_chain(m, v->name, strlen(v->name), v->chain, chain_len, n_chain, v->qtype,
                              v->scope, &lv, &bad_lib);
    if (v->status) {
        ck_assert_msg(ref_status_allowed(errs, v->status), "reference defects 0x%x", errs);
        ck_assert_int_eq(rc, v->status);
    } else {
        dnsfw_explanation e;
        ck_assert_msg(errs == 0, "reference: malformed 0x%x", errs);
        ck_assert_int_eq(rc, DNSFW_OK);
        ck_assert_int_eq(dnsfw_explain(m, &lv, v->scope, &e), DNSFW_OK);
        /* the reference */
        ck_assert_int_eq(r.action, v->action);
        ck_assert_int_eq(r.block_response, v->response);
        ck_assert_str_eq(r.group_name, v->group);
        ck_assert_uint_eq(r.rule_priority, v->rule_priority);
        ck_assert_str_eq(r.list_name, v->list);
        ck_assert_str_eq(r.entry, v->entry);
        ck_assert_uint_eq(r.hop, v->hop);
        /* the library */
        ck_assert_int_eq(lv.action, v->action);
        ck_assert_int_eq(lv.block_response, v->response);
        ck_assert_str_eq(e.rule_group, v->group);
        ck_assert_uint_eq(e.rule_priority, v->rule_priority);
        ck_assert_str_eq(e.domain_list, v->list);
        ck_assert_str_eq(e.entry, v->entry);
        ck_assert_uint_eq(lv.hop, v->hop);
    }
    char why[512];
    struct ref_query q = {v->name, strlen(v->name), v->chain, chain_len,
                          n_chain, v->qtype,        v->scope};
    ck_assert_msg(ref_compare(rp, m, &q, why, sizeof why), "%s", why);
    ref_policy_free(rp);
    dnsfw_matcher_free(m);
    dnsfw_policy_free(p);
}
END_TEST

/* The reference's own name parser against hand-decoded names. */
static const struct {
    const char *text;
    size_t len; /* 0: strlen */
    unsigned errs;
    size_t n;
    const char *labels[4]; /* lower-cased */
} names[] = {
    {".", 0, 0, 0, {0}},
    {"A.b.", 0, 0, 2, {"a", "b"}},
    {"a\\.b.c", 0, 0, 2, {"a.b", "c"}},
    {"\\065\\066", 0, 0, 1, {"ab"}},
    {"\\\\x", 0, 0, 1, {"\\x"}},
    {"a\0b", 3, 0, 1, {"a\0b"}},
    {"", 0, REF_ERR_EMPTYLABEL, 0, {0}},
    {"..", 0, REF_ERR_EMPTYLABEL, 0, {0}},
    {".a", 0, REF_ERR_EMPTYLABEL, 0, {0}},
    {"a.\\", 0, REF_ERR_ESCAPE, 0, {0}},
    {"\\1x", 0, REF_ERR_ESCAPE, 0, {0}},
    {"\\256", 0, REF_ERR_ESCAPE, 0, {0}},
    {"\\25", 0, REF_ERR_ESCAPE, 0, {0}},
};

START_TEST(test_reference_names)
{
    struct ref_name n;
    size_t len = names[_i].len ? names[_i].len : strlen(names[_i].text);
    unsigned errs = ref_name_parse(names[_i].text, len, &n);
    ck_assert_uint_eq(errs, names[_i].errs);
    if (errs)
        return;
    ck_assert_uint_eq(n.n, names[_i].n);
    for (size_t i = 0; i < n.n; i++) {
        size_t want = names[_i].len ? names[_i].len : strlen(names[_i].labels[i]);
        ck_assert_uint_eq(n.len[i], want);
        ck_assert(memcmp(n.low[i], names[_i].labels[i], want) == 0);
    }
}
END_TEST

/* Length limits: 63/64-octet labels, 255/256-octet names (wire form, root included). */
START_TEST(test_reference_limits)
{
    char buf[600];
    struct ref_name n;
    memset(buf, 'a', 64);
    ck_assert_uint_eq(ref_name_parse(buf, 63, &n), 0);
    ck_assert_uint_eq(ref_name_parse(buf, 64, &n), REF_ERR_LABELLEN);
    /* 4 labels of 63 = 4 * 64 + 1 = 257 octets; 3 of 63 and one of 61 = 255 */
    size_t o = 0;
    for (int l = 0; l < 4; l++) {
        memset(buf + o, 'b', 63);
        o += 63;
        buf[o++] = '.';
    }
    ck_assert_uint_eq(ref_name_parse(buf, o, &n), REF_ERR_NAMELEN);
    ck_assert_uint_eq(ref_name_parse(buf + 2, o - 2, &n), 0);               /* 61 + 3 * 63: 255 */
    ck_assert_uint_eq(ref_name_parse(buf + 1, o - 1, &n), REF_ERR_NAMELEN); /* 256 */
}
END_TEST

int main(void)
{
    configure();
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("vectors");
    tcase_add_loop_test(tc, test_vectors, 0, sizeof vectors / sizeof vectors[0]);
    tcase_add_loop_test(tc, test_reference_names, 0, sizeof names / sizeof names[0]);
    tcase_add_test(tc, test_reference_limits);
    suite_add_tcase(s, tc);

    tc = tcase_create("random");
    tcase_set_timeout(tc, 600); /* one batch; only enforced when Check forks */
    int batches = (int)((cfg.policies + BATCH - 1) / BATCH);
    tcase_add_loop_test(tc, test_random_general, 0, batches);
    tcase_add_loop_test(tc, test_random_tiered, 0, batches);
    suite_add_tcase(s, tc);

    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
