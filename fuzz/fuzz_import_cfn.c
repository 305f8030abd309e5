/*
 * Fuzz target: the CloudFormation template importer of dnsfw-export (tools/export/import_cfn.c).
 *
 * Input: the text of a template (at most 64 KiB). It must import or be rejected with a
 * message; a template that imports must survive the round trip of import_roundtrip.c
 * (policy -> template -> import gives the same policy and no difference).
 */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "import.h"
#include "import_roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    diag_set_quiet(true);
    struct fw_model m;
    if (import_cfn("fuzz.json", (const char *)data, size, NULL, &m) == 0)
        import_roundtrip(&m);
    fw_model_free(&m);
    return 0;
}
