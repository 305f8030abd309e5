/* The naive reference evaluator (reference.h says what it is and why). */
#include "reference.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

static uint8_t ascii_lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c - 'A' + 'a') : c;
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* --- query names ------------------------------------------------------------------- */

/* Append one decoded octet to the open label; records an overlong label. */
static void put_octet(struct ref_name *n, size_t *cur, uint8_t c, unsigned *errs)
{
    if (*cur == 63) {
        *errs |= REF_ERR_LABELLEN;
        return; /* further octets of this label are only counted */
    }
    if (n->n < REF_LABELS_MAX) {
        n->raw[n->n][*cur] = c;
        n->low[n->n][*cur] = ascii_lower(c);
    }
    (*cur)++;
}

/* Close the open label of *cur octets (the octets beyond 63 were already reported). */
static void close_label(struct ref_name *n, size_t cur, size_t *wire, unsigned *errs)
{
    if (cur == 0) {
        *errs |= REF_ERR_EMPTYLABEL;
        return;
    }
    *wire += 1 + cur;
    if (n->n < REF_LABELS_MAX)
        n->len[n->n] = cur;
    n->n++;
}

unsigned ref_name_parse(const char *text, size_t len, struct ref_name *n)
{
    const uint8_t *s = (const uint8_t *)text;
    unsigned errs = 0;
    size_t wire = 1; /* the root label */
    size_t cur = 0;  /* octets in the open label */
    size_t i = 0;

    n->n = 0;
    if (len == 0)
        return REF_ERR_EMPTYLABEL;
    if (len == 1 && s[0] == '.')
        return 0; /* the root name */

    while (i < len) {
        uint8_t c = s[i];
        if (c == '.') {
            close_label(n, cur, &wire, &errs);
            cur = 0;
            i++;
            if (i == len)
                return (wire > 255 ? REF_ERR_NAMELEN : 0) | errs; /* the trailing dot */
            continue;
        }
        if (c == '\\') {
            if (i + 1 == len) {
                errs |= REF_ERR_ESCAPE;
                break;
            }
            uint8_t d = s[i + 1];
            if (is_digit(d)) {
                if (i + 3 >= len || !is_digit(s[i + 2]) || !is_digit(s[i + 3])) {
                    errs |= REF_ERR_ESCAPE;
                    break;
                }
                unsigned v = (unsigned)(d - '0') * 100 + (unsigned)(s[i + 2] - '0') * 10 +
                             (unsigned)(s[i + 3] - '0');
                if (v > 255) {
                    errs |= REF_ERR_ESCAPE;
                    break;
                }
                put_octet(n, &cur, (uint8_t)v, &errs);
                i += 4;
            } else {
                put_octet(n, &cur, d, &errs);
                i += 2;
            }
            continue;
        }
        put_octet(n, &cur, c, &errs);
        i++;
    }
    /* The last label had no trailing dot (or parsing stopped inside it). */
    if (cur > 0 || !(errs & REF_ERR_ESCAPE))
        close_label(n, cur, &wire, &errs);
    if (wire > 255)
        errs |= REF_ERR_NAMELEN;
    return errs;
}

bool ref_status_allowed(unsigned errs, int status)
{
    switch (status) {
    case DNSFW_EEMPTYLABEL:
        return errs & REF_ERR_EMPTYLABEL;
    case DNSFW_ELABELLEN:
        return errs & REF_ERR_LABELLEN;
    case DNSFW_ENAMELEN:
        return errs & REF_ERR_NAMELEN;
    case DNSFW_EESCAPE:
        return errs & REF_ERR_ESCAPE;
    default:
        return false;
    }
}

/* --- the policy, prepared ---------------------------------------------------------- */

struct ref_spec {
    const char *text; /* as stored */
    dnsfw_entry_kind kind;
    size_t n;                        /* labels of the name (the suffix of "*.suffix") */
    char labels[DNSFW_SPEC_MAX + 1]; /* the labels, lower-cased, each NUL-terminated */
    size_t off[128];                 /* offset of label i in labels (255 characters: 128 labels) */
    size_t len[128];
};

struct ref_list {
    struct ref_spec *specs;
    size_t n;
};

struct ref_rule {
    const struct group *group;
    const struct rule *rule;
    uint32_t group_index;
};

struct ref_policy {
    const dnsfw_policy *p;
    struct ref_list *lists; /* one per policy list, hidden ones included */
    struct ref_rule *order; /* every rule, in evaluation order */
    size_t n_rules;
};

static void split_spec(const char *text, struct ref_spec *sp)
{
    size_t tlen = strlen(text);
    sp->text = text;
    sp->n = 0;
    if (tlen > 0 && text[tlen - 1] == '.')
        tlen--; /* stored specs have none; a stray one must not change the labels */
    if ((tlen == 1 && text[0] == '*')) {
        sp->kind = DNSFW_ENTRY_ALL;
        return;
    }
    size_t start = 0;
    if (tlen >= 2 && text[0] == '*' && text[1] == '.') {
        sp->kind = DNSFW_ENTRY_WILDCARD;
        start = 2;
    } else {
        sp->kind = DNSFW_ENTRY_EXACT;
    }
    size_t o = 0;
    sp->off[0] = 0;
    sp->len[0] = 0;
    for (size_t i = start; i < tlen; i++) {
        if (text[i] == '.') {
            sp->labels[o++] = '\0';
            sp->n++;
            sp->off[sp->n] = o;
            sp->len[sp->n] = 0;
        } else {
            sp->labels[o++] = (char)ascii_lower((uint8_t)text[i]);
            sp->len[sp->n]++;
        }
    }
    sp->labels[o] = '\0';
    sp->n++;
}

void ref_policy_free(struct ref_policy *rp)
{
    if (!rp)
        return;
    for (size_t l = 0; rp->lists && l < rp->p->n_lists; l++)
        free(rp->lists[l].specs);
    free(rp->lists);
    free(rp->order);
    free(rp);
}

struct ref_policy *ref_policy_new(const dnsfw_policy *p)
{
    struct ref_policy *rp = calloc(1, sizeof *rp);
    if (!rp)
        return NULL;
    rp->p = p;
    rp->lists = calloc(p->n_lists + 1, sizeof *rp->lists);
    size_t total = 0;
    for (size_t g = 0; g < p->n_groups; g++)
        total += p->groups[g].n_rules;
    rp->order = calloc(total + 1, sizeof *rp->order);
    if (!rp->lists || !rp->order) {
        ref_policy_free(rp);
        return NULL;
    }
    for (size_t l = 0; l < p->n_lists; l++) {
        const struct strtab *t = &p->lists[l].specs;
        rp->lists[l].specs = calloc(t->count + 1, sizeof *rp->lists[l].specs);
        if (!rp->lists[l].specs) {
            ref_policy_free(rp);
            return NULL;
        }
        for (size_t i = 0; i < t->count; i++)
            split_spec(dnsfw__strtab_get(t, i), &rp->lists[l].specs[i]);
        rp->lists[l].n = t->count;
    }

    /* Evaluation order by selection: repeatedly take the smallest (group priority, rule
     * priority) not taken yet. Quadratic, and obviously right. */
    bool *taken = calloc(total + 1, sizeof *taken);
    if (!taken) {
        ref_policy_free(rp);
        return NULL;
    }
    for (size_t k = 0; k < total; k++) {
        size_t best = SIZE_MAX, idx = 0;
        struct ref_rule pick = {0};
        for (size_t g = 0; g < p->n_groups; g++) {
            for (size_t r = 0; r < p->groups[g].n_rules; r++, idx++) {
                if (taken[idx])
                    continue;
                const struct group *gg = &p->groups[g];
                const struct rule *rr = &gg->rules[r];
                if (best == SIZE_MAX || gg->priority < pick.group->priority ||
                    (gg->priority == pick.group->priority && rr->priority < pick.rule->priority)) {
                    best = idx;
                    pick = (struct ref_rule){.group = gg, .rule = rr, .group_index = (uint32_t)g};
                }
            }
        }
        taken[best] = true;
        rp->order[k] = pick;
    }
    rp->n_rules = total;
    free(taken);
    return rp;
}

/* --- matching ---------------------------------------------------------------------- */

static bool label_eq(const struct ref_name *n, size_t i, const struct ref_spec *sp, size_t j)
{
    return n->len[i] == sp->len[j] && memcmp(n->low[i], sp->labels + sp->off[j], n->len[i]) == 0;
}

/* Whether the last k labels of n equal the k labels of sp. */
static bool ends_with(const struct ref_name *n, const struct ref_spec *sp)
{
    if (n->n < sp->n)
        return false;
    size_t skip = n->n - sp->n;
    for (size_t j = 0; j < sp->n; j++)
        if (!label_eq(n, skip + j, sp, j))
            return false;
    return true;
}

static bool spec_matches(const struct ref_spec *sp, const struct ref_name *n)
{
    switch (sp->kind) {
    case DNSFW_ENTRY_ALL:
        return true;
    case DNSFW_ENTRY_EXACT:
        return n->n == sp->n && ends_with(n, sp);
    case DNSFW_ENTRY_WILDCARD:
        return n->n > sp->n && ends_with(n, sp);
    case DNSFW_ENTRY_NONE:
        break;
    }
    return false;
}

/* The list a rule looks at: under a scope, the tiered rule 200 sees the scope's list. */
static uint32_t rule_list(const struct ref_policy *rp, const struct ref_rule *r, uint32_t scope)
{
    const dnsfw_policy *p = rp->p;
    if (p->is_tiered && scope > 0 && r->group_index == 0 && r->rule->priority == 200)
        return p->scopes[scope - 1].list;
    return r->rule->list;
}

static void decide(const struct ref_policy *rp, const struct ref_name *n, uint16_t qtype,
                   uint32_t scope, struct ref_verdict *v)
{
    *v = (struct ref_verdict){
        .action = DNSFW_ACTION_NONE, .rule = DNSFW_NONE, .list = DNSFW_NONE, .entry = ""};
    for (size_t k = 0; k < rp->n_rules; k++) {
        const struct ref_rule *r = &rp->order[k];
        if (r->rule->qtype != 0 && r->rule->qtype != qtype)
            continue;
        uint32_t l = rule_list(rp, r, scope);
        const struct ref_list *list = &rp->lists[l];
        const struct ref_spec *best = NULL;
        for (size_t i = 0; i < list->n; i++) {
            const struct ref_spec *sp = &list->specs[i];
            if (!spec_matches(sp, n))
                continue;
            /* exact beats every wildcard, a longer suffix a shorter one, "*" comes last */
            if (!best || (sp->kind == DNSFW_ENTRY_EXACT && best->kind != DNSFW_ENTRY_EXACT) ||
                (sp->kind == DNSFW_ENTRY_WILDCARD && best->kind == DNSFW_ENTRY_WILDCARD &&
                 sp->n > best->n) ||
                (sp->kind == DNSFW_ENTRY_WILDCARD && best->kind == DNSFW_ENTRY_ALL))
                best = sp;
        }
        if (!best)
            continue;
        const struct rule *rr = r->rule;
        *v = (struct ref_verdict){
            .action = rr->action,
            .block_response =
                rr->action == DNSFW_ACTION_BLOCK ? rr->block_response : DNSFW_RESPONSE_NONE,
            .rule = (uint32_t)k,
            .list = l,
            .group_name = r->group->name,
            .group_priority = r->group->priority,
            .rule_name = rr->name,
            .rule_priority = rr->priority,
            .list_name = rp->p->lists[l].name,
            .qtype = rr->qtype,
            .redirection = rr->redirection,
            .override_domain = rr->override_domain,
            .override_ttl = rr->override_ttl,
            .entry_kind = best->kind,
            .entry = best->text,
        };
        return;
    }
}

unsigned ref_eval(const struct ref_policy *rp, const char *name, size_t len, uint16_t qtype,
                  uint32_t scope, struct ref_verdict *v)
{
    struct ref_name n;
    unsigned errs = ref_name_parse(name, len, &n);
    if (errs)
        return errs;
    decide(rp, &n, qtype, scope, v);
    return 0;
}

static bool trusts(const struct ref_policy *rp, const struct ref_verdict *v)
{
    return v->rule != DNSFW_NONE && rp->order[v->rule].rule->redirection == DNSFW_REDIRECTION_TRUST;
}

unsigned ref_eval_chain(const struct ref_policy *rp, const char *qname, size_t qname_len,
                        const char *const *chain, const size_t *chain_len, size_t n_chain,
                        uint16_t qtype, uint32_t scope, struct ref_verdict *v, size_t *bad_hop)
{
    *bad_hop = 0;
    unsigned errs = ref_eval(rp, qname, qname_len, qtype, scope, v);
    if (errs)
        return errs;
    /* A BLOCK, or a rule that trusts redirection, settles it without the chain. */
    if (v->action == DNSFW_ACTION_BLOCK || trusts(rp, v))
        return 0;
    struct ref_verdict first_alert;
    bool have_alert = v->action == DNSFW_ACTION_ALERT;
    if (have_alert)
        first_alert = *v;
    for (size_t i = 0; i < n_chain; i++) {
        struct ref_verdict h;
        errs = ref_eval(rp, chain[i], chain_len[i], qtype, scope, &h);
        if (errs) {
            *bad_hop = i + 1;
            return errs;
        }
        h.hop = (uint32_t)(i + 1);
        if (h.action == DNSFW_ACTION_BLOCK) {
            *v = h;
            return 0;
        }
        if (h.action == DNSFW_ACTION_ALERT && !have_alert) {
            first_alert = h;
            have_alert = true;
        }
        if (trusts(rp, &h))
            break; /* the rest of the chain is trusted */
    }
    if (have_alert)
        *v = first_alert;
    return 0;
}

/* --- comparing with the library ---------------------------------------------------- */

void ref_quote(const char *s, size_t len, char *out, size_t size)
{
    size_t o = 0;
    if (size == 0)
        return;
    for (size_t i = 0; i < len && o + 5 < size; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c == '"' || c == '\\')
            o += (size_t)snprintf(out + o, size - o, "\\%c", c);
        else if (c < 0x20 || c > 0x7e)
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    out[o] = '\0';
}

static bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

#define DIFF(...)                                                                                  \
    do {                                                                                           \
        snprintf(why, size, __VA_ARGS__);                                                          \
        return false;                                                                              \
    } while (0)

#define S(x) ((x) ? (x) : "(null)")

static bool same_verdict(const struct ref_policy *rp, const dnsfw_matcher *m, uint32_t scope,
                         const struct ref_verdict *r, const dnsfw_verdict *v, const char *what,
                         char *why, size_t size)
{
    if (v->action != r->action)
        DIFF("%s: action %s, reference %s (reference rule %s/%u entry \"%s\")", what,
             dnsfw_action_name(v->action), dnsfw_action_name(r->action), S(r->group_name),
             r->rule_priority, r->entry);
    if (v->block_response != r->block_response)
        DIFF("%s: block_response %d, reference %d", what, (int)v->block_response,
             (int)r->block_response);
    if (v->rule != r->rule)
        DIFF("%s: rule index %u, reference %u", what, v->rule, r->rule);
    if (v->hop != r->hop)
        DIFF("%s: hop %u, reference %u", what, v->hop, r->hop);
    if (v->entry_kind != r->entry_kind)
        DIFF("%s: entry kind %d, reference %d (\"%s\")", what, (int)v->entry_kind,
             (int)r->entry_kind, r->entry);
    /* Under a scope the library may number the blueprint's own list as it likes; the
     * list's name is compared below. */
    if (scope == 0 && v->domain_list != r->list)
        DIFF("%s: domain_list %u, reference %u", what, v->domain_list, r->list);

    dnsfw_explanation e;
    int rc = dnsfw_explain(m, v, scope, &e);
    if (rc != DNSFW_OK)
        DIFF("%s: dnsfw_explain failed: %s", what, dnsfw_strerror(rc));
    const char *scope_name = scope ? rp->p->scopes[scope - 1].repo : NULL;
    if (!str_eq(e.scope, scope_name))
        DIFF("%s: explanation scope %s, reference %s", what, S(e.scope), S(scope_name));
    if (!str_eq(e.rule_group, r->group_name) || e.group_priority != r->group_priority)
        DIFF("%s: rule group %s/%u, reference %s/%u", what, S(e.rule_group), e.group_priority,
             S(r->group_name), r->group_priority);
    if (!str_eq(e.rule, r->rule_name) || e.rule_priority != r->rule_priority)
        DIFF("%s: rule %s/%u, reference %s/%u", what, S(e.rule), e.rule_priority, S(r->rule_name),
             r->rule_priority);
    if (!str_eq(e.domain_list, r->list_name))
        DIFF("%s: domain list %s, reference %s", what, S(e.domain_list), S(r->list_name));
    if (strcmp(e.entry, r->entry) != 0)
        DIFF("%s: entry \"%s\", reference \"%s\"", what, e.entry, r->entry);
    if (e.qtype != r->qtype || e.redirection != r->redirection)
        DIFF("%s: rule qtype/redirection %u/%d, reference %u/%d", what, e.qtype, (int)e.redirection,
             r->qtype, (int)r->redirection);
    if (!str_eq(e.override_domain, r->override_domain) || e.override_ttl != r->override_ttl)
        DIFF("%s: override %s/%u, reference %s/%u", what, S(e.override_domain), e.override_ttl,
             S(r->override_domain), r->override_ttl);
    return true;
}

static bool same_status(unsigned errs, int rc, const char *what, char *why, size_t size)
{
    if (errs == 0 && rc != DNSFW_OK)
        DIFF("%s: status %s, reference: well-formed", what, dnsfw_strerror(rc));
    if (errs != 0 && !ref_status_allowed(errs, rc))
        DIFF("%s: status %s (%d), reference: malformed, defect set 0x%x", what, dnsfw_strerror(rc),
             rc, errs);
    return true;
}

bool ref_compare(const struct ref_policy *rp, const dnsfw_matcher *m, const struct ref_query *q,
                 char *why, size_t size)
{
    struct ref_verdict r;
    dnsfw_verdict v;
    unsigned errs;
    int rc;

    /* The name alone. */
    errs = ref_eval(rp, q->name, q->len, q->qtype, q->scope, &r);
    memset(&v, 0xA5, sizeof v);
    rc = dnsfw_eval(m, q->name, q->len, q->qtype, q->scope, &v);
    if (!same_status(errs, rc, "dnsfw_eval", why, size))
        return false;
    if (!errs && !same_verdict(rp, m, q->scope, &r, &v, "dnsfw_eval", why, size))
        return false;

    /* The same query as a batch of one (test_differential.c batches many at once). */
    dnsfw_query one = {.name = q->name, .len = q->len, .qtype = q->qtype, .scope = q->scope};
    int one_rc = 12345;
    memset(&v, 0xA5, sizeof v);
    rc = dnsfw_eval_batch(m, &one, 1, &v, &one_rc);
    if (rc != one_rc)
        DIFF("dnsfw_eval_batch: returned %d, its status says %d", rc, one_rc);
    if (!same_status(errs, rc, "dnsfw_eval_batch", why, size))
        return false;
    if (!errs && !same_verdict(rp, m, q->scope, &r, &v, "dnsfw_eval_batch", why, size))
        return false;
    if (errs && (v.action != DNSFW_ACTION_NONE || v.rule != DNSFW_NONE))
        DIFF("dnsfw_eval_batch: a failed query's verdict is not a no-match verdict");

    /* The same name in wire form, with its letters as written. */
    if (!errs) {
        struct ref_name n;
        uint8_t wire[300];
        size_t o = 0;
        ref_name_parse(q->name, q->len, &n);
        for (size_t i = 0; i < n.n; i++) {
            wire[o++] = (uint8_t)n.len[i];
            memcpy(wire + o, n.raw[i], n.len[i]);
            o += n.len[i];
        }
        wire[o++] = 0;
        memset(&v, 0xA5, sizeof v);
        rc = dnsfw_eval_wire(m, wire, o, q->qtype, q->scope, &v);
        if (rc != DNSFW_OK)
            DIFF("dnsfw_eval_wire: status %s for a well-formed name", dnsfw_strerror(rc));
        if (!same_verdict(rp, m, q->scope, &r, &v, "dnsfw_eval_wire", why, size))
            return false;
    }

    /* With the redirection chain (possibly empty). */
    size_t ref_bad = 0, bad = 99;
    errs = ref_eval_chain(rp, q->name, q->len, q->chain, q->chain_len, q->n_chain, q->qtype,
                          q->scope, &r, &ref_bad);
    memset(&v, 0xA5, sizeof v);
    rc = dnsfw_eval_chain(m, q->name, q->len, q->chain, q->chain_len, q->n_chain, q->qtype,
                          q->scope, &v, &bad);
    if (!same_status(errs, rc, "dnsfw_eval_chain", why, size))
        return false;
    if (errs && bad != ref_bad)
        DIFF("dnsfw_eval_chain: bad_hop %zu, reference %zu", bad, ref_bad);
    if (!errs && bad != 0)
        DIFF("dnsfw_eval_chain: bad_hop %zu on success", bad);
    if (!errs && !same_verdict(rp, m, q->scope, &r, &v, "dnsfw_eval_chain", why, size))
        return false;
    return true;
}
