/*
 * Writing the findings: like a compiler on a terminal ("FILE:LINE:COL: warning: ...
 * [check]", colour only on a terminal), Markdown for a pull-request comment, JSON, and
 * SARIF 2.1.0 for code scanning. Also the --presets listing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common.h"
#include "json_out.h"
#include "lint.h"

#define SARIF_SCHEMA                                                                               \
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

static void counts(const struct lint *l, size_t c[3])
{
    c[0] = c[1] = c[2] = 0;
    for (size_t i = 0; i < l->findings.n; i++)
        c[l->findings.v[i].severity]++;
}

static void list_text(FILE *f, const char *label, const struct strlist *s, size_t max)
{
    if (!s->n)
        return;
    fprintf(f, "    %s: ", label);
    for (size_t i = 0; i < s->n && i < max; i++)
        fprintf(f, "%s%s", i ? ", " : "", s->v[i]);
    if (s->n > max)
        fprintf(f, ", and %zu more", s->n - max);
    fputc('\n', f);
}

static void text(const struct lint *l, bool colour, FILE *f)
{
    static const char *const colours[] = {"\033[1;36m", "\033[1;35m", "\033[1;31m"};
    for (size_t i = 0; i < l->findings.n; i++) {
        const struct finding *x = &l->findings.v[i];
        if (colour)
            fputs("\033[1m", f);
        if (x->file && x->line)
            fprintf(f, "%s:%u:%u: ", x->file, x->line, x->column);
        else if (x->file)
            fprintf(f, "%s: ", x->file);
        if (colour)
            fprintf(f, "%s%s:\033[0m %s [%s]\n", colours[x->severity], severity_name(x->severity),
                    x->message, lint_checks[x->check].id);
        else
            fprintf(f, "%s: %s [%s]\n", severity_name(x->severity), x->message,
                    lint_checks[x->check].id);
        if (x->repo)
            fprintf(f, "    repo: %s\n", x->repo);
        if (x->preset)
            fprintf(f, "    preset: %s\n", x->preset);
        list_text(f, "names", &x->names, 20);
        list_text(f, "suffixes", &x->suffixes, 12);
        list_text(f, x->check == CHECK_CHAIN_BLOCKED ? "fixes" : "instead", &x->fixes, 20);
    }
    size_t c[3];
    counts(l, c);
    fprintf(f, "%zu error%s, %zu warning%s, %zu note%s\n", c[2], c[2] == 1 ? "" : "s", c[1],
            c[1] == 1 ? "" : "s", c[0], c[0] == 1 ? "" : "s");
}

/* Markdown table cells: no pipes, no newlines. */
static void md_cell(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s == '\n')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
}

static void markdown(const struct lint *l, FILE *f)
{
    size_t c[3];
    counts(l, c);
    fprintf(f, "### dnsfw-lint: %zu error%s, %zu warning%s, %zu note%s\n\n", c[2],
            c[2] == 1 ? "" : "s", c[1], c[1] == 1 ? "" : "s", c[0], c[0] == 1 ? "" : "s");
    if (!l->findings.n) {
        fputs("No findings.\n", f);
        return;
    }
    fputs("| | check | where | finding |\n|---|---|---|---|\n", f);
    static const char *const icons[] = {"note", "**warning**", "**error**"};
    for (size_t i = 0; i < l->findings.n; i++) {
        const struct finding *x = &l->findings.v[i];
        fprintf(f, "| %s | `%s` | ", icons[x->severity], lint_checks[x->check].id);
        if (x->file) {
            fputc('`', f);
            md_cell(f, x->file);
            if (x->line)
                fprintf(f, ":%u", x->line);
            fputc('`', f);
        }
        if (x->repo) {
            fputs(" (", f);
            md_cell(f, x->repo);
            fputc(')', f);
        }
        fputs(" | ", f);
        md_cell(f, x->message);
        if (x->names.n) {
            fputs(" Names: ", f);
            for (size_t k = 0; k < x->names.n && k < 10; k++) {
                fputs(k ? ", `" : "`", f);
                md_cell(f, x->names.v[k]);
                fputc('`', f);
            }
        }
        fputs(" |\n", f);
    }
}

static cJSON *str_array(const struct strlist *s)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < s->n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(s->v[i]));
    return a;
}

static void add_str(cJSON *o, const char *key, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, key, v);
}

static cJSON *finding_json(const struct finding *x)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "check", lint_checks[x->check].id);
    cJSON_AddStringToObject(o, "severity", severity_name(x->severity));
    cJSON_AddStringToObject(o, "message", x->message ? x->message : "");
    add_str(o, "rule_group", x->rule_group);
    if (x->has_rule)
        cJSON_AddNumberToObject(o, "rule_priority", x->rule_priority);
    add_str(o, "rule", x->rule);
    add_str(o, "domain_list", x->domain_list);
    add_str(o, "entry", x->entry);
    add_str(o, "repo", x->repo);
    add_str(o, "preset", x->preset);
    if (x->names.n)
        cJSON_AddItemToObject(o, "names", str_array(&x->names));
    if (x->suffixes.n)
        cJSON_AddItemToObject(o, "suffixes", str_array(&x->suffixes));
    if (x->fixes.n)
        cJSON_AddItemToObject(o, "fixes", str_array(&x->fixes));
    if (x->file) {
        cJSON *loc = cJSON_CreateObject();
        cJSON_AddStringToObject(loc, "file", x->file);
        if (x->line) {
            cJSON_AddNumberToObject(loc, "line", x->line);
            cJSON_AddNumberToObject(loc, "column", x->column);
        }
        cJSON_AddItemToObject(o, "location", loc);
    }
    return o;
}

static cJSON *json(const struct lint *l, cJSON *hits, const struct log_result *logs)
{
    cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
    cJSON_AddStringToObject(root, "tool", "dnsfw-lint");
    cJSON_AddStringToObject(root, "version", dnsfw_version());
    cJSON_AddStringToObject(root, "policy", l->policy_file);
    cJSON_AddItemToObject(root, "findings", arr);
    for (size_t i = 0; i < l->findings.n; i++)
        cJSON_AddItemToArray(arr, finding_json(&l->findings.v[i]));
    size_t c[3];
    counts(l, c);
    cJSON *sum = cJSON_CreateObject();
    cJSON_AddNumberToObject(sum, "error", (double)c[2]);
    cJSON_AddNumberToObject(sum, "warning", (double)c[1]);
    cJSON_AddNumberToObject(sum, "note", (double)c[0]);
    cJSON_AddItemToObject(root, "summary", sum);
    if (logs) {
        cJSON *lg = cJSON_CreateObject();
        cJSON_AddNumberToObject(lg, "records", (double)logs->records);
        cJSON_AddNumberToObject(lg, "malformed", (double)logs->malformed);
        cJSON_AddNumberToObject(lg, "not_query", (double)logs->not_query);
        cJSON_AddItemToObject(root, "log", lg);
    }
    if (hits)
        cJSON_AddItemReferenceToObject(root, "hits", hits);
    return root;
}

/* A file name as a relative URI reference: percent-encode what a URI may not hold. */
static void uri_of(const char *path, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < size; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p)) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
}

static cJSON *sarif(const struct lint *l)
{
    static const char *const levels[] = {"note", "warning", "error"};
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "$schema", SARIF_SCHEMA);
    cJSON_AddStringToObject(root, "version", "2.1.0");
    cJSON *runs = cJSON_AddArrayToObject(root, "runs");
    cJSON *run = cJSON_CreateObject();
    cJSON_AddItemToArray(runs, run);
    cJSON *driver = cJSON_CreateObject();
    cJSON *tool = cJSON_AddObjectToObject(run, "tool");
    cJSON_AddItemToObject(tool, "driver", driver);
    cJSON_AddStringToObject(driver, "name", "dnsfw-lint");
    cJSON_AddStringToObject(driver, "version", dnsfw_version());
    cJSON_AddStringToObject(driver, "informationUri",
                            "https://example.invalid/libdnsfw/docs/lint.md");
    cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
    for (int i = 0; i < CHECK_COUNT; i++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "id", lint_checks[i].id);
        cJSON *sd = cJSON_AddObjectToObject(r, "shortDescription");
        cJSON_AddStringToObject(sd, "text", lint_checks[i].summary);
        cJSON *dc = cJSON_AddObjectToObject(r, "defaultConfiguration");
        cJSON_AddStringToObject(dc, "level", levels[lint_checks[i].severity]);
        cJSON_AddItemToArray(rules, r);
    }
    cJSON *results = cJSON_AddArrayToObject(run, "results");
    for (size_t i = 0; i < l->findings.n; i++) {
        const struct finding *x = &l->findings.v[i];
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "ruleId", lint_checks[x->check].id);
        cJSON_AddNumberToObject(r, "ruleIndex", x->check);
        cJSON_AddStringToObject(r, "level", levels[x->severity]);
        cJSON *msg = cJSON_AddObjectToObject(r, "message");
        cJSON_AddStringToObject(msg, "text", x->message ? x->message : "");
        if (x->file && x->file[0] != '<') { /* "<built-in policy>" is no file */
            char uri[4096];
            uri_of(x->file, uri, sizeof uri);
            cJSON *locs = cJSON_AddArrayToObject(r, "locations");
            cJSON *loc = cJSON_CreateObject();
            cJSON_AddItemToArray(locs, loc);
            cJSON *pl = cJSON_AddObjectToObject(loc, "physicalLocation");
            cJSON *al = cJSON_AddObjectToObject(pl, "artifactLocation");
            cJSON_AddStringToObject(al, "uri", uri);
            if (x->line) {
                cJSON *reg = cJSON_AddObjectToObject(pl, "region");
                cJSON_AddNumberToObject(reg, "startLine", x->line);
                cJSON_AddNumberToObject(reg, "startColumn", x->column ? x->column : 1);
            }
        }
        cJSON *props = finding_json(x); /* every key of the JSON output, for tools that read them */
        cJSON_DeleteItemFromObject(props, "message");
        cJSON_AddItemToObject(r, "properties", props);
        cJSON_AddItemToArray(results, r);
    }
    return root;
}

static int write_json(cJSON *root)
{
    struct buf b = {0};
    json_out(&b, root);
    int rc = b.failed || fwrite(b.data, 1, b.len, stdout) != b.len ? -1 : 0;
    buf_free(&b);
    return rc;
}

int output_findings(const struct lint *l, enum output_format fmt, bool colour, cJSON *hits,
                    const struct log_result *logs)
{
    int rc = 0;
    switch (fmt) {
    case OUT_TEXT:
        text(l, colour, stdout);
        break;
    case OUT_MARKDOWN:
        markdown(l, stdout);
        break;
    case OUT_JSON:
    case OUT_SARIF: {
        cJSON *root = fmt == OUT_JSON ? json(l, hits, logs) : sarif(l);
        rc = root ? write_json(root) : -1;
        cJSON_Delete(root);
        break;
    }
    }
    return fflush(stdout) != 0 || ferror(stdout) ? -1 : rc;
}

int output_presets(enum output_format fmt)
{
    size_t n = dnsfw_preset_count();
    if (fmt == OUT_JSON) {
        cJSON *root = cJSON_CreateObject();
        cJSON *arr = cJSON_AddArrayToObject(root, "presets");
        for (size_t i = 0; i < n; i++) {
            dnsfw_preset_info pi;
            if (dnsfw_preset_get(i, &pi) != DNSFW_OK)
                continue;
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", pi.name);
            cJSON_AddStringToObject(o, "title", pi.title);
            cJSON_AddStringToObject(o, "description", pi.description);
            cJSON_AddStringToObject(o, "data_file", pi.data_file);
            cJSON *hosts = cJSON_AddArrayToObject(o, "hosts");
            for (size_t h = 0; h < pi.n_hosts; h++) {
                dnsfw_preset_host ph;
                if (dnsfw_preset_get_host(i, h, &ph) != DNSFW_OK)
                    continue;
                cJSON *ho = cJSON_CreateObject();
                cJSON_AddStringToObject(ho, "host", ph.spec);
                cJSON_AddBoolToObject(ho, "writes", ph.writes);
                cJSON_AddStringToObject(ho, "source", ph.source);
                if (ph.note)
                    cJSON_AddStringToObject(ho, "note", ph.note);
                cJSON_AddBoolToObject(ho, "verified", ph.verified);
                cJSON_AddItemToArray(hosts, ho);
            }
            cJSON_AddItemToArray(arr, o);
        }
        int rc = write_json(root);
        cJSON_Delete(root);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        dnsfw_preset_info pi;
        if (dnsfw_preset_get(i, &pi) != DNSFW_OK)
            continue;
        if (fmt == OUT_MARKDOWN)
            printf("### `%s`: %s\n\n%s\n\n| host | writes | source |\n|---|---|---|\n", pi.name,
                   pi.title, pi.description);
        else
            printf("%s: %s (%zu host%s)\n    %s\n", pi.name, pi.title, pi.n_hosts,
                   pi.n_hosts == 1 ? "" : "s", pi.description);
        for (size_t h = 0; h < pi.n_hosts; h++) {
            dnsfw_preset_host ph;
            if (dnsfw_preset_get_host(i, h, &ph) != DNSFW_OK)
                continue;
            if (fmt == OUT_MARKDOWN)
                printf("| `%s` | %s | %s%s%s |\n", ph.spec, ph.writes ? "yes" : "no", ph.source,
                       ph.note ? "; " : "", ph.note ? ph.note : "");
            else
                printf("    %-48s %-6s %s%s%s\n", ph.spec, ph.writes ? "writes" : "read", ph.source,
                       ph.note ? " -- " : "", ph.note ? ph.note : "");
        }
        putchar('\n');
    }
    return fflush(stdout) != 0 ? -1 : 0;
}
