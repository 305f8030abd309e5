#include "json_text.h"

#include <stdlib.h>

/* The n (at most 4) bytes at p are hex digits. */
static bool hex_digits(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n && i < 4; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') ||
              (p[i] >= 'A' && p[i] <= 'F')))
            return false;
    return true;
}

int dnsfw__json_text_check(const char *text, size_t len, size_t *off, const char **reason)
{
    const uint8_t *p = (const uint8_t *)text;
    bool in_string = false;
    for (size_t i = 0; i < len;) {
        /* Eight octets at a time up to the next one that needs a look: a NUL, a quote, a
         * backslash or a non-ASCII octet. Policies of a million specs are mostly the rest. */
        while (len - i >= 8) {
            uint64_t v;
            memcpy(&v, p + i, 8);
            uint64_t special = dnsfw__bytes_eq(v, 0) | dnsfw__bytes_eq(v, '"') |
                               dnsfw__bytes_eq(v, '\\') | (v & DNSFW_HIGHS);
            special = dnsfw__in_address_order(special);
            if (special) {
                i += (size_t)__builtin_ctzll(special) / 8;
                break;
            }
            i += 8;
        }
        if (i >= len)
            break;
        if (p[i] == 0) {
            *off = i;
            *reason = "NUL byte in the text";
            return DNSFW_EENCODING;
        }
        size_t n = dnsfw__utf8_seq(p + i, len - i);
        if (n == 0) {
            *off = i;
            *reason = "invalid UTF-8";
            return DNSFW_EENCODING;
        }
        if (n == 1 && p[i] == '"')
            in_string = !in_string;
        else if (n == 1 && in_string && p[i] == '\\' && i + 1 < len && p[i + 1] < 0x80) {
            /* (fewer than four digits before the end: the text is cut short, the parser
             * reports that) */
            if (p[i + 1] == 'u' && !hex_digits(p + i + 2, len - i - 2)) {
                *off = i;
                *reason = "malformed JSON: \\u must be followed by four hexadecimal digits";
                return DNSFW_EPARSE;
            }
            if (p[i + 1] == 'u' && len - i >= 6 && memcmp(p + i + 2, "0000", 4) == 0) {
                *off = i;
                *reason = "\\u0000 is not allowed in a string";
                return DNSFW_EENCODING;
            }
            i += 2; /* the escaped character, whatever it is, is never a quote */
            continue;
        }
        i += n;
    }
    return DNSFW_OK;
}

/* --- locating items ----------------------------------------------------------------- */

struct walk {
    const char *t;
    size_t len, pos;
    const cJSON *target;
    size_t value_off, key_off;
    bool found;
};

/* cJSON's notion of whitespace: every byte <= 32. */
static void skip_ws(struct walk *w)
{
    while (w->pos < w->len && (uint8_t)w->t[w->pos] <= 32)
        w->pos++;
}

static void skip_string(struct walk *w)
{
    w->pos++; /* opening quote */
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

static bool walk_item(struct walk *w, const cJSON *item, size_t key_off)
{
    skip_ws(w);
    if (item == w->target) {
        w->value_off = w->pos;
        w->key_off = key_off == SIZE_MAX ? w->pos : key_off;
        return w->found = true;
    }
    if (w->pos >= w->len)
        return false;
    if (cJSON_IsObject(item) || cJSON_IsArray(item)) {
        bool object = cJSON_IsObject(item);
        w->pos++; /* { or [ */
        for (const cJSON *c = item->child; c; c = c->next) {
            skip_ws(w);
            size_t koff = SIZE_MAX;
            if (object) {
                koff = w->pos;
                skip_string(w);
                skip_ws(w);
                w->pos++; /* : */
            }
            if (walk_item(w, c, koff))
                return true;
            skip_ws(w);
            if (w->pos < w->len && w->t[w->pos] == ',')
                w->pos++;
        }
        skip_ws(w);
        w->pos++; /* } or ] */
    } else if (cJSON_IsString(item)) {
        skip_string(w);
    } else {
        skip_scalar(w);
    }
    return false;
}

bool dnsfw__json_locate(const char *text, size_t len, const cJSON *root, const cJSON *target,
                        size_t *value_off, size_t *key_off)
{
    struct walk w = {.t = text, .len = len, .target = target};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        w.pos = 3; /* cJSON skips a byte order mark too */
    if (!walk_item(&w, root, SIZE_MAX))
        return false;
    *value_off = w.value_off;
    if (key_off)
        *key_off = w.key_off;
    return true;
}

void dnsfw__line_col(const char *text, size_t off, uint32_t *line, uint32_t *col)
{
    uint32_t l = 1;
    size_t start = 0;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            l++;
            start = i + 1;
        }
    }
    *line = l;
    *col = (uint32_t)(off - start + 1);
}

/* --- an index of every item's position ---------------------------------------------- */

struct index_walk {
    struct walk w;
    struct json_index *ix;
    int rc;
};

static void index_put(struct json_index *ix, const cJSON *item, size_t off)
{
    size_t mask = ix->cap - 1;
    size_t h = (size_t)dnsfw__fmix64((uint64_t)(uintptr_t)item) & mask;
    while (ix->items[h])
        h = (h + 1) & mask;
    ix->items[h] = item;
    ix->offsets[h] = off;
}

/* Like walk_item, visiting everything: object members at their key, others at their value. */
static void index_item(struct index_walk *iw, const cJSON *item, size_t key_off)
{
    struct walk *w = &iw->w;
    skip_ws(w);
    index_put(iw->ix, item, key_off == SIZE_MAX ? w->pos : key_off);
    if (w->pos >= w->len)
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
                w->pos++;
            }
            index_item(iw, c, koff);
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

static size_t count_items(const cJSON *item)
{
    size_t n = 1;
    for (const cJSON *c = item->child; c; c = c->next)
        n += count_items(c);
    return n;
}

int dnsfw__json_index_build(struct json_index *ix, const char *text, size_t len, const cJSON *root)
{
    memset(ix, 0, sizeof *ix);
    size_t n = count_items(root), cap = 16;
    while (cap < n * 2)
        cap *= 2;
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    ix->items = calloc(cap, sizeof *ix->items);
    ix->offsets = malloc(cap * sizeof *ix->offsets);
    ix->line_starts = malloc(lines * sizeof *ix->line_starts);
    if (!ix->items || !ix->offsets || !ix->line_starts) {
        dnsfw__json_index_free(ix);
        return DNSFW_ENOMEM;
    }
    ix->cap = cap;
    ix->text = text;
    ix->line_starts[0] = 0;
    ix->n_lines = 1;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            ix->line_starts[ix->n_lines++] = i + 1;
    struct index_walk iw = {.w = {.t = text, .len = len}, .ix = ix};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        iw.w.pos = 3;
    index_item(&iw, root, SIZE_MAX);
    return DNSFW_OK;
}

bool dnsfw__json_index_pos(const struct json_index *ix, const cJSON *item, uint32_t *line,
                           uint32_t *col)
{
    if (!ix->cap || !item)
        return false;
    size_t mask = ix->cap - 1;
    size_t h = (size_t)dnsfw__fmix64((uint64_t)(uintptr_t)item) & mask;
    for (; ix->items[h]; h = (h + 1) & mask) {
        if (ix->items[h] != item)
            continue;
        size_t off = ix->offsets[h], lo = 0, hi = ix->n_lines;
        while (hi - lo > 1) { /* the last line start at or before off */
            size_t mid = lo + (hi - lo) / 2;
            if (ix->line_starts[mid] <= off)
                lo = mid;
            else
                hi = mid;
        }
        *line = (uint32_t)lo + 1;
        *col = (uint32_t)(off - ix->line_starts[lo] + 1);
        return true;
    }
    return false;
}

void dnsfw__json_index_free(struct json_index *ix)
{
    free(ix->items);
    free(ix->offsets);
    free(ix->line_starts);
    memset(ix, 0, sizeof *ix);
}
