/*
 * A CloudFormation template back into a model: the FirewallDomainList,
 * FirewallRuleGroup and FirewallRuleGroupAssociation resources, and the fail-open
 * setting (a custom resource or AWS::Route53Resolver::FirewallConfig with a
 * FirewallFailOpen property, else the template's Metadata.libdnsfw.FirewallFailOpen).
 * Ref and Fn::GetAtt between these resources are followed; a Ref to a parameter takes
 * its Default. Other resource types are ignored. A rule group without an association is
 * not evaluated by AWS, so it is left out (with a warning).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "import.h"
#include "import_json.h"
#include "strmap.h"

#define T_LIST      "AWS::Route53Resolver::FirewallDomainList"
#define T_GROUP     "AWS::Route53Resolver::FirewallRuleGroup"
#define T_ASSOC     "AWS::Route53Resolver::FirewallRuleGroupAssociation"
#define T_CONFIG    "AWS::Route53Resolver::FirewallConfig"
#define T_QL_CONFIG "AWS::Route53Resolver::ResolverQueryLoggingConfig"
#define T_QL_ASSOC  "AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation"
#define T_LOG_GROUP "AWS::Logs::LogGroup"

struct cfn {
    const struct json_doc *d;
    struct json_doc body; /* get-template output: TemplateBody as a string, parsed */
    struct fw_model *m;
    const char *file;
    const cJSON *template, *params, *resources;
    const char *vpc;
    struct strmap lists;   /* logical id -> list index + 1 */
    struct strmap managed; /* managed list key or literal id -> list index + 1 */
    struct strmap assocs;  /* group logical id -> struct assoc */
    bool fail_open_unknown;
    int oom;
};

struct assoc {
    uint32_t priority;
    const char *name; /* NULL when absent or not a literal */
    const cJSON *where;
};

enum vkind { V_LITERAL, V_RESOURCE, V_UNKNOWN };

struct val {
    enum vkind kind;
    const cJSON *item;    /* the literal */
    const char *resource; /* logical id */
    const char *attr;     /* "Ref" or the GetAtt attribute */
};

static const cJSON *resource(const struct cfn *c, const char *id)
{
    return cJSON_GetObjectItemCaseSensitive(c->resources, id);
}

static const char *resource_type(const struct cfn *c, const char *id)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(resource(c, id), "Type");
    return cJSON_IsString(t) ? t->valuestring : "";
}

/* Follow an intrinsic function as far as the template allows. */
static bool resolve(const struct cfn *c, const cJSON *v, struct val *out)
{
    memset(out, 0, sizeof *out);
    out->kind = V_LITERAL;
    out->item = v;
    if (!cJSON_IsObject(v) || !v->child || v->child->next)
        return true;
    const cJSON *f = v->child;
    if (strcmp(f->string, "Ref") == 0) {
        if (!cJSON_IsString(f))
            return jfail(c->d, f, "Ref must name a parameter or resource");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(c->params, f->valuestring);
        if (p) {
            const cJSON *def = cJSON_GetObjectItemCaseSensitive(p, "Default");
            if (def)
                out->item = def;
            else
                out->kind = V_UNKNOWN;
            return true;
        }
        if (resource(c, f->valuestring)) {
            out->kind = V_RESOURCE;
            out->resource = f->valuestring;
            out->attr = "Ref";
            return true;
        }
        if (strncmp(f->valuestring, "AWS::", 5) == 0) {
            out->kind = V_UNKNOWN;
            return true;
        }
        return jfail(c->d, f, "Ref to \"%s\", which the template does not define", f->valuestring);
    }
    if (strcmp(f->string, "Fn::GetAtt") == 0) {
        const char *res = NULL, *attr = NULL;
        if (cJSON_IsArray(f) && cJSON_GetArraySize(f) == 2 &&
            cJSON_IsString(cJSON_GetArrayItem(f, 0)) && cJSON_IsString(cJSON_GetArrayItem(f, 1))) {
            res = cJSON_GetArrayItem(f, 0)->valuestring;
            attr = cJSON_GetArrayItem(f, 1)->valuestring;
        } else if (cJSON_IsString(f) && strchr(f->valuestring, '.')) {
            /* "RESOURCE.ATTRIBUTE": the resource's own key stands for the first part */
            const char *dot = strchr(f->valuestring, '.');
            size_t n = (size_t)(dot - f->valuestring);
            for (const cJSON *r = c->resources->child; r && !res; r = r->next)
                if (strlen(r->string) == n && memcmp(r->string, f->valuestring, n) == 0)
                    res = r->string;
            if (!res)
                return jfail(c->d, f,
                             "Fn::GetAtt of \"%.*s\", which the template does not "
                             "define",
                             (int)(n > 200 ? 200 : n), f->valuestring);
            attr = dot + 1;
        } else {
            return jfail(c->d, f, "Fn::GetAtt must be [RESOURCE, ATTRIBUTE]");
        }
        if (!resource(c, res))
            return jfail(c->d, f, "Fn::GetAtt of \"%.200s\", which the template does not define",
                         res);
        out->kind = V_RESOURCE;
        out->resource = res;
        out->attr = attr;
        return true;
    }
    if (strncmp(f->string, "Fn::", 4) == 0)
        out->kind = V_UNKNOWN;
    return true;
}

/* A member whose value must come out as a literal string (or be absent). */
static bool lit_string(const struct cfn *c, const cJSON *obj, const char *key, const char **out)
{
    bool ok = true;
    const cJSON *v = jmember(c->d, obj, key, &ok);
    struct val val;
    *out = NULL;
    if (!ok || !v)
        return ok;
    if (!resolve(c, v, &val))
        return false;
    if (val.kind != V_LITERAL || !cJSON_IsString(val.item))
        return jfail(c->d, v, "\"%s\" must be a string (a literal, or a parameter's Default)", key);
    *out = val.item->valuestring;
    return true;
}

static bool lit_int(const struct cfn *c, const cJSON *obj, const char *key, bool required,
                    int64_t min, int64_t max, int64_t *out, bool *present)
{
    bool ok = true;
    const cJSON *v = jmember(c->d, obj, key, &ok);
    struct val val;
    *present = v != NULL;
    if (!ok)
        return false;
    if (!v)
        return required ? jfail(c->d, obj, "\"%s\" is missing", key) : true;
    if (!resolve(c, v, &val))
        return false;
    if (val.kind != V_LITERAL)
        return jfail(c->d, v, "\"%s\" must be a number (a literal, or a parameter's Default)", key);
    char what[64];
    snprintf(what, sizeof what, "\"%s\"", key);
    return jint_item(c->d, val.item, what, min, max, out);
}

/* The Properties object of a resource (an empty one when absent). */
static const cJSON *properties(const struct cfn *c, const cJSON *res, bool *ok)
{
    static const cJSON empty = {.type = cJSON_Object};
    const cJSON *p = jmember(c->d, res, "Properties", ok);
    if (!p)
        return &empty;
    if (!cJSON_IsObject(p)) {
        *ok = jfail(c->d, p, "Properties must be an object");
        return &empty;
    }
    return p;
}

static void *to_ptr(size_t i)
{
    return (void *)(uintptr_t)(i + 1);
}

static bool read_list(struct cfn *c, const cJSON *res)
{
    static const char *const keys[] = {"Name", "Domains", "DomainFileUrl", "Tags", NULL};
    bool ok = true;
    const cJSON *p = properties(c, res, &ok);
    const char *name;
    if (!ok || !jknown_keys(c->d, p, keys, "a FirewallDomainList's Properties") ||
        !lit_string(c, p, "Name", &name))
        return false;
    const cJSON *url = jmember(c->d, p, "DomainFileUrl", &ok);
    if (url)
        return jfail(c->d, url,
                     "domain list \"%s\": the domains are in a file on S3 (DomainFileUrl), "
                     "which cannot be read here; save the deployed list with "
                     "list-firewall-domains instead",
                     name ? name : res->string);
    size_t li = fw_model_add_list(c->m, name ? name : res->string, res->string);
    if (li == SIZE_MAX) {
        c->oom = 1;
        return false;
    }
    struct fw_list *l = &c->m->lists[li];
    l->where = (struct fw_where){c->file, json_doc_line(c->d, res)};
    const cJSON *domains = jmember(c->d, p, "Domains", &ok);
    if (!ok)
        return false;
    if (domains && !cJSON_IsArray(domains))
        return jfail(c->d, domains, "Domains must be an array of strings");
    for (const cJSON *e = domains ? domains->child : NULL; e; e = e->next) {
        struct val v;
        if (!resolve(c, e, &v))
            return false;
        if (v.kind != V_LITERAL || !cJSON_IsString(v.item))
            return jfail(c->d, e, "Domains must be an array of strings");
        const char *reason = NULL;
        int rc = fw_list_add_spec(l, v.item->valuestring, strlen(v.item->valuestring), &reason);
        if (rc == DNSFW_ENOMEM) {
            c->oom = 1;
            return false;
        }
        if (rc)
            return jfail(c->d, e, "domain list \"%s\": \"%.100s\": %s", l->name,
                         v.item->valuestring, reason ? reason : dnsfw_strerror(rc));
    }
    void **slot = strmap_slot(&c->lists, res->string, strlen(res->string));
    if (!slot) {
        c->oom = 1;
        return false;
    }
    *slot = to_ptr(li);
    return true;
}

static bool read_assoc(struct cfn *c, const cJSON *res)
{
    static const char *const keys[] = {"FirewallRuleGroupId", "VpcId", "Priority", "Name",
                                       "MutationProtection",  "Tags",  NULL};
    bool ok = true, present;
    const cJSON *p = properties(c, res, &ok);
    if (!ok || !jknown_keys(c->d, p, keys, "a FirewallRuleGroupAssociation's Properties"))
        return false;
    const cJSON *gv = jmember(c->d, p, "FirewallRuleGroupId", &ok);
    struct val g, vpc = {.kind = V_UNKNOWN};
    if (!ok)
        return false;
    if (!gv)
        return jfail(c->d, p, "\"FirewallRuleGroupId\" is missing");
    if (!resolve(c, gv, &g))
        return false;
    if (g.kind != V_RESOURCE || strcmp(resource_type(c, g.resource), T_GROUP) != 0 ||
        (strcmp(g.attr, "Id") != 0 && strcmp(g.attr, "Ref") != 0))
        return jfail(c->d, gv,
                     "FirewallRuleGroupId must be the Id of a FirewallRuleGroup of the template "
                     "(rule groups outside it cannot be read)");
    const cJSON *vv = jmember(c->d, p, "VpcId", &ok);
    if (!ok || (vv && !resolve(c, vv, &vpc)))
        return false;
    if (c->vpc && vpc.kind == V_LITERAL && cJSON_IsString(vpc.item) &&
        strcmp(vpc.item->valuestring, c->vpc) != 0)
        return true; /* another VPC's association */
    int64_t prio;
    if (!lit_int(c, p, "Priority", true, 1, 10000, &prio, &present))
        return false;
    void **slot = strmap_slot(&c->assocs, g.resource, strlen(g.resource));
    if (!slot) {
        c->oom = 1;
        return false;
    }
    struct assoc *a = *slot;
    if (a) {
        if (a->priority != (uint32_t)prio)
            diag_warning(c->file, json_doc_line(c->d, res),
                         "rule group \"%s\" is associated twice, with priorities %u and %lld; "
                         "using %u (choose a VPC with --vpc-id)",
                         g.resource, a->priority, (long long)prio, a->priority);
        return true;
    }
    if (!(a = calloc(1, sizeof *a))) {
        c->oom = 1;
        return false;
    }
    a->priority = (uint32_t)prio;
    a->where = res;
    const cJSON *nv = jmember(c->d, p, "Name", &ok);
    struct val name;
    if (nv && resolve(c, nv, &name) && name.kind == V_LITERAL && cJSON_IsString(name.item))
        a->name = name.item->valuestring;
    *slot = a;
    return true;
}

/* Rules that match neither a domain list nor a DnsThreatProtection (threat and content
 * categories, partner feeds: FirewallRuleType) cannot be read into a policy. */
static bool is_unreadable(const cJSON *rule)
{
    return cJSON_GetObjectItemCaseSensitive(rule, "FirewallRuleType") ||
           (!cJSON_GetObjectItemCaseSensitive(rule, "FirewallDomainListId") &&
            !cJSON_GetObjectItemCaseSensitive(rule, "DnsThreatProtection"));
}

/* A DNS Firewall Advanced rule: DnsThreatProtection and ConfidenceThreshold, no list. */
static bool read_threat(struct cfn *c, const cJSON *ro, long long prio, struct fw_rule *r)
{
    const char *threat, *level;
    if (!lit_string(c, ro, "DnsThreatProtection", &threat) ||
        !lit_string(c, ro, "ConfidenceThreshold", &level))
        return false;
    if (cJSON_GetObjectItemCaseSensitive(ro, "FirewallDomainListId"))
        return jfail(c->d, ro,
                     "rule %lld: FirewallDomainListId and DnsThreatProtection: a rule has one "
                     "match source",
                     prio);
    int t = threat ? fw_parse_threat(threat) : -1;
    int l = level ? fw_parse_confidence(level) : -1;
    if (t < 0 || l < 0)
        return jfail(c->d, ro,
                     "rule %lld: an Advanced rule needs DnsThreatProtection DGA, DNS_TUNNELING "
                     "or DICTIONARY_DGA and ConfidenceThreshold LOW, MEDIUM or HIGH",
                     prio);
    r->threat = (dnsfw_threat)t;
    r->confidence = (dnsfw_confidence)l;
    r->list = FW_NO_LIST;
    return true;
}

/* A managed list of the model: made on first use, remembered under key. */
static size_t managed_model_list(struct cfn *c, const char *key, const char *name,
                                 const char *aws_name, const cJSON *where)
{
    void **slot = strmap_slot(&c->managed, key, strlen(key));
    if (!slot) {
        c->oom = 1;
        return SIZE_MAX;
    }
    if (*slot)
        return (size_t)(uintptr_t)*slot - 1;
    size_t li = fw_model_add_list(c->m, name, NULL);
    if (li == SIZE_MAX) {
        c->oom = 1;
        return SIZE_MAX;
    }
    struct fw_list *l = &c->m->lists[li];
    l->managed = true;
    l->where = (struct fw_where){c->file, json_doc_line(c->d, where)};
    if (!fw_set_string(&l->managed_name, aws_name)) {
        c->oom = 1;
        return SIZE_MAX;
    }
    *slot = to_ptr(li);
    return li;
}

/* The managed lists dnsfw-export recorded in Metadata.libdnsfw.ManagedDomainLists, in
 * their order: key -> { Name, Managed (a name or true), Ids }. */
static bool read_managed_metadata(struct cfn *c)
{
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c->template, "Metadata"),
                                         "libdnsfw"),
        "ManagedDomainLists");
    for (const cJSON *e = cJSON_IsObject(md) ? md->child : NULL; e; e = e->next) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "Name");
        const cJSON *managed = cJSON_GetObjectItemCaseSensitive(e, "Managed");
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive(e, "Ids");
        if (!cJSON_IsString(name) || !(cJSON_IsString(managed) || cJSON_IsTrue(managed)))
            return jfail(c->d, e, "Metadata.libdnsfw.ManagedDomainLists.%s needs Name and Managed",
                         e->string);
        size_t li = managed_model_list(c, e->string, name->valuestring,
                                       cJSON_IsString(managed) ? managed->valuestring : NULL, e);
        if (li == SIZE_MAX)
            return false;
        for (const cJSON *id = cJSON_IsObject(ids) ? ids->child : NULL; id; id = id->next) {
            if (!cJSON_IsString(id))
                return jfail(c->d, id, "an id must be a string");
            if (!fw_list_add_managed_id(&c->m->lists[li], id->string, id->valuestring))
                return c->oom = 1, false;
            if (strcmp(id->string, "*") == 0) {
                void **slot = strmap_slot(&c->managed, id->valuestring, strlen(id->valuestring));
                if (!slot)
                    return c->oom = 1, false;
                *slot = to_ptr(li);
            }
        }
    }
    return true;
}

/*
 * A rule's FirewallDomainListId that is no list of the template: an AWS-managed list (or
 * one made elsewhere) by its id, a literal as the CDK writes it, or looked up in the
 * template's Mappings by Region as dnsfw-export writes it. *li gets the model's list + 1.
 */
static bool managed_list(struct cfn *c, const cJSON *lv, void **li)
{
    const cJSON *fim = cJSON_GetObjectItemCaseSensitive(lv, "Fn::FindInMap");
    if (cJSON_IsString(lv) && strncmp(lv->valuestring, "rslvr-fdl-", 10) == 0) {
        size_t i = managed_model_list(c, lv->valuestring, lv->valuestring, NULL, lv);
        if (i == SIZE_MAX)
            return false;
        struct fw_list *l = &c->m->lists[i];
        if (!l->n_ids) {
            diag_warning(c->file, json_doc_line(c->d, lv),
                         "domain list %s is not in the template: imported as an AWS-managed "
                         "list known by its id (what it holds is AWS's)",
                         lv->valuestring);
            if (!fw_list_add_managed_id(l, "*", lv->valuestring))
                return c->oom = 1, false;
        }
        *li = to_ptr(i);
        return true;
    }
    const cJSON *map = cJSON_GetArrayItem(fim, 0), *key = cJSON_GetArrayItem(fim, 2);
    const cJSON *table =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c->template, "Mappings"),
                                         cJSON_IsString(map) ? map->valuestring : "");
    if (cJSON_GetArraySize(fim) != 3 || !cJSON_IsString(key) || !cJSON_IsObject(table))
        return jfail(c->d, lv,
                     "FirewallDomainListId must be the Id of a FirewallDomainList of the "
                     "template, a domain list id (rslvr-fdl-...) or Fn::FindInMap of one");
    size_t i = managed_model_list(c, key->valuestring, key->valuestring, NULL, lv);
    if (i == SIZE_MAX)
        return false;
    struct fw_list *l = &c->m->lists[i];
    for (const cJSON *row = table->child; row; row = row->next) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(row, key->valuestring);
        if (cJSON_IsString(id) && !fw_list_add_managed_id(l, row->string, id->valuestring))
            return c->oom = 1, false;
    }
    if (!l->n_ids)
        return jfail(c->d, lv, "mapping %s has no \"%s\"", map->valuestring, key->valuestring);
    *li = to_ptr(i);
    return true;
}

static bool read_rule(struct cfn *c, struct fw_group *g, const cJSON *names, const cJSON *ro)
{
    static const char *const keys[] = {"FirewallDomainListId",
                                       "FirewallThreatProtectionId",
                                       "Priority",
                                       "Action",
                                       "BlockResponse",
                                       "BlockOverrideDomain",
                                       "BlockOverrideDnsType",
                                       "BlockOverrideTtl",
                                       "Qtype",
                                       "ConfidenceThreshold",
                                       "DnsThreatProtection",
                                       "FirewallDomainRedirectionAction",
                                       "FirewallRuleType",
                                       "Status",
                                       NULL};
    bool present;
    unsigned line = json_doc_line(c->d, ro);
    if (!cJSON_IsObject(ro))
        return jfail(c->d, ro, "a rule must be an object");
    if (!jknown_keys(c->d, ro, keys, "a FirewallRule"))
        return false;
    int64_t prio, ttl = 0;
    const char *action, *response, *domain, *dnstype, *qtype, *redir;
    if (!lit_int(c, ro, "Priority", true, 1, 2147483647, &prio, &present) ||
        !lit_string(c, ro, "Action", &action) || !lit_string(c, ro, "BlockResponse", &response) ||
        !lit_string(c, ro, "BlockOverrideDomain", &domain) ||
        !lit_string(c, ro, "BlockOverrideDnsType", &dnstype) ||
        !lit_string(c, ro, "Qtype", &qtype) ||
        !lit_string(c, ro, "FirewallDomainRedirectionAction", &redir) ||
        !lit_int(c, ro, "BlockOverrideTtl", false, 0, 604800, &ttl, &present))
        return false;
    if (is_unreadable(ro)) {
        diag_warning(c->file, line,
                     "rule group \"%s\", rule %lld: a DNS Firewall Advanced rule of a threat or "
                     "content category (FirewallRuleType), whose domains AWS does not disclose; "
                     "left out",
                     g->name, (long long)prio);
        return true;
    }
    struct fw_rule r = {.priority = (uint32_t)prio, .where = {c->file, line}};
    int a = action ? fw_parse_action(action) : -1;
    if (a < 0)
        return jfail(c->d, ro, "rule %lld: Action must be ALLOW, ALERT or BLOCK", (long long)prio);
    r.action = (dnsfw_action)a;
    if (cJSON_GetObjectItemCaseSensitive(ro, "DnsThreatProtection")) {
        if (!read_threat(c, ro, (long long)prio, &r))
            return false;
    } else {
        const cJSON *lv = cJSON_GetObjectItemCaseSensitive(ro, "FirewallDomainListId");
        struct val lref;
        if (!resolve(c, lv, &lref))
            return false;
        void *li = lref.kind == V_RESOURCE
                       ? strmap_get(&c->lists, lref.resource, strlen(lref.resource))
                       : NULL;
        if (li && strcmp(lref.attr, "Id") != 0 && strcmp(lref.attr, "Ref") != 0)
            li = NULL;
        if (!li && lref.kind == V_RESOURCE)
            return jfail(c->d, lv,
                         "rule %lld: FirewallDomainListId must be the Id of a FirewallDomainList "
                         "of the template (lists outside it cannot be read)",
                         (long long)prio);
        if (!li && !managed_list(c, lref.kind == V_LITERAL ? lref.item : lv, &li))
            return false;
        r.list = (size_t)(uintptr_t)li - 1;
    }
    if (r.action == DNSFW_ACTION_BLOCK) {
        int rs = response ? fw_parse_response(response) : -1;
        if (rs < 0)
            return jfail(c->d, ro,
                         "rule %lld: BLOCK needs BlockResponse NODATA, NXDOMAIN or "
                         "OVERRIDE",
                         (long long)prio);
        r.response = (dnsfw_block_response)rs;
    } else if (response) {
        diag_warning(c->file, line, "rule %lld: BlockResponse on a %s rule is ignored",
                     (long long)prio, action);
    }
    if (r.response == DNSFW_RESPONSE_OVERRIDE) {
        if (!domain || !*domain)
            return jfail(c->d, ro, "rule %lld: OVERRIDE needs BlockOverrideDomain",
                         (long long)prio);
        if (dnstype && strcmp(dnstype, "CNAME") != 0)
            return jfail(c->d, ro, "rule %lld: BlockOverrideDnsType must be CNAME",
                         (long long)prio);
        r.override_domain = (char *)domain;
        r.override_ttl = (uint32_t)ttl;
    }
    if (qtype && dnsfw_qtype_parse(qtype, strlen(qtype), &r.qtype) != DNSFW_OK)
        return jfail(c->d, ro, "rule %lld: unknown Qtype \"%.40s\"", (long long)prio, qtype);
    if (redir) {
        int rd = fw_parse_redirection(redir);
        if (rd < 0)
            return jfail(c->d, ro,
                         "rule %lld: FirewallDomainRedirectionAction must be "
                         "INSPECT_REDIRECTION_DOMAIN or TRUST_REDIRECTION_DOMAIN",
                         (long long)prio);
        r.redirection = (dnsfw_redirection)rd;
    }
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)prio);
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(names, key);
    if (cJSON_IsString(nm) && fw_aws_name_ok(nm->valuestring))
        r.name = nm->valuestring;
    if (!fw_group_add_rule(g, &r)) {
        c->oom = 1;
        return false;
    }
    return true;
}

static bool read_group(struct cfn *c, const cJSON *res)
{
    static const char *const keys[] = {"Name", "FirewallRules", "Tags", NULL};
    bool ok = true;
    const cJSON *p = properties(c, res, &ok);
    const char *name;
    if (!ok || !jknown_keys(c->d, p, keys, "a FirewallRuleGroup's Properties") ||
        !lit_string(c, p, "Name", &name))
        return false;
    name = name ? name : res->string;
    const struct assoc *a = strmap_get(&c->assocs, res->string, strlen(res->string));
    if (!a) {
        diag_warning(c->file, json_doc_line(c->d, res),
                     "rule group \"%s\" is not associated with %s: AWS does not evaluate it; "
                     "left out",
                     name, c->vpc ? c->vpc : "a VPC");
        return true;
    }
    size_t gi = fw_model_add_group(c->m, name, res->string);
    if (gi == SIZE_MAX) {
        c->oom = 1;
        return false;
    }
    struct fw_group *g = &c->m->groups[gi];
    g->priority = a->priority;
    g->priority_known = true;
    if (!fw_set_string(&g->assoc_name, a->name)) {
        c->oom = 1;
        return false;
    }
    g->where = (struct fw_where){c->file, json_doc_line(c->d, a->where)};
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(res, "Metadata"), "libdnsfw");
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(meta, "RuleNames");
    const cJSON *rules = jmember(c->d, p, "FirewallRules", &ok);
    if (!ok)
        return false;
    if (rules && !cJSON_IsArray(rules))
        return jfail(c->d, rules, "FirewallRules must be an array");
    for (const cJSON *r = rules ? rules->child : NULL; r; r = r->next)
        if (!read_rule(c, &c->m->groups[gi], names, r))
            return false;
    return true;
}

static bool fail_open_value(struct cfn *c, const cJSON *where, const char *v)
{
    if (strcmp(v, "ENABLED") == 0)
        c->m->fail_open = 1;
    else if (strcmp(v, "DISABLED") == 0)
        c->m->fail_open = 0;
    else if (strcmp(v, "USE_LOCAL_RESOURCE_SETTING") == 0)
        diag_warning(c->file, json_doc_line(c->d, where),
                     "FirewallFailOpen USE_LOCAL_RESOURCE_SETTING: the effective setting is "
                     "not in the template");
    else
        return jfail(c->d, where, "FirewallFailOpen must be ENABLED or DISABLED");
    return true;
}

/* A property that is a JSON string: literal, or built with Fn::Join (as the CDK builds
 * the calls of a Custom::AWS resource when they hold a token). Parts that are not
 * literals become "@UNKNOWN@". NULL when it is neither. */
#define UNKNOWN_PART "@UNKNOWN@"
static char *joined_string(const struct cfn *c, const cJSON *v)
{
    struct val val;
    if (!v || !resolve(c, v, &val))
        return NULL;
    if (val.kind == V_LITERAL && cJSON_IsString(val.item))
        return strdup(val.item->valuestring);
    const cJSON *join = cJSON_GetObjectItemCaseSensitive(v, "Fn::Join");
    const cJSON *sep = cJSON_GetArrayItem(join, 0), *parts = cJSON_GetArrayItem(join, 1);
    if (cJSON_GetArraySize(join) != 2 || !cJSON_IsString(sep) || !cJSON_IsArray(parts))
        return NULL;
    size_t len = 1, n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, parts)
    {
        len += strlen(sep->valuestring) +
               (cJSON_IsString(e) ? strlen(e->valuestring) : sizeof UNKNOWN_PART);
    }
    char *out = malloc(len), *o = out;
    if (!out)
        return NULL;
    cJSON_ArrayForEach(e, parts)
    {
        const char *t = cJSON_IsString(e) ? e->valuestring : UNKNOWN_PART;
        if (n++)
            o += sprintf(o, "%s", sep->valuestring);
        o += sprintf(o, "%s", t);
    }
    *o = '\0';
    return out;
}

/* The FirewallFailOpen an AwsCustomResource call sets, from its JSON: "ENABLED",
 * "DISABLED", "" when the call does not set it, or NULL when it cannot be read. */
static const char *custom_call(const struct cfn *c, const cJSON *p, const char *key, char *out,
                               size_t size, const char **vpc)
{
    char *text = joined_string(c, cJSON_GetObjectItemCaseSensitive(p, key));
    cJSON *call = text ? cJSON_Parse(text) : NULL;
    const char *result = NULL;
    const cJSON *action = cJSON_GetObjectItemCaseSensitive(call, "action");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(call, "parameters");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, "FirewallFailOpen");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(params, "ResourceId");
    *vpc = NULL;
    if (!text) {
        result = cJSON_GetObjectItemCaseSensitive(p, key) ? NULL : "";
    } else if (!call || !cJSON_IsString(action)) {
        result = NULL;
    } else if (strcasecmp(action->valuestring, "updateFirewallConfig") != 0) {
        result = "";
    } else if (cJSON_IsString(v) && strstr(v->valuestring, UNKNOWN_PART) == NULL) {
        snprintf(out, size, "%s", v->valuestring);
        result = out;
        if (cJSON_IsString(r) && !strstr(r->valuestring, UNKNOWN_PART) &&
            strlen(r->valuestring) < 64)
            *vpc = strcpy(out + strlen(out) + 1, r->valuestring);
    }
    cJSON_Delete(call);
    free(text);
    return result;
}

static bool read_fail_open(struct cfn *c, const cJSON *res, const char *type)
{
    bool ok = true;
    unsigned line = json_doc_line(c->d, res);
    if (strcmp(type, T_CONFIG) != 0 && strncmp(type, "Custom::", 8) != 0 &&
        strcmp(type, "AWS::CloudFormation::CustomResource") != 0)
        return true;
    const cJSON *p = properties(c, res, &ok);
    if (!ok)
        return false;
    if (!cJSON_GetObjectItemCaseSensitive(p, "FirewallFailOpen")) {
        /* the CDK's AwsCustomResource (the platform's construct): the calls are JSON */
        char create[160], update[160];
        const char *vc, *vu;
        const char *cv = custom_call(c, p, "Create", create, sizeof create / 2, &vc);
        const char *uv = custom_call(c, p, "Update", update, sizeof update / 2, &vu);
        if ((cv && !*cv && uv && !*uv) || (!cJSON_GetObjectItemCaseSensitive(p, "Create") &&
                                           !cJSON_GetObjectItemCaseSensitive(p, "Update")))
            return true; /* a custom resource that does something else */
        const char *vpc = vc ? vc : vu;
        if (c->vpc && vpc && strcmp(vpc, c->vpc) != 0)
            return true;
        if (!cv || !uv || (*cv && *uv && strcmp(cv, uv) != 0)) {
            diag_warning(c->file, line,
                         "custom resource \"%s\": the FirewallFailOpen its Create and Update "
                         "calls set cannot be determined (%s, %s): reported as unknown",
                         res->string, cv ? (*cv ? cv : "no call") : "unreadable",
                         uv ? (*uv ? uv : "no call") : "unreadable");
            c->fail_open_unknown = true;
            return true;
        }
        return fail_open_value(c, res, *cv ? cv : uv);
    }
    const cJSON *fv = cJSON_GetObjectItemCaseSensitive(p, "FirewallFailOpen");
    struct val v;
    if (!resolve(c, fv, &v))
        return false;
    if (v.kind != V_LITERAL || !cJSON_IsString(v.item)) {
        diag_warning(c->file, json_doc_line(c->d, fv),
                     "FirewallFailOpen is not a literal (a parameter without a Default?): "
                     "the deployed setting cannot be determined; reported as unknown");
        c->fail_open_unknown = true;
        return true;
    }
    const cJSON *vpcv = cJSON_GetObjectItemCaseSensitive(p, "ResourceId");
    struct val vpc;
    if (c->vpc && vpcv && resolve(c, vpcv, &vpc) && vpc.kind == V_LITERAL &&
        cJSON_IsString(vpc.item) && strcmp(vpc.item->valuestring, c->vpc) != 0)
        return true;
    return fail_open_value(c, fv, v.item->valuestring);
}

/* Resolver query logging: the configuration associated with the VPC, and where it sends
 * the logs (a log group of the template, or an ARN). */
static void query_log_from_arn(struct fw_query_log *q, const char *arn)
{
    q->dest = strstr(arn, ":logs:")       ? FW_QUERY_LOG_CLOUDWATCH
              : strstr(arn, ":s3:::")     ? FW_QUERY_LOG_S3
              : strstr(arn, ":firehose:") ? FW_QUERY_LOG_FIREHOSE
                                          : FW_QUERY_LOG_UNKNOWN;
    q->retention = -1;
}

static bool read_query_log(struct cfn *c)
{
    struct fw_query_log *q = &c->m->query_log;
    const cJSON *config = NULL, *any_config = NULL;
    bool ok = true;
    for (const cJSON *r = c->resources->child; r; r = r->next) {
        const char *type = resource_type(c, r->string);
        if (strcmp(type, T_QL_CONFIG) == 0 && !any_config)
            any_config = r;
        if (strcmp(type, T_QL_ASSOC) != 0)
            continue;
        const cJSON *p = properties(c, r, &ok);
        struct val vpc, id;
        const cJSON *vv = cJSON_GetObjectItemCaseSensitive(p, "ResourceId");
        if (!ok || (vv && !resolve(c, vv, &vpc)))
            return false;
        if (c->vpc && vv && vpc.kind == V_LITERAL && cJSON_IsString(vpc.item) &&
            strcmp(vpc.item->valuestring, c->vpc) != 0)
            continue;
        const cJSON *iv = cJSON_GetObjectItemCaseSensitive(p, "ResolverQueryLogConfigId");
        if (!iv || !resolve(c, iv, &id))
            return iv ? false : jfail(c->d, p, "\"ResolverQueryLogConfigId\" is missing");
        if (id.kind != V_RESOURCE || strcmp(resource_type(c, id.resource), T_QL_CONFIG) != 0) {
            diag_warning(c->file, json_doc_line(c->d, r),
                         "query logging association \"%s\": its configuration is not in the "
                         "template; where the logs go is reported as unknown",
                         r->string);
            q->dest = FW_QUERY_LOG_UNKNOWN;
            q->associated = true;
            return true;
        }
        config = cJSON_GetObjectItemCaseSensitive(c->resources, id.resource);
        q->associated = true;
        break;
    }
    if (!config && !any_config) {
        diag_warning(c->file, 0,
                     "the template configures no Resolver query logging: whether the VPC's "
                     "queries are logged cannot be determined from it (reported as unknown)");
        q->dest = FW_QUERY_LOG_UNKNOWN;
        return true;
    }
    if (!config) { /* configured, not associated with the VPC */
        config = any_config;
        q->associated = false;
    }
    const cJSON *p = properties(c, config, &ok);
    const char *name = NULL;
    if (!ok || !lit_string(c, p, "Name", &name) || !fw_set_string(&q->name, name))
        return false;
    const cJSON *dv = cJSON_GetObjectItemCaseSensitive(p, "DestinationArn");
    struct val dest;
    if (!dv)
        return jfail(c->d, p, "\"DestinationArn\" is missing");
    if (!resolve(c, dv, &dest))
        return false;
    if (dest.kind == V_RESOURCE && strcmp(resource_type(c, dest.resource), T_LOG_GROUP) == 0) {
        const cJSON *lg =
            properties(c, cJSON_GetObjectItemCaseSensitive(c->resources, dest.resource), &ok);
        const cJSON *rv = cJSON_GetObjectItemCaseSensitive(lg, "RetentionInDays");
        struct val ret;
        q->dest = FW_QUERY_LOG_CLOUDWATCH;
        q->retention = 0; /* absent: never expires */
        if (rv && resolve(c, rv, &ret) && ret.kind == V_LITERAL && cJSON_IsNumber(ret.item))
            q->retention = ret.item->valueint;
        else if (rv)
            q->retention = -1;
        return ok;
    }
    if (dest.kind == V_LITERAL && cJSON_IsString(dest.item)) {
        query_log_from_arn(q, dest.item->valuestring);
        if (q->dest != FW_QUERY_LOG_CLOUDWATCH && !fw_set_string(&q->arn, dest.item->valuestring))
            return false;
        return true;
    }
    diag_warning(c->file, json_doc_line(c->d, dv),
                 "query logging configuration \"%s\": its DestinationArn is not a literal or "
                 "a log group of the template; where the logs go is reported as unknown",
                 config->string);
    q->dest = FW_QUERY_LOG_UNKNOWN;
    return true;
}

static void free_assoc(void *a)
{
    free(a);
}

static int run(struct cfn *c)
{
    const cJSON *root = c->d->root;
    bool ok = true;
    if (!cJSON_IsObject(root))
        return jfail(c->d, root, "a CloudFormation template must be a JSON object"), -1;
    c->template = root;
    const cJSON *body = jmember(c->d, root, "TemplateBody", &ok);
    if (body) {
        /* the output of "aws cloudformation get-template": TemplateBody is the template's
         * text (a string), or, from some clients, the template itself */
        if (cJSON_IsString(body)) {
            const char *t = body->valuestring;
            while (*t == ' ' || *t == '\n' || *t == '\r' || *t == '\t')
                t++;
            if (*t != '{')
                return jfail(c->d, body,
                             "TemplateBody is YAML: convert the template to JSON first (for "
                             "example with cfn-flip)"),
                       -1;
            int rc =
                json_doc_parse(&c->body, c->file, body->valuestring, strlen(body->valuestring));
            if (rc)
                return rc;
            c->d = &c->body;
            body = c->body.root;
        }
        if (!cJSON_IsObject(body))
            return jfail(c->d, body, "TemplateBody is not a JSON object"), -1;
        c->template = body;
    }
    c->params = jmember(c->d, c->template, "Parameters", &ok);
    c->resources = jmember(c->d, c->template, "Resources", &ok);
    if (!ok)
        return -1;
    if (!cJSON_IsObject(c->resources))
        return jfail(c->d, c->resources ? c->resources : c->template,
                     "a template needs a Resources object"),
               -1;
    if (c->params && !cJSON_IsObject(c->params))
        return jfail(c->d, c->params, "Parameters must be an object"), -1;
    for (const cJSON *r = c->resources->child; r; r = r->next) {
        const char *type;
        if (!cJSON_IsObject(r))
            return jfail(c->d, r, "resource \"%s\" must be an object", r->string), -1;
        for (const cJSON *o = c->resources->child; o != r; o = o->next)
            if (strcmp(o->string, r->string) == 0)
                return jfail(c->d, r, "resource \"%s\" is defined twice", r->string), -1;
        if (!jstring(c->d, r, "Type", true, &type))
            return -1;
    }
    /* lists first: rules refer to them; associations before groups: they decide which
     * groups AWS evaluates */
    for (const cJSON *r = c->resources->child; r; r = r->next)
        if (strcmp(resource_type(c, r->string), T_LIST) == 0 && !read_list(c, r))
            return c->oom ? -2 : -1;
    if (!read_managed_metadata(c))
        return c->oom ? -2 : -1;
    for (const cJSON *r = c->resources->child; r; r = r->next)
        if (strcmp(resource_type(c, r->string), T_ASSOC) == 0 && !read_assoc(c, r))
            return c->oom ? -2 : -1;
    for (const cJSON *r = c->resources->child; r; r = r->next)
        if (strcmp(resource_type(c, r->string), T_GROUP) == 0 && !read_group(c, r))
            return c->oom ? -2 : -1;
    for (const cJSON *r = c->resources->child; r; r = r->next)
        if (!read_fail_open(c, r, resource_type(c, r->string)))
            return -1;
    if (!read_query_log(c))
        return c->oom ? -2 : -1;
    if (c->fail_open_unknown)
        c->m->fail_open = -1;
    else if (c->m->fail_open < 0) {
        const cJSON *meta = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(c->template, "Metadata"), "libdnsfw");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, "FirewallFailOpen");
        if (cJSON_IsString(v) && !fail_open_value(c, v, v->valuestring))
            return -1;
        if (c->m->fail_open < 0)
            diag_warning(c->file, 0,
                         "nothing in the template sets FirewallFailOpen: the deployed setting "
                         "cannot be determined from it (reported as unknown)");
    }
    fw_model_sort(c->m);
    return 0;
}

int import_cfn(const char *file, const char *text, size_t len, const char *vpc, struct fw_model *m)
{
    struct json_doc d;
    fw_model_init(m);
    const char *f = fw_model_file(m, file);
    if (!f)
        return -2;
    int rc = json_doc_parse(&d, f, text, len);
    if (rc) {
        size_t i = 0;
        while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
            i++;
        if (rc == -1 && i < len && text[i] != '{')
            diag_error(f, 0,
                       "templates are read as JSON; convert a YAML template first (for "
                       "example with cfn-flip)");
        return rc;
    }
    struct cfn c = {.d = &d, .m = m, .file = f, .vpc = vpc};
    rc = run(&c);
    json_doc_free(&c.body);
    strmap_free(&c.lists, NULL);
    strmap_free(&c.managed, NULL);
    strmap_free(&c.assocs, free_assoc);
    json_doc_free(&d);
    return rc;
}
