/*
 * SQL for the logs where they are (contract §8; docs/sql.md): the policy as data and the
 * views of tools/export/sql/views.sql, for Amazon Athena over Route 53 Resolver query
 * logs in S3 (--format athena) and for DuckDB over local files (--format duckdb).
 *
 * The policy's domain specs go into a data file of their own (data/entries/), not into
 * the statements: 100,000 entries would not fit Athena's 262,144-byte query limit, and
 * a join against a table is how the views match names anyway (each name's suffixes
 * against the entries' keys, never one LIKE per entry). The rules, the scope map, and
 * the query-type and octet tables are small VALUES views. The Public Suffix List goes
 * into data/public_suffixes/ for the per-domain view.
 *
 * Both formats write the same view statements, byte for byte; only the table
 * definitions differ.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <idn2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common.h"
#include "diag.h"
#include "export.h"
#include "scope_map.h"
#include "sql_views.h"

/* Athena's limit on the text of one query. */
#define ATHENA_QUERY_MAX 262144

/* Resolver query logging started in August 2020: the first day partition projection
 * enumerates (docs/sql.md says how to narrow it). */
#define LOG_DATE_FIRST "2020/08/01"

struct sql {
    const struct sql_input *in;
    const struct export_opts *o;
    struct outset *out;
    struct buf *statements; /* the statements, in order, each ending with ";\n" */
    size_t n_statements;
    bool failed;
};

/* A string literal: '...' with ' doubled. */
static void lit(struct buf *b, const char *s)
{
    buf_put(b, "'", 1);
    for (const char *p = s; *p; p++)
        buf_put(b, p, *p == '\'' ? (buf_put(b, "'", 1), 1) : 1);
    buf_put(b, "'", 1);
}

static void lit_or_null(struct buf *b, const char *s)
{
    if (s)
        lit(b, s);
    else
        buf_puts(b, "CAST(NULL AS varchar)");
}

/* One statement (text ends with ";\n"), checked against Athena's limit. */
static void statement(struct sql *s, const char *name, const struct buf *text)
{
    if (text->failed) {
        s->failed = true;
        return;
    }
    if (text->len >= ATHENA_QUERY_MAX) {
        diag_error(NULL, 0,
                   "the statement that creates %s has %zu bytes: Athena takes at most %d in "
                   "one query",
                   name, text->len, ATHENA_QUERY_MAX);
        s->failed = true;
        return;
    }
    buf_put(s->statements, text->data, text->len);
    buf_puts(s->statements, "\n");
    s->n_statements++;
}

/* --- the policy as data ------------------------------------------------------------- */

/* "exact", "wildcard" or "all", and the key the views join on. */
static const char *spec_kind(const char *spec, const char **key)
{
    if (strcmp(spec, "*") == 0) {
        *key = "*";
        return "all";
    }
    if (spec[0] == '*' && spec[1] == '.') {
        *key = spec + 2;
        return "wildcard";
    }
    *key = spec;
    return "exact";
}

static void entry_line(struct buf *b, const char *scope, const char *list, const char *spec)
{
    const char *key;
    const char *kind = spec_kind(spec, &key);
    buf_printf(b, "%s\t%s\t%s\t%s\t%s\n", scope, list, kind, key, spec);
}

/*
 * data/entries/entries.tsv: scope, domain_list, kind, match_key, spec. scope "-" is an
 * entry of every evaluation; in the tiered form the union list's entries are "*" (the
 * policy as AWS applies it) and each repository's own allowlist has its name (its
 * isolated scope).
 */
static void entries(struct sql *s, struct buf *b)
{
    const struct fw_model *m = s->in->model;
    for (size_t i = 0; i < m->n_lists; i++) {
        const struct fw_list *l = &m->lists[i];
        bool scoped = s->in->n_scopes && strcmp(l->name, s->in->scoped_list) == 0;
        for (size_t j = 0; j < l->n_specs; j++)
            entry_line(b, scoped ? "*" : "-", l->name, l->specs[j]);
    }
    for (size_t i = 0; i < s->in->n_scopes; i++) {
        const struct sql_scope *sc = &s->in->scopes[i];
        for (size_t j = 0; j < sc->n_specs; j++)
            entry_line(b, sc->repo, s->in->scoped_list, sc->specs[j]);
    }
}

/* The Public Suffix List's rules: kind (exact, wildcard, exception) and key, as the
 * A-labels the logs carry. */
static int public_suffixes(struct sql *s, struct buf *b)
{
    FILE *f = fopen(s->in->psl_path, "r");
    if (!f) {
        tool_warn("cannot read the Public Suffix List %s: %s (--psl FILE)", s->in->psl_path,
                  strerror(errno));
        return EXIT_SYSTEM;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0, rules = 0;
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        char rule[512];
        if (sscanf(line, "%511s", rule) != 1 || (rule[0] == '/' && rule[1] == '/'))
            continue;
        const char *kind = "exact", *r = rule;
        if (r[0] == '!') {
            kind = "exception";
            r++;
        } else if (r[0] == '*' && r[1] == '.') {
            kind = "wildcard";
            r += 2;
        }
        char *ascii = NULL;
        if (idn2_to_ascii_8z(r, &ascii, IDN2_NONTRANSITIONAL) != IDN2_OK) {
            diag_warning(s->in->psl_path, (unsigned)lineno, "\"%s\": not a name; left out", rule);
            continue;
        }
        for (char *p = ascii; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        buf_printf(b, "%s\t%s\n", kind, ascii);
        idn2_free(ascii);
        rules++;
    }
    free(line);
    fclose(f);
    if (!rules) {
        tool_warn("%s: no rules in it: not a Public Suffix List", s->in->psl_path);
        return EXIT_INVALID;
    }
    return EXIT_CLEAN;
}

static void rule_row(struct buf *b, const struct fw_model *m, const struct fw_group *g,
                     const struct fw_rule *r, const struct fw_rule *enf)
{
    buf_puts(b, "  (");
    lit(b, g->name);
    buf_printf(b, ", %u, %u, ", g->priority, r->priority);
    lit_or_null(b, m->tiered ? NULL : r->name);
    buf_puts(b, ", ");
    lit(b, m->lists[r->list].name);
    buf_printf(b, ", %u, %s, ", r->qtype,
               r->redirection == DNSFW_REDIRECTION_TRUST ? "true" : "false");
    lit(b, dnsfw_action_name(r->action));
    buf_puts(b, ", ");
    lit_or_null(b, dnsfw_block_response_name(r->response));
    buf_puts(b, ", ");
    lit(b, dnsfw_action_name(enf->action));
    buf_puts(b, ", ");
    lit_or_null(b, dnsfw_block_response_name(enf->response));
    buf_puts(b, ")");
}

/* dnsfw_rules: every rule, with the action the policy gives and the one enforce mode
 * gives (the tiered form's catch-all; the same elsewhere). */
static void rules_view(struct sql *s)
{
    const struct fw_model *m = s->in->model, *e = s->in->enforce;
    struct buf b = {0};
    buf_puts(&b, "-- The policy's rules, in evaluation order (written by dnsfw-export).\n"
                 "CREATE OR REPLACE VIEW dnsfw_rules AS\n");
    size_t n = 0;
    for (size_t i = 0; i < m->n_groups; i++)
        for (size_t j = 0; j < m->groups[i].n_rules; j++) {
            const struct fw_rule *r = &m->groups[i].rules[j];
            if (r->threat) { /* no domain list: passed over, as dnsfw-eval does a record */
                diag_warning(NULL, 0,
                             "rule group \"%s\", rule %u is a DNS Firewall Advanced rule (%s): "
                             "the SQL views pass over it, as dnsfw-eval does for each record "
                             "(its --report approximates it)",
                             m->groups[i].name, r->priority, dnsfw_threat_name(r->threat));
                continue;
            }
            buf_puts(&b, n++ ? ",\n" : "SELECT * FROM (VALUES\n");
            rule_row(&b, m, &m->groups[i], &m->groups[i].rules[j], &e->groups[i].rules[j]);
        }
    if (n)
        buf_puts(&b, "\n) AS t (rule_group, group_priority, rule_priority, rule, domain_list, "
                     "qtype, trust, action, block_response, enforce_action, "
                     "enforce_block_response)\n;\n");
    else
        buf_puts(&b, "SELECT CAST(NULL AS varchar) AS rule_group, 0 AS group_priority, 0 AS "
                     "rule_priority, CAST(NULL AS varchar) AS rule, CAST(NULL AS varchar) AS "
                     "domain_list, 0 AS qtype, false AS trust, CAST(NULL AS varchar) AS action, "
                     "CAST(NULL AS varchar) AS block_response, CAST(NULL AS varchar) AS "
                     "enforce_action, CAST(NULL AS varchar) AS enforce_block_response WHERE "
                     "false\n;\n");
    statement(s, "dnsfw_rules", &b);
    buf_free(&b);
}

/* dnsfw_qtypes: every mnemonic dnsfw_qtype_parse() takes, with its type number. */
static void qtypes_view(struct sql *s)
{
    struct buf b = {0};
    buf_puts(&b, "-- Query-type mnemonics (dnsfw_qtype_parse, dnsfw_qtype_format).\n"
                 "CREATE OR REPLACE VIEW dnsfw_qtypes AS\nSELECT * FROM (VALUES");
    size_t n = 0;
    for (unsigned t = 1; t <= 65535; t++) {
        char name[32];
        uint16_t back;
        if (dnsfw_qtype_format((uint16_t)t, name, sizeof name) != DNSFW_OK ||
            strncmp(name, "TYPE", 4) == 0 ||
            dnsfw_qtype_parse(name, strlen(name), &back) != DNSFW_OK || back != t)
            continue;
        buf_printf(&b, "%s\n  (%u, '%s')", n++ ? "," : "", t, name);
    }
    buf_puts(&b, "\n) AS t (qtype, name)\n;\n");
    statement(s, "dnsfw_qtypes", &b);
    buf_free(&b);
}

/* dnsfw_octets: each octet's two hex digits and its text in a normalised name. */
static void octets_view(struct sql *s)
{
    struct buf b = {0};
    buf_puts(&b, "-- Each octet as dnsfw_name_normalize() writes it in a label.\n"
                 "CREATE OR REPLACE VIEW dnsfw_octets AS\nSELECT * FROM (VALUES");
    for (unsigned c = 0; c < 256; c++) {
        char text[8];
        if (c < 0x21 || c > 0x7e)
            snprintf(text, sizeof text, "\\%03u", c);
        else if (strchr(".\\\"();@$", (int)c))
            snprintf(text, sizeof text, "\\%c", (char)c);
        else if (c == '\'')
            snprintf(text, sizeof text, "''");
        else
            snprintf(text, sizeof text, "%c", (char)tolower((int)c));
        buf_printf(&b, "%s\n  (%u, '%02X', '%s')", c ? "," : "", c, c, text);
    }
    buf_puts(&b, "\n) AS t (octet, hex, text)\n;\n");
    statement(s, "dnsfw_octets", &b);
    buf_free(&b);
}

/* dnsfw_scope_map: --scope-map as rows; IPv4 blocks as address ranges. */
static void scope_map_view(struct sql *s)
{
    struct buf b = {0};
    size_t n = 0;
    buf_puts(&b, "-- Which repository each client belongs to (--scope-map).\n"
                 "CREATE OR REPLACE VIEW dnsfw_scope_map AS\n");
    for (size_t i = 0; i < scope_map_count(s->in->scope_map); i++) {
        struct scope_map_item it;
        scope_map_item(s->in->scope_map, i, &it);
        if (!it.instance && it.family != AF_INET) {
            diag_warning(s->in->scope_map_path, 0,
                         "the SQL scope map reads instance ids and IPv4 blocks only; the IPv6 "
                         "block of %s is left out",
                         it.repo);
            continue;
        }
        buf_puts(&b, n++ ? ",\n  (" : "SELECT * FROM (VALUES\n  (");
        if (it.instance) {
            buf_puts(&b, "'instance', ");
            lit(&b, it.instance);
            buf_puts(&b, ", CAST(NULL AS bigint), CAST(NULL AS bigint), 32, ");
        } else {
            uint32_t a = (uint32_t)it.net[0] << 24 | (uint32_t)it.net[1] << 16 |
                         (uint32_t)it.net[2] << 8 | it.net[3];
            uint32_t mask = it.prefix ? 0xFFFFFFFFu << (32 - it.prefix) : 0;
            buf_printf(&b, "'ipv4', CAST(NULL AS varchar), %u, %u, %u, ", a & mask,
                       (a & mask) | ~mask, it.prefix);
        }
        lit(&b, it.repo);
        buf_printf(&b, ", %zu)", i + 1);
    }
    if (n)
        buf_puts(&b, "\n) AS t (kind, instance, first_address, last_address, prefix_length, "
                     "repo, line)\n;\n");
    else
        buf_puts(&b, "SELECT CAST(NULL AS varchar) AS kind, CAST(NULL AS varchar) AS instance, "
                     "CAST(NULL AS bigint) AS first_address, CAST(NULL AS bigint) AS "
                     "last_address, 0 AS prefix_length, CAST(NULL AS varchar) AS repo, 0 AS "
                     "line WHERE false\n;\n");
    statement(s, "dnsfw_scope_map", &b);
    buf_free(&b);
}

/* The shared views, cut at the ";" that ends each statement. */
static void shared_views(struct sql *s)
{
    const char *p = sql_views_text, *end;
    while ((end = strstr(p, "\n;\n"))) {
        while (*p == '\n')
            p++;
        struct buf b = {0};
        buf_put(&b, p, (size_t)(end - p) + 3);
        const char *name = strstr(p, "CREATE OR REPLACE VIEW ");
        char view[64] = "a view";
        if (name)
            sscanf(name + 23, "%63s", view);
        statement(s, view, &b);
        buf_free(&b);
        p = end + 3;
    }
}

/* --- DuckDB --------------------------------------------------------------------------- */

static const char duckdb_head[] =
    "-- DuckDB: the policy's analysis over local Route 53 Resolver query logs, written by\n"
    "-- dnsfw-export (docs/sql.md). Run it with any DuckDB client, e.g.\n"
    "--   duckdb dnsfw.db < run.sql     then   SELECT * FROM dnsfw_verdicts;\n"
    "-- Trino's functions the views use, for DuckDB:\n"
    "CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p);\n"
    "CREATE OR REPLACE MACRO array_join(a, s) AS array_to_string(a, s);\n"
    "CREATE OR REPLACE MACRO to_utf8(s) AS encode(s);\n";

/* A path in single quotes for DuckDB. */
static void duckdb_path(struct buf *b, const char *dir, const char *rel)
{
    struct buf p = {0};
    if (dir) {
        buf_puts(&p, dir);
        buf_puts(&p, "/");
    }
    buf_puts(&p, rel);
    if (!p.failed)
        lit(b, p.data);
    else
        b->failed = true;
    buf_free(&p);
}

static void duckdb_tables(struct sql *s, const char *dir)
{
    struct buf b = {0};
    buf_puts(&b, "-- The query logs: JSON lines (.gz read transparently). A line that is not "
                 "a JSON\n-- record becomes a row of NULLs, which dnsfw_verdicts reports. "
                 "Read once into a table,\n-- which every view reads: run this file again "
                 "when the logs change (or make it a\n-- VIEW to read the files at every "
                 "query).\n"
                 "CREATE OR REPLACE TABLE dnsfw_query_logs AS\n"
                 "SELECT filename AS log_file, query_timestamp, query_name, query_type, "
                 "srcaddr,\n  coalesce(srcids.instance, srcids.resolver_endpoint) AS instance, "
                 "vpc_id, rcode,\n  firewall_rule_action, firewall_rule_group_id, "
                 "firewall_domain_list_id,\n"
                 "  coalesce(list_transform(list_filter(answers, a -> a.\"Type\" IN ('CNAME', "
                 "'DNAME') AND a.\"Rdata\" IS NOT NULL), a -> a.\"Rdata\")[1:16], []::VARCHAR[]) "
                 "AS chain\nFROM read_json(");
    /* a relative glob is taken from where dnsfw-export runs, as -o DIR is */
    char cwd[PATH_MAX];
    if (s->in->log_path[0] != '/' && getcwd(cwd, sizeof cwd)) {
        struct buf abs = {0};
        buf_printf(&abs, "%s/%s", cwd, s->in->log_path);
        lit(&b, abs.failed ? "" : abs.data);
        b.failed |= abs.failed;
        buf_free(&abs);
    } else {
        lit(&b, s->in->log_path);
    }
    buf_puts(&b, ", format = 'newline_delimited', ignore_errors = true, filename = true,\n"
                 "  columns = {version: 'VARCHAR', account_id: 'VARCHAR', region: 'VARCHAR', "
                 "vpc_id: 'VARCHAR',\n    query_timestamp: 'VARCHAR', query_name: 'VARCHAR', "
                 "query_type: 'VARCHAR', query_class: 'VARCHAR',\n    rcode: 'VARCHAR', "
                 "answers: 'STRUCT(\"Rdata\" VARCHAR, \"Type\" VARCHAR, \"Class\" VARCHAR)[]',\n"
                 "    srcaddr: 'VARCHAR', srcport: 'VARCHAR', transport: 'VARCHAR',\n"
                 "    srcids: 'STRUCT(instance VARCHAR, resolver_endpoint VARCHAR)',\n"
                 "    firewall_rule_action: 'VARCHAR', firewall_rule_group_id: 'VARCHAR',\n"
                 "    firewall_domain_list_id: 'VARCHAR'})\n;\n");
    statement(s, "dnsfw_query_logs", &b);
    buf_free(&b);

    static const struct {
        const char *view, *file, *columns;
    } data[] = {
        {"dnsfw_entries", "data/entries/entries.tsv",
         "{scope: 'VARCHAR', domain_list: 'VARCHAR', kind: 'VARCHAR', match_key: 'VARCHAR', "
         "spec: 'VARCHAR'}"},
        {"dnsfw_public_suffixes", "data/public_suffixes/public_suffixes.tsv",
         "{kind: 'VARCHAR', match_key: 'VARCHAR'}"},
    };
    for (size_t i = 0; i < 2; i++) {
        struct buf t = {0};
        buf_printf(&t, "CREATE OR REPLACE VIEW %s AS\nSELECT * FROM read_csv(", data[i].view);
        duckdb_path(&t, dir, data[i].file);
        buf_printf(&t,
                   ", delim = '\\t', header = false, quote = '', escape = '',\n"
                   "  auto_detect = false, columns = %s)\n;\n",
                   data[i].columns);
        statement(s, data[i].view, &t);
        buf_free(&t);
    }
}

/* --- Athena ----------------------------------------------------------------------------- */

/* Where the policy's data files go: beside the logs' AWSLogs/ folder. */
static void athena_data_location(const struct sql *s, struct buf *b)
{
    const char *loc = s->in->s3_location;
    const char *aws = strstr(loc, "/AWSLogs/");
    size_t n = aws ? (size_t)(aws - loc) + 1 : strlen(loc);
    buf_put(b, loc, n);
    if (n && loc[n - 1] != '/')
        buf_puts(b, "/");
    buf_printf(b, "dnsfw/%016llx/", (unsigned long long)s->o->policy_hash);
}

static void athena_tables(struct sql *s)
{
    struct buf b = {0}, data = {0};
    athena_data_location(s, &data);
    const char *loc = s->in->s3_location;
    size_t n = strlen(loc);
    const char *slash = n && loc[n - 1] == '/' ? "" : "/";
    buf_puts(&b, "-- AWS's table for Resolver query logs in S3 (Athena User Guide, \"Use "
                 "partition\n-- projection\"), partitioned by VPC and day.\n"
                 "CREATE EXTERNAL TABLE IF NOT EXISTS dnsfw_resolver_query_logs (\n"
                 "  version string,\n  account_id string,\n  region string,\n"
                 "  vpc_id string,\n  query_timestamp string,\n  query_name string,\n"
                 "  query_type string,\n  query_class string,\n  rcode string,\n"
                 "  answers array<\n    struct<\n      Rdata: string,\n      Type: string,\n"
                 "      Class: string>\n    >,\n  srcaddr string,\n  srcport int,\n"
                 "  transport string,\n  srcids struct<\n    instance: string,\n"
                 "    resolver_endpoint: string\n    >,\n  firewall_rule_action string,\n"
                 "  firewall_rule_group_id string,\n  firewall_domain_list_id string\n)\n"
                 "PARTITIONED BY (\n  `date` string,\n  `vpc` string\n)\n"
                 "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'\n"
                 "WITH SERDEPROPERTIES ('ignore.malformed.json' = 'true')\n"
                 "STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'\n"
                 "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n"
                 "LOCATION ");
    buf_printf(&b,
               "'%s%s'\nTBLPROPERTIES (\n  'projection.enabled' = 'true',\n"
               "  'projection.vpc.type' = 'enum',\n  'projection.vpc.values' = '%s',\n"
               "  'projection.date.type' = 'date',\n"
               "  'projection.date.range' = '" LOG_DATE_FIRST ",NOW',\n"
               "  'projection.date.format' = 'yyyy/MM/dd',\n"
               "  'projection.date.interval' = '1',\n"
               "  'projection.date.interval.unit' = 'DAYS',\n"
               "  'storage.location.template' = '%s%s${vpc}/${date}/'\n)\n;\n",
               loc, slash, s->in->vpc_ids, loc, slash);
    statement(s, "dnsfw_resolver_query_logs", &b);
    buf_free(&b);

    b = (struct buf){0};
    buf_puts(&b, "-- One row per log record, with the redirection chain of its answers.\n"
                 "CREATE OR REPLACE VIEW dnsfw_query_logs AS\n"
                 "SELECT \"$path\" AS log_file, query_timestamp, query_name, query_type, "
                 "srcaddr,\n  coalesce(srcids.instance, srcids.resolver_endpoint) AS instance, "
                 "vpc_id, rcode,\n  firewall_rule_action, firewall_rule_group_id, "
                 "firewall_domain_list_id,\n"
                 "  coalesce(slice(transform(filter(answers, a -> a.type IN ('CNAME', 'DNAME') "
                 "AND a.rdata IS NOT NULL), a -> a.rdata), 1, 16), ARRAY[]) AS chain\n"
                 "FROM dnsfw_resolver_query_logs\n;\n");
    statement(s, "dnsfw_query_logs", &b);
    buf_free(&b);

    static const struct {
        const char *table, *folder, *columns;
    } tables[] = {
        {"dnsfw_entries", "entries/",
         "  scope string,\n  domain_list string,\n  kind string,\n  match_key string,\n"
         "  spec string\n"},
        {"dnsfw_public_suffixes", "public_suffixes/", "  kind string,\n  match_key string\n"},
    };
    for (size_t i = 0; i < 2; i++) {
        b = (struct buf){0};
        buf_printf(&b,
                   "-- The policy's data (data/%s in the export), uploaded beside the logs.\n"
                   "CREATE EXTERNAL TABLE IF NOT EXISTS %s (\n%s)\n"
                   "ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' LINES TERMINATED BY "
                   "'\\n'\nSTORED AS TEXTFILE\nLOCATION '%s%s'\n;\n",
                   tables[i].folder, tables[i].table, tables[i].columns,
                   data.failed ? "" : data.data, tables[i].folder);
        statement(s, tables[i].table, &b);
        buf_free(&b);
    }
    buf_free(&data);
}

static const char athena_setup[] =
    "#!/bin/sh\n"
    "# Sets up the policy's analysis in Amazon Athena (docs/sql.md): uploads data/ beside\n"
    "# the query logs, then runs the statements of athena.sql one at a time. Written by\n"
    "# dnsfw-export. Needs the AWS CLI v2 and credentials; the environment may set\n"
    "#   ATHENA_DATABASE (default: default), ATHENA_WORKGROUP (default: primary),\n"
    "#   ATHENA_OUTPUT (s3://... for query results, if the workgroup has none).\n"
    "set -eu\n"
    "cd \"$(dirname \"$0\")\"\n"
    "db=${ATHENA_DATABASE:-default}\n"
    "wg=${ATHENA_WORKGROUP:-primary}\n"
    "aws s3 cp --recursive data/ \"$(cat data-location.txt)\"\n"
    "for f in statements/*.sql; do\n"
    "    echo \"dnsfw: $f\" >&2\n"
    "    set -- --query-string \"file://$f\" --work-group \"$wg\" \\\n"
    "        --query-execution-context \"Database=$db\"\n"
    "    if [ -n \"${ATHENA_OUTPUT:-}\" ]; then\n"
    "        set -- \"$@\" --result-configuration \"OutputLocation=$ATHENA_OUTPUT\"\n"
    "    fi\n"
    "    id=$(aws athena start-query-execution \"$@\" --query QueryExecutionId --output text)\n"
    "    while :; do\n"
    "        state=$(aws athena get-query-execution --query-execution-id \"$id\" \\\n"
    "            --query QueryExecution.Status.State --output text)\n"
    "        case $state in\n"
    "        SUCCEEDED) break ;;\n"
    "        FAILED | CANCELLED)\n"
    "            aws athena get-query-execution --query-execution-id \"$id\" \\\n"
    "                --query QueryExecution.Status.StateChangeReason --output text >&2\n"
    "            exit 1 ;;\n"
    "        esac\n"
    "        sleep 1\n"
    "    done\n"
    "done\n"
    "echo \"dnsfw: done; SELECT * FROM $db.dnsfw_verdicts\" >&2\n";

/* Each statement of s->statements as statements/NN-name.sql. */
static void athena_files(struct sql *s)
{
    const char *p = s->statements->data, *end;
    unsigned n = 0;
    while (p && (end = strstr(p, "\n;\n"))) {
        char view[80] = "statement", file[128];
        const char *c = strstr(p, "CREATE ");
        if (c && c < end) {
            const char *w = strstr(c, "VIEW ");
            const char *t = strstr(c, "EXISTS ");
            const char *at = w && w < end ? w + 5 : t && t < end ? t + 7 : NULL;
            if (at)
                sscanf(at, "%79[a-z_]", view);
        }
        snprintf(file, sizeof file, "statements/%02u-%s.sql", ++n, view);
        struct buf *f = outset_add(s->out, file, false);
        if (!f) {
            s->failed = true;
            return;
        }
        buf_put(f, p, (size_t)(end - p) + 1); /* without the ";": one statement a query */
        p = end + 4;                          /* past ";\n" and the blank line statement() adds */
    }
}

/* --- together ---------------------------------------------------------------------------- */

int export_sql(const struct sql_input *in, const struct export_opts *o, bool athena,
               struct outset *out)
{
    struct sql s = {.in = in, .o = o, .out = out};
    struct buf *ent = outset_add(out, "data/entries/entries.tsv", false);
    struct buf *psl = outset_add(out, "data/public_suffixes/public_suffixes.tsv", false);
    struct buf *all = outset_add(out, athena ? "athena.sql" : "run.sql", false);
    if (!ent || !psl || !all)
        return EXIT_SYSTEM;
    int rc = public_suffixes(&s, psl);
    if (rc)
        return rc;
    entries(&s, ent);
    s.statements = all;
    if (athena) {
        buf_puts(all, "-- Amazon Athena: the policy's analysis over Route 53 Resolver query "
                      "logs in S3,\n-- written by dnsfw-export (docs/sql.md). setup.sh "
                      "uploads data/ and runs these\n-- statements one at a time "
                      "(statements/).\n\n");
        athena_tables(&s);
    } else {
        buf_puts(all, duckdb_head);
        buf_puts(all, "\n");
        char cwd[PATH_MAX], dir[PATH_MAX];
        const char *abs = NULL;
        if (in->output_dir && in->output_dir[0] == '/')
            abs = in->output_dir;
        else if (in->output_dir && getcwd(cwd, sizeof cwd) &&
                 snprintf(dir, sizeof dir, "%s/%s", cwd, in->output_dir) < (int)sizeof dir)
            abs = dir;
        duckdb_tables(&s, abs);
    }
    rules_view(&s);
    qtypes_view(&s);
    octets_view(&s);
    scope_map_view(&s);
    shared_views(&s);
    if (athena && !s.failed) {
        athena_files(&s);
        struct buf *sh = outset_add(out, "setup.sh", true);
        struct buf *loc = outset_add(out, "data-location.txt", false);
        if (!sh || !loc)
            return EXIT_SYSTEM;
        buf_puts(sh, athena_setup);
        athena_data_location(&s, loc);
        buf_puts(loc, "\n");
    }
    if (s.failed)
        return outset_failed(out) ? EXIT_SYSTEM : EXIT_INVALID;
    return EXIT_CLEAN;
}
