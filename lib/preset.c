/* The preset tables (preset.h) through the public API. */
#include "preset.h"

const char *dnsfw__preset_name(size_t i)
{
    return i < dnsfw__n_presets ? dnsfw__presets[i].name : NULL;
}

size_t dnsfw_preset_count(void)
{
    return dnsfw__n_presets;
}

int dnsfw_preset_get(size_t preset, dnsfw_preset_info *out)
{
    if (!out || preset >= dnsfw__n_presets)
        return DNSFW_EINVAL;
    const struct preset *p = &dnsfw__presets[preset];
    *out = (dnsfw_preset_info){.name = p->name,
                               .title = p->title,
                               .description = p->description,
                               .data_file = p->file,
                               .n_hosts = p->n_hosts};
    return DNSFW_OK;
}

int dnsfw_preset_find(const char *name, size_t *preset)
{
    if (!name || !preset)
        return DNSFW_EINVAL;
    size_t lo = 0, hi = dnsfw__n_presets; /* sorted by name */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, dnsfw__presets[mid].name);
        if (c == 0) {
            *preset = mid;
            return DNSFW_OK;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return DNSFW_ENOTFOUND;
}

int dnsfw_preset_get_host(size_t preset, size_t i, dnsfw_preset_host *out)
{
    if (!out || preset >= dnsfw__n_presets || i >= dnsfw__presets[preset].n_hosts)
        return DNSFW_EINVAL;
    const struct preset_host *h = &dnsfw__presets[preset].hosts[i];
    *out = (dnsfw_preset_host){.spec = h->spec,
                               .writes = h->writes,
                               .source = h->source,
                               .note = h->note[0] ? h->note : NULL,
                               .verified = h->verified};
    return DNSFW_OK;
}
