#include "exfil.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "timestamp.h"

#define CLIENTS_KEPT 16   /* distinct clients counted exactly per domain */
#define CAND_MAX     4096 /* generated-looking domains remembered per client */
#define EXAMPLES     5
#define DATA_LABEL   8  /* labels this long or longer below the domain are data */
#define SAMPLE_MIN   16 /* data octets for a name to be sampled (label, entropy, alphabet) */
#define SAMPLES_FULL 10 /* sampled names for the sampled features to count in full */

/* The tunnelling score: weights of the features (sum 1), and the ranges over which each
 * feature goes from 0 to 1 (docs/egress.md, "Features"). */
#define W_LABEL    0.25 /* mean longest label below the domain, of the sampled names */
#define W_ENTROPY  0.20 /* Shannon entropy of the sampled names' data */
#define W_ALPHA    0.20 /* share of sampled names whose data are hex, base32 or base64 */
#define W_TYPES    0.15 /* share of TXT, NULL, CNAME, MX, SRV, KEY, private-use queries */
#define W_RATE     0.10 /* data octets of the distinct names per minute */
#define W_NX       0.05 /* NXDOMAIN share */
#define W_CLIENTS  0.05 /* few clients */
#define LABEL_LO   20.0
#define LABEL_HI   50.0
#define ENTROPY_LO 3.6
#define ENTROPY_HI 4.4
#define RATE_LO    200.0
#define RATE_HI    2000.0
/* Distinct names: the score is scaled by how many, from none at NAMES_LO to all at
 * NAMES_HI (log scale): a handful of long names is not a channel. */
#define NAMES_LO 5.0
#define NAMES_HI 50.0
/* DGA: distinct generated-looking registrable domains one client got NXDOMAIN for. */
#define DGA_LO 4.0
#define DGA_HI 40.0

struct dom {
    const char *domain; /* the map's key */
    size_t domain_len;
    int kind;             /* generated_kind() of a DGA candidate, else 0 */
    uint32_t last_client; /* the hash of the last client counted, to skip repeats */
    uint64_t records, names, nx;
    uint64_t txt, null, cname, mx, other_data;
    uint64_t label_sum, label_max; /* the longest label below the domain, per sampled name */
    double entropy_sum;
    uint64_t sampled; /* names with SAMPLE_MIN data octets or more */
    uint64_t hex, b32, b64;
    uint64_t sub_bytes; /* data octets over the distinct names */
    int64_t first, last;
    uint32_t clients[CLIENTS_KEPT];
    uint32_t n_clients;
    bool more_clients;
};

/* A generated-looking registrable domain a client got NXDOMAIN for. */
struct cand {
    uint64_t hash; /* 0: empty */
    uint8_t kind;  /* 1 random-looking, 2 made of words */
};

struct cli {
    uint64_t records[2], nx_records[2]; /* its lookups of generated-looking domains, by kind */
    struct cand *set;                   /* the distinct ones answered NXDOMAIN */
    uint32_t cap, n;
    bool full;
    const char *examples[2][EXAMPLES]; /* interned in x->names */
    uint32_t n_examples[2];
};

struct exfil {
    struct strmap domains; /* registrable domain -> struct dom (blocks) */
    struct strmap clients; /* client -> struct cli (blocks) */
    struct strmap names;   /* example domains of the DGA view, interned */
    bool failed;
};

struct exfil *exfil_new(void)
{
    return calloc(1, sizeof(struct exfil));
}

static void free_cli(void *p)
{
    struct cli *c = p;
    if (c)
        free(c->set);
    free(c);
}

void exfil_free(struct exfil *x)
{
    if (!x)
        return;
    strmap_free(&x->domains, free);
    strmap_free(&x->clients, free_cli);
    strmap_free(&x->names, NULL);
    free(x);
}

bool exfil_failed(const struct exfil *x)
{
    return x->failed;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, then a finaliser */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    return (h ^ (h >> 33)) | 1; /* never 0, which marks an empty set slot */
}

/* --- features of a name ---------------------------------------------------------------- */

/* Shannon entropy, in bits per character, of s (n characters). */
static double entropy(const char *s, size_t n)
{
    unsigned count[256] = {0};
    for (size_t i = 0; i < n; i++)
        count[(uint8_t)s[i]]++;
    double h = 0;
    for (int c = 0; c < 256; c++) {
        if (!count[c])
            continue;
        double p = (double)count[c] / (double)n;
        h -= p * log2(p);
    }
    return h;
}

enum alphabet { ALPHA_NONE, ALPHA_HEX, ALPHA_B32, ALPHA_B64 };

/*
 * The alphabet of a subdomain's characters (dots removed): base64 and base128 carry
 * characters outside letters, digits and '-' (or mixed case, before normalisation);
 * hex is [0-9a-f] with digits and letters; base32 is [a-z2-7] with one of its digits
 * and none of 0, 1, 8, 9.
 */
static enum alphabet alphabet_of(const char *s, size_t n, bool mixed_case)
{
    bool other = mixed_case, hex_only = true, b32_only = true, digit = false, letter = false,
         b32_digit = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool lower = c >= 'a' && c <= 'z', num = c >= '0' && c <= '9';
        if (!lower && !num && c != '-')
            other = true;
        if (!(num || (c >= 'a' && c <= 'f')))
            hex_only = false;
        if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')))
            b32_only = false;
        digit |= num;
        letter |= lower;
        b32_digit |= c >= '2' && c <= '7';
    }
    if (other)
        return ALPHA_B64;
    if (hex_only && digit && letter)
        return ALPHA_HEX;
    if (b32_only && b32_digit)
        return ALPHA_B32;
    return ALPHA_NONE;
}

/* Count the query types that carry data back to a tunnel client, as tunnels use them. */
static void data_type(uint16_t t, struct dom *d)
{
    switch (t) {
    case 16: /* TXT */
        d->txt++;
        return;
    case 10: /* NULL */
        d->null++;
        return;
    case 5: /* CNAME */
        d->cname++;
        return;
    case 15: /* MX */
        d->mx++;
        return;
    case 33:  /* SRV */
    case 25:  /* KEY */
    case 255: /* ANY */
        d->other_data++;
        return;
    default:
        if (t >= 65280 && t <= 65534) /* private use (iodine's PRIVATE is 65399) */
            d->other_data++;
        return;
    }
}

static void add_client(struct dom *d, const char *client)
{
    if (!*client || d->more_clients)
        return;
    uint32_t h = (uint32_t)hash_str(client);
    if (h == d->last_client)
        return;
    d->last_client = h;
    for (uint32_t i = 0; i < d->n_clients; i++)
        if (d->clients[i] == h)
            return;
    if (d->n_clients == CLIENTS_KEPT)
        d->more_clients = true;
    else
        d->clients[d->n_clients++] = h;
}

/*
 * A distinct name of domain d. Its data are the labels below the domain of DATA_LABEL
 * octets or more, decoded (the normal form writes bytes outside letters, digits, '-'
 * and '_' as \DDD escapes, as base128 encodings make them); shorter labels are
 * structure ("www", "api", the nibbles of ip6.arpa).
 */
static void add_name(struct dom *d, const struct exfil_obs *o)
{
    size_t nl = strlen(o->name), dl = d->domain_len;
    if (nl && o->name[nl - 1] == '.')
        nl--;
    if (nl <= dl + 1) /* the domain itself */
        return;
    size_t sl = nl - dl - 1; /* the subdomain, without the dot before the domain */
    char data[256];
    size_t n = 0, start = 0, longest = 0;
    for (size_t i = 0; i <= sl; i++) {
        if (i == sl || o->name[i] == '.') { /* the end of a label */
            size_t len = n - start;
            if (len > longest)
                longest = len;
            if (len < DATA_LABEL)
                n = start;
            start = n;
            continue;
        }
        char c = o->name[i];
        if (c == '\\' && i + 1 < sl) {
            const char *e = o->name + i + 1;
            if (i + 3 < sl && e[0] >= '0' && e[0] <= '9' && e[1] >= '0' && e[1] <= '9' &&
                e[2] >= '0' && e[2] <= '9') {
                c = (char)((e[0] - '0') * 100 + (e[1] - '0') * 10 + (e[2] - '0'));
                i += 3;
            } else {
                c = e[0];
                i++;
            }
        }
        if (n < sizeof data)
            data[n++] = c;
    }
    d->sub_bytes += n;
    if (n < SAMPLE_MIN)
        return;
    d->sampled++;
    d->label_sum += longest;
    if (longest > d->label_max)
        d->label_max = longest;
    d->entropy_sum += entropy(data, n);
    switch (alphabet_of(data, n, o->mixed_case)) {
    case ALPHA_HEX:
        d->hex++;
        break;
    case ALPHA_B32:
        d->b32++;
        break;
    case ALPHA_B64:
        d->b64++;
        break;
    case ALPHA_NONE:
        break;
    }
}

/* --- the DGA view ------------------------------------------------------------------------ */

static bool vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/*
 * The first label of a registrable domain under an ICANN suffix: 1 when it looks random
 * (few vowels, long consonant runs, digits mixed into letters), 2 when it is long and
 * pronounceable but not a usual name (made of words, as dictionary DGAs make them), 0
 * otherwise. Punycode (xn--) and labels under 8 characters are never candidates.
 */
static int generated_kind(const char *domain)
{
    const char *dot = strchr(domain, '.');
    size_t n = dot ? (size_t)(dot - domain) : strlen(domain);
    if (n < 8 || strncmp(domain, "xn--", 4) == 0)
        return 0;
    size_t letters = 0, vowels = 0, digits = 0, run = 0, max_run = 0, switches = 0;
    for (size_t i = 0; i < n; i++) {
        char c = domain[i];
        bool num = c >= '0' && c <= '9';
        if (!num && !(c >= 'a' && c <= 'z'))
            return 0; /* hyphens and the rest: names people choose */
        digits += num;
        if (!num) {
            letters++;
            if (vowel(c)) {
                vowels++;
                run = 0;
            } else if (++run > max_run) {
                max_run = run;
            }
        } else {
            run = 0;
        }
        if (i && num != (domain[i - 1] >= '0' && domain[i - 1] <= '9'))
            switches++;
    }
    double vr = letters ? (double)vowels / (double)letters : 0;
    if (vr < 0.25 || max_run >= 5 || (digits >= 2 && switches >= 3))
        return 1;
    if (n >= 12 && !digits && vr >= 0.3 && vr <= 0.55 && max_run <= 3)
        return 2;
    return 0;
}

static const char *intern(struct exfil *x, const char *s)
{
    void **slot = strmap_slot(&x->names, s, strlen(s));
    if (!slot) {
        x->failed = true;
        return NULL;
    }
    return strmap_key(slot);
}

static void add_candidate(struct exfil *x, struct cli *c, const struct dom *d)
{
    int kind = d->kind;
    if (c->full)
        return;
    if ((c->n + 1) * 2 > c->cap) {
        uint32_t ncap = c->cap ? c->cap * 2 : 16;
        if (ncap > 2 * CAND_MAX) {
            c->full = true;
            return;
        }
        struct cand *ns = calloc(ncap, sizeof *ns);
        if (!ns) {
            x->failed = true;
            return;
        }
        for (uint32_t i = 0; i < c->cap; i++) {
            if (!c->set[i].hash)
                continue;
            uint32_t j = (uint32_t)c->set[i].hash & (ncap - 1);
            while (ns[j].hash)
                j = (j + 1) & (ncap - 1);
            ns[j] = c->set[i];
        }
        free(c->set);
        c->set = ns;
        c->cap = ncap;
    }
    uint64_t h = hash_str(d->domain);
    uint32_t j = (uint32_t)h & (c->cap - 1);
    while (c->set[j].hash && c->set[j].hash != h)
        j = (j + 1) & (c->cap - 1);
    struct cand *e = &c->set[j];
    if (e->hash)
        return;
    *e = (struct cand){.hash = h, .kind = (uint8_t)kind};
    c->n++;
    uint32_t k = (uint32_t)kind - 1;
    if (c->n_examples[k] < EXAMPLES) {
        const char *s = intern(x, d->domain);
        if (s)
            c->examples[k][c->n_examples[k]++] = s;
    }
}

static const struct cand *find_candidate(const struct cli *c, const char *domain)
{
    if (!c->cap)
        return NULL;
    uint64_t h = hash_str(domain);
    for (uint32_t j = (uint32_t)h & (c->cap - 1); c->set[j].hash; j = (j + 1) & (c->cap - 1))
        if (c->set[j].hash == h)
            return &c->set[j];
    return NULL;
}

/* --- adding ---------------------------------------------------------------------------- */

struct exfil_domain *exfil_domain(struct exfil *x, const char *domain, bool icann)
{
    bool created;
    size_t len = strlen(domain);
    struct dom *d = strmap_block(&x->domains, domain, len, sizeof(struct dom), &created);
    if (!d) {
        x->failed = true;
        return NULL;
    }
    if (created) {
        d->domain = strmap_block_key(d, sizeof *d);
        d->domain_len = len;
        d->kind = icann ? generated_kind(domain) : 0;
        d->first = d->last = -1;
    }
    return (struct exfil_domain *)d;
}

void exfil_add(struct exfil *x, struct exfil_domain *dom, const struct exfil_obs *o)
{
    struct dom *d = (struct dom *)dom;
    d->records++;
    d->nx += o->nxdomain;
    data_type(o->qtype, d);
    add_client(d, o->client);
    if (o->when >= 0) {
        if (d->first < 0 || o->when < d->first)
            d->first = o->when;
        if (o->when > d->last)
            d->last = o->when;
    }
    if (o->new_name) {
        d->names++;
        add_name(d, o);
    }
    if (!d->kind || !o->client[0])
        return;
    bool created;
    struct cli *c = strmap_block(&x->clients, o->client, strlen(o->client), sizeof *c, &created);
    if (!c) {
        x->failed = true;
        return;
    }
    c->records[d->kind - 1]++;
    if (o->nxdomain) { /* only those enter the set: the lookups of a DGA mostly fail */
        c->nx_records[d->kind - 1]++;
        add_candidate(x, c, d);
    }
}

/* --- scores ------------------------------------------------------------------------------ */

static double ramp(double v, double lo, double hi)
{
    return v <= lo ? 0 : v >= hi ? 1 : (v - lo) / (hi - lo);
}

static double ramp_log(double v, double lo, double hi)
{
    return v <= lo ? 0 : v >= hi ? 1 : log(v / lo) / log(hi / lo);
}

struct tunnel_features {
    double label, entropy, encoded, data, rate, nx;
    uint64_t clients;
    bool more_clients;
    double active_seconds;
    double f_label, f_entropy, f_alpha, f_types, f_rate, f_nx, f_clients, f_names;
    double score;
};

static void tunnel_features(const struct dom *d, struct tunnel_features *f)
{
    memset(f, 0, sizeof *f);
    double names = (double)d->names, records = (double)d->records, sampled = (double)d->sampled;
    f->label = sampled ? (double)d->label_sum / sampled : 0;
    f->entropy = sampled ? d->entropy_sum / sampled : 0;
    f->encoded = sampled ? (double)(d->hex + d->b32 + d->b64) / sampled : 0;
    f->data = records ? (double)(d->txt + d->null + d->cname + d->mx + d->other_data) / records : 0;
    f->nx = records ? (double)d->nx / records : 0;
    f->active_seconds = d->first >= 0 && d->last >= d->first ? (double)(d->last - d->first) : 0;
    double minutes = f->active_seconds / 60.0 < 1 ? 1 : f->active_seconds / 60.0;
    f->rate = (double)d->sub_bytes / minutes;
    f->clients = d->n_clients;
    f->more_clients = d->more_clients;
    /* the features of sampled names count in full from SAMPLES_FULL of them on */
    double weight = sampled >= SAMPLES_FULL ? 1 : sampled / SAMPLES_FULL;
    f->f_label = weight * ramp(f->label, LABEL_LO, LABEL_HI);
    f->f_entropy = weight * ramp(f->entropy, ENTROPY_LO, ENTROPY_HI);
    f->f_alpha = weight * f->encoded;
    f->f_types = f->data;
    f->f_rate = ramp(f->rate, RATE_LO, RATE_HI);
    f->f_nx = f->nx;
    f->f_clients = d->more_clients     ? 0
                   : d->n_clients <= 1 ? 1
                   : d->n_clients == 2 ? 0.5
                   : d->n_clients <= 4 ? 0.25
                                       : 0;
    f->f_names = ramp_log(names, NAMES_LO, NAMES_HI);
    double sum = W_LABEL * f->f_label + W_ENTROPY * f->f_entropy + W_ALPHA * f->f_alpha +
                 W_TYPES * f->f_types + W_RATE * f->f_rate + W_NX * f->f_nx +
                 W_CLIENTS * f->f_clients;
    f->score = f->f_names * sum;
}

dnsfw_confidence exfil_confidence(double score)
{
    return score >= EXFIL_HIGH     ? DNSFW_CONFIDENCE_HIGH
           : score >= EXFIL_MEDIUM ? DNSFW_CONFIDENCE_MEDIUM
           : score >= EXFIL_LOW    ? DNSFW_CONFIDENCE_LOW
                                   : DNSFW_CONFIDENCE_NONE;
}

double exfil_tunnel_score(const struct exfil *x, const char *domain)
{
    const struct dom *d = strmap_get(&x->domains, domain, strlen(domain));
    if (!d)
        return 0;
    struct tunnel_features f;
    tunnel_features(d, &f);
    return f.score;
}

struct dga_features {
    uint64_t domains; /* distinct generated-looking domains answered NXDOMAIN */
    double nx_share;  /* of the client's lookups of generated-looking domains */
    double score;
};

static void dga_features(const struct cli *c, int kind, struct dga_features *f)
{
    memset(f, 0, sizeof *f);
    for (uint32_t i = 0; i < c->cap; i++)
        f->domains += c->set[i].hash && c->set[i].kind == kind;
    uint64_t all = c->records[kind - 1];
    f->nx_share = all ? (double)c->nx_records[kind - 1] / (double)all : 0;
    f->score = ramp_log((double)f->domains, DGA_LO, DGA_HI) * (0.2 + 0.8 * f->nx_share);
}

double exfil_dga_score(const struct exfil *x, dnsfw_threat kind, const char *client,
                       const char *domain)
{
    int k = kind == DNSFW_THREAT_DGA ? 1 : kind == DNSFW_THREAT_DICTIONARY_DGA ? 2 : 0;
    const struct cli *c = k && client[0] ? strmap_get(&x->clients, client, strlen(client)) : NULL;
    const struct cand *e = c ? find_candidate(c, domain) : NULL;
    if (!e || e->kind != k)
        return 0;
    struct dga_features f;
    dga_features(c, k, &f);
    return f.score;
}

/* --- the report ---------------------------------------------------------------------------- */

static double round3(double v)
{
    return round(v * 1000) / 1000;
}

static void reason(cJSON *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reason(cJSON *a, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cJSON_AddItemToArray(a, cJSON_CreateString(buf));
}

static void add_time(cJSON *o, const char *key, int64_t t)
{
    if (t < 0) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    char buf[32];
    timestamp_format(t, buf, sizeof buf);
    cJSON_AddStringToObject(o, key, buf);
}

static cJSON *domain_json(const char *domain, const struct dom *d, const struct tunnel_features *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "domain", domain);
    cJSON_AddNumberToObject(o, "score", round3(f->score));
    cJSON_AddStringToObject(o, "confidence", dnsfw_confidence_name(exfil_confidence(f->score)));
    cJSON *r = cJSON_AddArrayToObject(o, "reasons");
    reason(r, "%llu distinct names", (unsigned long long)d->names);
    if (f->f_label >= 0.5)
        reason(r, "longest label below the domain %.0f octets on average (longest %llu)", f->label,
               (unsigned long long)d->label_max);
    if (f->f_entropy >= 0.5)
        reason(r, "entropy %.2f bits per character", f->entropy);
    if (f->f_alpha >= 0.5) {
        const char *which = d->b64 >= d->b32 && d->b64 >= d->hex ? "base64/base128"
                            : d->b32 >= d->hex                   ? "base32"
                                                                 : "hex";
        reason(r, "%.0f%% of the names with data encoded (mostly %s)", 100 * f->encoded, which);
    }
    if (f->f_types >= 0.5)
        reason(r, "%.0f%% TXT, NULL, CNAME, MX and other data-carrying queries", 100 * f->data);
    if (f->f_rate >= 0.5)
        reason(r, "%.0f bytes of names per minute", f->rate);
    if (f->f_nx >= 0.5)
        reason(r, "%.0f%% NXDOMAIN", 100 * f->nx);
    if (f->f_clients >= 0.5)
        reason(r, "%s", d->n_clients <= 1 ? "one client" : "two clients");
    cJSON_AddNumberToObject(o, "distinct_names", (double)d->names);
    cJSON_AddNumberToObject(o, "records", (double)d->records);
    cJSON_AddNumberToObject(o, "clients", (double)d->n_clients);
    if (d->more_clients)
        cJSON_AddBoolToObject(o, "more_clients", true);
    add_time(o, "first_seen", d->first);
    add_time(o, "last_seen", d->last);
    cJSON *ft = cJSON_AddObjectToObject(o, "features");
    cJSON_AddNumberToObject(ft, "mean_longest_label", round3(f->label));
    cJSON_AddNumberToObject(ft, "longest_label", (double)d->label_max);
    cJSON_AddNumberToObject(ft, "entropy_bits_per_char", round3(f->entropy));
    cJSON_AddNumberToObject(ft, "encoded_share", round3(f->encoded));
    cJSON *al = cJSON_AddObjectToObject(ft, "alphabet");
    cJSON_AddNumberToObject(al, "hex", (double)d->hex);
    cJSON_AddNumberToObject(al, "base32", (double)d->b32);
    cJSON_AddNumberToObject(al, "base64", (double)d->b64);
    cJSON_AddNumberToObject(ft, "data_query_share", round3(f->data));
    cJSON *qt = cJSON_AddObjectToObject(ft, "data_queries");
    cJSON_AddNumberToObject(qt, "TXT", (double)d->txt);
    cJSON_AddNumberToObject(qt, "NULL", (double)d->null);
    cJSON_AddNumberToObject(qt, "CNAME", (double)d->cname);
    cJSON_AddNumberToObject(qt, "MX", (double)d->mx);
    cJSON_AddNumberToObject(qt, "other", (double)d->other_data);
    cJSON_AddNumberToObject(ft, "name_bytes_per_minute", round3(f->rate));
    cJSON_AddNumberToObject(ft, "nxdomain_share", round3(f->nx));
    cJSON_AddNumberToObject(ft, "active_seconds", f->active_seconds);
    return o;
}

struct ranked {
    const char *key;
    const void *value;
    double score;
    int kind;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    int c = strcmp(x->key, y->key);
    return c ? c : x->kind - y->kind;
}

cJSON *exfil_domains_json(const struct exfil *x)
{
    struct ranked *v = calloc(x->domains.count ? x->domains.count : 1, sizeof *v);
    cJSON *a = cJSON_CreateArray();
    if (!v || !a) {
        free(v);
        cJSON_Delete(a);
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < x->domains.cap; i++) {
        if (!x->domains.slots[i].key)
            continue;
        struct tunnel_features f;
        tunnel_features(x->domains.slots[i].value, &f);
        if (f.score >= EXFIL_LOW)
            v[n++] =
                (struct ranked){x->domains.slots[i].key, x->domains.slots[i].value, f.score, 0};
    }
    qsort(v, n, sizeof *v, cmp_ranked);
    for (size_t i = 0; i < n; i++) {
        struct tunnel_features f;
        tunnel_features(v[i].value, &f);
        cJSON_AddItemToArray(a, domain_json(v[i].key, v[i].value, &f));
    }
    free(v);
    return a;
}

cJSON *exfil_clients_json(const struct exfil *x)
{
    struct ranked *v = calloc(2 * x->clients.count + 1, sizeof *v);
    cJSON *a = cJSON_CreateArray();
    if (!v || !a) {
        free(v);
        cJSON_Delete(a);
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < x->clients.cap; i++) {
        if (!x->clients.slots[i].key)
            continue;
        for (int k = 1; k <= 2; k++) {
            struct dga_features f;
            dga_features(x->clients.slots[i].value, k, &f);
            if (f.score >= EXFIL_LOW)
                v[n++] =
                    (struct ranked){x->clients.slots[i].key, x->clients.slots[i].value, f.score, k};
        }
    }
    qsort(v, n, sizeof *v, cmp_ranked);
    for (size_t i = 0; i < n; i++) {
        const struct cli *c = v[i].value;
        struct dga_features f;
        dga_features(c, v[i].kind, &f);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "client", v[i].key);
        cJSON_AddStringToObject(o, "protection", v[i].kind == 1 ? "DGA" : "DICTIONARY_DGA");
        cJSON_AddNumberToObject(o, "score", round3(f.score));
        cJSON_AddStringToObject(o, "confidence", dnsfw_confidence_name(exfil_confidence(f.score)));
        cJSON *r = cJSON_AddArrayToObject(o, "reasons");
        reason(r, "%llu %s registrable domains answered NXDOMAIN", (unsigned long long)f.domains,
               v[i].kind == 1 ? "random-looking" : "word-made");
        reason(r, "%.0f%% of its lookups of such domains answered NXDOMAIN", 100 * f.nx_share);
        cJSON_AddNumberToObject(o, "domains", (double)f.domains);
        cJSON_AddNumberToObject(o, "nxdomain_share", round3(f.nx_share));
        if (c->full)
            cJSON_AddBoolToObject(o, "more_domains", true);
        cJSON *ex = cJSON_AddArrayToObject(o, "examples");
        for (uint32_t j = 0; j < c->n_examples[v[i].kind - 1]; j++)
            cJSON_AddItemToArray(ex, cJSON_CreateString(c->examples[v[i].kind - 1][j]));
        cJSON_AddItemToArray(a, o);
    }
    free(v);
    return a;
}

cJSON *exfil_summary_json(const struct exfil *x)
{
    const char *top = NULL;
    double best = -1;
    uint64_t flagged = 0;
    for (size_t i = 0; i < x->domains.cap; i++) {
        if (!x->domains.slots[i].key)
            continue;
        struct tunnel_features f;
        tunnel_features(x->domains.slots[i].value, &f);
        if (f.score >= EXFIL_LOW) {
            flagged++;
        } else if (f.score > best ||
                   (f.score == best && strcmp(x->domains.slots[i].key, top) < 0)) {
            best = f.score;
            top = x->domains.slots[i].key;
        }
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "domains", (double)x->domains.count);
    cJSON_AddNumberToObject(o, "flagged", (double)flagged);
    cJSON_AddNumberToObject(o, "clients_with_candidates", (double)x->clients.count);
    cJSON *t = cJSON_AddObjectToObject(o, "highest_unflagged");
    if (top) {
        cJSON_AddStringToObject(t, "domain", top);
        cJSON_AddNumberToObject(t, "score", round3(best));
    }
    cJSON *th = cJSON_AddObjectToObject(o, "thresholds");
    cJSON_AddNumberToObject(th, "LOW", EXFIL_LOW);
    cJSON_AddNumberToObject(th, "MEDIUM", EXFIL_MEDIUM);
    cJSON_AddNumberToObject(th, "HIGH", EXFIL_HIGH);
    return o;
}
