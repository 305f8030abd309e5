#include "fwmodel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_limits.h"
#include "diag.h"

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Grow *arr so that it holds n + 1 elements of size sz. */
static int reserve(void **arr, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *na = realloc(*arr, ncap * sz);
    if (!na)
        return -1;
    *arr = na;
    *cap = ncap;
    return 0;
}

void fw_model_init(struct fw_model *m)
{
    memset(m, 0, sizeof *m);
    m->fail_open = -1;
}

static void free_rule(struct fw_rule *r)
{
    free(r->name);
    free(r->override_domain);
}

void fw_model_free(struct fw_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_lists; i++) {
        struct fw_list *l = &m->lists[i];
        for (size_t j = 0; j < l->n_specs; j++)
            free(l->specs[j]);
        free(l->specs);
        free(l->name);
        free(l->id);
        free(l->managed_name);
        for (size_t j = 0; j < l->n_ids; j++)
            free(l->ids[j].region), free(l->ids[j].id);
        free(l->ids);
        strmap_free(&l->seen, NULL);
    }
    free(m->lists);
    for (size_t i = 0; i < m->n_groups; i++) {
        struct fw_group *g = &m->groups[i];
        for (size_t j = 0; j < g->n_rules; j++)
            free_rule(&g->rules[j]);
        free(g->rules);
        free(g->name);
        free(g->id);
        free(g->assoc_name);
    }
    free(m->groups);
    free(m->query_log.name);
    free(m->query_log.arn);
    for (size_t i = 0; i < m->n_files; i++)
        free(m->files[i]);
    free(m->files);
    fw_model_init(m);
}

const char *fw_model_file(struct fw_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_files; i++)
        if (strcmp(m->files[i], name) == 0)
            return m->files[i];
    char **nf = realloc(m->files, (m->n_files + 1) * sizeof *nf);
    if (!nf)
        return NULL;
    m->files = nf;
    if (!(nf[m->n_files] = strdup(name)))
        return NULL;
    return nf[m->n_files++];
}

size_t fw_model_add_list(struct fw_model *m, const char *name, const char *id)
{
    if (reserve((void **)&m->lists, &m->cap_lists, m->n_lists, sizeof *m->lists))
        return SIZE_MAX;
    struct fw_list *l = &m->lists[m->n_lists];
    memset(l, 0, sizeof *l);
    l->name = dup_or_null(name);
    l->id = dup_or_null(id);
    if (!l->name || (id && !l->id)) {
        free(l->name);
        free(l->id);
        return SIZE_MAX;
    }
    return m->n_lists++;
}

size_t fw_model_add_group(struct fw_model *m, const char *name, const char *id)
{
    if (reserve((void **)&m->groups, &m->cap_groups, m->n_groups, sizeof *m->groups))
        return SIZE_MAX;
    struct fw_group *g = &m->groups[m->n_groups];
    memset(g, 0, sizeof *g);
    g->name = dup_or_null(name);
    g->id = dup_or_null(id);
    if (!g->name || (id && !g->id)) {
        free(g->name);
        free(g->id);
        return SIZE_MAX;
    }
    return m->n_groups++;
}

struct fw_rule *fw_group_add_rule(struct fw_group *g, const struct fw_rule *r)
{
    if (reserve((void **)&g->rules, &g->cap_rules, g->n_rules, sizeof *g->rules))
        return NULL;
    struct fw_rule *n = &g->rules[g->n_rules];
    *n = *r;
    n->name = dup_or_null(r->name);
    n->override_domain = dup_or_null(r->override_domain);
    if ((r->name && !n->name) || (r->override_domain && !n->override_domain)) {
        free_rule(n);
        return NULL;
    }
    g->n_rules++;
    return n;
}

int fw_list_add_spec(struct fw_list *l, const char *spec, size_t len, const char **reason)
{
    char norm[DNSFW_SPEC_MAX + 2];
    int rc = dnsfw_spec_normalize(spec, len, norm, sizeof norm, reason);
    if (rc == DNSFW_ENOSPC) {
        if (reason)
            *reason = "longer than 255 characters";
        return DNSFW_EBADSPEC;
    }
    if (rc)
        return rc;
    /* a deployed list may hold 100,000 entries: no linear scan */
    void **slot = strmap_slot(&l->seen, norm, strlen(norm));
    if (!slot)
        return DNSFW_ENOMEM;
    if (*slot)
        return DNSFW_OK;
    if (reserve((void **)&l->specs, &l->cap_specs, l->n_specs, sizeof *l->specs))
        return DNSFW_ENOMEM;
    if (!(l->specs[l->n_specs] = strdup(norm)))
        return DNSFW_ENOMEM;
    *slot = l->specs[l->n_specs++];
    return DNSFW_OK;
}

bool fw_list_add_managed_id(struct fw_list *l, const char *region, const char *id)
{
    if (fw_list_managed_id(l, region))
        return true;
    struct fw_managed_id *n = realloc(l->ids, (l->n_ids + 1) * sizeof *n);
    if (!n)
        return false;
    l->ids = n;
    n[l->n_ids].region = strdup(region);
    n[l->n_ids].id = strdup(id);
    if (!n[l->n_ids].region || !n[l->n_ids].id) {
        free(n[l->n_ids].region), free(n[l->n_ids].id);
        return false;
    }
    l->n_ids++;
    return true;
}

const char *fw_list_managed_id(const struct fw_list *l, const char *region)
{
    for (size_t i = 0; i < l->n_ids; i++)
        if (strcmp(l->ids[i].region, region) == 0)
            return l->ids[i].id;
    return NULL;
}

size_t fw_model_find_list(const struct fw_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_lists; i++)
        if (strcmp(m->lists[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

size_t fw_model_find_group(const struct fw_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_groups; i++)
        if (strcmp(m->groups[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

/* Insertion sorts: stable, and the arrays are small (AWS allows 100 rules, 5 groups). */
static void sort_rules(struct fw_group *g)
{
    for (size_t i = 1; i < g->n_rules; i++) {
        struct fw_rule r = g->rules[i];
        size_t j = i;
        for (; j > 0 && g->rules[j - 1].priority > r.priority; j--)
            g->rules[j] = g->rules[j - 1];
        g->rules[j] = r;
    }
}

static bool group_before(const struct fw_group *a, const struct fw_group *b)
{
    if (a->priority_known != b->priority_known)
        return a->priority_known;
    return a->priority_known && a->priority < b->priority;
}

void fw_model_sort(struct fw_model *m)
{
    for (size_t i = 1; i < m->n_groups; i++) {
        struct fw_group g = m->groups[i];
        size_t j = i;
        for (; j > 0 && group_before(&g, &m->groups[j - 1]); j--)
            m->groups[j] = m->groups[j - 1];
        m->groups[j] = g;
    }
    for (size_t i = 0; i < m->n_groups; i++)
        sort_rules(&m->groups[i]);
}

int fw_model_from_policy(const dnsfw_policy *p, struct fw_model *m)
{
    dnsfw_policy_info info;
    dnsfw_policy_get_info(p, &info);
    fw_model_init(m);
    m->tiered = info.tiered;
    m->fail_open = info.fail_open ? 1 : 0;
    /* as the platform's construct deploys it; the exporters' options may change it */
    m->query_log = (struct fw_query_log){
        .dest = FW_QUERY_LOG_CLOUDWATCH, .retention = FW_QUERY_LOG_RETENTION, .associated = true};
    if (!fw_set_string(&m->query_log.name, info.tiered ? FW_TIERED_QUERY_LOG : FW_QUERY_LOG_NAME))
        return DNSFW_ENOMEM;
    for (uint32_t i = 0; i < info.n_lists; i++) {
        if (fw_model_add_list(m, dnsfw_policy_list_name(p, i), NULL) == SIZE_MAX)
            return DNSFW_ENOMEM;
        struct fw_list *l = &m->lists[i];
        size_t n = dnsfw_policy_list_size(p, i);
        l->specs = calloc(n ? n : 1, sizeof *l->specs);
        if (!l->specs)
            return DNSFW_ENOMEM;
        l->cap_specs = n ? n : 1;
        dnsfw_managed_info mi;
        if (dnsfw_policy_list_managed(p, i, &mi) == DNSFW_OK && mi.managed) {
            l->managed = true;
            if (!fw_set_string(&l->managed_name, mi.aws_name))
                return DNSFW_ENOMEM;
            for (size_t k = 0; k < mi.n_ids; k++) {
                const char *region, *id;
                if (dnsfw_policy_list_managed_id(p, i, k, &region, &id) != DNSFW_OK ||
                    !fw_list_add_managed_id(l, region, id))
                    return DNSFW_ENOMEM;
            }
        }
        /* Already normalised and unique: copy as they are. */
        for (size_t j = 0; j < n; j++) {
            const char *s = dnsfw_policy_list_spec(p, i, j);
            void **slot = strmap_slot(&l->seen, s, strlen(s));
            if (!slot || !(l->specs[j] = strdup(s)))
                return DNSFW_ENOMEM;
            *slot = l->specs[l->n_specs++];
        }
    }
    for (uint32_t i = 0; i < info.n_groups; i++) {
        dnsfw_group_info gi;
        if (dnsfw_policy_get_group(p, i, &gi) != DNSFW_OK)
            return DNSFW_EINVAL;
        size_t gx = fw_model_add_group(m, gi.name, NULL);
        if (gx == SIZE_MAX)
            return DNSFW_ENOMEM;
        struct fw_group *g = &m->groups[gx];
        g->priority = gi.priority;
        g->priority_known = true;
        /* the construct names its association apart from its rule group */
        if (!fw_set_string(&g->assoc_name, info.tiered ? FW_TIERED_ASSOCIATION : gi.name))
            return DNSFW_ENOMEM;
        for (uint32_t j = 0; j < gi.n_rules; j++) {
            dnsfw_rule_def d;
            if (dnsfw_policy_get_rule(p, i, j, &d) != DNSFW_OK ||
                (!d.threat && d.domain_list >= info.n_lists))
                return DNSFW_EINVAL;
            struct fw_rule r = {
                /* AWS needs a name; a tiered rule is named after its list */
                .name = (char *)(d.name ? d.name : dnsfw_policy_list_name(p, d.domain_list)),
                .priority = d.priority,
                .action = d.action,
                .list = d.threat ? FW_NO_LIST : d.domain_list,
                .threat = d.threat,
                .confidence = d.confidence,
                .qtype = d.qtype,
                .redirection = d.redirection,
                .response = d.action == DNSFW_ACTION_BLOCK ? d.block_response : DNSFW_RESPONSE_NONE,
                .override_domain =
                    d.block_response == DNSFW_RESPONSE_OVERRIDE ? (char *)d.override_domain : NULL,
                .override_ttl = d.override_ttl,
            };
            if (!fw_group_add_rule(g, &r))
                return DNSFW_ENOMEM;
        }
    }
    fw_model_sort(m);
    return DNSFW_OK;
}

static int add_list_unique(dnsfw_policy *p, const struct fw_list *l, size_t index, uint32_t *out)
{
    int rc = dnsfw_policy_add_list(p, l->name, out);
    if (rc != DNSFW_EDUPLICATE)
        return rc;
    /* AWS does not require unique list names; a policy does. */
    char alt[80];
    for (unsigned k = 2; k < 1000; k++) {
        snprintf(alt, sizeof alt, "%.56s-%u", l->name, k);
        if ((rc = dnsfw_policy_add_list(p, alt, out)) != DNSFW_EDUPLICATE) {
            if (!rc)
                diag_warning(l->where.file, l->where.line,
                             "domain list %zu: name \"%s\" is taken; imported as \"%s\"", index + 1,
                             l->name, alt);
            return rc;
        }
    }
    return DNSFW_EDUPLICATE;
}

int fw_model_to_policy(const struct fw_model *m, dnsfw_policy **out)
{
    dnsfw_policy *p;
    int rc = dnsfw_policy_new(&p);
    if (rc)
        return rc;
    uint32_t *lists = calloc(m->n_lists ? m->n_lists : 1, sizeof *lists);
    if (!lists) {
        dnsfw_policy_free(p);
        return DNSFW_ENOMEM;
    }
    /* the lists AWS holds first, then the AWS-managed ones, each in the model's order: a
     * template keeps the two apart, so the policy is the same whichever way it came */
    for (size_t k = 0; !rc && k < 2 * m->n_lists; k++) {
        size_t i = k % m->n_lists;
        const struct fw_list *l = &m->lists[i];
        if (l->managed != (k >= m->n_lists))
            continue;
        if ((rc = add_list_unique(p, l, i, &lists[i]))) {
            diag_error(l->where.file, l->where.line, "domain list \"%s\": %s", l->name,
                       rc == DNSFW_ESCHEMA ? "not a name AWS accepts" : dnsfw_strerror(rc));
            break;
        }
        if (!rc && l->managed) {
            if ((rc = dnsfw_policy_set_list_managed(p, lists[i], l->managed_name)))
                diag_error(l->where.file, l->where.line,
                           "domain list \"%s\": \"%s\" is not the name of an AWS-managed list",
                           l->name, l->managed_name);
            for (size_t j = 0; !rc && j < l->n_ids; j++)
                if ((rc = dnsfw_policy_add_list_managed_id(p, lists[i], l->ids[j].region,
                                                           l->ids[j].id)))
                    diag_error(l->where.file, l->where.line,
                               "domain list \"%s\": Region \"%s\", id \"%s\": %s", l->name,
                               l->ids[j].region, l->ids[j].id, dnsfw_strerror(rc));
        }
        for (size_t j = 0; !rc && j < l->n_specs; j++) {
            const char *reason = NULL;
            if ((rc =
                     dnsfw_policy_add_spec(p, lists[i], l->specs[j], strlen(l->specs[j]), &reason)))
                diag_error(l->where.file, l->where.line, "domain list \"%s\": \"%s\": %s", l->name,
                           l->specs[j], reason ? reason : dnsfw_strerror(rc));
        }
    }
    /* Groups with an unknown association priority go after the known ones, in order. */
    uint32_t next = 100;
    for (size_t i = 0; i < m->n_groups; i++)
        if (m->groups[i].priority_known && m->groups[i].priority > next)
            next = m->groups[i].priority;
    for (size_t i = 0; !rc && i < m->n_groups; i++) {
        const struct fw_group *g = &m->groups[i];
        uint32_t prio = g->priority_known ? g->priority : ++next;
        uint32_t gx;
        if ((rc = dnsfw_policy_add_group(p, g->name, prio, &gx))) {
            diag_error(g->where.file, g->where.line, "rule group \"%s\" (priority %u): %s", g->name,
                       prio,
                       rc == DNSFW_EDUPLICATE ? "name or association priority used twice"
                       : rc == DNSFW_ESCHEMA  ? "bad name or priority"
                                              : dnsfw_strerror(rc));
            break;
        }
        for (size_t j = 0; !rc && j < g->n_rules; j++) {
            const struct fw_rule *r = &g->rules[j];
            char name[32];
            snprintf(name, sizeof name, "rule-%u", r->priority);
            dnsfw_rule_def d = {
                .name = r->name ? r->name : name,
                .priority = r->priority,
                .action = r->action,
                .domain_list = r->threat ? DNSFW_NONE : lists[r->list],
                .threat = r->threat,
                .confidence = r->confidence,
                .qtype = r->qtype,
                .redirection = r->redirection,
                .block_response = r->response,
                .override_domain = r->override_domain,
                .override_ttl = r->override_ttl,
            };
            const char *reason = NULL;
            if ((rc = dnsfw_policy_add_rule(p, gx, &d, &reason)))
                diag_error(r->where.file, r->where.line, "rule group \"%s\", rule %u: %s", g->name,
                           r->priority,
                           reason                   ? reason
                           : rc == DNSFW_EDUPLICATE ? "priority used twice in the group"
                                                    : dnsfw_strerror(rc));
        }
    }
    free(lists);
    if (!rc)
        dnsfw_policy_set_fail_open(p, m->fail_open == 1);
    if (rc) {
        dnsfw_policy_free(p);
        p = NULL;
    }
    *out = p;
    return rc;
}

/* The mnemonics a rule's Qtype accepts (AWS API reference, CreateFirewallRule). */
static const char *const aws_qtypes[] = {"A",  "AAAA", "CAA", "CNAME", "DS",  "MX", "NAPTR",
                                         "NS", "PTR",  "SOA", "SPF",   "SRV", "TXT"};

void fw_qtype_text(uint16_t qtype, char buf[16])
{
    char name[16];
    if (dnsfw_qtype_format(qtype, name, sizeof name) == DNSFW_OK)
        for (size_t i = 0; i < sizeof aws_qtypes / sizeof aws_qtypes[0]; i++)
            if (strcmp(name, aws_qtypes[i]) == 0) {
                memcpy(buf, name, strlen(name) + 1);
                return;
            }
    snprintf(buf, 16, "TYPE%u", (unsigned)qtype);
}

bool fw_aws_name_ok(const char *name)
{
    return aws_name_ok(name);
}

bool fw_set_string(char **field, const char *value)
{
    char *copy = value ? strdup(value) : NULL;
    if (value && !copy)
        return false;
    free(*field);
    *field = copy;
    return true;
}

static const char *const query_log_dests[] = {"unknown", "none", "cloudwatch", "s3", "firehose"};

const char *fw_query_log_dest_name(enum fw_query_log_dest d)
{
    return (unsigned)d < sizeof query_log_dests / sizeof query_log_dests[0] ? query_log_dests[d]
                                                                            : "unknown";
}

int fw_parse_query_log_dest(const char *s)
{
    for (size_t i = 1; i < sizeof query_log_dests / sizeof query_log_dests[0]; i++)
        if (strcmp(s, query_log_dests[i]) == 0)
            return (int)i;
    return -1;
}

int fw_parse_action(const char *s)
{
    if (strcmp(s, "ALLOW") == 0)
        return DNSFW_ACTION_ALLOW;
    if (strcmp(s, "ALERT") == 0)
        return DNSFW_ACTION_ALERT;
    if (strcmp(s, "BLOCK") == 0)
        return DNSFW_ACTION_BLOCK;
    return -1;
}

int fw_parse_response(const char *s)
{
    if (strcmp(s, "NODATA") == 0)
        return DNSFW_RESPONSE_NODATA;
    if (strcmp(s, "NXDOMAIN") == 0)
        return DNSFW_RESPONSE_NXDOMAIN;
    if (strcmp(s, "OVERRIDE") == 0)
        return DNSFW_RESPONSE_OVERRIDE;
    return -1;
}

int fw_parse_redirection(const char *s)
{
    if (strcmp(s, "INSPECT_REDIRECTION_DOMAIN") == 0)
        return DNSFW_REDIRECTION_INSPECT;
    if (strcmp(s, "TRUST_REDIRECTION_DOMAIN") == 0)
        return DNSFW_REDIRECTION_TRUST;
    return -1;
}

int fw_parse_threat(const char *s)
{
    for (int t = DNSFW_THREAT_DGA; t < DNSFW_THREAT_COUNT; t++)
        if (strcmp(s, dnsfw_threat_name((dnsfw_threat)t)) == 0)
            return t;
    return -1;
}

int fw_parse_confidence(const char *s)
{
    for (int c = DNSFW_CONFIDENCE_LOW; c <= DNSFW_CONFIDENCE_HIGH; c++)
        if (strcmp(s, dnsfw_confidence_name((dnsfw_confidence)c)) == 0)
            return c;
    return -1;
}
