/*
 * Fuzz target: query names, domain specs and query types.
 *
 * The same input bytes are read four ways:
 *   - a presentation-form query name: dnsfw_name_normalize() and dnsfw_eval() against a
 *     small fixed policy, checked against a plain re-reading of the name written here
 *     (labels, escapes, length limits), normalising twice gives the same text, and the
 *     name evaluates the same as its normal form and as its wire form;
 *   - a wire-form name: dnsfw_eval_wire(), checked the same way, and its labels written
 *     back as \DDD text evaluate the same;
 *   - a domain spec: dnsfw_spec_normalize() against AWS's syntax written out here;
 *     a valid spec goes into a policy, and names made from it match as AWS says
 *     ("x" matches x only, "*.x" matches a.x and b.a.x but never x, "*" matches all);
 *   - a query type: dnsfw_qtype_parse() round-trips through dnsfw_qtype_format().
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dnsfw/dnsfw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT 4096

__attribute__((noreturn, format(printf, 3, 4))) static void die(int line, const char *expr,
                                                                const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "fuzz_name_spec.c:%d: check failed: %s\n  ", line, expr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

#define CHECK(cond, ...) ((cond) ? (void)0 : die(__LINE__, #cond, __VA_ARGS__))

static uint8_t lower(uint8_t c)
{
    return (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/* --- a name as labels of octets, read independently of the library ----------------- */

struct ref_name {
    uint8_t octets[1024]; /* label octets back to back, lower-cased */
    size_t start[512], len[512];
    size_t n_labels;
    size_t wire_len; /* length bytes + octets + the root label */
    /* Every error condition met while reading (a bad escape stops the reading). */
    bool empty_label, long_label, long_name, bad_escape;
};

static void ref_add_label(struct ref_name *r, size_t start, size_t len)
{
    if (len == 0)
        r->empty_label = true;
    if (len > 63)
        r->long_label = true;
    if (r->n_labels < sizeof r->len / sizeof r->len[0]) {
        r->start[r->n_labels] = start;
        r->len[r->n_labels++] = len;
    }
    r->wire_len += 1 + len;
    if (r->wire_len + 1 > 255)
        r->long_name = true;
}

/* RFC 1035 §5.1 presentation form: "\." and "\DDD" escapes, one optional final dot. */
static void ref_parse_text(struct ref_name *r, const uint8_t *s, size_t n)
{
    memset(r, 0, sizeof *r);
    r->wire_len = 0;
    if (n == 1 && s[0] == '.') {
        r->wire_len = 1;
        return;
    }
    if (n == 0) {
        r->empty_label = true;
        return;
    }
    size_t o = 0, label_start = 0;
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i++];
        if (c == '.') {
            ref_add_label(r, label_start, o - label_start);
            label_start = o;
            if (i == n) /* the final dot */
                goto done;
            continue;
        }
        if (c == '\\') {
            if (i == n) {
                r->bad_escape = true;
                return;
            }
            if (s[i] >= '0' && s[i] <= '9') {
                if (n - i < 3 || s[i + 1] < '0' || s[i + 1] > '9' || s[i + 2] < '0' ||
                    s[i + 2] > '9') {
                    r->bad_escape = true;
                    return;
                }
                unsigned v = (s[i] - '0') * 100u + (s[i + 1] - '0') * 10u + (s[i + 2] - '0');
                if (v > 255) {
                    r->bad_escape = true;
                    return;
                }
                c = (uint8_t)v;
                i += 3;
            } else {
                c = s[i++];
            }
        }
        if (o < sizeof r->octets)
            r->octets[o++] = lower(c);
        else
            r->long_name = true; /* far past any limit anyway */
        /* Limits are met octet by octet: a bad escape further on may stop the reading. */
        size_t cur = o - label_start;
        if (cur > 63)
            r->long_label = true;
        if (r->wire_len + cur >= 255)
            r->long_name = true;
    }
    ref_add_label(r, label_start, o - label_start);
done:
    r->wire_len += 1;
    if (r->wire_len > 255)
        r->long_name = true;
}

static bool ref_ok(const struct ref_name *r)
{
    return !r->empty_label && !r->long_label && !r->long_name && !r->bad_escape;
}

/* The status the library may return for a name the reference reads as r. */
static bool ref_allows(const struct ref_name *r, int rc)
{
    if (ref_ok(r))
        return rc == DNSFW_OK;
    return (rc == DNSFW_EEMPTYLABEL && r->empty_label) ||
           (rc == DNSFW_ELABELLEN && r->long_label) || (rc == DNSFW_ENAMELEN && r->long_name) ||
           (rc == DNSFW_EESCAPE && r->bad_escape);
}

static bool ref_label_is(const struct ref_name *r, size_t from_end, const char *text)
{
    if (from_end >= r->n_labels)
        return false;
    size_t i = r->n_labels - 1 - from_end;
    return r->len[i] == strlen(text) && memcmp(r->octets + r->start[i], text, r->len[i]) == 0;
}

/* Uncompressed wire form (what dnsfw_eval_wire() reads), same checks. */
static bool ref_parse_wire(struct ref_name *r, const uint8_t *w, size_t n)
{
    memset(r, 0, sizeof *r);
    size_t pos = 0, o = 0;
    for (;;) {
        if (pos >= n)
            return false; /* truncated */
        uint8_t l = w[pos];
        if (l == 0)
            break;
        if (l > 63 || pos + 1 + l >= n)
            return false; /* compression pointer, extended label type, truncated */
        memcpy(r->octets + o, w + pos + 1, l);
        for (size_t k = 0; k < l; k++)
            r->octets[o + k] = lower(r->octets[o + k]);
        ref_add_label(r, o, l);
        o += l;
        pos += 1 + (size_t)l;
        if (r->long_name)
            return false;
    }
    r->wire_len += 1;
    return true;
}

/* --- the fixed policy the names are evaluated against ------------------------------ */

static dnsfw_matcher *fixed;

/*
 * Rule 1: BLOCK exact example.com and xn--bcher-kva.example; rule 2: ALERT *.example.com;
 * rule 3: ALLOW * for type A only.
 */
static void build_fixed(void)
{
    dnsfw_policy *p;
    uint32_t exact, wild, all, g;
    const char *reason = NULL;
    CHECK(dnsfw_policy_new(&p) == DNSFW_OK, "policy_new");
    CHECK(dnsfw_policy_add_list(p, "exact", &exact) == DNSFW_OK &&
              dnsfw_policy_add_list(p, "wild", &wild) == DNSFW_OK &&
              dnsfw_policy_add_list(p, "all", &all) == DNSFW_OK,
          "add_list");
    CHECK(dnsfw_policy_add_spec(p, exact, "Example.COM.", 12, &reason) == DNSFW_OK &&
              dnsfw_policy_add_spec(p, exact, "xn--bcher-kva.example", 21, &reason) == 0 &&
              dnsfw_policy_add_spec(p, wild, "*.example.com", 13, &reason) == DNSFW_OK &&
              dnsfw_policy_add_spec(p, all, "*.", 2, &reason) == DNSFW_OK,
          "add_spec");
    CHECK(dnsfw_policy_add_group(p, "g", 10, &g) == DNSFW_OK, "add_group");
    dnsfw_rule_def r1 = {.name = "r1",
                         .priority = 1,
                         .action = DNSFW_ACTION_BLOCK,
                         .domain_list = exact,
                         .block_response = DNSFW_RESPONSE_NXDOMAIN};
    dnsfw_rule_def r2 = {
        .name = "r2", .priority = 2, .action = DNSFW_ACTION_ALERT, .domain_list = wild};
    dnsfw_rule_def r3 = {
        .name = "r3", .priority = 3, .action = DNSFW_ACTION_ALLOW, .domain_list = all, .qtype = 1};
    CHECK(dnsfw_policy_add_rule(p, g, &r1, &reason) == DNSFW_OK &&
              dnsfw_policy_add_rule(p, g, &r2, &reason) == DNSFW_OK &&
              dnsfw_policy_add_rule(p, g, &r3, &reason) == DNSFW_OK,
          "add_rule");
    CHECK(dnsfw_compile(p, &fixed) == DNSFW_OK, "compile");
    dnsfw_policy_free(p);
}

/* The verdict of the fixed policy for a name read as r, type A (1) or AAAA (28). */
static void check_fixed_verdict(const struct ref_name *r, uint16_t qtype, const dnsfw_verdict *v,
                                const char *what)
{
    dnsfw_action want = DNSFW_ACTION_NONE;
    const char *entry = "";
    if (r->n_labels == 2 &&
        ((ref_label_is(r, 0, "com") && ref_label_is(r, 1, "example")) ||
         (ref_label_is(r, 0, "example") && ref_label_is(r, 1, "xn--bcher-kva")))) {
        want = DNSFW_ACTION_BLOCK;
        entry = ref_label_is(r, 0, "com") ? "example.com" : "xn--bcher-kva.example";
    } else if (r->n_labels > 2 && ref_label_is(r, 0, "com") && ref_label_is(r, 1, "example")) {
        want = DNSFW_ACTION_ALERT;
        entry = "*.example.com";
    } else if (qtype == 1) {
        want = DNSFW_ACTION_ALLOW;
        entry = "*";
    }
    dnsfw_explanation ex;
    CHECK(dnsfw_explain(fixed, v, 0, &ex) == DNSFW_OK, "explain");
    CHECK(v->action == want && strcmp(ex.entry, entry) == 0,
          "%s type %u: action %d entry \"%s\", expected %d \"%s\"", what, qtype, (int)v->action,
          ex.entry, (int)want, entry);
    CHECK(v->block_response ==
              (want == DNSFW_ACTION_BLOCK ? DNSFW_RESPONSE_NXDOMAIN : DNSFW_RESPONSE_NONE),
          "%s: block response %d", what, (int)v->block_response);
}

static bool same_verdict(const dnsfw_verdict *a, const dnsfw_verdict *b)
{
    return a->action == b->action && a->block_response == b->block_response && a->rule == b->rule &&
           a->domain_list == b->domain_list && a->entry_kind == b->entry_kind &&
           a->entry_node == b->entry_node && a->hop == b->hop;
}

/* --- the input as a presentation-form name ----------------------------------------- */

static void check_text_name(const char *text, size_t size)
{
    struct ref_name r;
    ref_parse_text(&r, (const uint8_t *)text, size);

    char out[DNSFW_NAME_TEXT_MAX], again[DNSFW_NAME_TEXT_MAX];
    size_t olen = 12345, alen = 0;
    int rc = dnsfw_name_normalize(text, size, out, sizeof out, &olen);
    CHECK(ref_allows(&r, rc),
          "normalize: status %d; reference: empty %d long label %d long "
          "name %d escape %d",
          rc, r.empty_label, r.long_label, r.long_name, r.bad_escape);

    dnsfw_verdict va, vaaaa;
    int erc = dnsfw_eval(fixed, text, size, 1, DNSFW_SCOPE_ALL, &va);
    CHECK(erc == rc, "eval says %d, normalize says %d", erc, rc);
    if (rc != DNSFW_OK)
        return;
    CHECK(dnsfw_eval(fixed, text, size, 28, DNSFW_SCOPE_ALL, &vaaaa) == DNSFW_OK, "eval AAAA");

    /* The normal form: printable ASCII, no upper case, a final dot, and a fixed point. */
    CHECK(olen == strlen(out) && olen >= 1 && out[olen - 1] == '.', "normal form \"%s\" (%zu)", out,
          olen);
    for (size_t i = 0; i < olen; i++)
        CHECK(out[i] >= 0x21 && out[i] <= 0x7e && !(out[i] >= 'A' && out[i] <= 'Z'),
              "byte 0x%02x in the normal form \"%s\"", (unsigned)(uint8_t)out[i], out);
    CHECK(dnsfw_name_normalize(out, olen, again, sizeof again, &alen) == DNSFW_OK && alen == olen &&
              strcmp(out, again) == 0,
          "normalising \"%s\" again gives \"%s\"", out, again);
    struct ref_name rn;
    ref_parse_text(&rn, (const uint8_t *)out, olen);
    CHECK(ref_ok(&rn) && rn.n_labels == r.n_labels && rn.wire_len == r.wire_len,
          "the normal form \"%s\" is another name", out);
    for (size_t i = 0; i < r.n_labels; i++)
        CHECK(rn.len[i] == r.len[i] &&
                  memcmp(rn.octets + rn.start[i], r.octets + r.start[i], r.len[i]) == 0,
              "label %zu differs in the normal form \"%s\"", i, out);

    /* A buffer one byte short is refused, not overrun. */
    char *tight = malloc(olen);
    CHECK(tight, "out of memory");
    CHECK(dnsfw_name_normalize(text, size, tight, olen, NULL) == DNSFW_ENOSPC, "short buffer");
    free(tight);

    check_fixed_verdict(&r, 1, &va, out);
    check_fixed_verdict(&r, 28, &vaaaa, out);
    dnsfw_verdict v;
    CHECK(dnsfw_eval(fixed, out, olen, 1, DNSFW_SCOPE_ALL, &v) == DNSFW_OK && same_verdict(&v, &va),
          "the normal form \"%s\" evaluates differently", out);

    /* The same name in wire form. */
    uint8_t wire[256];
    size_t w = 0;
    for (size_t i = 0; i < r.n_labels; i++) {
        wire[w++] = (uint8_t)r.len[i];
        memcpy(wire + w, r.octets + r.start[i], r.len[i]);
        w += r.len[i];
    }
    wire[w++] = 0;
    CHECK(w == r.wire_len, "wire length %zu, counted %zu", w, r.wire_len);
    CHECK(dnsfw_eval_wire(fixed, wire, w, 1, DNSFW_SCOPE_ALL, &v) == DNSFW_OK &&
              same_verdict(&v, &va),
          "the wire form of \"%s\" evaluates differently", out);
}

/* --- the input as a wire-form name ------------------------------------------------- */

static void check_wire_name(const uint8_t *data, size_t size)
{
    struct ref_name r;
    bool ok = ref_parse_wire(&r, data, size);
    dnsfw_verdict v, vt;
    int rc = dnsfw_eval_wire(fixed, data, size, 1, DNSFW_SCOPE_ALL, &v);
    CHECK(ok == (rc == DNSFW_OK), "eval_wire: status %d, reference %s", rc, ok ? "ok" : "bad");
    if (!ok) {
        CHECK(rc == DNSFW_EINVAL || rc == DNSFW_ENAMELEN || rc == DNSFW_ELABELLEN,
              "eval_wire: status %d", rc);
        return;
    }
    check_fixed_verdict(&r, 1, &v, "wire name");

    /* Written back as text, every octet as \DDD, it is the same name. */
    char text[256 * 4 + 8];
    size_t t = 0;
    for (size_t i = 0; i < r.n_labels; i++) {
        for (size_t k = 0; k < r.len[i]; k++)
            t += (size_t)snprintf(text + t, sizeof text - t, "\\%03u", r.octets[r.start[i] + k]);
        text[t++] = '.';
    }
    if (t == 0)
        text[t++] = '.';
    CHECK(dnsfw_eval(fixed, text, t, 1, DNSFW_SCOPE_ALL, &vt) == DNSFW_OK && same_verdict(&v, &vt),
          "the text form of a wire name evaluates differently");
}

/* --- the input as a domain spec ---------------------------------------------------- */

static bool ldh(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* AWS's spec syntax; on success out is the normal form. */
static bool ref_spec(const uint8_t *s, size_t n, char *out)
{
    if (n == 0 || n > 255)
        return false;
    if (s[n - 1] == '.')
        n--;
    if (n == 0)
        return false;
    if (n == 1 && s[0] == '*') {
        strcpy(out, "*");
        return true;
    }
    size_t i = 0;
    if (s[0] == '*') {
        if (s[1] != '.')
            return false;
        i = 2;
    }
    size_t label = 0;
    if (i == n)
        return false;
    for (size_t k = i; k < n; k++) {
        if (s[k] == '.') {
            if (label == 0)
                return false;
            label = 0;
        } else if (ldh(s[k]) && ++label <= 63) {
            continue;
        } else {
            return false;
        }
    }
    if (label == 0)
        return false;
    for (size_t k = 0; k < n; k++)
        out[k] = (char)lower(s[k]);
    out[n] = '\0';
    return true;
}

/* Evaluate name against m; returns the status, fills *v. */
static int eval_str(const dnsfw_matcher *m, const char *name, dnsfw_verdict *v)
{
    return dnsfw_eval(m, name, strlen(name), 28, DNSFW_SCOPE_ALL, v);
}

/* name must match the one-spec policy m with entry spec, or (spec NULL) must not match. */
static void expect_match(const dnsfw_matcher *m, const char *name, const char *spec)
{
    dnsfw_verdict v;
    size_t len = strlen(name);
    int rc = eval_str(m, name, &v);
    if (len > 253 && !(len == 254 && name[253] == '.')) {
        CHECK(rc == DNSFW_ENAMELEN, "a %zu-character name: status %d", len, rc);
        return;
    }
    CHECK(rc == DNSFW_OK, "eval \"%s\": %d", name, rc);
    dnsfw_explanation ex;
    CHECK(dnsfw_explain(m, &v, 0, &ex) == DNSFW_OK, "explain");
    if (spec)
        CHECK(v.action == DNSFW_ACTION_ALLOW && strcmp(ex.entry, spec) == 0,
              "\"%s\" is not matched by \"%s\" (action %d, entry \"%s\")", name, spec,
              (int)v.action, ex.entry);
    else
        CHECK(v.action == DNSFW_ACTION_NONE, "\"%s\" is matched by \"%s\"", name, ex.entry);
}

static void check_spec(const char *text, size_t size)
{
    char norm[DNSFW_SPEC_MAX + 1], again[DNSFW_SPEC_MAX + 1], want[DNSFW_SPEC_MAX + 1];
    const char *reason = NULL;
    int rc = dnsfw_spec_normalize(text, size, norm, sizeof norm, &reason);
    bool ok = ref_spec((const uint8_t *)text, size, want);
    CHECK(ok == (rc == DNSFW_OK), "spec_normalize: status %d (%s), AWS syntax says %s", rc,
          rc ? (reason ? reason : "no reason") : norm, ok ? "valid" : "invalid");

    dnsfw_policy *p;
    uint32_t list, g;
    CHECK(dnsfw_policy_new(&p) == DNSFW_OK && dnsfw_policy_add_list(p, "l", &list) == DNSFW_OK,
          "policy");
    const char *reason2 = NULL;
    int arc = dnsfw_policy_add_spec(p, list, text, size, &reason2);
    if (!ok) {
        CHECK(rc == DNSFW_EBADSPEC && reason && reason[0], "status %d, reason %s", rc,
              reason ? reason : "(none)");
        CHECK(arc == DNSFW_EBADSPEC && reason2 && strcmp(reason, reason2) == 0,
              "add_spec: status %d", arc);
        dnsfw_policy_free(p);
        return;
    }
    CHECK(arc == DNSFW_OK, "add_spec of a valid spec: %d", arc);
    CHECK(strcmp(norm, want) == 0, "normal form \"%s\", expected \"%s\"", norm, want);
    CHECK(dnsfw_spec_normalize(norm, strlen(norm), again, sizeof again, &reason) == DNSFW_OK &&
              strcmp(norm, again) == 0,
          "normalising \"%s\" again gives \"%s\"", norm, again);
    CHECK(dnsfw_policy_add_spec(p, list, norm, strlen(norm), &reason2) == DNSFW_OK &&
              dnsfw_policy_list_size(p, list) == 1 &&
              strcmp(dnsfw_policy_list_spec(p, list, 0), norm) == 0,
          "the list does not hold \"%s\" once", norm);
    char tight[DNSFW_SPEC_MAX + 1];
    CHECK(dnsfw_spec_normalize(text, size, tight, strlen(norm), NULL) == DNSFW_ENOSPC,
          "short buffer");

    CHECK(dnsfw_policy_add_group(p, "g", 1, &g) == DNSFW_OK, "group");
    dnsfw_rule_def r = {
        .name = "r", .priority = 1, .action = DNSFW_ACTION_ALLOW, .domain_list = list};
    CHECK(dnsfw_policy_add_rule(p, g, &r, NULL) == DNSFW_OK, "rule");
    dnsfw_matcher *m;
    CHECK(dnsfw_compile(p, &m) == DNSFW_OK, "compile");
    dnsfw_policy_free(p);

    char name[DNSFW_SPEC_MAX + 8];
    size_t n = strlen(norm);
    if (strcmp(norm, "*") == 0) {
        expect_match(m, ".", "*");
        expect_match(m, "anything.example", "*");
        expect_match(m, "_srv.x", "*");
    } else if (norm[0] == '*') {
        const char *suffix = norm + 2;
        expect_match(m, suffix, NULL);
        snprintf(name, sizeof name, "a.%s", suffix);
        expect_match(m, name, norm);
        snprintf(name, sizeof name, "B.a.%s.", suffix);
        expect_match(m, name, norm);
        snprintf(name, sizeof name, "_x.%s", suffix);
        expect_match(m, name, norm);
    } else {
        expect_match(m, norm, norm);
        snprintf(name, sizeof name, "%s.", norm);
        expect_match(m, name, norm);
        for (size_t i = 0; i < n; i++) { /* case does not matter */
            uint8_t c = (uint8_t)norm[i];
            name[i] = (char)(i % 2 == 0 && c >= 'a' && c <= 'z' ? c - 32 : c);
        }
        name[n] = '\0';
        expect_match(m, name, norm);
        snprintf(name, sizeof name, "a.%s", norm);
        expect_match(m, name, NULL);
        const char *dot = strchr(norm, '.');
        if (dot)
            expect_match(m, dot + 1, NULL);
    }
    dnsfw_matcher_free(m);
}

/* --- the input as a query type ----------------------------------------------------- */

/* Every type formats to a text that parses back to it, in either case. */
static void check_all_qtypes(void)
{
    for (unsigned t = 1; t <= 65535; t++) {
        char buf[32], low[32];
        CHECK(dnsfw_qtype_format((uint16_t)t, buf, sizeof buf) == DNSFW_OK, "format %u", t);
        uint16_t back = 0;
        CHECK(dnsfw_qtype_parse(buf, strlen(buf), &back) == DNSFW_OK && back == t,
              "type %u formats as \"%s\", which parses as %u", t, buf, back);
        for (size_t i = 0; i <= strlen(buf); i++)
            low[i] = (char)lower((uint8_t)buf[i]);
        CHECK(dnsfw_qtype_parse(low, strlen(low), &back) == DNSFW_OK && back == t,
              "\"%s\" parses as %u", low, back);
        char tight[32];
        CHECK(dnsfw_qtype_format((uint16_t)t, tight, strlen(buf)) == DNSFW_ENOSPC, "short");
    }
}

static void check_qtype(const char *text, size_t size)
{
    uint16_t t = 0, back = 0;
    int rc = dnsfw_qtype_parse(text, size, &t);
    CHECK(rc == DNSFW_OK || rc == DNSFW_EQTYPE, "qtype_parse: status %d", rc);
    if (rc)
        return;
    char buf[32], typen[32];
    CHECK(dnsfw_qtype_format(t, buf, sizeof buf) == DNSFW_OK, "format %u", t);
    CHECK(dnsfw_qtype_parse(buf, strlen(buf), &back) == DNSFW_OK && back == t,
          "\"%s\" -> %u -> \"%s\" -> %u", text, t, buf, back);
    /* What was accepted is the type's mnemonic or its TYPEn form, in any case. */
    snprintf(typen, sizeof typen, "TYPE%u", t);
    CHECK((size == strlen(buf) && strncasecmp(text, buf, size) == 0) ||
              (size == strlen(typen) && strncasecmp(text, typen, size) == 0),
          "\"%.*s\" was accepted as type %u (%s)", (int)size, text, t, buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    if (!fixed) {
        build_fixed();
        check_all_qtypes();
    }
    const char *text = (const char *)data;
    check_text_name(text, size);
    check_wire_name(data, size);
    check_spec(text, size);
    check_qtype(text, size);
    return 0;
}
