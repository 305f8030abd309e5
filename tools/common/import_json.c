#include "import_json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

bool jfail(const struct json_doc *d, const cJSON *item, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_error(d->file, json_doc_line(d, item), "%s", msg);
    return false;
}

const cJSON *jmember(const struct json_doc *d, const cJSON *obj, const char *key, bool *ok)
{
    const cJSON *found = NULL;
    if (!cJSON_IsObject(obj))
        return NULL;
    for (const cJSON *c = obj->child; c; c = c->next) {
        if (!c->string || strcmp(c->string, key) != 0)
            continue;
        if (found) {
            *ok = jfail(d, c, "key \"%s\" appears twice", key);
            return NULL;
        }
        found = c;
    }
    return found;
}

bool jstring(const struct json_doc *d, const cJSON *obj, const char *key, bool required,
             const char **out)
{
    bool ok = true;
    const cJSON *v = jmember(d, obj, key, &ok);
    *out = NULL;
    if (!ok)
        return false;
    if (!v)
        return required ? jfail(d, obj, "\"%s\" is missing", key) : true;
    if (!cJSON_IsString(v))
        return jfail(d, v, "\"%s\" must be a string", key);
    *out = v->valuestring;
    return true;
}

bool jint_item(const struct json_doc *d, const cJSON *v, const char *what, int64_t min, int64_t max,
               int64_t *out)
{
    double x;
    if (cJSON_IsNumber(v)) {
        x = v->valuedouble;
    } else if (cJSON_IsString(v) && v->valuestring[0] &&
               strspn(v->valuestring, "0123456789") == strlen(v->valuestring) &&
               strlen(v->valuestring) < 16) {
        x = strtod(v->valuestring, NULL);
    } else {
        return jfail(d, v, "%s must be an integer", what);
    }
    if (x != floor(x) || x < (double)min || x > (double)max)
        return jfail(d, v, "%s must be an integer from %lld to %lld", what, (long long)min,
                     (long long)max);
    *out = (int64_t)x;
    return true;
}

bool jint(const struct json_doc *d, const cJSON *obj, const char *key, bool required, int64_t min,
          int64_t max, int64_t *out, bool *present)
{
    bool ok = true;
    const cJSON *v = jmember(d, obj, key, &ok);
    if (present)
        *present = v != NULL;
    if (!ok)
        return false;
    if (!v)
        return required ? jfail(d, obj, "\"%s\" is missing", key) : true;
    char what[80];
    snprintf(what, sizeof what, "\"%s\"", key);
    return jint_item(d, v, what, min, max, out);
}

bool jknown_keys(const struct json_doc *d, const cJSON *obj, const char *const *keys,
                 const char *what)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        size_t i = 0;
        while (keys[i] && strcmp(keys[i], c->string) != 0)
            i++;
        if (!keys[i])
            return jfail(d, c, "unknown key \"%s\" in %s", c->string, what);
    }
    return true;
}
