/*
 * Typed access to the members of imported JSON documents. Every helper reports what is
 * wrong as FILE:LINE (diag_error) and returns false; absent optional members are not
 * errors.
 */
#ifndef DNSFW_TOOLS_IMPORT_JSON_H
#define DNSFW_TOOLS_IMPORT_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "json_pos.h"

/* The member key of obj, or NULL; a key given twice is an error (*ok = false). */
const cJSON *jmember(const struct json_doc *d, const cJSON *obj, const char *key, bool *ok);

/* Report "message" at item's line. Always returns false. */
bool jfail(const struct json_doc *d, const cJSON *item, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A string member; *out NULL when absent and not required. */
bool jstring(const struct json_doc *d, const cJSON *obj, const char *key, bool required,
             const char **out);

/* An integer member in [min, max]; a string of digits is accepted too (CloudFormation
 * allows "101"). *present false when absent and not required. */
bool jint(const struct json_doc *d, const cJSON *obj, const char *key, bool required, int64_t min,
          int64_t max, int64_t *out, bool *present);

/* An integer item (not a member). */
bool jint_item(const struct json_doc *d, const cJSON *item, const char *what, int64_t min,
               int64_t max, int64_t *out);

/* Every key of obj is one of keys (NULL-terminated); what names obj in the message. */
bool jknown_keys(const struct json_doc *d, const cJSON *obj, const char *const *keys,
                 const char *what);

#endif
