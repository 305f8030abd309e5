/*
 * The ImportFirewallDomains format: one file per domain list, one domain a line (LF, no
 * comments, no blank lines), ready to upload to S3 and import, or to read back with
 * "domain_lists": { "name": { "file": ... } }.
 */
#include <string.h>

#include "export.h"

int export_domains(const struct fw_model *m, const struct export_opts *o, struct outset *out)
{
    struct strmap seen = {0};
    char file[160], spec[AWS_SPEC_MAX + 3];
    int rc = 0;
    for (size_t i = 0; !rc && i < m->n_lists; i++) {
        const struct fw_list *l = &m->lists[i];
        if (l->managed) /* AWS's list: nothing to import */
            continue;
        export_ident(&seen, IDENT_FILE, "", l->name, file, sizeof file - 4);
        strcat(file, ".txt");
        struct buf *b = outset_add(out, file, false);
        if (!b) {
            rc = -1;
            break;
        }
        for (size_t j = 0; j < l->n_specs; j++) {
            export_spec(l->specs[j], o->fqdn, spec);
            buf_puts(b, spec);
            buf_put(b, "\n", 1);
        }
    }
    strmap_free(&seen, NULL);
    return rc;
}
