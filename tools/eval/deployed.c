#include "deployed.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "fwmodel.h"
#include "import.h"

struct deployed {
    struct fw_model m;
};

int deployed_load(const char *path, size_t max_bytes, struct deployed **out)
{
    struct deployed *d = calloc(1, sizeof *d);
    if (!d) {
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    fw_model_init(&d->m);
    int rc = import_path(path, NULL, max_bytes, &d->m);
    if (rc) {
        deployed_free(d);
        return rc;
    }
    *out = d;
    return EXIT_CLEAN;
}

void deployed_free(struct deployed *d)
{
    if (!d)
        return;
    fw_model_free(&d->m);
    free(d);
}

static const struct fw_list *list_of(const struct deployed *d, const char *id)
{
    for (size_t i = 0; d && id && *id && i < d->m.n_lists; i++)
        if (d->m.lists[i].id && strcmp(d->m.lists[i].id, id) == 0)
            return &d->m.lists[i];
    return NULL;
}

const char *deployed_group_name(const struct deployed *d, const char *id)
{
    for (size_t i = 0; d && id && *id && i < d->m.n_groups; i++)
        if (d->m.groups[i].id && strcmp(d->m.groups[i].id, id) == 0)
            return d->m.groups[i].name;
    return NULL;
}

const char *deployed_list_name(const struct deployed *d, const char *id)
{
    const struct fw_list *l = list_of(d, id);
    return l ? l->name : NULL;
}

bool deployed_list_is_catch_all(const struct deployed *d, const char *id)
{
    const struct fw_list *l = list_of(d, id);
    for (size_t i = 0; l && i < l->n_specs; i++)
        if (strcmp(l->specs[i], "*") == 0)
            return true;
    return false;
}
