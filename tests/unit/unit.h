/* Shared helpers of the Check unit tests (tests/unit). */
#ifndef DNSFW_UNIT_H
#define DNSFW_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dnsfw/dnsfw.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Run a suite with TAP output on stdout; the exit status says whether anything failed. */
static inline int unit_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* tests/unit/data of the source tree (DNSFW_SOURCE_ROOT is set by tests/meson.build). */
static inline const char *unit_data_dir(void)
{
    static char dir[4096];
    if (!dir[0]) {
        const char *root = getenv("DNSFW_SOURCE_ROOT");
        snprintf(dir, sizeof dir, "%s/tests/unit/data", root ? root : ".");
    }
    return dir;
}

/* Load a policy from JSON text that must be valid; fails the test with the error otherwise. */
static inline dnsfw_policy *unit_policy(const char *json)
{
    dnsfw_policy *p = NULL;
    dnsfw_error err;
    int rc = dnsfw_policy_from_json(&p, json, strlen(json), "<test>", unit_data_dir(), &err);
    ck_assert_msg(rc == DNSFW_OK, "policy rejected: %d %s:%u:%u: %s", rc, err.file, err.line,
                  err.column, err.message);
    ck_assert_ptr_nonnull(p);
    return p;
}

/* Compile JSON text into a matcher (the policy is freed at once, as the API allows). */
static inline dnsfw_matcher *unit_matcher(const char *json)
{
    dnsfw_policy *p = unit_policy(json);
    dnsfw_matcher *m = NULL;
    ck_assert_int_eq(dnsfw_compile(p, &m), DNSFW_OK);
    dnsfw_policy_free(p);
    ck_assert_ptr_nonnull(m);
    return m;
}

/* Print a string for assertion messages, "(null)" for NULL. */
static inline const char *unit_str(const char *s)
{
    return s ? s : "(null)";
}

#endif
