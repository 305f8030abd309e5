#include "json_out.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void json_out_string(struct buf *b, const char *s)
{
    buf_put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t run = 0; /* most strings need no escape: copy them in runs */
        while (p[run] >= 0x20 && p[run] != '"' && p[run] != '\\')
            run++;
        buf_put(b, (const char *)p, run);
        p += run;
        if (!*p)
            break;
        switch (*p) {
        case '"':
            buf_put(b, "\\\"", 2);
            break;
        case '\\':
            buf_put(b, "\\\\", 2);
            break;
        case '\n':
            buf_put(b, "\\n", 2);
            break;
        case '\r':
            buf_put(b, "\\r", 2);
            break;
        case '\t':
            buf_put(b, "\\t", 2);
            break;
        default:
            buf_printf(b, "\\u%04x", *p);
        }
        p++;
    }
    buf_put(b, "\"", 1);
}

static void indent(struct buf *b, int depth)
{
    for (int i = 0; i < depth; i++)
        buf_put(b, "  ", 2);
}

static void scalar(struct buf *b, const cJSON *item)
{
    if (cJSON_IsString(item)) {
        json_out_string(b, item->valuestring);
    } else if (cJSON_IsNumber(item)) {
        double v = item->valuedouble;
        if (v == floor(v) && fabs(v) < 9007199254740992.0)
            buf_printf(b, "%.0f", v);
        else
            buf_printf(b, "%.17g", v);
    } else if (cJSON_IsTrue(item)) {
        buf_puts(b, "true");
    } else if (cJSON_IsFalse(item)) {
        buf_puts(b, "false");
    } else {
        buf_puts(b, "null");
    }
}

/* An array of a few short scalars reads best on one line. */
static bool inline_array(const cJSON *a)
{
    size_t width = 0;
    for (const cJSON *c = a->child; c; c = c->next) {
        if (cJSON_IsArray(c) || cJSON_IsObject(c))
            return false;
        width += (cJSON_IsString(c) ? strlen(c->valuestring) : 8) + 4;
    }
    return width <= 60;
}

static void item_out(struct buf *b, const cJSON *item, int depth)
{
    bool object = cJSON_IsObject(item);
    if (!object && !cJSON_IsArray(item)) {
        scalar(b, item);
        return;
    }
    if (!item->child) {
        buf_puts(b, object ? "{}" : "[]");
        return;
    }
    if (!object && inline_array(item)) {
        buf_put(b, "[", 1);
        for (const cJSON *c = item->child; c; c = c->next) {
            scalar(b, c);
            if (c->next)
                buf_put(b, ", ", 2);
        }
        buf_put(b, "]", 1);
        return;
    }
    buf_puts(b, object ? "{\n" : "[\n");
    for (const cJSON *c = item->child; c; c = c->next) {
        indent(b, depth + 1);
        if (object) {
            json_out_string(b, c->string ? c->string : "");
            buf_put(b, ": ", 2);
        }
        item_out(b, c, depth + 1);
        buf_puts(b, c->next ? ",\n" : "\n");
    }
    indent(b, depth);
    buf_put(b, object ? "}" : "]", 1);
}

void json_out(struct buf *b, const cJSON *item)
{
    item_out(b, item, 0);
    buf_put(b, "\n", 1);
}
