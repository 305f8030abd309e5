/*
 * Checks of single entries: allow-all, public-suffix-wildcard, open-registration,
 * platform-rejects, and an entry written twice in one list (duplicate).
 */
#include <stdio.h>
#include <string.h>

#include "lint.h"

/* What to use instead of a broad wildcard, when a preset covers its ecosystem. */
static const char *instead_of(const char *suffix)
{
    static const struct {
        const char *suffix, *advice;
    } known[] = {
        {"amazonaws.com", "the aws-REGION presets name the services one by one"},
        {"githubusercontent.com", "the github and ghcr presets name the hosts one by one"},
        {"npmjs.org", "the npm preset names the registry"},
        {"pypi.org", "the pypi preset names the index and the file host"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(suffix, known[i].suffix))
            return known[i].advice;
    return "list the hosts that are needed (dnsfw-lint --presets shows curated lists)";
}

static void wildcard(struct lint *l, const struct occurrence *o, const struct psl_rules *psl)
{
    const char *s = o->text + 2;
    struct strlist icann = {0}, priv = {0};
    psl_rules_below(psl, s, false, &icann);
    if (psl_is_icann(psl, s) || icann.n) {
        struct finding *f =
            psl_is_icann(psl, s)
                ? finding_add(&l->findings, CHECK_PUBLIC_SUFFIX_WILDCARD,
                              "\"%s\" allows every name under the public suffix %s: anyone can "
                              "register one",
                              o->text, s)
                : finding_add(&l->findings, CHECK_PUBLIC_SUFFIX_WILDCARD,
                              "\"%s\" allows every name under the public suffixes below %s "
                              "(%s%s): anyone can register one",
                              o->text, s, icann.v[0], icann.n > 1 ? ", ..." : "");
        lint_about_occurrence(l, f, o);
        for (size_t i = 0; i < icann.n; i++)
            strlist_add(&f->suffixes, icann.v[i]);
        if (!icann.n)
            strlist_add(&f->suffixes, s);
        strlist_free(&icann);
        return;
    }
    strlist_free(&icann);
    psl_rules_below(psl, s, true, &priv);
    bool itself = psl_is_private(psl, s);
    if (itself && !priv.n)
        strlist_add(&priv, s); /* a suffix through a wildcard rule above it */
    if (priv.n) {
        struct finding *f = finding_add(
            &l->findings, CHECK_OPEN_REGISTRATION,
            "\"%s\" covers names anyone can obtain: %zu public suffix%s of the private section "
            "lie%s at or below %s (%s%s); %s",
            o->text, priv.n, priv.n == 1 ? "" : "es", priv.n == 1 ? "s" : "", s, priv.v[0],
            priv.n > 1 ? ", ..." : "", instead_of(s));
        lint_about_occurrence(l, f, o);
        for (size_t i = 0; i < priv.n; i++)
            strlist_add(&f->suffixes, priv.v[i]);
    }
    strlist_free(&priv);
}

/* The platform construct's pattern:
 * ^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$ */
static const char *construct_rejects(const char *w)
{
    size_t n = strlen(w);
    if (!strcmp(w, "*") || !strcmp(w, "*."))
        return "a bare \"*\"";
    if (n && w[n - 1] == '.')
        return "a trailing dot";
    for (size_t i = 0; i < n; i++)
        if (w[i] >= 'A' && w[i] <= 'Z')
            return "upper case";
    const char *p = strncmp(w, "*.", 2) == 0 ? w + 2 : w;
    for (const char *label = p; *label;) {
        size_t len = strcspn(label, ".");
        if (len == 0)
            return "an empty label";
        if (label[0] == '-' || label[len - 1] == '-')
            return "a label that starts or ends with '-'";
        for (size_t i = 0; i < len; i++)
            if (!((label[i] >= 'a' && label[i] <= 'z') || (label[i] >= '0' && label[i] <= '9') ||
                  label[i] == '-'))
                return "a character outside a-z 0-9 -";
        label += len;
        if (*label == '.')
            label++;
    }
    return NULL;
}

static void duplicate(struct lint *l, size_t k)
{
    const struct occurrence *o = &l->occ[k];
    size_t first = lint_find_spec(l, o->list, o->text);
    if (first == SIZE_MAX || first == k || o->preset)
        return; /* presets overlap by design; the first time is no duplicate */
    const struct occurrence *f0 = &l->occ[first];
    char at[600] = "";
    if (f0->preset)
        snprintf(at, sizeof at, "preset %s already brings it", f0->preset);
    else if (f0->where.file)
        snprintf(at, sizeof at, "first at %s:%u:%u%s%s", f0->where.file, f0->where.line,
                 f0->where.column, f0->repo ? " in the allowlist of " : "",
                 f0->repo ? f0->repo : "");
    else
        snprintf(at, sizeof at, "the built-in baseline has it");
    struct finding *f = finding_add(&l->findings, CHECK_DUPLICATE, "\"%s\" is in list %s twice: %s",
                                    o->text, dnsfw_policy_list_name(l->policy, o->list), at);
    lint_about_occurrence(l, f, o);
}

void check_entries(struct lint *l, const struct psl_rules *psl)
{
    for (size_t k = 0; k < l->n_occ; k++) {
        const struct occurrence *o = &l->occ[k];
        duplicate(l, k);
        if (l->tiered && o->list != 2 && !o->preset) {
            const char *why = construct_rejects(o->written);
            if (why) {
                bool rewrite = strcmp(o->text, "*") != 0; /* "*" cannot be written otherwise */
                struct finding *f = finding_add(
                    &l->findings, CHECK_PLATFORM_REJECTS,
                    "the platform's construct rejects \"%s\" at synth time (%s)%s%s%s", o->written,
                    why, rewrite ? "; write \"" : "", rewrite ? o->text : "", rewrite ? "\"" : "");
                lint_about_occurrence(l, f, o);
            }
        }
        if (!l->uses[o->list].allow)
            continue;
        if (!strcmp(o->text, "*")) {
            struct finding *f =
                o->repo ? finding_add(&l->findings, CHECK_ALLOW_ALL,
                                      "\"*\" in the allowlist of %s allows every name, for every "
                                      "repository: the allowlists are one VPC-wide list",
                                      o->repo)
                        : finding_add(&l->findings, CHECK_ALLOW_ALL,
                                      "\"*\" allows every name: nothing after this rule is ever "
                                      "reached");
            lint_about_occurrence(l, f, o);
        } else if (!strncmp(o->text, "*.", 2)) {
            wildcard(l, o, psl);
        }
    }
}
