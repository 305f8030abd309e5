/*
 * The deployed DNS Firewall configuration (dnsfw-eval --deployed PATH): what
 * dnsfw-export --import reads, saved AWS CLI outputs or a CloudFormation template. The
 * replay report uses it to name the rule groups and domain lists whose ids the logs
 * carry, and to tell a policy's catch-all list ("*") from a threat list.
 */
#ifndef DNSFW_TOOLS_DEPLOYED_H
#define DNSFW_TOOLS_DEPLOYED_H

#include <stdbool.h>
#include <stddef.h>

struct deployed;

/* Load PATH, whose files may hold max_bytes in all (0: the library's default policy
 * limit); returns an exit code (problems reported on stderr). */
int deployed_load(const char *path, size_t max_bytes, struct deployed **out);
void deployed_free(struct deployed *d);

/* The name of the rule group / domain list with this AWS id, or NULL. */
const char *deployed_group_name(const struct deployed *d, const char *id);
const char *deployed_list_name(const struct deployed *d, const char *id);
/* Is the list with this id known, and does it hold "*" (every name)? */
bool deployed_list_is_catch_all(const struct deployed *d, const char *id);

#endif
