#include "json_text.h"

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
