/*
 * The report for people: plain text for a terminal, Markdown for a pull request. Both
 * read the same cJSON objects that --json prints, so the three never disagree; the
 * would-block groups come one at a time (struct report_groups).
 */
#include <string.h>

#include "report_data.h"

/* The strings of an array joined with sep. */
static void join(FILE *out, const cJSON *arr, const char *sep)
{
    const cJSON *e;
    bool first = true;
    cJSON_ArrayForEach(e, arr)
    {
        if (cJSON_IsString(e)) { /* fputs: a report lists millions of these */
            if (!first)
                fputs(sep, out);
            fputs(e->valuestring, out);
            first = false;
        }
    }
    if (first)
        fputs("-", out);
}

static unsigned long long u(double d)
{
    return (unsigned long long)d;
}

/* "1 record", "2 records". */
static const char *noun(double n, const char *one, const char *many)
{
    return (unsigned long long)n == 1 ? one : many;
}

/* --- text ------------------------------------------------------------------------------- */

static void text_totals(const cJSON *t, FILE *out)
{
    fprintf(out, "Totals\n");
    fprintf(out,
            "  %llu %s, %.1f MB, %llu %s, %llu distinct %s, %llu %s that record no query, "
            "%llu malformed\n",
            u(num(t, "files")), noun(num(t, "files"), "file", "files"), num(t, "bytes") / 1e6,
            u(num(t, "records")), noun(num(t, "records"), "record", "records"),
            u(num(t, "distinct_names")), noun(num(t, "distinct_names"), "name", "names"),
            u(num(t, "not_query_lines")), noun(num(t, "not_query_lines"), "line", "lines"),
            u(num(t, "malformed")));
    const cJSON *by = get(t, "by_action");
    fprintf(out,
            "  verdicts of the policy as given: ALLOW %llu, ALERT %llu, BLOCK %llu, NONE %llu\n",
            u(num(by, "ALLOW")), u(num(by, "ALERT")), u(num(by, "BLOCK")), u(num(by, "NONE")));
    const cJSON *enf = get(t, "enforce");
    fprintf(out, "  in enforce mode: %llu records (%llu distinct names) would be blocked\n",
            u(num(enf, "blocked_records")), u(num(enf, "blocked_names")));
    const cJSON *lg = get(t, "logged_firewall_action");
    fprintf(out,
            "  firewall action in the logs: none %llu, ALERT %llu, BLOCK %llu, ALLOW %llu, "
            "other %llu\n",
            u(num(lg, "none")), u(num(lg, "ALERT")), u(num(lg, "BLOCK")), u(num(lg, "ALLOW")),
            u(num(lg, "other")));
    const cJSON *b;
    if (cJSON_GetArraySize(get(t, "shapes"))) {
        fputs("  read from:", out);
        cJSON_ArrayForEach(b, get(t, "shapes"))
            fprintf(out, " %s %llu", b->string, u(b->valuedouble));
        fputc('\n', out);
    }
    if (num(t, "outside_window"))
        fprintf(out, "  %llu %s outside the time window (--since, --until), not evaluated\n",
                u(num(t, "outside_window")), noun(num(t, "outside_window"), "record", "records"));
    if (num(t, "other_class"))
        fprintf(out, "  %llu %s of a class other than IN\n", u(num(t, "other_class")),
                noun(num(t, "other_class"), "record", "records"));
    if (num(t, "unknown_version"))
        fprintf(out, "  %llu %s of a record version this reader does not know\n",
                u(num(t, "unknown_version")), noun(num(t, "unknown_version"), "record", "records"));
    cJSON_ArrayForEach(b, get(t, "malformed_examples"))
    {
        if (get(b, "where"))
            fprintf(out, "  malformed: %s: %s\n", str(b, "where"), str(b, "reason"));
        else
            fprintf(out, "  malformed: %s:%llu: %s\n", str(b, "file"), u(num(b, "line")),
                    str(b, "reason"));
    }
}

/* "rslvr-frg-1 (agent-egress-policy)", or the id alone. */
static void id_and_name(FILE *out, const cJSON *o, const char *id_key, const char *name_key)
{
    fputs(cJSON_IsString(get(o, id_key)) ? str(o, id_key) : "-", out);
    if (cJSON_IsString(get(o, name_key)))
        fprintf(out, " (%s)", str(o, name_key));
}

static void text_unprintable(const cJSON *u_, FILE *out)
{
    if (!num(u_, "queries"))
        return;
    fprintf(out,
            "\nQueries whose name the resolver could not print (a sign of DNS tunnelling)\n"
            "  %llu %s, types ",
            u(num(u_, "queries")), noun(num(u_, "queries"), "query", "queries"));
    join(out, get(u_, "query_types"), ",");
    fputs(", clients ", out);
    join(out, get(u_, "clients"), ",");
    if (*str(u_, "first_seen"))
        fprintf(out, ", %s .. %s", str(u_, "first_seen"), str(u_, "last_seen"));
    fputs("\n  at ", out);
    join(out, get(u_, "locations"), ", ");
    fputc('\n', out);
}

static void text_group(const cJSON *g, FILE *out)
{
    const cJSON *n;
    fprintf(out, "  %s (%llu %s)\n", str(g, "registrable_domain"), u(num(g, "queries")),
            noun(num(g, "queries"), "query", "queries"));
    cJSON_ArrayForEach(n, get(g, "names"))
    {
        fprintf(out, "    %-40s %8llu  %s .. %s  types ", str(n, "name"), u(num(n, "queries")),
                *str(n, "first_seen") ? str(n, "first_seen") : "-",
                *str(n, "last_seen") ? str(n, "last_seen") : "-");
        join(out, get(n, "query_types"), ",");
        fputs("  clients ", out);
        join(out, get(n, "clients"), ",");
        if (cJSON_GetArraySize(get(n, "instances"))) {
            fputs("  instances ", out);
            join(out, get(n, "instances"), ",");
        }
        if (get(n, "hop"))
            fprintf(out, "  via %s", str(n, "hop"));
        fputc('\n', out);
    }
}

/* Each group is built, rendered and freed in turn. */
static void each_group(const struct report_groups *groups, void (*render)(const cJSON *, FILE *),
                       FILE *out)
{
    for (size_t i = 0; i < groups->n; i++) {
        cJSON *g = groups->get(groups->ud, i);
        if (g)
            render(g, out);
        cJSON_Delete(g);
    }
}

static void text_would_block(const struct report_groups *groups, FILE *out)
{
    fprintf(out, "\nWhat enforcement would block\n");
    if (!groups->n)
        fprintf(out, "  nothing\n");
    each_group(groups, text_group, out);
}

static void text_chain(const cJSON *cb, FILE *out)
{
    fprintf(out, "\nAllowlisted names blocked through their CNAME chain\n");
    if (!cJSON_GetArraySize(cb))
        fprintf(out, "  none\n");
    const cJSON *c, *f;
    cJSON_ArrayForEach(c, cb)
    {
        const cJSON *by = get(c, "allowed_by");
        fprintf(out, "  %s -> %s (%llu %s), allowed by %s rule %llu, list %s, entry %s\n",
                str(c, "name"), str(c, "hop"), u(num(c, "queries")),
                noun(num(c, "queries"), "query", "queries"), str(by, "rule_group"),
                u(num(by, "rule_priority")), str(by, "domain_list"), str(by, "entry"));
        cJSON_ArrayForEach(f, get(c, "fixes")) fprintf(out, "    fix: %s\n", f->valuestring);
    }
}

static void text_drift(const cJSON *d, FILE *out)
{
    fprintf(out, "\nDrift: logged firewall action vs the policy now\n");
    if (!cJSON_GetArraySize(d))
        fprintf(out, "  none\n");
    const cJSON *k;
    cJSON_ArrayForEach(k, d)
    {
        fprintf(out, "  logged %s, now %s: %llu %s (e.g. ", str(k, "logged"), str(k, "now"),
                u(num(k, "records")), noun(num(k, "records"), "record", "records"));
        join(out, get(k, "examples"), ", ");
        fputs(")\n", out);
        const cJSON *a;
        cJSON_ArrayForEach(a, get(k, "acted_by"))
        {
            fputs("    logged by rule group ", out);
            id_and_name(out, a, "firewall_rule_group_id", "rule_group");
            fputs(", domain list ", out);
            id_and_name(out, a, "firewall_domain_list_id", "domain_list");
            fprintf(out, ": %llu %s\n", u(num(a, "records")),
                    noun(num(a, "records"), "record", "records"));
        }
    }
}

/* "5 names, 7 queries", "1 CNAME hop", "5 names, 7 queries + 1 CNAME hop". */
static void entry_counts(const cJSON *e, FILE *out)
{
    double names = num(e, "names"), hops = num(e, "hops");
    if (names)
        fprintf(out, "%llu %s, %llu %s", u(names), noun(names, "name", "names"),
                u(num(e, "queries")), noun(num(e, "queries"), "query", "queries"));
    if (hops)
        fprintf(out, "%s%llu CNAME %s", names ? " + " : "", u(hops), noun(hops, "hop", "hops"));
}

static const char *apart_reason(const cJSON *x)
{
    const char *why = str(x, "reason");
    if (!strcmp(why, "logged_block"))
        return "AWS logged a BLOCK of it";
    if (!strcmp(why, "nxdomain"))
        return "every answer was NXDOMAIN: it needs no entry";
    return "queried only in a class other than IN";
}

static void text_suggestions(const cJSON *s, FILE *out)
{
    fprintf(out,
            "\nSuggested allowlist entries (names seen at least %llu %s; a wildcard "
            "when %llu or more names share a parent)\n",
            u(num(s, "min_count")), noun(num(s, "min_count"), "time", "times"),
            u(num(s, "wildcard_min")));
    const cJSON *e;
    if (!cJSON_GetArraySize(get(s, "entries")))
        fprintf(out, "  none needed\n");
    cJSON_ArrayForEach(e, get(s, "entries"))
    {
        fprintf(out, "  %-40s ", str(e, "entry"));
        entry_counts(e, out);
        fputs(" (", out);
        join(out, get(e, "examples"), ", ");
        fputs(")\n", out);
    }
    if (cJSON_GetArraySize(get(s, "not_suggested")))
        fputs("  kept out of the suggestions:\n", out);
    cJSON_ArrayForEach(e, get(s, "not_suggested"))
    {
        fprintf(out, "    %-38s %s", str(e, "name"), apart_reason(e));
        const cJSON *l;
        cJSON_ArrayForEach(l, get(e, "blocked_by"))
        {
            fputs(l == get(e, "blocked_by")->child ? " (list " : ", ", out);
            id_and_name(out, l, "firewall_domain_list_id", "domain_list");
            if (!l->next)
                fputc(')', out);
        }
        fputc('\n', out);
    }
    if (cJSON_GetArraySize(get(s, "cannot_be_listed"))) {
        fputs("  cannot be listed (not a valid spec, no valid parent): ", out);
        join(out, get(s, "cannot_be_listed"), ", ");
        fputc('\n', out);
    }
    char *allow = cJSON_PrintUnformatted(get(s, "egress_allowlist"));
    if (allow) {
        fprintf(out, "  \"egress_allowlist\": %s\n", allow);
        cJSON_free(allow);
    }
}

static void text_repos(const cJSON *repos, FILE *out)
{
    fprintf(out, "\nPer repository (enforce mode; own allowlist only = per-session isolation)\n");
    const cJSON *r, *n;
    cJSON_ArrayForEach(r, repos)
    {
        fprintf(out, "  %s: %llu records, %llu would be blocked (%llu names)", str(r, "repo"),
                u(num(r, "records")), u(num(r, "would_block_records")),
                u(num(r, "would_block_names")));
        if (!strcmp(str(r, "repo"), "(unmapped)")) {
            fputs("; clients not in the scope map\n", out);
            continue;
        }
        if (!cJSON_IsTrue(get(r, "blueprint"))) {
            fputs("; no blueprint in the policy\n", out);
            continue;
        }
        fprintf(out, "; with its own allowlist only, %llu more records blocked\n",
                u(num(r, "isolation_block_records")));
        cJSON_ArrayForEach(n, get(r, "isolation_blocks"))
            fprintf(out, "    %-40s %llu\n", str(n, "name"), u(num(n, "queries")));
    }
}

void report_render_text(const cJSON *root, const struct report_groups *groups, FILE *out)
{
    const cJSON *policy = get(root, "policy");
    fprintf(out, "dnsfw-eval replay report");
    if (cJSON_IsString(get(policy, "mode")))
        fprintf(out, " (policy mode %s)", str(policy, "mode"));
    if (cJSON_IsString(get(policy, "scope")))
        fprintf(out, " (scope %s)", str(policy, "scope"));
    fprintf(out, "\nNote: %s\n\n", str(root, "caveat"));
    text_totals(get(root, "totals"), out);
    text_would_block(groups, out);
    text_chain(get(root, "chain_blocks"), out);
    text_drift(get(root, "drift"), out);
    text_unprintable(get(root, "unprintable_names"), out);
    text_suggestions(get(root, "suggestions"), out);
    if (get(root, "repositories"))
        text_repos(get(root, "repositories"), out);
}

/* --- markdown ----------------------------------------------------------------------------- */

/* Table cells must not break the table. */
static void cell(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '\\' || *s == '`' || *s == '*' || *s == '_')
            fputc('\\', out);
        fputc(*s == '\n' ? ' ' : *s, out);
    }
}

static void code_cell(FILE *out, const char *s)
{
    fputc('`', out);
    for (; *s; s++)
        fputc(*s == '`' || *s == '|' ? '\'' : *s, out);
    fputc('`', out);
}

static void markdown_group(const cJSON *g, FILE *out)
{
    const cJSON *n;
    cJSON_ArrayForEach(n, get(g, "names"))
    {
        fputs("| ", out);
        cell(out, str(g, "registrable_domain"));
        fputs(" | ", out);
        code_cell(out, str(n, "name"));
        if (get(n, "hop")) {
            fputs(" via ", out);
            code_cell(out, str(n, "hop"));
        }
        fprintf(out, " | %llu | ", u(num(n, "queries")));
        cell(out, str(n, "first_seen"));
        fputs(" | ", out);
        cell(out, str(n, "last_seen"));
        fputs(" | ", out);
        join(out, get(n, "query_types"), ", ");
        fputs(" | ", out);
        join(out, get(n, "clients"), ", ");
        fputs(" |\n", out);
    }
}

void report_render_markdown(const cJSON *root, const struct report_groups *groups, FILE *out)
{
    const cJSON *policy = get(root, "policy"), *t = get(root, "totals");
    fprintf(out, "## DNS Firewall replay report\n\n");
    if (cJSON_IsString(get(policy, "mode")))
        fprintf(out, "Policy mode: **%s**. ", str(policy, "mode"));
    if (cJSON_IsString(get(policy, "scope")))
        fprintf(out, "Scope: `%s`. ", str(policy, "scope"));
    fprintf(out, "%llu %s from %llu %s; %llu distinct %s; %llu malformed.\n\n",
            u(num(t, "records")), noun(num(t, "records"), "record", "records"), u(num(t, "files")),
            noun(num(t, "files"), "file", "files"), u(num(t, "distinct_names")),
            noun(num(t, "distinct_names"), "name", "names"), u(num(t, "malformed")));
    const cJSON *enf = get(t, "enforce");
    fprintf(out, "**Enforce mode would block %llu records (%llu distinct names).**\n\n",
            u(num(enf, "blocked_records")), u(num(enf, "blocked_names")));
    fprintf(out, "> %s\n\n", str(root, "caveat"));

    const cJSON *x;
    fprintf(out, "### What enforcement would block\n\n");
    if (!groups->n)
        fprintf(out, "Nothing.\n\n");
    else
        fprintf(out, "| domain | name | queries | first seen | last seen | types | clients |\n"
                     "|---|---|---:|---|---|---|---|\n");
    each_group(groups, markdown_group, out);
    if (groups->n)
        fputc('\n', out);

    if (cJSON_GetArraySize(get(root, "chain_blocks"))) {
        fprintf(out, "### Allowlisted names blocked through their CNAME chain\n\n");
        cJSON_ArrayForEach(x, get(root, "chain_blocks"))
        {
            fputs("- ", out);
            code_cell(out, str(x, "name"));
            fputs(" → ", out);
            code_cell(out, str(x, "hop"));
            fprintf(out, " (%llu queries). Fixes:", u(num(x, "queries")));
            const cJSON *f;
            cJSON_ArrayForEach(f, get(x, "fixes"))
            {
                fputs(" ", out);
                cell(out, f->valuestring);
                fputs(";", out);
            }
            fputc('\n', out);
        }
        fputc('\n', out);
    }

    if (cJSON_GetArraySize(get(root, "drift"))) {
        fprintf(out, "### Drift between the logs and this policy\n\n"
                     "| logged | now | records | examples | logged by (rule group / list) |\n"
                     "|---|---|---:|---|---|\n");
        cJSON_ArrayForEach(x, get(root, "drift"))
        {
            fprintf(out, "| %s | %s | %llu | ", str(x, "logged"), str(x, "now"),
                    u(num(x, "records")));
            join(out, get(x, "examples"), ", ");
            fputs(" | ", out);
            const cJSON *a;
            cJSON_ArrayForEach(a, get(x, "acted_by"))
            {
                id_and_name(out, a, "firewall_rule_group_id", "rule_group");
                fputs(" / ", out);
                id_and_name(out, a, "firewall_domain_list_id", "domain_list");
                fputs(a->next ? "; " : "", out);
            }
            fputs(" |\n", out);
        }
        fputc('\n', out);
    }

    const cJSON *s = get(root, "suggestions");
    fprintf(out, "### Suggested allowlist entries\n\n");
    if (!cJSON_GetArraySize(get(s, "entries"))) {
        fprintf(out, "None needed.\n\n");
    } else {
        fprintf(out, "| entry | names | queries | CNAME hops | examples |\n"
                     "|---|---:|---:|---:|---|\n");
        cJSON_ArrayForEach(x, get(s, "entries"))
        {
            fputs("| ", out);
            code_cell(out, str(x, "entry"));
            fprintf(out, " | %llu | %llu | %llu | ", u(num(x, "names")), u(num(x, "queries")),
                    u(num(x, "hops")));
            join(out, get(x, "examples"), ", ");
            fputs(" |\n", out);
        }
        char *allow = cJSON_Print(get(s, "egress_allowlist"));
        if (allow) {
            fprintf(out, "\n```json\n\"egress_allowlist\": %s\n```\n\n", allow);
            cJSON_free(allow);
        }
    }
    if (cJSON_GetArraySize(get(s, "not_suggested"))) {
        fprintf(out, "Kept out of the suggestions:\n\n");
        cJSON_ArrayForEach(x, get(s, "not_suggested"))
        {
            fputs("- ", out);
            code_cell(out, str(x, "name"));
            fprintf(out, ": %s\n", apart_reason(x));
        }
        fputc('\n', out);
    }
    const cJSON *up = get(root, "unprintable_names");
    if (num(up, "queries")) {
        fprintf(out,
                "### Queries whose name could not be printed\n\n%llu, a sign of DNS "
                "tunnelling; clients ",
                u(num(up, "queries")));
        join(out, get(up, "clients"), ", ");
        fputs(".\n\n", out);
    }

    if (get(root, "repositories")) {
        fprintf(out, "### Per repository\n\n| repository | records | would block | "
                     "more blocked with its own allowlist only |\n|---|---:|---:|---|\n");
        cJSON_ArrayForEach(x, get(root, "repositories"))
        {
            fputs("| ", out);
            cell(out, str(x, "repo"));
            fprintf(out, " | %llu | %llu | ", u(num(x, "records")),
                    u(num(x, "would_block_records")));
            if (!strcmp(str(x, "repo"), "(unmapped)"))
                fputs("clients not in the scope map", out);
            else if (!cJSON_IsTrue(get(x, "blueprint")))
                fputs("no blueprint", out);
            else
                fprintf(out, "%llu", u(num(x, "isolation_block_records")));
            fputs(" |\n", out);
        }
        fputc('\n', out);
    }
}
