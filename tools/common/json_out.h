/* Deterministic, readable JSON text of a cJSON tree: two-space indentation, keys in the
 * order they were added, short arrays of scalars on one line, a final newline. */
#ifndef DNSFW_TOOLS_JSON_OUT_H
#define DNSFW_TOOLS_JSON_OUT_H

#include <cjson/cJSON.h>

#include "outset.h"

void json_out(struct buf *b, const cJSON *item);

/* s as a JSON string literal, quotes included. */
void json_out_string(struct buf *b, const char *s);

#endif
