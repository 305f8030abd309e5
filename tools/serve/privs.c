/* --user and --group: give up root once the sockets are bound (privs.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "privs.h"

/* A name, or a number that needs no name. */
static bool numeric(const char *s, unsigned long *out)
{
    char *end;
    if (!*s || strspn(s, "0123456789") != strlen(s))
        return false;
    errno = 0;
    *out = strtoul(s, &end, 10);
    return !errno && *out < (unsigned long)-1 / 2;
}

int privs_drop(const char *user, const char *group)
{
    uid_t uid = 0;
    gid_t gid = 0;
    bool have_uid = false, have_gid = false;
    unsigned long n;
    if (user) {
        struct passwd *pw = getpwnam(user);
        if (pw) {
            uid = pw->pw_uid;
            gid = pw->pw_gid;
            have_gid = true;
        } else if (numeric(user, &n)) {
            uid = (uid_t)n;
        } else {
            tool_warn("--user: no user \"%s\"", user);
            return EXIT_USAGE;
        }
        have_uid = true;
    }
    if (group) {
        struct group *gr = getgrnam(group);
        if (gr) {
            gid = gr->gr_gid;
        } else if (numeric(group, &n)) {
            gid = (gid_t)n;
        } else {
            tool_warn("--group: no group \"%s\"", group);
            return EXIT_USAGE;
        }
        have_gid = true;
    }
    if (have_gid && (setgroups(1, &gid) != 0 || setgid(gid) != 0)) {
        tool_warn("cannot change to group %lu: %s", (unsigned long)gid, strerror(errno));
        return EXIT_SYSTEM;
    }
    if (have_uid && setuid(uid) != 0) {
        tool_warn("cannot change to user %lu: %s", (unsigned long)uid, strerror(errno));
        return EXIT_SYSTEM;
    }
    if (have_uid && uid != 0 && setuid(0) == 0) {
        tool_warn("dropped to user %lu, yet root could be regained: stopping", (unsigned long)uid);
        return EXIT_SYSTEM;
    }
    tool_warn("running as user %lu, group %lu", (unsigned long)getuid(), (unsigned long)getgid());
    return EXIT_CLEAN;
}
