/*
 * The times that log records carry, to milliseconds since 1970-01-01 UTC: RFC 3339
 * (Route 53's query_timestamp, CloudWatch export lines, RFC 5424 and journald's
 * short-iso), RFC 3164's "Nov 28 10:00:00" (no year, local time), BIND's
 * "28-Nov-2026 10:00:00.123" (local time) and a count of seconds ("1701163200",
 * unbound's default stamp). Each parser says whether the text has the shape of its
 * format at all (so that "Nov 31 10:00:00" is a bad time, not "no time").
 */
#include "logtime.h"

static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned char dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* n decimal digits at s as a number; false if any is not a digit. */
static bool num(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

static int month_of(const char *s)
{
    for (int i = 0; i < 12; i++)
        if (memcmp(s, months[i], 3) == 0)
            return i + 1;
    return 0;
}

/* Fractional seconds ".ddd..." at s (up to end): milliseconds, and the bytes used. */
static size_t fraction(const char *s, const char *end, unsigned *ms)
{
    *ms = 0;
    if (s >= end || *s != '.')
        return 0;
    size_t n = 1;
    unsigned scale = 100;
    while (s + n < end && s[n] >= '0' && s[n] <= '9') {
        *ms += (unsigned)(s[n] - '0') * scale;
        scale /= 10;
        n++;
    }
    return n > 1 ? n : 0;
}

static bool valid_clock(unsigned h, unsigned mi, unsigned sec)
{
    return h < 24 && mi < 60 && sec <= 60; /* 60: a leap second */
}

int dnsfw__time_rfc3339(const char *s, size_t len, size_t *used, int64_t *ms)
{
    unsigned y, mo, d, h = 0, mi = 0, sec = 0, frac = 0;
    const char *end = s + len;
    if (len < 10 || s[4] != '-' || s[7] != '-' || !num(s, 4, &y))
        return 0;
    if (!num(s + 5, 2, &mo) || !num(s + 8, 2, &d))
        return 0;
    const char *p = s + 10;
    int32_t offset = 0;
    bool has_time = p < end && (*p == 'T' || *p == 't');
    if (has_time) {
        if (end - p < 9 || p[3] != ':' || p[6] != ':' || !num(p + 1, 2, &h) ||
            !num(p + 4, 2, &mi) || !num(p + 7, 2, &sec))
            return -1;
        p += 9;
        p += fraction(p, end, &frac);
        if (p < end && (*p == 'Z' || *p == 'z')) {
            p++;
        } else if (p < end && (*p == '+' || *p == '-')) {
            unsigned oh, om;
            int sign = *p == '-' ? -1 : 1;
            /* "+00:00", or journald's "+0000" */
            if (end - p >= 6 && p[3] == ':' && num(p + 1, 2, &oh) && num(p + 4, 2, &om))
                p += 6;
            else if (end - p >= 5 && num(p + 1, 2, &oh) && num(p + 3, 2, &om))
                p += 5;
            else
                return -1;
            if (oh > 23 || om > 59)
                return -1;
            offset = sign * (int32_t)(oh * 3600 + om * 60);
        } else {
            return -1; /* RFC 3339 requires the zone */
        }
    }
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || !valid_clock(h, mi, sec))
        return -1;
    *used = (size_t)(p - s);
    *ms = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) - offset) * 1000 + frac;
    return 1;
}

int dnsfw__time_3164(const char *s, size_t len, const struct dnsfw__clock *clock, size_t *used,
                     int64_t *ms)
{
    /* "Nov 28 10:00:00" or "Nov  1 10:00:00", journald's short-precise adds ".123456" */
    unsigned d, h, mi, sec, frac = 0;
    if (len < 15 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':')
        return 0;
    int mo = month_of(s);
    if (!mo)
        return 0;
    if (!(s[4] == ' ' ? num(s + 5, 1, &d) : num(s + 4, 2, &d)) || !num(s + 7, 2, &h) ||
        !num(s + 10, 2, &mi) || !num(s + 13, 2, &sec))
        return -1;
    size_t n = 15 + fraction(s + 15, s + len, &frac);
    /* No year: the one that puts the time closest before the reader's "now", allowing a
     * month of clock skew into the future (a log read on 2 January holds December's). */
    int64_t now_s = clock->now_ms / 1000 + clock->local_offset;
    int64_t days = now_s >= 0 ? now_s / 86400 : (now_s - 86399) / 86400;
    /* the year of now (civil from days, inverse of days_from_civil) */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153, now_month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = (int64_t)yoe + era * 400 + (now_month <= 2);
    if ((unsigned)mo > now_month + 1)
        year--;
    if (d < 1 || d > days_in_month(year, (unsigned)mo) || !valid_clock(h, mi, sec))
        return -1;
    *used = n;
    *ms = ((days_from_civil(year, (unsigned)mo, d) * 86400 + h * 3600 + mi * 60 + sec) -
           clock->local_offset) *
              1000 +
          frac;
    return 1;
}

int dnsfw__time_bind(const char *s, size_t len, const struct dnsfw__clock *clock, size_t *used,
                     int64_t *ms)
{
    /* "28-Nov-2026 10:00:00.123" */
    unsigned d, y, h, mi, sec, frac = 0;
    if (len < 20 || s[2] != '-' || s[6] != '-' || s[11] != ' ' || s[14] != ':' || s[17] != ':')
        return 0;
    int mo = month_of(s + 3);
    if (!mo || !num(s, 2, &d) || !num(s + 7, 4, &y))
        return 0;
    if (!num(s + 12, 2, &h) || !num(s + 15, 2, &mi) || !num(s + 18, 2, &sec))
        return -1;
    size_t n = 20 + fraction(s + 20, s + len, &frac);
    if (d < 1 || d > days_in_month(y, (unsigned)mo) || !valid_clock(h, mi, sec))
        return -1;
    *used = n;
    *ms = ((days_from_civil(y, (unsigned)mo, d) * 86400 + h * 3600 + mi * 60 + sec) -
           clock->local_offset) *
              1000 +
          frac;
    return 1;
}

int dnsfw__time_epoch(const char *s, size_t len, size_t *used, int64_t *ms)
{
    /* seconds since 1970, 9 to 11 digits (2001 to 5138), optional fraction */
    size_t n = 0;
    int64_t v = 0;
    while (n < len && n < 12 && s[n] >= '0' && s[n] <= '9')
        v = v * 10 + (s[n++] - '0');
    if (n < 9 || n > 11)
        return 0;
    unsigned frac = 0;
    n += fraction(s + n, s + len, &frac);
    *used = n;
    *ms = v * 1000 + frac;
    return 1;
}

int dnsfw__time_any(const char *s, size_t len, const struct dnsfw__clock *clock, int64_t *ms)
{
    size_t used = 0;
    int rc = dnsfw__time_rfc3339(s, len, &used, ms);
    if (!rc)
        rc = dnsfw__time_3164(s, len, clock, &used, ms);
    if (!rc)
        rc = dnsfw__time_bind(s, len, clock, &used, ms);
    if (!rc)
        rc = dnsfw__time_epoch(s, len, &used, ms);
    return rc == 1 && used == len ? 1 : rc == 1 ? -1 : rc;
}

int dnsfw_time_parse(const char *text, size_t len, int64_t *ms)
{
    size_t used;
    if (!text || !ms)
        return DNSFW_EINVAL;
    if (dnsfw__time_rfc3339(text, len, &used, ms) != 1 || used != len)
        return DNSFW_EPARSE;
    return DNSFW_OK;
}
