/* What both importer fuzz targets check on a document that imports. */
#ifndef DNSFW_FUZZ_IMPORT_ROUNDTRIP_H
#define DNSFW_FUZZ_IMPORT_ROUNDTRIP_H

#include "fwmodel.h"

/*
 * m came from an importer. Check its invariants; if it makes a policy, write that policy
 * as a CloudFormation template, import the template again, and require the same policy
 * (byte-identical dumps) and no difference in fw_diff(). Aborts on a violation.
 */
void import_roundtrip(const struct fw_model *m);

#endif
