/*
 * The report's sections beyond the policy (docs/egress.md) for people: exfiltration,
 * DGA-like clients, DNS Firewall Advanced rules, direct-IP connections. They read the
 * same cJSON objects --format json prints, as report_render.c does for the rest.
 */
#include <string.h>

#include "report_data.h"

static unsigned long long u(double d)
{
    return (unsigned long long)d;
}

static void join(FILE *out, const cJSON *arr, const char *sep)
{
    const cJSON *e;
    bool first = true;
    cJSON_ArrayForEach(e, arr)
    {
        if (!cJSON_IsString(e))
            continue;
        if (!first)
            fputs(sep, out);
        fputs(e->valuestring, out);
        first = false;
    }
    if (first)
        fputs("-", out);
}

/* "ALERT by rule g/r (priority 300), list l, entry *" for a verdict object. */
static void verdict_text(FILE *out, const cJSON *v)
{
    if (!cJSON_IsObject(v) || !*str(v, "action")) {
        fputs("-", out);
        return;
    }
    fputs(str(v, "action"), out);
    if (get(v, "rule_group"))
        fprintf(out, " (rule group %s, priority %llu, list %s, entry %s)", str(v, "rule_group"),
                u(num(v, "rule_priority")), str(v, "domain_list"), str(v, "entry"));
}

static const char *id_or_dash(const cJSON *o, const char *key)
{
    return cJSON_IsString(get(o, key)) ? str(o, key) : "-";
}

/* --- text ------------------------------------------------------------------------------ */

/* Each direct-IP group is built, rendered and freed in turn. */
static void each_item(const struct report_groups *items, void (*render)(const cJSON *, FILE *),
                      FILE *out)
{
    for (size_t i = 0; items && i < items->n; i++) {
        cJSON *x = items->get(items->ud, i);
        if (x)
            render(x, out);
        cJSON_Delete(x);
    }
}

static void text_direct(const cJSON *x, FILE *out)
{
    const char *proto = *str(x, "protocol_name") ? str(x, "protocol_name") : "proto";
    fprintf(out,
            "  %s -> %s port %llu %s: %llu flows, %llu packets, %llu bytes, %s .. %s, "
            "interface %s, instance %s, repo %s, ",
            str(x, "srcaddr"), str(x, "dstaddr"), u(num(x, "dstport")), proto, u(num(x, "flows")),
            u(num(x, "packets")), u(num(x, "bytes")), str(x, "first_seen"), str(x, "last_seen"),
            id_or_dash(x, "interface_id"), id_or_dash(x, "instance_id"), id_or_dash(x, "repo"));
    if (cJSON_IsString(get(x, "answered_before")))
        fprintf(out, "last answered %s\n", str(x, "answered_before"));
    else
        fputs("never answered\n", out);
}

void report_render_egress_text(const cJSON *root, const struct report_groups *direct, FILE *out)
{
    const cJSON *x, *a = get(root, "exfiltration");
    fprintf(out, "\nExfiltration: domains whose queries look like data in names (heuristics)\n");
    if (!cJSON_GetArraySize(a))
        fprintf(out, "  none\n");
    cJSON_ArrayForEach(x, a)
    {
        fprintf(out, "  %s  score %.2f %s: %llu names, %llu records, %llu client%s, %s .. %s\n",
                str(x, "domain"), num(x, "score"), str(x, "confidence"),
                u(num(x, "distinct_names")), u(num(x, "records")), u(num(x, "clients")),
                num(x, "clients") == 1 ? "" : "s", id_or_dash(x, "first_seen"),
                id_or_dash(x, "last_seen"));
        fputs("    why: ", out);
        join(out, get(x, "reasons"), "; ");
        fputs("\n    e.g. ", out);
        join(out, get(x, "examples"), ", ");
        fputs("\n    enforce mode: ", out);
        verdict_text(out, get(x, "verdict"));
        fprintf(out, "; %llu records blocked\n", u(num(x, "enforce_blocked_records")));
    }
    a = get(root, "dga_clients");
    fprintf(out, "\nClients with DGA-like lookups (heuristics)\n");
    if (!cJSON_GetArraySize(a))
        fprintf(out, "  none\n");
    cJSON_ArrayForEach(x, a)
    {
        fprintf(out, "  %s  %s score %.2f %s: ", str(x, "client"), str(x, "protection"),
                num(x, "score"), str(x, "confidence"));
        join(out, get(x, "reasons"), "; ");
        fputs(" (e.g. ", out);
        join(out, get(x, "examples"), ", ");
        fputs(")\n", out);
    }
    a = get(root, "advanced_rules");
    if (a) {
        fprintf(out, "\nDNS Firewall Advanced rules, evaluated with the heuristics (an "
                     "approximation of AWS's detectors)\n");
        cJSON_ArrayForEach(x, a)
        {
            fprintf(out,
                    "  %s rule %s (priority %llu) %s %s at %s or above: %llu records of %llu "
                    "names",
                    str(x, "rule_group"), str(x, "rule"), u(num(x, "rule_priority")),
                    str(x, "action"), str(x, "dns_threat_protection"),
                    str(x, "confidence_threshold"), u(num(x, "records")), u(num(x, "names")));
            if (!strcmp(str(x, "action"), "BLOCK"))
                fprintf(out, ", %llu of them not blocked otherwise",
                        u(num(x, "newly_blocked_records")));
            const cJSON *d;
            bool first = true;
            cJSON_ArrayForEach(d, get(x, "domains"))
            {
                fprintf(out, "%s%s (%llu)", first ? ": " : ", ", str(d, "domain"),
                        u(num(d, "records")));
                first = false;
            }
            fputc('\n', out);
        }
    }
    const cJSON *eg = get(root, "egress");
    if (!eg)
        return;
    const cJSON *by = get(eg, "by_outcome");
    fprintf(out,
            "\nDirect-IP connections: accepted flows to public addresses no answer gave "
            "(answer window %llu s)\n",
            u(num(eg, "answer_window_seconds")));
    fprintf(out,
            "  %llu flow records in %llu files: %llu resolved, %llu continued, %llu direct, "
            "%llu rejected, %llu inbound, %llu replies, %llu not public, %llu trusted, "
            "%llu NODATA, %llu SKIPDATA, %llu malformed; %llu answered addresses\n",
            u(num(eg, "flow_records")), u(num(eg, "flow_files")), u(num(by, "resolved")),
            u(num(by, "continued")), u(num(by, "direct_ip")), u(num(by, "rejected")),
            u(num(by, "inbound")), u(num(by, "replies")), u(num(by, "not_public")),
            u(num(by, "trusted")), u(num(by, "nodata")), u(num(by, "skipdata")),
            u(num(by, "malformed")), u(num(eg, "answered_addresses")));
    const cJSON *shapes = get(eg, "shapes");
    if (shapes && shapes->child) {
        fputs("  read as:", out);
        cJSON_ArrayForEach(x, shapes) fprintf(out, " %s %llu", x->string, u(x->valuedouble));
        if (num(eg, "outside_window"))
            fprintf(out, "; %llu outside --since/--until", u(num(eg, "outside_window")));
        fputc('\n', out);
    }
    cJSON_ArrayForEach(x, get(eg, "malformed_examples"))
    {
        if (str(x, "where")[0])
            fprintf(out, "  malformed: %s: %s\n", str(x, "where"), str(x, "reason"));
        else
            fprintf(out, "  malformed: %s:%llu: %s\n", str(x, "file"), u(num(x, "line")),
                    str(x, "reason"));
    }
    if (!direct || !direct->n)
        fprintf(out, "  none\n");
    each_item(direct, text_direct, out);
}

/* --- markdown ---------------------------------------------------------------------------- */

static void cell(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '\\' || *s == '`' || *s == '*' || *s == '_')
            fputc('\\', out);
        fputc(*s == '\n' ? ' ' : *s, out);
    }
}

static void cells(FILE *out, const cJSON *arr, const char *sep)
{
    const cJSON *e;
    bool first = true;
    cJSON_ArrayForEach(e, arr)
    {
        if (!cJSON_IsString(e))
            continue;
        if (!first)
            fputs(sep, out);
        cell(out, e->valuestring);
        first = false;
    }
}

static void markdown_direct(const cJSON *x, FILE *out)
{
    fprintf(out, "| %s | %s | %llu | %s | %llu | %llu | %s | %s | ", str(x, "srcaddr"),
            str(x, "dstaddr"), u(num(x, "dstport")),
            *str(x, "protocol_name") ? str(x, "protocol_name") : "-", u(num(x, "flows")),
            u(num(x, "bytes")), str(x, "first_seen"), str(x, "last_seen"));
    cell(out, id_or_dash(x, "instance_id"));
    fputs(" | ", out);
    cell(out, id_or_dash(x, "repo"));
    fprintf(out, " | %s |\n", id_or_dash(x, "answered_before"));
}

void report_render_egress_markdown(const cJSON *root, const struct report_groups *direct, FILE *out)
{
    const cJSON *x, *a = get(root, "exfiltration");
    fprintf(out, "### Exfiltration (heuristics)\n\n");
    if (!cJSON_GetArraySize(a)) {
        fprintf(out, "No domain flagged.\n\n");
    } else {
        fprintf(out, "| domain | score | names | records | clients | why | enforce mode |\n"
                     "|---|---:|---:|---:|---:|---|---|\n");
        cJSON_ArrayForEach(x, a)
        {
            fputs("| ", out);
            cell(out, str(x, "domain"));
            fprintf(out, " | %.2f %s | %llu | %llu | %llu | ", num(x, "score"),
                    str(x, "confidence"), u(num(x, "distinct_names")), u(num(x, "records")),
                    u(num(x, "clients")));
            cells(out, get(x, "reasons"), "; ");
            fprintf(out, " | %s |\n", str(get(x, "verdict"), "action"));
        }
        fputc('\n', out);
    }
    a = get(root, "dga_clients");
    if (cJSON_GetArraySize(a)) {
        fprintf(out, "### Clients with DGA-like lookups (heuristics)\n\n"
                     "| client | protection | score | why | examples |\n|---|---|---:|---|---|\n");
        cJSON_ArrayForEach(x, a)
        {
            fputs("| ", out);
            cell(out, str(x, "client"));
            fprintf(out, " | %s | %.2f %s | ", str(x, "protection"), num(x, "score"),
                    str(x, "confidence"));
            cells(out, get(x, "reasons"), "; ");
            fputs(" | ", out);
            cells(out, get(x, "examples"), ", ");
            fputs(" |\n", out);
        }
        fputc('\n', out);
    }
    a = get(root, "advanced_rules");
    if (a) {
        fprintf(out, "### DNS Firewall Advanced rules (approximation)\n\n"
                     "Evaluated with the heuristics above; AWS does not publish its detectors.\n\n"
                     "| rule | protection | threshold | action | records | names | newly "
                     "blocked |\n|---|---|---|---|---:|---:|---:|\n");
        cJSON_ArrayForEach(x, a)
        {
            fputs("| ", out);
            cell(out, str(x, "rule_group"));
            fputs(" / ", out);
            cell(out, str(x, "rule"));
            fprintf(out, " (%llu) | %s | %s | %s | %llu | %llu | %llu |\n",
                    u(num(x, "rule_priority")), str(x, "dns_threat_protection"),
                    str(x, "confidence_threshold"), str(x, "action"), u(num(x, "records")),
                    u(num(x, "names")), u(num(x, "newly_blocked_records")));
        }
        fputc('\n', out);
    }
    const cJSON *eg = get(root, "egress");
    if (!eg)
        return;
    const cJSON *by = get(eg, "by_outcome");
    fprintf(out, "### Direct-IP connections\n\n");
    fprintf(out,
            "%llu flow records: %llu resolved, %llu continued, **%llu direct**, %llu rejected, "
            "%llu inbound, %llu replies, %llu not public, %llu trusted, %llu malformed. "
            "Answer window: %llu s.\n\n",
            u(num(eg, "flow_records")), u(num(by, "resolved")), u(num(by, "continued")),
            u(num(by, "direct_ip")), u(num(by, "rejected")), u(num(by, "inbound")),
            u(num(by, "replies")), u(num(by, "not_public")), u(num(by, "trusted")),
            u(num(by, "malformed")), u(num(eg, "answer_window_seconds")));
    if (!direct || !direct->n) {
        fprintf(out, "None.\n\n");
        return;
    }
    fprintf(out, "| source | destination | port | protocol | flows | bytes | first seen | last "
                 "seen | instance | repository | last answered |\n"
                 "|---|---|---:|---|---:|---:|---|---|---|---|---|\n");
    each_item(direct, markdown_direct, out);
    fputc('\n', out);
}
