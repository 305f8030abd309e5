/*
 * Exfiltration heuristics for every replay report (docs/egress.md, "Tunnels and DGA").
 *
 * Per registrable domain, features measured over its queries — distinct names, the
 * longest label, the entropy and alphabet (hex, base32, base64) of the labels below the
 * domain, the share of data-carrying query types (TXT, NULL, CNAME, MX...), name bytes
 * per minute, the NXDOMAIN share, how many clients — are combined into a tunnelling
 * score with fixed weights. Per client, the registrable domains that look generated
 * (random, or made of words) and answer NXDOMAIN give a DGA score. Scores are
 * 0..1 and map to the confidence levels of DNS Firewall Advanced rules, whose evaluation
 * in replay uses them as an approximation: AWS does not publish its detectors.
 */
#ifndef DNSFW_TOOLS_EXFIL_H
#define DNSFW_TOOLS_EXFIL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include <dnsfw/dnsfw.h>

/* Scores at or above these are flagged with the confidence named (docs/egress.md). */
#define EXFIL_LOW    0.45
#define EXFIL_MEDIUM 0.60
#define EXFIL_HIGH   0.75

/* One evaluated query record, as the report hands it over. */
struct exfil_obs {
    const char *name; /* normalised, with the trailing dot */
    uint16_t qtype;
    bool nxdomain;      /* answered NXDOMAIN */
    const char *client; /* "" when unknown */
    int64_t when;       /* Unix seconds, -1 when unknown */
    bool new_name;      /* the first record of this name */
    bool mixed_case;    /* a label of the name as logged mixes upper and lower case */
};

struct exfil;
struct exfil_domain;

struct exfil *exfil_new(void);
void exfil_free(struct exfil *x);
/* The measures of a registrable domain (without a dot), created on first use, to pass to
 * exfil_add() for each of its records; icann: the domain sits right below an ICANN public
 * suffix (a DGA candidate). NULL when out of memory (exfil_failed() then says so). */
struct exfil_domain *exfil_domain(struct exfil *x, const char *domain, bool icann);
void exfil_add(struct exfil *x, struct exfil_domain *d, const struct exfil_obs *o);
/* Out of memory at some point: the results are incomplete. */
bool exfil_failed(const struct exfil *x);

/* The confidence of a score (NONE below EXFIL_LOW). */
dnsfw_confidence exfil_confidence(double score);

/* The tunnelling score of a registrable domain (0 when unknown). */
double exfil_tunnel_score(const struct exfil *x, const char *domain);
/* The DGA (or DICTIONARY_DGA) score of a client for a registrable domain it queried: the
 * client's score when the domain is one of its generated-looking ones answered NXDOMAIN,
 * else 0. */
double exfil_dga_score(const struct exfil *x, dnsfw_threat kind, const char *client,
                       const char *domain);

/* Domains flagged for tunnelling, highest score first; each object has domain, score,
 * confidence, reasons, distinct_names, records, clients, first_seen, last_seen and
 * features (docs/egress.md). NULL when out of memory. */
cJSON *exfil_domains_json(const struct exfil *x);
/* How many domains were scored and flagged, the highest score below the threshold and
 * its domain (the margin on this traffic), and the thresholds. */
cJSON *exfil_summary_json(const struct exfil *x);
/* Clients flagged for DGA-like lookups, highest score first. */
cJSON *exfil_clients_json(const struct exfil *x);

#endif
