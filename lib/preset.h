/*
 * Ecosystem presets: curated host lists compiled into the library from the files of data/presets
 * (scripts/gen_presets.py writes the tables), so that a policy can take them by name and
 * the library reads no file it was not given.
 */
#ifndef DNSFW_PRESET_H
#define DNSFW_PRESET_H

#include "util.h"

struct preset_host {
    const char *spec;
    const char *source;
    const char *note; /* "" when none */
    int writes;
    int verified;
};

struct preset {
    const char *name;
    const char *title;
    const char *description;
    const char *file; /* the data file it came from */
    const struct preset_host *hosts;
    size_t n_hosts;
};

/* Sorted by name. */
DNSFW_HIDDEN extern const struct preset dnsfw__presets[];
DNSFW_HIDDEN extern const size_t dnsfw__n_presets;

/* The name of preset i, or NULL. */
DNSFW_HIDDEN const char *dnsfw__preset_name(size_t i);

#endif
