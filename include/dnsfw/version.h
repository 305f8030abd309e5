/* libdnsfw version: the single source of the version number (meson reads it). */
#ifndef DNSFW_VERSION_H
#define DNSFW_VERSION_H

#define DNSFW_VERSION_MAJOR 0
#define DNSFW_VERSION_MINOR 1
#define DNSFW_VERSION_PATCH 0

/** The version as one number, 0xMMmmpp. */
#define DNSFW_VERSION_NUMBER                                                                       \
    ((DNSFW_VERSION_MAJOR << 16) | (DNSFW_VERSION_MINOR << 8) | DNSFW_VERSION_PATCH)

#endif
