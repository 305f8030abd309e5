#include <stdlib.h>
#include <string.h>

#include "deployed.h"
#include "egress.h"
#include "exfil.h"
#include "log_input.h"
#include "report_data.h"
#include "strmap.h"

#define MALFORMED_KEPT 10
#define EXAMPLES       3

static const char caveat[] =
    "Route 53 Resolver does not log answers served from its cache, so query counts are "
    "lower bounds: a name appears once per cache lifetime, not once per lookup.";

struct drift {
    uint64_t count;
    char *examples[EXAMPLES];
    uint32_t n;
    struct strmap acted_by; /* "rule group id\tdomain list id" -> records */
};

struct repo_stat {
    uint64_t records, blocked, isolation;
    bool blueprint;
    struct strmap blocked_names;   /* name -> count (uintptr_t) */
    struct strmap isolation_names; /* name -> count: blocked only with the repo's own scope */
};

struct report {
    struct report_options o;
    psl_ctx_t *psl;
    struct strmap names;
    struct strmap drift;
    struct strmap repos;
    struct strmap values; /* every value of the names' small sets, once */
    uint64_t files, bytes, records, not_query, malformed, outside_window, unknown_version;
    uint64_t other_class;
    uint64_t shapes[DNSFW_SHAPE_SYSLOG + 1];
    struct {
        char *where;
        char *file;
        uint64_t line;
        char *reason;
    } bad[MALFORMED_KEPT];
    uint32_t n_bad;
    struct { /* queries whose name the resolver could not print */
        uint64_t count;
        struct small_set types, clients;
        char first[40], last[40];
        char *where[MALFORMED_KEPT];
        uint32_t n_where;
    } unprintable;
    uint64_t now[4];
    uint64_t enforce_blocked;
    uint64_t logged[5]; /* none, ALLOW, ALERT, BLOCK, something else */
    struct exfil *exfil;
    struct strmap domains; /* every name's registrable domain, once */
    struct egress *egress; /* with --flow-log */
    bool oom;
};

/* --- collecting ---------------------------------------------------------------------- */

/* The values of the small sets (clients, instances, types, hops) recur across names:
 * each is stored once, in r->values, and the sets point to that copy. */
static void set_add(struct report *r, struct small_set *s, const char *v)
{
    if (!v || !*v || s->more) /* full, and known to have more: nothing can change */
        return;
    for (uint32_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], v) == 0)
            return;
    if (s->n == SET_MAX) {
        s->more = true;
        return;
    }
    void **slot = strmap_slot(&r->values, v, strlen(v));
    if (!slot)
        r->oom = true;
    else
        s->v[s->n++] = strmap_key(slot);
}

static void free_name(void *p)
{
    struct name_stat *n = p;
    if (!n)
        return;
    free(n->hop);
    free(n);
}

static void free_drift(void *p)
{
    struct drift *d = p;
    if (!d)
        return;
    for (uint32_t i = 0; i < d->n; i++)
        free(d->examples[i]);
    strmap_free(&d->acted_by, NULL);
    free(d);
}

static void free_repo(void *p)
{
    struct repo_stat *s = p;
    if (!s)
        return;
    strmap_free(&s->blocked_names, NULL);
    strmap_free(&s->isolation_names, NULL);
    free(s);
}

int report_new(const struct report_options *o, struct report **out)
{
    struct report *r = calloc(1, sizeof *r);
    if (!r)
        return -1;
    r->o = *o;
    /* The newest of libpsl's built-in list and Debian's publicsuffix package. */
    r->psl = psl_latest(NULL);
    if (!r->psl)
        r->psl = (psl_ctx_t *)psl_builtin();
    if (!(r->exfil = exfil_new())) {
        report_free(r);
        return -1;
    }
    *out = r;
    return 0;
}

void report_free(struct report *r)
{
    if (!r)
        return;
    strmap_free(&r->names, free_name);
    strmap_free(&r->drift, free_drift);
    strmap_free(&r->repos, free_repo);
    strmap_free(&r->values, NULL);
    strmap_free(&r->domains, NULL);
    exfil_free(r->exfil);
    for (uint32_t i = 0; i < r->n_bad; i++) {
        free(r->bad[i].where);
        free(r->bad[i].file);
        free(r->bad[i].reason);
    }
    for (uint32_t i = 0; i < r->unprintable.n_where; i++)
        free(r->unprintable.where[i]);
    if (r->psl != psl_builtin())
        psl_free(r->psl);
    free(r);
}

void report_note_malformed(struct report *r, const dnsfw_log_location *w, const char *reason)
{
    r->malformed++;
    if (r->n_bad < MALFORMED_KEPT) {
        char where[1200];
        log_location_text(w, where, sizeof where);
        r->bad[r->n_bad].where = w->array ? strdup(where) : NULL;
        r->bad[r->n_bad].file = strdup(w->source ? w->source : "");
        r->bad[r->n_bad].line = w->line;
        r->bad[r->n_bad].reason = strdup(reason);
        r->n_bad++;
    }
}

static void seen_at(char *first, char *last, size_t size, const char *ts);

void report_note_unprintable(struct report *r, const char *type, const char *client,
                             const char *timestamp, const dnsfw_log_location *w)
{
    r->unprintable.count++;
    set_add(r, &r->unprintable.types, type);
    set_add(r, &r->unprintable.clients, client);
    seen_at(r->unprintable.first, r->unprintable.last, sizeof r->unprintable.first, timestamp);
    if (r->unprintable.n_where < MALFORMED_KEPT) {
        char where[1200];
        log_location_text(w, where, sizeof where);
        if (!(r->unprintable.where[r->unprintable.n_where++] = strdup(where)))
            r->oom = true;
    }
}

void report_note_shape(struct report *r, dnsfw_log_shape shape)
{
    if ((unsigned)shape <= DNSFW_SHAPE_SYSLOG)
        r->shapes[shape]++;
}

void report_note_not_query(struct report *r)
{
    r->not_query++;
}

void report_set_input(struct report *r, uint64_t files, uint64_t bytes, uint64_t outside_window,
                      uint64_t unknown_version)
{
    r->files += files;
    r->bytes += bytes;
    r->outside_window += outside_window;
    r->unknown_version += unknown_version;
}

void report_set_egress(struct report *r, struct egress *e)
{
    r->egress = e;
}

/* A new name's registrable domain (interned), whether it has one, and under which kind
 * of public suffix: what the would-block groups, the suggestions and the exfiltration
 * heuristics group by. */
static void set_domain(struct report *r, struct name_stat *n, const char *name)
{
    char rd[DNSFW_NAME_TEXT_MAX];
    report_registrable(r->psl, name, rd, sizeof rd);
    void **slot = strmap_slot(&r->domains, rd, strlen(rd));
    if (!slot) {
        r->oom = true;
        return;
    }
    n->domain = strmap_key(slot);
    const char *dot = strchr(rd, '.');
    n->registrable = dot && psl_registrable_domain(r->psl, rd) != NULL;
    n->icann = n->registrable &&
               psl_is_public_suffix2(r->psl, dot + 1, PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE);
    /* a public suffix or a single label: no zone of anyone's to tunnel through */
    if (n->registrable && !(n->exfil = exfil_domain(r->exfil, n->domain, n->icann)))
        r->oom = true;
}

/* The record as the exfiltration heuristics see it. */
static void add_exfil(struct report *r, const struct name_stat *n, const struct record_eval *e,
                      bool new_name)
{
    if (!n->exfil)
        return;
    struct exfil_obs o = {
        .name = e->name,
        .qtype = e->qtype,
        .nxdomain = strcmp(e->rcode, "NXDOMAIN") == 0,
        .client = e->client,
        .when = e->when,
        .new_name = new_name,
        .mixed_case = e->mixed_case,
    };
    exfil_add(r->exfil, n->exfil, &o);
}

/* ISO 8601 stamps order as text; other formats keep their order of appearance. */
static void keep(char *dst, size_t size, const char *ts)
{
    size_t n = strnlen(ts, size - 1);
    memcpy(dst, ts, n);
    dst[n] = '\0';
}

static void seen_at(char *first, char *last, size_t size, const char *ts)
{
    if (!*ts)
        return;
    bool iso = strnlen(ts, 5) == 5 && ts[0] >= '0' && ts[0] <= '9' && ts[4] == '-';
    if (!first[0] || (iso && strcmp(ts, first) < 0))
        keep(first, size, ts);
    if (!last[0] || !iso || strcmp(ts, last) > 0)
        keep(last, size, ts);
}

static void seen(struct name_stat *n, const char *ts)
{
    seen_at(n->first, n->last, sizeof n->first, ts);
}

static int logged_index(const char *a)
{
    if (!*a)
        return 0;
    if (!strcmp(a, "ALLOW"))
        return 1;
    if (!strcmp(a, "ALERT"))
        return 2;
    if (!strcmp(a, "BLOCK"))
        return 3;
    return 4;
}

/* Does the logged firewall action agree with the computed one? No firewall fields in
 * the log means "allowed, or no rule matched" (aws-dns-firewall.md §8.1). */
static bool agrees(const char *logged, dnsfw_action now)
{
    switch (logged_index(logged)) {
    case 0:
        return now == DNSFW_ACTION_ALLOW || now == DNSFW_ACTION_NONE;
    case 1:
        return now == DNSFW_ACTION_ALLOW;
    case 2:
        return now == DNSFW_ACTION_ALERT;
    case 3:
        return now == DNSFW_ACTION_BLOCK;
    default:
        return false;
    }
}

static void count_in(struct report *r, struct strmap *m, const char *name)
{
    void **slot = strmap_slot(m, name, strlen(name));
    if (!slot)
        r->oom = true;
    else
        *slot = (void *)((uintptr_t)*slot + 1);
}

static void add_drift(struct report *r, const struct record_eval *e)
{
    char key[64];
    snprintf(key, sizeof key, "%s\t%s", e->logged[0] ? e->logged : "-",
             dnsfw_action_name(e->now.action));
    void **slot = strmap_slot(&r->drift, key, strlen(key));
    if (!slot || (!*slot && !(*slot = calloc(1, sizeof(struct drift))))) {
        r->oom = true;
        return;
    }
    struct drift *d = *slot;
    d->count++;
    if (e->logged_group[0] || e->logged_list[0]) {
        char ids[300];
        snprintf(ids, sizeof ids, "%s\t%s", e->logged_group, e->logged_list);
        void **ids_slot = strmap_slot(&d->acted_by, ids, strlen(ids));
        if (!ids_slot)
            r->oom = true;
        else
            *ids_slot = (void *)((uintptr_t)*ids_slot + 1);
    }
    for (uint32_t i = 0; i < d->n; i++)
        if (!strcmp(d->examples[i], e->name))
            return;
    if (d->n < EXAMPLES && (d->examples[d->n] = strdup(e->name)))
        d->n++;
}

static void add_repo(struct report *r, const struct record_eval *e)
{
    const char *repo = e->repo ? e->repo : "(unmapped)";
    void **slot = strmap_slot(&r->repos, repo, strlen(repo));
    if (!slot || (!*slot && !(*slot = calloc(1, sizeof(struct repo_stat))))) {
        r->oom = true;
        return;
    }
    struct repo_stat *s = *slot;
    s->records++;
    bool blocked = e->enforce.action == DNSFW_ACTION_BLOCK;
    if (blocked) {
        s->blocked++;
        count_in(r, &s->blocked_names, e->name);
    }
    if (e->scoped) {
        s->blueprint = true;
        if (!blocked && e->scoped_enforce.action == DNSFW_ACTION_BLOCK) {
            s->isolation++;
            count_in(r, &s->isolation_names, e->name);
        }
    }
}

void report_prefetch(const struct report *r, const char *name)
{
    strmap_prefetch(&r->names, name, strlen(name));
}

struct name_stat *report_find(const struct report *r, const char *name)
{
    return strmap_get(&r->names, name, strlen(name));
}

struct name_stat *report_name(struct report *r, const char *name)
{
    bool created;
    struct name_stat *n =
        strmap_block(&r->names, name, strlen(name), sizeof(struct name_stat), &created);
    if (!n)
        r->oom = true;
    return n;
}

bool report_recall(const struct report *r, const struct name_stat *n, uint16_t qtype,
                   dnsfw_verdict *now, dnsfw_verdict *enforce)
{
    if (!n->memo.valid || n->memo.qtype != (r->o.qtype_blind ? 0 : qtype))
        return false;
    *now = n->memo.now;
    *enforce = n->memo.enforce;
    return true;
}

void report_remember(const struct report *r, struct name_stat *n, uint16_t qtype,
                     const dnsfw_verdict *now, const dnsfw_verdict *enforce)
{
    n->memo.valid = true;
    n->memo.qtype = r->o.qtype_blind ? 0 : qtype;
    n->memo.now = *now;
    n->memo.enforce = *enforce;
}

void report_add(struct report *r, struct name_stat *n, const struct record_eval *e)
{
    bool new_name = n->count == 0;
    if (new_name)
        set_domain(r, n, e->name);
    add_exfil(r, n, e, new_name);
    r->records++;
    r->now[e->now.action & 3]++;
    r->logged[logged_index(e->logged)]++;
    n->count++;
    n->now[e->now.action & 3]++;
    seen(n, e->timestamp);
    set_add(r, &n->types, e->type);
    set_add(r, &n->clients, e->client);
    set_add(r, &n->instances, e->instance);
    if (!strcmp(e->logged, "BLOCK")) {
        n->logged_block++;
        set_add(r, &n->block_lists, e->logged_list);
    }
    if (!strcmp(e->rcode, "NXDOMAIN"))
        n->nxdomain++;
    if (strcmp(e->qclass, "IN") != 0) {
        n->other_class++;
        r->other_class++;
    }
    if (e->enforce.action == DNSFW_ACTION_BLOCK) {
        r->enforce_blocked++;
        if (e->enforce.hop == 0) {
            n->own_blocked++;
        } else {
            n->chain_blocked++;
            if (!n->hop) {
                if (!(n->hop = strdup(e->enforce_hop ? e->enforce_hop : "?")))
                    r->oom = true;
                n->allowed_by = e->enforce_name_only;
            }
        }
        for (size_t i = 0; i < e->n_blocked_hops; i++)
            set_add(r, &n->blocked_hops, e->blocked_hops[i]);
    }
    if (!agrees(e->logged, e->now.action))
        add_drift(r, e);
    if (r->o.has_map)
        add_repo(r, e);
}

/* --- building the report --------------------------------------------------------------- */

/* Entries of a map as an array, heaviest first, then by key. */
static int cmp_named(const void *a, const void *b)
{
    const struct named *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight < y->weight ? 1 : -1;
    return strcmp(x->key, y->key);
}

static struct named *entries(const struct strmap *m, uint64_t (*weight)(const void *), size_t *n)
{
    struct named *v = calloc(m->count ? m->count : 1, sizeof *v);
    *n = 0;
    if (!v)
        return NULL;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key)
            continue;
        uint64_t w = weight ? weight(m->slots[i].value) : (uintptr_t)m->slots[i].value;
        v[(*n)++] = (struct named){m->slots[i].key, m->slots[i].value, w};
    }
    qsort(v, *n, sizeof *v, cmp_named);
    return v;
}

static uint64_t drift_count(const void *p)
{
    return ((const struct drift *)p)->count;
}

static uint64_t repo_records(const void *p)
{
    return ((const struct repo_stat *)p)->records;
}

void report_registrable(const psl_ctx_t *psl, const char *name, char *out, size_t size)
{
    char bare[DNSFW_NAME_TEXT_MAX];
    snprintf(bare, sizeof bare, "%s", name);
    size_t len = strlen(bare);
    if (len > 1 && bare[len - 1] == '.')
        bare[len - 1] = '\0';
    const char *rd = psl_registrable_domain(psl, bare);
    if (rd) {
        /* libpsl splits at every dot, also at an escaped one inside a label ("a\.b"):
         * widen its answer to the whole label it starts in */
        size_t at = (size_t)(rd - bare), start = 0;
        for (size_t i = 0; i < at; i++) {
            if (bare[i] == '\\' && bare[i + 1])
                i++;
            else if (bare[i] == '.')
                start = i + 1;
        }
        rd = bare + start;
    }
    snprintf(out, size, "%s", rd ? rd : bare);
}

/*
 * The per-name parts of the report hold most of its values, so they are built without
 * copies: keys are literals and values are references to strings the report owns, which
 * outlive the tree (report_print() deletes it before returning).
 */
static bool attach(cJSON *o, const char *literal_key, cJSON *item)
{
    if (item && cJSON_AddItemToObjectCS(o, literal_key, item))
        return true;
    cJSON_Delete(item); /* out of memory: the caller fails the report */
    return false;
}

static bool add_ref(cJSON *o, const char *literal_key, const char *value)
{
    return value && attach(o, literal_key, cJSON_CreateStringReference(value));
}

static bool add_count(cJSON *o, const char *literal_key, uint64_t value)
{
    return attach(o, literal_key, cJSON_CreateNumber((double)value));
}

static cJSON *string_array(const struct small_set *s)
{
    cJSON *a = cJSON_CreateArray();
    for (uint32_t i = 0; a && i < s->n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateStringReference(s->v[i]));
    if (a && s->more)
        cJSON_AddItemToArray(a, cJSON_CreateStringReference("..."));
    return a;
}

static cJSON *action_counts(const uint64_t *by)
{
    cJSON *o = cJSON_CreateObject();
    for (int a = 0; o && a < 4; a++)
        cJSON_AddNumberToObject(o, dnsfw_action_name((dnsfw_action)a), (double)by[a]);
    return o;
}

static cJSON *build_totals(struct report *r)
{
    cJSON *t = cJSON_CreateObject();
    cJSON_AddNumberToObject(t, "files", (double)r->files);
    cJSON_AddNumberToObject(t, "bytes", (double)r->bytes);
    cJSON_AddNumberToObject(t, "records", (double)r->records);
    cJSON_AddNumberToObject(t, "distinct_names", (double)r->names.count);
    cJSON_AddNumberToObject(t, "not_query_lines", (double)r->not_query);
    cJSON_AddNumberToObject(t, "malformed", (double)r->malformed);
    cJSON_AddNumberToObject(t, "outside_window", (double)r->outside_window);
    cJSON_AddNumberToObject(t, "unprintable_names", (double)r->unprintable.count);
    cJSON_AddNumberToObject(t, "other_class", (double)r->other_class);
    cJSON_AddNumberToObject(t, "unknown_version", (double)r->unknown_version);
    cJSON *shapes = cJSON_AddObjectToObject(t, "shapes");
    for (int k = DNSFW_SHAPE_ROUTE53; shapes && k <= DNSFW_SHAPE_SYSLOG; k++)
        if (r->shapes[k])
            cJSON_AddNumberToObject(shapes, dnsfw_log_shape_name((dnsfw_log_shape)k),
                                    (double)r->shapes[k]);
    cJSON *bad = cJSON_AddArrayToObject(t, "malformed_examples");
    for (uint32_t i = 0; bad && i < r->n_bad; i++) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "file", r->bad[i].file ? r->bad[i].file : "");
        cJSON_AddNumberToObject(b, "line", (double)r->bad[i].line);
        if (r->bad[i].where)
            cJSON_AddStringToObject(b, "where", r->bad[i].where);
        cJSON_AddStringToObject(b, "reason", r->bad[i].reason ? r->bad[i].reason : "");
        cJSON_AddItemToArray(bad, b);
    }
    cJSON_AddItemToObject(t, "by_action", action_counts(r->now));
    size_t blocked_names = 0;
    for (size_t i = 0; i < r->names.cap; i++)
        if (r->names.slots[i].key && name_blocked(r->names.slots[i].value))
            blocked_names++;
    cJSON *enf = cJSON_AddObjectToObject(t, "enforce");
    cJSON_AddNumberToObject(enf, "blocked_records", (double)r->enforce_blocked);
    cJSON_AddNumberToObject(enf, "blocked_names", (double)blocked_names);
    cJSON *logged = cJSON_AddObjectToObject(t, "logged_firewall_action");
    static const char *const names[] = {"none", "ALLOW", "ALERT", "BLOCK", "other"};
    for (int i = 0; i < 5; i++)
        cJSON_AddNumberToObject(logged, names[i], (double)r->logged[i]);
    return t;
}

struct group {
    char *domain;
    uint64_t queries;
    size_t first, count; /* its names: members[first .. first + count) */
};

static int cmp_group(const void *a, const void *b)
{
    const struct group *x = a, *y = b;
    if (x->queries != y->queries)
        return x->queries < y->queries ? 1 : -1;
    return strcmp(x->domain, y->domain);
}

/* A blocked name's object, or NULL when out of memory. */
static cJSON *blocked_name(const struct named *v)
{
    const struct name_stat *s = v->value;
    cJSON *o = cJSON_CreateObject();
    bool ok = o && add_ref(o, "name", v->key) && add_count(o, "queries", name_blocked(s)) &&
              add_ref(o, "first_seen", s->first) && add_ref(o, "last_seen", s->last) &&
              attach(o, "query_types", string_array(&s->types)) &&
              attach(o, "clients", string_array(&s->clients)) &&
              attach(o, "instances", string_array(&s->instances)) &&
              add_ref(o, "cause", s->own_blocked ? "name" : "chain") &&
              (!s->chain_blocked || add_ref(o, "hop", s->hop));
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/*
 * What enforcement would block, grouped by registrable domain, heaviest first. The
 * groups are computed at once, their JSON objects one at a time: the reports for people
 * render and free each group before building the next, so that their memory does not
 * grow with a tree of every blocked name (see report_print).
 */
struct wb_groups {
    struct report *r;
    const struct named *v; /* every name, heaviest-blocked first */
    struct group *groups;
    size_t *members; /* indexes into v, group after group */
    size_t n;        /* groups */
};

static void wb_groups_free(struct wb_groups *wb)
{
    for (size_t g = 0; wb->groups && g < wb->n; g++)
        free(wb->groups[g].domain);
    free(wb->groups);
    free(wb->members);
}

static int wb_groups_init(struct report *r, const struct named *v, size_t n, struct wb_groups *wb)
{
    *wb = (struct wb_groups){.r = r, .v = v};
    size_t nb = 0;
    while (nb < n && name_blocked(v[nb].value))
        nb++;
    struct strmap index = {0};                    /* domain -> group number + 1 */
    size_t *of = calloc(nb ? nb : 1, sizeof *of); /* name -> its group */
    wb->groups = calloc(nb ? nb : 1, sizeof *wb->groups);
    wb->members = calloc(nb ? nb : 1, sizeof *wb->members);
    int rc = -1;
    if (!wb->groups || !wb->members || !of)
        goto done;
    struct group *groups = wb->groups;
    for (size_t i = 0; i < nb; i++) {
        const struct name_stat *ns = v[i].value;
        if (!ns->domain) /* set with the name's first record, unless memory ran out */
            goto done;
        const char *rd = ns->domain;
        void **slot = strmap_slot(&index, rd, strlen(rd));
        if (!slot)
            goto done;
        if (!*slot) {
            if (!(groups[wb->n].domain = strdup(rd)))
                goto done;
            *slot = (void *)(uintptr_t)++wb->n;
        }
        of[i] = (uintptr_t)*slot - 1;
        groups[of[i]].queries += name_blocked(v[i].value);
        groups[of[i]].count++;
    }
    /* Names keep their order (heaviest first) inside their group. */
    for (size_t g = 1; g < wb->n; g++)
        groups[g].first = groups[g - 1].first + groups[g - 1].count;
    for (size_t g = 0; g < wb->n; g++)
        groups[g].count = 0;
    for (size_t i = 0; i < nb; i++) {
        struct group *g = &groups[of[i]];
        wb->members[g->first + g->count++] = i;
    }
    qsort(groups, wb->n, sizeof *groups, cmp_group);
    rc = 0;
done:
    free(of);
    strmap_free(&index, NULL);
    if (rc)
        r->oom = true;
    return rc;
}

/* The JSON object of group g: its domain, its queries, its names; NULL when out of memory. */
static cJSON *wb_group(void *ud, size_t g)
{
    const struct wb_groups *wb = ud;
    const struct group *gr = &wb->groups[g];
    cJSON *o = cJSON_CreateObject(), *names = NULL;
    bool ok = o && add_ref(o, "registrable_domain", gr->domain) &&
              add_count(o, "queries", gr->queries) &&
              attach(o, "names", names = cJSON_CreateArray());
    for (size_t k = 0; ok && k < gr->count; k++) {
        cJSON *n = blocked_name(&wb->v[wb->members[gr->first + k]]);
        ok = n && cJSON_AddItemToArray(names, n);
        if (n && !ok)
            cJSON_Delete(n);
    }
    if (!ok) {
        wb->r->oom = true;
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *explanation(const struct report *r, const dnsfw_verdict *v)
{
    dnsfw_explanation why;
    cJSON *o = cJSON_CreateObject();
    if (dnsfw_explain(r->o.enforce, v, r->o.scope, &why) != DNSFW_OK || !why.rule_group)
        return o;
    cJSON_AddStringToObject(o, "rule_group", why.rule_group);
    cJSON_AddNumberToObject(o, "rule_priority", why.rule_priority);
    if (why.rule)
        cJSON_AddStringToObject(o, "rule", why.rule);
    else
        cJSON_AddNullToObject(o, "rule");
    cJSON_AddStringToObject(o, "domain_list", why.domain_list);
    cJSON_AddStringToObject(o, "entry", why.entry);
    return o;
}

/* Allowlisted names blocked because a CNAME/DNAME hop is not allowed. */
static cJSON *build_chain_blocks(struct report *r, const struct named *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        const struct name_stat *s = v[i].value;
        if (!s->chain_blocked)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", v[i].key);
        cJSON_AddStringToObject(o, "hop", s->hop);
        cJSON_AddNumberToObject(o, "queries", (double)s->chain_blocked);
        cJSON *by = explanation(r, &s->allowed_by);
        cJSON_AddItemToObject(o, "allowed_by", by);
        cJSON *fixes = cJSON_AddArrayToObject(o, "fixes");
        char fix[DNSFW_NAME_TEXT_MAX + 128];
        size_t hl = strlen(s->hop);
        snprintf(fix, sizeof fix, "allow the hop: add %.*s (or an entry covering it)",
                 (int)(hl > 1 && s->hop[hl - 1] == '.' ? hl - 1 : hl), s->hop);
        cJSON_AddItemToArray(fixes, cJSON_CreateString(fix));
        const cJSON *g = cJSON_GetObjectItem(by, "rule_group");
        const cJSON *p = cJSON_GetObjectItem(by, "rule_priority");
        /* The tiered form's rules have fixed settings: redirection is the general form's. */
        if (g && p && !r->o.mode) {
            snprintf(fix, sizeof fix,
                     "trust the chain: set redirection TRUST_REDIRECTION_DOMAIN on rule %d of "
                     "rule group %s",
                     (int)p->valuedouble, g->valuestring);
            cJSON_AddItemToArray(fixes, cJSON_CreateString(fix));
        }
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *build_drift(struct report *r)
{
    size_t n;
    struct named *v = entries(&r->drift, drift_count, &n);
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; v && i < n; i++) {
        const struct drift *d = v[i].value;
        char logged[32];
        const char *tab = strchr(v[i].key, '\t');
        snprintf(logged, sizeof logged, "%.*s", (int)(tab - v[i].key), v[i].key);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "logged", strcmp(logged, "-") ? logged : "none");
        cJSON_AddStringToObject(o, "now", tab + 1);
        cJSON_AddNumberToObject(o, "records", (double)d->count);
        cJSON *ex = cJSON_AddArrayToObject(o, "examples");
        for (uint32_t j = 0; j < d->n; j++)
            cJSON_AddItemToArray(ex, cJSON_CreateString(d->examples[j]));
        /* the deployed rule group and domain list that acted, as the logs name them */
        cJSON *by = cJSON_AddArrayToObject(o, "acted_by");
        size_t m;
        struct named *ids = entries(&d->acted_by, NULL, &m);
        for (size_t j = 0; ids && j < m; j++) {
            char group[300];
            snprintf(group, sizeof group, "%s", ids[j].key);
            char *sep = strchr(group, '\t');
            const char *list = sep ? sep + 1 : "";
            if (sep)
                *sep = '\0';
            cJSON *x = cJSON_CreateObject();
            const char *gname = deployed_group_name(r->o.deployed, group);
            const char *lname = deployed_list_name(r->o.deployed, list);
            if (*group)
                cJSON_AddStringToObject(x, "firewall_rule_group_id", group);
            else
                cJSON_AddNullToObject(x, "firewall_rule_group_id");
            if (gname)
                cJSON_AddStringToObject(x, "rule_group", gname);
            else
                cJSON_AddNullToObject(x, "rule_group");
            if (*list)
                cJSON_AddStringToObject(x, "firewall_domain_list_id", list);
            else
                cJSON_AddNullToObject(x, "firewall_domain_list_id");
            if (lname)
                cJSON_AddStringToObject(x, "domain_list", lname);
            else
                cJSON_AddNullToObject(x, "domain_list");
            cJSON_AddNumberToObject(x, "records", (double)ids[j].weight);
            cJSON_AddItemToArray(by, x);
        }
        free(ids);
        cJSON_AddItemToArray(a, o);
    }
    free(v);
    return a;
}

/* Queries whose name the resolver could not print: evidence of tunnelling. */
static cJSON *build_unprintable(struct report *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "queries", (double)r->unprintable.count);
    attach(o, "query_types", string_array(&r->unprintable.types));
    attach(o, "clients", string_array(&r->unprintable.clients));
    add_ref(o, "first_seen", r->unprintable.first);
    add_ref(o, "last_seen", r->unprintable.last);
    cJSON *at = cJSON_AddArrayToObject(o, "locations");
    for (uint32_t i = 0; at && i < r->unprintable.n_where; i++)
        cJSON_AddItemToArray(at, cJSON_CreateStringReference(r->unprintable.where[i]));
    return o;
}

static cJSON *build_repos(struct report *r)
{
    size_t n;
    struct named *v = entries(&r->repos, repo_records, &n);
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; v && i < n; i++) {
        const struct repo_stat *s = v[i].value;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "repo", v[i].key);
        cJSON_AddBoolToObject(o, "blueprint", s->blueprint);
        cJSON_AddNumberToObject(o, "records", (double)s->records);
        cJSON_AddNumberToObject(o, "would_block_records", (double)s->blocked);
        cJSON_AddNumberToObject(o, "would_block_names", (double)s->blocked_names.count);
        cJSON_AddNumberToObject(o, "isolation_block_records", (double)s->isolation);
        cJSON *iso = cJSON_AddArrayToObject(o, "isolation_blocks");
        size_t m;
        struct named *names = entries(&s->isolation_names, NULL, &m);
        for (size_t j = 0; names && j < m; j++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "name", names[j].key);
            cJSON_AddNumberToObject(x, "queries", (double)names[j].weight);
            cJSON_AddItemToArray(iso, x);
        }
        free(names);
        cJSON_AddItemToArray(a, o);
    }
    free(v);
    return a;
}

/* Beyond the policy (docs/egress.md): the exfiltration heuristics, what the Advanced
 * rules would act on, and with --flow-log the direct-IP connections. */
static void build_egress(struct report *r, cJSON *root)
{
    if (exfil_failed(r->exfil)) {
        r->oom = true;
        return;
    }
    cJSON_AddStringToObject(root, "exfiltration_note", report_exfil_note);
    cJSON_AddItemToObject(root, "exfiltration",
                          report_exfiltration(&r->o, &r->names, r->exfil, &r->oom));
    cJSON_AddItemToObject(root, "exfiltration_summary", exfil_summary_json(r->exfil));
    cJSON_AddItemToObject(root, "dga_clients", exfil_clients_json(r->exfil));
    if (r->o.n_advanced)
        cJSON_AddItemToObject(root, "advanced_rules",
                              report_advanced(&r->o, &r->names, r->exfil, &r->oom));
    if (!r->egress)
        return;
    if (egress_failed(r->egress)) {
        r->oom = true;
        return;
    }
    cJSON_AddItemToObject(root, "egress", egress_totals_json(r->egress)); /* direct_ip: print */
}

/*
 * The report as one tree, but for the would-block groups: they are computed into *groups
 * (which the caller frees after the tree) and built one at a time by wb_group().
 */
static cJSON *build(struct report *r, struct named **names, struct wb_groups *groups)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *policy = cJSON_AddObjectToObject(root, "policy");
    if (r->o.mode)
        cJSON_AddStringToObject(policy, "mode", r->o.mode);
    else
        cJSON_AddNullToObject(policy, "mode");
    if (r->o.scope_name)
        cJSON_AddStringToObject(policy, "scope", r->o.scope_name);
    cJSON_AddStringToObject(root, "caveat", caveat);
    cJSON_AddItemToObject(root, "totals", build_totals(r));

    size_t n;
    struct named *v = *names = entries(&r->names, name_blocked, &n);
    if (!v || wb_groups_init(r, v, n, groups) != 0) {
        r->oom = true;
        return root;
    }
    cJSON_AddItemToObject(root, "chain_blocks", build_chain_blocks(r, v, n));
    cJSON_AddItemToObject(root, "drift", build_drift(r));
    cJSON_AddItemToObject(root, "unprintable_names", build_unprintable(r));
    cJSON_AddItemToObject(root, "suggestions", report_suggestions(&r->o, r->psl, v, n, &r->oom));
    if (r->o.has_map)
        cJSON_AddItemToObject(root, "repositories", build_repos(r));
    build_egress(r, root);
    return root;
}

/*
 * Write item as cJSON_Print() would inside a tree, depth levels down: the same text, with
 * depth more tabs after each line break (strings hold no raw line breaks).
 */
static int print_nested(FILE *out, const cJSON *item, int depth)
{
    char *text = cJSON_Print(item);
    if (!text)
        return -1;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
        fwrite(p, 1, n, out);
        for (int i = 0; nl && i < depth; i++)
            fputc('\t', out);
        p += n;
    }
    cJSON_free(text);
    return 0;
}

/*
 * --format json: the text cJSON_Print() gives for the whole report, written one member
 * at a time and the would-block groups one group at a time, so that neither the tree of
 * every blocked name nor its text is ever in memory at once.
 */
static void member_key(FILE *out, const char *key, bool *first)
{
    fprintf(out, "%s\t\"%s\":\t", *first ? "" : ",\n", key); /* the report's keys: no escapes */
    *first = false;
}

/* An array member whose items are built and printed one at a time. */
static int print_stream(FILE *out, const char *key, const struct report_groups *items, bool *first)
{
    member_key(out, key, first);
    fputc('[', out);
    for (size_t g = 0; g < items->n; g++) {
        cJSON *o = items->get(items->ud, g);
        if (g)
            fputs(", ", out);
        int rc = o ? print_nested(out, o, 2) : -1;
        cJSON_Delete(o);
        if (rc)
            return -1;
    }
    fputc(']', out);
    return 0;
}

/* direct: the direct-IP groups (with --flow-log), or NULL. */
static int print_json(const cJSON *root, const struct report_groups *groups,
                      const struct report_groups *direct, FILE *out)
{
    bool first = true;
    fputs("{\n", out);
    for (const cJSON *c = root->child; c; c = c->next) {
        member_key(out, c->string, &first);
        if (print_nested(out, c, 1) != 0)
            return -1;
        if (strcmp(c->string, "totals") == 0 &&
            print_stream(out, "would_block", groups, &first) != 0)
            return -1;
    }
    if (direct && print_stream(out, "direct_ip", direct, &first) != 0)
        return -1;
    fputs("\n}\n", out);
    return 0;
}

/* The direct-IP groups one at a time, as the would-block groups. */
static cJSON *direct_item(void *ud, size_t i)
{
    return egress_direct_ip_item(ud, i);
}

/*
 * Building and printing the report allocates through cJSON in many small steps; a step
 * that fails leaves its member out without a word. While the report is printed, cJSON
 * allocates through this function, which remembers a failure, so that the report is
 * refused rather than printed with members missing. (A tool may have this state: the
 * report is printed once, from one thread.)
 */
static bool cjson_failed;

static int print_report(struct report *r, enum report_format format, FILE *out);

static void *checked_malloc(size_t size)
{
    void *p = malloc(size);
    if (!p)
        cjson_failed = true;
    return p;
}

int report_print(struct report *r, enum report_format format, FILE *out)
{
    cJSON_InitHooks(&(cJSON_Hooks){.malloc_fn = checked_malloc, .free_fn = free});
    cjson_failed = false;
    int rc = print_report(r, format, out);
    cJSON_InitHooks(NULL);
    return rc || cjson_failed ? -1 : 0;
}

static int print_report(struct report *r, enum report_format format, FILE *out)
{
    if (r->oom) /* a count is missing: no report rather than a wrong one */
        return -1;
    struct named *names = NULL;
    struct wb_groups wb = {0};
    /* Every format takes the would-block groups one at a time. */
    cJSON *root = build(r, &names, &wb);
    int rc = -1;
    if (!root || r->oom)
        goto done;
    struct report_groups groups = {.n = wb.n, .get = wb_group, .ud = &wb};
    struct report_groups direct = {0}, *dp = NULL;
    if (r->egress) {
        direct = (struct report_groups){
            .n = egress_direct_ip_sort(r->egress), .get = direct_item, .ud = r->egress};
        dp = &direct;
    }
    if (format == REPORT_JSON) {
        if (print_json(root, &groups, dp, out) != 0)
            goto done;
    } else if (format == REPORT_MARKDOWN) {
        report_render_markdown(root, &groups, out);
        report_render_egress_markdown(root, dp, out);
    } else {
        report_render_text(root, &groups, out);
        report_render_egress_text(root, dp, out);
    }
    if (r->egress && egress_failed(r->egress))
        goto done;
    rc = r->oom || ferror(out) ? -1 : 0;
done:
    cJSON_Delete(root);
    wb_groups_free(&wb);
    free(names);
    return rc;
}
