/*
 * Fuzz target: the importer of saved AWS CLI outputs (tools/export/import_cli.c).
 *
 * Input: up to 16 documents separated by lines "##". Document i is named
 * "out-rslvr-fdl-<i>-rslvr-frg-<i>.json" (i in hex), so that a list-firewall-domains
 * output is the list rslvr-fdl-<i> and an empty list-firewall-rules output the group
 * rslvr-frg-<i>. The documents must import or be rejected with a message; a set that
 * imports must survive the round trip of import_roundtrip.c.
 */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "import.h"
#include "import_roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    diag_set_quiet(true);
    struct cli_import *ci = cli_import_new(NULL);
    if (!ci)
        return 0;
    const char *p = (const char *)data, *end = p + size;
    int rc = 0;
    for (unsigned i = 0; rc == 0 && i < 16 && p <= end; i++) {
        const char *sep = NULL;
        for (const char *q = p; q + 4 <= end && !sep; q++)
            if (memcmp(q, "\n##\n", 4) == 0)
                sep = q;
        size_t len = (size_t)((sep ? sep : end) - p);
        char name[64];
        snprintf(name, sizeof name, "out-rslvr-fdl-%x-rslvr-frg-%x.json", i, i);
        rc = cli_import_add(ci, name, p, len);
        if (!sep)
            break;
        p = sep + 4;
    }
    struct fw_model m;
    fw_model_init(&m);
    if (rc == 0 && cli_import_finish(ci, &m) == 0)
        import_roundtrip(&m);
    fw_model_free(&m);
    cli_import_free(ci);
    return 0;
}
