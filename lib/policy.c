/* Building and reading a policy: lists, rule groups, rules. */
#include "policy.h"
#include "preset.h"

#include <stdlib.h>
#include <string.h>

#include "name.h"
#include "spec.h"

int dnsfw_policy_new(dnsfw_policy **out)
{
    if (!out)
        return DNSFW_EINVAL;
    *out = calloc(1, sizeof **out);
    return *out ? DNSFW_OK : DNSFW_ENOMEM;
}

static void free_rule(struct rule *r)
{
    free(r->name);
    free(r->override_domain);
}

void dnsfw_policy_free(dnsfw_policy *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_lists; i++) {
        struct spec_list *l = &p->lists[i];
        free(l->name);
        dnsfw__strtab_free(&l->specs);
        for (size_t k = 0; k < l->n_origins; k++)
            free(l->origins[k].written);
        free(l->origins);
        free(l->presets);
        free(l->managed_name);
        for (size_t j = 0; j < l->n_ids; j++)
            free(l->ids[j].region), free(l->ids[j].id);
        free(l->ids);
    }
    for (size_t i = 0; i < p->n_files; i++)
        free(p->files[i]);
    free(p->files);
    for (size_t i = 0; i < p->n_groups; i++) {
        for (size_t j = 0; j < p->groups[i].n_rules; j++)
            free_rule(&p->groups[i].rules[j]);
        free(p->groups[i].rules);
        free(p->groups[i].name);
    }
    for (size_t i = 0; i < p->n_scopes; i++)
        free(p->scopes[i].repo);
    free(p->lists);
    free(p->groups);
    free(p->scopes);
    free(p->tier.override_domain);
    free(p);
}

bool dnsfw__aws_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64)
        return false;
    bool all_digits = true;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool digit = c >= '0' && c <= '9';
        if (!digit && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && c != '-' && c != '_' &&
            c != ' ' && c != '\'')
            return false;
        all_digits &= digit;
    }
    return !all_digits;
}

int dnsfw__policy_add_list_raw(dnsfw_policy *p, const char *name, bool hidden, uint32_t *list)
{
    if (p->n_lists >= UINT32_MAX - 1)
        return DNSFW_ELIMIT;
    if (dnsfw__grow((void **)&p->lists, &p->cap_lists, p->n_lists + 1, sizeof *p->lists))
        return DNSFW_ENOMEM;
    struct spec_list *l = &p->lists[p->n_lists];
    memset(l, 0, sizeof *l);
    if (!(l->name = dnsfw__strdup(name)))
        return DNSFW_ENOMEM;
    l->hidden = hidden;
    if (list)
        *list = (uint32_t)p->n_lists;
    p->n_lists++;
    return DNSFW_OK;
}

int dnsfw_policy_add_list(dnsfw_policy *p, const char *name, uint32_t *list)
{
    if (!p || !name || p->is_tiered)
        return DNSFW_EINVAL;
    if (!dnsfw__aws_name_ok(name))
        return DNSFW_ESCHEMA;
    for (size_t i = 0; i < p->n_lists; i++)
        if (strcmp(p->lists[i].name, name) == 0)
            return DNSFW_EDUPLICATE;
    return dnsfw__policy_add_list_raw(p, name, false, list);
}

int dnsfw__policy_add_normalized(dnsfw_policy *p, uint32_t list, const char *spec, size_t len)
{
    return dnsfw__strtab_add(&p->lists[list].specs, spec, len, NULL, NULL);
}

int dnsfw_policy_add_spec(dnsfw_policy *p, uint32_t list, const char *spec, size_t len,
                          const char **reason)
{
    if (!p || !spec || p->is_tiered)
        return DNSFW_EINVAL;
    if (list >= p->n_lists)
        return DNSFW_ENOTFOUND;
    return dnsfw__policy_add_spec(p, list, spec, len, reason, NULL);
}

int dnsfw__policy_add_spec(dnsfw_policy *p, uint32_t list, const char *spec, size_t len,
                           const char **reason, size_t *pos)
{
    char norm[DNSFW_SPEC_MAX + 1];
    size_t nlen;
    dnsfw_entry_kind kind;
    int rc = dnsfw__spec_parse(spec, len, norm, sizeof norm, &nlen, &kind, reason);
    if (rc)
        return rc;
    return dnsfw__strtab_add(&p->lists[list].specs, norm, nlen, pos, NULL);
}

uint32_t dnsfw__policy_file(dnsfw_policy *p, const char *name)
{
    for (size_t i = 0; i < p->n_files; i++)
        if (strcmp(p->files[i], name) == 0)
            return (uint32_t)i + 1;
    char **nf = realloc(p->files, (p->n_files + 1) * sizeof *nf);
    if (!nf)
        return 0;
    p->files = nf;
    if (!(nf[p->n_files] = dnsfw__strdup(name)))
        return 0;
    return (uint32_t)++p->n_files;
}

int dnsfw__policy_note_origin(dnsfw_policy *p, uint32_t list, size_t pos, const char *text,
                              size_t len, struct where where, uint32_t preset, uint32_t scope)
{
    struct spec_list *l = &p->lists[list];
    if (dnsfw__grow((void **)&l->origins, &l->cap_origins, l->n_origins + 1, sizeof *l->origins))
        return DNSFW_ENOMEM;
    struct spec_origin *o = &l->origins[l->n_origins];
    *o = (struct spec_origin){.spec = pos, .where = where, .preset = preset, .scope = scope};
    const char *norm = dnsfw__strtab_get(&l->specs, pos);
    if (text && (strlen(norm) != len || memcmp(norm, text, len) != 0)) {
        if (!(o->written = malloc(len + 1)))
            return DNSFW_ENOMEM;
        memcpy(o->written, text, len);
        o->written[len] = '\0';
    }
    l->n_origins++;
    return DNSFW_OK;
}

int dnsfw_policy_add_group(dnsfw_policy *p, const char *name, uint32_t priority, uint32_t *group)
{
    if (!p || !name || p->is_tiered)
        return DNSFW_EINVAL;
    if (!dnsfw__aws_name_ok(name) || priority < 1 || priority > 10000)
        return DNSFW_ESCHEMA;
    for (size_t i = 0; i < p->n_groups; i++)
        if (strcmp(p->groups[i].name, name) == 0 || p->groups[i].priority == priority)
            return DNSFW_EDUPLICATE;
    if (dnsfw__grow((void **)&p->groups, &p->cap_groups, p->n_groups + 1, sizeof *p->groups))
        return DNSFW_ENOMEM;
    struct group *g = &p->groups[p->n_groups];
    memset(g, 0, sizeof *g);
    if (!(g->name = dnsfw__strdup(name)))
        return DNSFW_ENOMEM;
    g->priority = priority;
    if (group)
        *group = (uint32_t)p->n_groups;
    p->n_groups++;
    return DNSFW_OK;
}

int dnsfw__rule_check(const dnsfw_policy *p, const dnsfw_rule_def *d, const char **reason)
{
    const char *why = NULL;
    if (d->name && !dnsfw__aws_name_ok(d->name))
        why = "a rule name has 1-64 characters of A-Z a-z 0-9 - _ space ', not all digits";
    else if (!d->name && !p->is_tiered)
        why = "a rule needs a name";
    else if (d->priority < 1 || d->priority > INT32_MAX)
        why = "a rule priority is an integer from 1 to 2147483647";
    else if (d->action != DNSFW_ACTION_ALLOW && d->action != DNSFW_ACTION_ALERT &&
             d->action != DNSFW_ACTION_BLOCK)
        why = "the action must be ALLOW, ALERT or BLOCK";
    else if (d->qtype == 65535)
        why = "AWS accepts query types TYPE1 to TYPE65534";
    else if (d->redirection != DNSFW_REDIRECTION_INSPECT &&
             d->redirection != DNSFW_REDIRECTION_TRUST)
        why = "unknown redirection action";
    else if (d->action == DNSFW_ACTION_BLOCK && d->block_response != DNSFW_RESPONSE_NODATA &&
             d->block_response != DNSFW_RESPONSE_NXDOMAIN &&
             d->block_response != DNSFW_RESPONSE_OVERRIDE)
        why = "a BLOCK rule needs a block_response (NODATA, NXDOMAIN or OVERRIDE)";
    else if (d->action != DNSFW_ACTION_BLOCK && d->block_response != DNSFW_RESPONSE_NONE)
        why = "block_response is only allowed with action BLOCK";
    else if (d->block_response == DNSFW_RESPONSE_OVERRIDE && !d->override_domain)
        why = "block_response OVERRIDE needs block_override with a domain";
    else if (d->block_response != DNSFW_RESPONSE_OVERRIDE && d->override_domain)
        why = "block_override is only allowed with block_response OVERRIDE";
    else if (d->override_ttl > 604800)
        why = "the override TTL must be from 0 to 604800 seconds";
    else if ((unsigned)d->threat >= DNSFW_THREAT_COUNT)
        why = "unknown DNS Firewall Advanced protection";
    else if (d->threat && d->action == DNSFW_ACTION_ALLOW)
        why = "a DNS Firewall Advanced rule ALERTs or BLOCKs: AWS does not allow ALLOW";
    else if (d->threat &&
             (d->confidence < DNSFW_CONFIDENCE_LOW || d->confidence > DNSFW_CONFIDENCE_HIGH))
        why = "a DNS Firewall Advanced rule needs a confidence threshold (LOW, MEDIUM or HIGH)";
    else if (!d->threat && d->confidence != DNSFW_CONFIDENCE_NONE)
        why = "a confidence threshold goes with a DNS Firewall Advanced protection only";
    else if (d->override_domain) {
        struct dnsfw_name n;
        size_t len = strlen(d->override_domain);
        if (len == 0 || len > 255 || dnsfw__name_from_text(&n, d->override_domain, len))
            why = "the override domain is not a valid domain name";
    }
    if (why) {
        if (reason)
            *reason = why;
        return DNSFW_ESCHEMA;
    }
    return DNSFW_OK;
}

int dnsfw_policy_add_rule(dnsfw_policy *p, uint32_t group, const dnsfw_rule_def *d,
                          const char **reason)
{
    if (!p || !d || p->is_tiered) /* the tiered form's rules are fixed, as its lists are */
        return DNSFW_EINVAL;
    if (group >= p->n_groups || (!d->threat && d->domain_list >= p->n_lists)) {
        if (reason)
            *reason = group >= p->n_groups ? "no such rule group" : "no such domain list";
        return DNSFW_ENOTFOUND;
    }
    int rc = dnsfw__rule_check(p, d, reason);
    if (rc)
        return rc;
    struct group *g = &p->groups[group];
    size_t at = 0;
    while (at < g->n_rules && g->rules[at].priority < d->priority)
        at++;
    if (at < g->n_rules && g->rules[at].priority == d->priority) {
        if (reason)
            *reason = "rule priorities must be unique in a rule group";
        return DNSFW_EDUPLICATE;
    }
    struct rule r = {
        .priority = d->priority,
        .action = d->action,
        .list = d->domain_list,
        .qtype = d->qtype,
        .redirection = d->redirection,
        .block_response = d->block_response,
        .override_ttl = d->override_ttl,
        .threat = d->threat,
        .confidence = d->confidence,
    };
    if (d->threat)
        r.list = DNSFW_NONE; /* an Advanced rule looks at no list */
    r.name = dnsfw__strdup(d->name);
    r.override_domain = dnsfw__strdup(d->override_domain);
    if ((d->name && !r.name) || (d->override_domain && !r.override_domain) ||
        dnsfw__grow((void **)&g->rules, &g->cap_rules, g->n_rules + 1, sizeof *g->rules)) {
        free_rule(&r);
        return DNSFW_ENOMEM;
    }
    memmove(&g->rules[at + 1], &g->rules[at], (g->n_rules - at) * sizeof *g->rules);
    g->rules[at] = r;
    g->n_rules++;
    return DNSFW_OK;
}

int dnsfw_policy_set_fail_open(dnsfw_policy *p, int fail_open)
{
    if (!p)
        return DNSFW_EINVAL;
    p->fail_open = fail_open ? 1 : 0;
    return DNSFW_OK;
}

/* --- reading ------------------------------------------------------------------------ */

/* Public list numbers skip the hidden per-blueprint lists, which always come last. */
static size_t visible_lists(const dnsfw_policy *p)
{
    size_t n = 0;
    while (n < p->n_lists && !p->lists[n].hidden)
        n++;
    return n;
}

void dnsfw_policy_get_info(const dnsfw_policy *p, dnsfw_policy_info *info)
{
    if (!p || !info)
        return;
    memset(info, 0, sizeof *info);
    info->tiered = p->is_tiered;
    info->mode = p->tier.mode;
    info->fail_open = p->fail_open;
    info->n_lists = (uint32_t)visible_lists(p);
    info->n_groups = (uint32_t)p->n_groups;
    info->n_scopes = (uint32_t)p->n_scopes;
    for (size_t i = 0; i < info->n_lists; i++)
        info->n_specs += p->lists[i].specs.count;
}

const char *dnsfw_policy_list_name(const dnsfw_policy *p, uint32_t list)
{
    return p && list < visible_lists(p) ? p->lists[list].name : NULL;
}

size_t dnsfw_policy_list_size(const dnsfw_policy *p, uint32_t list)
{
    return p && list < visible_lists(p) ? p->lists[list].specs.count : 0;
}

const char *dnsfw_policy_list_spec(const dnsfw_policy *p, uint32_t list, size_t i)
{
    if (!p || list >= visible_lists(p) || i >= p->lists[list].specs.count)
        return NULL;
    return dnsfw__strtab_get(&p->lists[list].specs, i);
}

int dnsfw_policy_get_group(const dnsfw_policy *p, uint32_t group, dnsfw_group_info *info)
{
    if (!p || !info || group >= p->n_groups)
        return DNSFW_EINVAL;
    info->name = p->groups[group].name;
    info->priority = p->groups[group].priority;
    info->n_rules = (uint32_t)p->groups[group].n_rules;
    return DNSFW_OK;
}

int dnsfw_policy_get_rule(const dnsfw_policy *p, uint32_t group, uint32_t i, dnsfw_rule_def *d)
{
    if (!p || !d || group >= p->n_groups || i >= p->groups[group].n_rules)
        return DNSFW_EINVAL;
    const struct rule *r = &p->groups[group].rules[i];
    *d = (dnsfw_rule_def){
        .name = r->name,
        .priority = r->priority,
        .action = r->action,
        .domain_list = r->list,
        .qtype = r->qtype,
        .redirection = r->redirection,
        .block_response = r->block_response,
        .override_domain = r->override_domain,
        .override_ttl = r->override_ttl,
        .threat = r->threat,
        .confidence = r->confidence,
    };
    return DNSFW_OK;
}

const char *dnsfw_policy_scope_name(const dnsfw_policy *p, uint32_t scope)
{
    return p && scope < p->n_scopes ? p->scopes[scope].repo : NULL;
}

/* --- AWS-managed domain lists --------------------------------------------------------- */

static bool managed_name_ok(const char *name)
{
    return strncmp(name, "AWSManagedDomains", 17) == 0 && name[17] && dnsfw__aws_name_ok(name);
}

/* "us-east-1", "cn-north-1", "us-gov-west-1"... or "*". */
static bool region_ok(const char *r)
{
    if (strcmp(r, "*") == 0)
        return true;
    size_t n = strlen(r), dashes = 0;
    if (n < 4 || n > 32 || r[0] == '-' || r[n - 1] < '0' || r[n - 1] > '9')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (r[i] == '-')
            dashes++;
        else if (!((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= '0' && r[i] <= '9')))
            return false;
    }
    return dashes >= 2;
}

/* "rslvr-fdl-" and hexadecimal digits, at most 64 characters. */
static bool list_id_ok(const char *id)
{
    size_t n = strlen(id);
    return n > 10 && n <= 64 && strncmp(id, "rslvr-fdl-", 10) == 0 &&
           strspn(id + 10, "0123456789abcdef") == n - 10;
}

int dnsfw_policy_set_list_managed(dnsfw_policy *p, uint32_t list, const char *aws_name)
{
    if (!p || list >= p->n_lists || p->lists[list].hidden || p->is_tiered)
        return p && list >= p->n_lists ? DNSFW_ENOTFOUND : DNSFW_EINVAL;
    if (aws_name && !managed_name_ok(aws_name))
        return DNSFW_ESCHEMA;
    struct spec_list *l = &p->lists[list];
    char *copy = aws_name ? strdup(aws_name) : NULL;
    if (aws_name && !copy)
        return DNSFW_ENOMEM;
    free(l->managed_name);
    l->managed_name = copy;
    l->managed = true;
    return DNSFW_OK;
}

int dnsfw_policy_add_list_managed_id(dnsfw_policy *p, uint32_t list, const char *region,
                                     const char *id)
{
    if (!p || !region || !id)
        return DNSFW_EINVAL;
    if (list >= p->n_lists)
        return DNSFW_ENOTFOUND;
    struct spec_list *l = &p->lists[list];
    if (!l->managed)
        return DNSFW_EINVAL;
    if (!region_ok(region) || !list_id_ok(id))
        return DNSFW_ESCHEMA;
    for (size_t i = 0; i < l->n_ids; i++)
        if (strcmp(l->ids[i].region, region) == 0)
            return DNSFW_EDUPLICATE;
    struct managed_id *n = realloc(l->ids, (l->n_ids + 1) * sizeof *n);
    if (!n)
        return DNSFW_ENOMEM;
    l->ids = n;
    n[l->n_ids].region = strdup(region);
    n[l->n_ids].id = strdup(id);
    if (!n[l->n_ids].region || !n[l->n_ids].id) {
        free(n[l->n_ids].region), free(n[l->n_ids].id);
        return DNSFW_ENOMEM;
    }
    l->n_ids++;
    return DNSFW_OK;
}

int dnsfw_policy_list_managed(const dnsfw_policy *p, uint32_t list, dnsfw_managed_info *info)
{
    if (!p || !info || list >= visible_lists(p))
        return DNSFW_EINVAL;
    const struct spec_list *l = &p->lists[list];
    *info = (dnsfw_managed_info){.managed = l->managed,
                                 .aws_name = l->managed_name,
                                 .n_ids = l->n_ids,
                                 .stand_in = l->managed && l->specs.count > 0};
    return DNSFW_OK;
}

int dnsfw_policy_list_managed_id(const dnsfw_policy *p, uint32_t list, size_t i,
                                 const char **region, const char **id)
{
    if (!p || !region || !id || list >= visible_lists(p) || i >= p->lists[list].n_ids)
        return DNSFW_EINVAL;
    *region = p->lists[list].ids[i].region;
    *id = p->lists[list].ids[i].id;
    return DNSFW_OK;
}

/* --- where things were written ------------------------------------------------------ */

static void location_of(const dnsfw_policy *p, struct where w, dnsfw_location *out)
{
    *out = (dnsfw_location){0};
    if (w.file && w.file <= p->n_files) {
        out->file = p->files[w.file - 1];
        out->line = w.line;
        out->column = w.column;
    }
}

size_t dnsfw_policy_list_origins(const dnsfw_policy *p, uint32_t list)
{
    return p && list < visible_lists(p) ? p->lists[list].n_origins : 0;
}

int dnsfw_policy_list_origin(const dnsfw_policy *p, uint32_t list, size_t k, dnsfw_spec_origin *out)
{
    if (!out)
        return DNSFW_EINVAL;
    memset(out, 0, sizeof *out);
    if (!p || list >= visible_lists(p) || k >= p->lists[list].n_origins)
        return DNSFW_EINVAL;
    const struct spec_origin *o = &p->lists[list].origins[k];
    out->spec = o->spec;
    location_of(p, o->where, &out->where);
    out->written = o->written ? o->written : dnsfw__strtab_get(&p->lists[list].specs, o->spec);
    out->preset = o->preset ? dnsfw__preset_name(o->preset - 1) : NULL;
    out->repo = o->scope && o->scope <= p->n_scopes ? p->scopes[o->scope - 1].repo : NULL;
    return DNSFW_OK;
}

int dnsfw_policy_list_location(const dnsfw_policy *p, uint32_t list, dnsfw_location *out)
{
    if (!p || !out || list >= visible_lists(p))
        return DNSFW_EINVAL;
    location_of(p, p->lists[list].where, out);
    return DNSFW_OK;
}

int dnsfw_policy_group_location(const dnsfw_policy *p, uint32_t group, dnsfw_location *out)
{
    if (!p || !out || group >= p->n_groups)
        return DNSFW_EINVAL;
    location_of(p, p->groups[group].where, out);
    return DNSFW_OK;
}

int dnsfw_policy_rule_location(const dnsfw_policy *p, uint32_t group, uint32_t i,
                               dnsfw_location *out)
{
    if (!p || !out || group >= p->n_groups || i >= p->groups[group].n_rules)
        return DNSFW_EINVAL;
    location_of(p, p->groups[group].rules[i].where, out);
    return DNSFW_OK;
}
