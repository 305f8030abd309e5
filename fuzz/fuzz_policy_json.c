/*
 * Fuzz target: the policy JSON loader, the dumper and the compiled matcher.
 *
 * Input: the text of a policy (at most 64 KiB). A policy that loads is checked against
 * what its getters promise, compiled, and evaluated for a set of probe names (fixed
 * ones, plus names made from the policy's own domain specs) against a brute-force
 * reading of the same policy. Then it is dumped, the dump is reloaded and dumped again
 * (byte-identical), the two policies must read the same through every getter, and both
 * matchers must give every probe the same verdict and explanation. A policy that fails
 * to load must say why and where (status, message, a line and column inside the text).
 *
 * `{ "file": PATH }` lists resolve against a private temporary directory that holds the
 * fixed list files below, so that the list-file reader is fuzzed as well. Inputs that
 * name a PATH containing '/' are skipped: an absolute path ignores base_dir, so even a
 * non-existent base_dir would let the fuzzer read /dev/zero or /dev/stdin.
 */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsfw/dnsfw.h"
#include "policy.h" /* only for the hidden per-blueprint lists that scopes evaluate */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT  65536
#define MAX_PROBES 64
#define MAX_QTYPES 7
#define MAX_SCOPES 3 /* DNSFW_SCOPE_ALL and the first two blueprints */
#define MAX_LABELS 128

#define SOURCE "fuzz.json"

static void remove_list_dir(void);

__attribute__((noreturn, format(printf, 3, 4))) static void die(int line, const char *expr,
                                                                const char *fmt, ...)
{
    va_list ap;
    remove_list_dir(); /* abort() skips atexit() */
    fprintf(stderr, "fuzz_policy_json.c:%d: check failed: %s\n  ", line, expr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

#define CHECK(cond, ...) ((cond) ? (void)0 : die(__LINE__, #cond, __VA_ARGS__))

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static const char *str_or(const char *s)
{
    return s ? s : "(null)";
}

/* --- the list-file directory ------------------------------------------------------- */

static const struct {
    const char *name;
    const char *text;
} list_files[] = {
    {"list.txt", "# a list file\n\nexample.com\n*.Example.ORG.\n  padded.example.net \t\r\n*\n"},
    {"crlf.txt", "a.example\r\nb.example\r\n\r\n# end\r\n"},
    {"bad.txt", "good.example\n*bad.example\n"},
    {"bad-indent.txt", "ok.example\n\t  a..b.example\n"},
    {"nonascii.txt", "ok.example\n  b\xc3\xbc"
                     "cher.example\n"},
    {"empty.txt", ""},
    {"long.txt", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example\n"
                 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example\n"},
};

static char list_dir[512];

static void remove_list_dir(void)
{
    char path[1024];
    if (!list_dir[0] || strstr(list_dir, "XXXXXX"))
        return; /* not made (yet) */
    for (size_t i = 0; i < sizeof list_files / sizeof list_files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", list_dir, list_files[i].name);
        unlink(path);
    }
    rmdir(list_dir);
}

static void make_list_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(list_dir, sizeof list_dir, "%s/dnsfw-fuzz-lists-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    CHECK(mkdtemp(list_dir), "cannot create %s", list_dir);
    for (size_t i = 0; i < sizeof list_files / sizeof list_files[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", list_dir, list_files[i].name);
        FILE *f = fopen(path, "wb");
        CHECK(f, "cannot create %s", path);
        fputs(list_files[i].text, f);
        CHECK(fclose(f) == 0, "cannot write %s", path);
    }
    atexit(remove_list_dir);
}

/* No "file" member anywhere names a path outside the list directory. */
static bool paths_confined(const cJSON *item)
{
    for (const cJSON *c = item->child; c; c = c->next) {
        if (c->string && strcmp(c->string, "file") == 0 && cJSON_IsString(c) &&
            strchr(c->valuestring, '/'))
            return false;
        if (!paths_confined(c))
            return false;
    }
    return true;
}

/* --- error details ------------------------------------------------------------------ */

/* line:column is a position in text (the end of text included); line 0 means unknown. */
static void check_position(const char *what, const char *text, size_t len, uint32_t line,
                           uint32_t col)
{
    CHECK(line >= 1 && col >= 1, "%s: no position (%u:%u)", what, line, col);
    size_t start = 0;
    for (uint32_t l = 1; l < line; l++) {
        const char *nl = memchr(text + start, '\n', len - start);
        CHECK(nl, "%s: line %u is past the end of the text", what, line);
        start = (size_t)(nl - text) + 1;
    }
    const char *nl = memchr(text + start, '\n', len - start);
    size_t line_len = (nl ? (size_t)(nl - text) : len) - start;
    CHECK(col <= line_len + 1, "%s: column %u is past the end of line %u (%zu bytes)", what, col,
          line, line_len);
}

static void check_load_error(int rc, const dnsfw_policy *p, const dnsfw_error *err,
                             const char *text, size_t len)
{
    CHECK(p == NULL, "a failed load returned a policy");
    CHECK(rc == DNSFW_EPARSE || rc == DNSFW_EENCODING || rc == DNSFW_ESCHEMA ||
              rc == DNSFW_EBADSPEC || rc == DNSFW_EDUPLICATE || rc == DNSFW_ENOTFOUND ||
              rc == DNSFW_ELIMIT || rc == DNSFW_EQTYPE || rc == DNSFW_EIO,
          "undocumented status %d (%s)", rc, dnsfw_strerror(rc));
    CHECK(err->status == rc, "err.status %d, returned %d", err->status, rc);
    CHECK(memchr(err->message, '\0', sizeof err->message), "message not terminated");
    CHECK(memchr(err->file, '\0', sizeof err->file), "file not terminated");
    CHECK(err->message[0], "empty message for status %d", rc);
    if (strcmp(err->file, SOURCE) == 0) {
        check_position(err->message, text, len, err->line, err->column);
        return;
    }
    /* Otherwise the error is inside one of the list files, at its own line and column. */
    size_t dl = strlen(list_dir);
    CHECK(strncmp(err->file, list_dir, dl) == 0 && err->file[dl] == '/',
          "error in unexpected file \"%s\": %s", err->file, err->message);
    for (size_t i = 0; i < sizeof list_files / sizeof list_files[0]; i++) {
        if (strcmp(err->file + dl + 1, list_files[i].name) == 0) {
            CHECK(rc == DNSFW_EBADSPEC, "status %d in a list file", rc);
            check_position(err->message, list_files[i].text, strlen(list_files[i].text), err->line,
                           err->column);
            return;
        }
    }
    CHECK(0, "error in unknown list file \"%s\"", err->file);
}

/* --- reading a policy through its getters ------------------------------------------ */

struct rule_ref {
    uint32_t group;
    dnsfw_group_info gi;
    dnsfw_rule_def d;
};

struct model {
    const dnsfw_policy *p;
    dnsfw_policy_info info;
    struct rule_ref *rules; /* evaluation order */
    size_t n_rules;
};

/* List l as a scope sees it: public lists through the getters, hidden ones directly. */
static uint32_t scoped_list(const struct model *m, uint32_t list, uint32_t scope)
{
    if (scope == DNSFW_SCOPE_ALL || !m->info.tiered || list != 1)
        return list;
    return m->p->scopes[scope - 1].list;
}

static size_t list_size(const struct model *m, uint32_t list)
{
    if (list < m->info.n_lists)
        return dnsfw_policy_list_size(m->p, list);
    return m->p->lists[list].specs.count;
}

static const char *list_spec(const struct model *m, uint32_t list, size_t i)
{
    if (list < m->info.n_lists)
        return dnsfw_policy_list_spec(m->p, list, i);
    return dnsfw__strtab_get(&m->p->lists[list].specs, i);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A list holds normalised specs, each once. */
static void check_list(const struct model *m, uint32_t list)
{
    size_t n = list_size(m, list);
    const char **sorted = malloc((n ? n : 1) * sizeof *sorted);
    CHECK(sorted, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *s = list_spec(m, list, i);
        CHECK(s, "list %u has no spec %zu of %zu", list, i, n);
        char norm[DNSFW_SPEC_MAX + 1];
        const char *reason = NULL;
        int rc = dnsfw_spec_normalize(s, strlen(s), norm, sizeof norm, &reason);
        CHECK(rc == DNSFW_OK && strcmp(norm, s) == 0, "stored spec \"%s\" is not normal: %s", s,
              rc ? str_or(reason) : norm);
        sorted[i] = s;
    }
    qsort(sorted, n, sizeof *sorted, cmp_str);
    for (size_t i = 1; i < n; i++)
        CHECK(strcmp(sorted[i - 1], sorted[i]) != 0, "list %u holds \"%s\" twice", list, sorted[i]);
    free(sorted);
}

static void model_init(struct model *m, const dnsfw_policy *p)
{
    memset(m, 0, sizeof *m);
    m->p = p;
    dnsfw_policy_get_info(p, &m->info);
    const dnsfw_policy_info *info = &m->info;
    CHECK(info->tiered == 0 || info->tiered == 1, "tiered is %d", info->tiered);
    CHECK(info->fail_open == 0 || info->fail_open == 1, "fail_open is %d", info->fail_open);
    CHECK(info->tiered || info->n_scopes == 0, "scopes in a general policy");
    CHECK(!info->tiered || (info->n_lists == 3 && info->n_groups == 1),
          "tiered policy with %u lists and %u groups", info->n_lists, info->n_groups);
    CHECK(dnsfw_policy_list_name(p, info->n_lists) == NULL, "list past the end");
    CHECK(dnsfw_policy_scope_name(p, info->n_scopes) == NULL, "scope past the end");

    size_t n_specs = 0;
    for (uint32_t l = 0; l < info->n_lists; l++) {
        CHECK(dnsfw_policy_list_name(p, l), "list %u has no name", l);
        n_specs += dnsfw_policy_list_size(p, l);
        check_list(m, l);
    }
    CHECK(n_specs == info->n_specs, "n_specs %zu, lists hold %zu", info->n_specs, n_specs);
    for (uint32_t s = 1; s <= info->n_scopes; s++) {
        const char *repo = dnsfw_policy_scope_name(p, s - 1);
        CHECK(repo && repo[0], "scope %u has no name", s);
        check_list(m, scoped_list(m, 1, s));
        CHECK(list_size(m, scoped_list(m, 1, s)) > 0, "scope %s has an empty list", repo);
    }

    /* Groups by association priority (unique), rules as the getter sorts them. */
    uint32_t *order = malloc((info->n_groups ? info->n_groups : 1) * sizeof *order);
    CHECK(order, "out of memory");
    size_t n_rules = 0;
    for (uint32_t g = 0; g < info->n_groups; g++) {
        dnsfw_group_info gi;
        CHECK(dnsfw_policy_get_group(p, g, &gi) == DNSFW_OK, "group %u", g);
        CHECK(gi.name && gi.priority >= 1 && gi.priority <= 10000, "group %u: %s priority %u", g,
              str_or(gi.name), gi.priority);
        n_rules += gi.n_rules;
        uint32_t at = g;
        for (; at > 0; at--) {
            dnsfw_group_info o;
            CHECK(dnsfw_policy_get_group(p, order[at - 1], &o) == DNSFW_OK, "group");
            CHECK(o.priority != gi.priority, "groups share priority %u", o.priority);
            if (o.priority < gi.priority)
                break;
            order[at] = order[at - 1];
        }
        order[at] = g;
    }
    dnsfw_group_info none;
    CHECK(dnsfw_policy_get_group(p, info->n_groups, &none) == DNSFW_EINVAL, "group past end");

    m->rules = calloc(n_rules ? n_rules : 1, sizeof *m->rules);
    CHECK(m->rules, "out of memory");
    for (uint32_t k = 0; k < info->n_groups; k++) {
        dnsfw_group_info gi;
        CHECK(dnsfw_policy_get_group(p, order[k], &gi) == DNSFW_OK, "group");
        for (uint32_t i = 0; i < gi.n_rules; i++) {
            struct rule_ref *r = &m->rules[m->n_rules++];
            r->group = order[k];
            r->gi = gi;
            CHECK(dnsfw_policy_get_rule(p, order[k], i, &r->d) == DNSFW_OK, "rule %u", i);
            const dnsfw_rule_def *d = &r->d;
            CHECK(i == 0 || r[-1].d.priority < d->priority, "rules of %s not sorted", gi.name);
            CHECK(d->priority >= 1 && d->priority <= 2147483647u, "rule priority %u", d->priority);
            CHECK(d->name || info->tiered, "general rule without a name");
            if (d->threat) /* an Advanced rule: a protection, a threshold, no list */
                CHECK(d->domain_list == DNSFW_NONE && d->action != DNSFW_ACTION_ALLOW &&
                          d->threat < DNSFW_THREAT_COUNT && d->confidence >= DNSFW_CONFIDENCE_LOW &&
                          d->confidence <= DNSFW_CONFIDENCE_HIGH,
                      "Advanced rule: list %u, action %d, threat %d, confidence %d", d->domain_list,
                      (int)d->action, (int)d->threat, (int)d->confidence);
            else
                CHECK(d->domain_list < info->n_lists && d->confidence == DNSFW_CONFIDENCE_NONE,
                      "rule looks at list %u of %u", d->domain_list, info->n_lists);
            CHECK(d->action == DNSFW_ACTION_ALLOW || d->action == DNSFW_ACTION_ALERT ||
                      d->action == DNSFW_ACTION_BLOCK,
                  "rule action %d", (int)d->action);
            CHECK((d->action == DNSFW_ACTION_BLOCK) == (d->block_response != DNSFW_RESPONSE_NONE),
                  "action %d with response %d", (int)d->action, (int)d->block_response);
            CHECK((d->block_response == DNSFW_RESPONSE_OVERRIDE) == (d->override_domain != NULL),
                  "override domain with response %d", (int)d->block_response);
            CHECK(d->override_ttl <= 604800, "override TTL %u", d->override_ttl);
            CHECK(d->qtype != 65535, "qtype 65535");
        }
        dnsfw_rule_def dd;
        CHECK(dnsfw_policy_get_rule(p, order[k], gi.n_rules, &dd) == DNSFW_EINVAL, "rule past end");
    }
    free(order);
}

static void model_free(struct model *m)
{
    free(m->rules);
}

static void same_rule(const dnsfw_rule_def *a, const dnsfw_rule_def *b)
{
    CHECK(str_eq(a->name, b->name) && a->priority == b->priority && a->action == b->action &&
              a->domain_list == b->domain_list && a->qtype == b->qtype &&
              a->redirection == b->redirection && a->block_response == b->block_response &&
              str_eq(a->override_domain, b->override_domain) &&
              a->override_ttl == b->override_ttl && a->threat == b->threat &&
              a->confidence == b->confidence,
          "rule %s/%u changed in the round trip", str_or(a->name), a->priority);
}

/* Two policies read the same through every getter (the hidden scope lists included). */
static void same_policy(const struct model *a, const struct model *b)
{
    const dnsfw_policy_info *x = &a->info, *y = &b->info;
    CHECK(x->tiered == y->tiered && x->mode == y->mode && x->fail_open == y->fail_open &&
              x->n_lists == y->n_lists && x->n_groups == y->n_groups &&
              x->n_scopes == y->n_scopes && x->n_specs == y->n_specs,
          "info changed: tiered %d/%d mode %d/%d fail_open %d/%d lists %u/%u groups %u/%u "
          "scopes %u/%u specs %zu/%zu",
          x->tiered, y->tiered, (int)x->mode, (int)y->mode, x->fail_open, y->fail_open, x->n_lists,
          y->n_lists, x->n_groups, y->n_groups, x->n_scopes, y->n_scopes, x->n_specs, y->n_specs);
    for (uint32_t s = 0; s <= x->n_scopes; s++) {
        CHECK(s == 0 || str_eq(dnsfw_policy_scope_name(a->p, s - 1),
                               dnsfw_policy_scope_name(b->p, s - 1)),
              "scope %u renamed", s);
        for (uint32_t l = s ? 1 : 0; l < (s ? 2 : x->n_lists); l++) {
            uint32_t la = scoped_list(a, l, s), lb = scoped_list(b, l, s);
            CHECK(s || str_eq(dnsfw_policy_list_name(a->p, l), dnsfw_policy_list_name(b->p, l)),
                  "list %u renamed", l);
            size_t n = list_size(a, la);
            CHECK(n == list_size(b, lb), "list %u (scope %u) has %zu specs, then %zu", l, s, n,
                  list_size(b, lb));
            for (size_t i = 0; i < n; i++)
                CHECK(strcmp(list_spec(a, la, i), list_spec(b, lb, i)) == 0,
                      "list %u (scope %u) spec %zu: \"%s\", then \"%s\"", l, s, i,
                      list_spec(a, la, i), list_spec(b, lb, i));
        }
    }
    CHECK(a->n_rules == b->n_rules, "%zu rules, then %zu", a->n_rules, b->n_rules);
    for (size_t i = 0; i < a->n_rules; i++) {
        CHECK(str_eq(a->rules[i].gi.name, b->rules[i].gi.name) &&
                  a->rules[i].gi.priority == b->rules[i].gi.priority,
              "group of rule %zu changed", i);
        same_rule(&a->rules[i].d, &b->rules[i].d);
    }
}

/* --- probe names -------------------------------------------------------------------- */

struct probe {
    char text[DNSFW_SPEC_MAX + 8];
    size_t len;
    char norm[DNSFW_NAME_TEXT_MAX];
    const char *label[MAX_LABELS]; /* into norm, escaped text form, not terminated */
    size_t label_len[MAX_LABELS];
    size_t n_labels;
};

static struct probe probes[MAX_PROBES];
static size_t n_probes;

static const char *const fixed_probes[] = {
    "example.com",
    "www.example.com",
    "a.b.example.com",
    "com",
    ".",
    "github.com",
    "api.github.com",
    "raw.githubusercontent.com",
    "registry.npmjs.org",
    "x.pypi.org",
    "s3.amazonaws.com",
    "placeholder.invalid",
    "_dmarc.example.com",
    "a\\.b.example.com",
    "xn--bcher-kva.example",
    "npm.internal.example.com",
    "x.private-registry.io",
};

/* Split a normalised name ("a\.b.example.com.") into its labels, escapes understood. */
static void split_labels(struct probe *pr)
{
    pr->n_labels = 0;
    if (strcmp(pr->norm, ".") == 0)
        return;
    const char *s = pr->norm, *start = s;
    for (; *s; s++) {
        if (*s == '\\') {
            s += (s[1] >= '0' && s[1] <= '9') ? 3 : 1;
        } else if (*s == '.') {
            CHECK(pr->n_labels < MAX_LABELS, "too many labels in %s", pr->norm);
            pr->label[pr->n_labels] = start;
            pr->label_len[pr->n_labels++] = (size_t)(s - start);
            start = s + 1;
        }
    }
}

/* Add a probe name; a name made from a spec must be valid exactly when it fits. */
static void add_probe(const char *text, size_t len, bool from_spec)
{
    if (n_probes == MAX_PROBES || len >= sizeof probes[0].text)
        return;
    struct probe *pr = &probes[n_probes];
    memcpy(pr->text, text, len);
    pr->text[len] = '\0';
    pr->len = len;
    size_t nlen;
    int rc = dnsfw_name_normalize(text, len, pr->norm, sizeof pr->norm, &nlen);
    if (from_spec) {
        CHECK(rc == (len <= 253 ? DNSFW_OK : DNSFW_ENAMELEN), "name \"%s\" (%zu): status %d",
              pr->text, len, rc);
    } else {
        CHECK(rc == DNSFW_OK, "fixed probe %s: %d", text, rc);
    }
    if (rc)
        return;
    for (size_t i = 0; i < n_probes; i++)
        if (strcmp(probes[i].norm, pr->norm) == 0)
            return;
    split_labels(pr);
    n_probes++;
}

static void add_probes_from_spec(const char *spec)
{
    char name[DNSFW_SPEC_MAX + 8];
    size_t len = strlen(spec);
    if (strcmp(spec, "*") == 0)
        return;
    if (spec[0] == '*') {
        name[0] = 'a';
        memcpy(name + 1, spec + 1, len); /* "a.suffix" */
        add_probe(name, len, true);
        add_probe(spec + 2, len - 2, true); /* the suffix itself never matches */
    } else {
        add_probe(spec, len, true);
    }
}

static void collect_probes(const struct model *m)
{
    n_probes = 0;
    for (size_t i = 0; i < sizeof fixed_probes / sizeof fixed_probes[0]; i++)
        add_probe(fixed_probes[i], strlen(fixed_probes[i]), false);
    /* Round robin over the lists so that a long list does not crowd the others out. */
    for (size_t i = 0; n_probes < MAX_PROBES; i++) {
        bool any = false;
        for (uint32_t l = 0; l < m->info.n_lists && n_probes < MAX_PROBES; l++) {
            if (i < list_size(m, l)) {
                any = true;
                add_probes_from_spec(list_spec(m, l, i));
            }
        }
        if (!any)
            break;
    }
}

/* --- the brute-force reading of a policy ------------------------------------------- */

/* Does a normalised spec match the probe? How specific is the match (higher = closer)? */
static int spec_match(const char *spec, const struct probe *pr)
{
    if (strcmp(spec, "*") == 0)
        return 1;
    bool wild = spec[0] == '*';
    const char *s = wild ? spec + 2 : spec;
    size_t n = 0; /* labels matched from the right */
    for (const char *end = s + strlen(s);;) {
        const char *b = end;
        while (b > s && b[-1] != '.')
            b--;
        if (n >= pr->n_labels)
            return 0;
        const char *l = pr->label[pr->n_labels - 1 - n];
        size_t ll = pr->label_len[pr->n_labels - 1 - n];
        if (ll != (size_t)(end - b) || memcmp(l, b, ll) != 0)
            return 0;
        n++;
        if (b == s)
            break;
        end = b - 1;
    }
    if (wild)
        return n < pr->n_labels ? 1 + (int)n : 0;
    return n == pr->n_labels ? 1000 : 0;
}

/* The most specific entry of a list that matches the probe, or NULL. */
static const char *best_entry(const struct model *m, uint32_t list, const struct probe *pr)
{
    const char *best = NULL;
    int best_rank = 0;
    for (size_t i = 0, n = list_size(m, list); i < n; i++) {
        const char *s = list_spec(m, list, i);
        int r = spec_match(s, pr);
        CHECK(r == 0 || r != best_rank, "two entries of list %u match %s equally: %s, %s", list,
              pr->norm, str_or(best), s);
        if (r > best_rank) {
            best_rank = r;
            best = s;
        }
    }
    return best;
}

static dnsfw_entry_kind kind_of(const char *spec)
{
    if (spec[0] != '*')
        return DNSFW_ENTRY_EXACT;
    return spec[1] ? DNSFW_ENTRY_WILDCARD : DNSFW_ENTRY_ALL;
}

/* The verdict and its explanation agree with the first rule that matches by brute force. */
struct best_cache {
    const char **entry; /* per list: best_entry(), once known */
    bool *known;
};

static void check_verdict(const struct model *m, const dnsfw_matcher *mt, const struct probe *pr,
                          uint16_t qtype, uint32_t scope, const dnsfw_verdict *v,
                          struct best_cache *c)
{
    const char **best = c->entry;
    bool *done = c->known;
    size_t want = SIZE_MAX;
    uint32_t want_list = DNSFW_NONE;
    for (size_t r = 0; r < m->n_rules && want == SIZE_MAX; r++) {
        const dnsfw_rule_def *d = &m->rules[r].d;
        if (d->threat || (d->qtype && d->qtype != qtype))
            continue; /* Advanced rules decide through dnsfw_eval_threats() only */
        uint32_t l = scoped_list(m, d->domain_list, scope);
        if (!done[l]) {
            best[l] = best_entry(m, l, pr);
            done[l] = true;
        }
        if (best[l]) {
            want = r;
            want_list = l;
        }
    }

    dnsfw_explanation ex;
    CHECK(dnsfw_explain(mt, v, scope, &ex) == DNSFW_OK, "explain failed");
    CHECK(str_eq(ex.scope, scope ? dnsfw_policy_scope_name(m->p, scope - 1) : NULL),
          "explanation scope %s", str_or(ex.scope));
    CHECK(v->hop == 0, "hop %u for a single name", v->hop);
    if (want == SIZE_MAX) {
        CHECK(v->action == DNSFW_ACTION_NONE && v->rule == DNSFW_NONE &&
                  v->domain_list == DNSFW_NONE && v->entry_kind == DNSFW_ENTRY_NONE &&
                  v->block_response == DNSFW_RESPONSE_NONE,
              "%s type %u scope %u: expected no match, got action %d rule %u entry \"%s\"",
              pr->norm, qtype, scope, (int)v->action, v->rule, ex.entry);
        CHECK(ex.rule_group == NULL && ex.rule == NULL && ex.domain_list == NULL &&
                  ex.entry[0] == '\0',
              "explanation of no match names something");
    } else {
        const struct rule_ref *r = &m->rules[want];
        const char *entry = best[want_list];
        CHECK(v->rule == want, "%s type %u scope %u: rule %u (%s), expected %zu (%s/%u, %s)",
              pr->norm, qtype, scope, v->rule, ex.entry, want, r->gi.name, r->d.priority, entry);
        CHECK(v->action == r->d.action && v->block_response == r->d.block_response,
              "action %d/%d, rule says %d/%d", (int)v->action, (int)v->block_response,
              (int)r->d.action, (int)r->d.block_response);
        CHECK(scope || v->domain_list == r->d.domain_list, "domain_list %u, rule says %u",
              v->domain_list, r->d.domain_list);
        CHECK(v->entry_kind == kind_of(entry), "entry kind %d for %s", (int)v->entry_kind, entry);
        CHECK(strcmp(ex.entry, entry) == 0, "%s: entry \"%s\", expected \"%s\"", pr->norm, ex.entry,
              entry);
        CHECK(str_eq(ex.rule_group, r->gi.name) && ex.group_priority == r->gi.priority &&
                  str_eq(ex.rule, r->d.name) && ex.rule_priority == r->d.priority &&
                  str_eq(ex.domain_list, dnsfw_policy_list_name(m->p, r->d.domain_list)) &&
                  ex.qtype == r->d.qtype && ex.redirection == r->d.redirection &&
                  str_eq(ex.override_domain, r->d.override_domain) &&
                  ex.override_ttl == r->d.override_ttl,
              "explanation %s/%s/%u/%s does not describe rule %s/%s/%u/%s", str_or(ex.rule_group),
              str_or(ex.rule), ex.rule_priority, str_or(ex.domain_list), r->gi.name,
              str_or(r->d.name), r->d.priority, dnsfw_policy_list_name(m->p, r->d.domain_list));
    }
}

static void same_verdict(const dnsfw_matcher *ma, const dnsfw_verdict *a, const dnsfw_matcher *mb,
                         const dnsfw_verdict *b, uint32_t scope, const char *what)
{
    CHECK(a->action == b->action && a->block_response == b->block_response && a->rule == b->rule &&
              a->domain_list == b->domain_list && a->entry_kind == b->entry_kind &&
              a->hop == b->hop,
          "%s: verdicts differ: action %d/%d rule %u/%u list %u/%u kind %d/%d hop %u/%u", what,
          (int)a->action, (int)b->action, a->rule, b->rule, a->domain_list, b->domain_list,
          (int)a->entry_kind, (int)b->entry_kind, a->hop, b->hop);
    dnsfw_explanation x, y;
    CHECK(dnsfw_explain(ma, a, scope, &x) == DNSFW_OK && dnsfw_explain(mb, b, scope, &y) == 0,
          "%s: explain failed", what);
    CHECK(str_eq(x.rule_group, y.rule_group) && x.group_priority == y.group_priority &&
              str_eq(x.rule, y.rule) && x.rule_priority == y.rule_priority &&
              str_eq(x.domain_list, y.domain_list) && str_eq(x.scope, y.scope) &&
              x.qtype == y.qtype && x.redirection == y.redirection &&
              str_eq(x.override_domain, y.override_domain) && x.override_ttl == y.override_ttl &&
              strcmp(x.entry, y.entry) == 0,
          "%s: explanations differ: %s/%s/%u/%s/%s vs %s/%s/%u/%s/%s", what, str_or(x.rule_group),
          str_or(x.rule), x.rule_priority, str_or(x.domain_list), x.entry, str_or(y.rule_group),
          str_or(y.rule), y.rule_priority, str_or(y.domain_list), y.entry);
}

/* The query types worth asking: A, AAAA, TXT and every type a rule names. */
static size_t collect_qtypes(const struct model *m, uint16_t *qt)
{
    size_t n = 0;
    qt[n++] = 1;
    qt[n++] = 28;
    qt[n++] = 16;
    for (size_t r = 0; r < m->n_rules && n < MAX_QTYPES; r++) {
        uint16_t t = m->rules[r].d.qtype;
        bool seen = t == 0;
        for (size_t i = 0; i < n && !seen; i++)
            seen = qt[i] == t;
        if (!seen)
            qt[n++] = t;
    }
    return n;
}

static bool trusts(const dnsfw_matcher *mt, const dnsfw_verdict *v)
{
    dnsfw_explanation ex;
    CHECK(dnsfw_explain(mt, v, 0, &ex) == DNSFW_OK, "explain failed");
    return v->rule != DNSFW_NONE && ex.redirection == DNSFW_REDIRECTION_TRUST;
}

/* dnsfw_eval_chain() agrees with the documented rule applied to single evaluations. */
static void check_chains(const dnsfw_matcher *mt, uint16_t qtype)
{
    for (size_t i = 0; i < n_probes && i < 12; i++) {
        const char *chain[3];
        size_t chain_len[3];
        size_t n_chain = n_probes > 1 ? (n_probes - 1 < 3 ? n_probes - 1 : 3) : 0;
        for (size_t k = 0; k < n_chain; k++) {
            const struct probe *h = &probes[(i + 1 + k) % n_probes];
            chain[k] = h->text;
            chain_len[k] = h->len;
        }
        dnsfw_verdict want, h, got;
        CHECK(dnsfw_eval(mt, probes[i].text, probes[i].len, qtype, 0, &want) == DNSFW_OK, "eval");
        if (want.action != DNSFW_ACTION_BLOCK && !trusts(mt, &want)) {
            dnsfw_verdict alert = want;
            bool decided = false;
            for (size_t k = 0; k < n_chain && !decided; k++) {
                CHECK(dnsfw_eval(mt, chain[k], chain_len[k], qtype, 0, &h) == DNSFW_OK, "eval");
                h.hop = (uint32_t)(k + 1);
                if (h.action == DNSFW_ACTION_BLOCK) {
                    want = h;
                    decided = true;
                } else {
                    if (h.action == DNSFW_ACTION_ALERT && alert.action != DNSFW_ACTION_ALERT)
                        alert = h;
                    if (trusts(mt, &h))
                        break;
                }
            }
            if (!decided)
                want = alert;
        }
        size_t bad_hop = 99;
        int rc = dnsfw_eval_chain(mt, probes[i].text, probes[i].len, chain, chain_len, n_chain,
                                  qtype, 0, &got, &bad_hop);
        CHECK(rc == DNSFW_OK && bad_hop == 0, "eval_chain %s: %d (hop %zu)", probes[i].norm, rc,
              bad_hop);
        same_verdict(mt, &want, mt, &got, 0, probes[i].norm);
    }
}

/* Every probe, type and scope: the brute-force answer, and the same answer from both. */
static void check_matchers(const struct model *m, const dnsfw_matcher *ma, const dnsfw_matcher *mb)
{
    uint16_t qt[MAX_QTYPES];
    size_t n_qt = collect_qtypes(m, qt);
    uint32_t n_scopes = m->info.n_scopes + 1 < MAX_SCOPES ? m->info.n_scopes + 1 : MAX_SCOPES;
    for (uint32_t s = 1; s < n_scopes; s++) {
        uint32_t found = 0;
        CHECK(dnsfw_matcher_find_scope(ma, dnsfw_policy_scope_name(m->p, s - 1), &found) == 0,
              "scope %u not found", s);
        /* Repositories are unique, so the first one with this name is this one. */
        CHECK(found == s, "scope %u found as %u", s, found);
    }
    size_t n_lists = m->p->n_lists ? m->p->n_lists : 1;
    struct best_cache c = {calloc(n_lists, sizeof *c.entry), calloc(n_lists, sizeof *c.known)};
    CHECK(c.entry && c.known, "out of memory");
    for (size_t i = 0; i < n_probes; i++) {
        const struct probe *pr = &probes[i];
        for (uint32_t s = 0; s < n_scopes; s++) {
            memset(c.known, 0, n_lists * sizeof *c.known);
            for (size_t t = 0; t < n_qt; t++) {
                dnsfw_verdict va, vb;
                int rc = dnsfw_eval(ma, pr->text, pr->len, qt[t], s, &va);
                CHECK(rc == DNSFW_OK, "eval %s: %d", pr->text, rc);
                check_verdict(m, ma, pr, qt[t], s, &va, &c);
                CHECK(dnsfw_eval(mb, pr->text, pr->len, qt[t], s, &vb) == DNSFW_OK, "eval");
                same_verdict(ma, &va, mb, &vb, s, pr->norm);
                /* Case and the trailing dot do not matter. */
                if (t == 0 && s == 0 && pr->len > 1 && pr->text[pr->len - 1] != '.') {
                    char alt[sizeof pr->text + 1];
                    for (size_t k = 0; k < pr->len; k++)
                        alt[k] = (char)(pr->text[k] >= 'a' && pr->text[k] <= 'z' ? pr->text[k] - 32
                                                                                 : pr->text[k]);
                    alt[pr->len] = '.';
                    CHECK(dnsfw_eval(ma, alt, pr->len + 1, qt[t], s, &vb) == DNSFW_OK, "eval");
                    same_verdict(ma, &va, ma, &vb, s, alt);
                }
            }
        }
    }
    free(c.entry);
    free(c.known);
    check_chains(ma, qt[0]);
    CHECK(dnsfw_matcher_fail_open(ma) == m->info.fail_open, "fail_open %d, policy %d",
          dnsfw_matcher_fail_open(ma), m->info.fail_open);
}

/* --- dumping ------------------------------------------------------------------------ */

struct buf {
    char *p;
    size_t len, cap;
};

static int buf_write(void *userdata, const char *data, size_t len)
{
    struct buf *b = userdata;
    if (b->len + len + 1 > b->cap) {
        size_t cap = (b->len + len + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
    b->p[b->len] = '\0';
    return 0;
}

static void dump(const dnsfw_policy *p, struct buf *b)
{
    int rc = dnsfw_policy_dump_json(p, buf_write, b);
    CHECK(rc == DNSFW_OK && b->len > 0, "dump failed: %d", rc);
}

static dnsfw_policy *reload(const struct buf *b)
{
    dnsfw_policy *p = NULL;
    dnsfw_error err;
    int rc = dnsfw_policy_from_json(&p, b->p, b->len, "dump.json", list_dir, &err);
    CHECK(rc == DNSFW_OK, "the dump does not load: %d %u:%u %s\n%s", rc, err.line, err.column,
          err.message, b->p);
    return p;
}

/* A tiered policy switched to the other mode dumps and reloads in that mode. */
static void check_mode_switch(dnsfw_policy *p, const struct model *m)
{
    dnsfw_mode other = m->info.mode == DNSFW_MODE_OBSERVE ? DNSFW_MODE_ENFORCE : DNSFW_MODE_OBSERVE;
    CHECK(dnsfw_policy_set_mode(p, other) == DNSFW_OK, "set_mode");
    dnsfw_rule_def d;
    CHECK(dnsfw_policy_get_rule(p, 0, 2, &d) == DNSFW_OK, "catch-all rule");
    CHECK(d.action == (other == DNSFW_MODE_ENFORCE ? DNSFW_ACTION_BLOCK : DNSFW_ACTION_ALERT),
          "catch-all action %d in mode %d", (int)d.action, (int)other);
    struct buf b = {0};
    dump(p, &b);
    dnsfw_policy *q = reload(&b);
    dnsfw_policy_info info;
    dnsfw_policy_get_info(q, &info);
    CHECK(info.mode == other, "mode %d after the round trip, expected %d", (int)info.mode,
          (int)other);
    dnsfw_rule_def e;
    CHECK(dnsfw_policy_get_rule(q, 0, 2, &e) == DNSFW_OK, "catch-all rule");
    same_rule(&d, &e);
    dnsfw_policy_free(q);
    free(b.p);
}

static void check_policy(dnsfw_policy *p)
{
    struct model m;
    model_init(&m, p);
    collect_probes(&m);

    dnsfw_matcher *ma = NULL, *mb = NULL;
    CHECK(dnsfw_compile(p, &ma) == DNSFW_OK, "compile failed");
    CHECK(dnsfw_matcher_memory(ma) > 0, "matcher without memory");

    struct buf d1 = {0}, d2 = {0};
    dump(p, &d1);
    dnsfw_policy *p2 = reload(&d1);
    dump(p2, &d2);
    CHECK(d1.len == d2.len && memcmp(d1.p, d2.p, d1.len) == 0,
          "the dump of the reloaded dump differs:\n%s\n---\n%s", d1.p, d2.p);
    struct model m2;
    model_init(&m2, p2);
    same_policy(&m, &m2);
    CHECK(dnsfw_compile(p2, &mb) == DNSFW_OK, "compile of the reloaded policy failed");

    check_matchers(&m, ma, mb);

    if (m.info.tiered)
        check_mode_switch(p2, &m2);
    model_free(&m2);
    model_free(&m);
    dnsfw_matcher_free(ma);
    dnsfw_matcher_free(mb);
    dnsfw_policy_free(p2);
    free(d1.p);
    free(d2.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    if (!list_dir[0])
        make_list_dir();
    const char *text = (const char *)data;

    cJSON *tree = cJSON_ParseWithLengthOpts(text, size, NULL, 0);
    bool confined = !tree || paths_confined(tree);
    cJSON_Delete(tree);
    if (!confined)
        return 0;

    dnsfw_policy *p = (dnsfw_policy *)&p; /* must come back NULL on failure */
    dnsfw_error err;
    memset(&err, 0x5A, sizeof err); /* every field must be written */
    int rc = dnsfw_policy_from_json(&p, text, size, SOURCE, list_dir, &err);
    if (rc != DNSFW_OK) {
        check_load_error(rc, p, &err, text, size);
        return 0;
    }
    CHECK(p, "no policy");
    check_policy(p);
    dnsfw_policy_free(p);
    return 0;
}
