#include "json_pos.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

static void line_col(const char *text, size_t off, unsigned *line, unsigned *col)
{
    unsigned l = 1;
    size_t start = 0;
    for (size_t i = 0; i < off; i++)
        if (text[i] == '\n') {
            l++;
            start = i + 1;
        }
    *line = l;
    *col = (unsigned)(off - start + 1);
}

/* Length of the UTF-8 sequence at p (at most n bytes), 0 when it is not well-formed. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t len;
    uint32_t min, cp;
    if ((p[0] & 0xe0) == 0xc0) {
        len = 2, min = 0x80, cp = p[0] & 0x1f;
    } else if ((p[0] & 0xf0) == 0xe0) {
        len = 3, min = 0x800, cp = p[0] & 0x0f;
    } else if ((p[0] & 0xf8) == 0xf0) {
        len = 4, min = 0x10000, cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

static bool is_hex(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* What cJSON lets through silently: bad UTF-8, NUL bytes, "\u0000" and short "\u". */
static bool text_check(const char *text, size_t len, size_t *off, const char **reason)
{
    const uint8_t *p = (const uint8_t *)text;
    bool in_string = false;
    for (size_t i = 0; i < len;) {
        if (p[i] == 0) {
            *off = i, *reason = "NUL byte in the text";
            return false;
        }
        size_t n = utf8_seq(p + i, len - i);
        if (n == 0) {
            *off = i, *reason = "invalid UTF-8";
            return false;
        }
        if (n == 1 && p[i] == '"') {
            in_string = !in_string;
        } else if (n == 1 && in_string && p[i] == '\\' && i + 1 < len) {
            if (p[i + 1] == 'u') {
                for (size_t k = 2; k < 6; k++)
                    if (i + k >= len || !is_hex(p[i + k])) {
                        *off = i, *reason = "\\u must be followed by four hexadecimal digits";
                        return false;
                    }
                if (memcmp(p + i + 2, "0000", 4) == 0) {
                    *off = i, *reason = "\\u0000 is not allowed in a string";
                    return false;
                }
            }
            i += 2; /* the escaped character is never a closing quote */
            continue;
        }
        i += n;
    }
    return true;
}

/* --- recording the offsets ------------------------------------------------------------ */

struct walk {
    const char *t;
    size_t len, pos;
    struct json_pos_entry *out;
    size_t n, cap;
    bool oom;
};

static void skip_ws(struct walk *w)
{
    while (w->pos < w->len && (uint8_t)w->t[w->pos] <= 32)
        w->pos++;
}

static void skip_string(struct walk *w)
{
    w->pos++;
    while (w->pos < w->len && w->t[w->pos] != '"')
        w->pos += w->t[w->pos] == '\\' ? 2 : 1;
    w->pos++;
}

static void skip_scalar(struct walk *w)
{
    while (w->pos < w->len) {
        char c = w->t[w->pos];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '+' || c == '-' ||
              c == '.' || c == 'E'))
            break;
        w->pos++;
    }
}

static void record(struct walk *w, const cJSON *item, size_t off)
{
    if (w->n == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 256;
        struct json_pos_entry *no = realloc(w->out, ncap * sizeof *no);
        if (!no) {
            w->oom = true;
            return;
        }
        w->out = no;
        w->cap = ncap;
    }
    w->out[w->n++] = (struct json_pos_entry){item, off};
}

static void walk_item(struct walk *w, const cJSON *item, size_t key_off, unsigned depth)
{
    skip_ws(w);
    record(w, item, key_off == SIZE_MAX ? w->pos : key_off);
    if (w->pos >= w->len || depth > 2000)
        return;
    if (cJSON_IsObject(item) || cJSON_IsArray(item)) {
        bool object = cJSON_IsObject(item);
        w->pos++;
        for (const cJSON *c = item->child; c; c = c->next) {
            skip_ws(w);
            size_t koff = SIZE_MAX;
            if (object) {
                koff = w->pos;
                skip_string(w);
                skip_ws(w);
                w->pos++; /* : */
            }
            walk_item(w, c, koff, depth + 1);
            skip_ws(w);
            if (w->pos < w->len && w->t[w->pos] == ',')
                w->pos++;
        }
        skip_ws(w);
        w->pos++;
    } else if (cJSON_IsString(item)) {
        skip_string(w);
    } else {
        skip_scalar(w);
    }
}

static int cmp_entry(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const struct json_pos_entry *)a)->item;
    uintptr_t y = (uintptr_t)((const struct json_pos_entry *)b)->item;
    return x < y ? -1 : x > y;
}

int json_doc_parse(struct json_doc *d, const char *file, const char *text, size_t len)
{
    memset(d, 0, sizeof *d);
    d->file = file;
    d->text = text;
    d->len = len;
    size_t off;
    const char *reason;
    unsigned line, col;
    if (!text_check(text, len, &off, &reason)) {
        line_col(text, off, &line, &col);
        diag_error(NULL, 0, "%s:%u:%u: %s", file, line, col, reason);
        return -1;
    }
    const char *end = NULL;
    d->root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!d->root) {
        off = end && end >= text && end <= text + len ? (size_t)(end - text) : len;
        line_col(text, off, &line, &col);
        diag_error(NULL, 0, "%s:%u:%u: malformed JSON%s", file, line, col,
                   off >= len ? " (the text ends too early)" : "");
        return -1;
    }
    off = (size_t)(end - text);
    while (off < len && (uint8_t)text[off] <= 32)
        off++;
    if (off < len) {
        line_col(text, off, &line, &col);
        diag_error(NULL, 0, "%s:%u:%u: text after the JSON value", file, line, col);
        cJSON_Delete(d->root);
        d->root = NULL;
        return -1;
    }
    struct walk w = {.t = text, .len = len};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        w.pos = 3; /* cJSON skips a byte order mark as well */
    walk_item(&w, d->root, SIZE_MAX, 0);
    if (w.oom) {
        free(w.out);
        cJSON_Delete(d->root);
        d->root = NULL;
        return -2;
    }
    qsort(w.out, w.n, sizeof *w.out, cmp_entry);
    d->pos = w.out;
    d->n_pos = w.n;
    return 0;
}

void json_doc_free(struct json_doc *d)
{
    cJSON_Delete(d->root);
    free(d->pos);
    memset(d, 0, sizeof *d);
}

unsigned json_doc_line(const struct json_doc *d, const cJSON *item)
{
    if (!d || !item || !d->pos)
        return 0;
    struct json_pos_entry key = {item, 0};
    const struct json_pos_entry *e = bsearch(&key, d->pos, d->n_pos, sizeof key, cmp_entry);
    if (!e || e->offset > d->len)
        return 0;
    unsigned line, col;
    line_col(d->text, e->offset, &line, &col);
    return line;
}
