/* IP addresses as text: the answers of query logs and the addresses of flow logs. */
#include <arpa/inet.h>
#include <stdio.h>

#include "util.h"

/* A dotted quad, strictly: four decimal octets, no sign, no leading zeros. */
static bool parse_v4(const char *s, size_t len, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part && (i >= len || s[i++] != '.'))
            return false;
        size_t start = i;
        unsigned v = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        size_t n = i - start;
        if (n == 0 || v > 255 || (n > 1 && s[start] == '0'))
            return false;
        out[part] = (uint8_t)v;
    }
    return i == len;
}

int dnsfw_ip_parse(const char *text, size_t len, dnsfw_ip *out)
{
    if (!out || (!text && len))
        return DNSFW_EINVAL;
    memset(out, 0, sizeof *out);
    uint8_t v4[4];
    if (len >= 7 && len <= 15 && parse_v4(text, len, v4)) {
        out->family = 4;
        out->addr[10] = out->addr[11] = 0xff;
        memcpy(out->addr + 12, v4, 4);
        return DNSFW_OK;
    }
    char buf[INET6_ADDRSTRLEN + 1];
    if (len < 2 || len >= sizeof buf || !memchr(text, ':', len))
        return DNSFW_EPARSE;
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (inet_pton(AF_INET6, buf, out->addr) != 1) {
        memset(out, 0, sizeof *out);
        return DNSFW_EPARSE;
    }
    out->family = 6;
    return DNSFW_OK;
}

int dnsfw_ip_format(const dnsfw_ip *ip, char *buf, size_t size)
{
    if (!ip || !buf || (ip->family != 4 && ip->family != 6))
        return DNSFW_EINVAL;
    char tmp[INET6_ADDRSTRLEN];
    if (ip->family == 4)
        snprintf(tmp, sizeof tmp, "%u.%u.%u.%u", ip->addr[12], ip->addr[13], ip->addr[14],
                 ip->addr[15]);
    else if (!inet_ntop(AF_INET6, ip->addr, tmp, sizeof tmp))
        return DNSFW_EINVAL;
    size_t n = strlen(tmp);
    if (n >= size)
        return DNSFW_ENOSPC;
    memcpy(buf, tmp, n + 1);
    return DNSFW_OK;
}
