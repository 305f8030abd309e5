/*
 * What cJSON does not do for us: check that the text is UTF-8 without NUL bytes (cJSON
 * would silently cut a string at "\u0000"), and find where in the text a parsed item
 * came from, so that errors can name a line and a column.
 */
#ifndef DNSFW_JSON_TEXT_H
#define DNSFW_JSON_TEXT_H

#include <cjson/cJSON.h>

#include "util.h"

/*
 * Check text for invalid UTF-8, raw NUL bytes and "\u0000" escapes (DNSFW_EENCODING), and
 * for "\u" escapes without four hex digits (DNSFW_EPARSE: cJSON would read them as
 * U+0000 and silently cut the string). On failure *off is the offending byte's offset
 * and *reason a static description. Returns DNSFW_OK or the status.
 */
DNSFW_HIDDEN int dnsfw__json_text_check(const char *text, size_t len, size_t *off,
                                        const char **reason);

/*
 * Find target, an item of the tree root that cJSON parsed from text, by walking text
 * and tree in step. *value_off gets the offset of its value; *key_off (may be NULL) the
 * offset of its key when it is an object member (else the value's offset).
 */
DNSFW_HIDDEN bool dnsfw__json_locate(const char *text, size_t len, const cJSON *root,
                                     const cJSON *target, size_t *value_off, size_t *key_off);

/*
 * Where every item of a parsed tree was written, found in one walk of the text, so that
 * a loader can place thousands of entries without walking the text for each one. An
 * object member is placed at its key, anything else at its value.
 */
struct json_index {
    const cJSON **items; /* open addressing on the item's address */
    size_t *offsets;
    size_t cap;
    size_t *line_starts;
    size_t n_lines;
    const char *text;
};

DNSFW_HIDDEN int dnsfw__json_index_build(struct json_index *ix, const char *text, size_t len,
                                         const cJSON *root);
/* 1-based line and byte column of item; false when it is not in the index. */
DNSFW_HIDDEN bool dnsfw__json_index_pos(const struct json_index *ix, const cJSON *item,
                                        uint32_t *line, uint32_t *col);
DNSFW_HIDDEN void dnsfw__json_index_free(struct json_index *ix);

/* 1-based line and byte column of offset off in text. */
DNSFW_HIDDEN void dnsfw__line_col(const char *text, size_t off, uint32_t *line, uint32_t *col);

#endif
