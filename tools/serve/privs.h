/* Dropping root after binding (--user, --group). */
#ifndef DNSFW_TOOLS_SERVE_PRIVS_H
#define DNSFW_TOOLS_SERVE_PRIVS_H

/*
 * Become user (a name or a number; NULL: stay) and group (NULL: user's own group, or
 * stay), with no supplementary groups; check that root cannot be regained. Every thread
 * changes with the process. Returns EXIT_CLEAN, or EXIT_USAGE (no such user or group)
 * or EXIT_SYSTEM (not permitted), reported.
 */
int privs_drop(const char *user, const char *group);

#endif
