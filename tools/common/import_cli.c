/*
 * Saved AWS CLI outputs back into a model. Each document is recognised by its top-level
 * key, whatever its file name:
 *
 *   FirewallRuleGroups / FirewallRuleGroup       list-firewall-rule-groups, get-firewall-rule-group
 *   FirewallRules                                list-firewall-rules (one per rule group)
 *   Domains                                      list-firewall-domains: the file name must
 *                                                contain the list's id (rslvr-fdl-...)
 *   FirewallConfig / FirewallConfigs             get-firewall-config, list-firewall-configs
 *   FirewallDomainLists / FirewallDomainList     list-firewall-domain-lists (names), optional
 *   FirewallRuleGroupAssociations / ...Association   association priorities, optional
 *
 * Without the associations the evaluation order of several rule groups is unknown (their
 * order of appearance is used); without the domain list names, lists are named by id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "import.h"
#include "import_json.h"

struct ci_rule {
    char *group_id, *list_id;
    struct fw_rule r; /* r.name and r.override_domain are owned */
    bool advanced;
};

struct ci_group {
    char *id, *name;
    struct fw_where where;
};

struct ci_domains {
    char *list_id;
    struct fw_list specs; /* only its specs are used */
    struct fw_where where;
};

struct ci_list_name {
    char *id, *name;
    char *region; /* from the list's ARN */
    bool managed;
};

struct ci_assoc {
    char *group_id, *vpc, *name;
    uint32_t priority;
    struct fw_where where;
};

struct ci_query_log {
    char *id, *name, *arn;
};

struct ci_query_log_assoc {
    char *config_id, *vpc;
};

struct ci_log_group {
    char *name;
    int retention; /* 0: never expires */
};

struct ci_config {
    char *vpc;
    char *value;
    struct fw_where where;
};

#define ARRAY(type, name)                                                                          \
    type *name;                                                                                    \
    size_t n_##name, cap_##name

struct cli_import {
    char *vpc;
    struct fw_model files; /* owns the file names */
    ARRAY(struct ci_rule, rules);
    ARRAY(struct ci_group, groups);
    ARRAY(struct ci_domains, domains);
    ARRAY(struct ci_list_name, names);
    ARRAY(struct ci_assoc, assocs);
    ARRAY(struct ci_config, configs);
    ARRAY(char *, rule_docs); /* group ids that had a list-firewall-rules document */
    ARRAY(struct ci_query_log, query_logs);
    ARRAY(struct ci_query_log_assoc, query_log_assocs);
    ARRAY(struct ci_log_group, log_groups);
    bool have_assocs, have_query_logs, have_query_log_assocs, have_log_groups;
    int oom;
};

static void *push(void **arr, size_t *n, size_t *cap, size_t size)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        void *na = realloc(*arr, ncap * size);
        if (!na)
            return NULL;
        *arr = na;
        *cap = ncap;
    }
    void *e = (char *)*arr + (*n)++ * size;
    memset(e, 0, size);
    return e;
}

#define PUSH(ci, name)                                                                             \
    push((void **)&(ci)->name, &(ci)->n_##name, &(ci)->cap_##name, sizeof *(ci)->name)

static char *sdup(struct cli_import *ci, const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        ci->oom = 1;
    return d;
}

struct cli_import *cli_import_new(const char *vpc)
{
    struct cli_import *ci = calloc(1, sizeof *ci);
    if (!ci)
        return NULL;
    fw_model_init(&ci->files);
    if (vpc && !(ci->vpc = strdup(vpc))) {
        free(ci);
        return NULL;
    }
    return ci;
}

void cli_import_free(struct cli_import *ci)
{
    if (!ci)
        return;
    for (size_t i = 0; i < ci->n_rules; i++) {
        free(ci->rules[i].group_id);
        free(ci->rules[i].list_id);
        free(ci->rules[i].r.name);
        free(ci->rules[i].r.override_domain);
    }
    for (size_t i = 0; i < ci->n_groups; i++)
        free(ci->groups[i].id), free(ci->groups[i].name);
    for (size_t i = 0; i < ci->n_domains; i++) {
        free(ci->domains[i].list_id);
        for (size_t j = 0; j < ci->domains[i].specs.n_specs; j++)
            free(ci->domains[i].specs.specs[j]);
        free(ci->domains[i].specs.specs);
        strmap_free(&ci->domains[i].specs.seen, NULL);
    }
    for (size_t i = 0; i < ci->n_names; i++)
        free(ci->names[i].id), free(ci->names[i].name), free(ci->names[i].region);
    for (size_t i = 0; i < ci->n_assocs; i++)
        free(ci->assocs[i].group_id), free(ci->assocs[i].vpc), free(ci->assocs[i].name);
    for (size_t i = 0; i < ci->n_query_logs; i++)
        free(ci->query_logs[i].id), free(ci->query_logs[i].name), free(ci->query_logs[i].arn);
    for (size_t i = 0; i < ci->n_query_log_assocs; i++)
        free(ci->query_log_assocs[i].config_id), free(ci->query_log_assocs[i].vpc);
    for (size_t i = 0; i < ci->n_log_groups; i++)
        free(ci->log_groups[i].name);
    free(ci->query_logs), free(ci->query_log_assocs), free(ci->log_groups);
    for (size_t i = 0; i < ci->n_configs; i++)
        free(ci->configs[i].vpc), free(ci->configs[i].value);
    for (size_t i = 0; i < ci->n_rule_docs; i++)
        free(ci->rule_docs[i]);
    free(ci->rules), free(ci->groups), free(ci->domains), free(ci->names), free(ci->assocs);
    free(ci->configs), free(ci->rule_docs), free(ci->vpc);
    fw_model_free(&ci->files);
    free(ci);
}

/* The AWS id with this prefix in a file name ("rslvr-fdl-" + letters and digits). */
static bool id_in_name(const char *file, const char *prefix, char *out, size_t size)
{
    const char *base = strrchr(file, '/');
    const char *p = strstr(base ? base + 1 : file, prefix);
    if (!p)
        return false;
    size_t n = strlen(prefix);
    while (n < size - 1 && ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9')))
        n++;
    if (n == strlen(prefix))
        return false;
    memcpy(out, p, n);
    out[n] = '\0';
    return true;
}

/* An array member, or a single object member made an array of one. */
static bool items(const struct json_doc *d, const cJSON *root, const char *many, const char *one,
                  const cJSON **first, bool *found)
{
    bool ok = true;
    const cJSON *v = jmember(d, root, many, &ok);
    *first = NULL;
    *found = false;
    if (!ok)
        return false;
    if (v) {
        if (!cJSON_IsArray(v))
            return jfail(d, v, "\"%s\" must be an array", many);
        *found = true;
        *first = v->child;
        return true;
    }
    v = one ? jmember(d, root, one, &ok) : NULL;
    if (!ok)
        return false;
    if (v) {
        if (!cJSON_IsObject(v))
            return jfail(d, v, "\"%s\" must be an object", one);
        *found = true;
        *first = v; /* v->next is the root's next member: callers stop after one */
    }
    return true;
}

static bool need_object(const struct json_doc *d, const cJSON *e)
{
    return cJSON_IsObject(e) ? true : jfail(d, e, "expected an object");
}

static bool read_groups(struct cli_import *ci, const struct json_doc *d, const cJSON *e,
                        bool single)
{
    for (; e; e = single ? NULL : e->next) {
        const char *id, *name;
        if (!need_object(d, e) || !jstring(d, e, "Id", true, &id) ||
            !jstring(d, e, "Name", false, &name))
            return false;
        struct ci_group *g = PUSH(ci, groups);
        if (!g)
            return ci->oom = 1, false;
        g->id = sdup(ci, id);
        g->name = sdup(ci, name);
        g->where = (struct fw_where){d->file, json_doc_line(d, e)};
    }
    return true;
}

static bool add_rule_doc(struct cli_import *ci, const char *group_id)
{
    for (size_t i = 0; i < ci->n_rule_docs; i++)
        if (strcmp(ci->rule_docs[i], group_id) == 0)
            return true;
    char **slot = PUSH(ci, rule_docs);
    if (!slot || !(*slot = strdup(group_id)))
        return ci->oom = 1, false;
    return true;
}

/* A DNS Firewall Advanced rule: DnsThreatProtection with its ConfidenceThreshold. */
static bool read_threat(const struct json_doc *d, const cJSON *e, struct fw_rule *r)
{
    const char *threat, *level;
    if (!jstring(d, e, "DnsThreatProtection", true, &threat) ||
        !jstring(d, e, "ConfidenceThreshold", true, &level))
        return false;
    int t = fw_parse_threat(threat), l = fw_parse_confidence(level);
    if (t < 0)
        return jfail(d, e, "DnsThreatProtection must be DGA, DNS_TUNNELING or DICTIONARY_DGA");
    if (l < 0)
        return jfail(d, e, "ConfidenceThreshold must be LOW, MEDIUM or HIGH");
    r->threat = (dnsfw_threat)t;
    r->confidence = (dnsfw_confidence)l;
    r->list = FW_NO_LIST;
    return true;
}

static bool read_rule(struct cli_import *ci, const struct json_doc *d, const cJSON *e)
{
    const char *gid, *lid, *name, *action, *response, *domain, *dnstype, *qtype, *redir;
    int64_t prio, ttl = 0;
    bool present;
    if (!need_object(d, e) || !jstring(d, e, "FirewallRuleGroupId", true, &gid) ||
        !jstring(d, e, "FirewallDomainListId", false, &lid) ||
        !jstring(d, e, "Name", false, &name) ||
        !jint(d, e, "Priority", true, 1, 2147483647, &prio, &present) ||
        !jstring(d, e, "Action", true, &action) ||
        !jstring(d, e, "BlockResponse", false, &response) ||
        !jstring(d, e, "BlockOverrideDomain", false, &domain) ||
        !jstring(d, e, "BlockOverrideDnsType", false, &dnstype) ||
        !jint(d, e, "BlockOverrideTtl", false, 0, 604800, &ttl, &present) ||
        !jstring(d, e, "Qtype", false, &qtype) ||
        !jstring(d, e, "FirewallDomainRedirectionAction", false, &redir))
        return false;
    struct ci_rule *cr = PUSH(ci, rules);
    if (!cr)
        return ci->oom = 1, false;
    unsigned line = json_doc_line(d, e);
    cr->group_id = sdup(ci, gid);
    cr->list_id = sdup(ci, lid);
    /* threat and content categories, partner feeds: no list, no DnsThreatProtection */
    cr->advanced = cJSON_GetObjectItemCaseSensitive(e, "FirewallRuleType") ||
                   (!lid && !cJSON_GetObjectItemCaseSensitive(e, "DnsThreatProtection"));
    struct fw_rule *r = &cr->r;
    if (lid && cJSON_GetObjectItemCaseSensitive(e, "DnsThreatProtection"))
        return jfail(d, e,
                     "FirewallDomainListId and DnsThreatProtection: a rule has one match "
                     "source");
    if (!cr->advanced && !lid && !read_threat(d, e, r))
        return false;
    r->priority = (uint32_t)prio;
    r->where = (struct fw_where){d->file, line};
    if (name && fw_aws_name_ok(name))
        r->name = sdup(ci, name);
    int a = fw_parse_action(action);
    if (a < 0)
        return jfail(d, e, "Action must be ALLOW, ALERT or BLOCK");
    r->action = (dnsfw_action)a;
    if (r->action == DNSFW_ACTION_BLOCK) {
        int rs = response ? fw_parse_response(response) : -1;
        if (rs < 0)
            return jfail(d, e, "a BLOCK rule needs BlockResponse NODATA, NXDOMAIN or OVERRIDE");
        r->response = (dnsfw_block_response)rs;
    }
    if (r->response == DNSFW_RESPONSE_OVERRIDE) {
        if (!domain || !*domain)
            return jfail(d, e, "OVERRIDE needs BlockOverrideDomain");
        if (dnstype && strcmp(dnstype, "CNAME") != 0)
            return jfail(d, e, "BlockOverrideDnsType must be CNAME");
        r->override_domain = sdup(ci, domain);
        r->override_ttl = (uint32_t)ttl;
    }
    if (qtype && dnsfw_qtype_parse(qtype, strlen(qtype), &r->qtype) != DNSFW_OK)
        return jfail(d, e, "unknown Qtype \"%.40s\"", qtype);
    if (redir) {
        int rd = fw_parse_redirection(redir);
        if (rd < 0)
            return jfail(d, e,
                         "FirewallDomainRedirectionAction must be "
                         "INSPECT_REDIRECTION_DOMAIN or TRUST_REDIRECTION_DOMAIN");
        r->redirection = (dnsfw_redirection)rd;
    }
    return add_rule_doc(ci, gid) && !ci->oom;
}

static bool read_domains(struct cli_import *ci, const struct json_doc *d, const cJSON *v)
{
    char id[80];
    if (!cJSON_IsArray(v))
        return jfail(d, v, "\"Domains\" must be an array");
    if (!id_in_name(d->file, "rslvr-fdl-", id, sizeof id))
        return jfail(d, v,
                     "list-firewall-domains output does not say which list it is: put the "
                     "list's id (rslvr-fdl-...) in the file name");
    struct ci_domains *cd = NULL;
    for (size_t i = 0; i < ci->n_domains; i++)
        if (strcmp(ci->domains[i].list_id, id) == 0)
            cd = &ci->domains[i]; /* another page of the same list */
    if (!cd) {
        if (!(cd = PUSH(ci, domains)) || !(cd->list_id = strdup(id)))
            return ci->oom = 1, false;
        cd->where = (struct fw_where){d->file, json_doc_line(d, v)};
    }
    for (const cJSON *e = v->child; e; e = e->next) {
        if (!cJSON_IsString(e))
            return jfail(d, e, "a domain must be a string");
        const char *reason = NULL;
        int rc = fw_list_add_spec(&cd->specs, e->valuestring, strlen(e->valuestring), &reason);
        if (rc == DNSFW_ENOMEM)
            return ci->oom = 1, false;
        if (rc)
            return jfail(d, e, "domain list %s: \"%.100s\": %s", id, e->valuestring,
                         reason ? reason : dnsfw_strerror(rc));
    }
    return true;
}

static bool read_names(struct cli_import *ci, const struct json_doc *d, const cJSON *e, bool single)
{
    for (; e; e = single ? NULL : e->next) {
        const char *id, *name, *owner, *arn;
        if (!need_object(d, e) || !jstring(d, e, "Id", true, &id) ||
            !jstring(d, e, "Name", false, &name) ||
            !jstring(d, e, "ManagedOwnerName", false, &owner) || !jstring(d, e, "Arn", false, &arn))
            return false;
        struct ci_list_name *n = PUSH(ci, names);
        if (!n)
            return ci->oom = 1, false;
        n->id = sdup(ci, id);
        n->name = sdup(ci, name);
        n->managed = owner != NULL;
        /* arn:PARTITION:route53resolver:REGION:ACCOUNT:firewall-domain-list/ID */
        const char *r = arn;
        for (int k = 0; r && k < 3; k++)
            r = strchr(r, ':') ? strchr(r, ':') + 1 : NULL;
        if (r && strchr(r, ':') > r && (n->region = malloc((size_t)(strchr(r, ':') - r) + 1)))
            snprintf(n->region, (size_t)(strchr(r, ':') - r) + 1, "%s", r);
    }
    return true;
}

static bool read_assocs(struct cli_import *ci, const struct json_doc *d, const cJSON *e,
                        bool single)
{
    ci->have_assocs = true;
    for (; e; e = single ? NULL : e->next) {
        const char *gid, *vpc, *status, *name;
        int64_t prio;
        bool present;
        if (!need_object(d, e) || !jstring(d, e, "FirewallRuleGroupId", true, &gid) ||
            !jstring(d, e, "VpcId", true, &vpc) || !jstring(d, e, "Name", false, &name) ||
            !jint(d, e, "Priority", true, 1, 10000, &prio, &present) ||
            !jstring(d, e, "Status", false, &status))
            return false;
        if (status && strcmp(status, "DELETING") == 0)
            continue;
        struct ci_assoc *a = PUSH(ci, assocs);
        if (!a)
            return ci->oom = 1, false;
        a->group_id = sdup(ci, gid);
        a->vpc = sdup(ci, vpc);
        a->name = sdup(ci, name);
        a->priority = (uint32_t)prio;
        a->where = (struct fw_where){d->file, json_doc_line(d, e)};
    }
    return true;
}

static bool read_configs(struct cli_import *ci, const struct json_doc *d, const cJSON *e,
                         bool single)
{
    for (; e; e = single ? NULL : e->next) {
        const char *vpc, *value;
        if (!need_object(d, e) || !jstring(d, e, "ResourceId", true, &vpc) ||
            !jstring(d, e, "FirewallFailOpen", true, &value))
            return false;
        if (strcmp(value, "ENABLED") != 0 && strcmp(value, "DISABLED") != 0 &&
            strcmp(value, "USE_LOCAL_RESOURCE_SETTING") != 0)
            return jfail(d, e,
                         "FirewallFailOpen must be ENABLED, DISABLED or "
                         "USE_LOCAL_RESOURCE_SETTING");
        struct ci_config *c = PUSH(ci, configs);
        if (!c)
            return ci->oom = 1, false;
        c->vpc = sdup(ci, vpc);
        c->value = sdup(ci, value);
        c->where = (struct fw_where){d->file, json_doc_line(d, e)};
    }
    return true;
}

/* list-resolver-query-log-configs, list-resolver-query-log-config-associations, and
 * "aws logs describe-log-groups" (for the retention of a log group). */
static bool read_query_logs(struct cli_import *ci, const struct json_doc *d, const cJSON *root,
                            bool *any)
{
    bool ok = true;
    const cJSON *v = jmember(d, root, "ResolverQueryLogConfigs", &ok);
    for (const cJSON *e = cJSON_IsArray(v) ? v->child : NULL; ok && e; e = e->next) {
        const char *id, *name, *arn;
        if (!need_object(d, e) || !jstring(d, e, "Id", true, &id) ||
            !jstring(d, e, "Name", false, &name) || !jstring(d, e, "DestinationArn", false, &arn))
            return false;
        struct ci_query_log *q = PUSH(ci, query_logs);
        if (!q)
            return ci->oom = 1, false;
        q->id = sdup(ci, id), q->name = sdup(ci, name), q->arn = sdup(ci, arn);
    }
    if (v)
        *any = ci->have_query_logs = true;
    v = jmember(d, root, "ResolverQueryLogConfigAssociations", &ok);
    for (const cJSON *e = cJSON_IsArray(v) ? v->child : NULL; ok && e; e = e->next) {
        const char *id, *vpc, *status;
        if (!need_object(d, e) || !jstring(d, e, "ResolverQueryLogConfigId", true, &id) ||
            !jstring(d, e, "ResourceId", true, &vpc) || !jstring(d, e, "Status", false, &status))
            return false;
        if (status && (strcmp(status, "DELETING") == 0 || strcmp(status, "FAILED") == 0))
            continue;
        struct ci_query_log_assoc *a = PUSH(ci, query_log_assocs);
        if (!a)
            return ci->oom = 1, false;
        a->config_id = sdup(ci, id), a->vpc = sdup(ci, vpc);
    }
    if (v)
        *any = ci->have_query_log_assocs = true;
    v = jmember(d, root, "logGroups", &ok);
    for (const cJSON *e = cJSON_IsArray(v) ? v->child : NULL; ok && e; e = e->next) {
        const char *name;
        int64_t days = 0;
        bool present;
        if (!need_object(d, e) || !jstring(d, e, "logGroupName", true, &name) ||
            !jint(d, e, "retentionInDays", false, 0, 100000, &days, &present))
            return false;
        struct ci_log_group *g = PUSH(ci, log_groups);
        if (!g)
            return ci->oom = 1, false;
        g->name = sdup(ci, name), g->retention = (int)days;
    }
    if (v)
        *any = ci->have_log_groups = true;
    return ok;
}

static bool read_doc(struct cli_import *ci, const struct json_doc *d)
{
    const cJSON *root = d->root, *first;
    bool found, any = false, ok = true;
    if (!cJSON_IsObject(root))
        return jfail(d, root, "expected the JSON object an aws route53resolver command prints");
    const cJSON *next = jmember(d, root, "NextToken", &ok);
    if (next && cJSON_IsString(next) && next->valuestring[0])
        diag_warning(d->file, json_doc_line(d, next),
                     "NextToken: this is one page of several; save the whole output (the AWS "
                     "CLI pages through by itself unless --max-items or --no-paginate is given)");
    if (!items(d, root, "FirewallRuleGroups", "FirewallRuleGroup", &first, &found) ||
        (found && !read_groups(ci, d, first, !cJSON_GetObjectItem(root, "FirewallRuleGroups"))))
        return false;
    any |= found;
    const cJSON *rules = jmember(d, root, "FirewallRules", &ok);
    if (rules) {
        char gid[80];
        any = true;
        if (!cJSON_IsArray(rules))
            return jfail(d, rules, "\"FirewallRules\" must be an array");
        for (const cJSON *e = rules->child; e; e = e->next)
            if (!read_rule(ci, d, e))
                return false;
        /* an empty rule group's output names no group: the file name must */
        if (!rules->child && id_in_name(d->file, "rslvr-frg-", gid, sizeof gid) &&
            !add_rule_doc(ci, gid))
            return false;
    }
    const cJSON *domains = jmember(d, root, "Domains", &ok);
    if (domains) {
        any = true;
        if (!read_domains(ci, d, domains))
            return false;
    }
    if (!items(d, root, "FirewallDomainLists", "FirewallDomainList", &first, &found) ||
        (found && !read_names(ci, d, first, !cJSON_GetObjectItem(root, "FirewallDomainLists"))))
        return false;
    any |= found;
    if (!items(d, root, "FirewallRuleGroupAssociations", "FirewallRuleGroupAssociation", &first,
               &found) ||
        (found &&
         !read_assocs(ci, d, first, !cJSON_GetObjectItem(root, "FirewallRuleGroupAssociations"))))
        return false;
    any |= found;
    if (!items(d, root, "FirewallConfigs", "FirewallConfig", &first, &found) ||
        (found && !read_configs(ci, d, first, !cJSON_GetObjectItem(root, "FirewallConfigs"))))
        return false;
    any |= found;
    if (!read_query_logs(ci, d, root, &any))
        return false;
    if (!ok)
        return false;
    if (!any)
        return jfail(d, root,
                     "not an output of list-firewall-rule-groups, list-firewall-rules, "
                     "list-firewall-domains, get-firewall-config, list-firewall-domain-lists "
                     "or list-firewall-rule-group-associations");
    return true;
}

int cli_import_add(struct cli_import *ci, const char *file, const char *text, size_t len)
{
    const char *f = fw_model_file(&ci->files, file);
    if (!f)
        return -2;
    struct json_doc d;
    int rc = json_doc_parse(&d, f, text, len);
    if (rc)
        return rc;
    rc = read_doc(ci, &d) ? 0 : ci->oom ? -2 : -1;
    json_doc_free(&d);
    return rc;
}

/* --- putting it together -------------------------------------------------------------- */

static const char *group_name(const struct cli_import *ci, const char *id, struct fw_where *where)
{
    for (size_t i = 0; i < ci->n_groups; i++)
        if (strcmp(ci->groups[i].id, id) == 0) {
            *where = ci->groups[i].where;
            return ci->groups[i].name ? ci->groups[i].name : id;
        }
    return id;
}

static const struct ci_list_name *list_name(const struct cli_import *ci, const char *id)
{
    for (size_t i = 0; i < ci->n_names; i++)
        if (strcmp(ci->names[i].id, id) == 0)
            return &ci->names[i];
    return NULL;
}

static bool has_rule_doc(const struct cli_import *ci, const char *gid)
{
    for (size_t i = 0; i < ci->n_rule_docs; i++)
        if (strcmp(ci->rule_docs[i], gid) == 0)
            return true;
    return false;
}

/* The model's list for a deployed list id, made on first use; SIZE_MAX after an error. */
static size_t model_list(struct cli_import *ci, struct fw_model *m, const char *id,
                         const struct fw_rule *user, const char *gname)
{
    for (size_t i = 0; i < m->n_lists; i++)
        if (strcmp(m->lists[i].id, id) == 0)
            return i;
    const struct ci_domains *cd = NULL;
    for (size_t i = 0; i < ci->n_domains; i++)
        if (strcmp(ci->domains[i].list_id, id) == 0)
            cd = &ci->domains[i];
    const struct ci_list_name *n = list_name(ci, id);
    if (!cd) {
        diag_error(user->where.file, user->where.line,
                   "rule group \"%s\", rule %u uses domain list %s%s%s%s, but no "
                   "list-firewall-domains output names it (save one in a file whose name "
                   "contains the id)",
                   gname, user->priority, n && n->name ? "\"" : "", n && n->name ? n->name : id,
                   n && n->name ? "\" " : "", n && n->name ? id : "");
        return SIZE_MAX;
    }
    size_t li = fw_model_add_list(m, n && n->name ? n->name : id, id);
    if (li == SIZE_MAX) {
        ci->oom = 1;
        return SIZE_MAX;
    }
    struct fw_list *l = &m->lists[li];
    l->where = (struct fw_where){fw_model_file(m, cd->where.file), cd->where.line};
    for (size_t j = 0; j < cd->specs.n_specs; j++)
        if (fw_list_add_spec(l, cd->specs.specs[j], strlen(cd->specs.specs[j]), NULL)) {
            ci->oom = 1;
            return SIZE_MAX;
        }
    return li;
}

/* An AWS-managed list: named as AWS names it, known by its id in its Region. */
static size_t managed_list(struct cli_import *ci, struct fw_model *m, const struct ci_list_name *n)
{
    for (size_t i = 0; i < m->n_lists; i++)
        if (strcmp(m->lists[i].id, n->id) == 0)
            return i;
    const char *name = n->name ? n->name : n->id;
    size_t li = fw_model_add_list(m, name, n->id);
    if (li == SIZE_MAX) {
        ci->oom = 1;
        return SIZE_MAX;
    }
    struct fw_list *l = &m->lists[li];
    l->managed = true;
    if ((strncmp(name, "AWSManagedDomains", 17) == 0 && !fw_set_string(&l->managed_name, name)) ||
        !fw_list_add_managed_id(l, n->region ? n->region : "*", n->id)) {
        ci->oom = 1;
        return SIZE_MAX;
    }
    return li;
}

static int add_group(struct cli_import *ci, struct fw_model *m, const char *gid,
                     const struct ci_assoc *a)
{
    struct fw_where where = {NULL, 0};
    const char *name = group_name(ci, gid, &where);
    if (a)
        where = a->where;
    if (!has_rule_doc(ci, gid)) {
        diag_error(where.file, where.line,
                   "rule group \"%s\" (%s): no list-firewall-rules output for it (an empty "
                   "group's output must have the id in its file name)",
                   name, gid);
        return -1;
    }
    size_t gi = fw_model_add_group(m, name, gid);
    if (gi == SIZE_MAX)
        return -2;
    m->groups[gi].priority = a ? a->priority : 0;
    m->groups[gi].priority_known = a != NULL;
    if (a && !fw_set_string(&m->groups[gi].assoc_name, a->name))
        return -2;
    m->groups[gi].where =
        (struct fw_where){where.file ? fw_model_file(m, where.file) : NULL, where.line};
    for (size_t i = 0; i < ci->n_rules; i++) {
        const struct ci_rule *cr = &ci->rules[i];
        if (strcmp(cr->group_id, gid) != 0)
            continue;
        if (cr->advanced) {
            diag_warning(cr->r.where.file, cr->r.where.line,
                         "rule group \"%s\", rule %u: a DNS Firewall Advanced rule of a threat "
                         "or content category (FirewallRuleType), whose domains AWS does not "
                         "disclose; left out",
                         name, cr->r.priority);
            continue;
        }
        if (cr->r.threat) { /* DnsThreatProtection: no list to look up */
            struct fw_rule r = cr->r;
            r.where.file = fw_model_file(m, r.where.file);
            if (!fw_group_add_rule(&m->groups[gi], &r))
                return -2;
            continue;
        }
        const struct ci_list_name *n = list_name(ci, cr->list_id);
        size_t li =
            n && n->managed ? managed_list(ci, m, n) : model_list(ci, m, cr->list_id, &cr->r, name);
        if (li == SIZE_MAX)
            return ci->oom ? -2 : -1;
        struct fw_rule r = cr->r;
        r.list = li;
        r.where.file = fw_model_file(m, r.where.file);
        if (!fw_group_add_rule(&m->groups[gi], &r))
            return -2;
    }
    return 0;
}

/* The model's group for a deployed group id, or SIZE_MAX. */
static size_t model_group(const struct fw_model *m, const char *id)
{
    for (size_t i = 0; i < m->n_groups; i++)
        if (strcmp(m->groups[i].id, id) == 0)
            return i;
    return SIZE_MAX;
}

static int choose_vpc(struct cli_import *ci, const char **vpc)
{
    *vpc = ci->vpc;
    for (size_t i = 0; !ci->vpc && i < ci->n_assocs; i++) {
        if (!*vpc) {
            *vpc = ci->assocs[i].vpc;
        } else if (strcmp(*vpc, ci->assocs[i].vpc) != 0) {
            diag_error(ci->assocs[i].where.file, ci->assocs[i].where.line,
                       "associations with several VPCs (%s, %s): choose one with --vpc-id", *vpc,
                       ci->assocs[i].vpc);
            return -1;
        }
    }
    return 0;
}

/* The query logging of the VPC, from what was saved; -2 when out of memory. */
static int query_log(struct cli_import *ci, struct fw_model *m, const char *vpc)
{
    struct fw_query_log *q = &m->query_log;
    if (!ci->have_query_logs || !ci->have_query_log_assocs) {
        diag_warning(NULL, 0,
                     "no list-resolver-query-log-configs and "
                     "list-resolver-query-log-config-associations outputs: the VPC's query "
                     "logging is reported as unknown (snapshot.sh saves them)");
        return 0;
    }
    const struct ci_query_log *cfg = NULL;
    for (size_t i = 0; i < ci->n_query_log_assocs && !cfg; i++)
        if (!vpc || strcmp(ci->query_log_assocs[i].vpc, vpc) == 0)
            for (size_t j = 0; j < ci->n_query_logs; j++)
                if (strcmp(ci->query_logs[j].id, ci->query_log_assocs[i].config_id) == 0)
                    cfg = &ci->query_logs[j];
    q->dest = FW_QUERY_LOG_NONE;
    if (!cfg)
        return 0;
    q->associated = true;
    const char *arn = cfg->arn ? cfg->arn : "";
    q->dest = strstr(arn, ":logs:")       ? FW_QUERY_LOG_CLOUDWATCH
              : strstr(arn, ":s3:::")     ? FW_QUERY_LOG_S3
              : strstr(arn, ":firehose:") ? FW_QUERY_LOG_FIREHOSE
                                          : FW_QUERY_LOG_UNKNOWN;
    q->retention = -1;
    if (!fw_set_string(&q->name, cfg->name) ||
        (q->dest != FW_QUERY_LOG_CLOUDWATCH && !fw_set_string(&q->arn, cfg->arn)))
        return -2;
    /* arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*] */
    const char *lg = strstr(arn, ":log-group:");
    if (lg) {
        lg += strlen(":log-group:");
        size_t n = strcspn(lg, ":");
        for (size_t i = 0; i < ci->n_log_groups; i++)
            if (strlen(ci->log_groups[i].name) == n && memcmp(ci->log_groups[i].name, lg, n) == 0)
                q->retention = ci->log_groups[i].retention;
    }
    return 0;
}

static int build(struct cli_import *ci, struct fw_model *m)
{
    const char *vpc;
    int rc;
    if (choose_vpc(ci, &vpc))
        return -1;
    if (ci->have_assocs) {
        for (size_t i = 0; i < ci->n_assocs; i++) {
            const struct ci_assoc *a = &ci->assocs[i];
            if (vpc && strcmp(a->vpc, vpc) != 0)
                continue;
            if (model_group(m, a->group_id) != SIZE_MAX) {
                diag_warning(a->where.file, a->where.line,
                             "rule group %s is associated with %s twice; the first counts",
                             a->group_id, a->vpc);
                continue;
            }
            if ((rc = add_group(ci, m, a->group_id, a)))
                return rc;
        }
    } else {
        if (ci->n_groups > 1 || ci->n_rule_docs > 1)
            diag_warning(NULL, 0,
                         "no list-firewall-rule-group-associations output: the association "
                         "priorities, and so the order of the rule groups, are unknown");
        /* every group a document mentions, in the order they appear */
        for (size_t i = 0; i < ci->n_groups; i++)
            if (model_group(m, ci->groups[i].id) == SIZE_MAX &&
                (rc = add_group(ci, m, ci->groups[i].id, NULL)))
                return rc;
        for (size_t i = 0; i < ci->n_rule_docs; i++)
            if (model_group(m, ci->rule_docs[i]) == SIZE_MAX &&
                (rc = add_group(ci, m, ci->rule_docs[i], NULL)))
                return rc;
    }
    /* lists no rule uses exist in AWS all the same */
    for (size_t i = 0; i < ci->n_domains; i++) {
        bool used = false;
        for (size_t j = 0; j < m->n_lists && !used; j++)
            used = strcmp(m->lists[j].id, ci->domains[i].list_id) == 0;
        struct fw_rule none = {.where = ci->domains[i].where};
        if (!used && model_list(ci, m, ci->domains[i].list_id, &none, "") == SIZE_MAX)
            return ci->oom ? -2 : -1;
    }
    const struct ci_config *cfg = NULL;
    for (size_t i = 0; i < ci->n_configs; i++)
        if ((vpc && strcmp(ci->configs[i].vpc, vpc) == 0) || (!vpc && ci->n_configs == 1))
            cfg = &ci->configs[i];
    if (cfg && strcmp(cfg->value, "USE_LOCAL_RESOURCE_SETTING") != 0)
        m->fail_open = strcmp(cfg->value, "ENABLED") == 0;
    else if (ci->n_configs)
        diag_warning(ci->configs[0].where.file, ci->configs[0].where.line,
                     "no usable FirewallFailOpen for %s", vpc ? vpc : "the VPC");
    if (query_log(ci, m, vpc))
        return -2;
    fw_model_sort(m);
    return 0;
}

int cli_import_finish(struct cli_import *ci, struct fw_model *m)
{
    fw_model_init(m);
    int rc = ci->oom ? -2 : build(ci, m);
    return rc ? rc : ci->oom ? -2 : 0;
}
