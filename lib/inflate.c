/* gzip members inflated with ISA-L where the build has it, with zlib otherwise. */
#include "inflate.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#ifdef DNSFW_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#define STEP_MAX (1u << 30) /* input a step takes at most: both libraries count in 32 bits */

/* The parts of a gzip header (read_header), and its flags. */
enum { H_FIXED, H_XLEN, H_EXTRA, H_NAME, H_COMMENT, H_HCRC, H_DONE };
#define F_HCRC    0x02
#define F_EXTRA   0x04
#define F_NAME    0x08
#define F_COMMENT 0x10

enum dnsfw__inflater_kind dnsfw__inflater_best(void)
{
#ifdef DNSFW_HAVE_ISAL
    return INFLATER_ISAL;
#else
    return INFLATER_ZLIB;
#endif
}

int dnsfw__inflater_init(struct dnsfw__inflater *z, enum dnsfw__inflater_kind kind)
{
    memset(z, 0, sizeof *z);
#ifndef DNSFW_HAVE_ISAL
    kind = INFLATER_ZLIB;
#endif
    z->kind = kind;
    if (kind == INFLATER_ZLIB) {
        z_stream *s = calloc(1, sizeof *s);
        if (!s)
            return DNSFW_ENOMEM;
        if (inflateInit2(s, 16 + MAX_WBITS) != Z_OK) { /* gzip framing only */
            free(s);
            return DNSFW_ENOMEM;
        }
        z->state = s;
        return DNSFW_OK;
    }
#ifdef DNSFW_HAVE_ISAL
    /* zeroed: ISA-L's init leaves fields its gzip header reader looks at (valgrind) */
    struct inflate_state *s = calloc(1, sizeof *s);
    z->saved = calloc(1, sizeof *s);
    if (!s || !z->saved) {
        free(s);
        free(z->saved);
        z->saved = NULL;
        return DNSFW_ENOMEM;
    }
    isal_inflate_init(s);
    s->crc_flag = ISAL_GZIP_NO_HDR_VER; /* the header read here; CRC-32 and length checked */
    z->state = s;
    z->fresh = true;
#endif
    return DNSFW_OK;
}

void dnsfw__inflater_free(struct dnsfw__inflater *z)
{
    if (!z->state)
        return;
    if (z->kind == INFLATER_ZLIB)
        inflateEnd(z->state);
    free(z->state);
    free(z->saved);
    free(z->member_in);
    z->state = z->saved = NULL;
    z->member_in = NULL;
}

int dnsfw__inflater_reset(struct dnsfw__inflater *z)
{
    z->member_out = 0;
    if (z->kind == INFLATER_ZLIB)
        return inflateReset(z->state) == Z_OK ? DNSFW_OK : DNSFW_ENOMEM;
#ifdef DNSFW_HAVE_ISAL
    struct inflate_state *s = z->state;
    isal_inflate_reset(s);
    s->crc_flag = ISAL_GZIP_NO_HDR_VER;
    z->fresh = true;
    z->hstage = H_FIXED;
    z->hflags = 0;
    z->hcount = z->hlen = z->hcrc = 0;
    z->member_in_len = 0;
    z->member_in_lost = false;
#endif
    return DNSFW_OK;
}

static enum dnsfw__inflate_result step_zlib(struct dnsfw__inflater *z, uint8_t *out, size_t cap,
                                            size_t *produced, bool *consumed)
{
    z_stream *s = z->state;
    uInt take = z->in_len < STEP_MAX ? (uInt)z->in_len : STEP_MAX;
    s->next_in = (Bytef *)(uintptr_t)z->in;
    s->avail_in = take;
    s->next_out = out;
    s->avail_out = cap < STEP_MAX ? (uInt)cap : STEP_MAX;
    uInt out_before = s->avail_out;
    int ret = inflate(s, Z_NO_FLUSH);
    size_t used = take - s->avail_in;
    *consumed = used > 0;
    z->in += used;
    z->in_len -= used;
    *produced = out_before - s->avail_out;
    z->member_out += *produced;
    switch (ret) {
    case Z_OK:
    case Z_BUF_ERROR: /* no progress: more input is needed */
        return INFLATE_OK;
    case Z_STREAM_END:
        return INFLATE_END;
    case Z_MEM_ERROR:
        return INFLATE_NO_MEMORY;
    default:
        return INFLATE_BAD;
    }
}

#ifdef DNSFW_HAVE_ISAL
/*
 * The gzip header (RFC 1952 2.3), read here as it comes and checked as zlib checks it:
 * ISA-L's own reader keeps part of its state in a local between calls (valgrind: a
 * conditional jump on an uninitialised value when a header with optional fields comes
 * in pieces), and it waits for the whole fixed part before checking any of it, where
 * zlib rejects bytes that are not gzip (zeros padding a file) as soon as it sees them.
 * ISA-L then inflates the deflate data and checks the trailer (ISAL_GZIP_NO_HDR_VER).
 * Returns 1 when the header is complete, 0 when it needs more input, -1 when it is bad.
 */

static int read_header(struct dnsfw__inflater *z)
{
    const uint8_t *p = z->in, *end = z->in + z->in_len;
    const uint8_t *crc_from = p; /* the header CRC covers the bytes before its field */
    int result = 0;
    while (p < end && z->hstage != H_DONE && result == 0) {
        uint8_t c = *p;
        switch (z->hstage) {
        case H_FIXED:
            /* as zlib: the ID bytes checked when both are there, CM and FLG likewise */
            if (z->hcount == 0 || z->hcount == 2)
                z->hflags = c;
            else if (z->hcount == 1 && (z->hflags != 0x1f || c != 0x8b))
                result = -1;
            else if (z->hcount == 3 && (z->hflags != 8 || (c & 0xe0)))
                result = -1;
            else if (z->hcount == 3)
                z->hflags = c;
            if (result == 0 && ++z->hcount == 10) {
                z->hcount = 0;
                z->hstage = H_XLEN;
            }
            break;
        case H_XLEN:
            if (!(z->hflags & F_EXTRA)) {
                z->hstage = H_NAME;
                continue;
            }
            z->hlen |= (uint32_t)c << (8 * z->hcount);
            if (++z->hcount == 2) {
                z->hcount = 0;
                z->hstage = H_EXTRA;
            }
            break;
        case H_EXTRA:
            if (z->hcount == z->hlen) {
                z->hcount = 0;
                z->hstage = H_NAME;
                continue;
            }
            z->hcount++;
            break;
        case H_NAME:
        case H_COMMENT:
            if (!(z->hflags & (z->hstage == H_NAME ? F_NAME : F_COMMENT))) {
                z->hstage++;
                continue;
            }
            if (c == 0)
                z->hstage++;
            break;
        case H_HCRC:
            if (!(z->hflags & F_HCRC)) {
                z->hstage = H_DONE;
                continue;
            }
            if (crc_from) {
                z->hcrc = (uint32_t)crc32(z->hcrc, crc_from, (uInt)(p - crc_from));
                crc_from = NULL;
            }
            if (((z->hcrc >> (8 * z->hcount)) & 0xff) != c)
                result = -1;
            else if (++z->hcount == 2)
                z->hstage = H_DONE;
            break;
        }
        if (result == 0)
            p++;
    }
    if (crc_from)
        z->hcrc = (uint32_t)crc32(z->hcrc, crc_from, (uInt)(p - crc_from));
    z->in_len -= (size_t)(p - z->in);
    z->in = p;
    return result < 0 ? -1 : z->hstage == H_DONE;
}

/* One call of ISA-L on [in, in+take) into [out, out+cap): its result, *used and *made. */
static int isal_call(struct inflate_state *s, const uint8_t *in, uint32_t take, uint8_t *out,
                     uint32_t cap, uint32_t *used, uint32_t *made)
{
    s->next_in = (uint8_t *)(uintptr_t)in;
    s->avail_in = take;
    s->next_out = out;
    s->avail_out = cap;
    int ret = isal_inflate(s);
    *used = take - s->avail_in;
    *made = cap - s->avail_out;
    return ret;
}

static bool isal_failed(int ret)
{
    /* beyond the errors: a header field too long for ISA-L, or a zlib dictionary */
    return ret < 0 || (ret != ISAL_DECOMP_OK && ret != ISAL_END_INPUT);
}

/*
 * ISA-L from its current state on [in, in+take), a byte of input a call: it stops where
 * zlib stops, on corrupt data and at the end of the input (see step_isal).
 */
static int isal_bytewise(struct inflate_state *s, const uint8_t *in, uint32_t take, uint8_t *out,
                         uint32_t cap, uint32_t *used, uint32_t *made)
{
    *used = *made = 0;
    int ret = ISAL_DECOMP_OK;
    while (*made < cap && s->block_state != ISAL_BLOCK_FINISH) {
        uint32_t u, m;
        ret = isal_call(s, in + *used, *used < take ? 1 : 0, out + *made, cap - *made, &u, &m);
        *used += u;
        *made += m;
        if (isal_failed(ret) || (u == 0 && m == 0))
            break;
    }
    return ret;
}

/*
 * Where ISA-L has much input at once it decodes several symbols a step, and where it is
 * near the end of its input it may leave the last bits undecoded: on corrupt data it may
 * stop before or past the point where zlib stops, and a member cut short may give a byte
 * or so less than zlib, depending on how the input was cut into pieces. The log reader
 * promises that what it reads does not depend on that. So ISA-L gets all but the last
 * TAIL bytes of a step's input at once and those a byte at a time, which ends where zlib
 * ends; and a step that fails is run again from the state before it, a byte at a time.
 */
#define TAIL 32

/*
 * A member cut short (the input ends inside it) is the one case the steps cannot make
 * exact: ISA-L may leave its last symbol undecoded, depending on how the block's header
 * came in. So the member's input is kept, up to MEMBER_KEEP bytes (Firehose payloads
 * and most export files are far smaller), and at the cut zlib reads it again for the
 * bytes ISA-L left (dnsfw__inflater_cut). A longer member cut short may miss its last
 * symbol's bytes (docs/logs.md).
 */
#define MEMBER_KEEP ((size_t)4 << 20)

static void keep_input(struct dnsfw__inflater *z, const uint8_t *p, size_t n)
{
    if (z->member_in_lost || n == 0)
        return;
    if (z->member_in_len + n > MEMBER_KEEP) {
        z->member_in_lost = true;
        return;
    }
    if (z->member_in_len + n > z->member_in_cap) {
        size_t cap = z->member_in_cap ? z->member_in_cap * 2 : 64 * 1024;
        while (cap < z->member_in_len + n)
            cap *= 2;
        uint8_t *nb = realloc(z->member_in, cap);
        if (!nb) {
            z->member_in_lost = true; /* only the cut's last bytes are at stake */
            return;
        }
        z->member_in = nb;
        z->member_in_cap = cap;
    }
    memcpy(z->member_in + z->member_in_len, p, n);
    z->member_in_len += n;
}

static enum dnsfw__inflate_result step_isal(struct dnsfw__inflater *z, uint8_t *out, size_t cap,
                                            size_t *produced, bool *consumed)
{
    struct inflate_state *s = z->state;
    if (z->hstage != H_DONE) {
        const uint8_t *before = z->in;
        int h = read_header(z);
        keep_input(z, before, (size_t)(z->in - before));
        *produced = 0;
        *consumed = z->in != before;
        if (h < 0)
            return INFLATE_BAD;
        if (h == 0)
            return INFLATE_OK; /* needs more input */
    }
    uint32_t take = z->in_len < STEP_MAX ? (uint32_t)z->in_len : STEP_MAX;
    uint32_t room = cap < STEP_MAX ? (uint32_t)cap : STEP_MAX, used = 0, made = 0;
    if (!z->fresh) /* 87 KB, so not at a member's start, where a reset restores it */
        memcpy(z->saved, s, sizeof *s);
    uint32_t bulk = take > TAIL ? take - TAIL : 0;
    int ret = ISAL_DECOMP_OK;
    if (bulk)
        ret = isal_call(s, z->in, bulk, out, room, &used, &made);
    if (!isal_failed(ret) && used == bulk && made < room && s->block_state != ISAL_BLOCK_FINISH) {
        uint32_t u, m;
        ret = isal_bytewise(s, z->in + used, take - used, out + made, room - made, &u, &m);
        used += u;
        made += m;
    }
    if (isal_failed(ret)) {
        if (z->fresh) { /* the step began a member: the state before it is a reset one */
            isal_inflate_reset(s);
            s->crc_flag = ISAL_GZIP_NO_HDR_VER;
        } else {
            memcpy(s, z->saved, sizeof *s);
        }
        ret = isal_bytewise(s, z->in, take, out, room, &used, &made);
    }
    z->fresh = false;
    keep_input(z, z->in, used);
    *consumed = used > 0;
    z->in += used;
    z->in_len -= used;
    *produced = made;
    z->member_out += made;
    if (isal_failed(ret))
        return INFLATE_BAD;
    return s->block_state == ISAL_BLOCK_FINISH ? INFLATE_END : INFLATE_OK;
}
#endif

enum dnsfw__inflate_result dnsfw__inflate(struct dnsfw__inflater *z, uint8_t *out, size_t cap,
                                          size_t *produced, bool *consumed)
{
#ifdef DNSFW_HAVE_ISAL
    if (z->kind == INFLATER_ISAL)
        return step_isal(z, out, cap, produced, consumed);
#endif
    return step_zlib(z, out, cap, produced, consumed);
}

int dnsfw__inflater_cut(struct dnsfw__inflater *z, uint8_t **extra, size_t *n_extra)
{
    *extra = NULL;
    *n_extra = 0;
    if (z->kind != INFLATER_ISAL || z->member_in_lost || z->member_in_len == 0)
        return DNSFW_OK;
    z_stream zs = {0};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return DNSFW_ENOMEM;
    uint8_t buf[16384];
    uint64_t skip = z->member_out; /* what the steps gave already */
    size_t have = 0, cap = 0;
    uint8_t *out = NULL;
    int rc = DNSFW_OK, ret;
    zs.next_in = z->member_in;
    zs.avail_in = (uInt)z->member_in_len;
    do {
        zs.next_out = buf;
        zs.avail_out = sizeof buf;
        ret = inflate(&zs, Z_NO_FLUSH);
        size_t n = sizeof buf - zs.avail_out, from = 0;
        if (skip) {
            from = skip < n ? (size_t)skip : n;
            skip -= from;
        }
        if (n > from) {
            if (have + n - from > cap) {
                cap = (have + n - from) * 2;
                uint8_t *nb = realloc(out, cap);
                if (!nb) {
                    rc = DNSFW_ENOMEM;
                    break;
                }
                out = nb;
            }
            memcpy(out + have, buf + from, n - from);
            have += n - from;
        }
    } while (ret == Z_OK && zs.avail_out == 0);
    inflateEnd(&zs);
    if (rc) {
        free(out);
        return rc;
    }
    *extra = out;
    *n_extra = have;
    return DNSFW_OK;
}
