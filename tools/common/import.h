/*
 * Reading a deployed DNS Firewall configuration back into a model (fwmodel.h): a
 * CloudFormation template (JSON, or the output of "aws cloudformation get-template"),
 * or a directory of saved "aws route53resolver" outputs (list-firewall-rule-groups,
 * list-firewall-rules, list-firewall-domains, get-firewall-config, and optionally
 * list-firewall-domain-lists and list-firewall-rule-group-associations).
 *
 * Every function reports what is wrong as FILE:LINE and returns 0, -1 (invalid input,
 * reported) or -2 (out of memory).
 */
#ifndef DNSFW_TOOLS_IMPORT_H
#define DNSFW_TOOLS_IMPORT_H

#include <stddef.h>

#include "fwmodel.h"

/* A template or a directory, by what path is. vpc (may be NULL): only associations
 * with this VPC count. The files together may hold max_bytes (0: the library's
 * DNSFW_POLICY_MAX_BYTES_DEFAULT). Returns an exit code (EXIT_CLEAN, EXIT_INVALID,
 * EXIT_SYSTEM). */
int import_path(const char *path, const char *vpc, size_t max_bytes, struct fw_model *m);

/* A CloudFormation template's text. */
int import_cfn(const char *file, const char *text, size_t len, const char *vpc, struct fw_model *m);

/* AWS CLI outputs, given one document at a time (file: its name, which must contain
 * the list id for list-firewall-domains), then turned into a model. */
struct cli_import;
struct cli_import *cli_import_new(const char *vpc);
int cli_import_add(struct cli_import *ci, const char *file, const char *text, size_t len);
int cli_import_finish(struct cli_import *ci, struct fw_model *m);
void cli_import_free(struct cli_import *ci);

#endif
