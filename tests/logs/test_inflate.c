/*
 * The log reader's inflater (lib/inflate.c): ISA-L against zlib, the reference, on the
 * same random gzip streams fed in the same random pieces. Whole streams of one to five
 * members at every compression level; streams cut anywhere; streams with a byte
 * changed anywhere; members followed by bytes that are not gzip. The two must give the
 * same bytes, the same members and the same outcome (complete, cut or corrupt): what
 * the reader delivers and reports then does not depend on the inflater a build has.
 * Built only where the build has ISA-L (meson option isal).
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "inflate.h"

enum outcome { COMPLETE, CUT, CORRUPT };

struct result {
    uint8_t *out;
    size_t len, cap;
    int members;
    enum outcome outcome;
};

static uint64_t rng_state;
static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

/* Text that compresses as logs do: words from a small vocabulary, and some noise. */
static uint8_t *make_text(size_t n)
{
    static const char *words[] = {
        "{\"query_name\":\"", "example.com.", "\",\"rcode\":\"", "NOERROR", "\n",
        "s3.amazonaws.com."};
    uint8_t *t = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(t);
    for (size_t i = 0; i < n;) {
        if (rnd() % 8 == 0) {
            t[i++] = (uint8_t)rnd();
            continue;
        }
        const char *w = words[rnd() % (sizeof words / sizeof words[0])];
        for (size_t k = 0; w[k] && i < n; k++)
            t[i++] = (uint8_t)w[k];
    }
    return t;
}

/* One gzip member of text at level, appended to *z. */
static void gzip_member(const uint8_t *text, size_t n, int level, uint8_t **z, size_t *zlen)
{
    z_stream s = {0};
    ck_assert_int_eq(deflateInit2(&s, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                     Z_OK);
    /* the optional header fields too, as gzip(1) writes a name: each one half the time */
    static uint8_t extra[] = "AB\x04\x00data";
    static char name[] = "log.json", comment[] = "a comment";
    gz_header h = {0};
    if (rnd() % 2) {
        h.extra = extra;
        h.extra_len = sizeof extra - 1;
    }
    if (rnd() % 2)
        h.name = (Bytef *)name;
    if (rnd() % 2)
        h.comment = (Bytef *)comment;
    h.hcrc = (int)(rnd() % 2);
    ck_assert_int_eq(deflateSetHeader(&s, &h), Z_OK);
    size_t bound = deflateBound(&s, (uLong)n) + 32;
    *z = realloc(*z, *zlen + bound);
    ck_assert_ptr_nonnull(*z);
    s.next_in = (Bytef *)(uintptr_t)text;
    s.avail_in = (uInt)n;
    s.next_out = *z + *zlen;
    s.avail_out = (uInt)bound;
    ck_assert_int_eq(deflate(&s, Z_FINISH), Z_STREAM_END);
    *zlen += bound - s.avail_out;
    deflateEnd(&s);
}

static void append(struct result *r, const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    if (r->len + n > r->cap) {
        r->cap = (r->len + n) * 2;
        r->out = realloc(r->out, r->cap);
        ck_assert_ptr_nonnull(r->out);
    }
    memcpy(r->out + r->len, p, n);
    r->len += n;
}

/* The stream through one kind of inflater, in pieces of sizes drawn from seed, as the
 * log reader drives it (lib/logreader.c, gz_inflate). */
static struct result run(enum dnsfw__inflater_kind kind, const uint8_t *z, size_t zlen,
                         uint64_t seed, size_t out_cap)
{
    struct result r = {0};
    struct dnsfw__inflater inf;
    ck_assert_int_eq(dnsfw__inflater_init(&inf, kind), DNSFW_OK);
    ck_assert_int_eq(inf.kind, kind);
    uint8_t *out = malloc(out_cap);
    ck_assert_ptr_nonnull(out);
    uint64_t saved = rng_state;
    rng_state = seed;
    bool at_boundary = true;
    r.outcome = COMPLETE;
    for (size_t at = 0; at < zlen && r.outcome == COMPLETE;) {
        /* whole, or in small or large pieces */
        uint32_t how = rnd() % 3;
        size_t piece = how == 0 ? zlen : 1 + rnd() % (how == 1 ? 16 : 4096);
        if (piece > zlen - at)
            piece = zlen - at;
        /* each piece in a heap block of its size, so that a read past it shows (valgrind) */
        uint8_t *copy = malloc(piece);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, z + at, piece);
        dnsfw__inflater_input(&inf, copy, piece);
        at += piece;
        for (;;) {
            if (at_boundary && inf.in_len == 0)
                break;
            size_t produced;
            bool consumed;
            enum dnsfw__inflate_result ret =
                dnsfw__inflate(&inf, out, out_cap, &produced, &consumed);
            if (consumed)
                at_boundary = false;
            append(&r, out, produced);
            if (ret == INFLATE_END) {
                r.members++;
                at_boundary = true;
                ck_assert_int_eq(dnsfw__inflater_reset(&inf), DNSFW_OK);
                continue;
            }
            if (ret == INFLATE_OK) {
                if ((inf.in_len == 0 && produced < out_cap) || (!consumed && !produced))
                    break;
                continue;
            }
            ck_assert_int_eq(ret, INFLATE_BAD);
            r.outcome = CORRUPT;
            break;
        }
        free(copy);
    }
    if (r.outcome == COMPLETE && !at_boundary) {
        r.outcome = CUT;
        uint8_t *extra;
        size_t n_extra;
        ck_assert_int_eq(dnsfw__inflater_cut(&inf, &extra, &n_extra), DNSFW_OK);
        append(&r, extra, n_extra);
        free(extra);
    }
    rng_state = saved;
    free(out);
    dnsfw__inflater_free(&inf);
    return r;
}

/* Both kinds on the same stream and pieces; returns zlib's result. */
static struct result both(const uint8_t *z, size_t zlen, const char *what)
{
    uint64_t seed = rnd();
    size_t out_cap = rnd() % 2 ? 256 * 1024 : 1 + rnd() % 300;
    struct result a = run(INFLATER_ZLIB, z, zlen, seed, out_cap);
    struct result b = run(INFLATER_ISAL, z, zlen, seed, out_cap);
    ck_assert_msg(a.outcome == b.outcome, "%s: zlib outcome %d, ISA-L %d", what, a.outcome,
                  b.outcome);
    ck_assert_msg(a.members == b.members, "%s: zlib read %d members, ISA-L %d", what, a.members,
                  b.members);
    /* also before the damage in a corrupt member: the reader delivers those bytes */
    ck_assert_msg(a.len == b.len, "%s: zlib gave %zu bytes, ISA-L %zu", what, a.len, b.len);
    ck_assert_msg(a.len == 0 || memcmp(a.out, b.out, a.len) == 0, "%s: bytes differ", what);
    free(b.out);
    return a;
}

/* A stream of 1 to 5 members; the text in *text (their concatenation). */
static uint8_t *make_stream(size_t *zlen, uint8_t **text, size_t *tlen, int *members)
{
    uint8_t *z = NULL;
    *zlen = *tlen = 0;
    *members = 1 + (int)(rnd() % 5);
    *text = NULL;
    for (int m = 0; m < *members; m++) {
        size_t n = rnd() % 3 == 0 ? rnd() % 64 : rnd() % 200000;
        uint8_t *t = make_text(n);
        gzip_member(t, n, (int)(rnd() % 10), &z, zlen);
        *text = realloc(*text, *tlen + n + 1);
        ck_assert_ptr_nonnull(*text);
        memcpy(*text + *tlen, t, n);
        *tlen += n;
        free(t);
    }
    return z;
}

START_TEST(whole_streams)
{
    rng_state = 0x1f8b0000u + (uint64_t)_i;
    for (int round = 0; round < 10; round++) {
        size_t zlen, tlen;
        uint8_t *text;
        int members;
        uint8_t *z = make_stream(&zlen, &text, &tlen, &members);
        struct result r = both(z, zlen, "whole stream");
        ck_assert_int_eq(r.outcome, COMPLETE);
        ck_assert_int_eq(r.members, members);
        ck_assert_uint_eq(r.len, tlen);
        ck_assert(tlen == 0 || memcmp(r.out, text, tlen) == 0);
        free(r.out);
        free(z);
        free(text);
    }
}
END_TEST

START_TEST(cut_streams)
{
    rng_state = 0xc0700000u + (uint64_t)_i;
    for (int round = 0; round < 10; round++) {
        size_t zlen, tlen;
        uint8_t *text;
        int members;
        uint8_t *z = make_stream(&zlen, &text, &tlen, &members);
        size_t cut = rnd() % zlen;
        struct result r = both(z, cut, "cut stream");
        /* cut at a member's end is a complete stream of fewer members */
        ck_assert(r.outcome == CUT || r.outcome == COMPLETE);
        ck_assert_uint_le(r.len, tlen);
        ck_assert(r.len == 0 || memcmp(r.out, text, r.len) == 0);
        free(r.out);
        free(z);
        free(text);
    }
}
END_TEST

START_TEST(changed_bytes)
{
    rng_state = 0xbad00000u + (uint64_t)_i;
    for (int round = 0; round < 20; round++) {
        size_t zlen, tlen;
        uint8_t *text;
        int members;
        uint8_t *z = make_stream(&zlen, &text, &tlen, &members);
        /* often in the header and trailer, where the two libraries check different things */
        size_t at = rnd() % 2 ? rnd() % 10 : rnd() % 2 ? zlen - 1 - rnd() % 8 : rnd() % zlen;
        z[at] ^= (uint8_t)(1 + rnd() % 255);
        struct result r = both(z, zlen, "changed byte");
        free(r.out);
        free(z);
        free(text);
    }
}
END_TEST

START_TEST(bytes_after_members)
{
    rng_state = 0xa17e0000u + (uint64_t)_i;
    static const char *tails[] = {"\n",
                                  "\0\0\0\0",
                                  "not gzip",
                                  "\x1f",
                                  "\x1f\x8b",
                                  "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
                                  "\x1f\x8b\x09\x01",
                                  "\x1f\x8b\x08\xe0",
                                  "\x1f\x8b\x08"};
    for (size_t k = 0; k < sizeof tails / sizeof tails[0]; k++) {
        size_t zlen, tlen;
        uint8_t *text;
        int members;
        uint8_t *z = make_stream(&zlen, &text, &tlen, &members);
        size_t n = k == 1 ? 4 : strlen(tails[k]);
        z = realloc(z, zlen + n);
        ck_assert_ptr_nonnull(z);
        memcpy(z + zlen, tails[k], n);
        char what[64];
        snprintf(what, sizeof what, "bytes after the members (tail %zu)", k);
        struct result r = both(z, zlen + n, what);
        ck_assert_int_ge(r.members, members);
        ck_assert_uint_ge(r.len, tlen);
        free(r.out);
        free(z);
        free(text);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("inflate");
    TCase *tc = tcase_create("isal_vs_zlib");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, whole_streams, 0, 4);
    tcase_add_loop_test(tc, cut_streams, 0, 12);
    tcase_add_loop_test(tc, changed_bytes, 0, 4);
    tcase_add_loop_test(tc, bytes_after_members, 0, 2);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
