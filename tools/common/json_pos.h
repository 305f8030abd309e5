/*
 * JSON documents read by the importers, with the line each value came from, so that a
 * malformed document is reported as FILE:LINE. cJSON keeps no positions; after parsing,
 * the text and the tree are walked in step once (the idea of lib/json_text.c, copied
 * here because the tools only use libdnsfw's public API) and every item's offset is
 * recorded.
 */
#ifndef DNSFW_TOOLS_JSON_POS_H
#define DNSFW_TOOLS_JSON_POS_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct json_pos_entry {
    const cJSON *item;
    size_t offset; /* of the member's key for object members, else of the value */
};

struct json_doc {
    const char *file; /* for messages; not owned */
    const char *text; /* not owned */
    size_t len;
    cJSON *root;
    struct json_pos_entry *pos; /* sorted by item address */
    size_t n_pos;
};

/*
 * Parse text (not NUL-terminated; len bytes). Rejects invalid UTF-8, NUL bytes and
 * "\u0000", and text after the value. Errors are reported as FILE:LINE:COL. Returns 0,
 * or -1 after reporting (the document is then empty), or -2 when out of memory.
 */
int json_doc_parse(struct json_doc *d, const char *file, const char *text, size_t len);
void json_doc_free(struct json_doc *d);

/* The 1-based line of item (its key, for an object member); 0 when unknown. */
unsigned json_doc_line(const struct json_doc *d, const cJSON *item);

#endif
