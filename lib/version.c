/* Version and the names of the public enumerations. */
#include "util.h"

#define STR2(x) #x
#define STR(x)  STR2(x)

const char *dnsfw_version(void)
{
    return STR(DNSFW_VERSION_MAJOR) "." STR(DNSFW_VERSION_MINOR) "." STR(DNSFW_VERSION_PATCH);
}

unsigned dnsfw_version_number(void)
{
    return DNSFW_VERSION_NUMBER;
}

const char *dnsfw_action_name(dnsfw_action action)
{
    switch (action) {
    case DNSFW_ACTION_NONE:
        return "NONE";
    case DNSFW_ACTION_ALLOW:
        return "ALLOW";
    case DNSFW_ACTION_ALERT:
        return "ALERT";
    case DNSFW_ACTION_BLOCK:
        return "BLOCK";
    }
    return "NONE";
}

const char *dnsfw_block_response_name(dnsfw_block_response response)
{
    switch (response) {
    case DNSFW_RESPONSE_NONE:
        return NULL;
    case DNSFW_RESPONSE_NODATA:
        return "NODATA";
    case DNSFW_RESPONSE_NXDOMAIN:
        return "NXDOMAIN";
    case DNSFW_RESPONSE_OVERRIDE:
        return "OVERRIDE";
    }
    return NULL;
}

const char *dnsfw_redirection_name(dnsfw_redirection redirection)
{
    switch (redirection) {
    case DNSFW_REDIRECTION_INSPECT:
        return "INSPECT_REDIRECTION_DOMAIN";
    case DNSFW_REDIRECTION_TRUST:
        return "TRUST_REDIRECTION_DOMAIN";
    }
    return NULL;
}

const char *dnsfw_threat_name(dnsfw_threat threat)
{
    switch (threat) {
    case DNSFW_THREAT_NONE:
        return NULL;
    case DNSFW_THREAT_DGA:
        return "DGA";
    case DNSFW_THREAT_DNS_TUNNELING:
        return "DNS_TUNNELING";
    case DNSFW_THREAT_DICTIONARY_DGA:
        return "DICTIONARY_DGA";
    }
    return NULL;
}

const char *dnsfw_confidence_name(dnsfw_confidence confidence)
{
    switch (confidence) {
    case DNSFW_CONFIDENCE_NONE:
        return NULL;
    case DNSFW_CONFIDENCE_LOW:
        return "LOW";
    case DNSFW_CONFIDENCE_MEDIUM:
        return "MEDIUM";
    case DNSFW_CONFIDENCE_HIGH:
        return "HIGH";
    }
    return NULL;
}
