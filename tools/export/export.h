/*
 * dnsfw-export's writers. Each turns a model (fwmodel.h) into an output set (outset.h)
 * without touching the disk. export_check_limits() runs first for the AWS formats.
 */
#ifndef DNSFW_TOOLS_EXPORT_H
#define DNSFW_TOOLS_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "aws_limits.h" /* the AWS_* quotas */
#include "fwmodel.h"
#include "outset.h"
#include "strmap.h"

enum export_format {
    FMT_CLOUDFORMATION,
    FMT_CLI,
    FMT_TERRAFORM,
    FMT_DOMAINS,
    FMT_UNBOUND,
    FMT_RPZ,
    FMT_DNSMASQ,
    FMT_ATHENA,
    FMT_DUCKDB,
};

enum fail_open_resource {
    FAIL_OPEN_LAMBDA, /* a Lambda-backed custom resource calls UpdateFirewallConfig */
    FAIL_OPEN_NONE,   /* recorded in the template's Metadata only */
};

struct export_opts {
    const char *vpc_id; /* NULL: a template parameter, script argument or variable */
    bool fqdn;          /* write specs with a trailing dot ("*." for match-all) */
    enum fail_open_resource fail_open_resource;
    unsigned long max_domains; /* account quota: domains over all lists */
    unsigned long max_rules;   /* account quota: rules per rule group */
    const char *upstream;      /* dnsmasq: ADDR[#PORT] that resolves allowed names */
    uint64_t policy_hash;      /* of the policy text: makes CreatorRequestIds stable */
};

const char *export_format_name(enum export_format f);
bool export_format_is_dir(enum export_format f);

/* Check what AWS would refuse; errors and warnings are reported. 0, or -1 on error. */
int export_check_limits(const struct fw_model *m, enum export_format f,
                        const struct export_opts *o);

int export_cloudformation(const struct fw_model *m, const struct export_opts *o,
                          struct outset *out);
int export_cli(const struct fw_model *m, const struct export_opts *o, struct outset *out);
int export_terraform(const struct fw_model *m, const struct export_opts *o, struct outset *out);
int export_domains(const struct fw_model *m, const struct export_opts *o, struct outset *out);
int export_unbound(const struct fw_model *m, const struct export_opts *o, struct outset *out);
int export_rpz(const struct fw_model *m, const struct export_opts *o, struct outset *out);
int export_dnsmasq(const struct fw_model *m, const struct export_opts *o, struct outset *out);

/* The SQL formats (export_sql.c) need more than the model. */
struct scope_map;
struct sql_scope {
    const char *repo;
    char **specs; /* normalised, each once; placeholder.invalid when the allowlist is empty */
    size_t n_specs;
};
struct sql_input {
    const struct fw_model *model;   /* the policy in its mode */
    const struct fw_model *enforce; /* the same policy in enforce mode (same shape) */
    const char *scoped_list;        /* tiered form: the list a scope replaces */
    const struct sql_scope *scopes; /* tiered form: each repository's own allowlist */
    size_t n_scopes;
    const struct scope_map *scope_map; /* --scope-map, or NULL */
    const char *scope_map_path;
    const char *psl_path;    /* the Public Suffix List (public_suffix_list.dat) */
    const char *log_path;    /* duckdb: the logs' glob */
    const char *s3_location; /* athena: the logs' vpcdnsquerylogs/ folder */
    const char *vpc_ids;     /* athena: the VPCs, comma-separated */
    const char *output_dir;  /* duckdb: where data/ is, for run.sql */
};
/* Returns an exit code; problems are reported. */
int export_sql(const struct sql_input *in, const struct export_opts *o, bool athena,
               struct outset *out);

/* --- shared by the writers (export_names.c) -------------------------------------------- */

/* A spec in the emitted form: as stored ("example.com", "*"), or with --fqdn
 * "example.com." and "*.". out holds AWS_SPEC_MAX + 3 bytes. */
void export_spec(const char *spec, bool fqdn, char *out);

/* Identifier styles. The result is made unique among the names already in seen. */
enum ident_style {
    IDENT_CFN,  /* CloudFormation logical id: [A-Za-z0-9], CamelCase */
    IDENT_TF,   /* Terraform resource name: [A-Za-z0-9_-], not starting with a digit */
    IDENT_FILE, /* a file name: [A-Za-z0-9._-] */
};
void export_ident(struct strmap *seen, enum ident_style style, const char *prefix, const char *name,
                  char *out, size_t size);

/* "dnsfw-" and 16 hex digits: stable for the same policy and object. */
void export_request_id(const struct export_opts *o, const char *kind, const char *name,
                       uint32_t number, char out[40]);

/* 64-bit FNV-1a. */
uint64_t export_hash(uint64_t h, const void *data, size_t len);
#define EXPORT_HASH_INIT 1469598103934665603ull

#endif
