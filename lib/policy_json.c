/*
 * Loading a policy from JSON (docs/policy-format.md). Every rejection names the file,
 * line and column of the offending key or value and says why; unknown keys are errors
 * so that a typo never passes silently.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "json_text.h"
#include "policy.h"
#include "preset.h"

struct loader {
    const char *text;
    size_t len;
    const char *source;
    const char *base_dir;
    const cJSON *root;
    dnsfw_error *err;
    dnsfw_policy *p;
    struct json_index ix;              /* where every item was written */
    uint32_t file;                     /* the policy text's number in p->files */
    struct dnsfw__read_budget *budget; /* what list files may still take */
    size_t max_bytes;                  /* for messages */
    uint32_t timeout_ms;
};

/* Where item was written in the policy text. */
static struct where where_of(const struct loader *L, const cJSON *item)
{
    struct where w = {0};
    if (L->file && dnsfw__json_index_pos(&L->ix, item, &w.line, &w.column))
        w.file = L->file;
    return w;
}

/* What a spec is added to: a list, or (scope != 0) a blueprint's list and the union. */
struct target {
    uint32_t list;
    uint32_t scope;  /* blueprint + 1, 0 = none */
    uint32_t preset; /* preset + 1, 0 = none */
};

/* Add one spec to its target and record where it came from. */
static int add_spec(struct loader *L, const struct target *t, const char *spec, size_t len,
                    struct where w, const char **reason)
{
    dnsfw_policy *p = L->p;
    size_t pos, upos;
    int rc;
    if (t->scope) {
        rc = dnsfw__tiered_add_allow(p, t->list, spec, len, reason, &pos, &upos);
        if (!rc)
            rc = dnsfw__policy_note_origin(p, t->list, pos, spec, len, w, t->preset, t->scope);
        if (!rc)
            rc = dnsfw__policy_note_origin(p, TIER_UNION_LIST, upos, spec, len, w, t->preset,
                                           t->scope);
        return rc;
    }
    rc = dnsfw__policy_add_spec(p, t->list, spec, len, reason, &pos);
    if (!rc)
        rc = dnsfw__policy_note_origin(p, t->list, pos, spec, len, w, t->preset, 0);
    return rc;
}

__attribute__((format(printf, 5, 6))) static int
fail_at(struct loader *L, const cJSON *item, bool at_key, int status, const char *fmt, ...)
{
    uint32_t line = 0, col = 0;
    size_t voff, koff;
    if (item && dnsfw__json_locate(L->text, L->len, L->root, item, &voff, &koff))
        dnsfw__line_col(L->text, at_key ? koff : voff, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    dnsfw__vfail(L->err, status, L->source, line, col, fmt, ap);
    va_end(ap);
    return status;
}

/* Unknown and repeated keys are errors. */
static int check_keys(struct loader *L, const cJSON *obj, const char *where,
                      const char *const *allowed)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, c->string) == 0;
        if (!known)
            return fail_at(L, c, true, DNSFW_ESCHEMA, "unknown key \"%s\" in %s", c->string, where);
        for (const cJSON *d = obj->child; d != c; d = d->next)
            if (strcmp(d->string, c->string) == 0)
                return fail_at(L, c, true, DNSFW_ESCHEMA, "duplicate key \"%s\" in %s", c->string,
                               where);
    }
    return DNSFW_OK;
}

static const cJSON *member(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static int need_object(struct loader *L, const cJSON *item, const char *where)
{
    if (!cJSON_IsObject(item))
        return fail_at(L, item, false, DNSFW_ESCHEMA, "%s must be an object", where);
    return DNSFW_OK;
}

static int missing(struct loader *L, const cJSON *obj, const char *key, const char *where)
{
    return fail_at(L, obj, false, DNSFW_ESCHEMA, "%s needs the key \"%s\"", where, key);
}

/* An integer member in [min, max]; absent is fine unless required. */
static int get_uint(struct loader *L, const cJSON *obj, const char *key, const char *where,
                    bool required, uint32_t min, uint32_t max, uint32_t *out)
{
    const cJSON *v = member(obj, key);
    if (!v)
        return required ? missing(L, obj, key, where) : DNSFW_OK;
    double d = v->valuedouble;
    if (!cJSON_IsNumber(v) || d != floor(d) || d < min || d > max)
        return fail_at(L, v, false, DNSFW_ESCHEMA, "%s.%s must be an integer from %u to %u", where,
                       key, min, max);
    *out = (uint32_t)d;
    return DNSFW_OK;
}

static int get_bool(struct loader *L, const cJSON *obj, const char *key, const char *where,
                    int *out)
{
    const cJSON *v = member(obj, key);
    if (!v)
        return DNSFW_OK;
    if (!cJSON_IsBool(v))
        return fail_at(L, v, false, DNSFW_ESCHEMA, "%s.%s must be true or false", where, key);
    *out = cJSON_IsTrue(v) ? 1 : 0;
    return DNSFW_OK;
}

static int get_string(struct loader *L, const cJSON *obj, const char *key, const char *where,
                      bool required, const char **out)
{
    const cJSON *v = member(obj, key);
    if (!v)
        return required ? missing(L, obj, key, where) : DNSFW_OK;
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return fail_at(L, v, false, DNSFW_ESCHEMA, "%s.%s must be a non-empty string", where, key);
    *out = v->valuestring;
    return DNSFW_OK;
}

/* A string member that must be one of names[] (NULL-terminated); *out is its index. */
static int get_enum(struct loader *L, const cJSON *obj, const char *key, const char *where,
                    const char *const *names, const char *expected, int *out)
{
    const cJSON *v = member(obj, key);
    if (!v)
        return DNSFW_OK;
    if (cJSON_IsString(v))
        for (int i = 0; names[i]; i++)
            if (names[i][0] && strcmp(names[i], v->valuestring) == 0) { /* "" = none */
                *out = i;
                return DNSFW_OK;
            }
    return fail_at(L, v, false, DNSFW_ESCHEMA, "%s.%s must be %s", where, key, expected);
}

static const char *const response_names[] = {"", "NODATA", "NXDOMAIN", "OVERRIDE", NULL};
#define RESPONSE_EXPECTED "\"NODATA\", \"NXDOMAIN\" or \"OVERRIDE\""

/* block_override: { "domain", "ttl" }. */
static int get_override(struct loader *L, const cJSON *obj, const char *where, const char **domain,
                        uint32_t *ttl)
{
    const cJSON *o = member(obj, "block_override");
    if (!o)
        return DNSFW_OK;
    char w[160];
    snprintf(w, sizeof w, "%s.block_override", where);
    static const char *const keys[] = {"domain", "ttl", NULL};
    int rc;
    if ((rc = need_object(L, o, w)) || (rc = check_keys(L, o, w, keys)) ||
        (rc = get_string(L, o, "domain", w, true, domain)) ||
        (rc = get_uint(L, o, "ttl", w, false, 0, 604800, ttl)))
        return rc;
    return DNSFW_OK;
}

/* --- domain specs ------------------------------------------------------------------- */

static int spec_error(struct loader *L, const cJSON *item, const char *spec, const char *list,
                      const char *reason)
{
    return fail_at(L, item, false, DNSFW_EBADSPEC,
                   "invalid domain spec \"%.300s\" in list \"%s\": %s", spec, list, reason);
}

/* An array of spec strings, each added to the target. */
static int load_spec_array(struct loader *L, const cJSON *arr, const char *where,
                           const char *list_name, const struct target *t)
{
    if (!cJSON_IsArray(arr))
        return fail_at(L, arr, false, DNSFW_ESCHEMA, "%s must be an array of domain specs", where);
    size_t i = 0;
    for (const cJSON *c = arr->child; c; c = c->next, i++) {
        if (!cJSON_IsString(c))
            return fail_at(L, c, false, DNSFW_ESCHEMA, "%s[%zu] must be a string", where, i);
        const char *reason = NULL;
        int rc = add_spec(L, t, c->valuestring, strlen(c->valuestring), where_of(L, c), &reason);
        if (rc == DNSFW_EBADSPEC)
            return spec_error(L, c, c->valuestring, list_name, reason);
        if (rc)
            return fail_at(L, c, false, rc, "%s[%zu]: %s", where, i, dnsfw_strerror(rc));
    }
    return DNSFW_OK;
}

/* Why a list file could not be read (dnsfw__read_file()'s rc and why). */
static int list_file_failure(struct loader *L, const cJSON *item, int rc, const char *why,
                             const char *path)
{
    switch (rc) {
    case DNSFW_EIO:
        return fail_at(L, item, false, rc, "cannot read list file \"%s\": %s", path,
                       why ? why : strerror(errno));
    case DNSFW_ELIMIT:
        return fail_at(L, item, false, rc,
                       "cannot read list file \"%s\": the policy and its list files exceed the "
                       "size limit (max_bytes) of %zu bytes",
                       path, L->max_bytes);
    case DNSFW_ETIMEDOUT:
        return fail_at(L, item, false, rc,
                       "cannot read list file \"%s\": it did not deliver within the time limit "
                       "of %u ms",
                       path, L->timeout_ms);
    default:
        return fail_at(L, item, false, rc, "%s", dnsfw_strerror(rc));
    }
}

/* A list file: one spec a line; blank lines and '#' lines skipped (the AWS import format). */
static int load_spec_file(struct loader *L, const cJSON *file_item, const char *list_name,
                          const struct target *t)
{
    const char *rel = file_item->valuestring;
    char path[4096];
    int n = rel[0] == '/' || !L->base_dir || !L->base_dir[0]
                ? snprintf(path, sizeof path, "%s", rel)
                : snprintf(path, sizeof path, "%s/%s", L->base_dir, rel);
    if (n < 0 || (size_t)n >= sizeof path)
        return fail_at(L, file_item, false, DNSFW_ELIMIT, "list file path too long");
    char *data;
    size_t len;
    const char *why;
    int rc = dnsfw__read_file(path, L->budget, &data, &len, &why);
    if (rc)
        return list_file_failure(L, file_item, rc, why, path);
    uint32_t file = dnsfw__policy_file(L->p, path);
    if (!file) {
        free(data);
        return DNSFW_ENOMEM;
    }

    uint32_t lineno = 0;
    for (size_t pos = 0; pos < len && !rc;) {
        size_t eol = pos;
        while (eol < len && data[eol] != '\n')
            eol++;
        lineno++;
        const char *nul = memchr(data + pos, '\0', eol - pos);
        if (nul) {
            rc =
                dnsfw__fail(L->err, DNSFW_EENCODING, path, lineno, (uint32_t)(nul - data - pos + 1),
                            "a NUL byte (\\0) in list \"%s\": list files are text", list_name);
            break;
        }
        size_t b = pos, e = eol;
        while (b < e && (data[b] == ' ' || data[b] == '\t'))
            b++;
        while (e > b && (data[e - 1] == ' ' || data[e - 1] == '\t' || data[e - 1] == '\r'))
            e--;
        if (b < e && data[b] != '#') {
            const char *reason = NULL;
            struct where w = {file, lineno, (uint32_t)(b - pos + 1)};
            rc = add_spec(L, t, data + b, e - b, w, &reason);
            if (rc == DNSFW_EBADSPEC)
                dnsfw__fail(L->err, rc, path, lineno, (uint32_t)(b - pos + 1),
                            "invalid domain spec \"%.*s\" in list \"%s\": %s",
                            (int)(e - b > 300 ? 300 : e - b), data + b, list_name, reason);
            else if (rc)
                dnsfw__fail(L->err, rc, path, lineno, 1, "%s", dnsfw_strerror(rc));
        }
        pos = eol + 1;
    }
    free(data);
    return rc;
}

/* "presets": [NAME, ...]: every host of each preset, added to the target. */
static int load_presets(struct loader *L, const cJSON *arr, const char *where,
                        const char *list_name, uint32_t record_list, struct target t)
{
    if (!cJSON_IsArray(arr))
        return fail_at(L, arr, false, DNSFW_ESCHEMA, "%s must be an array of preset names", where);
    size_t i = 0;
    for (const cJSON *c = arr->child; c; c = c->next, i++) {
        size_t preset;
        if (!cJSON_IsString(c))
            return fail_at(L, c, false, DNSFW_ESCHEMA, "%s[%zu] must be a string", where, i);
        if (dnsfw_preset_find(c->valuestring, &preset) != DNSFW_OK)
            return fail_at(L, c, false, DNSFW_ENOTFOUND,
                           "%s[%zu]: unknown preset \"%.100s\" (dnsfw-lint --presets lists them)",
                           where, i, c->valuestring);
        struct spec_list *rl = &L->p->lists[record_list];
        bool seen = false;
        for (size_t k = 0; k < rl->n_presets && !seen; k++)
            seen = rl->presets[k] == preset;
        if (seen)
            return fail_at(L, c, false, DNSFW_EDUPLICATE, "%s: preset \"%s\" is listed twice",
                           where, c->valuestring);
        if (dnsfw__grow((void **)&rl->presets, &rl->cap_presets, rl->n_presets + 1,
                        sizeof *rl->presets))
            return DNSFW_ENOMEM;
        rl->presets[rl->n_presets++] = (uint32_t)preset;
        t.preset = (uint32_t)preset + 1;
        const struct preset *pr = &dnsfw__presets[preset];
        for (size_t h = 0; h < pr->n_hosts; h++) {
            const char *reason = NULL;
            int rc = add_spec(L, &t, pr->hosts[h].spec, strlen(pr->hosts[h].spec), where_of(L, c),
                              &reason);
            if (rc == DNSFW_EBADSPEC) /* the generator checks every host: a bug if seen */
                return spec_error(L, c, pr->hosts[h].spec, list_name, reason);
            if (rc)
                return fail_at(L, c, false, rc, "%s[%zu]: %s", where, i, dnsfw_strerror(rc));
        }
    }
    return DNSFW_OK;
}

/* --- the general form --------------------------------------------------------------- */

/*
 * An AWS-managed list: { "managed": "AWSManagedDomains..." | true, "ids": { REGION: ID },
 * "stand_in": [SPEC...] | { "file": PATH } }. true: the list is known only by its ids.
 */
static int load_managed(struct loader *L, const cJSON *l, const char *where, const struct target *t)
{
    uint32_t id = t->list;
    static const char *const keys[] = {"managed", "ids", "stand_in", NULL};
    int rc = check_keys(L, l, where, keys);
    if (rc)
        return rc;
    const cJSON *m = member(l, "managed"), *ids = member(l, "ids"), *si = member(l, "stand_in");
    if (cJSON_IsString(m))
        rc = dnsfw_policy_set_list_managed(L->p, id, m->valuestring);
    else if (cJSON_IsTrue(m))
        rc = dnsfw_policy_set_list_managed(L->p, id, NULL);
    else
        rc = DNSFW_ESCHEMA;
    if (rc == DNSFW_ESCHEMA)
        return fail_at(L, m, false, rc,
                       "%s.managed must be the name of an AWS-managed list "
                       "(\"AWSManagedDomains...\") or true",
                       where);
    if (rc)
        return fail_at(L, m, false, rc, "%s", dnsfw_strerror(rc));
    if (ids && (rc = need_object(L, ids, "ids")))
        return rc;
    if (!ids && cJSON_IsTrue(m))
        return fail_at(L, l, true, DNSFW_ESCHEMA,
                       "%s: a managed list whose name is not given needs \"ids\"", where);
    for (const cJSON *e = ids ? ids->child : NULL; e; e = e->next) {
        if (!cJSON_IsString(e))
            return fail_at(L, e, false, DNSFW_ESCHEMA, "%s.ids.%s must be a string", where,
                           e->string);
        rc = dnsfw_policy_add_list_managed_id(L->p, id, e->string, e->valuestring);
        if (rc == DNSFW_ESCHEMA)
            return fail_at(L, e, true, rc,
                           "%s.ids: \"%.40s\": \"%.70s\" must be a Region (or \"*\") and a "
                           "domain list id (rslvr-fdl-...)",
                           where, e->string, e->valuestring);
        if (rc)
            return fail_at(L, e, true, rc, "%s.ids: Region \"%.40s\": %s", where, e->string,
                           rc == DNSFW_EDUPLICATE ? "given twice" : dnsfw_strerror(rc));
    }
    if (!si)
        return DNSFW_OK;
    char swhere[200];
    snprintf(swhere, sizeof swhere, "%s.stand_in", where);
    if (cJSON_IsObject(si)) {
        static const char *const fkeys[] = {"file", NULL};
        const char *file = NULL;
        if ((rc = check_keys(L, si, swhere, fkeys)) ||
            (rc = get_string(L, si, "file", swhere, true, &file)))
            return rc;
        return load_spec_file(L, member(si, "file"), l->string, t);
    }
    return load_spec_array(L, si, swhere, l->string, t);
}

static int load_lists(struct loader *L, const cJSON *lists)
{
    int rc = need_object(L, lists, "domain_lists");
    if (rc)
        return rc;
    for (const cJSON *l = lists->child; l; l = l->next) {
        for (const cJSON *d = lists->child; d != l; d = d->next)
            if (strcmp(d->string, l->string) == 0)
                return fail_at(L, l, true, DNSFW_EDUPLICATE, "domain list \"%s\" is defined twice",
                               l->string);
        uint32_t id;
        rc = dnsfw_policy_add_list(L->p, l->string, &id);
        if (rc == DNSFW_ESCHEMA)
            return fail_at(L, l, true, rc,
                           "domain list name \"%.100s\" is not valid: 1-64 characters of A-Z "
                           "a-z 0-9 - _ space ', not all digits",
                           l->string);
        if (rc)
            return fail_at(L, l, true, rc, "%s", dnsfw_strerror(rc));
        char where[160];
        snprintf(where, sizeof where, "domain_lists.%s", l->string);
        L->p->lists[id].where = where_of(L, l);
        struct target t = {.list = id};
        if (cJSON_IsObject(l) && member(l, "managed")) {
            if ((rc = load_managed(L, l, where, &t)))
                return rc;
        } else if (cJSON_IsObject(l)) {
            static const char *const keys[] = {"file", "presets", NULL};
            const char *file = NULL;
            const cJSON *presets = member(l, "presets");
            char pwhere[176];
            snprintf(pwhere, sizeof pwhere, "%s.presets", where);
            if ((rc = check_keys(L, l, where, keys)) ||
                (rc = get_string(L, l, "file", where, !presets, &file)) ||
                (file && (rc = load_spec_file(L, member(l, "file"), l->string, &t))) ||
                (presets && (rc = load_presets(L, presets, pwhere, l->string, id, t))))
                return rc;
        } else if ((rc = load_spec_array(L, l, where, l->string, &t))) {
            return rc;
        }
    }
    return DNSFW_OK;
}

static uint32_t find_list(const dnsfw_policy *p, const char *name)
{
    for (size_t i = 0; i < p->n_lists; i++)
        if (!p->lists[i].hidden && strcmp(p->lists[i].name, name) == 0)
            return (uint32_t)i;
    return DNSFW_NONE;
}

/* "A", "AAAA", ... as AWS lists them, or TYPEn. */
const char *const dnsfw__aws_qtypes[] = {"A",  "AAAA", "CAA", "CNAME", "DS",  "MX",  "NAPTR",
                                         "NS", "PTR",  "SOA", "SPF",   "SRV", "TXT", NULL};

static int get_qtype(struct loader *L, const cJSON *rule, const char *where, uint16_t *out)
{
    const cJSON *v = member(rule, "qtype");
    if (!v)
        return DNSFW_OK;
    if (!cJSON_IsString(v))
        return fail_at(L, v, false, DNSFW_ESCHEMA, "%s.qtype must be a string", where);
    const char *s = v->valuestring;
    uint16_t t = 0; /* read below even when the parse fails */
    bool ok = dnsfw_qtype_parse(s, strlen(s), &t) == DNSFW_OK && t != 65535;
    bool numeric = strncasecmp(s, "TYPE", 4) == 0;
    bool aws_name = false;
    for (int i = 0; dnsfw__aws_qtypes[i] && !aws_name; i++) {
        char buf[16];
        aws_name = dnsfw_qtype_format(t, buf, sizeof buf) == DNSFW_OK &&
                   !strcmp(buf, dnsfw__aws_qtypes[i]);
    }
    if (!ok || (!numeric && !aws_name))
        return fail_at(L, v, false, DNSFW_EQTYPE,
                       "%s.qtype must be one of A AAAA CAA CNAME DS MX NAPTR NS PTR SOA SPF "
                       "SRV TXT, or TYPEn with n from 1 to 65534",
                       where);
    *out = t;
    return DNSFW_OK;
}

/*
 * A DNS Firewall Advanced rule: "dns_threat_protection" with its "confidence_threshold",
 * instead of a "domain_list" (AWS: exactly one match source per rule).
 */
static int get_threat(struct loader *L, const cJSON *r, const char *where, dnsfw_rule_def *d)
{
    static const char *const threats[] = {"", "DGA", "DNS_TUNNELING", "DICTIONARY_DGA", NULL};
    static const char *const levels[] = {"", "LOW", "MEDIUM", "HIGH", NULL};
    int threat = 0, level = 0, rc;
    if ((rc = get_enum(L, r, "dns_threat_protection", where, threats,
                       "\"DGA\", \"DNS_TUNNELING\" or \"DICTIONARY_DGA\"", &threat)) ||
        (rc = get_enum(L, r, "confidence_threshold", where, levels,
                       "\"LOW\", \"MEDIUM\" or \"HIGH\"", &level)))
        return rc;
    const cJSON *t = member(r, "dns_threat_protection");
    const cJSON *c = member(r, "confidence_threshold");
    if (t && member(r, "domain_list"))
        return fail_at(L, t, true, DNSFW_ESCHEMA,
                       "%s has a domain_list and a dns_threat_protection: a rule takes one "
                       "match source",
                       where);
    if (t && !c)
        return missing(L, r, "confidence_threshold", where);
    if (c && !t)
        return fail_at(L, c, true, DNSFW_ESCHEMA,
                       "%s.confidence_threshold goes with dns_threat_protection", where);
    d->threat = (dnsfw_threat)threat;
    d->confidence = (dnsfw_confidence)level;
    return DNSFW_OK;
}

static int load_rule(struct loader *L, const cJSON *r, uint32_t group, const char *where)
{
    static const char *const keys[] = {"name",
                                       "priority",
                                       "action",
                                       "domain_list",
                                       "dns_threat_protection",
                                       "confidence_threshold",
                                       "qtype",
                                       "redirection",
                                       "block_response",
                                       "block_override",
                                       NULL};
    static const char *const actions[] = {"", "ALLOW", "ALERT", "BLOCK", NULL};
    static const char *const redirs[] = {"INSPECT_REDIRECTION_DOMAIN", "TRUST_REDIRECTION_DOMAIN",
                                         NULL};
    dnsfw_rule_def d = {0};
    const char *list = NULL;
    int action = 0, response = 0, redir = 0;
    int rc;
    if ((rc = need_object(L, r, where)) || (rc = check_keys(L, r, where, keys)) ||
        (rc = get_string(L, r, "name", where, true, &d.name)) ||
        (rc = get_uint(L, r, "priority", where, true, 1, INT32_MAX, &d.priority)) ||
        (rc = get_threat(L, r, where, &d)) ||
        (rc = get_string(L, r, "domain_list", where, !d.threat, &list)))
        return rc;
    if (!member(r, "action"))
        return missing(L, r, "action", where);
    if ((rc = get_enum(L, r, "action", where, actions, "\"ALLOW\", \"ALERT\" or \"BLOCK\"",
                       &action)) ||
        (rc = get_enum(L, r, "block_response", where, response_names, RESPONSE_EXPECTED,
                       &response)) ||
        (rc = get_enum(L, r, "redirection", where, redirs,
                       "\"INSPECT_REDIRECTION_DOMAIN\" or \"TRUST_REDIRECTION_DOMAIN\"", &redir)) ||
        (rc = get_qtype(L, r, where, &d.qtype)) ||
        (rc = get_override(L, r, where, &d.override_domain, &d.override_ttl)))
        return rc;
    if (action == 0)
        return fail_at(L, member(r, "action"), false, DNSFW_ESCHEMA,
                       "%s.action must be \"ALLOW\", \"ALERT\" or \"BLOCK\"", where);
    d.action = (dnsfw_action)action;
    d.block_response = (dnsfw_block_response)response;
    d.redirection = (dnsfw_redirection)redir;
    d.domain_list = d.threat ? DNSFW_NONE : find_list(L->p, list);
    if (!d.threat && d.domain_list == DNSFW_NONE)
        return fail_at(L, member(r, "domain_list"), false, DNSFW_ENOTFOUND,
                       "%s refers to domain list \"%s\", which is not defined", where, list);
    const char *reason = NULL;
    rc = dnsfw_policy_add_rule(L->p, group, &d, &reason);
    if (rc == DNSFW_EDUPLICATE)
        return fail_at(L, member(r, "priority"), false, rc,
                       "%s: priority %u is used by another rule of the group", where, d.priority);
    if (rc)
        return fail_at(L, r, false, rc, "%s: %s", where, reason ? reason : dnsfw_strerror(rc));
    struct group *g = &L->p->groups[group]; /* rules are kept sorted: find it by priority */
    for (size_t i = 0; i < g->n_rules; i++)
        if (g->rules[i].priority == d.priority)
            g->rules[i].where = where_of(L, r);
    return DNSFW_OK;
}

static int load_groups(struct loader *L, const cJSON *groups)
{
    if (!cJSON_IsArray(groups))
        return fail_at(L, groups, false, DNSFW_ESCHEMA, "rule_groups must be an array");
    static const char *const keys[] = {"name", "priority", "rules", NULL};
    size_t gi = 0;
    for (const cJSON *g = groups->child; g; g = g->next, gi++) {
        char where[96];
        snprintf(where, sizeof where, "rule_groups[%zu]", gi);
        const char *name = NULL;
        uint32_t prio = 0, id;
        int rc;
        if ((rc = need_object(L, g, where)) || (rc = check_keys(L, g, where, keys)) ||
            (rc = get_string(L, g, "name", where, true, &name)) ||
            (rc = get_uint(L, g, "priority", where, true, 1, 10000, &prio)))
            return rc;
        rc = dnsfw_policy_add_group(L->p, name, prio, &id);
        if (rc == DNSFW_EDUPLICATE)
            return fail_at(L, g, false, rc,
                           "%s: another rule group has the name \"%s\" or the priority %u", where,
                           name, prio);
        if (rc == DNSFW_ESCHEMA)
            return fail_at(L, member(g, "name"), false, rc,
                           "%s.name must have 1-64 characters of A-Z a-z 0-9 - _ space ', not "
                           "all digits",
                           where);
        if (rc)
            return fail_at(L, g, false, rc, "%s", dnsfw_strerror(rc));
        L->p->groups[id].where = where_of(L, g);
        const cJSON *rules = member(g, "rules");
        if (!rules)
            return missing(L, g, "rules", where);
        if (!cJSON_IsArray(rules))
            return fail_at(L, rules, false, DNSFW_ESCHEMA, "%s.rules must be an array", where);
        size_t ri = 0;
        for (const cJSON *r = rules->child; r; r = r->next, ri++) {
            char rwhere[128];
            snprintf(rwhere, sizeof rwhere, "%s.rules[%zu]", where, ri);
            if ((rc = load_rule(L, r, id, rwhere)))
                return rc;
        }
    }
    return DNSFW_OK;
}

static int load_general(struct loader *L)
{
    static const char *const keys[] = {"dnsfw", "fail_open", "domain_lists", "rule_groups", NULL};
    const cJSON *root = L->root;
    int rc;
    if ((rc = check_keys(L, root, "the policy (general form)", keys)) ||
        (rc = get_bool(L, root, "fail_open", "policy", &L->p->fail_open)))
        return rc;
    const cJSON *lists = member(root, "domain_lists");
    const cJSON *groups = member(root, "rule_groups");
    if (lists && (rc = load_lists(L, lists)))
        return rc;
    if (groups && (rc = load_groups(L, groups)))
        return rc;
    return DNSFW_OK;
}

/* --- the tiered form ---------------------------------------------------------------- */

static int load_blueprints(struct loader *L, const cJSON *bps)
{
    if (!cJSON_IsArray(bps))
        return fail_at(L, bps, false, DNSFW_ESCHEMA, "blueprints must be an array");
    static const char *const keys[] = {"repo", "egress_allowlist", "presets", NULL};
    L->p->lists[TIER_UNION_LIST].where = where_of(L, bps);
    size_t i = 0;
    for (const cJSON *b = bps->child; b; b = b->next, i++) {
        char where[64];
        snprintf(where, sizeof where, "blueprints[%zu]", i);
        const char *repo = NULL;
        uint32_t list;
        int rc;
        if ((rc = need_object(L, b, where)) || (rc = check_keys(L, b, where, keys)) ||
            (rc = get_string(L, b, "repo", where, true, &repo)))
            return rc;
        rc = dnsfw__tiered_add_scope(L->p, repo, &list);
        if (rc == DNSFW_EDUPLICATE)
            return fail_at(L, member(b, "repo"), false, rc,
                           "%s: repository \"%s\" has a blueprint already", where, repo);
        if (rc)
            return fail_at(L, b, false, rc, "%s", dnsfw_strerror(rc));
        const cJSON *allow = member(b, "egress_allowlist");
        char awhere[96];
        snprintf(awhere, sizeof awhere, "%s.egress_allowlist", where);
        char lname[160];
        snprintf(lname, sizeof lname, "blueprint-additional (%s)", repo);
        struct target t = {.list = list, .scope = (uint32_t)L->p->n_scopes};
        if (allow && (rc = load_spec_array(L, allow, awhere, lname, &t)))
            return rc;
        const cJSON *presets = member(b, "presets");
        char pwhere[96];
        snprintf(pwhere, sizeof pwhere, "%s.presets", where);
        if (presets && (rc = load_presets(L, presets, pwhere, lname, list, t)))
            return rc;
    }
    return DNSFW_OK;
}

static int load_tiered(struct loader *L)
{
    static const char *const keys[] = {"dnsfw",          "mode",           "fail_open",
                                       "block_response", "block_override", "baseline",
                                       "presets",        "blueprints",     NULL};
    static const char *const modes[] = {"observe", "enforce", NULL};
    const cJSON *root = L->root;
    dnsfw_policy *p = L->p;
    int rc, mode = 0, response = DNSFW_RESPONSE_NODATA;
    const char *domain = NULL;
    uint32_t ttl = 0;
    if ((rc = dnsfw__tiered_init(p)) ||
        (rc = check_keys(L, root, "the policy (tiered form)", keys)) ||
        (rc = get_bool(L, root, "fail_open", "policy", &p->fail_open)) ||
        (rc = get_enum(L, root, "mode", "policy", modes, "\"observe\" or \"enforce\"", &mode)) ||
        (rc = get_enum(L, root, "block_response", "policy", response_names, RESPONSE_EXPECTED,
                       &response)) ||
        (rc = get_override(L, root, "policy", &domain, &ttl)))
        return rc;
    if (response == DNSFW_RESPONSE_NONE)
        return fail_at(L, member(root, "block_response"), false, DNSFW_ESCHEMA,
                       "policy.block_response must be " RESPONSE_EXPECTED);
    dnsfw_rule_def check = {.priority = 300,
                            .action = DNSFW_ACTION_BLOCK,
                            .block_response = (dnsfw_block_response)response,
                            .override_domain = domain,
                            .override_ttl = ttl};
    const char *reason = NULL;
    if ((rc = dnsfw__rule_check(p, &check, &reason)))
        return fail_at(L, domain ? member(root, "block_override") : root, false, rc, "%s", reason);
    p->tier.mode = (dnsfw_mode)mode;
    p->tier.enforce_response = (dnsfw_block_response)response;
    p->tier.override_ttl = ttl;
    if (domain && !(p->tier.override_domain = dnsfw__strdup(domain)))
        return DNSFW_ENOMEM;

    const cJSON *baseline = member(root, "baseline");
    struct target base = {.list = TIER_BASELINE_LIST};
    if (baseline) {
        p->lists[TIER_BASELINE_LIST].where = where_of(L, baseline);
        rc = load_spec_array(L, baseline, "baseline", "platform-baseline", &base);
    } else {
        p->tier.default_baseline = true;
        for (size_t i = 0; !rc && i < dnsfw__default_baseline_len; i++) {
            const char *s = dnsfw__default_baseline[i];
            rc = add_spec(L, &base, s, strlen(s), (struct where){0}, NULL);
        }
    }
    const cJSON *presets = member(root, "presets");
    if (!rc && presets)
        rc = load_presets(L, presets, "presets", "platform-baseline", TIER_BASELINE_LIST, base);
    if (rc)
        return rc;
    const cJSON *bps = member(root, "blueprints");
    if (bps && (rc = load_blueprints(L, bps)))
        return rc;
    return dnsfw__tiered_finish(p);
}

/* --- entry points ------------------------------------------------------------------- */

/*
 * Where a parse failed, as a byte offset. cJSON's own answer needs three corrections.
 * Given a length without a NUL it clamps a failure at the end of the text to the last
 * byte: so the text is parsed again followed by two NULs (blanks to cJSON), and a failure
 * past len means the text ended too early. An object key that is not a string is
 * reported one byte after it. A string that never ends is reported one byte after its
 * opening quote, which is the text ending too early again. *off is kept if in doubt.
 */
static void parse_error_offset(const char *text, size_t len, size_t *off)
{
    char *copy = malloc(len + 2);
    if (!copy)
        return;
    if (len) /* text may be NULL when len is 0 */
        memcpy(copy, text, len);
    copy[len] = copy[len + 1] = '\0'; /* the only NULs: dnsfw__json_text_check() */
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(copy, len + 2, &end, 0);
    size_t o = end && end >= copy && end <= copy + len + 2 ? (size_t)(end - copy) : SIZE_MAX;
    if (!root && o > len && o != SIZE_MAX) {
        *off = len;
    } else if (!root && o > 0 && o != SIZE_MAX) {
        /* The lexical state before byte o - 1: inside a string, innermost bracket, last
         * token character outside strings. */
        char open[CJSON_NESTING_LIMIT + 1], last = 0;
        size_t depth = 0;
        bool in_str = false, lost = false;
        for (size_t i = 0; i + 1 < o && !lost; i++) {
            char c = copy[i];
            if (in_str) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    in_str = false;
                    last = c;
                }
            } else if (c == '"') {
                in_str = true;
            } else if (c == '{' || c == '[') {
                lost = depth == sizeof open;
                if (!lost)
                    open[depth++] = c;
                last = c;
            } else if (c == '}' || c == ']') {
                depth -= depth > 0;
                last = c;
            } else if ((uint8_t)c > 32) {
                last = c;
            }
        }
        char c = copy[o - 1];
        if (lost || in_str) {
            *off = o;
        } else if (c == '"') {
            size_t i = o;
            while (i < len && copy[i] != '"')
                i += copy[i] == '\\' ? 2 : 1;
            *off = i >= len ? len : o;
        } else if (depth && open[depth - 1] == '{' && (last == '{' || last == ',') &&
                   (uint8_t)c > 32) {
            *off = o - 1;
        } else {
            *off = o;
        }
    }
    cJSON_Delete(root);
    free(copy);
}

/* The budget of one load; false for limits the library does not know. */
static bool start_budget(const dnsfw_load_limits *limits, uint64_t now_ms,
                         struct dnsfw__read_budget *b)
{
    *b = (struct dnsfw__read_budget){.bytes_left = DNSFW_POLICY_MAX_BYTES_DEFAULT};
    if (!limits)
        return true;
    if (limits->flags & ~DNSFW_LOAD_REGULAR_ONLY)
        return false;
    if (limits->max_bytes)
        b->bytes_left = limits->max_bytes > SIZE_MAX / 4 ? SIZE_MAX / 4 : limits->max_bytes;
    if (limits->timeout_ms)
        b->deadline_ms = now_ms + limits->timeout_ms;
    b->regular_only = limits->flags & DNSFW_LOAD_REGULAR_ONLY;
    return true;
}

/* Load text, whose length the budget has been charged; list files draw on the rest. */
static int from_json(dnsfw_policy **out, const char *text, size_t len, const char *source,
                     const char *base_dir, struct dnsfw__read_budget *budget, size_t max_bytes,
                     uint32_t timeout_ms, dnsfw_error *err)
{
    struct loader L = {.text = text,
                       .len = len,
                       .source = source ? source : "<policy>",
                       .base_dir = base_dir,
                       .err = err,
                       .budget = budget,
                       .max_bytes = max_bytes,
                       .timeout_ms = timeout_ms};
    size_t bad;
    const char *why;
    uint32_t line, col;
    int bad_text = dnsfw__json_text_check(text, len, &bad, &why);
    if (bad_text) {
        dnsfw__line_col(text, bad, &line, &col);
        return dnsfw__fail(err, bad_text, L.source, line, col, "%s", why);
    }
    const char *end = NULL;
    /* Not require_null_terminated: given a length, cJSON 1.7.15 then wants a NUL inside
     * that length and rejects every document. Trailing text is checked here instead. */
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (root && end >= text && end <= text + len) {
        size_t off = (size_t)(end - text);
        while (off < len && (uint8_t)text[off] <= 32) /* cJSON's whitespace */
            off++;
        if (off < len) {
            cJSON_Delete(root);
            dnsfw__line_col(text, off, &line, &col);
            return dnsfw__fail(err, DNSFW_EPARSE, L.source, line, col,
                               "malformed JSON: text after the value");
        }
    }
    if (!root) {
        /* cJSON says NULL for a failed allocation too: the same text parsed again then
         * goes through (cJSON is deterministic), and the failure was not the text's. */
        const char *end2 = NULL;
        cJSON *again = cJSON_ParseWithLengthOpts(text, len, &end2, 0);
        if (again) {
            cJSON_Delete(again);
            return dnsfw__fail(err, DNSFW_ENOMEM, L.source, 0, 0, "%s",
                               dnsfw_strerror(DNSFW_ENOMEM));
        }
        size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        parse_error_offset(text, len, &off);
        dnsfw__line_col(text, off, &line, &col);
        return dnsfw__fail(err, DNSFW_EPARSE, L.source, line, col,
                           off >= len ? "malformed JSON: unexpected end of text"
                                      : "malformed JSON");
    }
    L.root = root;
    int rc = dnsfw_policy_new(&L.p);
    if (!rc)
        rc = dnsfw__json_index_build(&L.ix, text, len, root);
    if (!rc && !(L.file = dnsfw__policy_file(L.p, L.source)))
        rc = DNSFW_ENOMEM;
    if (rc) {
        dnsfw__json_index_free(&L.ix);
        dnsfw_policy_free(L.p);
        cJSON_Delete(root);
        return dnsfw__fail(err, rc, L.source, 0, 0, "%s", dnsfw_strerror(rc));
    }
    if (!cJSON_IsObject(root)) {
        rc = fail_at(&L, root, false, DNSFW_ESCHEMA, "the policy must be a JSON object");
    } else {
        uint32_t version = 0;
        rc = get_uint(&L, root, "dnsfw", "policy", true, 0, UINT32_MAX, &version);
        if (!rc && version != 1)
            rc = fail_at(&L, member(root, "dnsfw"), false, DNSFW_ESCHEMA,
                         "unsupported policy format version %u (this library reads 1)", version);
        bool general = member(root, "domain_lists") || member(root, "rule_groups");
        if (!rc)
            rc = general ? load_general(&L) : load_tiered(&L);
    }
    if (rc && err && err->status == DNSFW_OK) /* a failure that had no detail yet */
        dnsfw__fail(err, rc, L.source, 0, 0, "%s", dnsfw_strerror(rc));
    dnsfw__json_index_free(&L.ix);
    cJSON_Delete(root);
    if (rc) {
        dnsfw_policy_free(L.p);
        return rc;
    }
    *out = L.p;
    return DNSFW_OK;
}

int dnsfw_policy_from_json_limited(dnsfw_policy **out, const char *text, size_t len,
                                   const char *source, const char *base_dir,
                                   const dnsfw_load_limits *limits, dnsfw_error *err)
{
    struct dnsfw__read_budget b;
    if (!out || (!text && len) || !start_budget(limits, dnsfw__now_ms(), &b))
        return DNSFW_EINVAL;
    *out = NULL;
    if (err)
        memset(err, 0, sizeof *err);
    size_t max = b.bytes_left;
    if (len > b.bytes_left)
        return dnsfw__fail(err, DNSFW_ELIMIT, source ? source : "<policy>", 0, 0,
                           "the policy exceeds the size limit (max_bytes) of %zu bytes", max);
    b.bytes_left -= len;
    return from_json(out, text, len, source, base_dir, &b, max, limits ? limits->timeout_ms : 0,
                     err);
}

int dnsfw_policy_from_json(dnsfw_policy **out, const char *text, size_t len, const char *source,
                           const char *base_dir, dnsfw_error *err)
{
    return dnsfw_policy_from_json_limited(out, text, len, source, base_dir, NULL, err);
}

int dnsfw_policy_load_file_limited(dnsfw_policy **out, const char *path,
                                   const dnsfw_load_limits *limits, dnsfw_error *err)
{
    struct dnsfw__read_budget b;
    if (!out || !path || !start_budget(limits, dnsfw__now_ms(), &b))
        return DNSFW_EINVAL;
    *out = NULL;
    if (err)
        memset(err, 0, sizeof *err);
    size_t max = b.bytes_left;
    uint32_t timeout_ms = limits ? limits->timeout_ms : 0;
    char *text;
    size_t len;
    const char *why;
    int rc = dnsfw__read_file(path, &b, &text, &len, &why);
    if (rc == DNSFW_EIO)
        return dnsfw__fail(err, rc, path, 0, 0, "cannot read the policy: %s",
                           why ? why : strerror(errno));
    if (rc == DNSFW_ELIMIT)
        return dnsfw__fail(err, rc, path, 0, 0,
                           "the policy exceeds the size limit (max_bytes) of %zu bytes", max);
    if (rc == DNSFW_ETIMEDOUT)
        return dnsfw__fail(err, rc, path, 0, 0,
                           "cannot read the policy: it did not deliver within the time limit of "
                           "%u ms",
                           timeout_ms);
    if (rc)
        return dnsfw__fail(err, rc, path, 0, 0, "%s", dnsfw_strerror(rc));
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        snprintf(dir, sizeof dir, ".");
    if (slash == path)
        snprintf(dir, sizeof dir, "/");
    rc = from_json(out, text, len, path, dir, &b, max, timeout_ms, err);
    free(text);
    return rc;
}

int dnsfw_policy_load_file(dnsfw_policy **out, const char *path, dnsfw_error *err)
{
    return dnsfw_policy_load_file_limited(out, path, NULL, err);
}
