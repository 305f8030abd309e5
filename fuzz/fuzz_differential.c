/*
 * Differential fuzz target: the input bytes drive the model tests' generator
 * (tests/model/gen.h) to make a small valid policy (general or tiered form) and a few
 * queries, some of them raw input bytes; the library and the naive reference evaluator
 * (tests/model/reference.c) must agree on every query: status, verdict, explanation,
 * redirection chain. Any disagreement, or a generated (valid) policy that does not
 * load or compile, prints the case and traps.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "reference.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME_BUF  2048
#define MAX_CHAIN 2

static void dump_case(const char *what, const char *json, const struct ref_query *q)
{
    char quoted[4 * NAME_BUF + 1];
    fprintf(stderr, "fuzz_differential: %s\n--- policy ---\n%s", what, json);
    if (q) {
        ref_quote(q->name, q->len, quoted, sizeof quoted);
        fprintf(stderr, "--- query ---\nname \"%s\" qtype %u scope %u\n", quoted, q->qtype,
                q->scope);
        for (size_t i = 0; i < q->n_chain; i++) {
            ref_quote(q->chain[i], q->chain_len[i], quoted, sizeof quoted);
            fprintf(stderr, "chain[%zu] \"%s\"\n", i, quoted);
        }
    }
}

/* A name: usually aimed at the policy, sometimes raw input octets. */
static size_t some_name(struct gen_src *g, const struct gen_policy *gp, char *out)
{
    if (!gen_chance(g, 1, 5))
        return gen_name(g, gp, out, NAME_BUF);
    size_t n = gen_below(g, 40);
    for (size_t i = 0; i < n; i++)
        out[i] = (char)gen_below(g, 256);
    out[n] = '\0';
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct gen_policy gp;
    static char names[1 + MAX_CHAIN][NAME_BUF];
    if (size > 4096)
        return 0; /* the generator reads few bytes; longer inputs add nothing */

    struct gen_src g;
    gen_from_bytes(&g, data, size);
    gen_policy(&g, &gp, gen_below(&g, 2) == 1);
    struct gen_buf json = {0};
    gen_json(&gp, &json);

    dnsfw_policy *p = NULL;
    dnsfw_error err;
    int rc = dnsfw_policy_from_json(&p, json.p, json.len, "fuzz.json", NULL, &err);
    if (rc) {
        fprintf(stderr, "%u:%u: %s\n", err.line, err.column, err.message);
        dump_case("a valid policy was rejected", json.p, NULL);
        __builtin_trap();
    }
    dnsfw_matcher *m = NULL;
    if (dnsfw_compile(p, &m) != DNSFW_OK) {
        dump_case("compile failed", json.p, NULL);
        __builtin_trap();
    }
    struct ref_policy *rp = ref_policy_new(p);
    if (!rp)
        abort();

    dnsfw_policy_info info;
    dnsfw_policy_get_info(p, &info);
    size_t lens[1 + MAX_CHAIN];
    const char *chain[MAX_CHAIN];
    for (uint32_t k = 1 + gen_below(&g, 12); k > 0; k--) {
        lens[0] = some_name(&g, &gp, names[0]);
        size_t n_chain = gen_below(&g, MAX_CHAIN + 1);
        for (size_t h = 0; h < n_chain; h++) {
            lens[1 + h] = some_name(&g, &gp, names[1 + h]);
            chain[h] = names[1 + h];
        }
        struct ref_query q = {.name = names[0],
                              .len = lens[0],
                              .chain = chain,
                              .chain_len = lens + 1,
                              .n_chain = n_chain,
                              .qtype = gen_query_type(&g, &gp),
                              .scope = gen_below(&g, info.n_scopes + 1)};
        char why[1024];
        if (!ref_compare(rp, m, &q, why, sizeof why)) {
            dump_case(why, json.p, &q);
            __builtin_trap();
        }
    }

    ref_policy_free(rp);
    dnsfw_matcher_free(m);
    dnsfw_policy_free(p);
    gb_free(&json);
    return 0;
}
