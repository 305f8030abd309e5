/* Status codes to text. A switch without default, so -Wswitch flags a missing message. */
#include "util.h"

const char *dnsfw_strerror(int status)
{
    switch ((dnsfw_status)status) {
    case DNSFW_OK:
        return "success";
    case DNSFW_ENOMEM:
        return "out of memory";
    case DNSFW_EINVAL:
        return "invalid argument";
    case DNSFW_EEMPTYLABEL:
        return "empty label";
    case DNSFW_ELABELLEN:
        return "label longer than 63 octets";
    case DNSFW_ENAMELEN:
        return "name longer than 255 octets";
    case DNSFW_EESCAPE:
        return "invalid escape sequence";
    case DNSFW_EBADSPEC:
        return "invalid domain spec";
    case DNSFW_EPARSE:
        return "malformed JSON";
    case DNSFW_ESCHEMA:
        return "invalid policy";
    case DNSFW_EDUPLICATE:
        return "duplicate name or priority";
    case DNSFW_ENOTFOUND:
        return "no such object";
    case DNSFW_ELIMIT:
        return "limit exceeded";
    case DNSFW_EQTYPE:
        return "unknown query type";
    case DNSFW_ENOSPC:
        return "buffer too small";
    case DNSFW_EIO:
        return "input/output error";
    case DNSFW_EENCODING:
        return "invalid UTF-8 or NUL byte";
    case DNSFW_ENOTQUERY:
        return "not a query record";
    case DNSFW_EBADPACKET:
        return "malformed DNS message";
    case DNSFW_ENOTIMPL:
        return "DNS opcode or EDNS version not implemented";
    case DNSFW_ETIMEDOUT:
        return "timed out";
    }
    return "unknown error";
}
